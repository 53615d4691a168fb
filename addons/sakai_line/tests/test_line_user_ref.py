# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""How staff name a LINE friend before a client file exists: a short
reference (LINE-0024) and a nickname, never the raw LINE user ID; both are
personal data handed over and erased with the rest."""
from line_standin import webhook as line_webhook

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from sakai_handover.erasure import erase_all
from sakai_handover.handover import export_data

from .tools import LineTestCase, as_user, staff_users


class LineUserReferenceTestCase(LineTestCase):
    "LINE users' reference and nickname"

    def new_user(self, **values):
        LineUser = Pool().get('line.user')
        user, = LineUser.create([dict(
                    line_id=line_webhook.random_user_id(), **values)])
        return user

    @with_transaction()
    def test_reference_given_at_creation(self):
        "Each new friend gets the next short reference, not the LINE ID"
        first, second = self.new_user(), self.new_user()
        self.assertRegex(first.reference, r'^LINE-\d{4}$')
        self.assertEqual(
            int(second.reference[5:]), int(first.reference[5:]) + 1)
        self.assertEqual(first.rec_name, first.reference)
        self.assertNotIn(first.line_id[:8], first.rec_name)

    @with_transaction()
    def test_nickname_names_the_person(self):
        "The nickname staff set is shown with the reference and searched"
        pool = Pool()
        LineUser = pool.get('line.user')
        user = self.new_user()
        users = staff_users(['counselor', 'coordinator'])
        with as_user(users['counselor']):
            LineUser.write([LineUser(user.id)], {'nickname': "さくら"})
        user = LineUser(user.id)
        self.assertEqual(user.rec_name, '%s (さくら)' % user.reference)
        for value in ["さくら", user.reference, user.reference.lower()]:
            with self.subTest(value=value):
                self.assertEqual(LineUser.search(
                        [('rec_name', 'ilike', '%' + value + '%')]), [user])

    @with_transaction()
    def test_staff_change_only_the_nickname(self):
        "What LINE told us (ID, state, reference) is not for staff to change"
        LineUser = Pool().get('line.user')
        user = self.new_user()
        users = staff_users(['counselor'])
        for values in [{'line_id': line_webhook.random_user_id()},
                {'reference': 'LINE-9999'}, {'state': 'blocked'}]:
            with self.subTest(values=values), as_user(users['counselor']):
                with self.assertRaises(AccessError):
                    LineUser.write([LineUser(user.id)], values)

    @with_transaction()
    def test_existing_users_numbered_on_update(self):
        """People who came before references get one on module update, and
        new friends continue after the highest"""
        LineUser = Pool().get('line.user')
        older, old = self.new_user(), self.new_user()
        cursor = Transaction().connection.cursor()
        table = LineUser.__table__()
        cursor.execute(*table.update([table.reference], [None]))
        LineUser._give_references()
        Transaction().cache.clear()
        older, old = LineUser(older.id), LineUser(old.id)
        self.assertEqual(older.reference, 'LINE-0001')
        self.assertEqual(old.reference, 'LINE-0002')
        # The sequence the update creates starts at 1, behind the
        # references given: new friends continue after the highest
        sequence = LineUser._reference_sequence()
        sequence.number_next = 1
        sequence.save()
        self.assertEqual(self.new_user().reference, 'LINE-0003')
        self.assertEqual(self.new_user().reference, 'LINE-0004')
        # A reference handed over from another database is skipped too
        self.new_user(reference='LINE-0005')
        self.assertEqual(self.new_user().reference, 'LINE-0006')

    @with_transaction()
    def test_inbox_names_the_line_user(self):
        "The inbox's 相談者 column shows the LINE friend without a client"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        user = self.new_user(nickname="ひまわり")
        inquiry = Inquiry(line_user=user, subject="相談", reason='request')
        inquiry.save()
        self.assertEqual(inquiry.person, '%s (ひまわり)' % user.reference)
        self.assertEqual(Inquiry.search([('person', 'ilike', '%ひまわり%')]),
            [inquiry])
        with Transaction().set_context(language='en'):
            arch = Inquiry.fields_view_get(view_type='tree')['arch']
        self.assertIn('name="person"', arch)

    @with_transaction()
    def test_handed_over_and_erased(self):
        "The reference and nickname go into the bundle and are erased"
        LineUser = Pool().get('line.user')
        user = self.new_user(nickname="ひまわり")
        data, schema = export_data()
        record, = [r for r in data['line.user']
            if r['line_id'] == user.line_id]
        self.assertEqual(record['reference'], user.reference)
        self.assertEqual(record['nickname'], "ひまわり")
        model, = [m for m in schema['models'] if m['model'] == 'line.user']
        self.assertIn('nickname', model['fields'])
        self.assertIn('reference', model['fields'])

        erase_all(DB_NAME, "消去 担当")
        Transaction().cache.clear()
        user = LineUser(user.id)
        self.assertIsNone(user.nickname)
        self.assertNotEqual(user.reference, record['reference'])
