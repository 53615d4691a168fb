# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"The staff: one or two users of each role, all with the demo password"
DEMO_PASSWORD = 'demo-password-2026'

# The groups of the roles below, by XML id
GROUPS = {
    'counselor': 'sakai_programme.group_counselor',
    'coordinator': 'sakai_programme.group_coordinator',
    'manager': 'sakai_programme.group_manager',
    'sysadmin': 'sakai_programme.group_sysadmin',
    'auditor': 'sakai_programme.group_auditor',
    'administration': 'res.group_admin',
    }

# (login, name, roles)
STAFF = [
    ('counselor1', '相談員 青木 美咲', ['counselor']),
    ('counselor2', '相談員 西村 恵', ['counselor']),
    ('coordinator1', 'コーディネーター 藤田 健', ['coordinator']),
    ('coordinator2', 'コーディネーター 松本 由紀', ['coordinator']),
    ('manager1', '管理者 山口 誠', ['manager']),
    ('sysadmin1', 'システム管理者 小林 拓也', ['sysadmin', 'administration']),
    ('auditor1', '監査担当 中島 聡子', ['auditor']),
    ]


def load(context):
    ModelData = context.pool.get('ir.model.data')
    company = context.company
    for login, name, roles in STAFF:
        user, _ = context.get_or_create('res.user',
            [('login', '=', login)], {
                'login': login,
                'name': name,
                'password': DEMO_PASSWORD,
                'language': context.ja.id,
                'companies': [('add', [company.id])],
                'company': company.id,
                'groups': [('add', [
                            ModelData.get_id(GROUPS[r]) for r in roles])],
                }, 'user')
        context.staff[login] = user


def summary(context):
    User = context.pool.get('res.user')
    return [('demo users', User.search_count(
                [('login', 'in', [s[0] for s in STAFF])]))]
