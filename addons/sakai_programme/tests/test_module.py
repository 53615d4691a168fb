# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.modules.company.tests import create_company
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..programme import local_timezone, to_local, to_utc


class SakaiProgrammeTestCase(ModuleTestCase):
    "Test the module alone, with its dependencies only"
    module = 'sakai_programme'

    @with_transaction()
    def test_timezone(self):
        """The programme's local time is its company's timezone: the
        context's company, else the first; Asia/Tokyo without one"""
        pool = Pool()
        Date = pool.get('ir.date')
        self.assertEqual(local_timezone(), ZoneInfo('Asia/Tokyo'))
        # 15:30 UTC is already the next day in Japan
        utc = dt.datetime(2026, 11, 22, 15, 30)
        self.assertEqual(to_local(utc), dt.datetime(2026, 11, 23, 0, 30))
        self.assertEqual(to_utc(dt.datetime(2026, 11, 23, 0, 30)), utc)

        company = create_company()
        # A company without timezone: still Japan
        self.assertEqual(local_timezone(), ZoneInfo('Asia/Tokyo'))
        company.timezone = 'Europe/Paris'
        company.save()
        self.assertEqual(local_timezone(), ZoneInfo('Europe/Paris'))
        self.assertEqual(to_local(utc), dt.datetime(2026, 11, 22, 16, 30))
        self.assertEqual(
            Date.today(),
            dt.datetime.now(ZoneInfo('Europe/Paris')).date())

        other = create_company(name="Other")
        other.timezone = 'America/New_York'
        other.save()
        with Transaction().set_context(company=other.id):
            self.assertEqual(
                local_timezone(), ZoneInfo('America/New_York'))
        company.timezone = None
        company.save()
        self.assertEqual(local_timezone(), ZoneInfo('Asia/Tokyo'))
        self.assertEqual(
            Date.today(), dt.datetime.now(ZoneInfo('Asia/Tokyo')).date())


del ModuleTestCase
