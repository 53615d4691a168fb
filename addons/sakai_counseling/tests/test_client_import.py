# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Importing the previous operator's registrant list from CSV."""
import csv
import datetime as dt
import io

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_handover.csv_import import CSVImportError, parse_date
from sakai_handover.tests.csv_import_tools import csv_bytes, handover_sample
from sakai_line.tests.tools import DatabaseTestCase, as_user, staff_users


HEADER = ["氏名", "フリガナ", "登録日", "世帯", "電話番号", "メールアドレス",
    "郵便番号", "市区町村", "住所", "子どもの生年月日", "担当相談員",
    "現在の就労", "就労の詳細", "希望", "統計への利用の同意",
    "事業者へのプロフィール提供の同意", "同意日", "メモ"]
GOOD = [
    ["堺 花子", "さかい はなこ", "2025/4/1", "シングルマザー", "090-1234-5678",
        "hanako@example.jp", "590-0078", "堺市堺区", "南瓦町3-1",
        "2015/6/1;2018/9/1", "counselor", "パート", "スーパー 週3日",
        "転職", "はい", "○", "2025/4/1", "前事業者メモ"],
    ["中 次郎", "ナカ ジロウ", "令和7年5月10日", "シングルファーザー",
        "072-228-0001", "", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["北 さくら", "ｷﾀ ｻｸﾗ", "2025-06-01", "母子", "", "sakura@example.jp",
        "", "", "", "平成30年1月1日", "", "正社員", "", "収入アップ", "いいえ", "",
        "", ""],
    ]


PASSPHRASE = 'rows-with-errors-2026'


def rows_of(data):
    """The rows of a CSV file (bytes, UTF-8 or cp932), or of the CSV in
    a password zip (the bad rows outside demo mode)"""
    if data[:2] == b'PK':
        from sakai_handover import archive
        with archive.reader(io.BytesIO(data), PASSPHRASE) as zipped:
            data = zipped.read(zipped.namelist()[0])
    for encoding in ['utf-8-sig', 'cp932']:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return list(csv.reader(io.StringIO(text)))


class ClientImportTestCase(DatabaseTestCase):
    "Registrant list import"
    module = 'sakai_counseling'
    japanese = True

    def setUp(self):
        super().setUp()
        self.users = {}

    def setup_users(self):
        self.users = staff_users(['counselor', 'coordinator', 'manager'])

    def run_wizard(self, data, filename='registrants.csv', user='coordinator',
            import_=True):
        "Check (and import) as the coordinator: (check values, done values)"
        Wizard = Pool().get('party.client.import', type='wizard')
        with as_user(self.users[user]), \
                Transaction().set_context(language='ja'):
            session_id, _, _ = Wizard.create()
            check = Wizard.execute(session_id, {'start': {
                        'file': data, 'filename': filename,
                        'passphrase': PASSPHRASE}}, 'check')
            check = check['view']['defaults']
            done = None
            if import_:
                done = Wizard.execute(session_id, {}, 'import_')
                done = done['view']['defaults']
            Wizard.delete(session_id)
        return check, done

    def clients(self):
        Party = Pool().get('party.party')
        return Party.search([('is_client', '=', True)], order=[('id', 'ASC')])

    @with_transaction()
    def test_good_file(self):
        "A good file (UTF-8 with BOM) imports every row with its details"
        pool = Pool()
        Consent = pool.get('party.consent')
        self.setup_users()
        check, done = self.run_wizard(csv_bytes([HEADER] + GOOD))
        self.assertIn("全3行のうち、取り込める行 3", check['summary'])
        self.assertIn("UTF-8", check['summary'])
        self.assertIn("取り込まない列（見出しが分からない列）: メモ",
            check['report'])
        self.assertFalse(check['errors_file'])
        self.assertIn("3件を登録しました", done['summary'])

        hanako, jiro, sakura = self.clients()
        self.assertEqual(hanako.name, "堺 花子")
        self.assertEqual(hanako.name_kana, "サカイ ハナコ")
        self.assertEqual(hanako.registered_on, dt.date(2025, 4, 1))
        self.assertEqual(hanako.household, 'single_mother')
        self.assertEqual(hanako.current_work, 'part_time')
        self.assertEqual(hanako.current_work_note, "スーパー 週3日")
        self.assertEqual(hanako.employment_wish, 'change')
        self.assertEqual(hanako.counselor.id, self.users['counselor'])
        self.assertEqual([c.birth_date for c in hanako.children],
            [dt.date(2015, 6, 1), dt.date(2018, 9, 1)])
        self.assertEqual(
            sorted((m.type, m.value) for m in hanako.contact_mechanisms),
            [('email', 'hanako@example.jp'), ('mobile', '090-1234-5678')])
        address, = hanako.addresses
        self.assertEqual((address.postal_code, address.city, address.street),
            ('590-0078', "堺市堺区", "南瓦町3-1"))
        self.assertTrue(hanako.consent_statistics)
        self.assertTrue(hanako.consent_employer_sharing)
        self.assertFalse(hanako.consent_agency_sharing)
        consent = Consent.search([('party', '=', hanako.id)])[0]
        self.assertEqual(consent.channel, 'paper')
        self.assertEqual(consent.recorded_by.id, self.users['coordinator'])
        self.assertEqual(consent.at, dt.datetime(2025, 3, 31, 15))
        self.assertIn("registrants.csv", consent.note)

        self.assertEqual(jiro.registered_on, dt.date(2025, 5, 10))
        self.assertEqual([(m.type, m.value) for m in jiro.contact_mechanisms],
            [('phone', '072-228-0001')])
        self.assertEqual(jiro.addresses, ())
        self.assertEqual(sakura.name_kana, "キタ サクラ")
        self.assertEqual(sakura.household, 'single_mother')
        self.assertEqual(sakura.employment_wish, 'increase')
        self.assertEqual(sakura.children[0].birth_date, dt.date(2018, 1, 1))
        self.assertFalse(sakura.consents)

    @with_transaction()
    def test_encodings(self):
        "Shift_JIS (cp932) and UTF-8 without BOM import alike"
        self.setup_users()
        check, done = self.run_wizard(
            csv_bytes([HEADER] + GOOD[:1], 'cp932'), filename='sjis.csv')
        self.assertIn("Shift_JIS", check['summary'])
        self.assertIn("1件を登録しました", done['summary'])
        check, done = self.run_wizard(
            csv_bytes([HEADER] + GOOD[1:], 'utf-8'))
        self.assertIn("2件を登録しました", done['summary'])
        self.assertEqual([c.name for c in self.clients()],
            ["堺 花子", "中 次郎", "北 さくら"])
        self.assertEqual(self.clients()[0].name_kana, "サカイ ハナコ")

    @with_transaction()
    def test_bad_rows(self):
        """Each bad row is reported with its row number, column and what is
        expected; the good rows are imported all the same"""
        self.setup_users()

        def row(**changes):
            cells = dict(zip(HEADER, GOOD[1]))
            cells.update(changes)
            return [cells[h] for h in HEADER]
        rows = [HEADER,
            GOOD[0],                                         # row 2
            row(氏名=""),                                     # row 3
            row(氏名="南 一郎", 登録日="2025/13/1"),            # row 4
            row(氏名="南 二郎", 登録日="2099/1/1"),             # row 5
            row(氏名="南 三郎", 世帯="独身"),                   # row 6
            row(氏名="南 四郎", 電話番号="072-12"),             # row 7
            row(氏名="南 五郎", メールアドレス="goro@"),         # row 8
            row(氏名="南 六郎", フリガナ="Minami"),             # row 9
            row(氏名="南 七郎", 子どもの生年月日="1980/1/1"),   # row 10
            row(氏名="南 八郎", 担当相談員="nobody"),           # row 11
            row(氏名="南 九郎", 統計への利用の同意="たぶん"),   # row 12
            [],                                              # row 13
            row(氏名="西 十郎", 登録日=""),                    # row 14
            GOOD[2],                                         # row 15
            ]
        check, done = self.run_wizard(csv_bytes(rows))
        report = check['report']
        self.assertIn("全13行のうち、取り込める行 2", check['summary'])
        self.assertIn("誤りがあり取り込まない行 11", check['summary'])
        for line in [
                "3行目「氏名」: 空欄です。この列は必ず入力してください。",
                "4行目「登録日」: 「2025/13/1」は日付として読めません。"
                "2026/4/1、2026-04-01、令和8年4月1日 のように書いてください。",
                "5行目「登録日」: 「2099/1/1」は未来の日付です。",
                "6行目「世帯」: 「独身」は選べる値ではありません。"
                "次のいずれかを書いてください: シングルマザー、"
                "シングルファーザー、ひとり親家庭のこども、離婚を検討中、その他",
                "7行目「電話番号」: 「072-12」は電話番号として正しくありません。",
                "8行目「メールアドレス」: 「goro@」はメールアドレスとして",
                "9行目「フリガナ」: 「Minami」はカタカナではありません。",
                "10行目「子どもの生年月日」: 「1980/1/1」は子どもの生年月日として",
                "11行目「担当相談員」: ログイン名「nobody」の",
                "12行目「統計への利用の同意」: 「たぶん」は「はい／いいえ」として",
                "14行目「登録日」: 空欄です。",
                ]:
            self.assertIn(line, report)
        self.assertNotIn("13行目", report)

        errors = rows_of(check['errors_file'])
        self.assertEqual(errors[0], HEADER + ["エラー"])
        self.assertEqual([r[0] for r in errors[1:]], [
                "", "南 一郎", "南 二郎", "南 三郎", "南 四郎", "南 五郎",
                "南 六郎", "南 七郎", "南 八郎", "南 九郎", "西 十郎"])
        self.assertTrue(errors[4][-1].startswith("世帯: 「独身」は"))
        self.assertEqual(check['errors_filename'], 'registrants-errors.zip')

        self.assertIn("2件を登録しました", done['summary'])
        self.assertEqual([c.name for c in self.clients()],
            ["堺 花子", "北 さくら"])

        # The bad rows fixed and imported again
        fixed = [errors[0][:-1]] + [r[:-1] for r in errors[1:]]
        fixed[1][0] = "南 太郎"
        fixed[2][2] = "2025/12/1"
        fixed[3][2] = "2026/1/1"
        fixed[4][3] = "その他"
        fixed[5][4] = "072-238-4567"
        fixed[6][5] = "goro@example.jp"
        fixed[7][1] = "ミナミ ロクロウ"
        fixed[8][9] = "2020/1/1"
        fixed[9][10] = "counselor"
        fixed[11][2] = "2025/11/1"
        check, done = self.run_wizard(csv_bytes(fixed))
        self.assertIn("全11行のうち、取り込める行 10", check['summary'])
        self.assertIn("南 九郎", [r[0] for r in rows_of(check['errors_file'])])
        self.assertIn("10件を登録しました", done['summary'])

    @with_transaction()
    def test_twice(self):
        "Importing the same file again creates nothing; duplicates in a file"
        self.setup_users()
        data = csv_bytes([HEADER] + GOOD + [GOOD[0]])
        check, done = self.run_wizard(data)
        self.assertIn("取り込める行 3", check['summary'])
        self.assertIn("5行目: ファイルの2行目と氏名と電話番号が同じため",
            check['report'])
        self.assertEqual(len(self.clients()), 3)

        check, done = self.run_wizard(data)
        self.assertIn("取り込める行 0、登録済みなどで取り込まない行 4",
            check['summary'])
        self.assertIn(
            "2行目: 登録済みの「堺 花子」と氏名と電話番号が同じため、取り込みません",
            check['report'])
        self.assertIn("0件を登録しました", done['summary'])
        self.assertEqual(len(self.clients()), 3)

        # Same person written differently: spaces, full-width digits
        other = list(GOOD[1])
        other[0] = "中　次郎"
        other[4] = "０７２（２２８）０００１"
        check, _ = self.run_wizard(csv_bytes([HEADER, other]), import_=False)
        self.assertIn("登録済みの「中 次郎」", check['report'])

    @with_transaction()
    def test_file_errors(self):
        "A file that cannot be read at all is refused as a whole"
        self.setup_users()
        with self.assertRaises(CSVImportError) as cm:
            self.run_wizard(csv_bytes([["フリガナ", "登録日"], ["ア", "2025/1/1"]]))
        self.assertIn("1行目に必須の列「氏名」がありません", cm.exception.message)
        with self.assertRaises(CSVImportError) as cm:
            self.run_wizard(b'')
        self.assertIn("ファイルが空です", cm.exception.message)
        with self.assertRaises(CSVImportError) as cm:
            self.run_wizard(b'abc,\x82')
        self.assertIn("UTF-8 または Shift_JIS", cm.exception.message)

    @with_transaction()
    def test_synonyms(self):
        "Headers with marks or synonyms, tab-separated text"
        self.setup_users()
        text = ("名前（必須）\tふりがな\t登録年月日\t世帯区分\tTEL\r\n"
            "堺 花子\tさかい はなこ\t2025年4月1日\t母子家庭\t09012345678\r\n")
        check, done = self.run_wizard(text.encode('utf-16'))
        self.assertIn("1件を登録しました", done['summary'])
        client, = self.clients()
        self.assertEqual(client.contact_mechanisms[0].value, '090-1234-5678')

    @with_transaction()
    def test_access(self):
        "Only coordinators run the import"
        self.setup_users()
        Wizard = Pool().get('party.client.import', type='wizard')
        self.assertRefused(['counselor', 'manager'], Wizard.create)

    @with_transaction()
    def test_dates(self):
        "The ways dates are written in Japanese offices"
        for text, date in [
                ("2026/4/1", dt.date(2026, 4, 1)),
                ("2026-04-01", dt.date(2026, 4, 1)),
                ("２０２６／４／１", dt.date(2026, 4, 1)),
                ("2026年4月1日", dt.date(2026, 4, 1)),
                ("2026.4.1", dt.date(2026, 4, 1)),
                ("20260401", dt.date(2026, 4, 1)),
                ("2026/04/01 0:00", dt.date(2026, 4, 1)),
                ("令和8年4月1日", dt.date(2026, 4, 1)),
                ("令和元年5月1日", dt.date(2019, 5, 1)),
                ("R8.4.1", dt.date(2026, 4, 1)),
                ("平成30年1月1日", dt.date(2018, 1, 1)),
                ("H31/4/30", dt.date(2019, 4, 30)),
                ("昭和60年12月3日", dt.date(1985, 12, 3)),
                ]:
            with self.subTest(text=text):
                self.assertEqual(parse_date(text), date)
        for text in ["2026/2/30", "令和元年4月1日", "平成32年1月1日", "4/1",
                "きのう"]:
            with self.subTest(text=text):
                with self.assertRaises(Exception):
                    parse_date(text)

    @with_transaction()
    def test_sample(self):
        "The sample file of demo/handover imports without errors"
        self.setup_users()
        check, done = self.run_wizard(
            handover_sample('registrants-sample.csv'))
        self.assertIn("全3行のうち、取り込める行 3", check['summary'])
        self.assertIn("3件を登録しました", done['summary'])


class ClientImportCommandTestCase(DatabaseTestCase):
    "tools/handover.py import-csv on the server"
    module = 'sakai_counseling'
    japanese = True

    def run_tool(self, *args):
        "Run tools/handover.py: (exit status, what it printed)"
        import contextlib
        import importlib.util
        import os
        from unittest.mock import patch
        from trytond.tests.test_tryton import DB_NAME
        path = os.path.join(os.path.dirname(__file__), '..', '..', '..',
            'tools', 'handover.py')
        spec = importlib.util.spec_from_file_location('handover_tool', path)
        tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tool)
        output = io.StringIO()
        with patch('trytond.config.update_etc'), \
                patch.dict(os.environ,
                    {'SAKAI_HANDOVER_PASSPHRASE': PASSPHRASE}), \
                contextlib.redirect_stdout(output):
            status = tool.main(['import-csv', '-c', '-', '-d', DB_NAME,
                    '--kind', 'registrants'] + list(args))
        return status, output.getvalue()

    def names(self):
        from trytond.tests.test_tryton import DB_NAME
        with Transaction().start(DB_NAME, 0):
            Party = Pool().get('party.party')
            return sorted(p.name for p in Party.search(
                    [('is_client', '=', True)]))

    def test_command_line(self):
        "Same report as the wizard; --dry-run imports nothing; exit 1"
        import os
        import tempfile
        rows = [HEADER[:10]] + [row[:10] for row in GOOD] + [
            ["南 四郎", "", "2025/4/1", "シングルファーザー", "072-12",
                "", "", "", "", ""]]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, '名簿.csv')
            errors = os.path.join(tmp, 'errors.csv')
            with open(path, 'wb') as fp:
                fp.write(csv_bytes(rows, 'cp932'))
            status, output = self.run_tool('-i', path, '--dry-run')
            self.assertEqual(status, 1)
            self.assertIn("5行目「電話番号」: 「072-12」は電話番号として", output)
            self.assertEqual(self.names(), [])

            status, output = self.run_tool('-i', path, '--errors', errors)
            self.assertEqual(status, 1)
            self.assertEqual(self.names(), ["中 次郎", "北 さくら", "堺 花子"])
            with open(errors, 'rb') as fp:
                bad = rows_of(fp.read())
            self.assertEqual([r[0] for r in bad[1:]], ["南 四郎"])

            # again: everything is there already, nothing twice
            status, output = self.run_tool('-i', path)
            self.assertEqual(status, 1)
            self.assertEqual(len(self.names()), 3)
