# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Erasure of a database that has been used (webhook events, messages,
inquiries, answers, a booking): after it no personal string of the data
remains in any table, nor in the database's files (old row versions), and
the number of rows of every table is unchanged."""
import json
import os
import sys
import unittest

from tests.test_handover import Databases, backend, build_source


def file_bytes(dbs, database):
    """The bytes of the database as stored on disk: the SQLite file, or
    every PostgreSQL relation file (tables, TOAST, indexes) after a
    checkpoint, read by the server as superuser"""
    if backend() == 'sqlite':
        with open(os.path.join(dbs.tmp, database + '.sqlite'), 'rb') as fp:
            return fp.read()
    import psycopg
    uri = os.environ['TRYTOND_DATABASE_URI'].rstrip('/') + '/' + database
    chunks = []
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute('CHECKPOINT')
        paths = [r[0] for r in conn.execute(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
                "WHERE c.oid >= 16384 AND c.relkind IN ('r', 't', 'i', 'm') "
                "AND pg_relation_filepath(c.oid) IS NOT NULL")]
        for path in paths:
            data, = conn.execute('SELECT pg_read_binary_file('
                '%s::text, 0, 268435456, true)', (path,)).fetchone()
            chunks.append(bytes(data or b''))
    return b'\n'.join(chunks)


def dead_rows(database, tables):
    "{table: dead row versions} from PostgreSQL's statistics"
    import psycopg
    uri = os.environ['TRYTOND_DATABASE_URI'].rstrip('/') + '/' + database
    with psycopg.connect(uri, autocommit=True) as conn:
        return dict(conn.execute('SELECT relname, n_dead_tup '
                'FROM pg_stat_user_tables WHERE relname = ANY(%s)',
                (list(tables),)).fetchall())

COLLECT = r'''
import json, sys
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
db = sys.argv[2]
pool = Pool(db); pool.init()
strings = set()
with Transaction().start(db, 0, context={'active_test': False}):
    get = pool.get
    for party in get('party.party').search([('is_client', '=', True)]):
        strings.update([party.name, party.name_kana or ''])
        for mech in party.contact_mechanisms:
            strings.add(mech.value)
        for address in party.addresses:
            strings.add(address.street or '')
    for user in get('line.user').search([]):
        strings.add(user.line_id)
    for model, names in [
            ('questionnaire.response.answer', ['text']),
            ('counseling.referral', ['reason']),
            ('line.inquiry.message', ['text']),
            ('counseling.record', ['concerns', 'notes']),
            ('counseling.record.amendment', ['reason', 'text']),
            ('counseling.booking', ['note']),
            ('party.party.child', ['note']),
            ('job.introduction', ['override_reason', 'note']),
            ('job.application.support', ['note']),
            ('job.placement', ['note']),
            ('party.party', ['qualifications']),
            ('job.follow_up', ['how_doing', 'workplace', 'wellbeing',
                    'childcare', 'employer_note', 'next_step']),
            ('job.change', ['reason', 'note']),
            ('job.employer.feedback', ['content', 'told_to_person'])]:
        for record in get(model).search([]):
            strings.update(getattr(record, n) or '' for n in names)
    cursor = Transaction().connection.cursor()
    tables, counts = [], {}
    from trytond import backend
    if backend.name == 'sqlite':
        cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")
        tables = [r[0] for r in cursor]
        columns = {}
        for table in tables:
            cursor.execute('PRAGMA table_info("%s")' % table)
            columns[table] = [r[1] for r in cursor
                if r[2].upper() in ('TEXT', 'VARCHAR', 'BLOB', '')
                or r[2].upper().startswith('VARCHAR')]
    else:
        cursor.execute("SELECT table_name, column_name FROM "
            "information_schema.columns WHERE table_schema='public' AND "
            "data_type IN ('character varying', 'text', 'jsonb', 'json', "
            "'bytea')")
        columns = {}
        for table, column in cursor:
            columns.setdefault(table, []).append(column)
        cursor.execute("SELECT table_name FROM information_schema.tables "
            "WHERE table_schema='public' AND table_type='BASE TABLE'")
        tables = [r[0] for r in cursor]
    for table in tables:
        cursor.execute('SELECT COUNT(*) FROM "%s"' % table)
        counts[table] = cursor.fetchone()[0]
    found = []
    needles = sorted(s for s in strings if s and len(s) >= 4)
    if len(sys.argv) > 3:
        with open(sys.argv[3], encoding='utf-8') as fp:
            needles = json.load(fp)
    for table, cols in columns.items():
        for column in cols:
            cursor.execute('SELECT "%s" FROM "%s"' % (column, table))
            for value, in cursor:
                if value is None:
                    continue
                if isinstance(value, (bytes, memoryview)):
                    value = bytes(value).decode('utf-8', 'replace')
                value = str(value)
                for needle in needles:
                    if needle in value:
                        found.append([table, column, needle])
print(json.dumps({'strings': needles, 'counts': counts,
            'found': found}, ensure_ascii=False))
'''


class ErasureTestCase(unittest.TestCase):
    "Erasure"

    @classmethod
    def setUpClass(cls):
        cls.dbs = Databases()
        cls.source = build_source(cls.dbs)
        cls.approval, = cls.dbs.approvals(cls.source, 'erasure')

    @classmethod
    def tearDownClass(cls):
        cls.dbs.cleanup()

    def collect(self, needles=None):
        args = [sys.executable, '-c', COLLECT, self.dbs.conf, self.source]
        if needles is not None:
            path = os.path.join(self.dbs.tmp, 'needles.json')
            with open(path, 'w', encoding='utf-8') as fp:
                json.dump(needles, fp, ensure_ascii=False)
            args.append(path)
        result = self.dbs.run(*args, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_erase(self):
        "No personal string remains, counts unchanged, report kept"
        dbs = self.dbs
        before = self.collect()
        self.assertGreater(len(before['strings']), 50)
        self.assertTrue(before['found'])
        # the database was used through the webhook
        for user_id in dbs.used['users']:
            self.assertIn(user_id, before['strings'])
        # what they wrote reached the inquiries through the webhook
        for text in dbs.used['texts']:
            self.assertIn(text, dbs.used['received'])
            self.assertIn(text, before['strings'])
        self.assertGreater(dbs.used['counts']['line.event'], 10)
        self.assertEqual(dbs.used['counts']['states'], ['done'])
        raw = file_bytes(dbs, self.source)
        self.assertIn(dbs.used['users'][0].encode(), raw)
        # a backup made before, which the report must list
        backups = os.path.join(dbs.tmp, 'backups')
        folder = os.path.join(backups, self.source + '-20261120-021500')
        os.makedirs(folder)
        with open(os.path.join(folder, 'manifest.json'), 'w') as fp:
            json.dump({'database': self.source,
                    'created': '2026-11-20T02:15:00+00:00'}, fp)

        result = dbs.tool('erase', '-c', dbs.conf, '-d', self.source,
            '--confirm', 'wrong', '--approval', self.approval, check=False)
        self.assertEqual(result.returncode, 2)
        # nor without an auditor's approval
        result = dbs.tool('erase', '-c', dbs.conf, '-d', self.source,
            '--confirm', self.source, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('監査担当の承認が必要', result.stderr)

        report = os.path.join(dbs.tmp, 'report.html')
        result = dbs.tool('erase', '-c', dbs.conf, '-d', self.source,
            '--confirm', self.source, '--by', 'テスト 実施者',
            '--report', report, '--backups', backups,
            '--approval', self.approval, check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('VACUUM', result.stdout)
        self.assertIn(folder, result.stdout)
        after = self.collect(before['strings'])
        self.assertEqual(after['found'], [])
        # nor in the files: the old row versions were vacuumed away
        raw = file_bytes(dbs, self.source)
        self.assertEqual([n for n in before['strings']
                if n.encode() in raw], [])
        # system tables (ir_*: sessions, caches, logs; SQLite's sequence
        # table) may move
        def kept(table):
            return not table.startswith(('ir_', 'sqlite_'))
        counts = {t: c for t, c in after['counts'].items() if kept(t)}
        expected = {t: c for t, c in before['counts'].items() if kept(t)}
        table = 'sakai_erasure_report'
        self.assertEqual(counts.pop(table), expected.pop(table) + 1)
        # the erasure and the approval's use are logged
        self.assertGreater(counts.pop('audit_log'), expected.pop('audit_log'))
        self.assertEqual(counts, expected)
        with open(report, encoding='utf-8') as fp:
            content = fp.read()
        self.assertIn('個人情報消去報告書', content)
        self.assertIn(self.source, content)
        self.assertIn('テスト 実施者', content)
        self.assertIn('VACUUM', content)
        self.assertIn('line_event', content)
        self.assertIn(folder, content)
        self.assertIn('消去が必要なバックアップ', content)
        self.assertIn('承認番号 %s' % self.approval, content)
        if backend() != 'sqlite':
            tables = ['line_event', 'line_user', 'party_party',
                'line_inquiry_message', 'questionnaire_response_answer']
            self.assertEqual(dead_rows(self.source, tables),
                {t: 0 for t in tables})
        # the approval was used up
        result = dbs.tool('erase', '-c', dbs.conf, '-d', self.source,
            '--confirm', self.source, '--approval', self.approval,
            check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('使用済み', result.stderr)


if __name__ == '__main__':
    print(backend())
    unittest.main()
