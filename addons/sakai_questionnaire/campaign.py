# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Scheduled sends of a questionnaire (the monthly survey of all users).

On the day staff set, every friend who follows the account gets an
invitation with a button that starts the questionnaire; after the
reminder delay, those who have not finished it get one reminder.
Responses and the response rate are counted per send.
"""
import datetime as dt

from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from sakai_line.builders import quick_postback, text_message
from sakai_programme.programme import citizen_language, utcnow

PREFIX = 'survey='


class Campaign(ModelSQL, ModelView):
    __name__ = 'questionnaire.campaign'
    __string__ = "Questionnaire Send"

    questionnaire = fields.Many2One('questionnaire', "Questionnaire",
        required=True, readonly=True, ondelete='CASCADE')
    period = fields.Date("Month", required=True, readonly=True,
        help="The first day of the month the send belongs to.")
    message = fields.Many2One('line.message', "Invitation", readonly=True,
        ondelete='SET NULL')
    sent_at = fields.DateTime("Sent At", readonly=True)
    reminder = fields.Many2One('line.message', "Reminder", readonly=True,
        ondelete='SET NULL')
    reminded_at = fields.DateTime("Reminded At", readonly=True)
    recipient_count = fields.Function(
        fields.Integer("Sent To"), 'get_counts')
    response_count = fields.Function(
        fields.Integer("Responses"), 'get_counts')
    response_rate = fields.Function(
        fields.Float("Response Rate", digits=(1, 3)), 'get_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('questionnaire_period_unique',
                Unique(t, t.questionnaire, t.period),
                'sakai_questionnaire.msg_campaign_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.period, Index.Range())))
        cls._order.insert(0, ('period', 'DESC'))

    def get_rec_name(self, name):
        return '%s %s' % (self.questionnaire.rec_name,
            self.period.strftime('%Y/%m'))

    @classmethod
    def get_counts(cls, campaigns, names):
        pool = Pool()
        Recipient = pool.get('line.message.recipient')
        Response = pool.get('questionnaire.response')
        recipient = Recipient.__table__()
        response = Response.__table__()
        cursor = Transaction().connection.cursor()
        sent, answered = {}, {}
        messages = {c.message.id: c.id for c in campaigns if c.message}
        if messages:
            cursor.execute(*recipient.select(
                    recipient.message, Count(recipient.id),
                    where=recipient.message.in_(list(messages))
                    & (recipient.state != 'skipped'),
                    group_by=[recipient.message]))
            sent = {messages[m]: n for m, n in cursor}
        cursor.execute(*response.select(
                response.campaign, Count(response.id),
                where=response.campaign.in_([c.id for c in campaigns])
                & (response.state == 'done'),
                group_by=[response.campaign]))
        answered = dict(cursor)
        result = {n: {} for n in names}
        for campaign in campaigns:
            total = sent.get(campaign.id, 0)
            done = answered.get(campaign.id, 0)
            if 'recipient_count' in names:
                result['recipient_count'][campaign.id] = total
            if 'response_count' in names:
                result['response_count'][campaign.id] = done
            if 'response_rate' in names:
                result['response_rate'][campaign.id] = (
                    done / total if total else None)
        return result

    def invitation(self, reminder=False):
        questionnaire = self.questionnaire
        text = questionnaire.invitation or questionnaire.intro or ''
        if reminder:
            text = gettext('sakai_questionnaire.msg_campaign_reminder') + '\n' + text
        label = gettext('sakai_questionnaire.msg_campaign_start_label')
        return [text_message(text.strip() or questionnaire.rec_name,
                [quick_postback(label, '%s%s' % (PREFIX, self.id))])]

    @classmethod
    def send_due(cls, date=None):
        """Scheduled: send each scheduled questionnaire on its day, once a
        month, to everyone following; remind non-responders later"""
        # What citizens read is in the programme's language
        with Transaction().set_context(language=citizen_language()):
            cls._send_due(date)

    @classmethod
    def _send_due(cls, date):
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        date = date or pool.get('ir.date').today()
        period = date.replace(day=1)
        for questionnaire in Questionnaire.search([
                    ('schedule_day', '!=', None),
                    ('schedule_day', '<=', date.day),
                    ]):
            if not cls.search([
                        ('questionnaire', '=', questionnaire.id),
                        ('period', '=', period),
                        ]):
                campaign = cls(questionnaire=questionnaire, period=period)
                campaign.save()
                campaign.send()
        cls.remind_due()

    def send(self):
        pool = Pool()
        LineUser = pool.get('line.user')
        Message = pool.get('line.message')
        users = LineUser.search([('state', '=', 'following')])
        if users:
            self.message = Message.compose(users, self.invitation(),
                description=gettext('sakai_questionnaire.msg_campaign_description',
                    campaign=self.rec_name))
        self.sent_at = utcnow()
        self.save()

    @classmethod
    def remind_due(cls):
        now = utcnow()
        for campaign in cls.search([
                    ('reminded_at', '=', None),
                    ('sent_at', '!=', None),
                    ('message', '!=', None),
                    ('questionnaire.reminder_days', '!=', None),
                    ]):
            days = campaign.questionnaire.reminder_days
            if campaign.sent_at + dt.timedelta(days=days) <= now:
                campaign.remind()

    def non_responders(self):
        "Ids of those the invitation reached who have not finished"
        pool = Pool()
        Recipient = pool.get('line.message.recipient')
        Response = pool.get('questionnaire.response')
        LineUser = pool.get('line.user')
        recipient = Recipient.__table__()
        response = Response.__table__()
        user = LineUser.__table__()
        cursor = Transaction().connection.cursor()
        done = response.select(response.line_user,
            where=(response.campaign == self.id)
            & (response.state == 'done')
            & (response.line_user != None))  # noqa: E711
        cursor.execute(*recipient.join(user,
                condition=recipient.line_user == user.id
                ).select(user.id,
                where=(recipient.message == self.message.id)
                & (recipient.state == 'sent')
                & (user.state == 'following')
                & ~user.id.in_(done)))
        return [i for i, in cursor]

    def remind(self):
        Message = Pool().get('line.message')
        users = self.non_responders()
        if users:
            self.reminder = Message.compose(users,
                self.invitation(reminder=True),
                description=gettext('sakai_questionnaire.msg_campaign_reminder_description',
                    campaign=self.rec_name))
        self.reminded_at = utcnow()
        self.save()

    def invited(self, user):
        "Was user sent this campaign's invitation?"
        Recipient = Pool().get('line.message.recipient')
        return bool(self.message and Recipient.search([
                    ('message', '=', self.message.id),
                    ('line_user', '=', user.id),
                    ], limit=1))
