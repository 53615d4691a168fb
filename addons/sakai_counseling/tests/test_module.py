# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
import datetime as dt

from trytond.model.exceptions import RequiredValidationError, ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction


class SakaiCounselingTestCase(ModuleTestCase):
    "Test Sakai Counseling module"
    module = 'sakai_counseling'

    @with_transaction(user=0)
    def test_wizards(self):
        "Test wizards are correctly defined (as root: CSV imports are for coordinators)"
        super().test_wizards.__wrapped__(self)

    @with_transaction()
    def test_client_needs_name_and_household(self):
        "A client cannot be saved without a name or household"
        Party = Pool().get('party.party')
        with Transaction().set_context(client=True):
            client = Party(household='single_mother')
            with self.assertRaises(RequiredValidationError):
                client.save()
            client = Party(name="山田 花子")
            with self.assertRaises(RequiredValidationError):
                client.save()
            client.household = 'single_mother'
            client.save()
        self.assertTrue(client.is_client)
        self.assertIsNotNone(client.registered_on)

        # Other parties keep Tryton's rules
        Party(name=None).save()

    @with_transaction()
    def test_name_kana(self):
        "Readings are stored in full-width katakana"
        Party = Pool().get('party.party')
        client = Party(name="山田 花子", is_client=True,
            household='single_mother', registered_on=dt.date(2026, 4, 1),
            name_kana="やまだ ﾊﾅｺ")
        client.save()
        self.assertEqual(client.name_kana, "ヤマダ ハナコ")

        client.name_kana = "Yamada"
        with self.assertRaises(ValidationError):
            client.save()

    @with_transaction()
    def test_children_ages(self):
        "Children's ages follow from their birth dates"
        pool = Pool()
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        today = Date.today()
        client = Party(name="山田 花子", is_client=True,
            household='single_mother', registered_on=today,
            children=[
                {'birth_date': today.replace(year=today.year - 7)},
                {'birth_date': today.replace(year=today.year - 3)},
                ])
        client.save()
        self.assertEqual([c.age for c in client.children], [7, 3])
        self.assertIn("3, 7", client.children_ages)

        client.children[0].birth_date = today + dt.timedelta(days=30)
        with self.assertRaises(ValidationError):
            client.children[0].save()


del ModuleTestCase
