# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""No double booking: 100 people tap 予約する for the same slot at once.

Each tap is a signed webhook call processed like in production; exactly one
person gets the slot and the 99 others are told at once that it was just
taken, with the times still free.

No double slots: eight coordinators run 相談枠を一括作成 for one counselor
and one week at the same moment, while two others create and move a single
slot over the same hour, trial after trial: each slot exists once, the
others are told in Japanese and keep nothing half-made, and a booking race
on the result gives one person per counselor and time.  Before the
database held it, every trial made every slot eight times.

Concurrency is a property of the production database: this runs on
PostgreSQL (`make test-postgresql`).  Each test ends with a consistency
query over the whole database.
"""
import datetime as dt
import os
import threading
import unittest
import unittest.mock
from concurrent.futures import ThreadPoolExecutor

from sakai_counseling.exceptions import SlotTaken
from sakai_counseling.tests.tools import create_client
from line_standin import webhook as line_webhook
from sakai_line.tests.tools import DatabaseTestCase, post_webhook, staff_user
from trytond import backend
from trytond.config import config
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.tests.test_tryton import DB_NAME, with_transaction

SECRET = 'booking-secret'
ATTEMPTS = 100
# Slot race: trials of sessions at once, each trial in its own week
TRIALS = 20
SESSIONS = 10
FIRST_MONDAY = dt.date(2027, 3, 1)
HALF_HOUR = dt.timedelta(minutes=30)


def jst(day, hour):
    "Naive UTC of a Japan time (the evening's hours after midnight on day+1)"
    return (dt.datetime.combine(day, dt.time(hour % 24))
        + dt.timedelta(days=hour // 24) - dt.timedelta(hours=9))


def consistency_problems():
    """What the database would hold broken, by SQL over every row: a
    counselor in two slots at once, a slot booked twice, a counselor or a
    slot with two live bookings at once, a live booking that does not hold
    its slot or does not have its times"""
    cursor = Transaction().connection.cursor()
    queries = {
        'overlapping slots': (
            'SELECT a.id, b.id FROM counseling_slot a '
            'JOIN counseling_slot b ON a.counselor = b.counselor '
            'AND a.id < b.id AND a.start < b."end" AND b.start < a."end"'),
        'slot booked twice': (
            'SELECT slot, COUNT(*) FROM counseling_booking '
            "WHERE state != 'cancelled' GROUP BY slot HAVING COUNT(*) > 1"),
        'counselor booked twice at once': (
            'SELECT a.id, b.id FROM counseling_booking a '
            'JOIN counseling_booking b ON a.counselor = b.counselor '
            "AND a.id < b.id AND a.state != 'cancelled' "
            "AND b.state != 'cancelled' "
            'AND a.start < b."end" AND b.start < a."end"'),
        'live booking off its slot': (
            'SELECT b.id FROM counseling_booking b '
            'JOIN counseling_slot s ON s.id = b.slot '
            "WHERE b.state != 'cancelled' AND (b.active_slot IS NULL "
            'OR b.active_slot != b.slot OR b.counselor != s.counselor '
            'OR b.start != s.start OR b."end" != s."end" OR NOT s.taken)'),
        'cancelled booking holding a slot': (
            'SELECT id FROM counseling_booking '
            "WHERE state = 'cancelled' AND active_slot IS NOT NULL"),
        }
    problems = {}
    for name, query in queries.items():
        cursor.execute(query)
        rows = cursor.fetchall()
        if rows:
            problems[name] = rows[:5]
    return problems


@unittest.skipUnless(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "concurrency is proven on PostgreSQL")
class BookingConcurrencyTestCase(DatabaseTestCase):
    "Concurrent bookings of one slot"
    module = 'sakai_counseling'
    japanese = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_line()
        cls.enterClassContext(unittest.mock.patch.dict(os.environ, {
                    'SAKAI_LINE_CHANNEL_SECRET': SECRET,
                    }))

    def tearDown(self):
        with Transaction().start(DB_NAME, 0):
            self.assertEqual(consistency_problems(), {})

    @with_transaction()
    def setup_slots(self):
        "Two counselor slots tomorrow evening at 20:00 and 21:00"
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Configuration = pool.get('line.configuration')
        configuration = Configuration(1)
        configuration.channel_access_token = 'token'
        configuration.endpoint = self.line.url
        configuration.save()
        counselor = staff_user('counselor', 'counselor', name="相談員")
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
        (start, end), (other, _) = self.setup_slots()
        data = 'bk?a=book&k=career&m=chat&t=%s&e=%s' % (
            start.strftime('%Y%m%d%H%M'), end.strftime('%Y%m%d%H%M'))
        users = [line_webhook.random_user_id() for _ in range(ATTEMPTS)]
        barrier = threading.Barrier(ATTEMPTS)

        def post(event):
            return post_webhook(line_webhook.body([event]), SECRET)

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

    # -- slots created at once -----------------------------------------

    @with_transaction()
    def setup_slot_race(self):
        """A counselor, a coordinator, clients to book, and a slot far
        away that one session moves into each trial's week"""
        Slot = Pool().get('counseling.slot')
        counselor = staff_user('race_counselor', 'counselor',
            name="競合 相談員")
        coordinator = staff_user('race_coordinator', 'coordinator',
            name="競合 調整役")
        clients = [create_client("相談者 %d" % i, registered_on=FIRST_MONDAY)
            for i in range(SESSIONS)]
        movable = Slot.create([{
                    'counselor': counselor.id,
                    'start': jst(FIRST_MONDAY - dt.timedelta(days=7 * t), 20),
                    'end': jst(FIRST_MONDAY - dt.timedelta(days=7 * t), 21),
                    } for t in range(1, TRIALS + 1)])
        Transaction().commit()
        return (counselor.id, coordinator.id, [c.id for c in clients],
            [s.id for s in movable])

    def run_sessions(self, user, works):
        """Run each work in its own thread and transaction at the same
        moment, as the RPC dispatcher does (a retry on a lock or
        serialisation failure); return each one's refusal or None"""
        barrier = threading.Barrier(len(works))
        retry = config.getint('database', 'retry')

        def session(work):
            for attempt in range(retry + 1):
                with Transaction().start(DB_NAME, user,
                        context={'language': 'ja'}) as transaction:
                    try:
                        run = work()
                        if not attempt:
                            barrier.wait(timeout=60)
                        run()
                    except backend.DatabaseOperationalError:
                        if attempt == retry:
                            raise
                        transaction.rollback()
                        continue
                    except UserError as exception:
                        transaction.rollback()
                        return exception.message
                    transaction.commit()
                return None

        with ThreadPoolExecutor(max_workers=len(works)) as executor:
            return list(executor.map(session, works))

    def week_slots(self, counselor, monday, noon=False):
        """(start, end) of the counselor's slots in the evenings of the
        week (18:00 to 01:00), or at noon on Monday"""
        Slot = Pool(DB_NAME).get('counseling.slot')
        if noon:
            start, end = jst(monday, 6), jst(monday, 18)
        else:
            start, end = jst(monday, 18), jst(monday, 24 * 7 + 6)
        return [(s.start, s.end) for s in Slot.search([
                    ('counselor', '=', counselor),
                    ('start', '>=', start),
                    ('start', '<', end),
                    ])]

    def test_slots_created_at_once(self):
        """Coordinators create one counselor's week of slots at once,
        twenty times: each slot exists once; those who came second are
        told in Japanese and nothing of theirs is left half-made"""
        counselor, coordinator, clients, movable = self.setup_slot_race()
        pool = Pool(DB_NAME)
        Generate = pool.get('counseling.slot.generate', type='wizard')
        Slot = pool.get('counseling.slot')
        Booking = pool.get('counseling.booking')
        duplicated = 0
        for trial in range(TRIALS):
            monday = FIRST_MONDAY + dt.timedelta(days=7 * trial)

            def generate():
                session_id, _, _ = Generate.create()
                wizard = Generate(session_id)
                start = wizard.start
                start.counselor = counselor
                start.from_date = monday
                start.to_date = monday + dt.timedelta(days=6)
                start.weekdays = [str(d) for d in range(7)]
                start.from_time = dt.time(18)
                start.to_time = dt.time(1)
                start.minutes = 60
                start.methods = ['chat', 'phone']
                start.kinds = ['career']
                return wizard.transition_generate

            def create_one():
                # At noon a coordinator saves one slot by hand (a plain RPC
                # create) ...
                def run():
                    with Transaction().set_context(_check_access=True):
                        Slot.create([{'counselor': counselor,
                                    'start': jst(monday, 12),
                                    'end': jst(monday, 13)}])
                return run

            def move_one():
                # ... while another moves a slot of the counselor over it
                def run():
                    with Transaction().set_context(_check_access=True):
                        Slot.write([Slot(movable[trial])], {
                                'start': jst(monday, 12) + HALF_HOUR,
                                'end': jst(monday, 13) + HALF_HOUR})
                return run

            works = [generate] * (SESSIONS - 2) + [create_one, move_one]
            refusals = self.run_sessions(coordinator, works)
            with Transaction().start(DB_NAME, 0):
                evenings = self.week_slots(counselor, monday)
                noon = self.week_slots(counselor, monday, noon=True)
                duplicated += len(evenings) - len(set(evenings))
                duplicated += len(noon) - 1
                problems = consistency_problems()
            with self.subTest(trial=trial):
                self.assertEqual(problems, {})
                # One of the hand-made slots, one week of evenings
                self.assertEqual(len(noon), 1)
                self.assertEqual(sorted(set(evenings)), sorted(evenings))
                self.assertEqual(len(evenings), 49)
                # Whoever was refused was told in Japanese what happened
                for refusal in filter(None, refusals):
                    self.assertIn('重な', refusal)
                    self.assertRegex(refusal, '相談枠|空き枠')
            # Running it again completes the week: nothing was half-made
            self.assertEqual(self.run_sessions(coordinator, [generate]),
                [None])
            with Transaction().start(DB_NAME, 0):
                evenings = self.week_slots(counselor, monday)
            with self.subTest(trial=trial, again=True):
                self.assertEqual(len(evenings), 49)
                self.assertEqual(len(set(evenings)), 49)

            # Ten people are booked for Monday 20:00 at once: one gets it
            def book(client):
                def run():
                    with Transaction().set_context(_check_access=True):
                        for slot in Slot.search([
                                    ('counselor', '=', counselor),
                                    ('start', '=', jst(monday, 20)),
                                    ('taken', '=', False),
                                    ]):
                            try:
                                Booking.create([{'slot': slot.id,
                                            'client': client,
                                            'kind': 'career',
                                            'method': 'chat'}])
                                return
                            except SlotTaken:
                                continue
                return lambda: run
            self.run_sessions(coordinator, [book(c) for c in clients])
            with Transaction().start(DB_NAME, 0):
                booked = Booking.search([
                        ('counselor', '=', counselor),
                        ('start', '=', jst(monday, 20)),
                        ('state', '=', 'booked'),
                        ])
                problems = consistency_problems()
            with self.subTest(trial=trial, race='booking'):
                self.assertEqual(len(booked), 1)
                self.assertEqual(problems, {})
        self.assertEqual(duplicated, 0)

    @with_transaction()
    def test_update_removes_raced_copies(self):
        """Updating a database that the race left with copies of slots
        deletes the copies nobody booked and adds the constraint"""
        Slot = Pool().get('counseling.slot')
        cursor = Transaction().connection.cursor()
        table = backend.TableHandler(Slot)
        table.drop_constraint('counselor_no_overlap')
        counselor = staff_user('update_counselor', 'counselor',
            name="更新 相談員")
        day = dt.date(2027, 9, 6)
        slot, = Slot.create([{'counselor': counselor.id,
                    'start': jst(day, 20), 'end': jst(day, 21)}])
        copy = ('INSERT INTO counseling_slot '
            '(counselor, start, "end", taken, methods, kinds, create_uid, '
            'create_date) SELECT counselor, start, "end", taken, methods, '
            'kinds, create_uid, create_date FROM counseling_slot '
            'WHERE id = %s')
        for _ in range(2):
            cursor.execute(copy, (slot.id,))
        self.assertEqual(
            Slot.search_count([('counselor', '=', counselor.id)]), 3)

        Slot.__register__('sakai_counseling')

        self.assertEqual(
            Slot.search([('counselor', '=', counselor.id)]), [slot])
        cursor.execute('SAVEPOINT copy')
        with self.assertRaises(backend.DatabaseIntegrityError):
            cursor.execute(copy, (slot.id,))
        cursor.execute('ROLLBACK TO SAVEPOINT copy')
