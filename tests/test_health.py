# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The monitoring endpoint GET /<database>/line/health."""
import datetime as dt
import json
import unittest

from werkzeug.test import Client

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from sakai_line.tests.tools import DatabaseTestCase

PERSON = 'ヘルス確認テスト太郎'
LINE_ID = 'U' + 'f' * 32


class HealthTestCase(DatabaseTestCase):
    "Health endpoint"
    module = ['sakai_faq', 'sakai_health']

    def setUp(self):
        # Scheduled actions of the cached template database are long due:
        # a running cron service would have moved them on
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Cron = pool.get('ir.cron')
            Queue = pool.get('ir.queue')
            Event = pool.get('line.event')
            Cron.write(Cron.search([]), {
                    'next_call': dt.datetime.now() + dt.timedelta(hours=1)})
            Queue.delete(Queue.search([]))
            Event.delete(Event.search([]))
            transaction.commit()

    def get(self, database=DB_NAME):
        from trytond.wsgi import app
        response = Client(app).get('/%s/line/health' % database)
        return response.status_code, response

    def test_healthy(self):
        "Healthy: 200 with the documented keys"
        status, response = self.get()
        self.assertEqual(status, 200, response.text)
        self.assertEqual(response.content_type, 'application/json')
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        document = json.loads(response.text)
        self.assertEqual(document['status'], 'ok')
        self.assertEqual(document['problems'], [])
        self.assertTrue(document['database']['reachable'])
        self.assertEqual(document['queue'], {
                'pending': 0, 'oldest_age': None})
        self.assertEqual(document['line']['events'], {
                'failed': 0, 'failed_24h': 0})
        self.assertIn('messages', document['line'])
        methods = {c['method'] for c in document['cron']}
        self.assertIn('line.event|retry_failed', methods)
        for cron in document['cron']:
            self.assertEqual(
                set(cron), {'method', 'next_call', 'last_run', 'overdue',
                    'ok'})

    def test_queue_backlog(self):
        "A task waiting for more than 15 minutes makes it unhealthy"
        with Transaction().start(DB_NAME, 0) as transaction:
            Queue = Pool().get('ir.queue')
            Queue.create([{'name': 'default',
                        'enqueued_at': dt.datetime.now()
                        - dt.timedelta(hours=1),
                        'data': {}}])
            transaction.commit()
        status, response = self.get()
        self.assertEqual(status, 503)
        document = json.loads(response.text)
        self.assertEqual(document['problems'], ['queue'])
        self.assertEqual(document['queue']['pending'], 1)
        self.assertGreaterEqual(document['queue']['oldest_age'], 3500)

    def test_cron_overdue(self):
        "A scheduled action more than an hour late makes it unhealthy"
        with Transaction().start(DB_NAME, 0) as transaction:
            Cron = Pool().get('ir.cron')
            cron, = Cron.search(
                [('method', '=', 'line.event|retry_failed')])
            cron.next_call = dt.datetime.now() - dt.timedelta(hours=3)
            cron.save()
            transaction.commit()
        status, response = self.get()
        self.assertEqual(status, 503)
        document = json.loads(response.text)
        self.assertEqual(document['problems'], ['cron'])
        late, = [c for c in document['cron'] if not c['ok']]
        self.assertEqual(late['method'], 'line.event|retry_failed')

    def test_failed_events_no_personal_data(self):
        "Failed events are counted; nothing of the person is shown"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Event = pool.get('line.event')
            LineUser = pool.get('line.user')
            LineUser.create([{'line_id': LINE_ID}])
            Event.create([{
                        'webhook_event_id': 'health%02d' % i,
                        'type': 'message', 'line_id': LINE_ID,
                        'payload': json.dumps({'text': PERSON}),
                        'state': 'failed', 'error': PERSON,
                        } for i in range(21)])
            transaction.commit()
        try:
            status, response = self.get()
            self.assertEqual(status, 503)
            document = json.loads(response.text)
            self.assertEqual(document['problems'], ['failed_events'])
            self.assertEqual(document['line']['events'], {
                    'failed': 21, 'failed_24h': 21})
            self.assertNotIn(PERSON, response.text)
            self.assertNotIn(LINE_ID, response.text)
            self.assertNotIn(
                json.dumps(PERSON)[1:-1], response.text)
        finally:
            with Transaction().start(DB_NAME, 0) as transaction:
                pool = Pool()
                LineUser = pool.get('line.user')
                LineUser.delete(LineUser.search(
                        [('line_id', '=', LINE_ID)]))
                transaction.commit()

    def test_unknown_database(self):
        "An unreachable database answers 503 and no detail"
        status, response = self.get('no_such_database_health')
        self.assertEqual(status, 503)
        document = json.loads(response.text)
        self.assertFalse(document['database']['reachable'])
        self.assertNotIn('Traceback', response.text)


if __name__ == '__main__':
    unittest.main()
