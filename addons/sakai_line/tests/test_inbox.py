# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The inbox tells coordinators what is near or past its answer-by time."""
import datetime as dt
import json
import unittest

from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)

from ..configuration import utcnow
from .tools import LineTestCase


class InboxTestCase(unittest.TestCase):
    "Staff inbox"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('sakai_line')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_escalation(self):
        "Coordinators are told once when near, once when overdue"
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        LineUser = pool.get('line.user')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        coordinator, = User.create([{
                    'login': 'coordinator', 'name': "藤田 健",
                    'groups': [('add', [ModelData.get_id(
                                    'sakai_line', 'group_coordinator')])],
                    }])
        user, = LineUser.create([{
                    'line_id': line_webhook.random_user_id(),
                    'state': 'following'}])
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
        LineUser = pool.get('line.user')
        user, = LineUser.create([{
                    'line_id': line_webhook.random_user_id(),
                    'state': 'following'}])
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
