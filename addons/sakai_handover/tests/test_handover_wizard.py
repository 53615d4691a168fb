# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The handover export wizard and the erasure report screens: the system
administrator downloads, with an auditor's approval, a bundle the import
accepts and the download is logged; erasure reports are read and printed
by the system administrator and the auditor, and changed by nobody."""
import io
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from sakai_handover import archive
from sakai_handover.erasure import erase_all
from sakai_handover.handover import BundleError, load_bundle, read_bundle

from sakai_audit.tests.test_separation import approved
from sakai_line.tests.tools import (
    DatabaseTestCase, as_user, load_japanese_translations, staff_users)

PASSPHRASE = 'next-operator-2027'


class HandoverWizardTestCase(DatabaseTestCase):
    "Handover export wizard and erasure reports"

    def approve(self, users):
        "An export approved by the auditor for the system administrator"
        return approved('handover', users['sysadmin'], users['auditor'])

    def run_export(self, confirm=True, passphrase=PASSPHRASE, again=None):
        "Run the wizard to its result; return the result's values"
        Export = Pool().get('sakai.handover.export', type='wizard')
        session_id, start, _ = Export.create()
        view = Export.execute(session_id, {}, start)['view']
        self.assertIn('(party.party)', view['defaults']['contents'])
        result = Export.execute(
            session_id, {start: {'confirm': confirm,
                    'passphrase': passphrase,
                    'passphrase_again': passphrase if again is None
                    else again,
                    'approval': view['defaults']['approval']}}, 'export')
        Export.delete(session_id)
        return result['view']['defaults']

    @with_transaction()
    def test_export(self):
        "A system administrator downloads a bundle the import accepts"
        pool = Pool()
        Party = pool.get('party.party')
        AuditLog = pool.get('audit.log')
        users = staff_users()
        party, = Party.create([{'name': "堺 花子"}])
        approval = self.approve(users)

        with as_user(users['sysadmin']):
            values = self.run_export()

        self.assertRegex(values['filename'],
            r'^handover-%s-\d{8}\.zip$' % DB_NAME)
        self.assertIn('party.party', values['counts'])
        content = bytes(values['file'])
        # a password zip: nothing readable without the passphrase
        self.assertNotIn("堺 花子".encode(), content)
        with archive.reader(io.BytesIO(content)) as bundle:
            self.assertIn('README.txt', bundle.namelist())
            self.assertTrue(archive.is_encrypted(bundle))
        with self.assertRaises(BundleError):
            read_bundle(io.BytesIO(content))
        with archive.reader(io.BytesIO(content), PASSPHRASE) as bundle:
            self.assertIn('個人情報', bundle.read('README.txt').decode())
        data, schema = read_bundle(io.BytesIO(content), PASSPHRASE)
        self.assertEqual(schema['database'], DB_NAME)
        self.assertIn("堺 花子", [p['name'] for p in data['party.party']])

        # The import accepts it (into this database once the party is gone)
        Party.delete([party])
        counts = load_bundle(io.BytesIO(content), passphrase=PASSPHRASE)
        self.assertGreaterEqual(counts['party.party'], 1)
        self.assertTrue(Party.search([('name', '=', "堺 花子")]))

        AuditLog.flush()
        entry, = AuditLog.search([
                ('kind', '=', 'download'),
                ('model', '=', 'sakai.handover'),
                ])
        self.assertEqual(entry.user.id, users['sysadmin'])
        self.assertEqual(entry.method,
            'sakai.handover.export sakai.approval,%d' % approval.id)
        self.assertEqual(entry.record_count,
            sum(len(r) for r in data.values()))
        self.assertIn('party.party=%d' % len(data['party.party']),
            entry.field_names.split(','))
        # the reads of the export are not logged one by one
        self.assertFalse(AuditLog.search([('model', '=', 'party.party')]))

    @with_transaction()
    def test_export_confirm(self):
        "Nothing is written without the confirmation"
        pool = Pool()
        AuditLog = pool.get('audit.log')
        users = staff_users(['sysadmin', 'auditor'])
        self.approve(users)
        with as_user(users['sysadmin']), self.assertRaises(UserError):
            self.run_export(confirm=False)
        AuditLog.flush()
        self.assertFalse(AuditLog.search([('model', '=', 'sakai.handover')]))

    @with_transaction()
    def test_export_passphrase(self):
        """Outside demo mode no bundle is written without a passphrase of
        12 characters typed twice the same; demo mode may write it plain"""
        pool = Pool()
        AuditLog = pool.get('audit.log')
        users = staff_users(['sysadmin', 'auditor'])
        self.approve(users)
        for passphrase, again, message in [
                (None, None, '暗号化のパスワード|enter a passphrase'),
                ('short-pass', None, '12 文字以上|at least 12'),
                (PASSPHRASE, PASSPHRASE + 'x', '一致しません|differ'),
                ]:
            with self.subTest(passphrase=passphrase, again=again), \
                    as_user(users['sysadmin']), \
                    Transaction().set_context(language='ja'), \
                    self.assertRaises(UserError) as cm:
                self.run_export(passphrase=passphrase, again=again)
            self.assertRegex(cm.exception.message, message)
        AuditLog.flush()
        self.assertFalse(AuditLog.search([('model', '=', 'sakai.handover')]))

        with patch('sakai_handover.handover_wizard.demo_mode', return_value=True), \
                patch('sakai_handover.handover.demo_mode', return_value=True), \
                as_user(users['sysadmin']):
            values = self.run_export(passphrase=None)
        with archive.reader(io.BytesIO(bytes(values['file']))) as bundle:
            self.assertFalse(archive.is_encrypted(bundle))

    @with_transaction()
    def test_export_refused(self):
        "Staff other than system administrators cannot export"
        pool = Pool()
        Export = pool.get('sakai.handover.export', type='wizard')
        users = staff_users()
        for group in ['counselor', 'coordinator', 'manager', 'auditor']:
            with self.subTest(group=group):
                with as_user(users[group]), self.assertRaises(AccessError):
                    self.run_export()
                # nor by running the transition of a session they did not
                # start from the menu
                session_id, _, _ = Export.create()
                with as_user(users[group]), self.assertRaises(AccessError):
                    Export.execute(
                        session_id, {'start': {'confirm': True}}, 'export')
        # and the menu is not shown to them
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        menu_id = ModelData.get_id('sakai_handover', 'menu_handover_export')
        for group in ['counselor', 'coordinator', 'manager', 'auditor']:
            with as_user(users[group]):
                self.assertFalse(Menu.search([('id', '=', menu_id)]))
        with as_user(users['sysadmin']):
            self.assertTrue(Menu.search([('id', '=', menu_id)]))

    @with_transaction()
    def test_erasure_report(self):
        "Erasure reports are listed and printed, never changed"
        pool = Pool()
        Party = pool.get('party.party')
        Report = pool.get('sakai.erasure.report')
        AuditLog = pool.get('audit.log')
        Print = pool.get('sakai.erasure.report.print', type='report')
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')
        users = staff_users()
        # Written in the programme's language, as the set-up loads it
        load_japanese_translations()
        Party.create([{'name': "堺 花子"}])
        erase_all(DB_NAME, "消去 担当")
        menu_id = ModelData.get_id('sakai_handover', 'menu_erasure_report')
        # as the client calls it: with the action of the print menu
        action_id = ModelData.get_id('sakai_handover', 'report_erasure_report')

        for group in ['sysadmin', 'auditor']:
            with self.subTest(group=group), as_user(users[group]):
                report, = Report.search([])
                self.assertEqual(report.database, DB_NAME)
                self.assertEqual(report.erased_by, "消去 担当")
                self.assertIn('party.party', report.summary)
                oext, content, _, name = Print.execute(
                    [report.id], {'action_id': action_id})
                self.assertEqual(oext, 'html')
                self.assertIn('個人情報消去報告書', content)
                self.assertEqual(content, report.content)
                self.assertTrue(Menu.search([('id', '=', menu_id)]))

        report, = Report.search([])
        for group in ['counselor', 'coordinator', 'manager']:
            with self.subTest(group=group), as_user(users[group]):
                with self.assertRaises(AccessError):
                    Report.search([])
                with self.assertRaises(AccessError):
                    Print.execute([report.id], {'action_id': action_id})
                self.assertFalse(Menu.search([('id', '=', menu_id)]))

        for group in users:
            with self.subTest(group=group), as_user(users[group]):
                with self.assertRaises(AccessError):
                    Report.write([report], {'erased_by': "x"})
                with self.assertRaises(AccessError):
                    Report.delete([report])
                with self.assertRaises(AccessError):
                    Report.create([{'database': 'x'}])
        for method in ['create', 'write', 'delete']:
            self.assertNotIn(method, Report.__rpc__)
        self.assertEqual(Report(report.id).erased_by, "消去 担当")

        # printing goes through the report download log like any report
        AuditLog.flush()
        self.assertEqual(
            {e.user.id for e in AuditLog.search([
                        ('kind', '=', 'download'),
                        ('model', '=', 'sakai.erasure.report'),
                        ])},
            {users['sysadmin'], users['auditor']})

