# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The LINE webhook (POST /<database>/line/webhook) and the tracked
links of friend-add sources (GET /<database>/line/add/<code>, and LINE
Login's callback GET /<database>/line/login).

Order of checks: the database and module exist (404), the body is not too
large (413), the signature is LINE's (403, nothing stored), the body is
LINE's JSON (400); then the events are stored and queued in the same
transaction as the acknowledgement.
"""
import base64
import hashlib
import hmac
import json
import logging
from http import HTTPStatus
from urllib.parse import urlencode

from linebot.v3.webhook import SignatureValidator
from werkzeug.exceptions import abort
from werkzeug.utils import redirect

from trytond.pool import Pool
from trytond.protocols.wrappers import (
    Response, with_pool, with_transaction)
from trytond.wsgi import app

from .exceptions import LoginFailed
from .source import add_friend_url

logger = logging.getLogger(__name__)

# LINE's bodies are small; a redelivery burst stays well under this
MAX_BODY_SIZE = 1024 * 1024
EVENT_KEYS = {'type', 'timestamp', 'mode', 'webhookEventId',
    'deliveryContext'}


def parse_body(body):
    "Return the events of a LINE webhook body or None if it is not one"
    try:
        # LINE sends UTF-8 only (json.loads would also guess UTF-16/32)
        data = json.loads(body.decode('utf-8'))
    except (UnicodeDecodeError, ValueError):
        return None
    if (not isinstance(data, dict)
            or not isinstance(data.get('destination'), str)
            or not isinstance(data.get('events'), list)):
        return None
    for event in data['events']:
        if (not isinstance(event, dict)
                or not EVENT_KEYS <= event.keys()
                or not isinstance(event['webhookEventId'], str)
                or not event['webhookEventId']
                or len(event['webhookEventId']) > 64
                or not isinstance(event['type'], str)
                or not isinstance(event['timestamp'], int)
                or isinstance(event['timestamp'], bool)
                or not isinstance(event['deliveryContext'], dict)
                or not isinstance(event.get('source', {}), dict)):
            return None
        user_id = event.get('source', {}).get('userId')
        if user_id is not None and not isinstance(user_id, str):
            return None
    return data['events']


def signed(body, secret, signature):
    """The signature is LINE's for these bytes.  line-bot-sdk checks text;
    a body that is not UTF-8 (never LINE's) gets the same HMAC on its raw
    bytes, so that a signed but malformed body is told apart (400) from a
    forged one (403)"""
    try:
        text = body.decode('utf-8')
    except UnicodeDecodeError:
        digest = hmac.new(secret.encode('utf-8'), body, hashlib.sha256)
        return hmac.compare_digest(
            base64.b64encode(digest.digest()).decode('ascii'), signature)
    return SignatureValidator(secret).validate(text, signature)


@app.route('/<database_name>/line/webhook', methods={'POST'})
@with_pool
@with_transaction()
def webhook(request, pool):
    try:
        Configuration = pool.get('line.configuration')
        Event = pool.get('line.event')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)
    if (request.content_length or 0) > MAX_BODY_SIZE:
        abort(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    # Cached: the transaction may be retried and read it again
    body = request.get_data()
    if len(body) > MAX_BODY_SIZE:
        abort(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    secret, _ = Configuration.credentials()
    if not secret:
        logger.error("LINE webhook called but no channel secret is set")
        abort(HTTPStatus.SERVICE_UNAVAILABLE)
    signature = request.headers.get('X-Line-Signature', '')
    if not signature or not signed(body, secret, signature):
        abort(HTTPStatus.FORBIDDEN)

    events = parse_body(body)
    if events is None:
        abort(HTTPStatus.BAD_REQUEST)
    Event.receive(events)
    return Response(status=HTTPStatus.OK)


@app.route('/<database_name>/line/ping', methods={'GET', 'POST'})
@with_pool
def ping(request, pool):
    "Bare route: answers 200 without a transaction (benchmark baseline)"
    return Response(status=HTTPStatus.OK)


def page(status, message, link=None):
    """A small page for people who open a link in a browser: message (the
    id of an ir.message) in the citizens' language, from the template of
    the report line.page"""
    Page = Pool().get('line.page', type='report')
    return Response(Page.html(message, link), status=status,
        content_type='text/html')


@app.route('/<database_name>/line/add/<code>', methods={'GET'})
@with_pool
@with_transaction(readonly=False)
def add_friend(request, pool, code):
    """A friend-add source's tracked link: count the visit, then go through
    LINE Login (when configured) or straight to LINE's add-friend page"""
    try:
        Configuration = pool.get('line.configuration')
        Source = pool.get('line.source')
        Visit = pool.get('line.source.visit')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)
    sources = Source.search([('code', '=', code)], limit=1)
    if not sources:
        return page(HTTPStatus.NOT_FOUND, 'sakai_line.msg_page_not_found')
    source, = sources
    configuration = Configuration(1)
    add_url = add_friend_url(configuration.bot_basic_id)
    login = Configuration.login_settings()
    visit = Visit.start(source, login=bool(login))
    if not login:
        if not add_url:
            logger.error("Friend-add link used but no basic ID is set")
            return page(HTTPStatus.SERVICE_UNAVAILABLE,
                'sakai_line.msg_page_not_ready')
        return redirect(add_url)
    channel_id, _, login_endpoint, _ = login
    query = urlencode({
            'response_type': 'code',
            'client_id': channel_id,
            'redirect_uri': login_redirect_uri(request, pool, Configuration),
            'state': visit.state_token,
            'scope': 'openid',
            'bot_prompt': 'aggressive',
            'nonce': visit.nonce,
            })
    return redirect(login_endpoint + '/oauth2/v2.1/authorize?' + query)


def login_redirect_uri(request, pool, Configuration):
    base = Configuration.public_base() or request.host_url.rstrip('/')
    return '%s/%s/line/login' % (base, pool.database_name)


@app.route('/<database_name>/line/login', methods={'GET'})
@with_pool
@with_transaction(readonly=False)
def login_callback(request, pool):
    """LINE Login comes back here: learn who followed from the link, then
    open the chat (or LINE's add-friend page if the login was cancelled)"""
    try:
        Configuration = pool.get('line.configuration')
        Visit = pool.get('line.source.visit')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)
    add_url = add_friend_url(Configuration(1).bot_basic_id)
    visit = Visit.from_state(request.args.get('state'))
    code = request.args.get('code')
    if visit is None:
        return page(HTTPStatus.BAD_REQUEST, 'sakai_line.msg_page_expired',
            add_url)
    if code and Configuration.login_settings():
        try:
            visit.complete_login(code,
                login_redirect_uri(request, pool, Configuration))
        except LoginFailed:
            logger.warning("LINE Login callback failed", exc_info=True)
    if add_url:
        return redirect(add_url)
    return page(HTTPStatus.OK, 'sakai_line.msg_page_thanks')
