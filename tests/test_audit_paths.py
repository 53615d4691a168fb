# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Every way staff reach personal data is in the access log
(sakai_line/audit.py): outbound messages, on_change answers, name look-ups,
the auditor's own look-ups, notes on client files, workflow buttons and
refused attempts.

Each call runs as the JSON-RPC dispatcher runs it: in a transaction of its
own, the arguments converted and the method decorated by the model's RPC
entry, committed unless it raises (then rolled back).
"""
import datetime as dt
import json
from unittest.mock import patch

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from sakai_counseling.tests.tools import create_two_clients, to_utc
from sakai_line.tests.tools import (
    DatabaseTestCase, dispatch, group_id, staff_users)

from tests.tools import ALL_MODULES

ADDRESS = '203.0.113.9'
# Sunday 22 November 2026; now is that Sunday at 09:00 in Japan
SUNDAY = dt.date(2026, 11, 22)


def jst(hour, days=0):
    "Naive UTC of a Japan time on SUNDAY (+ days)"
    return to_utc(dt.datetime.combine(SUNDAY, dt.time(hour))
        + dt.timedelta(days=days))


NOW = jst(9)


class AuditPathsTestCase(DatabaseTestCase):
    "The access log holds every way to personal data, refusals included"
    module = ALL_MODULES
    japanese = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for module in ['booking', 'slot', 'counseling']:
            clock = patch(f'sakai_counseling.{module}.utcnow',
                return_value=NOW)
            clock.start()
            cls.addClassCleanup(clock.stop)
        cls.setup_data()

    @classmethod
    def setup_data(cls):
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Slot = pool.get('counseling.slot')
            Booking = pool.get('counseling.booking')
            Record = pool.get('counseling.record')
            Referral = pool.get('counseling.referral')
            LineUser = pool.get('line.user')
            Message = pool.get('line.message')
            ModelData = pool.get('ir.model.data')
            User = pool.get('res.user')
            cls.users = staff_users()
            counselor = cls.users['counselor']
            # the system administrator manages the users (Tryton's group)
            User.write([User(cls.users['sysadmin'])], {'groups': [
                        ('add', [ModelData.get_id('res', 'group_admin')])]})
            cls.client, cls.other = create_two_clients(SUNDAY)
            slots = Slot.create([{'counselor': counselor,
                        'start': jst(hour), 'end': jst(hour + 1)}
                    for hour in (19, 20)])
            cls.booking, cls.to_cancel = Booking.create([{
                        'slot': s.id, 'client': cls.client.id,
                        'kind': 'career', 'method': 'phone'}
                    for s in slots])
            cls.record, = Record.create([{
                        'client': cls.client.id, 'counselor': counselor,
                        'start': jst(10, days=-1), 'notes': "初回の記録"}])
            centre = ModelData.get_id(
                'sakai_counseling', 'agency_single_parent_centre')
            dv = ModelData.get_id('sakai_counseling', 'agency_dv')
            cls.referral, cls.dv_referral = Referral.create([{
                        'client': cls.client.id, 'agency': agency,
                        'counselor': counselor, 'method': 'introduction',
                        'reason': reason}
                    for agency, reason in [
                        (centre, "資格を取りたい"), (dv, "DVの相談")]])
            line_user, = LineUser.create([{'line_id': 'U' + '0' * 32}])
            cls.message, = Message.create([{
                        'content': json.dumps([{'type': 'text',
                                    'text': "高ストレスの目安に当てはまりました"}],
                            ensure_ascii=False),
                        'recipients': [('create', [{
                                        'line_user': line_user.id}])],
                        }])
            cls.client, cls.other = cls.client.id, cls.other.id
            cls.booking, cls.to_cancel = cls.booking.id, cls.to_cancel.id
            cls.record, cls.message = cls.record.id, cls.message.id
            cls.referral = cls.referral.id
            cls.dv_referral = cls.dv_referral.id
            transaction.commit()

    def call(self, group, model, method, *args, context=None):
        "Call model.method as the JSON-RPC dispatcher does, as group"
        return dispatch(DB_NAME, self.users[group], model, method, *args,
            context=context, remote_addr=ADDRESS)

    def mark(self):
        "The newest entry's id: the entries after it are the next calls'"
        with Transaction().start(DB_NAME, 0, readonly=True):
            Log = Pool().get('audit.log')
            return Log.head()[0] or 0

    def entries(self, mark):
        "The entries appended since mark, as tuples easy to compare"
        with Transaction().start(DB_NAME, 0, readonly=True):
            Log = Pool().get('audit.log')
            users = {v: k for k, v in self.users.items()}
            self.assertEqual(Log.verify()[1:], (None, None))
            return [(l.kind, users.get(l.user.id), l.model, l.record_ids,
                    l.method, l.field_names)
                for l in Log.search([('id', '>', mark)],
                    order=[('id', 'ASC')])]

    def ids(self, *ids):
        return ',%s,' % ','.join(map(str, sorted(ids)))

    def test_outbound_message_read(self):
        "Reading an outbound message (a stress check's result) is logged"
        mark = self.mark()
        rows = self.call('coordinator', 'line.message', 'read',
            [self.message], ['content'])
        self.assertIn("高ストレス", rows[0]['content'])
        self.assertEqual(self.entries(mark), [
                ('read', 'coordinator', 'line.message',
                    self.ids(self.message), 'line.message.read', 'content'),
                ])

    def test_on_change_read(self):
        "An on_change answering a booking's client is a read of the booking"
        mark = self.mark()
        changes = self.call('counselor', 'counseling.record', 'on_change',
            {'booking': self.booking}, ['booking'])
        self.assertEqual(changes['client'], self.client)
        self.assertEqual(self.entries(mark), [
                ('read', 'counselor', 'counseling.booking',
                    self.ids(self.booking), 'counseling.record.on_change',
                    'booking'),
                ])

        # the auditor may not: refused, and the attempt is logged
        mark = self.mark()
        with self.assertRaises(AccessError):
            self.call('auditor', 'counseling.record', 'on_change',
                {'booking': self.booking}, ['booking'])
        self.assertEqual(self.entries(mark), [
                ('refused', 'auditor', 'counseling.booking',
                    self.ids(self.booking), 'counseling.record.on_change',
                    'booking'),
                ])

    def test_name_look_up(self):
        "A search tells whether a person is known: one entry per call"
        mark = self.mark()
        found = self.call('counselor', 'party.party', 'search',
            [('name', 'ilike', '%花子%')], 0, None, None)
        self.assertEqual(found, [self.client])
        count = self.call('counselor', 'party.party', 'search_count',
            [('contact_mechanisms.value', '=', '090-1234-5678')], 0, None)
        self.assertEqual(count, 1)
        self.call('counselor', 'party.party', 'search_read',
            [('name', 'ilike', '%一郎%')], 0, None, None, ['name'])
        # a many-to-one field's completion as the name is typed
        names = self.call('counselor', 'party.party', 'autocomplete',
            "花子", [], None, None)
        self.assertEqual([n['id'] for n in names], [self.client])
        entries = self.entries(mark)
        # the fields looked up, not the name or number typed
        self.assertEqual(entries, [
                ('search', 'counselor', 'party.party', self.ids(self.client),
                    'party.party.search', 'name'),
                ('search', 'counselor', 'party.party', '',
                    'party.party.search_count', 'contact_mechanisms.value'),
                ('read', 'counselor', 'party.party', self.ids(self.other),
                    'party.party.search_read', 'id,name'),
                ('read', 'counselor', 'party.party', self.ids(self.client),
                    'party.party.autocomplete', 'id,rec_name'),
                ])
        with Transaction().start(DB_NAME, 0, readonly=True):
            Log = Pool().get('audit.log')
            counted, = Log.search([('method', '=',
                        'party.party.search_count'), ('id', '>', mark)])
            self.assertEqual(counted.record_count, 1)
            self.assertNotIn('090', str(Log.read([counted.id],
                        ['field_names', 'method', 'record_ids'])))

    def test_workflow_buttons(self):
        """A button is one entry naming it; the searches and reads its own
        code makes are not the user's"""
        mark = self.mark()
        self.call('coordinator', 'counseling.booking', 'cancel',
            [self.to_cancel])
        self.call('counselor', 'counseling.record', 'complete',
            [self.record])
        self.call('counselor', 'counseling.referral', 'refer',
            [self.referral])
        self.assertEqual(self.entries(mark), [
                ('button', 'coordinator', 'counseling.booking',
                    self.ids(self.to_cancel), 'counseling.booking.cancel',
                    ''),
                ('button', 'counselor', 'counseling.record',
                    self.ids(self.record), 'counseling.record.complete', ''),
                ('button', 'counselor', 'counseling.referral',
                    self.ids(self.referral), 'counseling.referral.refer', ''),
                ])

    def test_refused_read(self):
        "A coordinator opening a DV referral is refused, and that is logged"
        mark = self.mark()
        with self.assertRaises(AccessError):
            self.call('coordinator', 'counseling.referral', 'read',
                [self.dv_referral], ['reason'])
        self.assertEqual(self.entries(mark), [
                ('refused', 'coordinator', 'counseling.referral',
                    self.ids(self.dv_referral), 'counseling.referral.read',
                    'reason'),
                ])

    def test_notes_on_client_file(self):
        "Notes on a client's file are logged against the client"
        mark = self.mark()
        resource = f'party.party,{self.client}'
        note, = self.call('counselor', 'ir.note', 'create',
            [{'resource': resource, 'message': "DVの相談あり"}])
        self.call('coordinator', 'ir.note', 'read', [note], ['message'])
        self.call('counselor', 'ir.note', 'write', [note],
            {'message': "DV 相談あり（継続）"})
        # the clients list the notes of the record opened: not logged
        self.call('coordinator', 'ir.note', 'search_count',
            [('resource', '=', resource)], 0, None)
        # a search through the notes' text is, against the clients found
        # (PostgreSQL searches a text by its words)
        self.call('coordinator', 'ir.note', 'search',
            [('message', 'ilike', '%DV%')], 0, None, None)
        self.assertEqual(self.entries(mark), [
                ('create', 'counselor', 'party.party', self.ids(self.client),
                    'ir.note.create', 'message,resource'),
                ('read', 'coordinator', 'party.party', self.ids(self.client),
                    'ir.note.read', 'message'),
                ('write', 'counselor', 'party.party', self.ids(self.client),
                    'ir.note.write', 'message'),
                ('search', 'coordinator', 'party.party',
                    self.ids(self.client), 'ir.note.search', 'message'),
                ])

    def test_group_changes(self):
        """Group changes are logged; a self-grant of client files without
        an approval is refused, and logged as refused"""
        with Transaction().start(DB_NAME, 0, readonly=True):
            sysadmin, counselor = group_id('sysadmin'), group_id('counselor')
        mark = self.mark()
        self.call('sysadmin', 'res.user', 'write', [self.users['manager']],
            {'groups': [('add', [sysadmin])]})
        (kind, user, model, ids, _, changes), = self.entries(mark)
        self.assertEqual((kind, user, model, ids),
            ('group', 'sysadmin', 'res.user', self.ids(self.users['manager'])))
        self.assertTrue(changes.startswith('+'), changes)

        mark = self.mark()
        with self.assertRaises(UserError):
            self.call('sysadmin', 'res.user', 'write',
                [self.users['sysadmin']],
                {'groups': [('add', [counselor])]})
        self.assertEqual(self.entries(mark), [
                ('refused', 'sysadmin', 'res.user',
                    self.ids(self.users['sysadmin']), 'res.user.write',
                    'groups'),
                ])

    def test_auditor_reads_names_only(self):
        """The auditor finds a client's entries by name, reading the names
        is logged, and the content of client files cannot be searched"""
        self.call('counselor', 'party.party', 'read', [self.client], ['name'])
        mark = self.mark()
        found = self.call('auditor', 'audit.log', 'search',
            [('client', '=', "堺 花子"), ('kind', '=', 'read')], 0, None,
            None)
        self.assertTrue(found)
        rows = self.call('auditor', 'audit.log', 'read', found, ['client'])
        self.assertEqual({r['client'] for r in rows}, {"堺 花子"})
        self.assertEqual(self.entries(mark), [
                ('search', 'auditor', 'party.party', self.ids(self.client),
                    'audit.log.search', 'rec_name'),
                ('read', 'auditor', 'party.party', self.ids(self.client),
                    'audit.log.read', 'rec_name'),
                ])
        mark = self.mark()
        self.call('auditor', 'audit.log', 'export_data', found,
            ['timestamp', 'client'], True)
        self.assertEqual(self.entries(mark), [
                ('read', 'auditor', 'party.party', self.ids(self.client),
                    'audit.log.export_data', 'rec_name'),
                ('download', 'auditor', 'audit.log', self.ids(*found),
                    'audit.log.export_data', 'client,timestamp'),
                ])

        for domain, searched in [
                ([('client.phone', '=', '090-1234-5678')], 'client.phone'),
                ([('client.children.birth_date', '<', dt.date(2020, 1, 1))],
                    'client.children.birth_date'),
                ([('client.referrals.reason', 'ilike', '%DV%')],
                    'client.referrals.reason'),
                ([('client', 'where', [('household', '=', 'single_mother')])],
                    'client,client.household'),
                ]:
            with self.subTest(domain=domain):
                mark = self.mark()
                with self.assertRaises(UserError) as refused:
                    self.call('auditor', 'audit.log', 'search', domain, 0,
                        None, None, context={'language': 'ja'})
                self.assertEqual(refused.exception.message,
                    "監査ログで利用者の記録を探せるのは利用者の名前だけです。"
                    "監査担当は利用者ファイルの内容では検索できません。")
                self.assertEqual(self.entries(mark), [
                        ('refused', 'auditor', 'audit.log', '',
                            'audit.log.search', searched),
                        ])
