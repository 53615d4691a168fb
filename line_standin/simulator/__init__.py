"""A LINE chat simulator for people, served by the stand-in.

A newcomer without a LINE channel plays the citizen's side in a browser:
``GET /simulator/`` on the stand-in's port shows a phone-sized LINE chat.
Fake users (random ``'U' + 32 hex`` IDs kept in the browser's
localStorage) add the account as a friend, block and unblock it, send
text and tap quick replies, template and Flex buttons.  Each of those
becomes a webhook event built by :mod:`line_standin.webhook`, signed with
the channel secret and POSTed to our app's webhook; what the app sends
back (push, multicast, reply) is read from the stand-in's ``delivered``
records and drawn as LINE would.

    from line_standin import StandIn
    from line_standin.simulator import Simulator

    simulator = Simulator('http://127.0.0.1:8000/sakai/line/webhook',
        'demo-channel-secret')
    with StandIn(port=8931, simulator=simulator) as line:
        ...   # http://127.0.0.1:8931/simulator/

The ``/simulator`` paths are not LINE's API: they are neither validated
against the OpenAPI documents nor listed in ``line.requests``.

JSON endpoints used by the page:

``POST /simulator/api/event``
    ``{"userId": "U...", "kind": "follow" | "unfollow" | "unblock" |
    "text" | "postback", "text": ..., "data": ..., "params": {...},
    "displayText": ...}`` -> ``{"status": <webhook HTTP status>, "event":
    {...}}`` (502 with ``status: null`` and ``error`` when the webhook
    cannot be reached).  follow, message and postback events carry a reply
    token issued by the stand-in, so the app's replies are accepted.
    ``unfollow`` blocks the user in the stand-in (pushes are no longer
    delivered), ``follow`` and ``unblock`` unblock them, as on LINE.
``GET /simulator/api/messages?userId=U...&since=N``
    ``{"next": M, "messages": [{"index", "time", "message"}],
    "events": [...], "state": "friend" | "blocked" | null, "reset":
    bool}``: messages delivered to the user at indexes >= N of the
    stand-in's ``delivered`` list, and every event the user sent (each with
    ``mark``: the length of ``delivered`` when it was sent, to interleave
    them).
``GET /simulator/api/config``
    ``{"webhook": url, "destination": bot user ID, "accountName": ...}``.
"""
import itertools
import json
import os
import re
import threading
import time

import requests

from .. import webhook as webhooks

__all__ = ['Simulator', 'PAGE']

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.join(HERE, 'index.html')
PREFIX = '/simulator'
USER_ID = re.compile(r'^U[0-9a-f]{32}$')
KINDS = {'follow', 'unfollow', 'unblock', 'text', 'postback'}
MAX_TEXT = 5000
MAX_DATA = 300
WEBHOOK_TIMEOUT = 10
USER_AGENT = 'LineBotWebhook/2.0'


class _BadRequest(Exception):
    pass


def is_simulator_path(path):
    return path == PREFIX or path.startswith(PREFIX + '/')


class Simulator:
    """Serves the simulator page and its JSON API on a :class:`StandIn`.

    :param webhook_url: our app's webhook, e.g.
        ``http://127.0.0.1:8000/sakai/line/webhook``.
    :param channel_secret: the secret the body is signed with
        (``X-Line-Signature``).
    :param destination: the bot's user ID sent as ``destination``
        (random by default).
    :param account_name: shown in the chat header.
    :param timeout: seconds to wait for the webhook (10).
    """

    def __init__(self, webhook_url, channel_secret, *, destination=None,
            account_name='公式アカウント', timeout=WEBHOOK_TIMEOUT):
        self.webhook_url = webhook_url
        self.channel_secret = channel_secret
        self.destination = destination or webhooks.random_user_id()
        self.account_name = account_name
        self.timeout = timeout
        self.standin = None
        self._lock = threading.Lock()
        self._session = requests.Session()
        self.reset()

    def attach(self, standin):
        "Called by ``StandIn(simulator=...)``."
        self.standin = standin
        standin.simulator = self

    def reset(self):
        "Forget the users' states and sent events."
        with self._lock:
            self.users = {}
            self._ids = itertools.count(1)

    # -- state ----------------------------------------------------------------

    def _user(self, user_id):
        return self.users.setdefault(
            user_id, {'state': None, 'events': []})

    def state(self, user_id):
        "None (never followed), 'friend' or 'blocked'."
        with self._lock:
            user = self.users.get(user_id)
            return user['state'] if user else None

    def events_of(self, user_id):
        "The events *user_id* sent through the simulator (dicts)."
        with self._lock:
            user = self.users.get(user_id)
            return [dict(e) for e in user['events']] if user else []

    # -- events ---------------------------------------------------------------

    def send(self, user_id, kind, text=None, data=None, params=None,
            display_text=None, client_id=None):
        """Build, sign and POST one webhook event of *kind* for *user_id*.

        Returns ``(record, http_status)``; *record* is what the page draws
        (``kind``, ``text``, ``data``, ``params``, ``displayText``,
        ``status``, ``error``, ``event``); *client_id* is the page's own
        key for the event (to replace its "sending" bubble)."""
        standin = self.standin
        if not (isinstance(user_id, str) and USER_ID.match(user_id)):
            raise _BadRequest('userId must be U followed by 32 hex digits')
        if kind not in KINDS:
            raise _BadRequest(f'kind must be one of {sorted(KINDS)}')
        if kind == 'text':
            if not isinstance(text, str) or not text.strip():
                raise _BadRequest('text must not be empty')
            if len(text) > MAX_TEXT:
                raise _BadRequest(f'text is longer than {MAX_TEXT}')
        if kind == 'postback':
            if not isinstance(data, str) or len(data) > MAX_DATA:
                raise _BadRequest(
                    f'data must be a string of at most {MAX_DATA} characters')
            if params is not None and not (isinstance(params, dict)
                    and all(isinstance(k, str) and isinstance(v, str)
                        for k, v in params.items())):
                raise _BadRequest('params must map strings to strings')
            if display_text is not None and not isinstance(display_text, str):
                raise _BadRequest('displayText must be a string')
        if client_id is not None and not (
                isinstance(client_id, str) and len(client_id) <= 64):
            raise _BadRequest('clientId must be a short string')
        if kind in ('text', 'postback') and self.state(user_id) == 'blocked':
            # LINE does not let a user write to an account they blocked
            return None, 409

        if kind == 'unfollow':
            event = webhooks.unfollow_event(user_id)
        else:
            token = standin.issue_reply_token(user_id)
            if kind in ('follow', 'unblock'):
                event = webhooks.follow_event(user_id,
                    unblocked=kind == 'unblock', reply_token=token)
            elif kind == 'text':
                event = webhooks.text_message_event(
                    user_id, text, reply_token=token)
            else:
                event = webhooks.postback_event(
                    user_id, data, params=params or None, reply_token=token)
        body = webhooks.body([event], destination=self.destination)

        # the block state of the stand-in follows the user, as on LINE:
        # set it before the webhook so the app's answer to a follow event
        # is delivered and nothing reaches a user who just blocked us
        with self._lock:
            user = self._user(user_id)
            previous = user['state']
            user['state'] = current = 'blocked' if kind == 'unfollow' else (
                'friend' if kind in ('follow', 'unblock') else previous)
        if kind == 'unfollow':
            standin.block(user_id)
        elif kind in ('follow', 'unblock'):
            standin.unblock(user_id)
        self._count_follower(previous, current)

        with standin._lock:
            mark = len(standin.delivered)
        record = {
            'id': None, 'mark': mark, 'time': time.time(), 'kind': kind,
            'text': text if kind == 'text' else None,
            'data': data if kind == 'postback' else None,
            'params': params if kind == 'postback' else None,
            'displayText': display_text if kind == 'postback' else None,
            'status': None, 'error': None,
            'webhookEventId': event['webhookEventId'],
            'clientId': client_id,
        }
        with self._lock:
            record['id'] = next(self._ids)
            user['events'].append(record)

        try:
            response = self._session.post(self.webhook_url, data=body,
                headers={
                    'Content-Type': 'application/json; charset=utf-8',
                    'X-Line-Signature': webhooks.sign(
                        body, self.channel_secret),
                    'User-Agent': USER_AGENT,
                }, timeout=self.timeout)
        except requests.RequestException as exc:
            error = _short_error(exc, self.timeout)
            with self._lock:
                record['error'] = error[:300]
            self._log(f'SIMULATOR {kind} {user_id} -> webhook error {error}')
            return dict(record, event=event), 502
        with self._lock:
            record['status'] = response.status_code
        self._log(f'SIMULATOR {kind} {user_id} -> webhook '
            f'{response.status_code}')
        return dict(record, event=event), 200

    def _count_follower(self, before, after):
        "Keep the stand-in's follower statistics in step (insight API)."
        if before == after:
            return
        standin = self.standin
        with standin._lock:
            stats = standin.follower_stats
            if after == 'friend':
                if before is None:
                    stats['followers'] = stats.get('followers', 0) + 1
                stats['targetedReaches'] = stats.get('targetedReaches', 0) + 1
            elif after == 'blocked' and before == 'friend':
                stats['targetedReaches'] = max(
                    0, stats.get('targetedReaches', 0) - 1)

    def _log(self, line):
        if self.standin is not None and self.standin.log:
            self.standin.log(line)

    # -- messages -------------------------------------------------------------

    def messages(self, user_id, since=0):
        "The page's view of *user_id*'s chat (see the module docstring)."
        standin = self.standin
        with standin._lock:
            delivered = list(standin.delivered)
            times = list(getattr(standin, 'delivery_times', []))
        reset = since > len(delivered)
        if reset or since < 0:
            since = 0
        if len(times) != len(delivered):
            times = [None] * len(delivered)
        messages = [
            {'index': index, 'time': times[index], 'message': d.message}
            for index, d in enumerate(delivered)
            if index >= since and d.user_id == user_id]
        with self._lock:
            user = self.users.get(user_id)
            events = [dict(e) for e in user['events']] if user else []
            state = user['state'] if user else None
        return {
            'userId': user_id, 'state': state, 'next': len(delivered),
            'reset': reset, 'messages': messages, 'events': events,
        }

    # -- HTTP -----------------------------------------------------------------

    def handle(self, method, path, query, headers, raw_body):
        "Answer a request under /simulator: (status, headers, body bytes)."
        try:
            return self._route(method.upper(), path, query, raw_body)
        except _BadRequest as exc:
            return _json(400, {'error': str(exc)})
        except webhooks.WebhookValidationError as exc:
            return _json(400, {'error': str(exc)})

    def _route(self, method, path, query, raw_body):
        if path in (PREFIX, PREFIX + '/index.html'):
            return 301, {'Location': PREFIX + '/'}, b''
        if path == PREFIX + '/':
            if method not in ('GET', 'HEAD'):
                return _json(405, {'error': 'Method Not Allowed'})
            with open(PAGE, 'rb') as fp:
                page = fp.read()
            return 200, {
                'Content-Type': 'text/html; charset=utf-8',
                'Cache-Control': 'no-store',
            }, page
        if path == PREFIX + '/api/config':
            return _json(200, {
                'webhook': self.webhook_url,
                'destination': self.destination,
                'accountName': self.account_name,
            })
        if path == PREFIX + '/api/messages':
            if method not in ('GET', 'HEAD'):
                return _json(405, {'error': 'Method Not Allowed'})
            user_id = query.get('userId', '')
            if not USER_ID.match(user_id):
                raise _BadRequest('userId must be U followed by 32 hex digits')
            try:
                since = int(query.get('since') or 0)
            except ValueError:
                raise _BadRequest('since must be an integer') from None
            return _json(200, self.messages(user_id, since))
        if path == PREFIX + '/api/event':
            if method != 'POST':
                return _json(405, {'error': 'Method Not Allowed'})
            try:
                data = json.loads(raw_body.decode('utf-8'))
            except (UnicodeDecodeError, ValueError):
                raise _BadRequest('the body must be JSON') from None
            if not isinstance(data, dict):
                raise _BadRequest('the body must be a JSON object')
            record, status = self.send(data.get('userId'), data.get('kind'),
                text=data.get('text'), data=data.get('data'),
                params=data.get('params'),
                display_text=data.get('displayText'),
                client_id=data.get('clientId'))
            if record is None:
                return _json(status, {'status': None,
                    'error': 'ブロック中はメッセージを送れません'})
            return _json(status, record)
        return _json(404, {'error': 'Not found'})


def _json(status, body):
    return status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
    }, json.dumps(body, ensure_ascii=False).encode('utf-8')


def _short_error(exc, timeout):
    "A one-line reason the webhook could not be reached."
    name = type(exc).__name__
    if isinstance(exc, requests.Timeout):
        return f'{name}: no answer within {timeout} s'
    reason = re.search(r'\[Errno -?\d+\] [^\'")]+', str(exc))
    return f'{name}: ' + (reason.group(0) if reason else str(exc))[:200]
