# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Counselors' slots, bookings on LINE and in the back office, reminders,
counseling records and the counting rules."""
import contextlib
import datetime as dt
import json
from unittest.mock import patch

from line_standin import webhook as line_webhook

from sakai_line.tests.tools import LineTestCase, staff_user
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..exceptions import BookingError, SlotError, SlotTaken
from .tools import to_utc

# Monday 23 November 2026 is a national holiday (勤労感謝の日)
SUNDAY = dt.date(2026, 11, 22)


def jst(day, hour, minute=0, days=0):
    "Naive UTC of a Japan time"
    return to_utc(dt.datetime.combine(day, dt.time(hour, minute))
        + dt.timedelta(days=days))


@contextlib.contextmanager
def clock(at):
    "Travel in time: now is at (naive UTC) for bookings and slots"
    with patch('sakai_counseling.booking.utcnow', return_value=at), \
            patch('sakai_counseling.slot.utcnow', return_value=at), \
            patch('sakai_counseling.booking_line.utcnow', return_value=at):
        yield


class BookingTestCase(LineTestCase):
    "Bookings"
    module = 'sakai_counseling'
    japanese = True

    # -- helpers ------------------------------------------------------------

    def counselor(self, login='counselor'):
        User = Pool().get('res.user')
        users = User.search([('login', '=', login)])
        if users:
            return users[0]
        return staff_user(login, 'counselor', name=login.title())

    def slot(self, start, minutes=60, counselor=None, **values):
        Slot = Pool().get('counseling.slot')
        slot = Slot(counselor=counselor or self.counselor(), start=start,
            end=start + dt.timedelta(minutes=minutes), **values)
        slot.save()
        return slot

    def receive(self, *events):
        Event = Pool().get('line.event')
        data = json.loads(line_webhook.body(list(events)))
        Event.receive(data['events'])
        Event.process(Event.search([('state', '=', 'pending')]))

    def follow(self, user_id):
        "A new friend: greeted with the diagnosis in the free reply"
        self.receive(line_webhook.follow_event(user_id,
                reply_token=self.line.issue_reply_token(user_id)))

    def tap(self, user_id, data):
        self.receive(line_webhook.postback_event(user_id, data,
                reply_token=self.line.issue_reply_token(user_id)))
        return self.line.messages_for(user_id)

    def quick(self, message):
        "{label: data} of a message's quick replies"
        return {i['action']['label']: i['action']['data']
            for i in message['quickReply']['items']}

    def flex_buttons(self, message):
        "{label: data} of the buttons in a Flex carousel"
        buttons = {}
        for bubble in message['contents']['contents']:
            for part in ('body', 'footer'):
                for item in bubble.get(part, {}).get('contents', []):
                    if item['type'] == 'button':
                        action = item['action']
                        buttons[action['label']] = action['data']
        return buttons

    def deliver_pushes(self):
        Message = Pool().get('line.message')
        Message.deliver(Message.search([('state', '=', 'queued')]))

    def book_on_line(self, user_id, kind_label, method_label, time_label):
        "Tap through 相談予約; return the last messages"
        self.tap(user_id, 'menu=booking')
        kinds = self.quick(self.line.messages_for(user_id)[-1])
        self.tap(user_id, kinds[kind_label])
        methods = self.quick(self.line.messages_for(user_id)[-1])
        self.tap(user_id, methods[method_label])
        days = self.quick(self.line.messages_for(user_id)[-1])
        self.tap(user_id, list(days.values())[0])
        times = self.flex_buttons(self.line.messages_for(user_id)[-1])
        self.tap(user_id, times[time_label])
        confirm = self.quick(self.line.messages_for(user_id)[-1])
        return self.tap(user_id, confirm['予約する'])

    # -- slots --------------------------------------------------------------

    @with_transaction()
    def test_slot_hours(self):
        "Slots lie between 06:00 and 01:00 the next day and last ≤ 1 hour"
        self.slot(jst(SUNDAY, 6))
        self.slot(jst(SUNDAY, 0, days=1))  # 00:00-01:00 belongs to Sunday
        for start, minutes in [
                (jst(SUNDAY, 5), 60),
                (jst(SUNDAY, 0, 30, days=1), 60),
                (jst(SUNDAY, 1, days=1), 30),
                (jst(SUNDAY, 10), 90),
                ]:
            with self.subTest(start=start, minutes=minutes):
                with self.assertRaises(SlotError) as cm:
                    self.slot(start, minutes)
                self.assertIn(cm.exception.message[:10],
                    cm.exception.message)

    @with_transaction()
    def test_year_end_closure(self):
        "No counseling from 29 December 01:00 to 3 January, every year"
        for year in [2026, 2027]:
            dec29 = dt.date(year, 12, 29)
            # The evening of the 28th still runs until 01:00
            self.slot(jst(dec29, 0))
            for start in [jst(dec29, 10), jst(dt.date(year + 1, 1, 3), 20)]:
                with self.assertRaises(SlotError):
                    self.slot(start)
            self.slot(jst(dt.date(year + 1, 1, 4), 6))

    @with_transaction()
    def test_face_to_face(self):
        "Face to face only at office hours on days the office is open"
        tuesday = dt.date(2026, 11, 24)
        self.slot(jst(tuesday, 10), methods=['face_to_face', 'chat'])
        for start in [jst(tuesday, 20), jst(SUNDAY, 10),
                jst(dt.date(2026, 11, 23), 10)]:  # 勤労感謝の日
            with self.assertRaises(SlotError):
                self.slot(start, methods=['face_to_face'])
        # The office closes for a day: face to face stops, chat goes on
        Closure = Pool().get('counseling.closure')
        Closure(name="臨時閉所", start=jst(tuesday, 0, days=1),
            end=jst(tuesday, 0, days=2), scope='face_to_face').save()
        wednesday = tuesday + dt.timedelta(days=1)
        with self.assertRaises(SlotError):
            self.slot(jst(wednesday, 11), methods=['face_to_face'])
        self.slot(jst(wednesday, 13), methods=['chat'])

    @with_transaction()
    def test_counselor_not_twice(self):
        "A counselor's slots do not overlap; two counselors may share a time"
        self.slot(jst(SUNDAY, 20))
        with self.assertRaises(SlotError):
            self.slot(jst(SUNDAY, 20, 30), minutes=30)
        self.slot(jst(SUNDAY, 20), counselor=self.counselor('other'))

    @with_transaction()
    def test_generate_slots(self):
        "Slots for evenings of a week at once, skipping what cannot be"
        pool = Pool()
        Generate = pool.get('counseling.slot.generate', type='wizard')
        Slot = pool.get('counseling.slot')
        counselor = self.counselor()
        self.slot(jst(SUNDAY, 20), counselor=counselor)
        session_id, _, _ = Generate.create()
        generate = Generate(session_id)
        generate.start.counselor = counselor
        generate.start.from_date = SUNDAY
        generate.start.to_date = SUNDAY + dt.timedelta(days=1)
        generate.start.weekdays = ['6', '0']
        generate.start.from_time = dt.time(18, 0)
        generate.start.to_time = dt.time(1, 0)
        generate.start.minutes = 60
        generate.start.methods = ['chat', 'face_to_face']
        generate.start.kinds = ['career']
        generate.transition_generate()
        slots = Slot.search([('counselor', '=', counselor.id)])
        # 18:00 to 01:00: 7 a night, less the one already there
        self.assertEqual(len(slots), 14)
        # Evenings: no face to face
        self.assertEqual({tuple(s.methods) for s in slots},
            {('chat',)} | {('chat', 'phone', 'video')})

    # -- booking on LINE ----------------------------------------------------

    @with_transaction()
    def test_book_tonight_on_line(self):
        """A newcomer books counseling for tonight 00:00-01:00 on LINE, is
        told and reminded the day before and an hour before"""
        pool = Pool()
        Booking = pool.get('counseling.booking')
        self.configure()
        slot = self.slot(jst(SUNDAY, 0, days=1))
        self.slot(jst(SUNDAY, 23))
        user_id = line_webhook.random_user_id()
        with clock(jst(SUNDAY, 9)):
            self.follow(user_id)
            self.tap(user_id, 'menu=booking')
            kinds = self.quick(self.line.messages_for(user_id)[-1])
            self.assertEqual(list(kinds), ['キャリア相談', '職業紹介'])
            self.tap(user_id, kinds['キャリア相談'])
            methods = self.quick(self.line.messages_for(user_id)[-1])
            self.assertEqual(list(methods),
                ['チャット', '電話', 'ビデオ通話', '対面'])
            self.tap(user_id, methods['チャット'])
            days = self.quick(self.line.messages_for(user_id)[-1])
            self.assertEqual(list(days), ['今日 11/22(日)'])
            self.tap(user_id, days['今日 11/22(日)'])
            times = self.flex_buttons(self.line.messages_for(user_id)[-1])
            self.assertEqual(list(times), ['23:00〜0:00', '0:00〜1:00'])
            self.tap(user_id, times['0:00〜1:00'])
            confirm = self.line.messages_for(user_id)[-1]
            self.assertIn('11/23(月・祝) 0:00〜1:00（11/22の深夜）',
                confirm['text'])
            confirmed = self.tap(user_id, self.quick(confirm)['予約する'])[-1]
        self.assertIn('ご予約を承りました', confirmed['text'])
        self.assertIn('種類：キャリア相談', confirmed['text'])
        self.assertIn('方法：チャット', confirmed['text'])
        booking, = Booking.search([])
        self.assertEqual(booking.slot, slot)
        self.assertEqual(booking.state, 'booked')
        self.assertEqual(booking.source, 'line')
        self.assertFalse(booking.confirmed)
        self.assertEqual(booking.line_user.line_id, user_id)
        self.assertEqual(booking.day, SUNDAY)
        self.assertTrue(slot.taken)
        self.assertEqual(self.line.calls('pushMessage'), [])

        # Time travel: 18:00 the day before the 23rd, then 23:00
        for at, expected in [
                (jst(SUNDAY, 17, 55), None),
                (jst(SUNDAY, 18), '明日のご予約'),
                (jst(SUNDAY, 18, 5), None),
                (jst(SUNDAY, 22, 55), None),
                (jst(SUNDAY, 23), 'まもなく（1時間後）'),
                (jst(SUNDAY, 23, 30), None),
                ]:
            before = len(self.line.messages_for(user_id))
            with clock(at):
                Booking.send_reminders()
            self.deliver_pushes()
            messages = self.line.messages_for(user_id)[before:]
            with self.subTest(at=at):
                if expected:
                    message, = messages
                    self.assertIn(expected, message['text'])
                    self.assertIn('0:00〜1:00', message['text'])
                else:
                    self.assertEqual(messages, [])
        self.assertEqual(self.line.invalid, [])

    @with_transaction()
    def test_booked_late_reminded_once(self):
        "Booked after 18:00 for tonight: only the hour-before reminder"
        Booking = Pool().get('counseling.booking')
        self.configure()
        self.slot(jst(SUNDAY, 0, days=1))
        user_id = line_webhook.random_user_id()
        with clock(jst(SUNDAY, 21)):
            self.follow(user_id)
            self.book_on_line(user_id, 'キャリア相談', 'チャット', '0:00〜1:00')
        for at in [jst(SUNDAY, 21, 30), jst(SUNDAY, 23)]:
            with clock(at):
                Booking.send_reminders()
        booking, = Booking.search([])
        self.assertIsNone(booking.reminded_day_before)
        self.assertEqual(booking.reminded_hour_before, jst(SUNDAY, 23))

    @with_transaction()
    def test_job_introduction_after_counseling(self):
        """Job introduction is offered once a counseling record marks the
        person's direction clear"""
        pool = Pool()
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        LineUser = pool.get('line.user')
        self.configure()
        self.slot(jst(SUNDAY, 20), kinds=['career'])
        self.slot(jst(SUNDAY, 21), kinds=['job_introduction'])
        user_id = line_webhook.random_user_id()
        with clock(jst(SUNDAY, 9)):
            self.follow(user_id)
            self.tap(user_id, 'menu=booking')
            kinds = self.quick(self.line.messages_for(user_id)[-1])
            answer = self.tap(user_id, kinds['職業紹介'])[-1]
            self.assertIn('まずはキャリア相談', answer['text'])
            self.assertEqual(list(self.quick(answer)), ['キャリア相談を予約'])
            # A forged postback is refused just the same
            self.tap(user_id, 'bk?a=book&k=job_introduction&m=chat'
                '&t=202611221200&e=202611221300')
            self.assertIn('まずはキャリア相談',
                self.line.messages_for(user_id)[-1]['text'])
            self.assertEqual(Booking.search([]), [])

            self.book_on_line(user_id, 'キャリア相談', 'チャット',
                '20:00〜21:00')
            booking, = Booking.search([])
            # The counselor writes the record; the direction is not clear
            record = Record.from_booking(booking)
            record.save()
            self.assertEqual(len(record.steps), 6)
            Record.complete([record])
            self.assertEqual(booking.state, 'done')
            self.assertFalse(Booking.job_introduction_open(
                    line_user=LineUser(booking.line_user.id)))
            answer = self.tap(user_id, kinds['職業紹介'])[-1]
            self.assertIn('まずはキャリア相談', answer['text'])

            # Found clear after all: a completed record is amended, not
            # reopened
            pool.get('counseling.record.amendment').create([{
                        'record': record.id, 'reason': "追記",
                        'text': "事務職をめざすことがはっきりした。",
                        'direction_clear': True}])
            answer = self.tap(user_id, kinds['職業紹介'])[-1]
            self.assertIn('チャット', self.quick(answer))
            self.book_on_line(user_id, '職業紹介', 'チャット', '21:00〜22:00')
        self.assertEqual(
            [b.kind for b in Booking.search([], order=[('start', 'ASC')])],
            ['career', 'job_introduction'])

    @with_transaction()
    def test_taken_meanwhile(self):
        "A time booked by someone else meanwhile: a clear message, new times"
        Booking = Pool().get('counseling.booking')
        self.configure()
        self.slot(jst(SUNDAY, 20))
        self.slot(jst(SUNDAY, 21))
        first, second = (line_webhook.random_user_id() for _ in range(2))
        with clock(jst(SUNDAY, 9)):
            for user_id in [first, second]:
                self.follow(user_id)
            # The first person reaches the confirmation ...
            self.tap(first, 'menu=booking')
            self.tap(first, self.quick(self.line.messages_for(first)[-1])[
                    'キャリア相談'])
            self.tap(first, self.quick(self.line.messages_for(first)[-1])[
                    'チャット'])
            days = self.quick(self.line.messages_for(first)[-1])
            self.tap(first, list(days.values())[0])
            times = self.flex_buttons(self.line.messages_for(first)[-1])
            self.tap(first, times['20:00〜21:00'])
            confirm = self.quick(self.line.messages_for(first)[-1])
            # ... the second books the same time ...
            self.book_on_line(second, 'キャリア相談', 'チャット', '20:00〜21:00')
            # ... and the first is told and shown what is left
            hint, fresh = self.tap(first, confirm['予約する'])[-2:]
        self.assertIn('たった今ほかの方のご予約が入りました', hint['text'])
        self.assertEqual(list(self.flex_buttons(fresh)), ['21:00〜22:00'])
        booking, = Booking.search([])
        self.assertEqual(booking.line_user.line_id, second)

    @with_transaction()
    def test_change_and_cancel_on_line(self):
        "The person changes the time, then cancels, from 相談予約"
        Booking = Pool().get('counseling.booking')
        self.configure()
        first_slot = self.slot(jst(SUNDAY, 20))
        second_slot = self.slot(jst(SUNDAY, 21))
        user_id = line_webhook.random_user_id()
        with clock(jst(SUNDAY, 9)):
            self.follow(user_id)
            self.book_on_line(user_id, 'キャリア相談', 'チャット',
                '20:00〜21:00')
            mine, kinds = self.tap(user_id, 'menu=booking')[-2:]
            self.assertIn('20:00〜21:00', json.dumps(
                    mine, ensure_ascii=False))
            buttons = self.flex_buttons(mine)
            self.tap(user_id, buttons['日時を変更する'])
            methods = self.quick(self.line.messages_for(user_id)[-1])
            self.tap(user_id, methods['チャット'])
            days = self.quick(self.line.messages_for(user_id)[-1])
            self.tap(user_id, list(days.values())[0])
            times = self.flex_buttons(self.line.messages_for(user_id)[-1])
            self.assertEqual(list(times), ['21:00〜22:00'])
            self.tap(user_id, times['21:00〜22:00'])
            confirm = self.quick(self.line.messages_for(user_id)[-1])
            changed = self.tap(user_id, confirm['予約する'])[-1]
            self.assertIn('ご予約を変更しました', changed['text'])
            old, new = Booking.search([], order=[('start', 'ASC')])
            self.assertEqual(
                (old.state, old.cancelled_by, new.state),
                ('cancelled', 'person', 'booked'))
            self.assertFalse(first_slot.taken)
            self.assertTrue(second_slot.taken)

            mine = self.tap(user_id, 'menu=booking')[-2]
            self.tap(user_id, self.flex_buttons(mine)['キャンセルする'])
            ask = self.quick(self.line.messages_for(user_id)[-1])
            done = self.tap(user_id, ask['キャンセルする'])[-1]
            self.assertIn('キャンセルしました', done['text'])
            # Someone else's booking cannot be touched
            self.tap(user_id, 'bk?a=cancelok&b=%d' % old.id)
        self.assertEqual(Booking(new.id).state, 'cancelled')
        self.assertFalse(second_slot.taken)
        self.assertEqual(self.line.calls('pushMessage'), [])

    @with_transaction()
    def test_staff_book_move_cancel(self):
        "Staff book, move and cancel; the person is told on LINE each time"
        pool = Pool()
        Booking = pool.get('counseling.booking')
        LineUser = pool.get('line.user')
        self.configure()
        first_slot = self.slot(jst(SUNDAY, 20))
        second_slot = self.slot(jst(SUNDAY, 21))
        user = self.follower()
        with clock(jst(SUNDAY, 9)):
            booking, = Booking.create([{
                        'slot': first_slot.id, 'kind': 'career',
                        'method': 'phone', 'line_user': user.id}])
            self.assertTrue(booking.confirmed)
            with self.assertRaises(SlotTaken):
                Booking.create([{'slot': first_slot.id,
                            'line_user': self.follower().id}])
            Booking.write([booking], {'slot': second_slot.id})
            self.assertEqual(booking.start, second_slot.start)
            self.assertFalse(first_slot.taken)
            self.assertTrue(second_slot.taken)
            Booking.cancel([booking])
        self.deliver_pushes()
        texts = [m['text'] for m in self.line.messages_for(user.line_id)]
        self.assertEqual(len(texts), 3)
        self.assertIn('ご予約をお取りしました', texts[0])
        self.assertIn('方法：電話', texts[0])
        self.assertIn('日時を変更しました', texts[1])
        self.assertIn('21:00〜22:00', texts[1])
        self.assertIn('キャンセルさせていただきました', texts[2])
        self.assertEqual(booking.cancelled_by, 'staff')
        self.assertFalse(second_slot.taken)
        self.assertIsNone(LineUser(user.id).client())

    @with_transaction()
    def test_no_show_and_counting(self):
        "No-shows and cancellations are not consultations; people count once"
        pool = Pool()
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        Party = pool.get('party.party')
        client = Party(name="山田 花子", is_client=True,
            household='single_mother', registered_on=SUNDAY)
        client.save()
        slots = [self.slot(jst(SUNDAY, h)) for h in (18, 19, 20, 21)]
        with clock(jst(SUNDAY, 9)):
            bookings = Booking.create([{'slot': s.id, 'client': client.id}
                    for s in slots])
        Booking.no_show(bookings[:1])
        Booking.cancel(bookings[1:2])
        for booking in bookings[2:]:
            record = Record.from_booking(booking)
            record.save()
            Record.complete([record])
        start, end = jst(SUNDAY, 0), jst(SUNDAY, 0, days=1)
        self.assertEqual(Record.count_consultations(start, end), 2)
        self.assertEqual(Record.count_users(start, end), 1)
        self.assertEqual(Record.count_users(start, end, 'job_introduction'),
            0)
        self.assertEqual([b.state for b in bookings],
            ['no_show', 'cancelled', 'done', 'done'])
        with self.assertRaises(BookingError):
            Booking.delete(bookings[:1])
        with self.assertRaises(ValidationError):
            Record.delete(Record.search([]))
