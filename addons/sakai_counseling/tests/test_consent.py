# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The consent ledger, sharing refused without consent, and DV or health
notes read by counselors only."""
import datetime as dt

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from sakai_line.tests.tools import DatabaseTestCase, staff_users

from ..exceptions import ConsentError
from .tools import create_client

GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']


class ConsentTestCase(DatabaseTestCase):
    "Consent ledger and sensitive notes"
    module = 'sakai_counseling'

    def setup_people(self):
        self.users = staff_users(GROUPS)
        self.client = create_client()

    def record(self, purpose, action, at, channel='in_person'):
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        consent, = Consent.create([{'party': self.client.id,
                    'purpose': Purpose.get(purpose).id, 'action': action,
                    'at': at, 'channel': channel}])
        return consent

    @with_transaction()
    def test_ledger(self):
        "Given, then withdrawn: the latest line is the current consent"
        pool = Pool()
        Party = pool.get('party.party')
        Consent = pool.get('party.consent')
        self.setup_people()
        self.assertFalse(Party(self.client.id).consent_employer_sharing)
        with self.as_user('counselor'):
            given = self.record('employer_sharing', 'given',
                dt.datetime(2026, 4, 1, 1), channel='paper')
        self.assertEqual(given.recorded_by.id, self.users['counselor'])
        client = Party(self.client.id)
        self.assertTrue(client.consent_employer_sharing)
        self.assertFalse(client.consent_employer_feedback)
        client.check_consent('employer_sharing')
        self.assertEqual(
            Party.search([('consent_employer_sharing', '=', True)]), [client])

        self.record('employer_sharing', 'withdrawn',
            dt.datetime(2026, 5, 1, 3), channel='line')
        client = Party(self.client.id)
        self.assertFalse(client.consent_employer_sharing)
        with self.assertRaises(ConsentError) as cm:
            client.check_consent('employer_sharing')
        self.assertIn("consent", cm.exception.message)
        self.assertEqual(len(client.consents), 2)

        # Lines are kept as written
        with self.assertRaises(ConsentError):
            Consent.write([given], {'action': 'withdrawn'})
        with self.assertRaises(ConsentError):
            Consent.delete([given])

    @with_transaction()
    def test_ledger_access(self):
        "Counselors record consents; coordinators and managers read them"
        Consent = Pool().get('party.consent')
        self.setup_people()
        with self.as_user('counselor'):
            self.record('statistics', 'given', dt.datetime(2026, 4, 1))
        for group in ['coordinator', 'manager']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(len(Consent.search([])), 1)
                with self.assertRaises(AccessError):
                    self.record('statistics', 'withdrawn',
                        dt.datetime(2026, 4, 2))
        self.assertRefused(['sysadmin', 'auditor'],
            lambda: Consent.search([]))

    @with_transaction()
    def test_referral_after_withdrawal(self):
        """Information for an agency is refused when the person withdrew
        that consent after the referral's consent was noted"""
        pool = Pool()
        Referral = pool.get('counseling.referral')
        Agency = pool.get('counseling.agency')
        self.setup_people()
        agency, = Agency.search([('kind', '=', 'hello_work')], limit=1)
        referral, = Referral.create([{'client': self.client.id,
                    'agency': agency.id, 'reason': "求職登録",
                    'counselor': self.users['counselor'],
                    'date': dt.date(2026, 6, 1),
                    'method': 'information_shared', 'consent': True,
                    'consent_method': 'verbal_in_person',
                    'consent_date': dt.date(2026, 5, 20)}])
        self.record('agency_sharing', 'withdrawn',
            dt.datetime(2026, 5, 25, 3), channel='phone')
        with self.assertRaises(ConsentError):
            Referral.refer([referral])

        # With her consent recorded again, it goes
        second, = Referral.create([{'client': self.client.id,
                    'agency': agency.id, 'reason': "求職登録",
                    'counselor': self.users['counselor'],
                    'date': dt.date(2026, 6, 2),
                    'method': 'information_shared', 'consent': True,
                    'consent_method': 'form',
                    'consent_date': dt.date(2026, 6, 2)}])
        Referral.refer([second])
        self.assertEqual(second.state, 'referred')
        self.assertTrue(pool.get('party.party')(
                self.client.id).consent_agency_sharing)

    @with_transaction()
    def test_dv_and_health_notes(self):
        """A record with DV or health notes and referrals to DV agencies are
        read by counselors only"""
        pool = Pool()
        Record = pool.get('counseling.record')
        Referral = pool.get('counseling.referral')
        Agency = pool.get('counseling.agency')
        self.setup_people()
        plain, sensitive = Record.create([{
                    'client': self.client.id,
                    'counselor': self.users['counselor'],
                    'sensitive': sensitive} for sensitive in (False, True)])
        dv, = Agency.search([('kind', '=', 'dv')], limit=1)
        hello, = Agency.search([('kind', '=', 'hello_work')], limit=1)
        to_dv, to_hello = Referral.create([{
                    'client': self.client.id, 'agency': a.id,
                    'counselor': self.users['counselor'],
                    'reason': "相談"} for a in (dv, hello)])
        with self.as_user('counselor'):
            self.assertEqual(len(Record.search([])), 2)
            self.assertEqual(len(Referral.search([])), 2)
        with self.as_user('coordinator'):
            self.assertEqual(Record.search([]), [plain])
            with self.assertRaises(AccessError):
                Record.read([sensitive.id], ['notes'])
        for group in ['coordinator', 'manager']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(Referral.search([]), [to_hello])
                with self.assertRaises(AccessError):
                    Referral.read([to_dv.id], ['reason'])
