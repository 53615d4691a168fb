# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The access and download log (sakai_line/audit.py).

Staff work as themselves with access checks on, the way the RPC layer calls
the server; the request's address is in the context as ``_request``.
"""
import datetime as dt
import os
import threading
import unittest
from contextlib import contextmanager
from unittest.mock import patch

from trytond.model import ModelSQL, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, USER, with_transaction
from trytond.transaction import Transaction

from sakai_audit import audit
from sakai_counseling.tests.tools import create_two_clients
from sakai_line.tests.tools import (
    DatabaseTestCase, staff_user, staff_users)

from tests.tools import ALL_MODULES, OUR_MODULES

GROUPS = ['counselor', 'coordinator', 'manager', 'sysadmin', 'auditor']
PERSON_MODELS = {'party.party', 'line.user'}
ADDRESS = '203.0.113.7'
POSTGRESQL = os.environ.get(
    'TRYTOND_DATABASE_URI', '').startswith('postgresql')


def utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class AuditTestCase(DatabaseTestCase):
    "Access and download log"
    module = ALL_MODULES

    def setup_data(self):
        self.users = staff_users(GROUPS, name="{} san")
        self.client, self.other = create_two_clients(
            Pool().get('ir.date').today())

    @contextmanager
    def as_user(self, group, address=ADDRESS):
        with Transaction().set_user(self.users[group]), \
                Transaction().set_context(_check_access=True,
                    _request={'remote_addr': address}):
            yield

    def logs(self, domain=None):
        Log = Pool().get('audit.log')
        Log.flush()
        return Log.search(domain or [], order=[('id', 'ASC')])

    @with_transaction()
    def test_open_client_file(self):
        "Opening a client's file is logged with user, address and record"
        pool = Pool()
        Party = pool.get('party.party')
        self.setup_data()
        self.assertEqual(self.logs(), [], "internal calls are not logged")
        with self.as_user('counselor'):
            Party.read([self.client.id], ['name', 'household', 'rec_name'])
        log, = self.logs()
        self.assertEqual(log.kind, 'read')
        self.assertEqual(log.user.id, self.users['counselor'])
        self.assertEqual(log.address, ADDRESS)
        self.assertEqual(log.model, 'party.party')
        self.assertEqual(log.record_ids, f',{self.client.id},')
        self.assertEqual(log.record_id, self.client.id)
        self.assertEqual(log.field_names, 'household,name,rec_name')
        self.assertEqual(log.method, 'party.party.read')
        self.assertEqual(log.interface, 'api')
        self.assertTrue(log.hash)

        # the back office (sao, the desktop client) sends its bus id
        with self.as_user('counselor'), \
                Transaction().set_context(client='a-bus-id'):
            Party.read([self.client.id], ['name'])
        self.assertEqual(self.logs()[-1].interface, 'client')
        # a server-side script (proteus, trytond-console)
        with Transaction().set_user(self.users['counselor']), \
                Transaction().set_context(_check_access=True):
            Party.read([self.client.id], ['name'])
        self.assertEqual(self.logs()[-1].interface, 'script')

        # a change and its nested creation: one entry, the outer call
        with self.as_user('counselor'):
            Party.write([self.client], {
                    'contact_mechanisms': [('create', [{
                                    'type': 'email',
                                    'value': 'hanako@example.com'}])]})
        log = self.logs()[-1]
        self.assertEqual(
            (log.kind, log.model, log.field_names),
            ('write', 'party.party', 'contact_mechanisms'))
        self.assertEqual(len(self.logs()), 4)

    @with_transaction()
    def test_export_and_report(self):
        "An export and a printed report are downloads with model, ids, fields"
        pool = Pool()
        Party = pool.get('party.party')
        Label = pool.get('party.label', type='report')
        self.setup_data()
        with self.as_user('coordinator'):
            Party.export_data([self.client, self.other],
                ['name', 'contact_mechanisms/value'])
        log, = self.logs()
        self.assertEqual(log.kind, 'download')
        self.assertEqual(log.model, 'party.party')
        self.assertEqual(log.record_ids,
            ',%s,' % ','.join(map(str, sorted(
                        [self.client.id, self.other.id]))))
        self.assertEqual(log.field_names, 'contact_mechanisms/value,name')
        self.assertEqual(log.method, 'party.party.export_data')

        with self.as_user('coordinator'):
            Label.execute([self.client.id], {})
        log = self.logs()[-1]
        self.assertEqual(
            (log.kind, log.model, log.record_ids, log.field_names),
            ('download', 'party.party', f',{self.client.id},', 'party.label'))
        self.assertEqual(len(self.logs()), 2)

    @with_transaction()
    def test_attachment_download(self):
        "Reading an attachment's data is a download, of the client's file"
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        JobOrder = pool.get('job.order')
        Party = pool.get('party.party')
        self.setup_data()
        attachment, = Attachment.create([{
                    'name': 'rirekisho.pdf', 'resource': str(self.client),
                    'data': b'%PDF'}])
        with self.as_user('counselor'):
            Attachment.read([attachment.id], ['name'])
            Attachment.read([attachment.id], ['name', 'data'])
        listed, downloaded = self.logs()
        # against the client's file, so that the client's entries hold it
        self.assertEqual(
            (listed.kind, listed.model, listed.record_ids, listed.method),
            ('read', 'party.party', f',{self.client.id},',
                'ir.attachment.read'))
        self.assertEqual((downloaded.kind, downloaded.model,
                downloaded.record_ids, downloaded.field_names),
            ('download', 'party.party', f',{self.client.id},', 'data,name'))

        # an employer's document: a download of the attachment itself
        employer, = Party.create([{'name': "株式会社テスト",
                    'is_employer': True}])
        order, = JobOrder.create([{'employer': employer.id,
                    'title': "事務", 'wage_min': 1000}])
        document, = Attachment.create([{
                    'name': 'kyujin.pdf', 'resource': str(order),
                    'data': b'%PDF'}])
        with self.as_user('coordinator'):
            Attachment.read([document.id], ['name'])
            Attachment.read([document.id], ['name', 'data'])
        log = self.logs()[-1]
        self.assertEqual(len(self.logs()), 3)
        self.assertEqual((log.kind, log.model, log.record_ids),
            ('download', 'ir.attachment', f',{document.id},'))

    @with_transaction()
    def test_tampering_detected(self):
        "A row changed or removed behind the ORM breaks the chain there"
        pool = Pool()
        Party = pool.get('party.party')
        Log = pool.get('audit.log')
        self.setup_data()
        with self.as_user('counselor'):
            for _ in range(5):
                Party.read([self.client.id], ['name'])
        logs = self.logs()
        self.assertEqual(Log.verify(), (5, None, None))
        cursor = Transaction().connection.cursor()
        table = Log.__table__()
        if POSTGRESQL:
            # the trigger refuses; a superuser can switch it off
            for sql in ['UPDATE "audit_log" SET address = \'x\'',
                    'DELETE FROM "audit_log"']:
                cursor.execute('SAVEPOINT tamper')
                with self.assertRaisesRegex(Exception, 'append-only'):
                    cursor.execute(sql)
                cursor.execute('ROLLBACK TO SAVEPOINT tamper')
            cursor.execute('ALTER TABLE "audit_log" DISABLE TRIGGER USER')
        cursor.execute(*table.update([table.address], ['198.51.100.1'],
                where=table.id == logs[2].id))
        self.assertEqual(Log.verify(), (3, logs[2].id, 'hash'))
        cursor.execute(*table.update([table.address], [ADDRESS],
                where=table.id == logs[2].id))
        self.assertEqual(Log.verify(), (5, None, None))
        cursor.execute(*table.delete(where=table.id == logs[1].id))
        self.assertEqual(Log.verify(), (2, logs[2].id, 'prev_hash'))
        if POSTGRESQL:
            cursor.execute('ALTER TABLE "audit_log" ENABLE TRIGGER USER')

    @with_transaction()
    def test_access(self):
        "The auditor searches and exports; nobody else reads; nobody changes"
        pool = Pool()
        Party = pool.get('party.party')
        Log = pool.get('audit.log')
        ModelAccess = pool.get('ir.model.access')
        self.setup_data()
        with self.as_user('counselor'):
            Party.read([self.client.id], ['name'])
        log, = self.logs()
        with self.as_user('auditor'):
            found = Log.search([('record_id', '=', self.client.id)])
            self.assertEqual(found, [log])
            Log.export_data(found, ['timestamp', 'user/name', 'record_ids'])
        export = self.logs()[-1]
        self.assertEqual((export.kind, export.model, export.user.id),
            ('download', 'audit.log', self.users['auditor']))
        self.assertEqual(export.record_ids, f',{log.id},')
        for group in ['counselor', 'coordinator', 'manager', 'sysadmin']:
            with self.subTest(group=group), self.as_user(group):
                with self.assertRaises(AccessError):
                    Log.search([])
                with self.assertRaises(AccessError):
                    Log.read([log.id], ['address'])
        for group in ['auditor', 'sysadmin']:
            with self.subTest(group=group), self.as_user(group):
                for mode in ['write', 'create', 'delete']:
                    self.assertFalse(ModelAccess.check(
                            'audit.log', mode, raise_exception=False))
        # not even the administrator, without access checks
        self.assertEqual(Transaction().user, USER)
        with self.assertRaises(AccessError):
            Log.write([log], {'address': '198.51.100.1'})
        with self.assertRaises(AccessError):
            Log.delete([log])
        with self.assertRaises(AccessError):
            Log.create([{'kind': 'read', 'timestamp': utcnow()}])
        self.assertNotIn('write', Log.__rpc__)
        self.assertNotIn('delete', Log.__rpc__)
        self.assertEqual(Log.verify()[1:], (None, None))

    def backdated(self, group, when, func):
        "Run func as the user of group, logged as if done at when"
        Log = Pool().get('audit.log')
        Log.flush()
        with self.as_user(group):
            func()
        manager = Transaction().join(audit._AuditDataManager())
        for entry in manager.entries:
            entry['timestamp'] = when
        Log.flush()

    @with_transaction()
    def test_auditor_in_japanese(self):
        "監査担当: 先週この方のファイルを開いたのは誰か、昨日の書き出しは何か"
        pool = Pool()
        Party = pool.get('party.party')
        Log = pool.get('audit.log')
        self.setup_data()
        now = utcnow()
        last_week = now - dt.timedelta(days=7)
        yesterday = now - dt.timedelta(days=1)
        self.backdated('counselor', last_week,
            lambda: Party.read([self.client.id], ['name', 'household']))
        self.backdated('manager', last_week - dt.timedelta(days=7),
            lambda: Party.read([self.client.id], ['name']))
        self.backdated('coordinator', yesterday,
            lambda: Party.export_data([self.client, self.other],
                ['name', 'contact_mechanisms/value']))
        self.backdated('coordinator', now,
            lambda: Party.read([self.other.id], ['name']))

        week_start = (now - dt.timedelta(days=now.weekday() + 7)).replace(
            hour=0, minute=0, second=0, microsecond=0)
        day_start = yesterday.replace(
            hour=0, minute=0, second=0, microsecond=0)
        with self.as_user('auditor'), \
                Transaction().set_context(language='ja'):
            opened = Log.search([
                    ('client', '=', self.client.id),
                    ('kind', '=', 'read'),
                    ('timestamp', '>=', week_start),
                    ('timestamp', '<', week_start + dt.timedelta(days=7)),
                    ])
            self.assertEqual([l.user.name for l in opened], ["counselor san"])
            # as typed in the search bar, by name: the auditor cannot open
            # client files but finds the entries of one
            for clause in [('client', 'ilike', '%花子%'),
                    ('client.rec_name', 'ilike', '%花子%'),
                    ('client', '=', "堺 花子")]:
                self.assertEqual(Log.search([clause,
                            ('kind', '=', 'read'),
                            ('timestamp', '>=', week_start),
                            ('timestamp', '<', week_start
                                + dt.timedelta(days=7))]), opened, clause)
            with self.assertRaises(AccessError):
                Party.read([self.client.id], ['name'])
            self.assertEqual(opened[0].address, ADDRESS)
            exported = Log.search([
                    ('user.login', '=', 'coordinator'),
                    ('kind', '=', 'download'),
                    ('timestamp', '>=', day_start),
                    ('timestamp', '<', day_start + dt.timedelta(days=1)),
                    ])
            export, = exported
            self.assertTrue(export.model_name)
            self.assertEqual(export.record_count, 2)
            self.assertEqual(export.field_names,
                'contact_mechanisms/value,name')

    @with_transaction()
    def test_purge(self):
        "Rows past the retention go, the anchor moves, the chain still holds"
        pool = Pool()
        Party = pool.get('party.party')
        Log = pool.get('audit.log')
        self.setup_data()
        now = utcnow()
        for days in [500, 400, 10]:
            self.backdated('counselor', now - dt.timedelta(days=days),
                lambda: Party.read([self.client.id], ['name']))
        with patch.object(audit, 'retention_days', return_value=365):
            self.assertEqual(Log.purge(), 2)
        logs = self.logs()
        self.assertEqual([l.kind for l in logs], ['read', 'purge'])
        self.assertEqual(Log.verify(), (2, None, None))

        # hiding recent rows by deleting them and moving the anchor by
        # hand: no purge entry says so
        for days in [3, 2, 1]:
            self.backdated('counselor', now - dt.timedelta(days=days),
                lambda: Party.read([self.client.id], ['name']))
        logs = self.logs()
        Anchor = pool.get('audit.log.anchor')
        cursor = Transaction().connection.cursor()
        table = Log.__table__()
        if POSTGRESQL:
            cursor.execute('ALTER TABLE "audit_log" DISABLE TRIGGER USER')
        cursor.execute(*table.delete(where=table.id <= logs[2].id))
        Anchor.set_anchor(cursor, logs[2].hash, logs[2].id)
        self.assertEqual(Log.verify(), (2, logs[2].id, 'anchor'))
        if POSTGRESQL:
            cursor.execute('ALTER TABLE "audit_log" ENABLE TRIGGER USER')

        from trytond.config import config
        with patch.object(config, 'getint', return_value=30):
            self.assertEqual(audit.retention_days(), 365)
        with patch.object(config, 'getint', return_value=730):
            self.assertEqual(audit.retention_days(), 730)

    @with_transaction()
    def test_coverage(self):
        "Every model of ours that holds personal data is logged or exempted"
        pool = Pool()
        Model = pool.get('ir.model')
        ours = {m.name for m in Model.search([
                    ('module', 'in', list(OUR_MODULES))])}
        # models of others our modules extend with personal fields count too
        personal = PERSON_MODELS | audit.PERSONAL_MODELS
        missing = []
        for name, Class in pool.iterobject():
            if not issubclass(Class, ModelSQL) or name.startswith('ir.'):
                continue
            if name in audit.PERSONAL_MODELS or name in audit.EXEMPT_MODELS:
                continue
            for fname, field in Class._fields.items():
                target = None
                if isinstance(field, (fields.Many2One, fields.One2Many,
                            fields.Many2Many)):
                    target = field.get_target().__name__
                if target in personal and (
                        name in ours or self.field_module(name, fname)
                        in OUR_MODULES):
                    missing.append(f'{name}.{fname} -> {target}')
        self.assertEqual(missing, [],
            "add these models to audit.PERSONAL_MODELS or EXEMPT_MODELS")
        for name in audit.PERSONAL_MODELS | set(audit.EXEMPT_MODELS):
            with self.subTest(model=name):
                pool.get(name)

    def field_module(self, model, field):
        Field = Pool().get('ir.model.field')
        fields_ = Field.search([
                ('model', '=', model), ('name', '=', field)], limit=1)
        return fields_[0].module if fields_ else None


@unittest.skipUnless(POSTGRESQL, "concurrency is proven on PostgreSQL")
class AuditConcurrencyTestCase(DatabaseTestCase):
    "Concurrent appends do not fork the chain"

    @with_transaction()
    def setup_data(self):
        Party = Pool().get('party.party')
        user = staff_user('counselor', 'counselor', name="相談員")
        party, = Party.create([{'name': "堺 花子"}])
        Transaction().commit()
        return user.id, party.id

    def test_concurrent_appends(self):
        "40 staff read at once, each in a read-only RPC-like transaction"
        user, party = self.setup_data()
        count = 40
        barrier = threading.Barrier(count)
        errors = []

        def read(i):
            try:
                with Transaction().start(DB_NAME, user, readonly=True,
                        context={'_check_access': True, '_request': {
                                'remote_addr': f'192.0.2.{i}'}}
                        ) as transaction:
                    Party = Pool().get('party.party')
                    Party.read([party], ['name'])
                    barrier.wait()
                    transaction.commit()
            except Exception as exception:
                errors.append(exception)

        threads = [threading.Thread(target=read, args=(i,))
            for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.check(count)

    @with_transaction()
    def check(self, count):
        Log = Pool().get('audit.log')
        logs = Log.search([])
        self.assertEqual(len(logs), count)
        self.assertEqual(len({l.prev_hash for l in logs}), count)
        self.assertEqual(Log.verify(), (count, None, None))

    def test_verify_tool(self):
        "tools/audit_verify.py exits 0 on a whole chain, 1 on a broken one"
        import importlib.util
        path = os.path.join(os.path.dirname(os.path.dirname(
                    os.path.abspath(__file__))), 'tools', 'audit_verify.py')
        spec = importlib.util.spec_from_file_location('audit_verify', path)
        tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tool)
        import contextlib
        import io
        output = io.StringIO()
        with patch('trytond.config.update_etc'), \
                contextlib.redirect_stdout(output):
            self.assertEqual(tool.main(['-c', 'x', '-d', DB_NAME]), 0)
        head = output.getvalue().split()[-1]
        self.assertRegex(head, r'^\d+:[0-9a-f]{64}$')
        with patch('trytond.config.update_etc'):
            # the head kept outside still there: the chain was not redone
            self.assertEqual(tool.main(
                    ['-c', 'x', '-d', DB_NAME, '--expect', head]), 0)
            id_ = head.split(':')[0]
            self.assertEqual(tool.main(['-c', 'x', '-d', DB_NAME,
                        '--expect', f'{id_}:{"f" * 64}']), 1)
        original = self.tamper('198.51.100.9')
        try:
            with patch('trytond.config.update_etc'):
                self.assertEqual(tool.main(['-c', 'x', '-d', DB_NAME]), 1)
        finally:
            self.tamper(original)
        with patch('trytond.config.update_etc'):
            self.assertEqual(tool.main(['-c', 'x', '-d', DB_NAME]), 0)

    @with_transaction()
    def tamper(self, address):
        "Set the first row's address behind the ORM; return the old one"
        pool = Pool()
        Log = pool.get('audit.log')
        Party = pool.get('party.party')
        transaction = Transaction()
        if not Log.search([]):
            with transaction.set_user(1), transaction.set_context(
                    _check_access=True):
                Party.read([p.id for p in Party.search([])], ['name'])
            Log.flush()
        log = Log.search([], order=[('id', 'ASC')], limit=1)[0]
        original = log.address
        cursor = transaction.connection.cursor()
        cursor.execute('ALTER TABLE "audit_log" DISABLE TRIGGER USER')
        cursor.execute('UPDATE "audit_log" SET address = %s WHERE id = %s',
            (address, log.id))
        cursor.execute('ALTER TABLE "audit_log" ENABLE TRIGGER USER')
        transaction.commit()
        return original
