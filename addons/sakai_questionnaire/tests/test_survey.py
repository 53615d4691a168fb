# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The monthly survey: scheduled send, answers, reminder, rate, tallies."""
import datetime as dt
import json

from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_line.tests.tools import LineTestCase


def answer_all(response):
    "Answer every question the simplest way; return the messages"
    messages = []
    while response.state == 'in_progress':
        question = response.current_question
        if question.type in {'single', 'multiple'}:
            choice = [c for c in question.choices if not c.exclusive][0]
            messages = response.receive('c%d' % choice.id)
            if question.type == 'multiple' and response.current_question \
                    == question:
                messages = response.receive('ok')
        elif question.type == 'scale':
            messages = response.receive('v%d' % question.scale_max)
        elif question.type == 'number':
            messages = response.handle_text('1')
        elif question.type == 'date':
            messages = response.handle_text('2027/4/1')
        elif not question.required:
            messages = response.receive('skip')
        else:
            messages = response.handle_text('とくにありません')
    return messages


class SurveyTestCase(LineTestCase):
    "Monthly survey"

    def users(self, *states):
        LineUser = Pool().get('line.user')
        return LineUser.create([{
                    'line_id': line_webhook.random_user_id(),
                    'state': state} for state in states])

    def tap(self, user, data):
        Event = Pool().get('line.event')
        body = json.loads(line_webhook.body([
                    line_webhook.postback_event(user.line_id, data)]))
        Event.receive(body['events'])
        Event.process(Event.search([('state', '=', 'pending')]))

    def deliver_queued(self):
        Message = Pool().get('line.message')
        Message.deliver(Message.search([('state', '=', 'queued')]))

    @with_transaction()
    def test_monthly_survey(self):
        "Sent once a month to followers, answered, reminded, counted"
        pool = Pool()
        Campaign = pool.get('questionnaire.campaign')
        Response = pool.get('questionnaire.response')
        Questionnaire = pool.get('questionnaire')
        ChoiceTally = pool.get('questionnaire.tally.choice')
        QuestionTally = pool.get('questionnaire.tally.question')
        self.configure()
        monthly = Questionnaire.get_by_code('monthly')
        self.assertTrue(monthly.schedule_day)
        alice, bob, carol, dave = self.users(
            'following', 'following', 'following', 'blocked')

        day = dt.date(2026, 12, monthly.schedule_day)
        Campaign.send_due(day - dt.timedelta(days=1)
            if monthly.schedule_day > 1 else day.replace(month=11, day=30))
        Campaign.send_due(day)
        Campaign.send_due(day + dt.timedelta(days=1))
        campaign, = Campaign.search([('period', '=', day.replace(day=1))])
        self.deliver_queued()
        invited = {d.user_id for d in self.line.delivered}
        self.assertEqual(invited, {alice.line_id, bob.line_id,
                carol.line_id})

        # Alice taps 回答する in the invitation and answers everything
        button = self.line.messages_for(alice.line_id)[-1][
            'quickReply']['items'][0]['action']
        self.assertEqual(button['data'], 'survey=%d' % campaign.id)
        self.tap(alice, button['data'])
        response, = Response.search([('campaign', '=', campaign.id)])
        self.assertEqual(response.line_user, alice)
        answer_all(response)
        self.assertEqual(response.state, 'done')

        # Dave blocked the account: not invited, he cannot answer it
        self.assertFalse(campaign.invited(dave))
        self.tap(dave, button['data'])
        self.assertEqual(
            Response.search([('line_user', '=', dave.id)]), [])

        # Three days later one reminder goes to Bob and Carol only
        Campaign.write([campaign], {
                'sent_at': campaign.sent_at - dt.timedelta(
                    days=monthly.reminder_days)})
        self.line.reset()
        Campaign.remind_due()
        Campaign.remind_due()
        self.deliver_queued()
        self.assertEqual({d.user_id for d in self.line.delivered},
            {bob.line_id, carol.line_id})
        self.assertEqual(len(self.line.delivered), 2)

        campaign = Campaign(campaign.id)
        self.assertEqual(campaign.recipient_count, 3)
        self.assertEqual(campaign.response_count, 1)
        self.assertAlmostEqual(campaign.response_rate, 1 / 3)

        # Tallies count her answers
        with Transaction().set_context(questionnaire=monthly.id):
            chosen = [t for t in ChoiceTally.search([]) if t.count]
            answered = QuestionTally.search([])
        self.assertTrue(chosen)
        self.assertTrue(all(t.count == 1 and t.share == 1 for t in chosen))
        self.assertEqual(len(answered), len(monthly.questions))
        self.assertEqual(sum(t.answered + t.skipped for t in answered),
            len(response.answers))
