# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from .tools import load_japanese_translations


class SakaiLineTestCase(ModuleTestCase):
    "Test Sakai LINE module"
    module = 'sakai_line'

    @with_transaction()
    def test_japanese_phone_numbers(self):
        "Phone numbers are read as Japanese and shown nationally"
        pool = Pool()
        Party = pool.get('party.party')
        ContactMechanism = pool.get('party.contact_mechanism')
        party = Party(name="Test")
        party.save()

        for written in ['090-1234-5678', '０９０１２３４５６７８',
                '+81 90 1234 5678']:
            mechanism = ContactMechanism(party=party, type='mobile')
            mechanism.value = written
            mechanism.save()
            self.assertEqual(mechanism.value, '090-1234-5678')
            self.assertEqual(mechanism.value_compact, '+819012345678')

        mechanism = ContactMechanism(party=party, type='phone', value='123')
        with self.assertRaises(ValidationError):
            mechanism.save()

    @with_transaction()
    def test_office_phone(self):
        "The programme refuses an office phone that is not a number"
        Programme = Pool().get('support.programme')
        programme = Programme(1)
        programme.office_phone = '072-228-7111'
        programme.save()

        programme.office_phone = '07-22'
        with self.assertRaises(ValidationError):
            programme.save()

    @with_transaction()
    def test_line_user_id(self):
        "Only LINE user IDs are accepted"
        LineUser = Pool().get('line.user')
        LineUser(line_id='U' + '0' * 32).save()
        with self.assertRaises(ValidationError):
            LineUser(line_id='someone@example.com').save()

    @with_transaction()
    def test_japanese_back_office(self):
        "Tryton's own screens and ours read in Japanese"
        pool = Pool()
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        Message = pool.get('ir.message')
        load_japanese_translations()
        with Transaction().set_context(language='ja'):
            support = Menu(ModelData.get_id('sakai_programme', 'menu_support'))
            administration = Menu(
                ModelData.get_id('ir', 'menu_administration'))
            self.assertEqual(support.name, "就業支援")
            self.assertNotEqual(administration.name, "Administration")
            text = Message.gettext(
                'ir', 'msg_required_validation', 'ja',
                field="Name", model="Party")
            self.assertNotIn("A value is required", text)

    @with_transaction()
    def test_staff_language(self):
        "New staff accounts default to Japanese"
        User = Pool().get('res.user')
        load_japanese_translations()
        user = User(login='staff', name="Staff")
        user.save()
        self.assertEqual(user.language.code, 'ja')


del ModuleTestCase
