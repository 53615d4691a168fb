# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Counseling records are changed by their own counselor only, a completed
record is amended (dated, signed, the original kept) and never rewritten,
a session is completed once it has taken place, and every refusal is a
Japanese sentence, whoever calls and through whichever path."""
import contextlib
import datetime as dt
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_line.tests.tools import DatabaseTestCase, as_user, rpc, staff_user

from ..exceptions import RecordError
from .tools import create_client

# Wednesday 25 November 2026, 12:00 in Japan
NOW = dt.datetime(2026, 11, 25, 3, 0)
# Monday 30 November 2026, 20:00 in Japan: after NOW
FUTURE = dt.datetime(2026, 11, 30, 11, 0)
# Tuesday 24 November 2026, 20:00 in Japan: before NOW
PAST = dt.datetime(2026, 11, 24, 11, 0)


@contextlib.contextmanager
def clock(at):
    "now is at (naive UTC) for records, bookings and slots"
    with patch('sakai_counseling.counseling.utcnow', return_value=at), \
            patch('sakai_counseling.booking.utcnow', return_value=at), \
            patch('sakai_counseling.slot.utcnow', return_value=at):
        yield


class RecordOwnershipTestCase(DatabaseTestCase):
    "Ownership, amendments and completion of counseling records"
    module = 'sakai_counseling'
    japanese = True

    def setUp(self):
        super().setUp()
        stack = contextlib.ExitStack()
        stack.enter_context(clock(NOW))
        self.addCleanup(stack.close)

    def setup_data(self):
        Record = Pool().get('counseling.record')
        self.a, self.b, self.coordinator = [
            staff_user(login, group, name=name).id
            for login, group, name in [('aoki', 'counselor', "青木"),
                ('nishimura', 'counselor', "西村"),
                ('fujita', 'coordinator', "藤田")]]
        self.client = create_client()
        self.draft, self.done = Record.create([{
                    'client': self.client.id, 'counselor': self.a,
                    'start': PAST, 'notes': notes}
                for notes in ["初回の記録", "事務職を希望。"]])
        Record.complete([self.done])

    @contextlib.contextmanager
    def as_user(self, user):
        "As the user through RPC, reading Japanese"
        with as_user(user), Transaction().set_context(language='ja'):
            yield

    def assertJapanese(self, exception, *texts):
        "A Japanese sentence that names no button or field by its code"
        message = exception.message
        for text in texts:
            self.assertIn(text, message)
        for code in ['complete', 'reopen', 'counseling.record']:
            self.assertNotIn(code, message)
        self.assertFalse(message.isascii(), message)

    @with_transaction()
    def test_other_counselor_reads_only(self):
        """Another counselor reads a record but cannot change, delete,
        complete or amend it"""
        pool = Pool()
        Record = pool.get('counseling.record')
        Step = pool.get('counseling.record.step')
        Amendment = pool.get('counseling.record.amendment')
        self.setup_data()
        with self.as_user(self.b):
            draft, done = Record.browse([self.draft.id, self.done.id])
            self.assertEqual(draft.notes, "初回の記録")
            self.assertEqual(len(Record.search([])), 2)
            # The client shows the form read-only
            self.assertEqual(
                [r['_write'] for r in Record.read([draft.id], ['_write'])],
                [False])
            for call in [
                    lambda: Record.write([draft], {'notes': "書き換え"}),
                    lambda: rpc(Record, 'write', [draft.id],
                        {'notes': "書き換え"}),
                    lambda: Record.delete([draft]),
                    lambda: rpc(Record, 'complete', [draft.id]),
                    lambda: Step.write(list(draft.steps), {'note': "X"}),
                    ]:
                with self.assertRaises(AccessError) as cm:
                    call()
                self.assertJapanese(cm.exception, "担当の相談員（青木）")
            with self.assertRaises(AccessError) as cm:
                Amendment.create([{'record': done.id, 'reason': "訂正",
                            'text': "書き換え"}])
            self.assertJapanese(cm.exception, "追記・訂正できるのは",
                "青木")
        with self.as_user(self.a):
            self.assertEqual(
                [r['_write'] for r in Record.read([self.draft.id],
                        ['_write'])], [True])
        self.assertEqual(Record(self.draft.id).notes, "初回の記録")

    @with_transaction()
    def test_counselor_and_state_not_written(self):
        """A counselor writes records as their counselor; the state changes
        only with the button"""
        pool = Pool()
        Record = pool.get('counseling.record')
        self.setup_data()
        with self.as_user(self.a):
            draft = Record(self.draft.id)
            for values, text in [
                    ({'counselor': self.b}, "相談員を他の人に"),
                    ({'state': 'done'}, "「完了」ボタン"),
                    ]:
                with self.subTest(values=values):
                    with self.assertRaises(AccessError) as cm:
                        rpc(Record, 'write', [draft.id], values)
                    self.assertJapanese(cm.exception, text)
                    with self.assertRaises(AccessError) as cm:
                        rpc(Record, 'create', [dict(values,
                                    client=self.client.id, start=PAST)])
                    self.assertJapanese(cm.exception, text)
            # Without a counselor, the record is the writer's
            record_id, = rpc(Record, 'create', [{
                        'client': self.client.id, 'start': PAST}])
            self.assertEqual(Record(record_id).counselor.id, self.a)
            self.assertEqual(Record(draft.id).state, 'draft')
        self.assertEqual(Record(self.draft.id).counselor.id, self.a)

    @with_transaction()
    def test_completed_record_amended(self):
        """A completed record is not rewritten; its counselor amends it,
        the original stays, the amendment is dated and signed"""
        pool = Pool()
        Record = pool.get('counseling.record')
        Step = pool.get('counseling.record.step')
        Amendment = pool.get('counseling.record.amendment')
        self.setup_data()
        self.assertNotIn('reopen', Record.__rpc__)
        later = NOW + dt.timedelta(hours=2)
        with self.as_user(self.a):
            done = Record(self.done.id)
            for call in [
                    lambda: rpc(Record, 'write', [done.id],
                        {'notes': "書き換え"}),
                    lambda: rpc(Record, 'write', [done.id],
                        {'steps': [('write', [done.steps[0].id],
                                    {'note': "X"})]}),
                    lambda: Step.write([done.steps[0]], {'note': "X"}),
                    ]:
                with self.assertRaises(AccessError) as cm:
                    call()
                self.assertJapanese(cm.exception, "完了しているため",
                    "「追記・訂正」タブ")
            with self.assertRaises(RecordError) as cm:
                Record.delete([done])
            self.assertJapanese(cm.exception, "削除できません")

            # From the form: a new line in the 「追記・訂正」 tab; the author
            # and date sent are ignored
            with clock(later):
                rpc(Record, 'write', [done.id], {'amendments': [('create', [{
                                    'reason': "記載漏れ",
                                    'text': "保育園の空き状況も確認した。",
                                    'author': self.b,
                                    'date': dt.datetime(2020, 1, 1)}])]})
            first, = Record(done.id).amendments
            self.assertEqual((first.author.id, first.date, first.reason),
                (self.a, later, "記載漏れ"))
            self.assertRegex(first.rec_name,
                r'^2026-11-25 14:00 記載漏れ$')
            # Amendments are kept as written: nobody may change the model,
            # and through the record the amendment is named
            for call, text in [
                    (lambda: rpc(Amendment, 'write', [first.id],
                            {'text': "X"}), "相談記録の追記・訂正"),
                    (lambda: rpc(Amendment, 'delete', [first.id]),
                        "相談記録の追記・訂正"),
                    (lambda: rpc(Record, 'write', [done.id],
                            {'amendments': [('delete', [first.id])]}),
                        "記載漏れ"),
                    (lambda: rpc(Record, 'write', [done.id],
                            {'amendments': [('remove', [first.id])]}),
                        "記載漏れ"),
                    ]:
                with self.assertRaises(AccessError) as cm:
                    call()
                self.assertJapanese(cm.exception, text)

            # Directly, marking the direction clear
            with clock(later + dt.timedelta(hours=1)):
                Amendment.create([{'record': done.id, 'reason': "誤記の訂正",
                            'text': "方向性は明確になっていた。",
                            'direction_clear': True}])
            self.assertTrue(Record(done.id).direction_clear)

            # Not on a draft: the draft is rewritten
            with self.assertRaises(AccessError) as cm:
                Amendment.create([{'record': self.draft.id, 'reason': "X",
                            'text': "X"}])
            self.assertJapanese(cm.exception, "まだ下書き")
        done = Record(self.done.id)
        self.assertEqual(done.notes, "事務職を希望。")
        self.assertEqual(done.state, 'done')
        self.assertEqual([(a.reason, a.author.name) for a in done.amendments],
            [("記載漏れ", "青木"), ("誤記の訂正", "青木")])

    @with_transaction()
    def test_amendments_tab(self):
        "The record form has the tab 追記・訂正 listing date, time and author"
        from lxml import etree
        pool = Pool()
        Record = pool.get('counseling.record')
        Amendment = pool.get('counseling.record.amendment')
        with Transaction().set_context(language='ja'):
            form = etree.fromstring(
                Record.fields_view_get(view_type='form')['arch'])
            pages = [p.get('string') for p in form.iter('page')]
            self.assertIn("追記・訂正", pages)
            self.assertNotIn('reopen',
                [b.get('name') for b in form.iter('button')])
            view = Amendment.fields_view_get(view_type='tree')
            columns = [(f.get('name'), f.get('widget'))
                for f in etree.fromstring(view['arch']).iter('field')]
            self.assertEqual(columns[:3], [('date', 'date'),
                    ('date', 'time'), ('author', None)])
            self.assertEqual(view['fields']['author']['string'], "記入者")

    @with_transaction()
    def test_amendment_read_as_record(self):
        """Coordinators read amendments of records they read, add none; an
        amendment telling of DV or health hides the record"""
        pool = Pool()
        Record = pool.get('counseling.record')
        Amendment = pool.get('counseling.record.amendment')
        self.setup_data()
        with self.as_user(self.a):
            first, = Amendment.create([{'record': self.done.id,
                        'reason': "記載漏れ", 'text': "子どもの送迎がある。"}])
        with self.as_user(self.coordinator):
            self.assertEqual(Amendment.search([]), [first])
            self.assertEqual(Amendment(first.id).text, "子どもの送迎がある。")
            with self.assertRaises(AccessError) as cm:
                rpc(Amendment, 'create', [{'record': self.done.id,
                            'reason': "X", 'text': "X"}])
            self.assertFalse(cm.exception.message.isascii())
            with self.assertRaises(AccessError):
                rpc(Record, 'write', [self.done.id], {'amendments': [
                            ('create', [{'reason': "X", 'text': "X"}])]})
        with self.as_user(self.a):
            Amendment.create([{'record': self.done.id, 'reason': "追記",
                        'text': "夫からの暴力の相談があった。",
                        'sensitive': True}])
        self.assertTrue(Record(self.done.id).sensitive)
        with self.as_user(self.coordinator):
            self.assertEqual(Amendment.search([]), [])
            self.assertNotIn(self.done, Record.search([]))
        with self.as_user(self.b):
            self.assertEqual(len(Amendment.search([])), 2)

    @with_transaction()
    def test_amendments_logged(self):
        "Amendments are personal data: adding and reading them is logged"
        pool = Pool()
        Amendment = pool.get('counseling.record.amendment')
        Log = pool.get('audit.log')
        self.setup_data()
        with self.as_user(self.a):
            amendment_id, = rpc(Amendment, 'create', [{
                        'record': self.done.id, 'reason': "記載漏れ",
                        'text': "子どもの送迎がある。"}])
        with self.as_user(self.coordinator):
            rpc(Amendment, 'read', [amendment_id], ['text'])
        Log.flush()
        logs = Log.search([('model', '=', 'counseling.record.amendment')])
        self.assertEqual(
            {(l.kind, l.user.id, l.record_ids) for l in logs}
            >= {('create', self.a, f',{amendment_id},'),
                ('read', self.coordinator, f',{amendment_id},')},
            True, logs)

    @with_transaction()
    def test_complete_held_sessions_only(self):
        """A session is completed once it has taken place; refused buttons
        answer in Japanese, never with the button's code name"""
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Booking = pool.get('counseling.booking')
        Record = pool.get('counseling.record')
        self.setup_data()
        slot, = Slot.create([{'counselor': self.a, 'start': FUTURE,
                    'end': FUTURE + dt.timedelta(hours=1)}])
        booking, = Booking.create([{'slot': slot.id,
                    'client': self.client.id}])
        with self.as_user(self.a):
            future = Record.from_booking(Booking(booking.id))
            future.save()
            # The record's start moved back does not make the session held
            early, = Record.create([{'client': self.client.id,
                        'booking': booking.id, 'start': PAST}])
            for record in [future, early]:
                with self.assertRaises(RecordError) as cm:
                    rpc(Record, 'complete', [record.id])
                self.assertJapanese(cm.exception, "2026-11-30 20:00 開始",
                    "行われる前には完了できません")
            self.assertEqual(Record(future.id).state, 'draft')
            self.assertEqual(Booking(booking.id).state, 'booked')

            with self.assertRaises(AccessError) as cm:
                rpc(Record, 'complete', [self.done.id])
            self.assertJapanese(cm.exception, "すでに完了しています")

        with self.as_user(self.coordinator):
            with self.assertRaises(AccessError) as cm:
                rpc(Record, 'complete', [self.draft.id])
            self.assertJapanese(cm.exception, "相談員だけ")

        # Once the session has started, it is completed
        with clock(FUTURE + dt.timedelta(minutes=50)), self.as_user(self.a):
            rpc(Record, 'complete', [future.id])
        self.assertEqual(Record(future.id).state, 'done')
        self.assertEqual(Booking(booking.id).state, 'done')
