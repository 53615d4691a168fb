# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The staff inbox: what citizens write that needs a person.

Every question that is not a booking is answered by staff within 24 hours
(calendar time) of the first unanswered message.  An inquiry collects the
messages of one person until it is done; the person is told when to
expect an answer (and, for urgent matters, whom to call now); a
scheduled action tells coordinators what is near or past its answer-by
time; the share answered in time is counted per month.
"""
import datetime as dt
import json

from sql import Literal, Null
from sql.aggregate import Count, Min
from sql.conditionals import Case
from sql.functions import DateTrunc

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .configuration import to_tokyo, utcnow

ANSWER_WITHIN = dt.timedelta(hours=24)
# Coordinators are told this long before the answer-by time
WARN_BEFORE = dt.timedelta(hours=4)
MAX_SUBJECT = 60


class Inquiry(Workflow, ModelSQL, ModelView):
    "Inquiry"
    __name__ = 'line.inquiry'

    line_user = fields.Many2One('line.user', "LINE User", required=True,
        readonly=True, ondelete='RESTRICT')
    party = fields.Many2One('party.party', "Client", readonly=True,
        ondelete='SET NULL')
    subject = fields.Char("Subject", readonly=True)
    reason = fields.Selection([
            ('request', "Asked for a Person"),
            ('distress', "Urgent"),
            ('own_case', "About Their Own Case"),
            ('not_found', "Not in the FAQ"),
            ('message', "Message"),
            ], "Reason", readonly=True, sort=False)
    urgent = fields.Boolean("Urgent", readonly=True)
    state = fields.Selection([
            ('open', "To Answer"),
            ('waiting', "Waiting for the Citizen"),
            ('done', "Done"),
            ], "State", required=True, readonly=True, sort=False)
    received_at = fields.DateTime("Received At", readonly=True,
        help="The first message not yet answered.")
    due_at = fields.DateTime("Answer By", readonly=True)
    answered_at = fields.DateTime("Answered At", readonly=True)
    answered_in_time = fields.Boolean("Answered in Time", readonly=True)
    assigned_to = fields.Many2One('res.user', "Assigned To",
        states={'readonly': Eval('state') == 'done'})
    labels = fields.Many2Many('line.inquiry-line.inquiry.label', 'inquiry',
        'label', "Labels")
    messages = fields.One2Many('line.inquiry.message', 'inquiry',
        "Messages", readonly=True)
    escalation = fields.Selection([
            (None, ""),
            ('near', "Answer-By Time Near"),
            ('overdue', "Overdue"),
            ], "Escalation", readonly=True, sort=False)
    reply_token = fields.Char("Reply Token", readonly=True, loading='lazy')
    reply_token_at = fields.DateTime("Reply Token At", readonly=True,
        loading='lazy')
    earlier = fields.Function(fields.Many2Many('line.inquiry', None, None,
            "Earlier Inquiries"), 'get_earlier')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    (t.due_at, Index.Range())),
                Index(t, (t.line_user, Index.Equality())),
                })
        cls._order = [('received_at', 'DESC NULLS LAST'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'waiting'),
            ('open', 'done'),
            ('waiting', 'open'),
            ('waiting', 'done'),
            ('done', 'open'),
            }
        cls._buttons.update({
                'reply': {
                    'invisible': Eval('state') == 'done',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') == 'done',
                    'depends': ['state'],
                    },
                'take': {
                    'invisible': Eval('state') == 'done',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    def get_rec_name(self, name):
        return self.subject or str(self.id)

    def get_earlier(self, name):
        return [i.id for i in self.search([
                    ('line_user', '=', self.line_user.id),
                    ('id', '!=', self.id),
                    ], limit=10)]

    # -- from LINE ------------------------------------------------------------

    @classmethod
    def current(cls, user):
        "The person's inquiry that is not done, or None"
        inquiries = cls.search([
                ('line_user', '=', user.id),
                ('state', '!=', 'done'),
                ], order=[('id', 'DESC')], limit=1)
        return inquiries[0] if inquiries else None

    @classmethod
    def receive(cls, user, text, reason='message', event=None):
        """Add what the person wrote to their inquiry (a new one if none is
        open); return the messages to answer them with"""
        pool = Pool()
        Message = pool.get('line.inquiry.message')
        now = event.occurred_at if event else utcnow()
        inquiry = cls.current(user)
        acknowledge = False
        if inquiry is None:
            inquiry = cls(line_user=user, party=user.client(),
                subject=subject_of(text), reason=reason, state='open',
                received_at=None, urgent=False)
            acknowledge = True
        if inquiry.state == 'waiting' or not inquiry.received_at:
            # The clock starts at the first message not yet answered
            inquiry.state = 'open'
            inquiry.received_at = now
            inquiry.due_at = now + ANSWER_WITHIN
            inquiry.answered_at = None
            inquiry.answered_in_time = None
            inquiry.escalation = None
            acknowledge = True
        if reason == 'distress':
            inquiry.urgent = True
            inquiry.reason = reason
            acknowledge = True
        if event:
            data = event.data
            inquiry.reply_token = data.get('replyToken')
            inquiry.reply_token_at = now
        inquiry.save()
        Message.create([{
                    'inquiry': inquiry.id,
                    'direction': 'in',
                    'text': text,
                    'at': now,
                    'event': event.id if event else None,
                    }])
        if not acknowledge:
            return []
        return [{'type': 'text', 'text': inquiry.acknowledgement()}]

    def acknowledgement(self):
        "Tell the person when to expect an answer (and whom to call now)"
        Programme = Pool().get('support.programme')
        due = to_tokyo(self.due_at)
        text = gettext('sakai_line.msg_inquiry_acknowledgement',
            due='%d月%d日 %d:%02d' % (due.month, due.day, due.hour,
                due.minute))
        contacts = Programme(1).emergency_contacts
        if contacts:
            key = ('sakai_line.msg_inquiry_urgent' if self.urgent
                else 'sakai_line.msg_inquiry_emergency')
            text += '\n\n' + gettext(key, contacts=contacts)
        return text

    # -- staff ----------------------------------------------------------------

    def send_reply(self, text, close=False):
        "Send a staff member's answer on LINE and keep it in the thread"
        pool = Pool()
        LineMessage = pool.get('line.message')
        Message = pool.get('line.inquiry.message')
        now = utcnow()
        line_message = LineMessage.compose([self.line_user],
            [{'type': 'text', 'text': text}],
            description=gettext('sakai_line.msg_inquiry_description',
                inquiry=self.rec_name),
            reply_token=self.reply_token,
            reply_received_at=self.reply_token_at)
        # A reply token is used once
        self.reply_token = None
        Message.create([{
                    'inquiry': self.id,
                    'direction': 'out',
                    'text': text,
                    'at': now,
                    'staff': Transaction().user,
                    'line_message': line_message.id,
                    }])
        if self.state == 'open' and not self.answered_at:
            self.answered_at = now
            self.answered_in_time = now <= self.due_at
        if not self.assigned_to:
            self.assigned_to = Transaction().user
        self.save()
        if close:
            self.__class__.close([self])
        elif self.state == 'open':
            self.__class__.wait([self])

    @classmethod
    @ModelView.button_action('sakai_line.wizard_inquiry_reply')
    def reply(cls, inquiries):
        pass

    @classmethod
    @Workflow.transition('waiting')
    def wait(cls, inquiries):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def close(cls, inquiries):
        pass

    @classmethod
    @ModelView.button
    def take(cls, inquiries):
        "Assign the inquiries to oneself"
        cls.write(inquiries, {'assigned_to': Transaction().user})

    @classmethod
    def escalate(cls):
        """Scheduled: tell coordinators about inquiries near or past their
        answer-by time, once for each"""
        pool = Pool()
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        now = utcnow()
        coordinators = User.search([
                ('groups', '=', ModelData.get_id(
                        'sakai_line', 'group_coordinator')),
                ])
        notifications = []
        for level, domain in [
                ('overdue', [('due_at', '<=', now),
                        ('escalation', '!=', 'overdue')]),
                ('near', [('due_at', '<=', now + WARN_BEFORE),
                        ('due_at', '>', now), ('escalation', '=', None)]),
                ]:
            inquiries = cls.search([('state', '=', 'open')] + domain)
            if not inquiries:
                continue
            cls.write(inquiries, {'escalation': level})
            for user in coordinators:
                with Transaction().set_context(language=user.language.code
                        if user.language else None):
                    notifications.append({
                            'user': user.id,
                            'label': gettext(
                                'sakai_line.msg_inquiry_%s' % level,
                                count=len(inquiries)),
                            'description': '、'.join(
                                i.rec_name for i in inquiries[:5]),
                            'icon': 'tryton-notification',
                            'model': cls.__name__,
                            'records': json.dumps([i.id for i in inquiries]),
                            })
        if notifications:
            Notification.create(notifications)


def subject_of(text):
    text = ' '.join((text or '').split())
    if len(text) > MAX_SUBJECT:
        return text[:MAX_SUBJECT - 1] + '…'
    return text


class InquiryMessage(ModelSQL, ModelView):
    "Inquiry Message"
    __name__ = 'line.inquiry.message'

    inquiry = fields.Many2One('line.inquiry', "Inquiry", required=True,
        readonly=True, ondelete='CASCADE')
    direction = fields.Selection([
            ('in', "From the Citizen"),
            ('out', "From Staff"),
            ], "Direction", required=True, readonly=True)
    text = fields.Text("Text", readonly=True)
    at = fields.DateTime("At", required=True, readonly=True)
    staff = fields.Many2One('res.user', "Staff", readonly=True)
    event = fields.Many2One('line.event', "LINE Event", readonly=True,
        ondelete='SET NULL')
    line_message = fields.Many2One('line.message', "LINE Message",
        readonly=True, ondelete='SET NULL')
    delivery = fields.Function(fields.Char("Delivery"), 'get_delivery')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('inquiry')
        cls._order = [('at', 'ASC'), ('id', 'ASC')]

    def get_delivery(self, name):
        if self.line_message:
            return self.line_message.state_string
        return None


class Label(DeactivableMixin, ModelSQL, ModelView):
    "Inquiry Label"
    __name__ = 'line.inquiry.label'

    name = fields.Char("Name", required=True, translate=True)


class InquiryLabel(ModelSQL):
    "Inquiry - Label"
    __name__ = 'line.inquiry-line.inquiry.label'

    inquiry = fields.Many2One('line.inquiry', "Inquiry", required=True,
        ondelete='CASCADE')
    label = fields.Many2One('line.inquiry.label', "Label", required=True,
        ondelete='CASCADE')


class CannedReply(DeactivableMixin, ModelSQL, ModelView):
    "Canned Reply"
    __name__ = 'line.inquiry.canned_reply'

    name = fields.Char("Name", required=True)
    text = fields.Text("Text", required=True)


class ReplyStart(ModelView):
    "Reply to an Inquiry"
    __name__ = 'line.inquiry.reply.start'

    canned_reply = fields.Many2One('line.inquiry.canned_reply',
        "Canned Reply")
    text = fields.Text("Answer", required=True)
    close = fields.Boolean("Done",
        help="Nothing more to do once this is sent.")

    @fields.depends('canned_reply', 'text')
    def on_change_canned_reply(self):
        if self.canned_reply:
            self.text = ((self.text + '\n') if self.text else '') + (
                self.canned_reply.text)


class Reply(Wizard):
    "Reply to an Inquiry"
    __name__ = 'line.inquiry.reply'

    start = StateView('line.inquiry.reply.start',
        'sakai_line.inquiry_reply_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def transition_send(self):
        self.record.send_reply(self.start.text, close=self.start.close)
        return 'end'


class Monthly(ModelSQL, ModelView):
    "Inquiries per Month"
    __name__ = 'line.inquiry.monthly'

    month = fields.DateTime("Month")
    received = fields.Integer("Received")
    answered = fields.Integer("Answered")
    in_time = fields.Integer("Answered within 24 h")
    share_in_time = fields.Function(
        fields.Float("Share Answered in Time", digits=(1, 3)), 'get_share')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        "Per month (UTC) of the first unanswered message of each inquiry"
        Inquiry = Pool().get('line.inquiry')
        inquiry = Inquiry.__table__()
        # Grouped on a subquery's column: PostgreSQL and SQLite agree
        per_inquiry = inquiry.select(
            inquiry.id.as_('id'),
            DateTrunc('month', inquiry.received_at).as_('month'),
            inquiry.answered_at.as_('answered_at'),
            Case((inquiry.answered_in_time == Literal(True), inquiry.id)
                ).as_('in_time'),
            where=inquiry.received_at != Null)
        return per_inquiry.select(
            Min(per_inquiry.id).as_('id'),
            per_inquiry.month.as_('month'),
            Count(per_inquiry.id).as_('received'),
            Count(per_inquiry.answered_at).as_('answered'),
            Count(per_inquiry.in_time).as_('in_time'),
            group_by=[per_inquiry.month])

    def get_share(self, name):
        if self.received:
            return self.in_time / self.received
        return None
