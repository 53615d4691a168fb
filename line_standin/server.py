"""A local stand-in for the LINE Messaging API (api.line.me and
api-data.line.me on one port), validating every request against LINE's
own OpenAPI documents.

    with StandIn() as line:
        configuration = Configuration(host=line.url, access_token='t')
        ...
        assert line.delivered == [(user_id, {'type': 'text', 'text': 'hi'})]
        assert not line.invalid
"""
import collections
import dataclasses
import http.server
import itertools
import json
import re
import secrets
import socket
import threading
import time
import traceback
import urllib.parse
import uuid

from . import login as logins
from . import spec as specs

__all__ = ['StandIn', 'RecordedRequest', 'Delivery', 'FakeClock']

AUTH_REQUIRED = (
    "Authorization header required. "
    "Must follow the scheme, 'Authorization: Bearer <ACCESS TOKEN>'")
AUTH_FAILED = (
    'Authentication failed. Confirm that the access token in the '
    'authorization header is valid.')
RATE_LIMITED = 'The API rate limit has been exceeded. Try again later.'
RETRY_KEY_ACCEPTED = 'The retry key is already accepted'

RETRY_KEY_OPERATIONS = {'pushMessage', 'multicast', 'broadcast', 'narrowcast'}
PROFILE_OPERATIONS = {
    'getProfile', 'getGroupMemberProfile', 'getRoomMemberProfile'}
# message types LINE gives a quoteToken for (quotable messages)
QUOTABLE = {'text', 'textV2', 'sticker', 'image', 'video', 'audio',
    'location'}
USER_ID = re.compile(r'^U[0-9a-f]{32}$')
CHAT_ID = re.compile(r'^[UCR][0-9a-f]{32}$')
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'
JPEG_MAGIC = b'\xff\xd8\xff'
MAX_RICH_MENU_IMAGE = 1024 * 1024
MAX_TEXT = 5000
HTML = {'Content-Type': 'text/html; charset=utf-8'}
# OAuth answers must not be cached (RFC 6749, 5.1)
NO_STORE = {'Cache-Control': 'no-store', 'Pragma': 'no-cache'}


class Delivery(collections.namedtuple('Delivery', 'user_id message')):
    "One message received by one user: ``(user_id, message dict)``."


@dataclasses.dataclass
class RecordedRequest:
    """A request as the stand-in received it, and what it answered.

    Also readable like a dict: ``record['path']``."""
    method: str
    path: str
    query: dict
    headers: dict
    body: object
    time: float
    request_id: str
    operation_id: str = None
    valid: bool = True
    errors: list = dataclasses.field(default_factory=list)
    status: int = None
    response: object = None
    fault: str = None            # 'fail', 'rate-limit' or None
    implemented: bool = True     # False: answered by the generic default

    def __getitem__(self, key):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key, default=None):
        return getattr(self, key, default)

    def as_dict(self):
        return dataclasses.asdict(self)


class FakeClock:
    "A clock for ``StandIn(clock=...)`` that only moves when told to."

    def __init__(self, start=None):
        self.now = time.time() if start is None else start
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            return self.now

    def advance(self, seconds):
        with self._lock:
            self.now += seconds
            return self.now


class _Answer(Exception):
    "Raised inside a handler to answer at once."

    def __init__(self, status, body=None, headers=None):
        super().__init__(status)
        self.status = status
        self.body = {} if body is None else body
        self.headers = headers or {}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, standin):
        self.standin = standin
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # headers and body are written separately: without TCP_NODELAY a
    # keep-alive client waits for the delayed ACK (40 ms) on each answer
    disable_nagle_algorithm = True

    def version_string(self):
        return 'line-standin'

    def _body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip(), 16)
                if not size:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b''.join(chunks)
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _serve(self):
        try:
            body = self._body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        status, headers, data = self.server.standin._handle(
            self.command, self.path, self.headers.items(), body)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(data)
        except OSError:
            # the client gave up (e.g. its timeout during delay_next)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve
    do_OPTIONS = _serve

    def log_message(self, format, *args):
        pass


class StandIn:
    """The LINE Messaging API on ``http://127.0.0.1:<port>``.

    :param port: 0 (default) picks a free port.
    :param rate_limits: ``{path_prefix: requests_per_second}``; requests
        over the limit get 429.
    :param clock: a callable returning seconds (``time.time`` by default;
        see :class:`FakeClock`); used for reply-token and retry-key expiry,
        rate-limit windows and record times.
    :param access_tokens: if given, only these channel access tokens are
        accepted (others get 401); by default any ``Bearer <token>`` is.
    :param validate_responses: check every answer against the spec too;
        problems are listed in ``response_errors`` (tests assert it empty).
    :param log: a callable taking one line of text per request.
    :param simulator: a :class:`line_standin.simulator.Simulator` to serve
        the chat simulator for people under ``/simulator/`` (those paths are
        neither validated nor recorded).
    :param login_channels: ``{channel_id: channel_secret}`` of the LINE
        Login channels whose ``client_id`` / ``client_secret`` are accepted
        by the LINE Login endpoints; by default any pair is (the ID tokens
        are then signed with the secret given when the code is exchanged).
    """

    reply_token_ttl = 60
    retry_key_ttl = 24 * 60 * 60

    def __init__(self, host='127.0.0.1', port=0, *, rate_limits=None,
            clock=None, access_tokens=None, validate_responses=True,
            quota=1000, log=None, simulator=None, login_channels=None):
        self.host = host
        self.port = port
        self.rate_limits = dict(rate_limits or {})
        self.clock = clock or time.time
        self.access_tokens = (
            set(access_tokens) if access_tokens is not None else None)
        self.login_channels = (
            dict(login_channels) if login_channels is not None else None)
        self.validate_responses = validate_responses
        self.quota = quota
        self.log = log
        self.simulator = None
        self._lock = threading.RLock()
        self._server = None
        self._thread = None
        self._stopping = threading.Event()
        self._message_ids = itertools.count(
            600000000000000000 + secrets.randbelow(10 ** 16))
        # load (and check) the documents before the first request
        specs.messaging()
        specs.insight()
        self.reset()
        if simulator is not None:
            simulator.attach(self)

    # -- life cycle ---------------------------------------------------------

    def start(self):
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.1},
            name=f'line-standin:{self.port}', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f'http://{self.host}:{self.port}'

    def reset(self):
        """Forget every record and all state: requests, invalid, delivered,
        broadcasts, blocked users and friends, reply tokens, retry keys,
        pending faults, rate-limit windows, quota usage, rich menus and
        LINE Login state (the user set by ``login_as``, codes, logins)."""
        with self._lock:
            self.requests = []
            self.invalid = []
            self.delivered = []
            # wall-clock time of each delivery, for the simulator's page
            self.delivery_times = []
            self.broadcasts = []
            self.response_errors = []
            self.blocked = set()
            # users who added the account (follow); a friend is one of
            # them who is not blocked
            self.friends = set()
            self.rich_menus = {}
            self.rich_menu_aliases = {}   # alias ID -> rich menu ID
            self.default_rich_menu = None
            self.user_rich_menus = {}
            self.follower_stats = {'followers': 0, 'targetedReaches': 0}
            self._reply_tokens = {}
            self._retry_keys = {}
            self._faults = []
            self._delays = []
            self._windows = collections.defaultdict(collections.deque)
            self._usage = 0
            # LINE Login: who the next authorize call logs in as, issued
            # codes, the secrets ID tokens were signed with (any channel
            # accepted) and each completed login
            self.logins = []
            self._login_next = None
            self._login_codes = {}
            self._login_secrets = {}
        simulator = getattr(self, 'simulator', None)
        if simulator is not None:
            simulator.reset()

    # -- test controls ------------------------------------------------------

    def block(self, user_id):
        """*user_id* blocks the account: pushes still answer 200 but
        nothing is delivered."""
        with self._lock:
            self.blocked.add(user_id)

    def unblock(self, user_id):
        with self._lock:
            self.blocked.discard(user_id)

    def follow(self, user_id):
        """*user_id* adds the account as a friend (or unblocks it): no
        webhook is sent (the simulator sends one, see ``Simulator.send``)."""
        with self._lock:
            self.friends.add(user_id)
            self.blocked.discard(user_id)

    def is_friend(self, user_id):
        "True if *user_id* added the account and does not block it."
        with self._lock:
            return user_id in self.friends and user_id not in self.blocked

    def login_as(self, user_id, add_friend=True, *, deny=False):
        """The next LINE Login authorization (``GET
        /oauth2/v2.1/authorize``) logs in as *user_id* (the user's ID for
        the Messaging API channel: LINE gives the same ID to channels of
        one provider).  Used by that one call; ``None`` forgets it.

        With ``bot_prompt`` in the request, *add_friend* is the "add
        friend" choice on the consent screen: a user who is not a friend
        (never followed, or blocked) becomes one, the callback gets
        ``friendship_status_changed=true`` and, with a simulator attached,
        the follow webhook is sent before the redirect.  *deny*: the user
        cancels the consent screen (``error=access_denied``)."""
        if user_id is not None and not (
                isinstance(user_id, str) and logins.USER_ID.match(user_id)):
            raise ValueError('user_id must be U followed by 32 hex digits')
        with self._lock:
            self._login_next = None if user_id is None else {
                'user_id': user_id, 'add_friend': bool(add_friend),
                'deny': bool(deny)}

    def issue_reply_token(self, user_id):
        "A reply token for *user_id*, as a webhook event would carry it."
        token = secrets.token_hex(16)
        with self._lock:
            self._reply_tokens[token] = {
                'user_id': user_id, 'issued': self.clock(), 'used': False}
        return token

    def fail_next(self, status=500, count=1, path_prefix=None,
            retry_after=None):
        """Answer the next *count* valid requests (whose path starts with
        *path_prefix*, if given) with *status*; nothing is delivered and no
        retry key is used up."""
        with self._lock:
            self._faults.append({
                'status': status, 'count': count, 'prefix': path_prefix,
                'retry_after': retry_after})

    def delay_next(self, seconds, count=1, path_prefix=None):
        """Wait *seconds* before handling the next *count* valid requests
        (whose path starts with *path_prefix*, if given).  The request is
        then handled normally, as LINE would even when the client has
        given up; its retry key is taken before the wait."""
        with self._lock:
            self._delays.append({
                'seconds': seconds, 'count': count, 'prefix': path_prefix})

    # -- queries --------------------------------------------------------------

    def calls(self, operation_id):
        "Recorded requests for one operation (e.g. ``'pushMessage'``)."
        with self._lock:
            return [r for r in self.requests if r.operation_id == operation_id]

    def profile_requests(self):
        "Recorded profile look-ups (user, group member, room member)."
        with self._lock:
            return [r for r in self.requests
                if r.operation_id in PROFILE_OPERATIONS]

    def unimplemented_requests(self):
        "Valid requests that were answered by the generic default."
        with self._lock:
            return [r for r in self.requests
                if r.valid and not r.implemented and r.fault is None]

    def messages_for(self, user_id):
        with self._lock:
            return [d.message for d in self.delivered if d.user_id == user_id]

    @property
    def quota_usage(self):
        with self._lock:
            return self._usage

    # -- request handling -----------------------------------------------------

    def _handle(self, method, raw_path, header_items, raw_body):
        "Answer one HTTP request: (status, headers, body bytes)."
        request_id = str(uuid.uuid4())
        headers = {}
        for name, value in header_items:
            name = name.lower()
            headers[name] = (
                headers[name] + ', ' + value if name in headers else value)
        split = urllib.parse.urlsplit(raw_path)
        path = urllib.parse.unquote(split.path)
        query_items = urllib.parse.parse_qsl(
            split.query, keep_blank_values=True)
        if self.simulator is not None and _is_simulator_path(path):
            # not LINE's API: neither validated nor recorded
            return self.simulator.handle(
                method, path, dict(query_items), headers, raw_body)
        content_type = headers.get('content-type', '')
        record = RecordedRequest(
            method=method.upper(), path=path, query=dict(query_items),
            headers=headers, body=_parse_body(raw_body, content_type),
            time=self.clock(), request_id=request_id)
        with self._lock:
            self.requests.append(record)

        operation = handler = None
        extra = {}
        status = body = None
        try:
            if path in logins.OPERATIONS:
                # LINE Login: not in the OpenAPI documents, explicit rules
                handler = self._login_validate(
                    record, raw_body, content_type)
            else:
                operation = self._validate(
                    record, query_items, raw_body, content_type)
            delay = self._take(self._delays, path)
            delay = delay['seconds'] if delay else None
            try:
                self._apply_fault(record)
                self._apply_rate_limit(record)
            except _Answer:
                if delay:
                    self._stopping.wait(delay)
                raise
            if handler is not None:
                if delay:
                    self._stopping.wait(delay)
                status, body, extra = handler(record)
            else:
                status, body = self._dispatch(operation, record, delay)
        except _Answer as answer:
            status, body, extra = answer.status, answer.body, answer.headers
        except Exception as exc:
            # a bug of the stand-in: answer 500 and make tests notice
            status, body = 500, {'message': f'line-standin error: {exc!r}'}
            with self._lock:
                self.response_errors.append((record, [{
                    'message': traceback.format_exc()}]))

        response_headers = {'x-line-request-id': request_id}
        response_headers.update(extra)
        if isinstance(body, (bytes, bytearray)):
            data = bytes(body)
            response_headers.setdefault(
                'Content-Type', 'application/octet-stream')
        elif body is None:
            data = b''
        else:
            data = json.dumps(body, ensure_ascii=False).encode('utf-8')
            response_headers['Content-Type'] = 'application/json'
        record.status = status
        record.response = body
        if self.validate_responses and operation is not None:
            self._check_response(operation, record, status, data,
                response_headers)
        if self.log:
            state = ('invalid' if not record.valid
                else record.fault or 'valid')
            line = (f'{record.method} {path} -> {status} {state}'
                f' [{record.operation_id or "-"}]')
            if not record.valid:
                line += ' ' + json.dumps(
                    record.errors, ensure_ascii=False)[:500]
            self.log(line)
        return status, response_headers, data

    def _invalid(self, record, status, message, details=None):
        record.valid = False
        record.errors = list(details or [{'message': message}])
        with self._lock:
            self.invalid.append(record)
        body = {'message': message}
        if details:
            body['details'] = details
        raise _Answer(status, body)

    def _validate(self, record, query_items, raw_body, content_type):
        spec = specs.spec_for_path(record.path)
        try:
            operation = spec.find(record.method, record.path)
        except specs.OperationNotFound:
            self._invalid(record, 405, 'Method Not Allowed')
        except specs.PathError:
            self._invalid(record, 404, 'Not found')
        record.operation_id = operation.operation_id
        authorization = record.headers.get('authorization', '')
        match = re.fullmatch(r'Bearer ([^\s]+)', authorization)
        if not match:
            self._invalid(record, 401, AUTH_REQUIRED)
        if (self.access_tokens is not None
                and match.group(1) not in self.access_tokens):
            self._invalid(record, 401, AUTH_FAILED)
        request = specs.Request(
            operation.host, record.method, record.path, query=query_items,
            headers=record.headers, body=raw_body or None,
            content_type=content_type)
        errors = spec.request_errors(request)
        if errors:
            kind, details = specs.error_details(errors)
            if kind == 'auth':
                self._invalid(record, 401, AUTH_REQUIRED)
            where = ('body' if any(
                    _is_body_error(e) for e in errors) else 'parameter')
            self._invalid(
                record, 400,
                f'The request {where} has {len(details)} error(s)', details)
        details = _line_rules(operation.operation_id, record)
        if details:
            self._invalid(
                record, 400,
                f'The request body has {len(details)} error(s)', details)
        return operation

    def _take(self, queue, path):
        with self._lock:
            for item in queue:
                if item['prefix'] is None or path.startswith(item['prefix']):
                    item['count'] -= 1
                    if item['count'] <= 0:
                        queue.remove(item)
                    return item
        return None

    def _apply_fault(self, record):
        fault = self._take(self._faults, record.path)
        if not fault:
            return
        record.fault = 'fail'
        status = fault['status']
        headers = {}
        if fault['retry_after'] is not None:
            headers['Retry-After'] = str(fault['retry_after'])
        if status == 429:
            message = 'Too Many Requests'
        elif status >= 500:
            message = 'Internal Server Error'
        else:
            message = http.HTTPStatus(status).phrase
        raise _Answer(status, {'message': message}, headers)

    def _apply_rate_limit(self, record):
        now = self.clock()
        with self._lock:
            for prefix, limit in self.rate_limits.items():
                if not record.path.startswith(prefix):
                    continue
                window = self._windows[prefix]
                while window and window[0] <= now - 1:
                    window.popleft()
                if len(window) >= limit:
                    record.fault = 'rate-limit'
                    raise _Answer(429, {'message': RATE_LIMITED})
            for prefix in self.rate_limits:
                if record.path.startswith(prefix):
                    self._windows[prefix].append(now)

    def _dispatch(self, operation, record, delay):
        key = record.headers.get('x-line-retry-key')
        use_key = key and operation.operation_id in RETRY_KEY_OPERATIONS
        if use_key:
            key = key.lower()
            now = self.clock()
            with self._lock:
                accepted = self._retry_keys.get(key)
                if accepted and now - accepted['time'] < self.retry_key_ttl:
                    body = {'message': RETRY_KEY_ACCEPTED}
                    if accepted.get('sentMessages'):
                        body['sentMessages'] = accepted['sentMessages']
                    raise _Answer(409, body, {
                        'x-line-accepted-request-id': accepted['request_id']})
                self._retry_keys[key] = {
                    'time': now, 'request_id': record.request_id}
        if delay:
            self._stopping.wait(delay)
        handler = getattr(
            self, '_op_' + (operation.operation_id or ''), None)
        try:
            if handler is None:
                record.implemented = False
                status, body = self._default(operation)
            else:
                status, body = handler(record, operation)
        except _Answer:
            if use_key:
                with self._lock:
                    self._retry_keys.pop(key, None)
            raise
        if use_key:
            with self._lock:
                entry = self._retry_keys.get(key)
                if entry is not None and isinstance(body, dict):
                    entry['sentMessages'] = body.get('sentMessages')
        return status, body

    def _check_response(self, operation, record, status, data, headers):
        responses = operation.spec.get('responses', {})
        if str(status) not in responses and 'default' not in responses:
            return
        spec = specs.spec_for_path(record.path)
        request = specs.Request(
            operation.host, record.method, record.path,
            query=record.query, headers=record.headers,
            body=None, content_type='')
        content_type = headers.get('Content-Type', '')
        response = specs.Response(status, data, content_type, headers)
        errors = spec.response_errors(request, response)
        if errors:
            details = specs.error_details(errors)[1]
            with self._lock:
                self.response_errors.append((record, details))
            if self.log:
                self.log(f'  response {status} does not match the spec: '
                    + json.dumps(details, ensure_ascii=False)[:500])

    # -- deliveries -----------------------------------------------------------

    def _deliver(self, user_id, messages):
        "Deliver *messages* to *user_id* unless blocked; count delivered."
        with self._lock:
            if user_id in self.blocked:
                return 0
            for message in messages:
                self.delivered.append(Delivery(user_id, message))
                self.delivery_times.append(time.time())
            return len(messages)

    def _sent_messages(self, messages):
        sent = []
        for message in messages:
            item = {'id': str(next(self._message_ids))}
            if message.get('type') in QUOTABLE:
                item['quoteToken'] = secrets.token_urlsafe(60)
            sent.append(item)
        return sent

    # -- operations -----------------------------------------------------------

    def _op_pushMessage(self, record, operation):
        body = record.body
        count = self._deliver(body['to'], body['messages'])
        with self._lock:
            self._usage += count
        return 200, {'sentMessages': self._sent_messages(body['messages'])}

    def _op_multicast(self, record, operation):
        body = record.body
        count = 0
        for user_id in body['to']:
            count += self._deliver(user_id, body['messages'])
        with self._lock:
            self._usage += count
        return 200, {}

    def _op_replyMessage(self, record, operation):
        body = record.body
        now = self.clock()
        with self._lock:
            token = self._reply_tokens.get(body['replyToken'])
            if (token is None or token['used']
                    or now - token['issued'] > self.reply_token_ttl):
                raise _Answer(400, {'message': 'Invalid reply token'})
            token['used'] = True
        self._deliver(token['user_id'], body['messages'])
        return 200, {'sentMessages': self._sent_messages(body['messages'])}

    def _op_broadcast(self, record, operation):
        with self._lock:
            self.broadcasts.append(('broadcast', record.body))
        return 200, {}

    def _op_narrowcast(self, record, operation):
        with self._lock:
            self.broadcasts.append(('narrowcast', record.body))
        return 202, {}

    def _op_getMessageQuota(self, record, operation):
        return 200, {'type': 'limited', 'value': self.quota}

    def _op_getMessageQuotaConsumption(self, record, operation):
        return 200, {'totalUsage': self.quota_usage}

    def _op_getProfile(self, record, operation):
        user_id = operation.variables['userId']
        return 200, {
            'displayName': 'LINE user ' + user_id[-4:],
            'userId': user_id,
            'pictureUrl': 'https://profile.line-scdn.net/stand-in',
            'statusMessage': '',
            'language': 'ja',
        }

    def _op_getNumberOfFollowers(self, record, operation):
        with self._lock:
            stats = dict(self.follower_stats)
            stats.setdefault('blocks', len(self.blocked))
        return 200, dict({'status': 'ready'}, **stats)

    # rich menus

    def _rich_menu(self, rich_menu_id, image=False):
        with self._lock:
            menu = self.rich_menus.get(rich_menu_id)
        if menu is None:
            raise _Answer(404, {'message': 'Not found'})
        if image and menu['image'] is None:
            raise _Answer(400, {'message':
                'must upload richmenu image before applying it to user'})
        return menu

    def _op_createRichMenu(self, record, operation):
        rich_menu_id = 'richmenu-' + secrets.token_hex(16)
        with self._lock:
            self.rich_menus[rich_menu_id] = {
                'menu': record.body, 'image': None, 'content_type': None}
        return 200, {'richMenuId': rich_menu_id}

    def _op_validateRichMenuObject(self, record, operation):
        return 200, {}

    def _op_setRichMenuImage(self, record, operation):
        menu = self._rich_menu(operation.variables['richMenuId'])
        with self._lock:
            if menu['image'] is not None:
                raise _Answer(400, {'message':
                    'An image has already been uploaded to the richmenu'})
            menu['image'] = record.body
            menu['content_type'] = record.headers['content-type']
        return 200, {}

    def _op_getRichMenuImage(self, record, operation):
        menu = self._rich_menu(operation.variables['richMenuId'])
        if menu['image'] is None:
            raise _Answer(404, {'message': 'Not found'})
        return 200, menu['image']

    def _menu_response(self, rich_menu_id, menu):
        return dict(menu['menu'], richMenuId=rich_menu_id)

    def _op_getRichMenu(self, record, operation):
        rich_menu_id = operation.variables['richMenuId']
        return 200, self._menu_response(
            rich_menu_id, self._rich_menu(rich_menu_id))

    def _op_getRichMenuList(self, record, operation):
        with self._lock:
            menus = [self._menu_response(i, m)
                for i, m in self.rich_menus.items()]
        return 200, {'richmenus': menus}

    def _op_deleteRichMenu(self, record, operation):
        rich_menu_id = operation.variables['richMenuId']
        self._rich_menu(rich_menu_id)
        with self._lock:
            del self.rich_menus[rich_menu_id]
            if self.default_rich_menu == rich_menu_id:
                self.default_rich_menu = None
            for user_id, linked in list(self.user_rich_menus.items()):
                if linked == rich_menu_id:
                    del self.user_rich_menus[user_id]
        return 200, {}

    def _op_setDefaultRichMenu(self, record, operation):
        rich_menu_id = operation.variables['richMenuId']
        self._rich_menu(rich_menu_id, image=True)
        with self._lock:
            self.default_rich_menu = rich_menu_id
        return 200, {}

    def _op_getDefaultRichMenuId(self, record, operation):
        with self._lock:
            rich_menu_id = self.default_rich_menu
        if rich_menu_id is None:
            raise _Answer(404, {'message': 'no default richmenu'})
        return 200, {'richMenuId': rich_menu_id}

    def _op_cancelDefaultRichMenu(self, record, operation):
        with self._lock:
            self.default_rich_menu = None
        return 200, {}

    def _op_linkRichMenuIdToUser(self, record, operation):
        rich_menu_id = operation.variables['richMenuId']
        self._rich_menu(rich_menu_id, image=True)
        with self._lock:
            self.user_rich_menus[operation.variables['userId']] = rich_menu_id
        return 200, {}

    def _op_linkRichMenuIdToUsers(self, record, operation):
        rich_menu_id = record.body['richMenuId']
        self._rich_menu(rich_menu_id, image=True)
        with self._lock:
            for user_id in record.body['userIds']:
                self.user_rich_menus[user_id] = rich_menu_id
        return 202, {}

    def _op_unlinkRichMenuIdFromUser(self, record, operation):
        with self._lock:
            self.user_rich_menus.pop(operation.variables['userId'], None)
        return 200, {}

    def _op_unlinkRichMenuIdFromUsers(self, record, operation):
        with self._lock:
            for user_id in record.body['userIds']:
                self.user_rich_menus.pop(user_id, None)
        return 202, {}

    # rich menu aliases (a richmenuswitch action switches by alias)

    def _op_createRichMenuAlias(self, record, operation):
        alias_id = record.body['richMenuAliasId']
        self._rich_menu(record.body['richMenuId'], image=True)
        with self._lock:
            if alias_id in self.rich_menu_aliases:
                raise _Answer(400, {'message': 'conflict richmenu alias id'})
            self.rich_menu_aliases[alias_id] = record.body['richMenuId']
        return 200, {}

    def _alias(self, alias_id, status=404):
        with self._lock:
            rich_menu_id = self.rich_menu_aliases.get(alias_id)
        if rich_menu_id is None:
            raise _Answer(status, {'message': 'richmenu alias not found'})
        return rich_menu_id

    def _op_getRichMenuAlias(self, record, operation):
        alias_id = operation.variables['richMenuAliasId']
        return 200, {'richMenuAliasId': alias_id,
            'richMenuId': self._alias(alias_id)}

    def _op_getRichMenuAliasList(self, record, operation):
        with self._lock:
            aliases = [{'richMenuAliasId': a, 'richMenuId': m}
                for a, m in self.rich_menu_aliases.items()]
        return 200, {'aliases': aliases}

    def _op_updateRichMenuAlias(self, record, operation):
        alias_id = operation.variables['richMenuAliasId']
        self._alias(alias_id, 400)
        self._rich_menu(record.body['richMenuId'], image=True)
        with self._lock:
            self.rich_menu_aliases[alias_id] = record.body['richMenuId']
        return 200, {}

    def _op_deleteRichMenuAlias(self, record, operation):
        alias_id = operation.variables['richMenuAliasId']
        self._alias(alias_id, 400)
        with self._lock:
            self.rich_menu_aliases.pop(alias_id, None)
        return 200, {}

    def _op_getRichMenuIdOfUser(self, record, operation):
        with self._lock:
            rich_menu_id = self.user_rich_menus.get(
                operation.variables['userId'])
        if rich_menu_id is None:
            raise _Answer(404, {'message': 'the user has no richmenu'})
        return 200, {'richMenuId': rich_menu_id}

    # LINE Login (not in the OpenAPI documents: explicit rules)

    def _login_invalid(self, record, status, body, message, headers=None):
        "Refuse a request our app should never send; list it in invalid."
        record.valid = False
        record.errors = [{'message': message}]
        with self._lock:
            self.invalid.append(record)
        raise _Answer(status, body, headers)

    def _login_validate(self, record, raw_body, content_type):
        """Check a LINE Login request; return the method that answers it.

        Malformed requests, unknown channels, wrong secrets and a
        ``redirect_uri`` other than the authorization's are listed in
        ``invalid``; a used or expired code and an ID token that does not
        verify are answered 400 but are valid requests (they happen)."""
        operation_id, methods = logins.OPERATIONS[record.path]
        record.operation_id = operation_id
        if record.method not in methods:
            self._login_invalid(record, 405, {'message': 'Method Not Allowed'},
                'Method Not Allowed')
        if record.path == logins.AUTHORIZE:
            self._login_check_authorize(record)
            return self._login_authorize
        form = logins.parse_form(raw_body, content_type)
        if form is None:
            self._login_invalid(record, 400, _oauth_error(
                'invalid_request', logins.MISSING),
                f'the body must be {logins.FORM}', NO_STORE)
        record.body = form
        if record.path == logins.TOKEN:
            self._login_check_token(record)
            return self._login_token
        if not form.get('id_token') or not form.get('client_id'):
            self._login_invalid(record, 400, _oauth_error(
                'invalid_request', logins.MISSING),
                'id_token and client_id are required', NO_STORE)
        return self._login_verify

    def _login_check_authorize(self, record):
        query = record.query
        client_id = query.get('client_id', '')
        redirect_uri = query.get('redirect_uri', '')
        if not client_id or (self.login_channels is not None
                and client_id not in self.login_channels):
            # LINE shows an error page: it cannot trust the redirect_uri
            self._login_invalid(record, 400, logins.error_page(
                    '400 Bad Request', 'Invalid client_id.'),
                'unknown client_id', HTML)
        if not logins.is_http_url(redirect_uri):
            self._login_invalid(record, 400, logins.error_page(
                    '400 Bad Request', 'Bad request with invalid '
                    'redirect_uri value. Check if it is registered in a '
                    'LINE developers site.'),
                'redirect_uri must be an absolute http(s) URL', HTML)
        state = query.get('state')

        def refuse(error, description):
            params = {'error': error, 'error_description': description}
            if state:
                params['state'] = state
            self._login_invalid(record, 302, b'', f'{error}: {description}',
                _redirect(logins.add_query(redirect_uri, params)))

        if query.get('response_type') != 'code':
            refuse('unsupported_response_type', 'response_type must be code')
        if not state:
            refuse('invalid_request', 'state is required')
        scopes = query.get('scope', '').split()
        if not scopes or not set(scopes) <= logins.SCOPES:
            refuse('invalid_scope', 'scope must be some of '
                + ' '.join(sorted(logins.SCOPES)))
        if ('bot_prompt' in query
                and query['bot_prompt'] not in logins.BOT_PROMPTS):
            refuse('invalid_request',
                'bot_prompt must be normal or aggressive')
        challenge = query.get('code_challenge')
        method = query.get('code_challenge_method')
        if (challenge or method) and not (challenge and method == 'S256'):
            refuse('invalid_request',
                'code_challenge needs code_challenge_method=S256')

    def _login_check_token(self, record):
        form = record.body
        grant_type = form.get('grant_type')
        if grant_type and grant_type != 'authorization_code':
            self._login_invalid(record, 400, _oauth_error(
                    'unsupported_grant_type', 'unsupported grant_type'),
                'grant_type must be authorization_code', NO_STORE)
        missing = [name for name in (
                'grant_type', 'code', 'redirect_uri', 'client_id',
                'client_secret') if not form.get(name)]
        if missing:
            self._login_invalid(record, 400, _oauth_error(
                    'invalid_request', logins.MISSING),
                'missing ' + ', '.join(missing), NO_STORE)
        client_id = form['client_id']
        if self.login_channels is not None:
            if client_id not in self.login_channels:
                self._login_invalid(record, 400, _oauth_error(
                        'invalid_client', 'invalid client_id'),
                    'unknown client_id', NO_STORE)
            if not secrets.compare_digest(
                    form['client_secret'].encode('utf-8'),
                    self.login_channels[client_id].encode('utf-8')):
                self._login_invalid(record, 400, _oauth_error(
                        'invalid_client', 'invalid client_secret'),
                    'wrong client_secret', NO_STORE)

    def _login_authorize(self, record):
        "Log in the user set by login_as() and redirect with a code."
        query = record.query
        with self._lock:
            login, self._login_next = self._login_next, None
        if login is None:
            raise _Answer(400, logins.error_page('400 Bad Request',
                'No simulated LINE user is set: call '
                'StandIn.login_as(user_id) before opening the authorization '
                'URL (the simulator does it for its selected user).'), HTML)
        redirect_uri = query['redirect_uri']
        state = query['state']
        if login['deny']:
            return 302, b'', _redirect(logins.add_query(redirect_uri, {
                'error': 'access_denied', 'error_description': logins.DENIED,
                'state': state}))
        user_id = login['user_id']
        changed = None
        if 'bot_prompt' in query:
            # the add friend option: only offered to a user who is not a
            # friend (never followed, or blocked)
            changed = login['add_friend'] and not self.is_friend(user_id)
            if changed:
                self._login_befriend(user_id)
        code = logins.random_code()
        with self._lock:
            self._login_codes[code] = {
                'client_id': query['client_id'], 'redirect_uri': redirect_uri,
                'user_id': user_id, 'scope': query['scope'].split(),
                'nonce': query.get('nonce'), 'issued': self.clock(),
                'used': False, 'code_challenge': query.get('code_challenge'),
            }
            self.logins.append({
                'user_id': user_id, 'client_id': query['client_id'],
                'redirect_uri': redirect_uri, 'state': state,
                'bot_prompt': query.get('bot_prompt'),
                'friendship_status_changed': changed, 'code': code,
                'time': self.clock(),
            })
        params = {'code': code, 'state': state}
        if changed is not None:
            params['friendship_status_changed'] = str(changed).lower()
        return 302, b'', _redirect(logins.add_query(redirect_uri, params))

    def _login_befriend(self, user_id):
        """The user ticked "add friend" on the consent screen: LINE sends
        the follow event (isUnblocked for a user who had blocked us)."""
        with self._lock:
            blocked = user_id in self.blocked
        simulator = self.simulator
        if simulator is None:
            self.follow(user_id)
            return
        # before the redirect, so the app has the follow when its
        # callback runs (LINE gives no order; this one is repeatable)
        simulator.send(user_id, 'unblock' if blocked else 'follow',
            via='login')

    def _login_token(self, record):
        "Exchange an authorization code for an access token and ID token."
        form = record.body
        client_id = form['client_id']
        now = self.clock()
        with self._lock:
            entry = self._login_codes.get(form['code'])
            if (entry is None or entry['used']
                    or entry['client_id'] != client_id):
                raise _Answer(400, _oauth_error(
                    'invalid_grant', 'invalid authorization code'), NO_STORE)
            if now - entry['issued'] > logins.CODE_TTL:
                raise _Answer(400, _oauth_error(
                    'invalid_grant', 'authorization code expired'), NO_STORE)
            if entry['redirect_uri'] != form['redirect_uri']:
                self._login_invalid(record, 400, _oauth_error(
                        'invalid_grant', 'redirect_uri does not match'),
                    'redirect_uri differs from the authorization request',
                    NO_STORE)
            if entry['code_challenge']:
                verifier = form.get('code_verifier', '')
                if not (re.fullmatch(r'[A-Za-z0-9._~-]{43,128}', verifier)
                        and logins.pkce_challenge(verifier)
                        == entry['code_challenge']):
                    raise _Answer(400, _oauth_error(
                        'invalid_grant', 'invalid code_verifier'), NO_STORE)
            entry['used'] = True
            if self.login_channels is not None:
                secret = self.login_channels[client_id]
            else:
                secret = self._login_secrets[client_id] = form['client_secret']
        scopes = entry['scope']
        body = {
            'access_token': secrets.token_urlsafe(48),
            'expires_in': logins.ACCESS_TOKEN_TTL,
        }
        if 'openid' in scopes:
            payload = {
                'iss': logins.ISSUER, 'sub': entry['user_id'],
                'aud': client_id, 'exp': int(now) + logins.ID_TOKEN_TTL,
                'iat': int(now),
            }
            if entry['nonce']:
                payload['nonce'] = entry['nonce']
            payload['amr'] = ['linesso']
            if 'profile' in scopes:
                payload['name'] = 'LINE user ' + entry['user_id'][-4:]
                payload['picture'] = 'https://profile.line-scdn.net/stand-in'
            body['id_token'] = logins.encode_id_token(payload, secret)
        body.update({
            'refresh_token': logins.random_code(),
            # LINE leaves email out of the scope it answers
            'scope': ' '.join(s for s in scopes if s != 'email'),
            'token_type': 'Bearer',
        })
        return 200, body, NO_STORE

    def _login_verify(self, record):
        "Verify an ID token: its payload, or LINE's invalid_request."
        form = record.body

        def secret_of(channel_id):
            if not isinstance(channel_id, str):
                return None
            with self._lock:
                if self.login_channels is not None:
                    return self.login_channels.get(channel_id)
                return self._login_secrets.get(channel_id)

        try:
            payload = logins.decode_id_token(form['id_token'], secret_of)
            if payload.get('iss') != logins.ISSUER:
                raise logins.InvalidIdToken('Invalid IdToken Issuer.')
            expiry = payload.get('exp')
            if (not isinstance(expiry, (int, float))
                    or expiry <= self.clock()):
                raise logins.InvalidIdToken('IdToken expired.')
            if payload.get('aud') != form['client_id']:
                raise logins.InvalidIdToken('Invalid IdToken Audience.')
            if form.get('nonce') and payload.get('nonce') != form['nonce']:
                raise logins.InvalidIdToken('Invalid IdToken Nonce.')
            if form.get('user_id') and payload.get('sub') != form['user_id']:
                raise logins.InvalidIdToken(
                    'Invalid IdToken Subject Identifier.')
        except logins.InvalidIdToken as exc:
            raise _Answer(400, _oauth_error('invalid_request', str(exc)),
                NO_STORE)
        return 200, payload, NO_STORE

    # anything else

    def _default(self, operation):
        """200 {} (or the first 2xx the spec documents), with a minimal
        body the response schema accepts when ``{}`` would not do."""
        responses = operation.spec.get('responses', {})
        codes = sorted(c for c in responses if str(c).startswith('2'))
        code = codes[0] if codes else '200'
        response = responses.get(code) or {}
        content = response.get('content') or {}
        spec = specs.spec_for_path(operation.pattern)
        if 'application/json' in content:
            schema = content['application/json'].get('schema') or {}
            return int(code), _minimal(spec, schema)
        if content:
            # a binary download (message content, preview): a few bytes
            return int(code), b'line-standin content'
        return int(code), {}


def _oauth_error(error, description):
    "LINE Login's error body (OAuth 2.0 error codes)."
    return {'error': error, 'error_description': description}


def _redirect(location):
    return dict(HTML, Location=location)


def _is_simulator_path(path):
    return path == '/simulator' or path.startswith('/simulator/')


def _is_body_error(error):
    from openapi_core.validation.request.exceptions import (
        RequestBodyValidationError)
    return isinstance(error, RequestBodyValidationError)


def _parse_body(raw, content_type):
    if not raw:
        return None
    if 'json' in content_type.lower() or not content_type:
        try:
            return json.loads(raw.decode('utf-8'))
        except (UnicodeDecodeError, ValueError):
            return raw
    if content_type.lower().startswith('text/'):
        try:
            return raw.decode('utf-8')
        except UnicodeDecodeError:
            return raw
    return raw


def _walk(node, path=''):
    "Yield (path, dict) for every object in a JSON document."
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f'{path}.{key}' if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f'{path}[{index}]')


def _line_rules(operation_id, record):
    """LINE rules the OpenAPI documents do not state (as LINE answers them
    with 400): recipient ID formats, text length, ``data`` of postback
    actions, ``uri`` of URI actions, ``text`` of Flex text components, the
    properties a rich menu needs, rich menu image type and size."""
    details = []
    body = record.body
    if operation_id == 'setRichMenuImage':
        content_type = record.headers.get('content-type', '').split(';')[0]
        content_type = content_type.strip().lower()
        data = body if isinstance(body, bytes) else b''
        magic = {'image/png': PNG_MAGIC, 'image/jpeg': JPEG_MAGIC}
        if content_type not in magic:
            details.append({'message': 'must be image/png or image/jpeg',
                'property': 'Content-Type'})
        elif not data.startswith(magic[content_type]):
            details.append({'message': f'is not a valid {content_type}',
                'property': 'body'})
        if len(data) > MAX_RICH_MENU_IMAGE:
            details.append({'message': 'must be at most 1 MB',
                'property': 'body'})
        return details
    if not isinstance(body, dict):
        return details
    if operation_id in ('createRichMenu', 'validateRichMenuObject'):
        for name in ('size', 'selected', 'name', 'chatBarText', 'areas'):
            if name not in body:
                details.append({'message': 'must be specified',
                    'property': name})
        for name in ('width', 'height'):
            if isinstance(body.get('size'), dict) and name not in body['size']:
                details.append({'message': 'must be specified',
                    'property': 'size.' + name})
        if len(body.get('areas') or []) > 20:
            details.append({'message': 'size must be at most 20',
                'property': 'areas'})
    if operation_id in ('pushMessage', 'validatePush'):
        if isinstance(body.get('to'), str) and not CHAT_ID.match(body['to']):
            details.append({'message': 'invalid ID', 'property': 'to'})
    if operation_id in ('multicast', 'validateMulticast'):
        for index, user_id in enumerate(body.get('to') or []):
            if not (isinstance(user_id, str) and USER_ID.match(user_id)):
                details.append({'message': 'invalid user ID',
                    'property': f'to[{index}]'})
    if operation_id in ('linkRichMenuIdToUsers', 'unlinkRichMenuIdFromUsers'):
        for index, user_id in enumerate(body.get('userIds') or []):
            if not (isinstance(user_id, str) and USER_ID.match(user_id)):
                details.append({'message': 'invalid user ID',
                    'property': f'userIds[{index}]'})
    for index, message in enumerate(body.get('messages') or []):
        if not isinstance(message, dict):
            continue
        prefix = f'messages[{index}]'
        if message.get('type') == 'text':
            text = message.get('text')
            if isinstance(text, str) and not text:
                details.append({'message': 'must not be empty',
                    'property': prefix + '.text'})
            elif isinstance(text, str) and len(text) > MAX_TEXT:
                details.append({'message':
                    f'length must be at most {MAX_TEXT}',
                    'property': prefix + '.text'})
        for path, node in _walk(message, prefix):
            kind = node.get('type')
            if kind == 'postback' and 'data' not in node:
                details.append({'message': 'must be specified',
                    'property': path + '.data'})
            elif kind == 'uri' and not ({'uri', 'linkUri'} & set(node)):
                details.append({'message': 'must be specified',
                    'property': path + '.uri'})
            elif (kind == 'text' and path != prefix
                    and not ({'text', 'contents'} & set(node))):
                # a Flex text component needs text or span contents
                details.append({'message': 'must be specified',
                    'property': path + '.text'})
    return details


def _minimal(spec, schema, depth=0):
    "A small instance of *schema* (required properties only)."
    schema = spec.resolve(schema)
    if depth > 20 or not isinstance(schema, dict):
        return {}
    if 'example' in schema and depth:
        return schema['example']
    if 'enum' in schema:
        return schema['enum'][0]
    if 'default' in schema:
        return schema['default']
    for key in ('oneOf', 'anyOf'):
        if schema.get(key):
            return _minimal(spec, schema[key][0], depth + 1)
    if 'allOf' in schema:
        out = {}
        for part in schema['allOf']:
            value = _minimal(spec, part, depth + 1)
            if isinstance(value, dict):
                out.update(value)
        own = {k: v for k, v in schema.items() if k != 'allOf'}
        if own.get('properties') or own.get('required'):
            out.update(_minimal(spec, own, depth + 1))
        return out
    kind = schema.get('type')
    if kind == 'array':
        return [_minimal(spec, schema.get('items') or {}, depth + 1)
            for _ in range(schema.get('minItems', 0))]
    if kind == 'string':
        fmt = schema.get('format')
        if fmt == 'date-time':
            return '2026-01-01T00:00:00Z'
        if fmt == 'date':
            return '2026-01-01'
        if fmt == 'uri':
            return 'https://example.com/'
        return 'x' * schema.get('minLength', 0)
    if kind in ('integer', 'number'):
        return schema.get('minimum', 0)
    if kind == 'boolean':
        return False
    out = {}
    properties = schema.get('properties') or {}
    for name in schema.get('required') or []:
        out[name] = _minimal(spec, properties.get(name) or {}, depth + 1)
    return out
