# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""200 concurrent webhook calls lose nothing and store duplicates once.

On PostgreSQL (`make test-postgresql`) through the WSGI application; on
SQLite against the demo as `make demo` runs it: a real trytond server whose
queue runs in-process, where the writers wait for each other.  Either way
every acknowledged event is processed, and processed once.
"""
import collections
import json
import os
import sqlite3
import subprocess
import sys
import unittest
import unittest.mock
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from line_standin import webhook as line_webhook
from line_standin import StandIn
from sakai_line.tests.tools import DatabaseTestCase, post_webhook
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

SECRET = 'concurrency-secret'
DEMO_SECRET = 'demo-channel-secret'
CALLS = 200
# What the scheduler's sweep runs, as `trytond-cron` would some minutes
# after the burst (its clock moved forward by the argument, in minutes)
SWEEP_LATER = """
import sys, datetime as dt
from unittest.mock import patch
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.worker import run_task
from sakai_line import configuration
pool = Pool(sys.argv[2])
pool.init()
later = configuration.utcnow() + dt.timedelta(minutes=int(sys.argv[3]))
with patch('sakai_line.event.utcnow', return_value=later), \
        patch('sakai_line.message.utcnow', return_value=later):
    with Transaction().start(sys.argv[2], 0) as transaction:
        pool.get('line.event').retry_failed()
        pool.get('line.message').deliver_due()
        transaction.commit()
    while transaction.tasks:
        run_task(pool, transaction.tasks.pop())
"""


@unittest.skipUnless(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "concurrency is proven on PostgreSQL")
class WebhookConcurrencyTestCase(DatabaseTestCase):
    "Concurrent webhook calls"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The deployment way: the secret comes from the environment
        cls.enterClassContext(unittest.mock.patch.dict(
                os.environ, {'SAKAI_LINE_CHANNEL_SECRET': SECRET}))

    def test_concurrent_posts(self):
        "200 concurrent calls, each event sent twice: all stored once"
        users = [line_webhook.random_user_id() for _ in range(CALLS // 2)]
        events = [line_webhook.follow_event(u) for u in users]
        # Every event twice, as LINE's redelivery could
        bodies = [line_webhook.body([e]) for e in events] * 2

        def post(body):
            return post_webhook(body, SECRET)

        with ThreadPoolExecutor(max_workers=50) as executor:
            statuses = list(executor.map(post, bodies))
        self.assertEqual(statuses, [200] * CALLS)
        self.check(users, events)

    @with_transaction()
    def check(self, users, events):
        pool = Pool()
        Event = pool.get('line.event')
        LineUser = pool.get('line.user')
        stored = Event.search([])
        self.assertEqual(
            sorted(e.webhook_event_id for e in stored),
            sorted(e['webhookEventId'] for e in events))
        self.assertEqual({e.state for e in stored}, {'done'})
        followers = LineUser.search([('state', '=', 'following')])
        self.assertEqual(sorted(u.line_id for u in followers), sorted(users))
        self.assertEqual(
            [len(u.history) for u in followers], [1] * len(users))

    def test_double_tap(self):
        "The same answer button tapped twice at once is answered once"
        user_id = line_webhook.random_user_id()

        def post(event):
            return post_webhook(line_webhook.body([event]), SECRET)

        with unittest.mock.patch.dict(os.environ, {
                    # Replies fail fast: LINE is not what is tested here
                    'SAKAI_LINE_API_ENDPOINT': 'http://127.0.0.1:9'}), \
                unittest.mock.patch('sakai_line.message.time.sleep'):
            self.assertEqual(post(line_webhook.follow_event(user_id)), 200)
            data = self.first_button(user_id)
            taps = [line_webhook.postback_event(user_id, data)
                for _ in range(8)]
            with ThreadPoolExecutor(max_workers=8) as executor:
                statuses = list(executor.map(post, taps))
            self.assertEqual(statuses, [200] * len(taps))
            # A tap that lost the race on PostgreSQL's serialization is
            # not failed: its task is tried again at once, finds the
            # question answered and says nothing
            self.check_answered_once(user_id, all_done=True)

    @with_transaction()
    def first_button(self, user_id):
        Response = Pool().get('questionnaire.response')
        response, = Response.search([('line_user.line_id', '=', user_id)])
        choice = response.current_question.choices[0]
        return response.data('c%d' % choice.id)

    @with_transaction()
    def check_answered_once(self, user_id, all_done=False):
        pool = Pool()
        Response = pool.get('questionnaire.response')
        Event = pool.get('line.event')
        response, = Response.search([('line_user.line_id', '=', user_id)])
        self.assertEqual(len(response.answers), 1)
        self.assertEqual(len(json.loads(response.path)), 1)
        if all_done:
            events = Event.search([('line_id', '=', user_id)])
            self.assertEqual({e.state for e in events}, {'done'},
                [e.error for e in events if e.error])


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "runs the SQLite demo; the PostgreSQL case is above")
class DemoBurstTestCase(unittest.TestCase):
    "200 messages at once to the SQLite demo"

    @classmethod
    def setUpClass(cls):
        from .test_browser import build_demo, demo_folder, serve_demo
        demo_folder(cls)
        cls.line = StandIn().start()
        cls.addClassCleanup(cls.line.stop)
        cls.conf, cls.env = build_demo(cls.tmp, cls.port,
            conf_extra='[sakai_line]\ndemo = True\n', env_extra={
                'SAKAI_LINE_API_ENDPOINT': cls.line.url,
                'SAKAI_LINE_API_DATA_ENDPOINT': cls.line.url,
                })
        serve_demo(cls)

    def post(self, body):
        request = urllib.request.Request(
            f'{self.url}/demo/line/webhook', data=body, headers={
                'X-Line-Signature': line_webhook.sign(body, DEMO_SECRET),
                'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def states(self):
        "The events' states, read as the back office would count them"
        with sqlite3.connect(os.path.join(self.tmp, 'demo.sqlite')) as db:
            return dict(db.execute(
                    'SELECT state, COUNT(*) FROM line_event GROUP BY state'))

    def sweep_later(self, minutes):
        subprocess.run([sys.executable, '-c', SWEEP_LATER,
                self.conf, 'demo', str(minutes)],
            env=self.env, check=True, capture_output=True)

    def test_burst_all_processed_once(self):
        "200 new friends at once: all acknowledged, processed, answered once"
        # A poster's QR code at an event: 200 people add the account
        users = [line_webhook.random_user_id() for _ in range(CALLS)]
        tokens = {u: self.line.issue_reply_token(u) for u in users}
        bodies = [line_webhook.body([line_webhook.follow_event(
                        u, reply_token=tokens[u])]) for u in users]
        with ThreadPoolExecutor(max_workers=CALLS) as executor:
            statuses = list(executor.map(self.post, bodies))
        self.assertEqual(statuses, [200] * CALLS)
        # Whatever a task could not finish, the scheduler's sweep does
        # a few minutes later
        self.sweep_later(5)
        self.assertEqual(self.states(), {'done': CALLS})
        # Each welcomed exactly once: by the free reply token, or pushed
        # when the token had expired in the queue
        answered = collections.Counter()
        for request in self.line.requests:
            if request.status != 200:
                continue
            if request.path == '/v2/bot/message/reply':
                answered[request.body['replyToken']] += 1
            elif request.path == '/v2/bot/message/push':
                answered[tokens[request.body['to']]] += 1
        self.assertEqual(answered, collections.Counter(tokens.values()),
            collections.Counter(
                (r.path, r.status) for r in self.line.requests))
