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

A message that shows a crisis (sakai_programme.crisis) is answered at
once with the contacts of its kinds, first and alone, then with when a
person from the service will contact them; the inquiry becomes urgent,
due soon after staff are next on duty, the staff are told at once in the
back office and by e-mail, coordinators when nobody takes it, and it stays
at the top of the inbox until answered.
"""
import datetime as dt
import json
from email.message import EmailMessage

from sql import Literal, Null
from sql.aggregate import Count, Min
from sql.conditionals import Case
from sql.functions import DateTrunc

from trytond import config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.sendmail import send_message_transactional
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from sakai_programme.crisis import CRISIS_KINDS, crisis_kinds
from sakai_programme.programme import (
    CRISIS_KIND_SELECTION, search_any, to_local, to_utc, utcnow)

ANSWER_WITHIN = dt.timedelta(hours=24)
# Coordinators are told this long before the answer-by time
WARN_BEFORE = dt.timedelta(hours=4)
MAX_SUBJECT = 60
# LINE: a reply holds at most 5 messages; the last says when staff call
MAX_CRISIS_MESSAGES = 4
WEEKDAYS = '月火水木金土日'


def clock(value):
    "9時, 9時30分"
    if value.minute:
        return '%d時%d分' % (value.hour, value.minute)
    return '%d時' % value.hour


class Inquiry(Workflow, ModelSQL, ModelView):
    __name__ = 'line.inquiry'
    __string__ = "Inquiry"

    line_user = fields.Many2One('line.user', "LINE User", required=True,
        readonly=True, ondelete='RESTRICT')
    party = fields.Many2One('party.party', "Client", readonly=True,
        ondelete='SET NULL')
    person = fields.Function(fields.Char("Person",
            help="The client, else the LINE user's reference and nickname."),
        'get_person', searcher='search_person')
    subject = fields.Char("Subject", readonly=True)
    reason = fields.Selection([
            ('request', "Asked for a Person"),
            ('distress', "Urgent"),
            ('own_case', "About Their Own Case"),
            ('not_found', "Not in the FAQ"),
            ('message', "Message"),
            ], "Reason", readonly=True, sort=False)
    urgent = fields.Boolean("Urgent", readonly=True)
    crisis = fields.MultiSelection(CRISIS_KIND_SELECTION, "Crisis",
        readonly=True, sort=False,
        help="What the person's messages showed; they were given the "
        "contacts of these kinds.")
    take_by = fields.DateTime("Take By", readonly=True,
        help="Coordinators are told if nobody has taken the urgent "
        "inquiry by then.")
    waiting_ack_at = fields.DateTime("Waiting Acknowledged At",
        readonly=True,
        help="When the person was last told that staff have their "
        "messages and will answer.")
    pinned = fields.Function(fields.Boolean("At the Top",
            help="Urgent and not answered yet."), 'get_pinned')
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
            ('untaken', "Urgent, Not Taken"),
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
        # Urgent ones nobody has answered first
        cls._order = [('pinned', 'DESC'),
            ('received_at', 'DESC NULLS LAST'), ('id', 'DESC')]
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

    def get_pinned(self, name):
        return bool(self.urgent and not self.answered_at
            and self.state != 'done')

    @classmethod
    def order_pinned(cls, tables):
        table, _ = tables[None]
        return [Case(
                ((table.urgent == Literal(True))
                    & (table.answered_at == Null)
                    & (table.state != 'done'), 1),
                else_=0)]

    def get_rec_name(self, name):
        return self.subject or str(self.id)

    def get_person(self, name):
        "Who wrote: the client file, else the LINE friend"
        return (self.party or self.line_user).rec_name

    @classmethod
    def search_person(cls, name, clause):
        return search_any(clause, ['party.rec_name', 'line_user.rec_name'])

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
    def crisis_kinds(cls, text):
        "The kinds of crisis text shows (sakai_programme.crisis.CRISIS_WORDS)"
        return crisis_kinds(text)

    @classmethod
    def receive(cls, user, text, reason='message', event=None, kinds=None):
        """Add what the person wrote to their inquiry (a new one if none is
        open); return the messages to answer them with.

        kinds: the crisis the text shows; the inquiry becomes urgent and
        the answer starts with the contacts of these kinds."""
        pool = Pool()
        Message = pool.get('line.inquiry.message')
        Programme = pool.get('support.programme')
        programme = Programme(1)
        now = event.occurred_at if event else utcnow()
        if reason == 'distress' and not kinds:
            kinds = crisis_kinds(text)
        if kinds:
            reason = 'distress'
        inquiry = cls.current(user)
        acknowledge = alert = False
        if inquiry is None:
            inquiry = cls(line_user=user, party=user.client(),
                subject=subject_of(text), reason=reason, state='open',
                received_at=None, urgent=False, crisis=[])
            acknowledge = True
        if kinds or reason == 'distress':
            alert = not inquiry.urgent or inquiry.state == 'waiting'
            inquiry.urgent = True
            inquiry.reason = 'distress'
            inquiry.crisis = [k for k in CRISIS_KINDS
                if k in set(inquiry.crisis or []) | set(kinds or [])]
            acknowledge = True
        if inquiry.state == 'waiting' or not inquiry.received_at:
            # The clock starts at the first message not yet answered
            inquiry.state = 'open'
            inquiry.received_at = now
            inquiry.answered_at = None
            inquiry.answered_in_time = None
            inquiry.escalation = None
            inquiry.waiting_ack_at = None
            inquiry.due_at = inquiry.take_by = None
            acknowledge = True
        if inquiry.urgent:
            inquiry.set_urgent_times(now, programme)
        else:
            inquiry.due_at = inquiry.due_at or now + ANSWER_WITHIN
        messages = []
        if kinds:
            messages += crisis_messages(kinds, programme)
        if acknowledge:
            messages.append({'type': 'text',
                    'text': inquiry.acknowledgement(now, programme)})
        elif inquiry.waiting_ack_due(now, programme):
            messages.append({'type': 'text',
                    'text': waiting_acknowledgement(programme)})
            inquiry.waiting_ack_at = now
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
        if alert:
            cls.alert_staff([inquiry])
        return messages

    def set_urgent_times(self, now, programme):
        """An urgent inquiry is due soon after staff are next on duty (not
        at night, when nobody is there to answer)"""
        duty = to_utc(self.duty_starts(now, programme))
        due = duty + dt.timedelta(minutes=programme.urgent_answer_minutes)
        if not self.due_at or due < self.due_at:
            self.due_at = due
        if not self.take_by:
            self.take_by = duty + dt.timedelta(
                minutes=programme.urgent_take_minutes)

    @staticmethod
    def duty_starts(now, programme):
        """When staff can next take a message received at now (local): now
        while on duty with time left to take it, else the next duty"""
        local = to_local(now)
        if programme.on_duty(local) and (local + dt.timedelta(
                    minutes=programme.urgent_take_minutes)
                <= programme.duty_ends(local)):
            return local
        if programme.on_duty(local):
            local = programme.duty_ends(local)
        return programme.duty_starts(local)

    def waiting_ack_due(self, now, programme):
        "Whether to tell the person again that their message arrived"
        if self.state != 'open' or self.answered_at:
            return False
        return (not self.waiting_ack_at
            or now - self.waiting_ack_at >= dt.timedelta(
                minutes=programme.waiting_ack_minutes))

    def acknowledgement(self, now=None, programme=None):
        "Tell the person when to expect an answer (and whom to call now)"
        if programme is None:
            programme = Pool().get('support.programme')(1)
        if self.urgent:
            now = now or utcnow()
            return urgent_acknowledgement(
                self.duty_starts(now, programme), programme, to_local(now))
        due = to_local(self.due_at)
        text = gettext('sakai_inbox.msg_inquiry_acknowledgement',
            due='%d月%d日 %d:%02d' % (due.month, due.day, due.hour,
                due.minute))
        contacts = programme.emergency_contacts
        if contacts:
            text += '\n\n' + gettext(
                'sakai_inbox.msg_inquiry_emergency', contacts=contacts)
        return text

    # -- staff on duty --------------------------------------------------------

    @classmethod
    def staff_on_duty(cls):
        """Who is told at once of an urgent inquiry: the active counselors
        and coordinators.

        The service keeps no shift roster: the inbox is shared by these two
        groups and whoever is at the office takes what comes in, so all of
        them are told (in the back office, and by e-mail those who have an
        address).  A shared address in the programme settings (the duty
        phone's, an office mailbox) reaches whoever carries it."""
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        return User.search([
                ('groups', 'in', [
                        ModelData.get_id('sakai_programme', 'group_counselor'),
                        ModelData.get_id('sakai_programme', 'group_coordinator'),
                        ]),
                ])

    @classmethod
    def coordinators(cls):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        return User.search([
                ('groups', '=', ModelData.get_id(
                        'sakai_programme', 'group_coordinator')),
                ])

    @classmethod
    def alert_staff(cls, inquiries):
        "Tell the staff on duty at once of new urgent inquiries"
        cls.notify(cls.staff_on_duty(), 'sakai_inbox.msg_inquiry_urgent_alert',
            inquiries, email=True)

    @classmethod
    def notify(cls, users, msg_id, inquiries, email=False):
        """A back-office notification to each user about the inquiries and,
        with email, an e-mail to those with an address and to the
        programme's urgent alert address.

        The e-mail names no citizen and quotes nothing they wrote (e-mail
        leaves the server unencrypted): it says how many, by when, and
        where to look."""
        pool = Pool()
        Notification = pool.get('res.notification')
        Programme = pool.get('support.programme')
        notifications = []
        recipients = []
        for user in users:
            with Transaction().set_context(language=user.language.code
                    if user.language else None):
                notifications.append({
                        'user': user.id,
                        'label': gettext(msg_id, count=len(inquiries)),
                        'description': '、'.join(
                            i.rec_name for i in inquiries[:5]),
                        'icon': 'tryton-notification',
                        'model': cls.__name__,
                        'records': json.dumps([i.id for i in inquiries]),
                        })
                if email and user.email:
                    recipients.append((user.email, cls._alert_email(
                                msg_id, inquiries)))
        if email:
            shared = Programme(1).urgent_alert_email
            if shared:
                recipients.append((shared, cls._alert_email(
                            msg_id, inquiries)))
        if notifications:
            Notification.create(notifications)
        from_addr = config.get('email', 'from')
        for to_addr, (subject, body) in recipients:
            msg = EmailMessage()
            msg['From'] = from_addr
            msg['To'] = to_addr
            msg['Subject'] = subject
            msg.set_content(body)
            send_message_transactional(msg, from_addr, [to_addr])

    @classmethod
    def _alert_email(cls, msg_id, inquiries):
        "(subject, body) of the e-mail about the inquiries"
        Configuration = Pool().get('line.configuration')
        subject = gettext(msg_id, count=len(inquiries))
        lines = [subject, '']
        base = Configuration.public_base()
        for inquiry in inquiries:
            due = to_local(inquiry.due_at)
            line = gettext('sakai_inbox.msg_inquiry_alert_line',
                number=inquiry.id,
                due='%d月%d日 %d:%02d' % (due.month, due.day, due.hour,
                    due.minute))
            if base:
                line += '\n' + '%s/#%s/model/%s/%d' % (base,
                    Transaction().database.name, cls.__name__, inquiry.id)
            lines.append(line)
        lines += ['', gettext('sakai_inbox.msg_inquiry_alert_where')]
        return subject, '\n'.join(lines)

    # -- staff ----------------------------------------------------------------

    def send_reply(self, text, close=False):
        "Send a staff member's answer on LINE and keep it in the thread"
        pool = Pool()
        LineMessage = pool.get('line.message')
        Message = pool.get('line.inquiry.message')
        now = utcnow()
        line_message = LineMessage.compose([self.line_user],
            [{'type': 'text', 'text': text}],
            description=gettext('sakai_inbox.msg_inquiry_description',
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
    @ModelView.button_action('sakai_inbox.wizard_inquiry_reply')
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
        """Scheduled: tell coordinators about urgent inquiries nobody has
        taken in time and about inquiries near or past their answer-by time,
        once for each (by e-mail too when one is urgent)"""
        now = utcnow()
        coordinators = cls.coordinators()
        for level, domain in [
                ('untaken', [('urgent', '=', True),
                        ('assigned_to', '=', None),
                        ('take_by', '<=', now),
                        ('escalation', '=', None)]),
                ('overdue', [('due_at', '<=', now),
                        ('escalation', '!=', 'overdue')]),
                ('near', [('due_at', '<=', now + WARN_BEFORE),
                        ('due_at', '>', now), ('escalation', '=', None),
                        ('urgent', '=', False)]),
                ]:
            inquiries = cls.search([('state', '=', 'open')] + domain)
            if not inquiries:
                continue
            cls.write(inquiries, {'escalation': level})
            cls.notify(coordinators, 'sakai_inbox.msg_inquiry_%s' % level,
                inquiries, email=any(i.urgent for i in inquiries))


def crisis_messages(kinds, programme):
    """The contacts for the kinds of crisis, one message per kind (at most
    MAX_CRISIS_MESSAGES); the programme's emergency contacts when it has
    none of these kinds"""
    texts = []
    for kind, contacts in programme.contacts_for(kinds):
        if contacts:
            texts.append('\n'.join(
                    [gettext('sakai_inbox.msg_crisis_%s' % kind)]
                    + [c.line() for c in contacts]))
    if not texts:
        danger = programme.contacts_for(['danger'])[0][1]
        if programme.emergency_contacts or danger:
            texts.append(gettext('sakai_inbox.msg_inquiry_urgent',
                    contacts=programme.emergency_contacts
                    or '\n'.join(c.line() for c in danger)))
    if len(texts) > MAX_CRISIS_MESSAGES:
        texts[MAX_CRISIS_MESSAGES - 1:] = [
            '\n\n'.join(texts[MAX_CRISIS_MESSAGES - 1:])]
    return [{'type': 'text', 'text': t} for t in texts]


def when_text(start, today):
    "「本日9時」「明日（12月8日）9時」「12月8日（月）9時」"
    hour = clock(start)
    if start.date() == today:
        return gettext('sakai_inbox.msg_when_today', time=hour)
    if start.date() == today + dt.timedelta(days=1):
        return gettext('sakai_inbox.msg_when_tomorrow', time=hour,
            date='%d月%d日' % (start.month, start.day))
    return gettext('sakai_inbox.msg_when_day', time=hour,
        date='%d月%d日（%s）' % (start.month, start.day,
            WEEKDAYS[start.weekday()]))


def urgent_acknowledgement(start, programme, local):
    """When a person from the service will contact them: before the end of
    today's duty when staff are on duty now (local), else from the start of
    the next duty, as soon as possible"""
    if start == local:
        text = gettext('sakai_inbox.msg_inquiry_urgent_today',
            until=clock(programme.staff_on_duty_until))
        if programme.office_phone:
            text += '\n' + gettext('sakai_inbox.msg_inquiry_call_office',
                phone=programme.office_phone)
        return text
    return gettext('sakai_inbox.msg_inquiry_urgent_next',
        when=when_text(start, local.date()))


def waiting_acknowledgement(programme):
    "Messages written while staff have not answered yet"
    text = gettext('sakai_inbox.msg_inquiry_waiting')
    if programme.office_phone:
        text += '\n' + gettext('sakai_inbox.msg_inquiry_waiting_phone',
            phone=programme.office_phone,
            hours='%s〜%s' % (clock(programme.staff_on_duty_from),
                clock(programme.staff_on_duty_until)))
    return text


def subject_of(text):
    text = ' '.join((text or '').split())
    if len(text) > MAX_SUBJECT:
        return text[:MAX_SUBJECT - 1] + '…'
    return text


class InquiryMessage(ModelSQL, ModelView):
    __name__ = 'line.inquiry.message'
    __string__ = "Inquiry Message"

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
    __name__ = 'line.inquiry.label'
    __string__ = "Inquiry Label"

    name = fields.Char("Name", required=True, translate=True)


class InquiryLabel(ModelSQL):
    __name__ = 'line.inquiry-line.inquiry.label'
    __string__ = "Inquiry - Label"

    inquiry = fields.Many2One('line.inquiry', "Inquiry", required=True,
        ondelete='CASCADE')
    label = fields.Many2One('line.inquiry.label', "Label", required=True,
        ondelete='CASCADE')


class CannedReply(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'line.inquiry.canned_reply'
    __string__ = "Canned Reply"

    name = fields.Char("Name", required=True)
    text = fields.Text("Text", required=True)


class ReplyStart(ModelView):
    __name__ = 'line.inquiry.reply.start'
    __string__ = "Reply to an Inquiry"

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
    __name__ = 'line.inquiry.reply'

    start = StateView('line.inquiry.reply.start',
        'sakai_inbox.inquiry_reply_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def transition_send(self):
        self.record.send_reply(self.start.text, close=self.start.close)
        return 'end'


class Monthly(ModelSQL, ModelView):
    __name__ = 'line.inquiry.monthly'
    __string__ = "Inquiries per Month"

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
