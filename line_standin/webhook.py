"""Webhook bodies as the LINE Platform sends them, checked against
webhook.yml, and signed the way LINE signs them.

    events = [webhook.follow_event(user_id), webhook.text_message_event(
        user_id, 'こんにちは', reply_token=line.issue_reply_token(user_id))]
    body = webhook.body(events)
    signature = webhook.sign(body, CHANNEL_SECRET)
    # POST body to the app with header 'X-Line-Signature: <signature>'
"""
import base64
import hashlib
import hmac
import json
import os
import secrets
import time

from . import spec as specs

__all__ = [
    'WebhookValidationError', 'random_user_id', 'webhook_event_id',
    'event', 'follow_event', 'unfollow_event', 'text_message_event',
    'postback_event', 'body', 'sign', 'validate_body']

# Crockford's base32, as ULIDs use it
ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
# events that carry a replyToken (those the bot can reply to)
REPLYABLE = {
    'message', 'follow', 'join', 'memberJoined', 'postback', 'beacon',
    'accountLink', 'videoPlayComplete', 'membership'}


class WebhookValidationError(ValueError):
    "A webhook body that webhook.yml's CallbackRequest does not accept."

    def __init__(self, message, details):
        super().__init__(message + ': ' + json.dumps(
            details, ensure_ascii=False))
        self.details = details


def random_user_id():
    "'U' followed by 32 lowercase hexadecimal digits, like a LINE user ID."
    return 'U' + secrets.token_hex(16)


def webhook_event_id(timestamp_ms=None):
    "A ULID (26 uppercase Crockford base32 characters), as LINE uses."
    if timestamp_ms is None:
        timestamp_ms = int(time.time() * 1000)
    value = (int(timestamp_ms) & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(os.urandom(10), 'big')
    chars = []
    for _ in range(26):
        chars.append(ULID_ALPHABET[value & 31])
        value >>= 5
    return ''.join(reversed(chars))


def _reply_token():
    return secrets.token_hex(16)


def _message_id():
    return str(secrets.randbelow(9 * 10 ** 17) + 10 ** 17)


def event(type, user_id=None, *, timestamp=None, mode='active',
        redelivery=False, source=None, **fields):
    """A webhook event object of *type*.

    The common properties are filled in (``webhookEventId``,
    ``deliveryContext``, ``timestamp`` in ms, ``mode``, and ``source``
    ``{"type": "user", "userId": user_id}`` when *user_id* is given); events
    LINE lets the bot reply to get a ``replyToken``.  *fields* are added
    last and win (e.g. ``replyToken=...``, ``message={...}``)."""
    if timestamp is None:
        timestamp = int(time.time() * 1000)
    data = {
        'type': type,
        'mode': mode,
        'timestamp': int(timestamp),
        'webhookEventId': webhook_event_id(timestamp),
        'deliveryContext': {'isRedelivery': bool(redelivery)},
    }
    if source is not None:
        data['source'] = source
    elif user_id is not None:
        data['source'] = {'type': 'user', 'userId': user_id}
    if type in REPLYABLE:
        data['replyToken'] = _reply_token()
    data.update(fields)
    return data


def follow_event(user_id, unblocked=False, reply_token=None, **kw):
    "A user adds the account as a friend (or unblocks it: *unblocked*)."
    return event('follow', user_id, replyToken=reply_token or _reply_token(),
        follow={'isUnblocked': bool(unblocked)}, **kw)


def unfollow_event(user_id, **kw):
    "A user blocks the account."
    return event('unfollow', user_id, **kw)


def text_message_event(user_id, text, reply_token=None, **kw):
    "A user sends a text message."
    message = {
        'type': 'text',
        'id': _message_id(),
        'text': text,
        'quoteToken': secrets.token_urlsafe(60),
        'markAsReadToken': secrets.token_urlsafe(30),
    }
    message.update(kw.pop('message', {}))
    return event('message', user_id, replyToken=reply_token or _reply_token(),
        message=message, **kw)


def postback_event(user_id, data, params=None, reply_token=None, **kw):
    """A user taps a postback action; *params* is e.g. ``{'date':
    '2026-04-01'}`` for a datetimepicker."""
    postback = {'data': data}
    if params is not None:
        postback['params'] = dict(params)
    return event('postback', user_id,
        replyToken=reply_token or _reply_token(), postback=postback, **kw)


def body(events, destination=None, validate=True):
    """The request body LINE POSTs: compact UTF-8 JSON bytes of
    ``{"destination": ..., "events": [...]}``.  *destination* (the bot's
    user ID) defaults to a random ``'U' + 32 hex``.  The body is checked
    with :func:`validate_body` unless *validate* is false (to build a
    deliberately broken body)."""
    if isinstance(events, dict):
        events = [events]
    data = {
        'destination': destination or random_user_id(),
        'events': list(events),
    }
    if validate:
        validate_body(data)
    return json.dumps(data, ensure_ascii=False, separators=(',', ':')).encode(
        'utf-8')


def sign(body_bytes, channel_secret):
    """The ``X-Line-Signature`` LINE sends: base64 of the HMAC-SHA256 of the
    body, keyed with the channel secret."""
    if isinstance(body_bytes, str):
        body_bytes = body_bytes.encode('utf-8')
    if isinstance(channel_secret, str):
        channel_secret = channel_secret.encode('utf-8')
    digest = hmac.new(channel_secret, body_bytes, hashlib.sha256).digest()
    return base64.b64encode(digest).decode('ascii')


def validate_body(data):
    """Check a webhook body (dict, bytes or str) against webhook.yml's
    CallbackRequest; raise :class:`WebhookValidationError` if it does not
    validate.  Returns the body as a dict."""
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    elif isinstance(data, str):
        raw = data.encode('utf-8')
    else:
        raw = json.dumps(data, ensure_ascii=False).encode('utf-8')
    spec = specs.webhook()
    request = specs.Request(
        specs.WEBHOOK_HOST, 'POST', '/callback', body=raw,
        content_type='application/json')
    errors = spec.request_errors(request)
    if errors:
        _, details = specs.error_details(errors)
        raise WebhookValidationError(
            f'webhook body has {len(details)} error(s)', details)
    return json.loads(raw.decode('utf-8'))
