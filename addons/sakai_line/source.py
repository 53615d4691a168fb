# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Friend-add sources: which promotion (flyer, ad, event) brought a friend.

LINE's webhook does not say where a follow came from, so each source has a
short tracked link (and its QR code).  With a LINE Login channel linked to
the account, the link goes through LINE Login with the "add friend option"
(scope openid only: nothing but the user ID is read), which tells us who
followed from that link.  Without one, the link counts visits and opens
LINE's add-friend page.
"""
import datetime as dt
import io
import re
import secrets
import urllib.parse

import requests
import segno
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.transaction import Transaction

from .configuration import utcnow
from .exceptions import LoginFailed, SourceValidationError

# A visit is attributed to the follow that happens within this time
ATTRIBUTION_WINDOW = dt.timedelta(hours=1)
LOGIN_TIMEOUT = 10
CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
# What a code may hold to sit in a link
LINK_CODE = re.compile(r'^[a-z0-9_-]+$')


def new_code():
    "A short code, easy to read out from a flyer"
    return ''.join(secrets.choice(CODE_ALPHABET) for _ in range(7))


class Source(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'line.source'
    __string__ = "Friend-Add Source"

    name = fields.Char("Name", required=True,
        help="The promotion, e.g. 'Flyer at the ward office, April'.")
    medium = fields.Selection([
            ('flyer', "Flyer or Poster"),
            ('web', "Website"),
            ('sns', "Social Media"),
            ('ad', "Advertisement"),
            ('event', "Event or Seminar"),
            ('partner', "Partner Agency"),
            ('other', "Other"),
            ], "Medium", required=True, sort=False)
    code = fields.Char("Code", required=True, readonly=True,
        help="The last part of the tracked link.")
    tracked_url = fields.Function(fields.Char("Tracked Link",
            help="Print or post this link (or its QR code)."),
        'get_tracked_url')
    qr_code = fields.Function(fields.Binary("QR Code"), 'get_qr_code')
    visits = fields.One2Many('line.source.visit', 'source', "Visit Log",
        readonly=True)
    visit_count = fields.Function(
        fields.Integer("Visits"), 'get_counts')
    follow_count = fields.Function(
        fields.Integer("Friends Added"), 'get_counts')
    comment = fields.Text("Comment")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'sakai_line.msg_source_code_unique'),
            ]

    @classmethod
    def default_code(cls):
        return new_code()

    @classmethod
    def default_medium(cls):
        return 'flyer'

    def get_tracked_url(self, name):
        Configuration = Pool().get('line.configuration')
        base = Configuration.public_base()
        if base and self.code:
            return '%s/%s/line/add/%s' % (
                base, Transaction().database.name, self.code)

    def get_qr_code(self, name):
        if not self.tracked_url:
            return None
        output = io.BytesIO()
        segno.make(self.tracked_url, error='m').save(
            output, kind='png', scale=10, border=4)
        return output.getvalue()

    @classmethod
    def get_counts(cls, sources, names):
        pool = Pool()
        Visit = pool.get('line.source.visit')
        History = pool.get('line.user.history')
        visit = Visit.__table__()
        history = History.__table__()
        cursor = Transaction().connection.cursor()
        ids = [s.id for s in sources]
        result = {n: dict.fromkeys(ids, 0) for n in names}
        if 'visit_count' in names:
            cursor.execute(*visit.select(visit.source, Count(visit.id),
                    where=visit.source.in_(ids), group_by=[visit.source]))
            result['visit_count'].update(dict(cursor))
        if 'follow_count' in names:
            cursor.execute(*history.select(
                    history.source, Count(history.id),
                    where=history.source.in_(ids)
                    & history.action.in_(['follow', 'unblock']),
                    group_by=[history.source]))
            result['follow_count'].update(dict(cursor))
        return result

    @classmethod
    def copy(cls, sources, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', lambda data: new_code())
        default.setdefault('visits', None)
        return super().copy(sources, default=default)

    @classmethod
    def validate_fields(cls, sources, field_names):
        super().validate_fields(sources, field_names)
        for source in sources:
            if not LINK_CODE.match(source.code or ''):
                raise SourceValidationError(gettext(
                        'sakai_line.msg_source_code', code=source.code))


class Visit(ModelSQL, ModelView):
    __name__ = 'line.source.visit'
    __string__ = "Friend-Add Source Visit"

    source = fields.Many2One('line.source', "Source", required=True,
        readonly=True, ondelete='CASCADE')
    at = fields.DateTime("At", required=True, readonly=True)
    state_token = fields.Char("State", readonly=True)
    nonce = fields.Char("Nonce", readonly=True)
    line_id = fields.Char("LINE User ID", readonly=True)
    line_user = fields.Many2One('line.user', "LINE User", readonly=True,
        ondelete='SET NULL')
    logged_in_at = fields.DateTime("Logged In At", readonly=True)
    follow = fields.Many2One('line.user.history', "Follow", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('source')
        t = cls.__table__()
        cls._sql_constraints = [
            ('state_token_unique', Unique(t, t.state_token),
                'sakai_line.msg_source_visit_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.at, Index.Range())))
        cls._order.insert(0, ('at', 'DESC'))

    @classmethod
    def start(cls, source, login):
        "Record a visit of the tracked link"
        visit = cls(source=source, at=utcnow())
        if login:
            visit.state_token = secrets.token_urlsafe(24)
            visit.nonce = secrets.token_urlsafe(16)
        visit.save()
        return visit

    @classmethod
    def from_state(cls, state_token):
        "The pending visit a LINE Login callback belongs to, or None"
        if not state_token:
            return None
        visits = cls.search([
                ('state_token', '=', state_token),
                ('logged_in_at', '=', None),
                ('at', '>=', utcnow() - ATTRIBUTION_WINDOW),
                ], limit=1)
        return visits[0] if visits else None

    def complete_login(self, code, redirect_uri):
        """Exchange LINE Login's code for the person's user ID (sub) and
        attribute their follow to the source"""
        pool = Pool()
        Configuration = pool.get('line.configuration')
        LineUser = pool.get('line.user')
        line_id = Configuration.login_user_id(code, redirect_uri, self.nonce)
        users = LineUser.search([('line_id', '=', line_id)], limit=1)
        self.line_id = line_id
        self.line_user = users[0] if users else None
        self.logged_in_at = utcnow()
        self.save()
        # Otherwise the follow event is still on its way
        if self.line_user:
            self.attribute([h for h in self.line_user.history
                    if h.action in {'follow', 'unblock'}])

    def attribute(self, follows):
        "Attribute the follow closest after the visit to the source"
        candidates = [h for h in follows
            if not h.source
            and self.at - dt.timedelta(minutes=5) <= h.at
            <= self.at + ATTRIBUTION_WINDOW]
        if not candidates or self.follow:
            return
        follow = min(candidates, key=lambda h: h.at)
        follow.source = self.source
        follow.save()
        self.follow = follow
        self.line_user = follow.line_user
        self.save()
        user = follow.line_user
        if not user.source:
            user.source = self.source
            user.save()

    @classmethod
    def attribute_follow(cls, follow):
        "Called when a follow arrives after the person logged in"
        visits = cls.search([
                ('line_id', '=', follow.line_user.line_id),
                ('follow', '=', None),
                ('logged_in_at', '!=', None),
                ('at', '>=', follow.at - ATTRIBUTION_WINDOW),
                ], order=[('at', 'DESC')], limit=1)
        if visits:
            visit, = visits
            visit.attribute([follow])


def add_friend_url(basic_id):
    "LINE's own add-friend link for the account"
    if not basic_id:
        return None
    return 'https://line.me/R/ti/p/%s' % urllib.parse.quote(
        basic_id if basic_id.startswith('@') else '@' + basic_id)


def exchange_code(api_endpoint, channel_id, channel_secret, code,
        redirect_uri, nonce):
    """Return the LINE user ID of the person who logged in, through LINE
    Login's token and ID token verification endpoints"""
    try:
        response = requests.post(
            api_endpoint.rstrip('/') + '/oauth2/v2.1/token', data={
                'grant_type': 'authorization_code',
                'code': code,
                'redirect_uri': redirect_uri,
                'client_id': channel_id,
                'client_secret': channel_secret,
                }, timeout=LOGIN_TIMEOUT)
        response.raise_for_status()
        id_token = response.json()['id_token']
        response = requests.post(
            api_endpoint.rstrip('/') + '/oauth2/v2.1/verify', data={
                'id_token': id_token,
                'client_id': channel_id,
                'nonce': nonce,
                }, timeout=LOGIN_TIMEOUT)
        response.raise_for_status()
        payload = response.json()
    except (requests.RequestException, ValueError, KeyError) as exception:
        raise LoginFailed(gettext(
                'sakai_line.msg_login_failed',
                error=str(exception)[:200])) from exception
    if payload.get('nonce') != nonce or not payload.get('sub'):
        raise LoginFailed(gettext(
                'sakai_line.msg_login_failed', error='nonce'))
    return payload['sub']
