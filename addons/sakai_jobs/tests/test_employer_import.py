# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Importing the previous operator's employer list from CSV."""
import datetime as dt
import io

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_handover.tests.csv_import_tools import csv_bytes, handover_sample
from sakai_line.tests.tools import DatabaseTestCase, as_user, staff_users

HEADER = ["事業者名", "法人番号", "業種", "従業員数", "電話番号",
    "メールアドレス", "郵便番号", "市区町村", "住所", "開拓者", "開拓日",
    "ひとり親への理解", "備考"]
GOOD = [
    ["株式会社さかい介護", "7000012050002", "医療・福祉", "45", "072-228-0001",
        "jinji@example.jp", "590-0078", "堺市堺区", "南瓦町3-1", "coordinator",
        "2024/10/1", "はい", "学校行事の休みに理解あり"],
    ["なかもずスーパー", "", "小売", "１２０人", "072-238-4567", "", "", "", "",
        "", "令和6年11月5日", "", ""],
    ]


class EmployerImportTestCase(DatabaseTestCase):
    "Employer list import"
    module = 'sakai_jobs'
    japanese = True

    def run_wizard(self, data, user='coordinator'):
        Wizard = Pool().get('party.employer.import', type='wizard')
        with as_user(self.users[user]), \
                Transaction().set_context(language='ja'):
            session_id, _, _ = Wizard.create()
            check = Wizard.execute(session_id, {'start': {
                        'file': data, 'filename': 'employers.csv',
                        'passphrase': 'rows-with-errors-2026'}}, 'check')
            done = Wizard.execute(session_id, {}, 'import_')
            Wizard.delete(session_id)
        return check['view']['defaults'], done['view']['defaults']

    def employers(self):
        Party = Pool().get('party.party')
        return Party.search([('is_employer', '=', True)],
            order=[('id', 'ASC')])

    @with_transaction()
    def test_import(self):
        "Good rows imported (cp932), bad rows reported, nothing twice"
        self.users = staff_users(['coordinator', 'counselor'])
        data = csv_bytes([HEADER] + GOOD + [
                ["西ベーカリー", "1234567890123", "", "", "", "", "", "", "", "",
                    "", "", ""],
                ["北工業", "", "工業", "多い", "072-12", "", "", "", "",
                    "counselor", "2099/1/1", "たぶん", ""],
                ], 'cp932')
        check, done = self.run_wizard(data)
        self.assertIn("Shift_JIS", check['summary'])
        self.assertIn("全4行のうち、取り込める行 2", check['summary'])
        report = check['report']
        self.assertIn("4行目「法人番号」: 「1234567890123」は法人番号として"
            "正しくありません。", report)
        self.assertIn("5行目「業種」: 「工業」は選べる値ではありません。"
            "次のいずれかを書いてください: 医療・福祉、", report)
        self.assertIn("5行目「従業員数」: 「多い」は数として読めません。", report)
        self.assertIn("5行目「電話番号」: 「072-12」は電話番号として", report)
        self.assertIn("5行目「開拓者」: ログイン名「counselor」の", report)
        self.assertIn("5行目「開拓日」: 「2099/1/1」は未来の日付です。", report)
        self.assertIn("5行目「ひとり親への理解」: 「たぶん」は", report)
        # outside demo mode the bad rows come as a password zip
        from sakai_handover import archive
        with archive.reader(io.BytesIO(check['errors_file']),
                'rows-with-errors-2026') as zipped:
            errors = zipped.read('employers-errors.csv').decode('cp932')
        self.assertIn("西ベーカリー", errors)
        self.assertNotIn("なかもずスーパー", errors)
        self.assertIn("2件を登録しました", done['summary'], done['report'])

        care, store = self.employers()
        self.assertEqual(care.industry, 'care')
        self.assertEqual(care.employees, 45)
        self.assertEqual(care.developed_by.id, self.users['coordinator'])
        self.assertEqual(care.developed_on, dt.date(2024, 10, 1))
        self.assertTrue(care.single_parent_friendly)
        # 法人番号 as identifier where the party configuration offers the
        # type, else in the notes
        if care.identifiers:
            self.assertEqual([(i.type, i.code) for i in care.identifiers],
                [('jp_cn', '7000012050002')])
            self.assertEqual(care.employer_note, "学校行事の休みに理解あり")
        else:
            self.assertEqual(care.employer_note,
                "法人番号: 7000012050002\n学校行事の休みに理解あり")
        self.assertEqual(care.addresses[0].city, "堺市堺区")
        self.assertEqual(store.industry, 'retail')
        self.assertEqual(store.employees, 120)
        self.assertEqual(store.developed_on, dt.date(2024, 11, 5))
        self.assertFalse(store.single_parent_friendly)
        self.assertEqual(store.contact_mechanisms[0].value, '072-238-4567')

        # Again: nothing new
        check, done = self.run_wizard(data)
        self.assertIn("取り込める行 0、登録済みなどで取り込まない行 2",
            check['summary'])
        self.assertIn("2行目: 登録済みの「株式会社さかい介護」と法人番号が同じ",
            check['report'])
        self.assertIn("3行目: 登録済みの「なかもずスーパー」と事業者名と電話番号が同じ",
            check['report'])
        self.assertEqual(len(self.employers()), 2)

    @with_transaction()
    def test_access(self):
        "Only coordinators run the import"
        self.users = staff_users(['counselor', 'manager', 'coordinator'])
        Wizard = Pool().get('party.employer.import', type='wizard')
        for group in ['counselor', 'manager']:
            with self.subTest(group=group), as_user(self.users[group]):
                with self.assertRaises(AccessError):
                    Wizard.create()
        with as_user(self.users['coordinator']):
            Wizard.create()

    @with_transaction()
    def test_sample(self):
        "The sample file of demo/handover imports without errors"
        self.users = staff_users(['coordinator'])
        check, done = self.run_wizard(handover_sample('employers-sample.csv'))
        self.assertIn("全3行のうち、取り込める行 3", check['summary'])
        self.assertIn("3件を登録しました", done['summary'])
