# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""What staff see on their first day: people named by their LINE reference
and nickname, buttons with their Japanese text, the 「今日」 tab following
the counseling day in Japan, each group's first tab of 相談者 showing what
the group works with, and the slot wizard saying how many it will make."""
import datetime as dt
import types
from unittest.mock import patch

from lxml import etree

from sakai_line.tests.tools import (
    LineTestCase, as_user, staff_user, staff_users)
from trytond import pyson
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import to_utc

# Friday 4 December 2026; its counseling day runs to 01:00 on the 5th
FRIDAY = dt.date(2026, 12, 4)
SATURDAY = FRIDAY + dt.timedelta(days=1)


def client_clock(now):
    """The datetime module as a client whose clock is in UTC sees it at now
    (naive UTC), for evaluating PYSON"""
    class Date(dt.date):
        @classmethod
        def today(cls):
            return now.date()
    return types.SimpleNamespace(**{**vars(dt), 'date': Date})


def jst(day, hour, minute=0):
    "Naive UTC of a Japan time"
    return to_utc(dt.datetime.combine(day, dt.time(hour, minute)))


class StaffScreensTestCase(LineTestCase):
    "Staff screens"
    module = 'sakai_counseling'
    japanese = True

    def counselor(self, login='counselor1'):
        return staff_user(login, 'counselor', name=login.title())

    def slot(self, start, counselor, minutes=60):
        Slot = Pool().get('counseling.slot')
        slot = Slot(counselor=counselor, start=start,
            end=start + dt.timedelta(minutes=minutes), methods=['chat'],
            kinds=['career'])
        slot.save()
        return slot

    def book(self, slot, line_user):
        Booking = Pool().get('counseling.booking')
        booking, = Booking.create([{'slot': slot.id, 'kind': 'career',
                    'method': 'chat', 'line_user': line_user.id}])
        return booking

    # -- (a) people named by reference and nickname ----------------------

    @with_transaction()
    def test_booking_names_line_friend(self):
        "Bookings and the calendar name a LINE friend by reference, nickname"
        pool = Pool()
        LineUser = pool.get('line.user')
        Booking = pool.get('counseling.booking')
        counselor = self.counselor()
        user = self.follower()
        booking = self.book(self.slot(jst(FRIDAY, 20), counselor), user)
        self.assertEqual(booking.person, user.reference)
        self.assertNotIn(user.line_id[:6], booking.title)
        LineUser.write([user], {'nickname': "さくら"})
        booking = Booking(booking.id)
        self.assertIn('%s (さくら)' % user.reference, booking.title)
        self.assertIn('%s (さくら)' % user.reference, booking.rec_name)
        self.assertEqual(
            Booking.search([('person', 'ilike', '%さくら%')]), [booking])
        self.assertEqual(
            Booking.search([('person', 'ilike', user.reference)]), [booking])

    # -- (b) buttons with their text -------------------------------------

    @with_transaction()
    def test_buttons_have_japanese_text(self):
        "Every button of our form views shows its text, in Japanese"
        pool = Pool()
        View = pool.get('ir.ui.view')
        views = View.search([
                ('module', 'like', 'sakai_%'),
                ('type', '=', 'form'),
                ('inherit', '=', None),
                ])
        seen = set()
        with Transaction().set_context(language='ja'):
            for view in views:
                Model = pool.get(view.model)
                arch = Model.fields_view_get(view_id=view.id)['arch']
                for button in etree.fromstring(arch).iter('button'):
                    name = '%s.%s' % (view.model, button.get('name'))
                    seen.add(name)
                    with self.subTest(button=name):
                        text = button.get('string') or ''
                        self.assertTrue(text.strip(), "no text")
                        self.assertFalse(text.isascii(), "not translated")
        self.assertIn('counseling.booking.no_show', seen)
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        with Transaction().set_context(language='ja'):
            texts = {}
            for Model in [Booking, Record]:
                arch = Model.fields_view_get(view_type='form')['arch']
                for button in etree.fromstring(arch).iter('button'):
                    texts['%s.%s' % (Model.__name__, button.get('name'))] = (
                        button.get('string'))
        self.assertEqual(texts['counseling.booking.cancel'], "キャンセル")
        self.assertEqual(texts['counseling.booking.confirm'], "確認")
        self.assertEqual(texts['counseling.booking.no_show'], "無断欠席")
        self.assertEqual(
            texts['counseling.booking.write_record'], "相談記録を書く")
        self.assertEqual(texts['counseling.record.complete'], "完了")

    # -- (c) the 「今日」 tab ----------------------------------------------

    @with_transaction()
    def test_today_tab_follows_counseling_day(self):
        """「今日」 lists the counseling day in Japan (06:00 to 01:00 the next
        day), whatever the hour and the server's or browser's clock"""
        pool = Pool()
        Booking = pool.get('counseling.booking')
        ActionWindow = pool.get('ir.action.act_window')
        ModelData = pool.get('ir.model.data')
        counselor = self.counselor()
        evening = self.book(
            self.slot(jst(FRIDAY, 20), counselor), self.follower())
        midnight = self.book(
            self.slot(jst(SATURDAY, 0), counselor), self.follower())
        morning = self.book(
            self.slot(jst(SATURDAY, 10), counselor), self.follower())
        action = ActionWindow(ModelData.get_id(
                'sakai_counseling', 'act_booking_form'))
        (_, domain, count), = [
            d for d in action.domains if d[0] == "Today"]
        self.assertTrue(count)

        friday_day = [evening, midnight]
        saturday_day = [morning]
        for now, expected in [
                (jst(FRIDAY, 7), friday_day),
                (jst(FRIDAY, 23), friday_day),
                (jst(SATURDAY, 0, 30), friday_day),  # still Friday's day
                (jst(SATURDAY, 3), saturday_day),  # the coming day
                (jst(SATURDAY, 8, 30), saturday_day),  # 23:30 UTC on the 4th
                (jst(SATURDAY, 21), saturday_day),
                ]:
            with self.subTest(now=now), \
                    patch('sakai_counseling.booking.utcnow',
                        return_value=now), \
                    patch.object(pyson, 'datetime', client_clock(now)):
                # the client evaluates the tab's PYSON with its own clock
                tab = PYSONDecoder({'_user': Transaction().user}).decode(
                    domain)
                self.assertEqual(Booking.search(tab), expected)
                Transaction().cache.clear()
                self.assertEqual([b for b in Booking.browse(
                            [evening, midnight, morning]) if b.today],
                    expected)

    # -- (d) each group's first tab ----------------------------------------

    @with_transaction()
    def test_client_tabs_per_group(self):
        """相談者 opens on the counselor's own clients, the coordinator's
        clients without a counselor, and all clients for the manager"""
        pool = Pool()
        Party = pool.get('party.party')
        ActionWindow = pool.get('ir.action.act_window')
        ModelData = pool.get('ir.model.data')
        users = staff_users(['counselor', 'coordinator', 'manager'])
        action_id = ModelData.get_id('sakai_counseling', 'act_client_form')
        mine, unassigned = Party.create([
                {'name': "堺 花子", 'is_client': True,
                    'household': 'single_mother',
                    'registered_on': dt.date(2026, 4, 1),
                    'counselor': users['counselor']},
                {'name': "堺 太郎", 'is_client': True,
                    'household': 'single_father',
                    'registered_on': dt.date(2026, 4, 1)},
                ])
        for group, tabs, expected in [
                ('counselor', ["My Clients", "No Counselor", "All"], [mine]),
                ('coordinator', ["No Counselor", "All"], [unassigned]),
                ('manager', ["All"], [mine, unassigned]),
                ]:
            with self.subTest(group=group), as_user(users[group]):
                action = ActionWindow(action_id)
                self.assertEqual([d[0] for d in action.domains], tabs)
                _, domain, _ = action.domains[0]
                domain = PYSONDecoder({'_user': users[group]}).decode(domain)
                self.assertEqual(Party.search([
                            ('is_client', '=', True), domain],
                        order=[('id', 'ASC')]), expected)

    # -- (e) the slot wizard says how many ---------------------------------

    @with_transaction()
    def test_slot_wizard_shows_count(self):
        "The wizard says how many slots it will create, and over which days"
        pool = Pool()
        Generate = pool.get('counseling.slot.generate', type='wizard')
        Slot = pool.get('counseling.slot')
        counselor = self.counselor()
        self.slot(jst(FRIDAY, 20), counselor)
        session_id, _, _ = Generate.create()
        generate = Generate(session_id)
        start = generate.start
        start.counselor = counselor
        start.from_date = FRIDAY
        start.to_date = FRIDAY + dt.timedelta(days=6)
        start.weekdays = ['4', '5']  # Friday, Saturday
        start.from_time = dt.time(18, 0)
        start.to_time = dt.time(1, 0)
        start.minutes = 60
        start.methods = ['chat']
        start.kinds = ['career']
        # 18:00 to 01:00 is 7 a night, two nights, less the one there
        self.assertEqual(start.on_change_with_slot_count(), 13)
        self.assertEqual(start.on_change_with_first_day(), FRIDAY)
        self.assertEqual(start.on_change_with_last_day(), SATURDAY)
        self.assertEqual(len(Slot.search([])), 1)  # nothing made yet
        generate.transition_generate()
        self.assertEqual(
            len(Slot.search([('counselor', '=', counselor.id)])), 14)
        # Asked again, nothing is left to make
        self.assertEqual(start.on_change_with_slot_count(), 0)
        self.assertIsNone(start.on_change_with_first_day())

        # The start view shows the count
        with Transaction().set_context(language='ja'):
            Start = pool.get('counseling.slot.generate.start')
            view = Start.fields_view_get(view_type='form')
        self.assertIn('slot_count', view['fields'])
        self.assertEqual(
            view['fields']['slot_count']['string'], "作成する相談枠の数")
