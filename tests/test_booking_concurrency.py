# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""No double booking: 100 people tap 予約する for the same slot at once.

Each tap is a signed webhook call processed like in production; exactly one
person gets the slot and the 99 others are told at once that it was just
taken, with the times still free.  Concurrency is a property of the
production database: this runs on PostgreSQL (`make test-postgresql`).
"""
import datetime as dt
import os
import threading
import unittest
import unittest.mock
from concurrent.futures import ThreadPoolExecutor

from werkzeug.test import Client

from line_standin import StandIn
from sakai_counseling.tests.tools import load_japanese
from line_standin import webhook as line_webhook
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.tests.test_tryton import (
    DB_NAME, activate_module, drop_db, with_transaction)

SECRET = 'booking-secret'
ATTEMPTS = 100


@unittest.skipUnless(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "concurrency is proven on PostgreSQL")
class BookingConcurrencyTestCase(unittest.TestCase):
    "Concurrent bookings of one slot"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('sakai_counseling')
        load_japanese()
        cls.line = StandIn().start()
        cls.environ = unittest.mock.patch.dict(os.environ, {
                'SAKAI_LINE_CHANNEL_SECRET': SECRET,
                })
        cls.environ.start()

    @classmethod
    def tearDownClass(cls):
        cls.environ.stop()
        cls.line.stop()
        drop_db()

    @with_transaction()
    def setup_slots(self):
        "Two counselor slots tomorrow evening at 20:00 and 21:00"
        pool = Pool()
        User = pool.get('res.user')
        Slot = pool.get('counseling.slot')
        Configuration = pool.get('line.configuration')
        ModelData = pool.get('ir.model.data')
        configuration = Configuration(1)
        configuration.channel_access_token = 'token'
        configuration.endpoint = self.line.url
        configuration.save()
        counselor = User(login='counselor', name="相談員", groups=[
                ModelData.get_id('sakai_line', 'group_counselor')])
        counselor.save()
        tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).date()
        # 20:00 and 21:00 in Japan
        starts = [dt.datetime.combine(tomorrow, dt.time(h)) for h in (11, 12)]
        slots = Slot.create([{
                    'counselor': counselor.id, 'start': s,
                    'end': s + dt.timedelta(hours=1)} for s in starts])
        Transaction().commit()
        return [(s.start, s.end) for s in slots]

    def test_one_slot_one_booking(self):
        "100 simultaneous taps on one time: one booking, 99 told at once"
        from trytond.wsgi import app
        (start, end), (other, _) = self.setup_slots()
        data = 'bk?a=book&k=career&m=chat&t=%s&e=%s' % (
            start.strftime('%Y%m%d%H%M'), end.strftime('%Y%m%d%H%M'))
        users = [line_webhook.random_user_id() for _ in range(ATTEMPTS)]
        barrier = threading.Barrier(ATTEMPTS)

        def post(event):
            body = line_webhook.body([event])
            return Client(app).post(
                '/%s/line/webhook' % DB_NAME, data=body, headers={
                    'X-Line-Signature': line_webhook.sign(body, SECRET),
                    'Content-Type': 'application/json'}).status_code

        def follow(user_id):
            return post(line_webhook.follow_event(user_id,
                    reply_token=self.line.issue_reply_token(user_id)))

        def tap(user_id):
            event = line_webhook.postback_event(user_id, data,
                reply_token=self.line.issue_reply_token(user_id))
            barrier.wait()
            return post(event)

        with unittest.mock.patch('sakai_line.message.time.sleep'):
            with ThreadPoolExecutor(max_workers=10) as executor:
                statuses = list(executor.map(follow, users))
            self.assertEqual(statuses, [200] * ATTEMPTS)
            with ThreadPoolExecutor(max_workers=ATTEMPTS) as executor:
                statuses = list(executor.map(tap, users))
        self.assertEqual(statuses, [200] * ATTEMPTS)
        winner = self.check_one_booking(users)

        replies = {u: self.line.messages_for(u) for u in users}
        self.assertIn('ご予約を承りました', replies[winner][-1]['text'])
        for user_id in set(users) - {winner}:
            hint, times = replies[user_id][-2:]
            self.assertIn('たった今ほかの方のご予約が入りました', hint['text'])
            labels = [b['action']['label']
                for bubble in times['contents']['contents']
                for b in bubble['body']['contents']]
            self.assertEqual(labels, ['21:00〜22:00'])
        self.assertEqual(self.line.calls('pushMessage'), [])
        self.assertEqual(self.line.invalid, [])

    @with_transaction()
    def check_one_booking(self, users):
        pool = Pool()
        Booking = pool.get('counseling.booking')
        Event = pool.get('line.event')
        Slot = pool.get('counseling.slot')
        events = Event.search([])
        self.assertEqual(len(events), 2 * ATTEMPTS)
        # Every tap answered at once: none failed and waits for a retry
        self.assertEqual({e.state for e in events}, {'done'},
            {e.error for e in events if e.error})
        booking, = Booking.search([])
        self.assertEqual(booking.state, 'booked')
        self.assertIn(booking.line_user.line_id, users)
        slot, = Slot.search([('taken', '=', True)])
        self.assertEqual(booking.slot, slot)
        return booking.line_user.line_id
