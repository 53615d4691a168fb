# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
import datetime as dt

from trytond.model.exceptions import SQLConstraintError, ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class SakaiSeminarsTestCase(ModuleTestCase):
    "Test Sakai Seminars module"
    module = 'sakai_seminars'

    @with_transaction()
    def test_capacity_by_kind(self):
        "The default capacity follows the kind of seminar"
        Seminar = Pool().get('seminar.seminar')
        seminar = Seminar(name="交流会")
        seminar.kind = 'exchange'
        seminar.on_change_kind()
        self.assertEqual(seminar.capacity, 10)

    @with_transaction()
    def test_session_times(self):
        "A session ends after it starts and has places"
        pool = Pool()
        Seminar = pool.get('seminar.seminar')
        Session = pool.get('seminar.session')
        seminar = Seminar(name="自立支援セミナー", kind='self_reliance',
            capacity=20)
        seminar.save()
        start = dt.datetime(2026, 5, 10, 1, 0)
        session = Session(seminar=seminar, start=start,
            end=start - dt.timedelta(hours=1), capacity=20)
        with self.assertRaises(ValidationError):
            session.save()
        session.end = start + dt.timedelta(hours=2)
        session.save()
        Session.do([session])
        self.assertEqual(session.state, 'done')

        # Last: PostgreSQL aborts the transaction on a failed constraint
        empty = Session(seminar=seminar, start=start,
            end=start + dt.timedelta(hours=1), capacity=0)
        with self.assertRaises(SQLConstraintError):
            empty.save()


del ModuleTestCase
