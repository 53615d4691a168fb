# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The rules of a booking and a slot hold whoever calls.

The form shows a booking's counselor, times and state read-only, but the
client alone does not hold that: here a coordinator calls the model as the
web client or a script does through RPC (access checked), and is refused in
Japanese with nothing changed.  The booking's own code (moving to another
slot, the workflow's buttons) still works.
"""
import datetime as dt
from contextlib import contextmanager

from sakai_line.tests.tools import (
    DatabaseTestCase, as_user, staff_user, staff_users)
from trytond.exceptions import UserError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import create_client, to_local, to_utc

SUNDAY = dt.date(2026, 11, 22)


def jst(day, hour, minute=0, days=0):
    "Naive UTC of a Japan time"
    return to_utc(dt.datetime.combine(day, dt.time(hour, minute))
        + dt.timedelta(days=days))


class BookingRulesTestCase(DatabaseTestCase):
    "Booking and slot rules held by the server"
    module = 'sakai_counseling'
    japanese = True

    # -- helpers ------------------------------------------------------------

    def prepare(self):
        """Staff (a coordinator, a counselor, a manager), another counselor
        and two clients"""
        self.users = staff_users(['coordinator', 'counselor', 'manager'])
        self.other = staff_user('other', 'counselor', name="西村 恵")
        self.clients = [create_client(name, registered_on=SUNDAY)
            for name in ["佐藤 花子", "鈴木 理恵"]]

    def slot(self, hour, counselor=None, **values):
        Slot = Pool().get('counseling.slot')
        slot, = Slot.create([dict({
                        'counselor': counselor or self.users['counselor'],
                        'start': jst(SUNDAY, hour),
                        'end': jst(SUNDAY, hour) + dt.timedelta(hours=1),
                        }, **values)])
        return slot

    def book(self, slot, client=0, **values):
        "A coordinator books the slot for a client, as the form does"
        Booking = Pool().get('counseling.booking')
        with self.coordinator():
            booking, = Booking.create([dict({'slot': slot.id,
                            'client': self.clients[client].id,
                            'kind': 'career', 'method': 'phone'}, **values)])
        return booking

    def coordinator(self):
        return self.as_staff('coordinator')

    @contextmanager
    def as_staff(self, group):
        "Call as the group's user through RPC would, reading Japanese"
        with as_user(self.users[group]), \
                Transaction().set_context(language='ja'):
            yield

    def refused(self, call, *texts):
        """call is refused with a Japanese message holding texts; return
        the message"""
        with self.assertRaises(UserError) as cm:
            call()
        message = cm.exception.message
        for text in texts:
            self.assertIn(text, message)
        self.assertFalse(message.isascii(), message)
        return message

    def refused_after_write(self, call, *texts):
        """As refused, for the booking's own code, whose checks run after
        the row is written: the transaction is rolled back as the server
        rolls back a refused call"""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        cursor.execute('SAVEPOINT refused')
        try:
            with transaction.set_context(language='ja'):
                return self.refused(call, *texts)
        finally:
            cursor.execute('ROLLBACK TO SAVEPOINT refused')
            # Forget what was read of the rolled back values
            for cache in transaction.cache.values():
                cache.clear()
            transaction.counter += 1

    def snapshot(self, record, names):
        "The record's values in the database"
        return record.__class__.read([record.id], names)[0]

    # -- bookings -------------------------------------------------------------

    BOOKING_FIELDS = ['counselor', 'start', 'end', 'slot', 'active_slot',
        'state', 'kind', 'method', 'client', 'confirmed', 'source',
        'booked_at', 'cancelled_at']

    @with_transaction()
    def test_booking_times_and_counselor(self):
        """A booking two hours long, at 02:00, in the year-end closure or
        with another counselor is refused: its times are its slot's"""
        Booking = Pool().get('counseling.booking')
        self.prepare()
        booking = self.book(self.slot(20))
        before = self.snapshot(booking, self.BOOKING_FIELDS)
        year_end = jst(dt.date(2026, 12, 30), 20)
        for values in [
                {'end': booking.start + dt.timedelta(hours=2)},
                {'start': jst(SUNDAY, 2, days=1),
                    'end': jst(SUNDAY, 3, days=1)},
                {'start': year_end, 'end': year_end + dt.timedelta(hours=1)},
                {'counselor': self.other.id},
                ]:
            with self.subTest(values=values), self.coordinator():
                self.refused(lambda: Booking.write([booking], values),
                    '予約の相談員と日時は空き枠のものです')
            self.assertEqual(self.snapshot(booking, self.BOOKING_FIELDS),
                before)
        # Nor can the booking's own code make it disagree with its slot
        self.refused_after_write(lambda: Booking.write([booking], {
                    'end': booking.start + dt.timedelta(hours=2)}),
            '空き枠', '一致している必要があります')
        self.assertEqual(self.snapshot(booking, self.BOOKING_FIELDS), before)

    @with_transaction()
    def test_booking_moves_through_its_slot(self):
        """Choosing another slot moves a booking, counselor and times
        with it; a slot that does not offer its method is refused"""
        Booking = Pool().get('counseling.booking')
        self.prepare()
        first = self.slot(20)
        other = self.slot(21, counselor=self.other.id)
        chat_only = self.slot(22, methods=['chat'])
        booking = self.book(first)
        with self.coordinator():
            Booking.write([booking], {'slot': other.id})
        self.assertEqual(
            (booking.counselor, booking.start, booking.end),
            (other.counselor, other.start, other.end))
        self.assertEqual((first.taken, other.taken), (False, True))
        before = self.snapshot(booking, self.BOOKING_FIELDS)
        with self.coordinator():
            self.refused(lambda: Booking.write([booking], {
                        'slot': chat_only.id}), '22:00')
            self.refused(lambda: Booking.write([booking], {
                        'method': 'video', 'slot': chat_only.id}),
                '22:00')
        self.assertEqual(self.snapshot(booking, self.BOOKING_FIELDS), before)
        with self.coordinator():
            Booking.write([booking], {'method': 'chat', 'slot': chat_only.id})
        self.assertEqual(booking.start, chat_only.start)
        # Changing the method alone: the slot must offer it
        with self.coordinator():
            self.refused(lambda: Booking.write([booking],
                    {'method': 'phone'}), '22:00')
        self.assertEqual(Booking(booking.id).method, 'chat')

    @with_transaction()
    def test_state_through_buttons_only(self):
        """Writing the state is refused; a cancelled booking whose slot was
        booked again cannot be revived"""
        Booking = Pool().get('counseling.booking')
        self.prepare()
        slot = self.slot(20)
        cancelled = self.book(slot)
        with self.coordinator():
            Booking.cancel([cancelled])
        again = self.book(slot, client=1)
        before = self.snapshot(cancelled, self.BOOKING_FIELDS)
        for state in ['booked', 'no_show', 'done']:
            with self.subTest(state=state), self.coordinator():
                self.refused(
                    lambda: Booking.write([cancelled], {'state': state}),
                    '予約の状態は直接書き換えられません')
        self.assertEqual(self.snapshot(cancelled, self.BOOKING_FIELDS),
            before)
        # Nor by the code: a live booking holds its slot
        self.refused_after_write(
            lambda: Booking.write([cancelled], {'state': 'booked'}),
            '一致している必要があります')
        self.assertEqual(
            Booking.search([('slot', '=', slot.id),
                    ('state', '!=', 'cancelled')]), [again])
        # A booking is not created in another state either
        with self.coordinator():
            self.refused(lambda: Booking.create([{
                            'slot': self.slot(21).id,
                            'client': self.clients[0].id,
                            'state': 'done'}]),
                '予約の状態は直接書き換えられません')

    @with_transaction()
    def test_system_fields(self):
        "What the system records cannot be written, nor given at creation"
        Booking = Pool().get('counseling.booking')
        self.prepare()
        slot = self.slot(20)
        booking = self.book(slot)
        other_slot = self.slot(21)
        before = self.snapshot(booking, self.BOOKING_FIELDS)
        for values, label in [
                ({'confirmed': False}, '「確認済み」'),
                ({'source': 'line'}, '「予約経路」'),
                ({'active_slot': other_slot.id}, '「確保中の枠」'),
                ({'booked_at': dt.datetime(2026, 1, 1)}, '「予約日時」'),
                ({'cancelled_at': dt.datetime(2026, 1, 1),
                        'cancelled_by': 'person'},
                    '「キャンセル日時」、「キャンセルした人」'),
                ({'reminded_hour_before': dt.datetime(2026, 1, 1)},
                    '「1時間前リマインド送信」'),
                ]:
            with self.subTest(values=values), self.coordinator():
                self.refused(lambda: Booking.write([booking], values),
                    label, 'システムが記録する項目')
        self.assertEqual(self.snapshot(booking, self.BOOKING_FIELDS), before)
        with self.coordinator():
            self.refused(lambda: Booking.create([{
                            'slot': other_slot.id,
                            'client': self.clients[1].id,
                            'source': 'line', 'confirmed': False}]),
                '「予約経路」')
            self.refused(lambda: Booking.create([{
                            'slot': other_slot.id,
                            'client': self.clients[1].id,
                            'start': jst(SUNDAY, 2, days=1)}]),
                '予約の相談員と日時は空き枠のものです')
        self.assertFalse(Booking.search([('slot', '=', other_slot.id)]))
        # The note stays the staff's to write, along with unchanged values
        # a client may resend
        with self.coordinator():
            Booking.write([booking], {'note': "電話で確認済み",
                    'state': 'booked', 'source': 'staff',
                    'counselor': booking.counselor.id,
                    'start': booking.start, 'end': booking.end})
        self.assertEqual(booking.note, "電話で確認済み")

    @with_transaction()
    def test_frozen_once_not_booked(self):
        """Kind, method, slot and person of a booking no longer booked are
        what happened: they are not changed afterwards"""
        Booking = Pool().get('counseling.booking')
        self.prepare()
        slot = self.slot(20)
        free = self.slot(21)
        booking = self.book(slot)
        with self.coordinator():
            Booking.no_show([booking])
            Booking.undo_no_show([booking])
            Booking.cancel([booking])
        self.assertEqual(booking.state, 'cancelled')
        before = self.snapshot(booking, self.BOOKING_FIELDS)
        for values in [{'kind': 'job_introduction'}, {'method': 'chat'},
                {'slot': free.id}, {'client': self.clients[1].id}]:
            with self.subTest(values=values), self.coordinator():
                self.refused(lambda: Booking.write([booking], values),
                    '「キャンセル」のため', 'もう変更できません')
        self.assertEqual(self.snapshot(booking, self.BOOKING_FIELDS), before)
        self.assertFalse(free.taken)
        # The booking's own code does not move it back into a slot either
        self.refused_after_write(
            lambda: Booking.write([booking], {'slot': free.id}),
            '予約中ではないため')
        # A reason can still be noted
        with self.coordinator():
            Booking.write([booking], {'cancel_reason': "体調不良"})

    @with_transaction()
    def test_refused_buttons_in_japanese(self):
        """A button that cannot be pressed now, or by this group, answers
        in Japanese and does not name the button's code"""
        Booking = Pool().get('counseling.booking')
        self.prepare()
        booking = self.book(self.slot(20))
        with self.coordinator():
            message = self.refused(lambda: Booking.undo_no_show([booking]),
                '今の状態ではこの操作ができません')
        self.assertNotIn('undo_no_show', message)
        with self.as_staff('manager'):
            message = self.refused(lambda: Booking.cancel([booking]),
                'この操作を行う権限がありません')
        self.assertNotIn('cancel', message)
        self.assertEqual(Booking(booking.id).state, 'booked')
        with self.coordinator():
            Booking.cancel([booking])
            message = self.refused(lambda: Booking.cancel([booking]),
                '今の状態ではこの操作ができません')
        self.assertNotIn('cancel', message)

    # -- slots ----------------------------------------------------------------

    SLOT_FIELDS = ['counselor', 'start', 'end', 'taken', 'methods', 'kinds']

    @with_transaction()
    def test_taken_slot_stays(self):
        """A slot with a booking cannot be marked free, moved, given to
        another counselor or deleted while the booking holds it"""
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Booking = pool.get('counseling.booking')
        self.prepare()
        slot = self.slot(20)
        booking = self.book(slot)
        before = self.snapshot(slot, self.SLOT_FIELDS)
        with self.coordinator():
            self.refused(lambda: Slot.write([slot], {'taken': False}),
                '「予約済み」', '変更できません')
            for values in [
                    {'start': jst(SUNDAY, 21), 'end': jst(SUNDAY, 22)},
                    {'counselor': self.other.id},
                    ]:
                with self.subTest(values=values):
                    self.refused(lambda: Slot.write([slot], values),
                        '予約が入っているため')
            self.refused(lambda: Slot.delete([slot]), '予約があります')
            # Checked once written, like every rule of a slot's values
            self.refused_after_write(
                lambda: Slot.write([slot], {'methods': ['chat']}),
                'の相談の種類・方法を外せません')
        self.assertEqual(self.snapshot(slot, self.SLOT_FIELDS), before)
        with self.coordinator():
            # Resent unchanged, they pass
            Slot.write([slot], {'taken': True, 'start': slot.start,
                    'end': slot.end, 'counselor': slot.counselor.id})
        # Whoever calls
        self.refused_after_write(lambda: Slot.write([slot], {
                    'start': jst(SUNDAY, 21), 'end': jst(SUNDAY, 22)}),
            '予約が入っているため')
        self.assertEqual(self.snapshot(slot, self.SLOT_FIELDS), before)
        self.assertEqual(
            (booking.counselor, booking.start), (slot.counselor, slot.start))
        # Once the booking is cancelled the slot is free to change
        with self.coordinator():
            Booking.cancel([booking])
            Slot.write([slot], {'start': jst(SUNDAY, 21),
                    'end': jst(SUNDAY, 22)})
            self.refused(lambda: Slot.create([{
                            'counselor': self.users['counselor'],
                            'start': jst(SUNDAY, 18),
                            'end': jst(SUNDAY, 19), 'taken': True}]),
                '「予約済み」')

    @with_transaction()
    def test_closure_over_bookings(self):
        "A closure is not laid over people's coming bookings"
        pool = Pool()
        Closure = pool.get('counseling.closure')
        self.prepare()
        start = to_utc(dt.datetime.combine(
                dt.date.today() + dt.timedelta(days=30), dt.time(10)))
        slot = self.slot(10, start=start,
            end=start + dt.timedelta(hours=1))
        self.book(slot)
        closure = {'name': "臨時休業", 'start': start - dt.timedelta(hours=2),
            'end': start + dt.timedelta(hours=8)}
        with self.coordinator():
            self.refused(lambda: Closure.create([closure]),
                "臨時休業", "1件", to_local(start).strftime('%Y-%m-%d %H:%M'))
            # face-to-face only: the phone booking goes on
            Closure.create([dict(closure, scope='face_to_face')])

    @with_transaction()
    def test_slots_do_not_overlap(self):
        """A counselor's slots do not overlap, saved one by one, together
        or moved: the message names both"""
        Slot = Pool().get('counseling.slot')
        self.prepare()
        self.slot(20)
        counselor = self.users['counselor']
        with self.coordinator():
            self.refused(lambda: Slot.create([{'counselor': counselor,
                            'start': jst(SUNDAY, 20, 30),
                            'end': jst(SUNDAY, 21, 30)}]),
                '2026-11-22 20:30-21:30', '2026-11-22 20:00-21:00')
            self.refused(lambda: Slot.create([{'counselor': counselor,
                            'start': jst(SUNDAY, 18, m),
                            'end': jst(SUNDAY, 19, m)}
                        for m in (0, 30)]),
                '2026-11-22 18:00-19:00', '2026-11-22 18:30-19:30')
            slot, = Slot.create([{'counselor': counselor,
                        'start': jst(SUNDAY, 22), 'end': jst(SUNDAY, 23)}])
            self.refused(lambda: Slot.write([slot], {
                        'start': jst(SUNDAY, 20, 30),
                        'end': jst(SUNDAY, 21, 30)}),
                '重なっています')
            # Two slots moved to one time at once
            later, = Slot.create([{'counselor': counselor,
                        'start': jst(SUNDAY, 23),
                        'end': jst(SUNDAY, 0, days=1)}])
            self.refused(lambda: Slot.write([slot, later], {
                        'start': jst(SUNDAY, 18), 'end': jst(SUNDAY, 19)}),
                '2026-11-22 18:00-19:00', '重なっています')
        self.assertEqual(
            [(s.start, s.end) for s in Slot.search(
                    [('counselor', '=', counselor)])],
            [(jst(SUNDAY, 20), jst(SUNDAY, 21)),
                (jst(SUNDAY, 22), jst(SUNDAY, 23)),
                (jst(SUNDAY, 23), jst(SUNDAY, 0, days=1))])
