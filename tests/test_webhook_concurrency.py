# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""200 concurrent webhook calls lose nothing and store duplicates once.

Concurrency is a property of the production database: this runs on
PostgreSQL (`make test-postgresql`) and is skipped on SQLite.
"""
import json
import os
import unittest
import unittest.mock
from concurrent.futures import ThreadPoolExecutor

from werkzeug.test import Client

from line_standin import webhook as line_webhook
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, drop_db, with_transaction)

SECRET = 'concurrency-secret'
CALLS = 200


@unittest.skipUnless(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "concurrency is proven on PostgreSQL")
class WebhookConcurrencyTestCase(unittest.TestCase):
    "Concurrent webhook calls"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('sakai_line')
        # The deployment way: the secret comes from the environment
        cls.environ = unittest.mock.patch.dict(
            os.environ, {'SAKAI_LINE_CHANNEL_SECRET': SECRET})
        cls.environ.start()

    @classmethod
    def tearDownClass(cls):
        cls.environ.stop()
        drop_db()

    def test_concurrent_posts(self):
        "200 concurrent calls, each event sent twice: all stored once"
        from trytond.wsgi import app
        users = [line_webhook.random_user_id() for _ in range(CALLS // 2)]
        events = [line_webhook.follow_event(u) for u in users]
        # Every event twice, as LINE's redelivery could
        bodies = [line_webhook.body([e]) for e in events] * 2

        def post(body):
            return Client(app).post(
                '/%s/line/webhook' % DB_NAME, data=body, headers={
                    'X-Line-Signature': line_webhook.sign(body, SECRET),
                    'Content-Type': 'application/json'}).status_code

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
        from trytond.wsgi import app
        user_id = line_webhook.random_user_id()

        def post(event):
            body = line_webhook.body([event])
            return Client(app).post(
                '/%s/line/webhook' % DB_NAME, data=body, headers={
                    'X-Line-Signature': line_webhook.sign(body, SECRET),
                    'Content-Type': 'application/json'}).status_code

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
            self.check_answered_once(user_id)
            # A tap that lost the race on PostgreSQL's serialization is
            # tried again later: it finds the question answered
            self.retry_failed()
        self.check_answered_once(user_id, all_done=True)

    @with_transaction()
    def first_button(self, user_id):
        Response = Pool().get('questionnaire.response')
        response, = Response.search([('line_user.line_id', '=', user_id)])
        choice = response.current_question.choices[0]
        return response.data('c%d' % choice.id)

    @with_transaction()
    def retry_failed(self):
        import datetime as dt
        Event = Pool().get('line.event')
        failed = Event.search([('state', '=', 'failed')])
        for event in failed:
            self.assertIn('serialize', event.error)
        Event.write(failed, {'next_attempt_at': dt.datetime(2000, 1, 1)})
        Event.retry_failed()
        Transaction().commit()

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
