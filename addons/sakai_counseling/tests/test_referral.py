# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Referrals to partner agencies: consent, outcomes, per-agency counts,
erasure and who may do what."""
import datetime as dt

from trytond.model.exceptions import (
    AccessError, RequiredValidationError, ValidationError)
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_line.tests.tools import DatabaseTestCase, as_user, staff_users

from .tools import create_client

GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']


class ReferralTestCase(DatabaseTestCase):
    "Referrals to partner agencies"
    module = 'sakai_counseling'

    def setup_data(self):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Agency = pool.get('counseling.agency')
        self.users = {group: User(user_id)
            for group, user_id in staff_users(GROUPS).items()}
        self.today = pool.get('ir.date').today()
        self.client = create_client(registered_on=self.today)
        self.centre = Agency(ModelData.get_id(
                'sakai_counseling', 'agency_single_parent_centre'))
        self.dv = Agency(ModelData.get_id('sakai_counseling', 'agency_dv'))

    def referral(self, **values):
        Referral = Pool().get('counseling.referral')
        values.setdefault('client', self.client)
        values.setdefault('agency', self.centre)
        values.setdefault('counselor', self.users['counselor'])
        values.setdefault('reason', "資格を取って正社員をめざしたい")
        referral = Referral(**values)
        referral.save()
        return referral

    def as_user(self, group):
        return as_user(self.users[group].id)

    @with_transaction()
    def test_directory_data(self):
        "Sakai's agencies ship without invented contacts"
        Agency = Pool().get('counseling.agency')
        agencies = Agency.search([])
        wards = [a for a in agencies if a.kind == 'ward_child_support']
        self.assertEqual(
            [a.name for a in wards],
            ["%s役所 子育て支援課" % w for w in [
                    "堺区", "中区", "東区", "西区", "南区", "北区", "美原区"]])
        names = {a.name for a in agencies}
        for name in ["堺市母子家庭等就業・自立支援センター",
                "堺市配偶者暴力相談支援センター",
                "堺市生活・仕事応援センター"]:
            self.assertIn(name, names)
        self.assertTrue(any(a.kind == 'hello_work' for a in agencies))
        for agency in agencies:
            with self.subTest(agency=agency.name):
                self.assertTrue(agency.handles)
                self.assertFalse(agency.phone)
                self.assertFalse(agency.address)
                self.assertFalse(agency.website)
                self.assertFalse(agency.opening_hours)

    @with_transaction()
    def test_directory_search(self):
        "Agencies are found by what they handle"
        Agency = Pool().get('counseling.agency')
        found = Agency.search([('rec_name', 'ilike', '%暴力%')])
        self.assertEqual(
            [a.name for a in found], ["堺市配偶者暴力相談支援センター"])

    @with_transaction()
    def test_agency_phone(self):
        "Phone numbers are checked and written nationally"
        Agency = Pool().get('counseling.agency')
        agency = Agency(name="テスト機関", kind='other')
        agency.phone = '０７２－２２８－７３３１'
        agency.on_change_phone()
        self.assertEqual(agency.phone, '072-228-7331')
        agency.phone = '+81722287331'
        agency.save()
        self.assertEqual(agency.phone, '072-228-7331')
        agency.phone = '072-22'
        with self.assertRaises(ValidationError):
            agency.save()

    @with_transaction()
    def test_introduction_without_consent(self):
        "Introducing an agency needs no consent: nothing is passed on"
        self.setup_data()
        referral = self.referral(method='introduction')
        self.assertEqual(referral.state, 'draft')
        self.assertEqual(referral.date, self.today)
        referral.refer([referral])
        self.assertEqual(referral.state, 'referred')

    @with_transaction()
    def test_sharing_needs_consent(self):
        "Information is passed on only with the person's recorded consent"
        # (a failed check leaves its record changed in the test transaction:
        # each refusal uses a record of its own)
        Referral = Pool().get('counseling.referral')
        self.setup_data()
        referral = self.referral(method='information_shared')
        with self.assertRaises(ValidationError) as cm:
            Referral.refer([referral])
        self.assertIn("consent", cm.exception.message)

        # Consent without how it was given is not enough
        with self.assertRaises(RequiredValidationError):
            self.referral(method='information_shared', consent=True)

        # Consent given after the information went out does not count
        referral = self.referral(method='information_shared', consent=True,
            consent_method='verbal_phone',
            consent_date=self.today + dt.timedelta(days=1))
        with self.assertRaises(ValidationError):
            Referral.refer([referral])

        referral = Referral(client=self.client, agency=self.dv,
            counselor=self.users['counselor'], reason="DVの相談",
            method='information_shared', consent=True,
            consent_method='verbal_in_person')
        referral.on_change_consent()
        self.assertEqual(referral.consent_date, self.today)
        referral.save()
        Referral.refer([referral])
        self.assertEqual(referral.state, 'referred')

        # Once referred, consent cannot be taken off the record
        with self.assertRaises(ValidationError):
            Referral.write([referral], {'consent': False})

    @with_transaction()
    def test_outcome(self):
        "The outcome is recorded with its date"
        Referral = Pool().get('counseling.referral')
        self.setup_data()
        last_week = self.today - dt.timedelta(days=7)
        referral = self.referral(date=last_week, follow_up_date=self.today)
        Referral.refer([referral])
        referral.outcome = 'connected'
        referral.save()
        Referral.done([referral])
        self.assertEqual(referral.state, 'done')
        self.assertEqual(referral.outcome_date, self.today)
        Referral.reopen([referral])
        self.assertEqual(referral.state, 'referred')

        without_outcome = self.referral()
        Referral.refer([without_outcome])
        with self.assertRaises(RequiredValidationError):
            Referral.done([without_outcome])

        with self.assertRaises(ValidationError):
            self.referral(date=last_week,
                outcome_date=last_week - dt.timedelta(days=1))

    @with_transaction()
    def test_delete(self):
        "Only drafts and cancelled referrals are deleted"
        Referral = Pool().get('counseling.referral')
        self.setup_data()
        draft = self.referral()
        referred = self.referral()
        Referral.refer([referred])
        with self.assertRaises(AccessError):
            Referral.delete([referred])
        Referral.cancel([referred])
        Referral.delete([draft, referred])

    @with_transaction()
    def test_per_agency(self):
        "Managers see where people are sent and what came of it"
        pool = Pool()
        Referral = pool.get('counseling.referral')
        ReferralAgency = pool.get('counseling.referral.agency')
        self.setup_data()
        last_year = self.today - dt.timedelta(days=400)
        connected = self.referral(outcome='connected', date=last_year)
        declined = self.referral(outcome='declined')
        pending = self.referral()
        self.referral()  # a draft does not count
        dv = self.referral(agency=self.dv, method='information_shared',
            consent=True, consent_method='line', consent_date=self.today)
        Referral.refer([connected, declined, pending, dv])
        Referral.done([connected, declined])

        with Transaction().set_user(self.users['manager'].id), \
                Transaction().set_context(_check_access=True):
            rows = {r.agency: r for r in ReferralAgency.search([])}
        centre = rows[self.centre]
        self.assertEqual(
            (centre.referrals, centre.introduced, centre.shared,
                centre.pending, centre.connected, centre.declined,
                centre.not_connected),
            (3, 3, 0, 1, 1, 1, 0))
        self.assertEqual(centre.connected_rate, 0.5)
        self.assertEqual((rows[self.dv].referrals, rows[self.dv].shared),
            (1, 1))
        self.assertIsNone(rows[self.dv].connected_rate)
        # Agencies nobody was sent to are listed too
        self.assertEqual(
            len(rows), len(pool.get('counseling.agency').search([])))

        with Transaction().set_context(
                from_date=self.today - dt.timedelta(days=30),
                kind='single_parent_centre'):
            rows = ReferralAgency.search([])
        self.assertEqual([(r.agency, r.referrals, r.connected) for r in rows],
            [(self.centre, 2, 0)])

    @with_transaction()
    def test_erase(self):
        "Erasing a client blanks what their referrals say about them"
        pool = Pool()
        Party = pool.get('party.party')
        Referral = pool.get('counseling.referral')
        Erase = pool.get('party.erase', type='wizard')
        self.setup_data()
        referral = self.referral(method='information_shared', consent=True,
            consent_method='form', consent_date=self.today,
            shared_information="氏名、電話番号、こどもの年齢")
        Referral.refer([referral])
        Party.write([self.client], {'active': False})

        session_id, _, _ = Erase.create()
        erase = Erase(session_id)
        erase.ask.party = self.client
        erase.transition_erase()

        # (the wizard writes with SQL: read the stored values)
        values, = Referral.read(
            [referral.id], ['reason', 'shared_information'])
        self.assertEqual(values['reason'], '****')
        self.assertIsNone(values['shared_information'])

    @with_transaction()
    def test_access(self):
        "Counselors work on referrals, coordinators and managers read them"
        pool = Pool()
        Referral = pool.get('counseling.referral')
        Agency = pool.get('counseling.agency')
        self.setup_data()
        with self.as_user('counselor'):
            referral, = Referral.create([{
                        'client': self.client.id,
                        'agency': self.centre.id,
                        'reason': "職業訓練の相談",
                        }])
            self.assertEqual(
                referral.counselor, self.users['counselor'])
            Referral.refer([referral])
        for group in ['coordinator', 'manager']:
            with self.subTest(group=group), self.as_user(group):
                self.assertEqual(Referral.search([]), [referral])
                with self.assertRaises(AccessError):
                    Referral.write([referral], {'follow_up_date': self.today})
                with self.assertRaises(AccessError):
                    Referral.create([{
                                'client': self.client.id,
                                'agency': self.centre.id,
                                'counselor': self.users['counselor'].id,
                                'reason': "X",
                                }])
        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    Referral.search([])
                with self.assertRaises(AccessError):
                    Agency.search([])

        # The directory: everyone in the service reads it, counselors and
        # coordinators keep it, nobody deletes (deactivate instead)
        for group in ['counselor', 'coordinator']:
            with self.subTest(group=group), self.as_user(group):
                agency, = Agency.create([{
                            'name': "%sの追加機関" % group,
                            'kind': 'other'}])
                Agency.write([agency], {'note': "メモ"})
                with self.assertRaises(AccessError):
                    Agency.delete([agency])
        with self.as_user('manager'):
            self.assertTrue(Agency.search([]))
            with self.assertRaises(AccessError):
                Agency.write([self.centre], {'note': "X"})
