# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Least privilege: each staff group can do its job and is refused the rest.

Access is checked the way the web client calls the server: as the user,
with access checks on.
"""
import unittest

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)

from sakai_line.tests.tools import as_user, staff_users

GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']


class AccessTestCase(unittest.TestCase):
    "Staff groups and record rules"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('sakai_reports')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    def setUp(self):
        super().setUp()

    def setup_data(self):
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        self.users = staff_users(GROUPS)
        self.client, = Party.create([{
                    'name': "堺 花子", 'is_client': True,
                    'household': 'single_mother',
                    'registered_on': pool.get('ir.date').today()}])
        self.employer, = Party.create([{
                    'name': "株式会社テスト", 'is_employer': True}])
        self.order, = JobOrder.create([{
                    'employer': self.employer.id, 'title': "事務",
                    'wage_min': 1000}])

    def as_user(self, group):
        return as_user(self.users[group])

    def visible_parties(self, group):
        Party = Pool().get('party.party')
        with self.as_user(group):
            return {p.id for p in Party.search([])}

    @with_transaction()
    def test_client_files_visibility(self):
        "Only counselors, coordinators and managers see client files"
        self.setup_data()
        for group in ['counselor', 'coordinator', 'manager']:
            with self.subTest(group=group):
                self.assertIn(self.client.id, self.visible_parties(group))
        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group):
                parties = self.visible_parties(group)
                self.assertNotIn(self.client.id, parties)
                self.assertIn(self.employer.id, parties)

    @with_transaction()
    def test_client_files_writing(self):
        "Only counselors register and change clients"
        Party = Pool().get('party.party')
        self.setup_data()
        with self.as_user('counselor'):
            Party.write([Party(self.client.id)], {'current_work': 'none'})
            Party.create([{'name': "新規 相談者", 'is_client': True,
                        'household': 'single_father',
                        'registered_on': self.client.registered_on}])
        for group in ['coordinator', 'manager', 'sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    Party.write(
                        [Party(self.client.id)], {'current_work': 'full_time'})
                with self.assertRaises(AccessError):
                    Party.create([{'name': "X", 'is_client': True,
                                'household': 'other',
                                'registered_on': self.client.registered_on}])
        for group in GROUPS:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    Party.delete([Party(self.client.id)])

    @with_transaction()
    def test_employers_and_job_orders(self):
        "Coordinators keep employers and job orders; others only read"
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        self.setup_data()
        with self.as_user('coordinator'):
            Party.write([Party(self.employer.id)], {'employees': 30})
            order, = JobOrder.create([{'employer': self.employer.id,
                        'title': "介護職員", 'wage_min': 200000}])
            JobOrder.open([order])
        for group in ['counselor', 'manager']:
            with self.subTest(group=group), self.as_user(group):
                self.assertTrue(JobOrder.search([]))
                with self.assertRaises(AccessError):
                    JobOrder.create([{'employer': self.employer.id,
                                'title': "X", 'wage_min': 1000}])
                with self.assertRaises(AccessError):
                    JobOrder.write([JobOrder(self.order.id)], {'title': "Y"})
        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    JobOrder.search([])

    @with_transaction()
    def test_bookings_and_records(self):
        """Counselors and coordinators book; counselors write counseling
        records, coordinators read them; managers see bookings, not records"""
        import datetime as dt
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        self.setup_data()
        # 20:00 and 21:00 in Japan on a Monday
        starts = [dt.datetime(2027, 2, 1, h) for h in (11, 12)]
        with self.as_user('coordinator'):
            slots = Slot.create([{'counselor': self.users['counselor'],
                        'start': s, 'end': s + dt.timedelta(hours=1)}
                    for s in starts])
            booking, = Booking.create([{'slot': slots[0].id,
                        'client': self.client.id}])
        with self.as_user('counselor'):
            Booking.create([{'slot': slots[1].id, 'client': self.client.id}])
            record = Record.from_booking(Booking(booking.id))
            record.save()
            Record.complete([record])
        with self.as_user('coordinator'):
            self.assertEqual(len(Record.search([])), 1)
            with self.assertRaises(AccessError):
                Record.write([Record(record.id)], {'notes': "X"})
        with self.as_user('manager'):
            self.assertEqual(len(Booking.search([])), 2)
            with self.assertRaises(AccessError):
                Booking.create([{'slot': slots[0].id,
                            'client': self.client.id}])
            with self.assertRaises(AccessError):
                Record.search([])
        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                for Model in [Booking, Record]:
                    with self.assertRaises(AccessError):
                        Model.search([])

    @with_transaction()
    def test_seminars(self):
        "Counselors and coordinators run seminars; managers read them"
        Seminar = Pool().get('seminar.seminar')
        self.setup_data()
        for group in ['counselor', 'coordinator']:
            with self.subTest(group=group), self.as_user(group):
                Seminar.create([{'name': group, 'kind': 'exchange',
                            'capacity': 10}])
        with self.as_user('manager'):
            self.assertEqual(len(Seminar.search([])), 2)
            with self.assertRaises(AccessError):
                Seminar.create([{'name': "X", 'kind': 'exchange',
                            'capacity': 10}])
        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    Seminar.search([])

    @with_transaction()
    def test_reports_for_managers(self):
        "Management reports are for managers"
        Report = Pool().get('report.client.household')
        self.setup_data()
        with self.as_user('manager'):
            self.assertEqual(Report.search([])[0].clients, 1)
        for group in ['counselor', 'coordinator', 'sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    Report.search([])

    @with_transaction()
    def test_programme_settings(self):
        "Only system administrators change the programme settings"
        Programme = Pool().get('support.programme')
        self.setup_data()
        with self.as_user('sysadmin'):
            Programme.write([Programme(1)], {'municipality': "堺市"})
        for group in ['counselor', 'coordinator', 'manager', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(Programme(1).municipality, "堺市")
                with self.assertRaises(AccessError):
                    Programme.write([Programme(1)], {'municipality': "X"})

    @with_transaction()
    def test_line_users(self):
        "LINE users are read by staff and the channel's administrator"
        LineUser = Pool().get('line.user')
        self.setup_data()
        user, = LineUser.create([{'line_id': 'U' + 'a' * 32}])
        for group in ['counselor', 'coordinator', 'manager', 'sysadmin']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(len(LineUser.search([])), 1)
                with self.assertRaises(AccessError):
                    LineUser.write([LineUser(user.id)], {'state': 'blocked'})
        with self.as_user('auditor'):
            with self.assertRaises(AccessError):
                LineUser.search([])
