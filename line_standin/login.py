"""LINE Login v2.1 pieces of the stand-in: the constants, the ID token (a
JWT) and the small pages of the authorization endpoint.

LINE Login is not described by LINE's OpenAPI documents, so its three
endpoints are checked by explicit rules in :class:`line_standin.StandIn`
(``_login_*`` methods) rather than by the spec:

``GET /oauth2/v2.1/authorize`` (``loginAuthorize``, on access.line.me)
    logs in the user set by ``StandIn.login_as()`` and redirects to
    ``redirect_uri?code=...&state=...`` (plus
    ``friendship_status_changed=true|false`` when ``bot_prompt`` was
    given: the "add friend option").
``POST /oauth2/v2.1/token`` (``issueLoginToken``, on api.line.me)
    exchanges the code (single use, 10 minutes) for an access token and
    an ID token.
``POST /oauth2/v2.1/verify`` (``verifyIdToken``, on api.line.me)
    checks an ID token and answers its payload.

The ID token is what LINE issues to web apps: an HS256 JWT signed with the
login channel's secret, ``iss`` ``https://access.line.me``, ``sub`` the
user ID (the same as the Messaging API's when both channels belong to one
provider), ``aud`` the login channel ID.
"""
import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import string
import urllib.parse

__all__ = ['OPERATIONS', 'encode_id_token', 'decode_id_token',
    'InvalidIdToken', 'pkce_challenge', 'error_page', 'add_query']

AUTHORIZE = '/oauth2/v2.1/authorize'
TOKEN = '/oauth2/v2.1/token'
VERIFY = '/oauth2/v2.1/verify'
# path -> (operation id, allowed methods)
OPERATIONS = {
    AUTHORIZE: ('loginAuthorize', ('GET',)),
    TOKEN: ('issueLoginToken', ('POST',)),
    VERIFY: ('verifyIdToken', ('POST',)),
}

ISSUER = 'https://access.line.me'
CODE_TTL = 10 * 60                  # authorization codes: 10 minutes
ACCESS_TOKEN_TTL = 30 * 24 * 60 * 60   # 30 days, as LINE documents
ID_TOKEN_TTL = 60 * 60
SCOPES = {'openid', 'profile', 'email'}
BOT_PROMPTS = {'normal', 'aggressive'}
FORM = 'application/x-www-form-urlencoded'
# what LINE answers for a request it cannot read (LINE Login's own text)
MISSING = 'some parameters missed or invalid'
DENIED = 'The resource owner denied the request.'
USER_ID = re.compile(r'^U[0-9a-f]{32}$')
HTTP_URL = re.compile(r'^https?://[^\s/?#]+[^\s]*$')
ALNUM = string.ascii_letters + string.digits


class InvalidIdToken(Exception):
    "``error_description`` of LINE's answer to a failed verification."


def random_code(length=20):
    "A code like LINE's (``JFJstzoT7w62112rXfyy``)."
    return ''.join(secrets.choice(ALNUM) for _ in range(length))


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode('ascii')


def _unb64(text):
    if not isinstance(text, str) or not re.fullmatch(r'[A-Za-z0-9_-]*', text):
        raise ValueError('not base64url')
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def _sign(signing_input, secret):
    return hmac.new(secret.encode('utf-8'), signing_input,
        hashlib.sha256).digest()


def encode_id_token(payload, secret):
    "An HS256 JWT of *payload* signed with the channel *secret*."
    header = {'typ': 'JWT', 'alg': 'HS256'}
    signing_input = '.'.join(_b64(json.dumps(part, separators=(',', ':'),
        ensure_ascii=False).encode('utf-8')) for part in (header, payload))
    signing_input = signing_input.encode('ascii')
    return (signing_input + b'.'
        + _b64(_sign(signing_input, secret)).encode('ascii')).decode('ascii')


def decode_id_token(token, secret_of):
    """The payload of *token* if its HS256 signature is right.

    *secret_of* maps the payload's ``aud`` to the channel secret (or
    None).  Raises :class:`InvalidIdToken` ``('Invalid IdToken.')`` for a
    malformed token, another algorithm, an unknown channel or a wrong
    signature; the claims themselves are checked by the caller."""
    try:
        header_b64, payload_b64, signature_b64 = token.split('.')
        header = json.loads(_unb64(header_b64))
        payload = json.loads(_unb64(payload_b64))
        signature = _unb64(signature_b64)
    except (AttributeError, ValueError, UnicodeDecodeError):
        raise InvalidIdToken('Invalid IdToken.') from None
    if not (isinstance(header, dict) and isinstance(payload, dict)
            and header.get('alg') == 'HS256'):
        raise InvalidIdToken('Invalid IdToken.')
    secret = secret_of(payload.get('aud'))
    signing_input = (header_b64 + '.' + payload_b64).encode('ascii')
    if secret is None or not hmac.compare_digest(
            signature, _sign(signing_input, secret)):
        raise InvalidIdToken('Invalid IdToken.')
    return payload


def pkce_challenge(verifier):
    "``code_challenge`` for *verifier* with method S256 (RFC 7636)."
    return _b64(hashlib.sha256(verifier.encode('ascii')).digest())


def is_http_url(value):
    return isinstance(value, str) and bool(HTTP_URL.match(value))


def add_query(url, params):
    "*url* with *params* appended to its query (keeping what it has)."
    split = urllib.parse.urlsplit(url)
    query = split.query
    extra = urllib.parse.urlencode(params)
    query = query + '&' + extra if query else extra
    return urllib.parse.urlunsplit(split._replace(query=query))


def error_page(title, text):
    "The small HTML page LINE shows instead of redirecting."
    return ('<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        f'<title>{html.escape(title)}</title></head><body>'
        f'<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>'
        '<p><small>line_standin (LINE Login stand-in)</small></p>'
        '</body></html>\n').encode('utf-8')


def parse_form(raw_body, content_type):
    """``{name: value}`` of a form-encoded body, or None when the body is
    not ``application/x-www-form-urlencoded`` (or a name repeats)."""
    if content_type.split(';')[0].strip().lower() != FORM:
        return None
    try:
        items = urllib.parse.parse_qsl(raw_body.decode('utf-8'),
            keep_blank_values=True, strict_parsing=bool(raw_body))
    except (UnicodeDecodeError, ValueError):
        return None
    form = dict(items)
    if len(form) != len(items):
        return None
    return form
