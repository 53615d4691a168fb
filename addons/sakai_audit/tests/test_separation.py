# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Separation of duties for the system administrator, and content copied
into other records read only by who may read its source.

- Group changes are logged and shown to the auditors at once; a grant of a
  group that opens client files takes an auditor's approval.
- The handover export and the erasure run only with an auditor's approval,
  once.
- The system administrator writes no LINE message, reads no message
  content and no webhook payload; payloads lose what the person wrote once
  processed; replies written from a health questionnaire are read by
  counselors only.
"""
import datetime as dt
import json

from line_standin import webhook as line_webhook

from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, with_transaction
from trytond.transaction import Transaction

from sakai_handover.erasure import erase_approved
from sakai_audit.exceptions import ApprovalError, GroupChangeError

from sakai_line.tests.tools import (
    LineTestCase, as_user, group_id, load_japanese, staff_users)

PASSPHRASE = 'next-operator-2027'


def group(name, module=None):
    "A staff group (a key of GROUP_XML_IDS), or the group of module's XML id"
    if module is None:
        return group_id(name)
    return Pool().get('ir.model.data').get_id(module, name)


def approved(kind, requester, approver, **values):
    """A request of kind made by requester and approved by approver, as
    they do it in the back office"""
    Approval = Pool().get('sakai.approval')
    with as_user(requester):
        approval, = Approval.create([dict(values, kind=kind,
                    reason="契約終了のため")])
    with as_user(approver):
        Approval.approve([Approval(approval.id)])
    return Approval(approval.id)


def in_japanese():
    return Transaction().set_context(language='ja')


class SeparationTestCase(LineTestCase):
    "Separation of duties and content copied into other records"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_japanese(translatable=False)

    def staff(self):
        "The staff, the system administrator also a Tryton administrator"
        User = Pool().get('res.user')
        users = staff_users()
        User.write([User(users['sysadmin'])], {
                'groups': [('add', [group('group_admin', 'res')])]})
        return users

    def entries(self, kind, **values):
        AuditLog = Pool().get('audit.log')
        AuditLog.flush()
        return AuditLog.search([('kind', '=', kind)]
            + [(k, '=', v) for k, v in values.items()],
            order=[('id', 'ASC')])

    def notifications(self, user):
        Notification = Pool().get('res.notification')
        return Notification.search([('user', '=', user)],
            order=[('id', 'ASC')])

    # -- group changes --------------------------------------------------

    @with_transaction()
    def test_group_change_logged(self):
        """A group change is an audit entry and a notification to the
        auditors at once"""
        User = Pool().get('res.user')
        users = self.staff()
        with as_user(users['sysadmin']):
            User.write([User(users['manager'])], {
                    'groups': [('add', [group('sysadmin')])]})
            User.write([User(users['sysadmin'])], {
                    'groups': [('remove', [group('group_admin', 'res')])]})

        first, second = self.entries('group')
        self.assertEqual(first.user.id, users['sysadmin'])
        self.assertEqual(first.model, 'res.user')
        self.assertEqual(first.record_id, users['manager'])
        self.assertEqual(first.field_names, '+System Administrator')
        self.assertEqual(second.record_id, users['sysadmin'])
        self.assertTrue(second.field_names.startswith('-'))
        notices = self.notifications(users['auditor'])
        self.assertEqual(len(notices), 2)
        self.assertIn('manager +System Administrator', notices[0].label)
        self.assertIn('sysadmin', notices[0].description)
        self.assertEqual(json.loads(notices[0].records), [users['manager']])

    @with_transaction()
    def test_password_set_for_someone_else(self):
        """An administrator setting a counselor's password (to log in as
        them) is logged and told at once to the auditors and the
        counselor; one's own password is one's own business"""
        User = Pool().get('res.user')
        users = self.staff()
        with as_user(users['sysadmin']):
            User.write([User(users['counselor'])], {
                    'password': 'Another-long-passphrase-42'})
            User.write([User(users['sysadmin'])], {
                    'password': 'My-own-long-passphrase-42'})

        entry, = self.entries('group')
        self.assertEqual(entry.user.id, users['sysadmin'])
        self.assertEqual(entry.record_id, users['counselor'])
        self.assertEqual(entry.field_names, 'password')
        for user in ['auditor', 'counselor']:
            notice, = self.notifications(users[user])
            self.assertIn('counselor', notice.label)
        self.assertFalse(self.notifications(users['sysadmin']))

    @with_transaction()
    def test_group_grant_refused(self):
        """Adding oneself (or anyone) to the counselors without an approval
        is refused in Japanese, whichever way it is done"""
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        UserGroup = pool.get('res.user-res.group')
        users = self.staff()
        for call in [
                lambda: User.write([User(users['sysadmin'])], {
                        'groups': [('add', [group('counselor')])]}),
                lambda: Group.write([Group(group('coordinator'))], {
                        'users': [('add', [users['sysadmin']])]}),
                lambda: UserGroup.create([{'user': users['sysadmin'],
                            'group': group('manager')}]),
                # a group of one's own that inherits the counselors' rights
                lambda: Group.write([Group(group('sysadmin'))], {
                        'parent': group('counselor')}),
                ]:
            with self.subTest(call=call), as_user(users['sysadmin']), \
                    in_japanese(), \
                    self.assertRaises(GroupChangeError) as cm:
                call()
            self.assertIn('監査担当の承認が必要です', cm.exception.message)
            # the refused call's transaction is rolled back by the RPC
            # layer; here the next call starts from scratch
            Transaction().rollback()
            users = self.staff()

    @with_transaction()
    def test_group_grant_approved(self):
        """An auditor's approval, asked for by the administrator, lets the
        grant through once; the approver is never the one who asked"""
        pool = Pool()
        User = pool.get('res.user')
        Approval = pool.get('sakai.approval')
        users = self.staff()
        both, = User.create([{'login': 'both', 'name': "both", 'groups': [
                        ('add', [group('sysadmin'), group('auditor')])]}])

        # nobody approves a request of their own
        with as_user(both.id):
            own, = Approval.create([{'kind': 'group', 'user': both.id,
                        'group': group('counselor'), 'reason': "相談"}])
            with in_japanese(), self.assertRaises(ApprovalError) as cm:
                Approval.approve([own])
            self.assertIn('ご自身が依頼したもの', cm.exception.message)
        # nor a system administrator
        with as_user(users['sysadmin']):
            request, = Approval.create([{'kind': 'group',
                        'user': users['sysadmin'],
                        'group': group('counselor'),
                        'reason': "相談員の退職による臨時対応"}])
            self.assertEqual(request.requested_by.id, users['sysadmin'])
            with self.assertRaises(AccessButtonError):
                Approval.approve([request])
        # the auditors are told of the request at once
        notice = self.notifications(users['auditor'])[-1]
        self.assertIn('承認番号 %d' % request.id, notice.label)

        with as_user(users['auditor']):
            Approval.approve([Approval(request.id)])
        request = Approval(request.id)
        self.assertEqual(request.state, 'approved')
        self.assertEqual(request.approved_by.id, users['auditor'])
        self.assertIn('承認されました',
            self.notifications(users['sysadmin'])[-1].label)

        with as_user(users['sysadmin']):
            User.write([User(users['sysadmin'])], {
                    'groups': [('add', [group('counselor')])]})
        request = Approval(request.id)
        self.assertEqual(request.state, 'used')
        self.assertEqual(request.used_by.id, users['sysadmin'])
        self.assertIn(group('counselor'),
            [g.id for g in User(users['sysadmin']).groups])
        entry, = self.entries('group')
        self.assertEqual(entry.record_id, users['sysadmin'])
        self.assertIn('sakai.approval,%d' % request.id, entry.method)
        self.assertEqual(
            [e.method for e in self.entries('approval',
                    record_id=request.id)],
            ['sakai.approval.request', 'sakai.approval.approve',
                'sakai.approval.use res.user-res.group.create'])
        self.assertIn('sysadmin +',
            self.notifications(users['auditor'])[-1].label)

        # out again, logged; back in needs a new approval
        with as_user(users['sysadmin']):
            User.write([User(users['sysadmin'])], {
                    'groups': [('remove', [group('counselor')])]})
            with self.assertRaises(GroupChangeError):
                User.write([User(users['sysadmin'])], {
                        'groups': [('add', [group('counselor')])]})

    @with_transaction()
    def test_last_auditor(self):
        "The last auditor stays: without one nobody could approve"
        User = Pool().get('res.user')
        users = self.staff()
        with as_user(users['sysadmin']), in_japanese(), \
                self.assertRaises(GroupChangeError) as cm:
            User.write([User(users['auditor'])], {
                    'groups': [('remove', [group('auditor')])]})
        self.assertIn('最後の一人', cm.exception.message)

    @with_transaction()
    def test_first_auditor(self):
        """Before the first auditor is set up nobody can approve: grants
        are logged only (a new installation's staff accounts)"""
        User = Pool().get('res.user')
        users = self.staff()
        User.write([User(users['auditor'])], {
                'groups': [('remove', [group('auditor')])]})
        with as_user(users['sysadmin']):
            User.write([User(users['counselor'])], {
                    'groups': [('add', [group('coordinator')])]})
        entry, = self.entries('group')
        self.assertEqual(entry.record_id, users['counselor'])

    @with_transaction()
    def test_rights_by_module_only(self):
        """Access rights are not changed on screen: a group of one's own
        with the counselors' rights is refused"""
        pool = Pool()
        Group = pool.get('res.group')
        ModelAccess = pool.get('ir.model.access')
        Rule = pool.get('ir.rule')
        users = self.staff()
        rule, = Rule.search([], limit=1)
        for call in [
                lambda: ModelAccess.create([{
                            'model': 'questionnaire.response',
                            'group': group('sysadmin'),
                            'perm_read': True}]),
                lambda: Rule.write([Rule(rule.id)], {'domain': '[]'}),
                lambda: Group.copy([Group(group('counselor'))]),
                ]:
            with self.subTest(call=call), as_user(users['sysadmin']), \
                    in_japanese(), \
                    self.assertRaises(GroupChangeError) as cm:
                call()
            self.assertIn('画面からは変更できません', cm.exception.message)

    # -- handover export and erasure -------------------------------------

    def run_export(self, approval):
        Export = Pool().get('sakai.handover.export', type='wizard')
        session_id, start, _ = Export.create()
        defaults = Export.execute(session_id, {}, start)['view']['defaults']
        try:
            result = Export.execute(session_id, {start: {'confirm': True,
                        'passphrase': PASSPHRASE,
                        'passphrase_again': PASSPHRASE,
                        'approval': approval}}, 'export')
        finally:
            Export.delete(session_id)
        return defaults, result['view']['defaults']

    @with_transaction()
    def test_export_needs_approval(self):
        """The handover export runs once per approval of an auditor, and is
        logged with it"""
        Approval = Pool().get('sakai.approval')
        users = self.staff()
        with as_user(users['sysadmin']), in_japanese(), \
                self.assertRaises(ApprovalError) as cm:
            self.run_export(None)
        self.assertIn('監査担当）の承認が必要', cm.exception.message)
        self.assertIn('引継ぎデータの出力', cm.exception.message)

        erasure = approved('erasure', users['sysadmin'], users['auditor'])
        approval = approved('handover', users['sysadmin'], users['auditor'])
        with as_user(users['sysadmin']), in_japanese():
            with self.assertRaises(ApprovalError) as cm:
                self.run_export(erasure.id)
            self.assertIn('には使えません', cm.exception.message)
            defaults, values = self.run_export(approval.id)
            # offered by the wizard
            self.assertEqual(defaults['approval'], approval.id)
            self.assertTrue(values['file'])
            with self.assertRaises(ApprovalError) as cm:
                self.run_export(approval.id)
            self.assertIn('使用済み', cm.exception.message)
        self.assertEqual(Approval(approval.id).state, 'used')
        self.assertEqual(Approval(erasure.id).state, 'approved')
        download, = self.entries('download', model='sakai.handover')
        self.assertEqual(download.method,
            'sakai.handover.export sakai.approval,%d' % approval.id)

    @with_transaction()
    def test_approval_expires(self):
        "An approval not used within its validity is refused"
        Approval = Pool().get('sakai.approval')
        users = self.staff()
        approval = approved('handover', users['sysadmin'], users['auditor'])
        Approval.write([approval], {
                'approved_at': approval.approved_at - dt.timedelta(days=8)})
        with as_user(users['sysadmin']), in_japanese(), \
                self.assertRaises(ApprovalError) as cm:
            self.run_export(approval.id)
        self.assertIn('7 日を過ぎた', cm.exception.message)
        Approval.expire_old()
        self.assertEqual(Approval(approval.id).state, 'expired')

    @with_transaction()
    def test_erasure_needs_approval(self):
        "The erasure runs once per approval, named in its report"
        pool = Pool()
        Party = pool.get('party.party')
        Approval = pool.get('sakai.approval')
        Report = pool.get('sakai.erasure.report')
        users = self.staff()
        Party.create([{'name': "堺 花子"}])
        with in_japanese(), self.assertRaises(ApprovalError) as cm:
            erase_approved(DB_NAME, None, "消去 担当")
        self.assertIn('「消去」には', cm.exception.message)
        self.assertTrue(Party.search([('name', '=', "堺 花子")]))

        approval = approved('erasure', users['sysadmin'], users['auditor'])
        content = erase_approved(DB_NAME, approval.id, "消去 担当")
        self.assertIn('承認番号 %d' % approval.id, content)
        self.assertFalse(Party.search([('name', '=', "堺 花子")]))
        report, = Report.search([])
        self.assertEqual(report.approval, approval)
        self.assertEqual(Approval(approval.id).state, 'used')
        with in_japanese(), self.assertRaises(ApprovalError):
            erase_approved(DB_NAME, approval.id, "消去 担当")
        entry, = self.entries('delete', model='sakai.erasure.report')
        self.assertEqual(entry.record_id, report.id)
        self.assertIn('sakai.approval,%d' % approval.id, entry.method)

    @with_transaction()
    def test_approvals_by_rpc(self):
        """A request cannot be written approved nor changed: it starts
        undecided whatever the call sends"""
        Approval = Pool().get('sakai.approval')
        users = self.staff()
        with as_user(users['sysadmin']):
            approval, = Approval.create([{'kind': 'handover',
                        'reason': "x", 'state': 'approved',
                        'approved_by': users['sysadmin']}])
            self.assertEqual(approval.state, 'requested')
            self.assertIsNone(approval.approved_by)
            self.assertNotIn('write', Approval.__rpc__)
            with self.assertRaises(AccessError):
                Approval.write([approval], {'state': 'approved'})
        for name in ['counselor', 'coordinator', 'manager']:
            with self.subTest(group=name), as_user(users[name]):
                with self.assertRaises(AccessError):
                    Approval.search([])

    # -- LINE messages and webhook events ---------------------------------

    def messages(self):
        Message = Pool().get('line.message')
        health, other = Message.create([{
                    'description': "Conversation",
                    'content': json.dumps([{'type': 'text',
                                'text': "高ストレスの目安に当てはまりました"}],
                        ensure_ascii=False),
                    'sensitive': True,
                    }, {
                    'description': "Conversation",
                    'content': json.dumps([{'type': 'text',
                                'text': "ご登録ありがとうございます"}],
                        ensure_ascii=False),
                    }])
        return health, other

    @with_transaction()
    def test_sysadmin_writes_no_message(self):
        "The system administrator creates, changes and sends no message"
        Message = Pool().get('line.message')
        users = self.staff()
        _, other = self.messages()
        with as_user(users['sysadmin']):
            with self.assertRaises(AccessError):
                Message.create([{'content': json.dumps(
                                [{'type': 'text', 'text': "x"}])}])
            with self.assertRaises(AccessError):
                Message.write([Message(other.id)], {'description': "x"})
            with self.assertRaises(AccessError):
                Message.send([Message(other.id)])

    @with_transaction()
    def test_message_content(self):
        """Content written from health data is read by counselors only; the
        system administrator reads states, not content"""
        Message = Pool().get('line.message')
        users = self.staff()
        health, other = self.messages()
        with as_user(users['counselor']):
            self.assertIn("高ストレス",
                Message.read([health.id], ['content'])[0]['content'])
        with as_user(users['coordinator']):
            self.assertEqual(Message.search([]), [other])
            self.assertEqual(
                Message.search([('content', 'ilike', '%高ストレス%')]), [])
            with self.assertRaises(AccessError):
                Message.read([health.id], ['content'])
            Message.read([other.id], ['content'])
        with as_user(users['manager']):
            with self.assertRaises(AccessError):
                Message.search([])
        with as_user(users['sysadmin']):
            self.assertEqual(set(Message.search([])), {health, other})
            self.assertEqual(
                Message.read([health.id], ['state', 'sensitive'])[0]['state'],
                'draft')
            for ids in [[health.id], [other.id]]:
                with self.assertRaises(AccessError):
                    Message.read(ids, ['content'])
            with self.assertRaises(AccessError):
                Message.search([('content', 'ilike', '%高ストレス%')])
            with self.assertRaises(AccessError):
                Message.export_data([Message(health.id)], ['content'])

    def receive(self, user, event):
        Event = Pool().get('line.event')
        body = json.loads(line_webhook.body([event]))
        Event.receive(body['events'])
        Event.process(Event.search([('state', '=', 'pending')]))
        return Event.search([
                ('webhook_event_id', '=', event['webhookEventId'])])[0]

    @with_transaction()
    def test_health_replies_sensitive(self):
        """Replies while answering a health questionnaire are marked as
        health data, others are not"""
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Message = pool.get('line.message')
        self.configure()
        Questionnaire.create([{'name': "ストレスチェック", 'code': 'health_test',
                    'sensitive': True,
                    'outro': "高ストレスの目安に当てはまりました",
                    'questions': [('create', [{
                                    'text': text, 'type': 'single',
                                    'choices': [('create', [
                                                {'label': "はい"},
                                                {'label': "いいえ"}])]}
                                for text in ["よく眠れますか",
                                    "疲れやすいですか"]])]}])
        user = self.follower()
        self.receive(user, line_webhook.postback_event(user.line_id,
                'menu=questionnaire:health_test',
                reply_token=self.line.issue_reply_token(user.line_id)))
        health, = Message.search([], order=[('id', 'DESC')], limit=1)
        self.assertTrue(health.sensitive)
        self.assertIn("よく眠れますか", health.content)
        # the answers, the result: health data too
        for _ in range(2):
            data = self.line.messages_for(user.line_id)[-1][
                'quickReply']['items'][0]['action']['data']
            self.receive(user, line_webhook.postback_event(
                    user.line_id, data,
                    reply_token=self.line.issue_reply_token(user.line_id)))
        messages = Message.search([('id', '>', health.id)],
            order=[('id', 'ASC')])
        self.assertTrue(messages)
        self.assertTrue(all(m.sensitive for m in messages))
        self.assertIn("高ストレス", messages[-1].content)
        # a question to the FAQ afterwards is not
        self.receive(user, line_webhook.text_message_event(user.line_id,
                "利用するのにお金はかかりますか？",
                reply_token=self.line.issue_reply_token(user.line_id)))
        faq, = Message.search([], order=[('id', 'DESC')], limit=1)
        self.assertFalse(faq.sensitive)

    @with_transaction()
    def test_event_payload(self):
        """Nobody reads a payload through RPC; once processed it holds no
        text, except a question kept for 「該当なし」 until it is handed
        over"""
        pool = Pool()
        Event = pool.get('line.event')
        InquiryMessage = pool.get('line.inquiry.message')
        users = self.staff()
        self.configure()
        user = self.follower()

        asked = self.receive(user, line_webhook.text_message_event(
                user.line_id, "セミナー"))
        self.assertEqual(asked.state, 'done')
        self.assertTrue(asked.text_kept)
        self.assertEqual(asked.data['message']['text'], "セミナー")
        for group_name in users:
            with self.subTest(group=group_name), \
                    as_user(users[group_name]):
                with self.assertRaises(AccessError):
                    Event.read([asked.id], ['payload'])
                with self.assertRaises(AccessError):
                    Event.search([('payload', 'ilike', '%セミナー%')])
        with as_user(users['sysadmin']):
            self.assertEqual(
                Event.read([asked.id], ['state'])[0]['state'], 'done')

        # 「該当なし・担当者につなぐ」: the question goes to staff, and is
        # no longer kept in the event
        tapped = self.receive(user, line_webhook.postback_event(
                user.line_id, 'handover'))
        self.assertIn("セミナー", [m.text for m in InquiryMessage.search(
                    [('direction', '=', 'in')])])
        for event in [Event(asked.id), tapped]:
            self.assertFalse(event.text_kept)
            self.assertNotIn("セミナー", event.payload)
            self.assertNotIn('replyToken', event.payload)
        self.assertNotIn('handover', tapped.payload)
        self.assertEqual(Event(asked.id).data['message']['type'], 'text')

        wrote = self.receive(user, line_webhook.text_message_event(
                user.line_id, "つらくて仕事を探す気力がありません"))
        self.assertNotIn("気力", wrote.payload)
        self.assertEqual(wrote.data['webhookEventId'],
            wrote.webhook_event_id)

        # a kept question nobody handed over goes after a day
        other = self.follower()
        kept = self.receive(other, line_webhook.text_message_event(
                other.line_id, "セミナー"))
        self.assertTrue(kept.text_kept)
        Event.write([kept], {'processed_at': kept.processed_at
                - dt.timedelta(days=2)})
        Event.retry_failed()
        self.assertFalse(Event(kept.id).text_kept)
        self.assertNotIn("セミナー", Event(kept.id).payload)
