# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Fuzzing the LINE webhook with hypothesis.

Generated bodies (LINE-looking JSON with random events, broken JSON, random
bytes, huge strings, unicode) with a right, wrong or missing signature are
POSTed through werkzeug's test client to /<database>/line/webhook:

- the answer is never a 500: 200 (signed LINE body), 400 (signed, not a
  LINE body), 403 (bad or missing signature) or 413 (too large);
- an unsigned or wrongly signed body stores nothing (no event, no LINE
  user, no queued task).

`make test` runs FUZZ_EXAMPLES examples (default 300); the full run is
FUZZ_EXAMPLES=10000 (see docs/performance.md for its time).
"""
import base64
import hashlib
import hmac
import json
import os
import time
import unittest
import unittest.mock

# Hypothesis keeps its caches under var/ (ignored by git), not at the root
os.environ.setdefault('HYPOTHESIS_STORAGE_DIRECTORY', os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        'var', 'hypothesis'))
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from werkzeug.test import Client

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

SECRET = 'fuzz-channel-secret'
EXAMPLES = int(os.environ.get('FUZZ_EXAMPLES', 300))
MAX_BODY_SIZE = 1024 * 1024
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck))

# -- strategies ---------------------------------------------------------------

# Unicode of every plane, surrogates excluded (JSON can carry them escaped,
# see `raw_json`)
text = st.text(max_size=200)
huge_text = st.one_of(
    st.integers(1000, 200_000).map(lambda n: 'あ' * n),
    st.integers(1, 5000).flatmap(lambda n: st.text(min_size=n, max_size=n)),
    )
user_ids = st.one_of(
    st.from_regex(r'\AU[0-9a-f]{32}\Z'), text, st.integers(), st.none())
scalars = st.one_of(st.none(), st.booleans(), st.integers(),
    st.floats(allow_nan=False), text)
json_values = st.recursive(scalars, lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(text, children, max_size=4)), max_leaves=12)
postback_data = st.one_of(
    text,
    st.builds(lambda *p: ':'.join(map(str, p)), st.just('q'),
        st.integers(-5, 10 ** 12), st.integers(-5, 100),
        st.sampled_from(['c1', 'v3', 'd', 'ok', 'skip', 'back', 'pause']),
        text),
    st.sampled_from(['menu:faq', 'menu:diagnosis', 'register', 'q::::']),
    )


@st.composite
def events(draw):
    "A LINE-looking webhook event: right shape most of the time"
    kind = draw(st.sampled_from([
                'message', 'postback', 'follow', 'unfollow', 'join', 'leave',
                'memberJoined', 'accountLink', 'beacon', 'unsend',
                'videoPlayComplete', 'nonsense', '']))
    event = {
        'type': kind,
        'timestamp': draw(st.one_of(st.integers(0, 2 ** 63),
                st.integers(-2 ** 70, 2 ** 70))),
        'mode': draw(st.sampled_from(['active', 'standby', 'x'])),
        'webhookEventId': draw(st.one_of(
                st.from_regex(r'\A[0-9A-Z]{26}\Z'),
                st.text(min_size=1, max_size=80))),
        'deliveryContext': {'isRedelivery': draw(st.booleans())},
        'source': draw(st.one_of(
                st.fixed_dictionaries({'type': st.just('user'),
                        'userId': user_ids}),
                st.fixed_dictionaries({'type': st.sampled_from(
                                ['group', 'room']),
                        'groupId': text, 'userId': user_ids}),
                st.just({}))),
        }
    if draw(st.booleans()):
        event['replyToken'] = draw(st.one_of(st.text(max_size=40),
                st.from_regex(r'\A[0-9a-f]{32}\Z')))
    if kind == 'message':
        event['message'] = draw(st.one_of(
                st.fixed_dictionaries({
                        'type': st.just('text'), 'id': st.text(max_size=20),
                        'text': st.one_of(text, huge_text)}),
                st.fixed_dictionaries({
                        'type': st.sampled_from(['image', 'sticker',
                                'location', 'audio', 'file']),
                        'id': st.text(max_size=20)}),
                json_values))
    elif kind == 'postback':
        event['postback'] = draw(st.one_of(
                st.fixed_dictionaries({'data': postback_data}, optional={
                        'params': st.dictionaries(
                            st.sampled_from(['date', 'time', 'datetime']),
                            text, max_size=2)}),
                json_values))
    elif kind == 'follow':
        event['follow'] = {'isUnblocked': draw(st.booleans())}
    # Some keys removed or replaced by anything
    for key in draw(st.lists(st.sampled_from(sorted(event)), max_size=2)):
        if draw(st.booleans()):
            event.pop(key, None)
        else:
            event[key] = draw(json_values)
    return event


@st.composite
def line_bodies(draw):
    data = {
        'destination': draw(st.one_of(st.from_regex(r'\AU[0-9a-f]{32}\Z'),
                text)),
        'events': draw(st.lists(events(), max_size=5)),
        }
    if draw(st.integers(0, 9)) == 0:
        data[draw(text)] = draw(json_values)
    return json.dumps(data, ensure_ascii=draw(st.booleans())).encode()


def truncated(body):
    return st.integers(0, max(0, len(body) - 1)).map(lambda n: body[:n])


raw_json = st.sampled_from([
        b'', b'{}', b'[]', b'null', b'{"destination": "U", "events": {}}',
        b'{"destination": 1, "events": []}', b'{"events": [{}]}',
        b'{"destination": "U", "events": [null]}',
        b'{"destination": "\\ud800", "events": []}',
        b'{"destination": "U", "events": [], "destination": 5}',
        b'{"destination": "U", "events": [' + b'[' * 5000 + b']' * 5000
        + b']}',
        b'\xef\xbb\xbf{"destination": "U", "events": []}',
        b'{"destination": "U", "events": []}\x00',
        ])
bodies = st.one_of(
    line_bodies(),
    line_bodies().flatmap(truncated),
    raw_json,
    st.binary(max_size=2000),
    st.text(max_size=2000).map(str.encode),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.integers(MAX_BODY_SIZE - 10, MAX_BODY_SIZE + 1000).map(
        lambda n: b'{"destination": "U", "events": [], "x": "'
        + b'a' * n + b'"}'),
    )


def signature(body, secret=SECRET):
    return base64.b64encode(hmac.new(
            secret.encode(), body, hashlib.sha256).digest()).decode()


@st.composite
def signatures(draw, body):
    "(header value or None, whether it is the right one)"
    kind = draw(st.sampled_from(
            ['right', 'right', 'missing', 'empty', 'random', 'other-secret',
                'other-body', 'truncated']))
    if kind == 'right':
        return signature(body), True
    if kind == 'missing':
        return None, False
    if kind == 'empty':
        return '', False
    if kind == 'other-secret':
        return signature(body, SECRET + 'x'), False
    if kind == 'other-body':
        return signature(body + b' '), False
    if kind == 'truncated':
        return signature(body)[:-2], False
    value = draw(st.text(alphabet=st.characters(
                min_codepoint=0x21, max_codepoint=0x7e), max_size=60))
    return value, value == signature(body)


@st.composite
def requests(draw):
    body = draw(bodies)
    header, right = draw(signatures(body))
    return body, header, right


# -- test -----------------------------------------------------------------------

class WebhookFuzzTestCase(unittest.TestCase):
    "The webhook under generated bodies and signatures"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('sakai_faq')
        cls.patches = [
            unittest.mock.patch.dict(os.environ, {
                    'SAKAI_LINE_CHANNEL_SECRET': SECRET,
                    'SAKAI_LINE_CHANNEL_ACCESS_TOKEN': 'fuzz-token',
                    # Replies fail fast: LINE is not what is tested here
                    'SAKAI_LINE_API_ENDPOINT': 'http://127.0.0.1:9',
                    'SAKAI_LINE_API_DATA_ENDPOINT': 'http://127.0.0.1:9',
                    }),
            unittest.mock.patch('sakai_line.message.time.sleep'),
            ]
        for patch in cls.patches:
            patch.start()

    @classmethod
    def tearDownClass(cls):
        for patch in reversed(cls.patches):
            patch.stop()
        drop_db()

    def stored(self):
        "What a webhook call could have stored"
        with Transaction().start(DB_NAME, 0, readonly=True):
            cursor = Transaction().connection.cursor()
            counts = []
            for table in ['line_event', 'line_user', 'ir_queue',
                    'line_user_history', 'questionnaire_response']:
                cursor.execute('SELECT COUNT(*), MAX(id) FROM "%s"' % table)
                counts.append(tuple(cursor.fetchone()))
            return counts

    def test_found_by_fuzzing(self):
        "Bodies the fuzzer found: signed but not LINE's UTF-8 JSON"
        from trytond.wsgi import app
        client = Client(app)
        url = '/%s/line/webhook' % DB_NAME
        event = ('{"destination": "U0", "events": [{"type": "follow", '
            '"mode": "active", "timestamp": 1, "webhookEventId": "01F", '
            '"deliveryContext": {"isRedelivery": false}, '
            '"source": {"type": "user", "userId": "U1"}}]}')
        for body in [b'\xff\xfe{}', event.encode('utf-16'),
                b'{"events": [], "destination": "\xc3"}']:
            before = self.stored()
            response = client.post(url, data=body, headers={
                    'Content-Type': 'application/json',
                    'X-Line-Signature': signature(body)})
            self.assertEqual(response.status_code, 400, body)
            self.assertEqual(self.stored(), before, body)
            # the same body, not signed by LINE
            response = client.post(url, data=body, headers={
                    'Content-Type': 'application/json',
                    'X-Line-Signature': signature(body, 'other')})
            self.assertEqual(response.status_code, 403, body)

    def test_fuzz_webhook(self):
        "Generated bodies: never a 500, nothing stored unless signed"
        from trytond.wsgi import app
        client = Client(app)
        url = '/%s/line/webhook' % DB_NAME
        statuses = {}
        started = time.monotonic()

        @FUZZ_SETTINGS
        @given(requests())
        def post(request):
            body, header, right = request
            headers = {'Content-Type': 'application/json'}
            if header is not None:
                headers['X-Line-Signature'] = header
            before = self.stored()
            response = client.post(url, data=body, headers=headers)
            status = response.status_code
            statuses[status] = statuses.get(status, 0) + 1
            self.assertNotEqual(status, 500, body[:300])
            if len(body) > MAX_BODY_SIZE:
                self.assertEqual(status, 413)
            elif not right:
                self.assertEqual(status, 403, body[:300])
                self.assertEqual(self.stored(), before, body[:300])
            else:
                try:
                    body.decode('utf-8')
                except UnicodeDecodeError:
                    # Signed but not UTF-8: malformed, nothing stored
                    self.assertEqual(status, 400, body[:300])
                    self.assertEqual(self.stored(), before, body[:300])
                else:
                    self.assertIn(status, {200, 400}, body[:300])

        post()
        elapsed = time.monotonic() - started
        with Transaction().start(DB_NAME, 0, readonly=True):
            Event = Pool().get('line.event')
            states = {}
            for event in Event.search([]):
                states[event.state] = states.get(event.state, 0) + 1
        # Stored events that failed in processing are kept for retry (and
        # counted by the health endpoint): reported here, not an error
        print('\nwebhook fuzz: %d examples in %.1f s, statuses %s, '
            'stored events %s' % (
                sum(statuses.values()), elapsed, dict(sorted(
                        statuses.items())), dict(sorted(states.items()))))
        # The generator reaches every branch of the webhook
        if EXAMPLES >= 200:
            self.assertTrue({200, 400, 403} <= statuses.keys(), statuses)


if __name__ == '__main__':
    unittest.main()
