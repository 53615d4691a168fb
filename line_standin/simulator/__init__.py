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
    delivered), ``follow`` and ``unblock`` make them a friend again
    (``StandIn.follow``), as on LINE.
``GET /simulator/api/messages?userId=U...&since=N``
    ``{"next": M, "messages": [{"index", "time", "message"}],
    "events": [...], "state": "friend" | "blocked" | null, "reset":
    bool, "richMenu": {...} | null}``: messages delivered to the user at
    indexes >= N of the stand-in's ``delivered`` list, every event the user
    sent (each with ``mark``: the length of ``delivered`` when it was sent,
    to interleave them), and the rich menu as below.
``GET /simulator/api/richmenu?userId=U...``
    The rich menu LINE shows that user: the one linked to them, else the
    default one, else ``null``: ``{"richMenuId", "name", "size",
    "chatBarText", "selected", "areas", "linked", "switched", "image":
    "/simulator/api/richmenu/<id>/image"}``.
``GET /simulator/api/richmenu/<richMenuId>/image``
    The uploaded image, with its content type (404 without one).
``POST /simulator/api/richmenu-switch``
    ``{"userId", "richMenuAliasId", "data"}``: a ``richmenuswitch`` area
    (see :meth:`Simulator.switch_rich_menu`) -> the postback event's record
    as for ``/api/event``, with ``richMenu``.
``POST /simulator/api/follow-link``
    ``{"userId": "U...", "url": "http://...", "addFriend": true}``: opens
    our app's tracked add-friend link as that user (see
    :meth:`Simulator.follow_link`) -> ``{"hops": [{"url", "status",
    "location"}], "final", "friendshipStatusChanged", "error"}``.
``GET /simulator/api/config``
    ``{"webhook": url, "destination": bot user ID, "accountName": ...,
    "appUrl": our app's address (scheme, host and port of the webhook)}``.
``POST /simulator/api/config``
    ``{"accountName": "..."}``: the name the chat header shows, as LINE
    shows the official account's name (``tools/line_sync.py`` sets it to
    the programme's name) -> the config as for ``GET``.
"""
import html
import itertools
import json
import os
import re
import threading
import time
import urllib.parse

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
# A sanity bound on the header's name (LINE's own is 20 characters)
MAX_ACCOUNT_NAME = 100
WEBHOOK_TIMEOUT = 10
USER_AGENT = 'LineBotWebhook/2.0'
BROWSER_AGENT = 'Mozilla/5.0 (line_standin simulator) Line/14.0.0'
HTTP_URL = re.compile(r'^https?://[^\s/?#]+[^\s]*$')
RICH_MENU_IMAGE = re.compile(
    '^' + re.escape(PREFIX) + r'/api/richmenu/([^/]+)/image$')
REDIRECTS = {301, 302, 303, 307, 308}
# requests made by one tracked link: the app's link, LINE Login's
# authorization, the app's callback, and a little room
MAX_HOPS = 5


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
        self._login_lock = threading.Lock()
        self._session = requests.Session()
        self.reset()

    @property
    def app_url(self):
        """Our app's address, from the webhook it is reached at: where its
        tracked add-friend links are (e.g. ``http://127.0.0.1:8000``)"""
        url = urllib.parse.urlsplit(self.webhook_url or '')
        if not url.scheme or not url.netloc:
            return ''
        return f'{url.scheme}://{url.netloc}'

    def attach(self, standin):
        "Called by ``StandIn(simulator=...)``."
        self.standin = standin
        standin.simulator = self

    def reset(self):
        "Forget the users' states and sent events."
        with self._lock:
            self.users = {}
            self._ids = itertools.count(1)
            # each user's browser (cookies) for tracked links
            self._browsers = {}
            # user -> {base, richMenuId}: switched by a richmenuswitch area
            self._switched = {}

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
            display_text=None, client_id=None, via=None):
        """Build, sign and POST one webhook event of *kind* for *user_id*.

        Returns ``(record, http_status)``; *record* is what the page draws
        (``kind``, ``text``, ``data``, ``params``, ``displayText``,
        ``status``, ``error``, ``event``, ``via``); *client_id* is the
        page's own key for the event (to replace its "sending" bubble);
        *via* says where the event came from besides the page
        (``'login'``: the add friend option of LINE Login)."""
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
            standin.follow(user_id)
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
            'clientId': client_id, 'via': via,
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
            'richMenu': self.rich_menu(user_id),
        }

    # -- rich menu ------------------------------------------------------------

    def rich_menu(self, user_id):
        """The rich menu LINE shows *user_id*: the one linked to the user,
        otherwise the default one, otherwise None; or the one the user
        switched to with a ``richmenuswitch`` area, until the app links or
        sets another.  A dict with ``richMenuId``, ``name``, ``size``,
        ``chatBarText``, ``selected``, ``areas`` (as created), ``linked``
        (linked to the user rather than the default), ``switched`` and
        ``image`` (the URL of its image here)."""
        standin = self.standin
        with standin._lock:
            linked = standin.user_rich_menus.get(user_id)
            base = linked or standin.default_rich_menu
            rich_menu_id = base
            with self._lock:
                switched = self._switched.get(user_id)
                if switched and switched['base'] != base:
                    # the app changed the user's menu: the switch is over
                    del self._switched[user_id]
                    switched = None
            if switched and switched['richMenuId'] in standin.rich_menus:
                rich_menu_id = switched['richMenuId']
            menu = standin.rich_menus.get(rich_menu_id)
            if menu is None or menu['image'] is None:
                return None
            created = dict(menu['menu'])
        return {
            'richMenuId': rich_menu_id,
            'name': created.get('name'),
            'size': created.get('size'),
            'chatBarText': created.get('chatBarText'),
            'selected': bool(created.get('selected')),
            'areas': created.get('areas') or [],
            'linked': linked is not None,
            'switched': rich_menu_id != base,
            'image': f'{PREFIX}/api/richmenu/{rich_menu_id}/image',
        }

    def switch_rich_menu(self, user_id, alias_id, data, client_id=None):
        """*user_id* taps a ``richmenuswitch`` area: the menu of the alias
        *alias_id* is shown to them (not linked: LINE switches on the
        phone) and a postback event is sent with *data* and ``params``
        ``{"newRichMenuAliasId", "status"}`` (``SUCCESS``,
        ``RICHMENU_ALIAS_ID_NOTFOUND`` or ``RICHMENU_NOTFOUND``).
        Returns ``(record, http_status)`` as :meth:`send`."""
        standin = self.standin
        if not (isinstance(user_id, str) and USER_ID.match(user_id)):
            raise _BadRequest('userId must be U followed by 32 hex digits')
        if not isinstance(alias_id, str) or not alias_id:
            raise _BadRequest('richMenuAliasId must be a string')
        if self.state(user_id) == 'blocked':
            return None, 409
        with standin._lock:
            target = standin.rich_menu_aliases.get(alias_id)
            if target is None:
                status = 'RICHMENU_ALIAS_ID_NOTFOUND'
            elif (target not in standin.rich_menus
                    or standin.rich_menus[target]['image'] is None):
                status = 'RICHMENU_NOTFOUND'
            else:
                status = 'SUCCESS'
                base = (standin.user_rich_menus.get(user_id)
                    or standin.default_rich_menu)
                with self._lock:
                    self._switched[user_id] = {
                        'base': base, 'richMenuId': target}
        return self.send(user_id, 'postback', data=data, params={
            'newRichMenuAliasId': alias_id, 'status': status},
            client_id=client_id)

    def rich_menu_image(self, rich_menu_id):
        "``(bytes, content type)`` of an uploaded rich menu image, or None."
        standin = self.standin
        with standin._lock:
            menu = standin.rich_menus.get(rich_menu_id)
            if menu is None or menu['image'] is None:
                return None
            return menu['image'], menu['content_type']

    # -- tracked add-friend links (LINE Login) --------------------------------

    def follow_link(self, user_id, url, add_friend=True):
        """Open *url* (our app's tracked add-friend link) in *user_id*'s
        browser: the stand-in logs LINE Login in as *user_id*
        (``StandIn.login_as``), then each redirect is followed here, one
        hop at a time (at most :data:`MAX_HOPS` requests), through the
        app's link, LINE Login's authorization (which adds the friend and
        sends the follow webhook) and the app's callback, up to a link to
        LINE itself (``https://line.me/...``), which is not opened.

        Returns ``{"userId", "hops": [{"url", "status", "location"}],
        "final": url or None, "friendshipStatusChanged": bool or None,
        "error": None or text}``."""
        standin = self.standin
        if not (isinstance(user_id, str) and USER_ID.match(user_id)):
            raise _BadRequest('userId must be U followed by 32 hex digits')
        if not (isinstance(url, str) and HTTP_URL.match(url.strip())):
            raise _BadRequest('url must be an http(s) URL')
        url = url.strip()
        result = {'userId': user_id, 'hops': [], 'final': None,
            'friendshipStatusChanged': None, 'error': None}
        # one login at a time: login_as() is for the next authorization
        with self._login_lock:
            with self._lock:
                browser = self._browsers.setdefault(
                    user_id, requests.Session())
            standin.login_as(user_id, add_friend=add_friend)
            try:
                self._follow(browser, url, result)
            finally:
                standin.login_as(None)
        hops = ' -> '.join(f'{h["status"]}' for h in result['hops'])
        self._log(f'SIMULATOR link {user_id} {url} -> {hops or "-"}'
            + (f' -> {result["final"]}' if result['final'] else '')
            + (f' ({result["error"]})' if result['error'] else ''))
        return result

    def _follow(self, browser, url, result):
        for _ in range(MAX_HOPS):
            if _is_line_app_url(url):
                result['final'] = url
                return
            if urllib.parse.urlsplit(url).hostname == 'access.line.me':
                result['error'] = ('the link goes to the real LINE Login '
                    '(access.line.me): point the app at the stand-in, '
                    f'{self.standin.url}/oauth2/v2.1/authorize')
                return
            query = dict(urllib.parse.parse_qsl(
                urllib.parse.urlsplit(url).query))
            if query.get('friendship_status_changed') in ('true', 'false'):
                result['friendshipStatusChanged'] = (
                    query['friendship_status_changed'] == 'true')
            try:
                # the authorization may wait for the follow webhook
                response = browser.get(url, allow_redirects=False,
                    timeout=2 * self.timeout,
                    headers={'User-Agent': BROWSER_AGENT})
            except requests.RequestException as exc:
                result['error'] = _short_error(exc, 2 * self.timeout)
                return
            location = response.headers.get('Location')
            hop = {'url': url, 'status': response.status_code,
                'location': location}
            result['hops'].append(hop)
            if response.status_code not in REDIRECTS or not location:
                if response.status_code >= 400:
                    result['error'] = (
                        f'{response.status_code}: {_page_text(response)}')
                return
            url = urllib.parse.urljoin(url, location)
        if _is_line_app_url(url):
            result['final'] = url
        else:
            result['error'] = f'more than {MAX_HOPS} redirects'

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
            if method == 'POST':
                name = _json_body(raw_body).get('accountName')
                if (not isinstance(name, str) or not name.strip()
                        or len(name) > MAX_ACCOUNT_NAME):
                    raise _BadRequest('accountName must be a name of at '
                        f'most {MAX_ACCOUNT_NAME} characters')
                self.account_name = name.strip()
            elif method not in ('GET', 'HEAD'):
                return _json(405, {'error': 'Method Not Allowed'})
            return _json(200, {
                'webhook': self.webhook_url,
                'destination': self.destination,
                'accountName': self.account_name,
                'appUrl': self.app_url,
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
        if path == PREFIX + '/api/richmenu':
            if method not in ('GET', 'HEAD'):
                return _json(405, {'error': 'Method Not Allowed'})
            user_id = query.get('userId', '')
            if not USER_ID.match(user_id):
                raise _BadRequest('userId must be U followed by 32 hex digits')
            return _json(200, self.rich_menu(user_id))
        match = RICH_MENU_IMAGE.match(path)
        if match:
            if method not in ('GET', 'HEAD'):
                return _json(405, {'error': 'Method Not Allowed'})
            image = self.rich_menu_image(match.group(1))
            if image is None:
                return _json(404, {'error': 'Not found'})
            data, content_type = image
            # an uploaded image never changes (LINE refuses a second one)
            return 200, {
                'Content-Type': content_type or 'application/octet-stream',
                'Cache-Control': 'private, max-age=3600',
            }, data
        if path == PREFIX + '/api/richmenu-switch':
            if method != 'POST':
                return _json(405, {'error': 'Method Not Allowed'})
            data = _json_body(raw_body)
            record, status = self.switch_rich_menu(data.get('userId'),
                data.get('richMenuAliasId'), data.get('data'),
                client_id=data.get('clientId'))
            if record is None:
                return _json(status, {'status': None,
                    'error': 'ブロック中はメッセージを送れません'})
            return _json(status, dict(record,
                richMenu=self.rich_menu(data['userId'])))
        if path == PREFIX + '/api/follow-link':
            if method != 'POST':
                return _json(405, {'error': 'Method Not Allowed'})
            data = _json_body(raw_body)
            add_friend = data.get('addFriend', True)
            if not isinstance(add_friend, bool):
                raise _BadRequest('addFriend must be true or false')
            return _json(200, self.follow_link(
                data.get('userId'), data.get('url'), add_friend=add_friend))
        if path == PREFIX + '/api/event':
            if method != 'POST':
                return _json(405, {'error': 'Method Not Allowed'})
            data = _json_body(raw_body)
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


def _json_body(raw_body):
    try:
        data = json.loads(raw_body.decode('utf-8'))
    except (UnicodeDecodeError, ValueError):
        raise _BadRequest('the body must be JSON') from None
    if not isinstance(data, dict):
        raise _BadRequest('the body must be a JSON object')
    return data


def _is_line_app_url(url):
    """A link into LINE itself (``https://line.me/R/ti/p/@...``,
    ``lin.ee``, ``line://``): where a tracked link ends; not opened."""
    split = urllib.parse.urlsplit(url)
    if split.scheme not in ('http', 'https'):
        return True
    host = (split.hostname or '').lower()
    return host in ('line.me', 'lin.ee') or (
        host.endswith('.line.me') and host != 'access.line.me')


def _page_text(response):
    "The first words of an error page (HTML tags removed)."
    text = re.sub(r'<(script|style)\b.*?</\1>|<[^>]+>', ' ',
        response.text[:4000], flags=re.S | re.I)
    return re.sub(r'\s+', ' ', html.unescape(text)).strip()[:300]


def _short_error(exc, timeout):
    "A one-line reason the webhook could not be reached."
    name = type(exc).__name__
    if isinstance(exc, requests.Timeout):
        return f'{name}: no answer within {timeout} s'
    reason = re.search(r'\[Errno -?\d+\] [^\'")]+', str(exc))
    return f'{name}: ' + (reason.group(0) if reason else str(exc))[:200]
