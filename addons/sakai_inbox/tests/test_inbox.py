# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The inbox tells coordinators what is near or past its answer-by time."""
import datetime as dt
import json
from unittest.mock import patch

from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_programme.programme import utcnow
from sakai_line.tests.tools import DatabaseTestCase, LineTestCase, load_japanese, staff_user


class InboxTestCase(DatabaseTestCase):
    "Staff inbox"

    @with_transaction()
    def test_escalation(self):
        "Coordinators are told once when near, once when overdue"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        Notification = pool.get('res.notification')
        coordinator = staff_user('coordinator', 'coordinator', name="藤田 健")
        user = self.follower()
        Inquiry.receive(user, "仕事のことで相談があります")
        inquiry, = Inquiry.search([])
        self.assertEqual(inquiry.due_at - inquiry.received_at,
            dt.timedelta(hours=24))

        def notified():
            return Notification.search([('user', '=', coordinator.id)])

        Inquiry.escalate()
        self.assertEqual(notified(), [])

        Inquiry.write([inquiry], {'due_at': utcnow() + dt.timedelta(hours=3)})
        Inquiry.escalate()
        Inquiry.escalate()
        self.assertEqual(inquiry.escalation, 'near')
        self.assertEqual(len(notified()), 1)

        Inquiry.write([inquiry], {'due_at': utcnow() - dt.timedelta(hours=1)})
        Inquiry.escalate()
        Inquiry.escalate()
        self.assertEqual(inquiry.escalation, 'overdue')
        notifications = notified()
        self.assertEqual(len(notifications), 2)
        self.assertEqual(notifications[0].model, 'line.inquiry')

    @with_transaction()
    def test_answered_late(self):
        "An answer after the answer-by time counts as late"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        user = self.follower()
        Inquiry.receive(user, "質問です")
        inquiry, = Inquiry.search([])
        Inquiry.write([inquiry], {
                'received_at': utcnow() - dt.timedelta(hours=30),
                'due_at': utcnow() - dt.timedelta(hours=6)})
        inquiry.send_reply("お待たせしました。")
        self.assertEqual(inquiry.state, 'waiting')
        self.assertFalse(inquiry.answered_in_time)


class ReplyToPushTestCase(LineTestCase):
    "What the person writes back to one of our pushes goes to staff"

    @with_transaction()
    def test_reply_to_push(self):
        pool = Pool()
        Event = pool.get('line.event')
        Inquiry = pool.get('line.inquiry')
        Message = pool.get('line.message')
        self.configure()
        user = self.follower()
        message = Message.compose([user], [{'type': 'text',
                    'text': "今週の求人をお知らせします。"}],
            description="求人のお知らせ")
        Message.deliver([message])
        self.assertEqual(message.state, 'sent')

        body = json.loads(line_webhook.body([line_webhook.text_message_event(
                        user.line_id, "2番目の求人が気になります")]))
        Event.receive(body['events'])
        Event.process(Event.search([('state', '=', 'pending')]))
        inquiry, = Inquiry.search([('line_user', '=', user.id)])
        self.assertEqual(inquiry.subject, "2番目の求人が気になります")
        self.assertEqual(inquiry.state, 'open')


# Japan is UTC+9: these are local (Tokyo) times of messages
def tokyo(*args):
    return dt.datetime(*args) - dt.timedelta(hours=9)


WEDNESDAY_10 = tokyo(2026, 12, 2, 10, 0)     # staff on duty
SATURDAY_10 = tokyo(2026, 12, 5, 10, 1)      # the weekend


class CrisisTestCase(LineTestCase):
    "A person in crisis is answered first, with the contacts that fit"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # What citizens read is Japanese
        load_japanese(translatable=False)

    def setUp(self):
        super().setUp()
        self.now = WEDNESDAY_10
        patcher = patch('sakai_inbox.inquiry.utcnow', lambda: self.now)
        patcher.start()
        self.addCleanup(patcher.stop)
        patcher = patch('sakai_inbox.inquiry.send_message_transactional')
        self.sendmail = patcher.start()
        self.addCleanup(patcher.stop)

    def programme(self, **values):
        Programme = Pool().get('support.programme')
        programme = Programme(1)
        programme.office_phone = '072-228-1234'
        for name, value in values.items():
            setattr(programme, name, value)
        programme.save()
        return programme

    def write(self, user, text):
        "What the person's message is answered with"
        Inquiry = Pool().get('line.inquiry')
        kinds = Inquiry.crisis_kinds(text)
        reason = 'distress' if kinds else 'message'
        with Transaction().set_context(language='ja'):
            return [m['text'] for m in Inquiry.receive(
                    user, text, reason, kinds=kinds)]

    def staff(self, login, group, email=None):
        return staff_user(login, group, email=email)

    @with_transaction()
    def test_crisis_reply_through_line(self):
        "「もう疲れた。死にたい」: the contacts first and alone, by reply"
        pool = Pool()
        Event = pool.get('line.event')
        Inquiry = pool.get('line.inquiry')
        self.configure()
        self.programme()
        user = self.follower()
        body = json.loads(line_webhook.body([line_webhook.text_message_event(
                        user.line_id, "もう疲れた。死にたい",
                        reply_token=self.line.issue_reply_token(
                            user.line_id))]))
        Event.receive(body['events'])
        Event.process(Event.search([('state', '=', 'pending')]))

        self.assertEqual(self.line.calls('pushMessage'), [])
        first, last = [m['text'] for m in self.line.messages_for(user.line_id)]
        self.assertIn("いのちの電話 0120-783-556", first)
        self.assertIn("よりそいホットライン 0120-279-338（24時間）", first)
        self.assertNotIn("担当者", first)
        self.assertNotIn("DV", first)
        self.assertIn("担当者", last)
        self.assertNotIn("までにお返事します", last)
        inquiry, = Inquiry.search([('line_user', '=', user.id)])
        self.assertTrue(inquiry.urgent)
        self.assertEqual(inquiry.crisis, ('suicide',))

    @with_transaction()
    def test_contacts_by_kind(self):
        "Each kind of crisis gets its own contacts"
        self.programme()
        for text, expected, unexpected in [
                ("夫に殴られた。家にいるのが怖い", "DV相談＋（プラス） 0120-279-889",
                    "いのちの電話"),
                ("子どもが危ない", "児童相談所虐待対応ダイヤル 189", "DV相談"),
                ("お金がなくて今日食べるものがない",
                    "よりそいホットライン 0120-279-338", "189"),
                ("助けて、殺される", "警察 110（24時間）", "いのちの電話"),
                ]:
            with self.subTest(text=text):
                replies = self.write(self.follower(), text)
                self.assertIn(expected, replies[0])
                self.assertNotIn(unexpected, replies[0])
                self.assertNotIn("担当者", replies[0])

    @with_transaction()
    def test_several_kinds(self):
        "Violence and suicidal thoughts: both, one message each, then staff"
        self.programme()
        replies = self.write(self.follower(), "DVを受けていて、もう死にたい")
        self.assertEqual(len(replies), 3)
        self.assertIn("いのちの電話", replies[0])
        self.assertIn("DV相談＋", replies[1])
        self.assertIn("担当者", replies[2])

    @with_transaction()
    def test_city_contacts(self):
        "The city's own contact of a kind is given with its hours"
        pool = Pool()
        Contact = pool.get('support.programme.crisis_contact')
        Contact.create([{'kind': 'money', 'sequence': 1,
                    'name': "堺市生活・仕事応援センター", 'phone': '072-000-0000',
                    'hours': "平日9時〜17時30分"}])
        self.programme()
        replies = self.write(self.follower(), "家賃が払えない")
        self.assertIn(
            "・堺市生活・仕事応援センター 072-000-0000（平日9時〜17時30分）",
            replies[0].splitlines()[1])

    @with_transaction()
    def test_urgent_on_duty(self):
        "On duty: an answer today, within the urgent time, not 24 hours"
        self.programme()
        replies = self.write(self.follower(), "もう疲れた。死にたい")
        self.assertIn("本日17時までに", replies[-1])
        self.assertIn("072-228-1234", replies[-1])
        inquiry, = Pool().get('line.inquiry').search([])
        self.assertEqual(inquiry.due_at - inquiry.received_at,
            dt.timedelta(hours=1))
        self.assertEqual(inquiry.take_by - inquiry.received_at,
            dt.timedelta(minutes=15))

    @with_transaction()
    def test_urgent_off_duty(self):
        "At the weekend, at night, at year-end: from the next duty, soon"
        self.programme()
        for now, when, due in [
                (SATURDAY_10, "12月7日（月）9時以降", tokyo(2026, 12, 7, 10)),
                (tokyo(2026, 12, 3, 22, 30), "明日（12月4日）9時以降",
                    tokyo(2026, 12, 4, 10)),
                (tokyo(2026, 12, 3, 6, 0), "本日9時以降",
                    tokyo(2026, 12, 3, 10)),
                (tokyo(2026, 12, 2, 16, 50), "明日（12月3日）9時以降",
                    tokyo(2026, 12, 3, 10)),
                (tokyo(2026, 12, 28, 18, 0), "1月4日（月）9時以降",
                    tokyo(2027, 1, 4, 10)),
                ]:
            with self.subTest(now=now):
                self.now = now
                user = self.follower()
                replies = self.write(user, "消えたい")
                self.assertIn(when, replies[-1])
                self.assertNotIn("本日17時", replies[-1])
                inquiry = Pool().get('line.inquiry').current(user)
                self.assertEqual(inquiry.due_at, due)

    @with_transaction()
    def test_staff_alerted(self):
        "Counselors and coordinators are told at once, in Tryton and by mail"
        pool = Pool()
        Notification = pool.get('res.notification')
        counselor = self.staff('aoki', 'counselor', 'aoki@example.jp')
        coordinator = self.staff('fujita', 'coordinator')
        self.staff('sato', 'manager', 'sato@example.jp')
        self.programme(urgent_alert_email='duty@example.jp')
        user = self.follower()
        self.write(user, "もう疲れた。死にたい")

        notified = {n.user for n in Notification.search([])}
        self.assertEqual(notified, {counselor, coordinator})
        mails = [call.args[0] for call in self.sendmail.call_args_list]
        self.assertEqual(sorted(m['To'] for m in mails),
            ['aoki@example.jp', 'duty@example.jp'])
        for mail in mails:
            self.assertIn("緊急の問い合わせが1件届きました", mail['Subject'])
            # Nothing the person wrote leaves by e-mail
            self.assertNotIn("死にたい", mail.get_content())

        # Writing again does not alert again
        self.sendmail.reset_mock()
        self.write(user, "助けて")
        self.assertEqual(self.sendmail.call_count, 0)

    @with_transaction()
    def test_untaken_escalated(self):
        "Nobody takes it within the set time: coordinators are told"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        Notification = pool.get('res.notification')
        coordinator = self.staff('fujita', 'coordinator', 'fujita@example.jp')
        self.programme()
        self.write(self.follower(), "もう疲れた。死にたい")
        inquiry, = Inquiry.search([])
        self.sendmail.reset_mock()

        def told():
            return [n.label for n in Notification.search(
                        [('user', '=', coordinator.id)])]

        self.now = WEDNESDAY_10 + dt.timedelta(minutes=10)
        Inquiry.escalate()
        self.assertEqual(len(told()), 1)    # the alert itself
        self.assertEqual(inquiry.escalation, None)

        self.now = WEDNESDAY_10 + dt.timedelta(minutes=16)
        Inquiry.escalate()
        Inquiry.escalate()
        self.assertEqual(inquiry.escalation, 'untaken')
        self.assertEqual(len(told()), 2)
        self.assertEqual(self.sendmail.call_count, 1)

        self.now = WEDNESDAY_10 + dt.timedelta(minutes=61)
        Inquiry.escalate()
        self.assertEqual(inquiry.escalation, 'overdue')

    @with_transaction()
    def test_taken_not_escalated(self):
        "Taken in time: no escalation before its answer-by time"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        self.staff('fujita', 'coordinator')
        counselor = self.staff('aoki', 'counselor')
        self.programme()
        self.write(self.follower(), "もう疲れた。死にたい")
        inquiry, = Inquiry.search([])
        with Transaction().set_user(counselor.id):
            Inquiry.take([inquiry])
        self.now = WEDNESDAY_10 + dt.timedelta(minutes=30)
        Inquiry.escalate()
        self.assertEqual(inquiry.escalation, None)

    @with_transaction()
    def test_urgent_at_top(self):
        "Urgent and unanswered first in the inbox, until answered"
        Inquiry = Pool().get('line.inquiry')
        self.configure()
        self.programme()
        self.write(self.follower(), "もう疲れた。死にたい")
        urgent, = Inquiry.search([])
        for minutes, text in [(5, "求人について質問です"), (10, "履歴書の書き方")]:
            self.now = WEDNESDAY_10 + dt.timedelta(minutes=minutes)
            self.write(self.follower(), text)
        self.assertEqual(Inquiry.search([])[0], urgent)
        self.assertEqual(Inquiry.search([('state', '=', 'open')])[0], urgent)
        self.assertTrue(urgent.pinned)

        urgent.send_reply("青木です。お話を聞かせてください。")
        self.assertFalse(urgent.pinned)
        self.assertEqual(Inquiry.search([])[0].subject, "履歴書の書き方")

    @with_transaction()
    def test_acknowledged_while_waiting(self):
        "After a hand-over, messages get a short answer, not too often"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        self.programme()
        user = self.follower()
        with Transaction().set_context(language='ja'):
            replies = Inquiry.receive(user, "担当の人と話したい", 'request')
        self.assertIn("までにお返事します", replies[0]['text'])

        self.now += dt.timedelta(minutes=2)
        first = self.write(user, "仕事を辞めたいのですが")
        self.assertEqual(len(first), 1)
        self.assertIn("担当者に届いています", first[0])
        self.assertIn("072-228-1234", first[0])

        self.now += dt.timedelta(minutes=10)
        self.assertEqual(self.write(user, "来週は面接があります"), [])
        self.now += dt.timedelta(minutes=25)
        self.assertEqual(len(self.write(user, "よろしくお願いします")), 1)

        inquiry, = Inquiry.search([])
        self.assertEqual(len(inquiry.messages), 4)
        self.assertEqual(inquiry.state, 'open')

    @with_transaction()
    def test_crisis_while_waiting(self):
        "Words of crisis in a conversation with staff still get the contacts"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        self.programme()
        user = self.follower()
        Inquiry.receive(user, "担当の人と話したい", 'request')
        replies = self.write(user, "もう消えたい")
        self.assertIn("いのちの電話", replies[0])
        inquiry, = Inquiry.search([])
        self.assertTrue(inquiry.urgent)
        self.assertEqual(inquiry.due_at, WEDNESDAY_10 + dt.timedelta(hours=1))

    @with_transaction()
    def test_crisis_during_questionnaire(self):
        "Words of crisis while answering questions: the contacts first"
        pool = Pool()
        Event = pool.get('line.event')
        Response = pool.get('questionnaire.response')
        self.configure()
        self.programme()
        user_id = line_webhook.random_user_id()
        for event in [
                line_webhook.follow_event(user_id,
                    reply_token=self.line.issue_reply_token(user_id)),
                line_webhook.text_message_event(user_id, "もう消えたい",
                    reply_token=self.line.issue_reply_token(user_id)),
                ]:
            body = json.loads(line_webhook.body([event]))
            Event.receive(body['events'])
            Event.process(Event.search([('state', '=', 'pending')]))
        contacts, staff = [m['text']
            for m in self.line.messages_for(user_id)[-2:]]
        self.assertIn("いのちの電話", contacts)
        self.assertIn("LINEでご連絡します", staff)
        # The questions wait: 「再開」 goes on with them
        response, = Response.search([('line_user.line_id', '=', user_id)])
        self.assertEqual(response.state, 'paused')
