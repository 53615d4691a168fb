# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The LINE channel of the programme: credentials and API endpoints."""
import os

from linebot.v3.messaging import ApiClient, MessagingApi
from linebot.v3.messaging import Configuration as SDKConfiguration

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.i18n import gettext
from trytond.transaction import without_check_access

from sakai_programme.programme import (  # noqa: F401 (used by the modules above)
    citizen_language, demo_mode, to_local, utcnow)

from .exceptions import LineUnreachable

# Environment variables override what the administrator saved
ENV_SECRET = 'SAKAI_LINE_CHANNEL_SECRET'
ENV_TOKEN = 'SAKAI_LINE_CHANNEL_ACCESS_TOKEN'
ENV_ENDPOINT = 'SAKAI_LINE_API_ENDPOINT'
ENV_DATA_ENDPOINT = 'SAKAI_LINE_API_DATA_ENDPOINT'
ENV_LOGIN_ENDPOINT = 'SAKAI_LINE_LOGIN_ENDPOINT'
ENV_LOGIN_SECRET = 'SAKAI_LINE_LOGIN_CHANNEL_SECRET'
ENV_PUBLIC_URL = 'SAKAI_PUBLIC_URL'
# Documented in the README; only accepted in demo mode
DEMO_SECRET = 'demo-channel-secret'
DEMO_TOKEN = 'demo-channel-access-token'
MASK = '••••••••'


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'line.configuration'
    __string__ = "LINE Channel"

    channel_id = fields.Char("Channel ID")
    bot_basic_id = fields.Char("Basic ID",
        help="The account's ID as shown in LINE, e.g. @123abcde.")
    channel_secret = fields.Function(fields.Char("Channel Secret",
            help="Written once; never shown again."),
        'get_masked', setter='set_credential')
    channel_access_token = fields.Function(fields.Char(
            "Channel Access Token",
            help="A long-lived token; written once, never shown again."),
        'get_masked', setter='set_credential')
    # Lazy: never read unless asked for by name (staff cannot)
    stored_channel_secret = fields.Char("Stored Channel Secret",
        readonly=True, loading='lazy')
    stored_channel_access_token = fields.Char(
        "Stored Channel Access Token", readonly=True, loading='lazy')
    endpoint = fields.Char("API Endpoint", required=True)
    data_endpoint = fields.Char("API Data Endpoint", required=True)
    greeting = fields.Text("Greeting",
        help="Sent as a reply when someone adds the account as a friend.")
    welcome_back = fields.Text("Welcome Back",
        help="Sent as a reply when someone unblocks the account.")
    public_url = fields.Char("Public Address",
        help="The address of this server as people reach it, "
        "e.g. https://line.example.jp (for tracked links and LINE Login).")
    login_channel_id = fields.Char("LINE Login Channel ID",
        help="A LINE Login channel linked to the account: tells which "
        "friend-add source brought each new friend.")
    login_channel_secret = fields.Function(fields.Char(
            "LINE Login Channel Secret",
            help="Written once; never shown again."),
        'get_masked', setter='set_credential')
    stored_login_channel_secret = fields.Char(
        "Stored LINE Login Channel Secret", readonly=True, loading='lazy')
    login_endpoint = fields.Char("LINE Login Endpoint", required=True)
    quota_type = fields.Char("Quota Type", readonly=True)
    quota_limit = fields.Integer("Monthly Quota", readonly=True)
    quota_used = fields.Integer("Messages Sent This Month", readonly=True)
    quota_read_at = fields.DateTime("Quota Read At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'read_quota': {},
                })

    @classmethod
    def default_greeting(cls):
        return ("友だち追加ありがとうございます。\n"
            "お仕事やキャリアのこと、いつでもご相談ください。"
            "下のメニューから相談の予約やよくある質問をご覧いただけます。")

    @classmethod
    def default_welcome_back(cls):
        return "おかえりなさい。またいつでもご相談ください。"

    @classmethod
    def default_endpoint(cls):
        return 'https://api.line.me'

    @classmethod
    def default_data_endpoint(cls):
        return 'https://api-data.line.me'

    @classmethod
    def default_login_endpoint(cls):
        return 'https://access.line.me'

    def get_masked(self, name):
        value = getattr(self, 'stored_' + name)
        if value:
            return MASK + value[-4:]

    @classmethod
    def set_credential(cls, configurations, name, value):
        if value and value.startswith(MASK):
            return
        cls.write(configurations, {'stored_' + name: value or None})

    @classmethod
    def credentials(cls):
        "Return (secret, access token) with environment and demo fallbacks"
        with without_check_access():
            configuration = cls(1)
            secret = (os.environ.get(ENV_SECRET)
                or configuration.stored_channel_secret)
            token = (os.environ.get(ENV_TOKEN)
                or configuration.stored_channel_access_token)
        if demo_mode():
            secret = secret or DEMO_SECRET
            token = token or DEMO_TOKEN
        return secret, token

    @classmethod
    def public_base(cls):
        "The server's public address without a trailing slash, or None"
        with without_check_access():
            url = os.environ.get(ENV_PUBLIC_URL) or cls(1).public_url
        return url.rstrip('/') if url else None

    @classmethod
    def login_settings(cls):
        """Return (channel id, secret, authorize endpoint, API endpoint)
        of the LINE Login channel, or None if there is none"""
        with without_check_access():
            configuration = cls(1)
            channel_id = configuration.login_channel_id
            secret = (os.environ.get(ENV_LOGIN_SECRET)
                or configuration.stored_login_channel_secret)
            login_endpoint = (os.environ.get(ENV_LOGIN_ENDPOINT)
                or configuration.login_endpoint)
            endpoint = os.environ.get(ENV_ENDPOINT) or configuration.endpoint
        if not channel_id or not secret:
            return None
        return channel_id, secret, login_endpoint.rstrip('/'), endpoint

    @classmethod
    def login_user_id(cls, code, redirect_uri, nonce):
        "The LINE user ID of who logged in with LINE Login's code"
        from .source import exchange_code
        channel_id, secret, _, endpoint = cls.login_settings()
        return exchange_code(
            endpoint, channel_id, secret, code, redirect_uri, nonce)

    @classmethod
    def api_client(cls, data=False):
        "Return a line-bot-sdk ApiClient for the channel"
        with without_check_access():
            configuration = cls(1)
            endpoint = configuration.endpoint
            data_endpoint = configuration.data_endpoint
        _, token = cls.credentials()
        if data:
            host = os.environ.get(ENV_DATA_ENDPOINT) or data_endpoint
        else:
            host = os.environ.get(ENV_ENDPOINT) or endpoint
        return ApiClient(SDKConfiguration(
                host=host.rstrip('/'), access_token=token or ''))

    @classmethod
    @ModelView.button
    def read_quota(cls, configurations):
        "Read the monthly message quota and what was used from LINE"
        if not configurations:
            return
        try:
            with cls.api_client() as client:
                api = MessagingApi(client)
                quota = api.get_message_quota(_request_timeout=10)
                consumption = api.get_message_quota_consumption(
                    _request_timeout=10)
        except Exception as exception:
            raise LineUnreachable(gettext(
                    'sakai_line.msg_line_unreachable',
                    error=str(exception)[:200])) from exception
        cls.write(configurations, {
                'quota_type': quota.type,
                'quota_limit': quota.value,
                'quota_used': consumption.total_usage,
                'quota_read_at': utcnow(),
                })
