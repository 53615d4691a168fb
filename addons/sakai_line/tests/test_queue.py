# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Nothing left behind: every acknowledged webhook event is processed once.

The burst itself (200 calls at once to a real server) is in
tests/test_webhook_concurrency.py; these are the rules it relies on.
"""
import datetime as dt
import json
from unittest.mock import patch

from line_standin import webhook as line_webhook

from trytond import backend
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder, PYSONEncoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..configuration import utcnow
from ..event import LEFT_BEHIND_AFTER
from ..retry import EVENTS, LINE_CALLS
from .tools import LineTestCase, as_user, staff_users


def run_queue():
    "What the in-process queue does after the commit"
    Queue = Pool().get('ir.queue')
    transaction = Transaction()
    while transaction.tasks:
        Queue(transaction.tasks.pop()).run()


class QueueTestCase(LineTestCase):
    "Webhook events left behind"

    def receive(self):
        "Store the follow event of someone new as the webhook does; return it"
        Event = Pool().get('line.event')
        event = line_webhook.follow_event(line_webhook.random_user_id())
        data = json.loads(line_webhook.body([event]))
        Event.receive(data['events'])
        stored, = Event.search(
            [('webhook_event_id', '=', event['webhookEventId'])])
        return stored

    def replies(self):
        return [r for r in self.line.requests
            if r.path == '/v2/bot/message/reply']

    def assertProcessedOnce(self, event):
        "The event is done, after one attempt and one reply"
        event = Pool().get('line.event')(event.id)
        self.assertEqual(event.state, 'done')
        self.assertEqual(event.attempts, 1)
        self.assertEqual(len(self.replies()), 1)

    @with_transaction()
    def test_task_lost_then_swept(self):
        "An event whose task died is processed by the sweep minutes later"
        Event = Pool().get('line.event')
        self.configure()
        event = self.receive()
        # The in-process task died (database is locked, server stopped)
        Transaction().tasks.clear()
        self.assertEqual(event.state, 'pending')

        # Just received: its task may still be running
        Event.retry_failed()
        self.assertEqual(Transaction().tasks, [])

        later = utcnow() + LEFT_BEHIND_AFTER + dt.timedelta(seconds=1)
        with patch('sakai_line.event.utcnow', return_value=later):
            Event.retry_failed()
        self.assertEqual(len(Transaction().tasks), 1)
        run_queue()
        self.assertProcessedOnce(event)

    @with_transaction()
    def test_processed_once(self):
        "The sweep's task and a late task of the same event: one reply"
        Event = Pool().get('line.event')
        self.configure()
        event = self.receive()
        Event.process([event])
        Event.process([event])
        Event.retry([event])
        run_queue()
        self.assertProcessedOnce(event)

    @with_transaction()
    def test_lock_is_retried_not_failed(self):
        """A lock is no fault of the event: the task is tried again, the
        event is not marked failed"""
        pool = Pool()
        Event = pool.get('line.event')
        LineUser = pool.get('line.user')
        self.configure()
        event = self.receive()
        Transaction().tasks.clear()
        with patch.object(LineUser, 'record_follow',
                side_effect=backend.DatabaseOperationalError(
                    "database is locked")):
            with self.assertRaises(backend.DatabaseOperationalError):
                Event.process([event])
        event = Event(event.id)
        self.assertNotEqual(event.state, 'failed')
        self.assertFalse(event.error)
        self.assertEqual(self.replies(), [])

    @with_transaction()
    def test_staff_reprocess_pending(self):
        "再処理 is offered for a pending event and processes it"
        Event = Pool().get('line.event')
        self.configure()
        users = staff_users(['sysadmin'])
        event = self.receive()
        Transaction().tasks.clear()
        invisible = PYSONEncoder().encode(
            Event._buttons['retry']['invisible'])
        for state, hidden in [('pending', False), ('failed', False),
                ('done', True), ('ignored', True)]:
            with self.subTest(state=state):
                self.assertEqual(PYSONDecoder({'state': state}).decode(
                        invisible), hidden)
        with as_user(users['sysadmin']):
            Event.retry([Event(event.id)])
        self.assertEqual(Event(event.id).state, 'done')
        self.assertEqual(len(self.replies()), 1)

    @with_transaction()
    def test_sqlite_waits_for_writers(self):
        "On SQLite, the webhook and the queue wait for other writers"
        Event = Pool().get('line.event')
        if backend.name != 'sqlite':
            return
        cursor = Transaction().connection.cursor()
        cursor.execute('PRAGMA busy_timeout = 0')
        self.receive()
        cursor.execute('PRAGMA busy_timeout')
        self.assertGreaterEqual(cursor.fetchone()[0], 60 * 1000)
        cursor.execute('PRAGMA busy_timeout = 0')
        Event.process(Event.search([]))
        cursor.execute('PRAGMA busy_timeout')
        self.assertGreaterEqual(cursor.fetchone()[0], 60 * 1000)

    def test_retry_policy(self):
        """One policy: failed events again after 1, 2, 4 … 64 minutes, 8
        attempts in all; calls to LINE after rounds of 4 quick tries, 2, 4
        … minutes apart, at most 256, for 12 hours"""
        now = dt.datetime(2025, 4, 1, 9)
        self.assertEqual(
            [EVENTS.next_attempt(a, now) for a in range(1, 9)],
            [now + dt.timedelta(minutes=2 ** i) for i in range(7)] + [None])
        self.assertEqual(LINE_CALLS.pauses(), (0.5, 1, 2, None))
        self.assertEqual(LINE_CALLS.quick_pause(1, wait=3), 3)
        self.assertIsNone(LINE_CALLS.quick_pause(1, wait=60))
        self.assertIsNone(LINE_CALLS.quick_pause(None))
        first = now - dt.timedelta(hours=1)
        self.assertEqual(
            [LINE_CALLS.next_attempt(4 * r, now, first) - now
                for r in [1, 2, 8, 20]],
            [dt.timedelta(minutes=m) for m in [2, 4, 256, 256]])
        self.assertEqual(LINE_CALLS.next_attempt(1, now, first, wait=600),
            now + dt.timedelta(minutes=10))
        self.assertIsNone(LINE_CALLS.next_attempt(
                4, now, now - dt.timedelta(hours=12)))
