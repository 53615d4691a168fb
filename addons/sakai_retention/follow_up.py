# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Follow-ups after a placement (定着支援, Sakai 7(2)④).

A placement plans one follow-up per milestone (milestone.py), due that many
days or months after its start date; moving the start date moves the
follow-ups not yet under way.  Each has the staff member in charge, the way
the person prefers to be contacted (7(2)④(エ)) and, once done, the record:
how the person is doing, the workplace, stress and wellbeing, the balance
with childcare, what the employer should know (only with the person's
consent to employer feedback) and the next step.

States: planned; checked in (the person answered the LINE check-in);
due for a call (no answer after the programme's delay, no LINE, or the
person blocked the account); done (staff recorded the contact); cancelled
(the placement ended before).

A record saying the person left ends the placement; one saying they want
another job opens job-change support (job_change.py).
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from sakai_programme.programme import to_local

from . import clock

from .exceptions import FollowUpError

METHODS = [
    ('line', "LINE Chat"),
    ('phone', "Phone"),
    ('email', "E-mail"),
    ('video', "Video Call"),
    ('face_to_face', "Face to Face"),
    ]
# What the person answered to 「お仕事はいかがですか？」 (line.py)
ANSWERS = [
    (None, ""),
    ('fine', "Going Well"),
    ('uneasy', "A Little Uneasy"),
    ('talk', "Wants to Talk"),
    ('leaving', "Left or About to Leave"),
    ('thinking', "Thinking of Leaving"),
    ('left', "Has Left"),
    ('change', "Wants a Job Change"),
    ]
OPEN_STATES = ['planned', 'checked_in', 'call_due']
# Written by the system only (transitions, the check-in, the answer)
SYSTEM_FIELDS = {'state', 'check_in_sent_at', 'line_blocked', 'answer',
    'answered_at', 'inquiry', 'client', 'employer', 'milestone',
    'placement'}
END_REASONS = [
    (None, ""),
    ('resigned', "Resigned"),
    ('dismissed', "Dismissed"),
    ('contract_end', "End of Contract"),
    ('other', "Other"),
    ]


class FollowUp(Workflow, ModelSQL, ModelView):
    __name__ = 'job.follow_up'
    __string__ = "Follow-up"

    placement = fields.Many2One('job.placement', "Placement", required=True,
        ondelete='CASCADE', states={'readonly': Eval('id', -1) >= 0})
    client = fields.Many2One('party.party', "Client", readonly=True,
        ondelete='CASCADE')
    employer = fields.Many2One('party.party', "Employer", readonly=True,
        ondelete='SET NULL')
    milestone = fields.Many2One('job.follow_up.milestone', "Milestone",
        ondelete='RESTRICT', readonly=True)
    due_date = fields.Date("Due Date", required=True,
        states={'readonly': ~Eval('state').in_(OPEN_STATES)})
    staff = fields.Many2One('res.user', "Staff in Charge",
        states={'readonly': ~Eval('state').in_(OPEN_STATES)})
    method = fields.Selection(METHODS, "Preferred Method", required=True,
        sort=False, states={'readonly': ~Eval('state').in_(OPEN_STATES)},
        help="How the person prefers to be contacted.")
    state = fields.Selection([
            ('planned', "Planned"),
            ('checked_in', "Checked In"),
            ('call_due', "Due for a Call"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    check_in_sent_at = fields.DateTime("Check-in Sent At", readonly=True)
    line_blocked = fields.Boolean("No LINE Check-in", readonly=True,
        help="The person has no LINE linked or blocked the account: no "
        "check-in was sent, staff contact them another way.")
    answer = fields.Selection(ANSWERS, "Answer on LINE", readonly=True,
        sort=False)
    answered_at = fields.DateTime("Answered At", readonly=True)
    inquiry = fields.Many2One('line.inquiry', "Inbox", readonly=True,
        ondelete='SET NULL',
        help="The staff inbox conversation the answer landed in.")
    contacted_on = fields.Date("Contacted On",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            'required': Eval('state') == 'done',
            })
    contact_method = fields.Selection([(None, "")] + METHODS,
        "Contacted By", sort=False,
        states={'readonly': Eval('state').in_(['done', 'cancelled'])})
    how_doing = fields.Text("How the Person Is Doing",
        states={'readonly': Eval('state') == 'cancelled'})
    workplace = fields.Text("Workplace Environment",
        states={'readonly': Eval('state') == 'cancelled'})
    wellbeing = fields.Text("Stress and Wellbeing",
        states={'readonly': Eval('state') == 'cancelled'})
    childcare = fields.Text("Balance with Childcare",
        states={'readonly': Eval('state') == 'cancelled'})
    employer_note = fields.Text("What the Employer Should Know",
        states={'readonly': Eval('state') == 'cancelled'},
        help="Only with the person's current consent to feedback to the "
        "employer (consent ledger).")
    next_step = fields.Text("Next Step",
        states={'readonly': Eval('state') == 'cancelled'})
    left_on = fields.Date("Left the Job On",
        states={'readonly': Eval('state').in_(['done', 'cancelled'])},
        help="The person's last day of work, when they say they left: "
        "recording the follow-up ends the placement.")
    left_reason = fields.Selection(END_REASONS, "Reason for Leaving",
        sort=False, states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            'invisible': ~Eval('left_on'),
            'required': Bool(Eval('left_on')),
            })
    wants_change = fields.Boolean("Wants a Job Change",
        states={'readonly': Eval('state').in_(['done', 'cancelled'])},
        help="Recording the follow-up opens job-change support.")
    overdue = fields.Function(fields.Boolean("Overdue"), 'get_overdue')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    (t.due_date, Index.Range())),
                Index(t, (t.placement, Index.Equality())),
                })
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('planned', 'checked_in'),
            ('planned', 'call_due'),
            ('checked_in', 'call_due'),
            # An answer after the call became due is still her answer
            ('call_due', 'checked_in'),
            ('planned', 'done'),
            ('checked_in', 'done'),
            ('call_due', 'done'),
            ('planned', 'cancelled'),
            ('checked_in', 'cancelled'),
            ('call_due', 'cancelled'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'record': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'plan_again': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_method(cls):
        return 'line'

    @classmethod
    def default_line_blocked(cls):
        return False

    @classmethod
    def default_wants_change(cls):
        return False

    def get_rec_name(self, name):
        return '%s %s' % (self.placement.rec_name,
            self.milestone.name if self.milestone else '')

    @property
    def to_do(self):
        "Whether staff still have something to do (a 順調 answer is done)"
        return self.state in {'planned', 'call_due'} or (
            self.state == 'checked_in' and self.answer != 'fine')

    def get_overdue(self, name):
        return self.to_do and self.due_date < clock.today()

    @fields.depends('placement', 'staff', 'method')
    def on_change_placement(self):
        if self.placement:
            self.staff = self.staff or self.placement.coordinator
            self.method = self.placement.follow_up_method or self.method

    @classmethod
    def create(cls, vlist):
        Placement = Pool().get('job.placement')
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            placement = Placement(values['placement'])
            values['client'] = placement.client.id
            if not Transaction().context.get('_follow_up_transition'):
                values['state'] = 'planned'
            values['employer'] = (placement.employer.id
                if placement.employer else None)
        return super().create(vlist)

    # -- planning -------------------------------------------------------------

    @classmethod
    def plan(cls, placements):
        "Plan the follow-ups of new placements, one per milestone"
        Milestone = Pool().get('job.follow_up.milestone')
        milestones = Milestone.search([])
        vlist = []
        for placement in placements:
            if placement.end_date:
                continue
            for milestone in milestones:
                vlist.append({
                        'placement': placement.id,
                        'milestone': milestone.id,
                        'due_date': milestone.due_date(placement.start_date),
                        'staff': (placement.coordinator.id
                            if placement.coordinator else None),
                        'method': placement.follow_up_method or 'line',
                        })
        return cls.create(vlist)

    @classmethod
    def move_with_start(cls, placements):
        "Move the follow-ups not under way to the new start dates"
        to_save = []
        for placement in placements:
            for follow_up in placement.follow_ups:
                if (follow_up.state == 'planned' and follow_up.milestone
                        and not follow_up.check_in_sent_at):
                    follow_up.due_date = follow_up.milestone.due_date(
                        placement.start_date)
                    to_save.append(follow_up)
        cls.save(to_save)

    # -- rules held whoever calls --------------------------------------------

    @classmethod
    def validate_fields(cls, follow_ups, field_names):
        super().validate_fields(follow_ups, field_names)
        cls.check_dates(follow_ups, field_names)
        cls.check_employer_note(follow_ups, field_names)

    @classmethod
    def check_dates(cls, follow_ups, field_names=None):
        if field_names and not (field_names & {
                    'contacted_on', 'left_on', 'placement'}):
            return
        for follow_up in follow_ups:
            start = follow_up.placement.start_date
            for date in [follow_up.contacted_on, follow_up.left_on]:
                if date and date < start:
                    raise FollowUpError(gettext(
                            'sakai_retention.msg_follow_up_before_start',
                            date=date.strftime('%Y/%m/%d'),
                            start=start.strftime('%Y/%m/%d'),
                            placement=follow_up.placement.rec_name))
            if (follow_up.contacted_on
                    and follow_up.contacted_on > clock.today()):
                raise FollowUpError(gettext(
                        'sakai_retention.msg_follow_up_future',
                        date=follow_up.contacted_on.strftime('%Y/%m/%d')))

    @classmethod
    def check_employer_note(cls, follow_ups, field_names=None):
        "What the employer should know is written only with consent"
        if field_names and not (field_names & {'employer_note'}):
            return
        for follow_up in follow_ups:
            if (follow_up.employer_note
                    and not follow_up.client.consents_to('employer_feedback')):
                raise FollowUpError(gettext(
                        'sakai_retention.msg_follow_up_employer_note_consent',
                        client=follow_up.client.rec_name))

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        for follow_ups, values in zip(actions, actions):
            if (SYSTEM_FIELDS & set(values)) and not Transaction().context.get(
                    '_follow_up_transition'):
                # The state and the LINE check-in move through the buttons
                # and LINE only
                raise FollowUpError(gettext(
                        'sakai_retention.msg_follow_up_state'))
        super().write(*args)

    @classmethod
    def check_modification(cls, mode, follow_ups, values=None,
            external=False):
        super().check_modification(
            mode, follow_ups, values=values, external=external)
        if mode == 'delete' and external:
            for follow_up in follow_ups:
                if follow_up.state == 'done':
                    raise FollowUpError(gettext(
                            'sakai_retention.msg_follow_up_delete_done',
                            follow_up=follow_up.rec_name))

    @classmethod
    def move(cls, follow_ups, state):
        "Move follow_ups to state (the transition checks it)"
        with Transaction().set_context(_follow_up_transition=True):
            getattr(cls, {
                    'checked_in': '_check_in',
                    'call_due': '_call_due',
                    'done': '_done',
                    'cancelled': '_cancelled',
                    'planned': '_planned',
                    }[state])(follow_ups)

    @classmethod
    @Workflow.transition('checked_in')
    def _check_in(cls, follow_ups):
        pass

    @classmethod
    @Workflow.transition('call_due')
    def _call_due(cls, follow_ups):
        pass

    @classmethod
    @Workflow.transition('done')
    def _done(cls, follow_ups):
        pass

    @classmethod
    @Workflow.transition('cancelled')
    def _cancelled(cls, follow_ups):
        pass

    @classmethod
    @Workflow.transition('planned')
    def _planned(cls, follow_ups):
        pass

    # -- buttons --------------------------------------------------------------

    @classmethod
    @ModelView.button
    def record(cls, follow_ups):
        """The contact is recorded: the follow-up is done; a person who
        left ends the placement, one who wants another job gets job-change
        support"""
        pool = Pool()
        Placement = pool.get('job.placement')
        JobChange = pool.get('job.change')
        for follow_up in follow_ups:
            if follow_up.state not in OPEN_STATES:
                continue
            if not follow_up.contacted_on:
                follow_up.contacted_on = clock.today()
            if follow_up.placement.end_date and follow_up.left_on:
                raise FollowUpError(gettext(
                        'sakai_retention.msg_placement_ended_already',
                        placement=follow_up.placement.rec_name,
                        date=follow_up.placement.end_date.strftime(
                            '%Y/%m/%d')))
        cls.save(follow_ups)
        cls.check_dates(follow_ups)
        cls.move([f for f in follow_ups if f.state in OPEN_STATES], 'done')
        for follow_up in follow_ups:
            if follow_up.left_on:
                Placement.end_placement(follow_up.placement,
                    follow_up.left_on, follow_up.left_reason)
            if follow_up.wants_change:
                JobChange.open_for(follow_up.placement, 'staff',
                    follow_up.next_step or follow_up.how_doing)

    @classmethod
    @ModelView.button
    def cancel(cls, follow_ups):
        cls.move([f for f in follow_ups if f.state in OPEN_STATES],
            'cancelled')

    @classmethod
    @ModelView.button
    def plan_again(cls, follow_ups):
        cls.move([f for f in follow_ups if f.state == 'cancelled'],
            'planned')

    # -- check-ins ------------------------------------------------------------

    @classmethod
    def send_check_ins(cls):
        """Send the check-ins due today at the programme's hour; a
        check-in unanswered after the programme's delay is due for a call
        (the scheduled action runs this every hour)"""
        pool = Pool()
        Programme = pool.get('support.programme')
        programme = Programme(1)
        at = clock.now()
        local = to_local(at)
        day = clock.today()
        late = day - dt.timedelta(days=programme.check_in_call_days)
        if (programme.check_in_time <= local.time()
                and local.hour < 21):
            due = cls.search([
                    ('state', '=', 'planned'),
                    ('check_in_sent_at', '=', None),
                    ('due_date', '<=', day),
                    ('due_date', '>', late),
                    ('milestone.check_in', '=', True),
                    ('placement.end_date', '=', None),
                    ])
            cls.check_in(due, at)
        # Too late for a check-in, or no answer: staff call
        stale = cls.search([
                ('state', '=', 'planned'),
                ('placement.end_date', '=', None),
                ['OR',
                    [('check_in_sent_at', '=', None),
                        ('due_date', '<=', late)],
                    [('check_in_sent_at', '!=', None),
                        ('check_in_sent_at', '<=',
                            at - dt.timedelta(
                                days=programme.check_in_call_days))]],
                ])
        cls.move(stale, 'call_due')

    @classmethod
    def check_in(cls, follow_ups, at=None):
        """Ask each person on LINE how the work is going; a person without
        LINE or who blocked the account gets nothing and the follow-up is
        due for a call"""
        from .line import send_check_in
        at = at or clock.now()
        blocked, sent = [], []
        for follow_up in follow_ups:
            line_user = follow_up.client.line_user
            if not line_user or line_user.state != 'following':
                blocked.append(follow_up)
                continue
            send_check_in(follow_up)
            sent.append(follow_up)
        with Transaction().set_context(_follow_up_transition=True):
            if sent:
                cls.write(sent, {'check_in_sent_at': at})
            if blocked:
                cls.write(blocked, {'line_blocked': True})
        cls.move(blocked, 'call_due')

    def take_answer(self, answer, inquiry=None):
        "The person's answer on LINE goes into the follow-up"
        with Transaction().set_context(_follow_up_transition=True):
            self.write([self], {
                    'answer': answer,
                    'answered_at': clock.now(),
                    'inquiry': inquiry.id if inquiry else (
                        self.inquiry.id if self.inquiry else None),
                    })
        if self.state in {'planned', 'call_due'}:
            self.move([self], 'checked_in')

    @classmethod
    def cancel_open(cls, placements):
        "The follow-ups of ended placements not done are not needed"
        follow_ups = cls.search([
                ('placement', 'in', [p.id for p in placements]),
                ('state', 'in', ['planned', 'call_due']),
                ('due_date', '>', min(p.end_date for p in placements)),
                ])
        cls.move([f for f in follow_ups
                if f.due_date > f.placement.end_date], 'cancelled')

    def evidence_on(self):
        "The day a done or answered follow-up shows the person in work"
        if self.state == 'done' and not self.left_on:
            return self.contacted_on
        if self.state in {'checked_in', 'done'} and self.answered_at and (
                self.answer not in {'left', None}):
            return to_local(self.answered_at).date()
        return None
