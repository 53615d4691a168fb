# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""200 concurrent webhook calls lose nothing and store duplicates once.

Concurrency is a property of the production database: this runs on
PostgreSQL (`make test-postgresql`) and is skipped on SQLite.
"""
import os
import unittest
import unittest.mock
from concurrent.futures import ThreadPoolExecutor

from werkzeug.test import Client

from line_standin import webhook as line_webhook
from trytond.pool import Pool
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
