# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Restore drill: back up a database with data, restore it into a fresh
database and compare row counts, key-table checksums and the file store.

tools/backup.py works on PostgreSQL only (pg_dump): skipped on SQLite.
"""
import argparse
import json
import os
import shutil
import tempfile
import unittest
import unittest.mock

from trytond.config import config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction

from tests.tools import ALL_MODULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URI = os.environ.get('TRYTOND_DATABASE_URI', '')
PASSPHRASE = 'backup-passphrase-2026'


def backup_tool():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'sakai_backup', os.path.join(ROOT, 'tools', 'backup.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@unittest.skipUnless(URI.startswith('postgresql'),
    "pg_dump/pg_restore: PostgreSQL only")
class BackupTestCase(unittest.TestCase):
    "Backup and restore drill"

    @classmethod
    def setUpClass(cls):
        drop_db()
        cls.tmp = tempfile.mkdtemp(prefix='sakai-backup-')
        cls.filestore = os.path.join(cls.tmp, 'filestore')
        cls.saved_path = config.get('database', 'path')
        config.set('database', 'path', cls.filestore)
        activate_module(ALL_MODULES)
        cls.tool = backup_tool()
        cls.restored = DB_NAME + '_restored'

    @classmethod
    def tearDownClass(cls):
        config.set('database', 'path', cls.saved_path)
        cls.drop(cls.restored)
        drop_db()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def drop(cls, name):
        with cls.tool.connect(URI, 'postgres') as conn:
            conn.execute('DROP DATABASE IF EXISTS "%s"' % name)

    def fill(self):
        "People, LINE accounts, answers, an inquiry and an attachment"
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            LineUser = pool.get('line.user')
            Questionnaire = pool.get('questionnaire')
            Response = pool.get('questionnaire.response')
            Inquiry = pool.get('line.inquiry')
            Attachment = pool.get('ir.attachment')
            parties = Party.create([{'name': '復元訓練 %d' % i}
                    for i in range(5)])
            users = LineUser.create([{
                        'line_id': 'U%032x' % i, 'state': 'following',
                        } for i in range(3)])
            questionnaire = Questionnaire.get_by_code('registration')
            for user in users:
                Response(questionnaire=questionnaire, line_user=user,
                    state='in_progress', path='[]', turn=0,
                    current_question=questionnaire.first_question()).save()
            Inquiry.receive(users[0], '相談したいです', 'request', None)
            Attachment.create([{
                        'name': 'resume-%d.txt' % i,
                        'resource': str(parties[i]),
                        'data': ('履歴書 %d\n' % i).encode() * 100,
                        } for i in range(2)])
            transaction.commit()

    def namespace(self, dest, **kwargs):
        values = dict(config=None, uri=URI, filestore=self.filestore,
            database=DB_NAME, dest=dest, keep=14, passphrase_file=None)
        values.update(kwargs)
        return argparse.Namespace(**values)

    def test_restore_drill(self):
        "Backup, restore into a fresh database: everything matches"
        import pyzipper
        self.fill()
        dest = os.path.join(self.tmp, 'backups')
        args = ['--uri', URI, '--filestore', self.filestore]
        environ = unittest.mock.patch.dict(os.environ,
            {'SAKAI_BACKUP_PASSPHRASE': PASSPHRASE})
        environ.start()
        self.addCleanup(environ.stop)
        folder = self.tool.backup(self.namespace(dest))
        self.assertTrue(os.path.isdir(folder))
        self.assertFalse(folder.endswith('.partial'))
        self.assertEqual(sorted(os.listdir(folder)),
            ['backup.zip', 'manifest.json'])
        # the dump and the files are in an AES-256 password zip
        with pyzipper.AESZipFile(os.path.join(folder, 'backup.zip')) as z:
            self.assertEqual(sorted(z.namelist()),
                ['database.dump', 'filestore.tar.gz'])
            self.assertTrue(all(i.flag_bits & 1 for i in z.infolist()))
            with self.assertRaises(RuntimeError):
                z.read('database.dump')
        with open(os.path.join(folder, 'backup.zip'), 'rb') as f:
            raw = f.read()
        self.assertNotIn('復元訓練'.encode(), raw)
        self.assertNotIn('履歴書'.encode(), raw)
        with open(os.path.join(folder, 'manifest.json')) as f:
            manifest = json.load(f)
        tables = manifest['tables']
        for table in ['party_party', 'line_user', 'counseling_booking',
                'questionnaire_response', 'line_inquiry', 'ir_attachment']:
            with self.subTest(table=table):
                self.assertIn('sha256', tables[table])
        self.assertGreaterEqual(tables['party_party']['rows'], 5)
        self.assertEqual(tables['line_user']['rows'], 3)
        self.assertEqual(tables['questionnaire_response']['rows'], 3)
        self.assertGreaterEqual(tables['line_inquiry']['rows'], 1)
        self.assertEqual(len(manifest['filestore']), 2)

        self.drop(self.restored)
        # the wrong passphrase restores nothing
        wrong = os.path.join(self.tmp, 'wrong')
        with open(wrong, 'w') as f:
            f.write('not-the-passphrase\n')
        with self.assertRaises(SystemExit):
            self.tool.main(args + ['--passphrase-file', wrong, 'restore',
                    '--from', folder, '-d', self.restored])
        self.drop(self.restored)
        shutil.rmtree(os.path.join(self.filestore, self.restored),
            ignore_errors=True)
        status = self.tool.main(
            args + ['restore', '--from', folder, '-d', self.restored])
        self.assertEqual(status, 0)
        # The restored database is the same, table by table
        self.assertEqual(
            self.tool.table_state(URI, self.restored), tables)
        self.assertEqual(self.tool.filestore_state(
                os.path.join(self.filestore, self.restored)),
            manifest['filestore'])
        # Refuses to restore over an existing database
        with self.assertRaises(SystemExit):
            self.tool.main(
                args + ['restore', '--from', folder, '-d', self.restored])

        # A change after the backup is detected by verify
        with self.tool.connect(URI, self.restored) as conn:
            conn.execute("UPDATE party_party SET name = 'changed' "
                "WHERE id = (SELECT MIN(id) FROM party_party)")
        self.assertEqual(self.tool.main(
                args + ['verify', '--from', folder, '-d', self.restored]), 1)

        # A damaged backup is refused
        with open(os.path.join(folder, 'backup.zip'), 'ab') as f:
            f.write(b'x')
        with self.assertRaises(SystemExit):
            self.tool.load_manifest(folder)

    def test_unencrypted_refused(self):
        "No passphrase: refused outside demo mode, plain files in demo mode"
        dest = os.path.join(self.tmp, 'plain')
        with unittest.mock.patch.dict(os.environ):
            os.environ.pop('SAKAI_BACKUP_PASSPHRASE', None)
            with self.assertRaises(SystemExit) as cm:
                self.tool.backup(self.namespace(dest))
            self.assertIn('encrypted', str(cm.exception))
            self.assertFalse(os.path.exists(dest) and os.listdir(dest))
            conf = os.path.join(self.tmp, 'demo.conf')
            with open(conf, 'w') as f:
                f.write('[sakai_line]\ndemo = True\n')
            folder = self.tool.backup(self.namespace(dest, config=conf))
        self.assertEqual(sorted(os.listdir(folder)),
            ['database.dump', 'filestore.tar.gz', 'manifest.json'])

    def test_prune(self):
        "Backups older than --keep days are removed, others kept"
        import datetime as dt
        dest = os.path.join(self.tmp, 'prune')
        for name in ['db-20260101-000000', 'db-20261120-000000',
                'other-20260101-000000', 'db-20260101-000000.partial']:
            os.makedirs(os.path.join(dest, name))
        self.tool.prune(dest, 'db', 14, dt.datetime(2026, 11, 22))
        self.assertEqual(sorted(os.listdir(dest)), [
                'db-20260101-000000.partial', 'db-20261120-000000',
                'other-20260101-000000'])


if __name__ == '__main__':
    unittest.main()
