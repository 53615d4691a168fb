# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The LINE channel and its friend-add sources (rich menus are module
data, uploaded by tools/line_sync.py at start)"""

# The LINE channel of the demo talks to the local stand-in (make start)
CHANNEL = {
    'bot_basic_id': '@sakai-demo',
    'public_url': 'http://127.0.0.1:8000',
    'login_channel_id': '2000000000',
    }
DEMO_LOGIN_SECRET = 'demo-login-channel-secret'

# Friend-add sources: (name, medium)
SOURCES = [
    ("区役所窓口のチラシ", 'flyer'),
    ("Instagram広告（春）", 'ad'),
    ("ひとり親家庭セミナー会場", 'event'),
    ("市ホームページ", 'web'),
    ]


def load(context):
    Configuration = context.pool.get('line.configuration')
    configuration = Configuration(1)
    changes = {k: v for k, v in CHANNEL.items()
        if getattr(configuration, k) != v}
    if not configuration.stored_login_channel_secret:
        changes['login_channel_secret'] = DEMO_LOGIN_SECRET
    if changes:
        Configuration.write([configuration], changes)
    for name, medium in SOURCES:
        context.get_or_create('line.source', [('name', '=', name)], {
                'name': name, 'medium': medium}, 'friend-add source')


def summary(context):
    pool = context.pool
    return [
        ('rich menus', pool.get('line.rich_menu').search_count([])),
        ('friend-add sources', pool.get('line.source').search_count([])),
        ]
