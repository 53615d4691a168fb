# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Fields the form shows read-only stay so over RPC (sakai_line/access.py):
a staff member's plain ``write`` or ``create`` of such a field, or of a
workflow's state, is refused with a Japanese message and changes nothing;
unchanged values, the form's other fields and the buttons still work.

Each call runs as the JSON-RPC dispatcher runs it: in a transaction of its
own, the arguments converted and the method decorated by the model's RPC
entry, committed unless it raises.
"""
import datetime as dt
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from sakai_line.tests.tools import DatabaseTestCase, dispatch, staff_users

from tests.tools import ALL_MODULES

AT = dt.datetime(2026, 11, 20, 1, 30)
READONLY = "は画面で読み取り専用の項目のため変更できません。"
STATE = "ボタンからだけ変わります。"


class ReadonlyWriteTestCase(DatabaseTestCase):
    "A plain RPC write cannot change what the form shows read-only"
    # the referral (sakai_counseling) is the workflow of the examples
    module = ALL_MODULES
    japanese = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            LineUser = pool.get('line.user')
            Inquiry = pool.get('line.inquiry')
            Referral = pool.get('counseling.referral')
            ModelData = pool.get('ir.model.data')
            cls.users = staff_users()
            cls.line_user, cls.other_line_user = LineUser.create([
                    {'line_id': 'U' + '1' * 32}, {'line_id': 'U' + '2' * 32}])
            cls.client, = Party.create([{'name': "堺 花子",
                        'is_client': True, 'household': 'single_mother',
                        'registered_on': AT.date(),
                        'line_user': cls.line_user.id}])
            cls.inquiry, = Inquiry.create([{
                        'line_user': cls.line_user.id,
                        'subject': "求人について", 'reason': 'message',
                        'messages': [('create', [{'direction': 'in',
                                        'text': "求人について教えてください",
                                        'at': AT}])],
                        }])
            cls.message, = cls.inquiry.messages
            cls.referral, = Referral.create([{
                        'client': cls.client.id,
                        'agency': ModelData.get_id('sakai_counseling',
                            'agency_single_parent_centre'),
                        'counselor': cls.users['counselor'],
                        'method': 'information_shared',
                        'reason': "資格を取りたい"}])
            cls.line_user = cls.line_user.id
            cls.other_line_user = cls.other_line_user.id
            cls.client, cls.inquiry = cls.client.id, cls.inquiry.id
            cls.message, cls.referral = cls.message.id, cls.referral.id
            transaction.commit()

    def call(self, group, model, method, *args):
        "Call model.method as the JSON-RPC dispatcher does, as group"
        return dispatch(DB_NAME, self.users[group], model, method, *args,
            context={'language': 'ja'})

    def stored(self, model, id_, *names):
        with Transaction().start(DB_NAME, 0, readonly=True):
            row, = Pool().get(model).read([id_], list(names))
            return tuple(row[n] for n in names)

    def assertRefused(self, group, model, method, args, *texts):
        "Refused with a Japanese message naming the field by its label"
        with self.assertRaises(AccessError) as cm:
            self.call(group, model, method, *args)
        message = cm.exception.message
        for text in texts:
            self.assertIn(text, message)
        self.assertNotRegex(message, r'[a-z_]{4,}')

    def test_inquiry_state_and_subject_refused(self):
        "An inquiry's state changes through its buttons only"
        before = self.stored('line.inquiry', self.inquiry,
            'state', 'subject', 'urgent')
        self.assertRefused('coordinator', 'line.inquiry', 'write',
            [[self.inquiry], {'state': 'done'}],
            "「問い合わせ」の「状態」", STATE)
        for values in [{'subject': "書き換え"}, {'urgent': True},
                {'due_at': AT}, {'line_user': self.other_line_user}]:
            with self.subTest(values=values):
                self.assertRefused('counselor', 'line.inquiry', 'write',
                    [[self.inquiry], values], "「問い合わせ」の「", READONLY)
        self.assertEqual(self.stored('line.inquiry', self.inquiry,
                'state', 'subject', 'urgent'), before)

    def test_inquiry_message_text_refused(self):
        "What the citizen wrote stays as received"
        self.assertRefused('counselor', 'line.inquiry.message', 'write',
            [[self.message], {'text': "改ざん"}], "「本文」", READONLY)
        self.assertRefused('counselor', 'line.inquiry', 'write',
            [[self.inquiry], {'messages': [('write', [self.message],
                            {'text': "改ざん"})]}], READONLY)
        self.assertEqual(self.stored('line.inquiry.message', self.message,
                'text', 'direction'), ("求人について教えてください", 'in'))

    def test_party_line_user_refused(self):
        "Which LINE friend a client is changes only by linking"
        self.assertRefused('counselor', 'party.party', 'write',
            [[self.client], {'line_user': self.other_line_user}],
            "「LINE利用者」", READONLY)
        self.assertEqual(self.stored('party.party', self.client,
                'line_user'), (self.line_user,))

    def test_referral_state_refused(self):
        "A referral is not marked done without its button"
        self.assertRefused('counselor', 'counseling.referral', 'write',
            [[self.referral], {'state': 'done'}], "「リファー」の「状態」",
            STATE)
        self.assertEqual(self.stored('counseling.referral', self.referral,
                'state'), ('draft',))
        # nor created in another state than a new one's
        self.assertRefused('counselor', 'counseling.referral', 'create',
            [[{'client': self.client, 'state': 'done',
                        'agency': self.stored('counseling.referral',
                            self.referral, 'agency')[0],
                        'counselor': self.users['counselor'],
                        'method': 'introduction', 'reason': "X"}]],
            STATE)

    def test_unchanged_values_accepted(self):
        "The client may resend read-only values as they are"
        self.call('coordinator', 'line.inquiry', 'write', [self.inquiry],
            {'state': 'open', 'subject': "求人について", 'urgent': False,
                'line_user': self.line_user,
                'assigned_to': self.users['coordinator']})
        self.assertEqual(self.stored('line.inquiry', self.inquiry,
                'assigned_to'), (self.users['coordinator'],))
        self.call('counselor', 'line.inquiry.message', 'write',
            [self.message], {'at': AT, 'direction': 'in'})
        self.call('counselor', 'party.party', 'write', [self.client],
            {'line_user': self.line_user, 'name': "堺 花子"})

    def test_form_fields_accepted(self):
        """What the form lets staff edit is saved, the fields an on_change
        fills included; a new record with its default state is created"""
        today = dt.date.today()
        self.call('counselor', 'counseling.referral', 'write',
            [self.referral], {'consent': True, 'consent_method': 'verbal_phone',
                'consent_date': today})
        self.assertEqual(self.stored('counseling.referral', self.referral,
                'consent', 'consent_date'), (True, today))
        agency, = self.stored('counseling.referral', self.referral, 'agency')
        new, = self.call('counselor', 'counseling.referral', 'create',
            [{'client': self.client, 'agency': agency, 'state': 'draft',
                    'counselor': self.users['counselor'],
                    'method': 'introduction', 'reason': "就職相談"}])
        self.assertEqual(self.stored('counseling.referral', new, 'state'),
            ('draft',))

    def test_declared_on_change_field_accepted(self):
        "A read-only field a model's form sets by on_change may be listed"
        Inquiry = Pool(DB_NAME).get('line.inquiry')
        with patch.object(Inquiry, '_rpc_writable_readonly', {'subject'},
                create=True):
            self.call('coordinator', 'line.inquiry', 'write', [self.inquiry],
                {'subject': "求人について（続き）"})
            self.assertEqual(self.stored('line.inquiry', self.inquiry,
                    'subject'), ("求人について（続き）",))
            self.call('coordinator', 'line.inquiry', 'write', [self.inquiry],
                {'subject': "求人について"})

    def test_buttons_change_state(self):
        "The buttons still move the workflow"
        agency, = self.stored('counseling.referral', self.referral, 'agency')
        referral, = self.call('counselor', 'counseling.referral', 'create',
            [{'client': self.client, 'agency': agency,
                    'counselor': self.users['counselor'],
                    'method': 'introduction', 'reason': "求職の相談"}])
        self.call('counselor', 'counseling.referral', 'refer', [referral])
        self.assertEqual(self.stored('counseling.referral', referral,
                'state'), ('referred',))
