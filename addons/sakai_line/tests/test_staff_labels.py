# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Staff read labels, not LINE's or the database's identifiers."""

from trytond.modules.company.tests import create_company
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import DatabaseTestCase, load_japanese_translations


class StaffLabelsTestCase(DatabaseTestCase):
    "Staff labels"

    @with_transaction()
    def test_event_type_in_japanese(self):
        "A webhook event's type reads メッセージ, not LINE's `message`"
        pool = Pool()
        Event = pool.get('line.event')
        load_japanese_translations()
        with Transaction().set_context(language='ja'):
            field = Event.fields_get(['type'])['type']
            self.assertEqual(field['type'], 'selection')
            labels = dict(field['selection'])
            self.assertEqual(labels['message'], "メッセージ")
            self.assertEqual(labels['follow'], "友だち追加")
            self.assertEqual(labels['postback'], "ボタン操作")
            # every type staff may meet has a Japanese label
            for key, label in labels.items():
                if key:
                    self.assertRegex(label, r'[^\x00-\x7f]|^LINE ', key)

    @with_transaction()
    def test_service_user_named_system(self):
        "What the webhook and scheduled jobs record reads システム, not Root"
        User = Pool().get('res.user')
        load_japanese_translations()
        with Transaction().set_context(language='ja'):
            self.assertEqual(User(0).rec_name, "システム")
            self.assertNotEqual(User(1).rec_name, "システム")

    @with_transaction()
    def test_no_currency_after_user_name(self):
        "The header shows the user's name without [JPY]"
        pool = Pool()
        User = pool.get('res.user')
        Currency = pool.get('currency.currency')
        yen, = Currency.create([{'name': "Yen", 'code': 'JPY',
                    'symbol': "¥", 'digits': 0, 'rounding': 1}])
        company = create_company(currency=yen)
        user, = User.create([{'name': "相談員 青木", 'login': 'aoki',
                    'companies': [('add', [company.id])],
                    'company': company.id}])
        status = User(user.id).status_bar
        self.assertIn("相談員 青木", status)
        self.assertNotIn("[JPY]", status)

    @with_transaction()
    def test_no_vies_check(self):
        "The EU VAT (VIES) check is not offered on clients and employers"
        Keyword = Pool().get('ir.action.keyword')
        actions = Keyword.get_keyword('form_action', ('party.party', -1))
        self.assertFalse([a for a in actions
                if a.get('wiz_name') == 'party.check_vies'], actions)

