# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job introductions (職業紹介): a client, a job order and the coordinator,
from the proposal to the placement or to its end.

The stages move forward only; every change is kept with its time and who
made it (``job.introduction.stage``).  An introduction opens only for a
person whose counseling record marks their career direction clear (Sakai
7(2)②(エ)) unless a coordinator writes why they go ahead anyway; nothing
about the person goes to the employer (application, interview, offer,
introduction letter) without their current consent to sharing with
employers.
"""
from sql import Null
from sql.operators import Equal

from trytond.i18n import gettext
from trytond.model import (
    Exclude, Index, ModelSQL, ModelView, fields)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, Id, If
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from sakai_programme.programme import citizen_language, search_any, utcnow

from .exceptions import IntroductionError
from .job_order import next_number

STAGES = [
    ('proposed', "Proposed"),
    ('interested', "Interested"),
    ('applied', "Applied"),
    ('interview', "Interview"),
    ('offer', "Offer"),
    ('placed', "Placed"),
    ('ended', "Ended"),
    ]
# The way forward; any open stage may end
FORWARD = ['proposed', 'interested', 'applied', 'interview', 'offer',
    'placed']
OPEN_STAGES = ['proposed', 'interested', 'applied', 'interview', 'offer']
# Stages that tell the employer about the person
SHARING_STAGES = {'applied', 'interview', 'offer'}
END_REASONS = [
    (None, ""),
    ('declined', "Declined by the Person"),
    ('rejected', "Rejected by the Employer"),
    ('withdrawn', "Withdrawn by the Service"),
    ('filled', "Job Filled or Closed"),
    ]
ORIGINS = [
    ('staff', "Proposed by Staff"),
    ('line', "Interest Shown on LINE"),
    ('matching', "Recommendation"),
    ]
# What waits for the coordinator
WAITING = [
    (None, ""),
    ('line_interest', "Interest Shown on LINE"),
    ('line_apply', "Wants to Apply (LINE)"),
    ('line_more', "Wants to Know More (LINE)"),
    ('line_decline', "Declined on LINE"),
    ('job_closed', "Job Closed"),
    ]
SUPPORT_KINDS = [
    ('cv_review', "CV Review"),
    ('work_history_review', "Work History Review"),
    ('interview_practice', "Interview Practice"),
    ('company_visit', "Accompanied Company Visit"),
    ('application_help', "Help with the Application"),
    ('other', "Other"),
    ]
SUPPORT_METHODS = [
    ('in_person', "In Person"),
    ('online', "Online"),
    ('phone', "Phone"),
    ('line', "LINE Chat"),
    ('email', "Email"),
    ]
# The date each stage is reached on
STAGE_DATES = {
    'proposed': 'proposed_on',
    'interested': 'interested_on',
    'applied': 'applied_on',
    'offer': 'offer_on',
    'placed': 'placed_on',
    'ended': 'ended_on',
    }


def today():
    return Pool().get('ir.date').today()


class Introduction(ModelSQL, ModelView):
    __name__ = 'job.introduction'
    __string__ = "Job Introduction"
    _rec_name = 'number'

    _open = {'readonly': ~Eval('state').in_(OPEN_STAGES)}

    number = fields.Char("Number", readonly=True)
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE', domain=[('is_client', '=', True)],
        states={'readonly': Eval('id', -1) >= 0})
    job_order = fields.Many2One('job.order', "Job Order", required=True,
        ondelete='RESTRICT',
        domain=[If(Eval('id', -1) < 0, [('state', '=', 'open')], [])],
        states={'readonly': Eval('id', -1) >= 0})
    employer = fields.Function(fields.Many2One('party.party', "Employer"),
        'on_change_with_employer', searcher='search_employer')
    coordinator = fields.Many2One('res.user', "Coordinator", required=True,
        domain=[('groups', '=', Id('sakai_programme', 'group_coordinator'))],
        states=_open)
    proposed_by = fields.Many2One('res.user', "Proposed By", readonly=True)
    origin = fields.Selection(ORIGINS, "Origin", readonly=True, sort=False)
    state = fields.Selection(STAGES, "Stage", required=True, readonly=True,
        sort=False)
    direction_clear = fields.Function(fields.Boolean(
            "Career Direction Clear",
            help="A completed counseling record marks the person's career "
            "direction clear."),
        'get_direction_clear')
    override_reason = fields.Text("Why Go Ahead Without Clear Direction",
        states={
            'readonly': Eval('id', -1) >= 0,
            'invisible': Bool(Eval('direction_clear')),
            },
        help="Written by a coordinator when the person is introduced before "
        "a counseling record marks their direction clear.")
    proposed_on = fields.Date("Proposed On", readonly=True)
    interested_on = fields.Date("Interested On", readonly=True)
    applied_on = fields.Date("Applied On", readonly=True)
    interview_at = fields.DateTime("Interview", states=_open,
        help="When the employer interviews the person.")
    interview_place = fields.Char("Interview Place", states=_open)
    offer_on = fields.Date("Offer On", readonly=True)
    decision_due = fields.Date("Decision Due",
        states={
            'readonly': Eval('state') != 'offer',
            'invisible': ~Eval('state').in_(['offer', 'placed']),
            },
        help="When the person answers the offer.")
    placed_on = fields.Date("Placed On", readonly=True)
    ended_on = fields.Date("Ended On", readonly=True)
    end_reason = fields.Selection(END_REASONS, "End Reason", sort=False,
        states={
            'readonly': Eval('state') != 'ended',
            'invisible': Eval('state') != 'ended',
            })
    end_note = fields.Text("End Note",
        states={'invisible': Eval('state') != 'ended'})
    waiting = fields.Selection(WAITING, "Waiting for Coordinator",
        readonly=True, sort=False)
    waiting_since = fields.DateTime("Waiting Since", readonly=True)
    line_answer_reason = fields.Char("Reason Given on LINE", readonly=True)
    note = fields.Text("Notes")
    stages = fields.One2Many('job.introduction.stage', 'introduction',
        "Stage History", readonly=True)
    supports = fields.One2Many('job.application.support', 'introduction',
        "Application Support")
    placement = fields.One2Many('job.placement', 'introduction',
        "Placement", readonly=True, size=1)

    del _open

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('open_unique', Exclude(t,
                    (t.client, Equal), (t.job_order, Equal),
                    where=t.state != 'ended'),
                'sakai_jobs.msg_introduction_twice'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality())),
                Index(t, (t.waiting, Index.Equality()),
                    where=t.waiting != Null),
                })
        cls._order = [('waiting_since', 'ASC NULLS LAST'), ('id', 'DESC')]
        cls._buttons.update({
                name: {
                    'invisible': ~Eval('state').in_(states),
                    'depends': ['state'],
                    } for name, states in [
                    ('interest', ['proposed']),
                    ('apply', ['proposed', 'interested']),
                    ('interview', ['applied']),
                    ('offer', ['applied', 'interview']),
                    ('place', ['offer']),
                    ('end', OPEN_STAGES),
                    ]})
        cls._buttons.update({
                'acknowledge': {
                    'invisible': ~Bool(Eval('waiting')),
                    'depends': ['waiting'],
                    },
                'print_letter': {
                    'invisible': ~Eval('state').in_(
                        ['applied', 'interview', 'offer', 'placed']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//group[@id="waiting"]', 'states', {
                    'invisible': ~Eval('waiting'),
                    }),
            ]

    @classmethod
    def default_state(cls):
        return 'proposed'

    @classmethod
    def default_origin(cls):
        return Transaction().context.get('introduction_origin', 'staff')

    @classmethod
    def default_coordinator(cls):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        user = User(Transaction().user)
        group = ModelData.get_id('sakai_programme', 'group_coordinator')
        if group in {g.id for g in user.groups}:
            return user.id

    @classmethod
    def default_direction_clear(cls):
        return False

    @fields.depends('job_order')
    def on_change_with_employer(self, name=None):
        if self.job_order:
            return self.job_order.employer.id

    @classmethod
    def search_employer(cls, name, clause):
        return [('job_order.employer' + clause[0][len(name):],)
            + tuple(clause[1:])]

    @classmethod
    def get_direction_clear(cls, introductions, name):
        Record = Pool().get('counseling.record')
        result = {}
        clear = {}
        for introduction in introductions:
            client = introduction.client
            if client.id not in clear:
                clear[client.id] = Record.direction_clear_for(client=client)
            result[introduction.id] = clear[client.id]
        return result

    @fields.depends('client')
    def on_change_client(self):
        Record = Pool().get('counseling.record')
        self.direction_clear = bool(self.client
            and Record.direction_clear_for(client=self.client))

    def get_rec_name(self, name):
        return '%s %s - %s' % (
            self.number or '', self.client.rec_name, self.job_order.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['number', 'client.rec_name',
                'job_order.rec_name', 'job_order.employer.rec_name'])

    # Creation

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        user = Transaction().user
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            values['number'] = next_number('sequence_job_introduction')
            values['state'] = 'proposed'
            values['proposed_on'] = today()
            values['proposed_by'] = user
            values.setdefault('origin', cls.default_origin())
            values['waiting'] = (
                'line_interest' if values['origin'] == 'line' else None)
            values['waiting_since'] = (
                utcnow() if values['waiting'] else None)
        introductions = super().create(vlist)
        cls.check_may_open(introductions)
        cls._log_stage(introductions, None)
        Party = pool.get('party.party')
        Party.mark_job_seekers([i.client for i in introductions])
        return introductions

    @classmethod
    def check_may_open(cls, introductions):
        "An introduction needs an open job and a clear direction"
        for introduction in introductions:
            if introduction.job_order.state != 'open':
                raise IntroductionError(gettext(
                        'sakai_jobs.msg_introduction_job_not_open',
                        job=introduction.job_order.rec_name))
            if (not introduction.direction_clear
                    and not (introduction.override_reason or '').strip()):
                raise IntroductionError(gettext(
                        'sakai_jobs.msg_introduction_direction',
                        client=introduction.client.rec_name))

    @classmethod
    def propose(cls, client, job_order, origin='staff', **values):
        """Propose job_order to client, or return the introduction already
        open for them"""
        existing = cls.search([
                ('client', '=', client.id),
                ('job_order', '=', job_order.id),
                ('state', '!=', 'ended'),
                ], limit=1)
        if existing:
            return existing[0]
        if not values.get('coordinator'):
            values['coordinator'] = (job_order.coordinator.id
                if job_order.coordinator
                else cls.default_coordinator() or cls.on_duty_coordinator())
        with Transaction().set_context(introduction_origin=origin):
            introduction, = cls.create([dict(values,
                        client=client.id, job_order=job_order.id)])
        return introduction

    @classmethod
    def on_duty_coordinator(cls):
        "A coordinator to take an introduction no one was named for"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        users = User.search([
                ('groups', '=',
                    ModelData.get_id('sakai_programme', 'group_coordinator')),
                ], order=[('id', 'ASC')], limit=1)
        return users[0].id if users else None

    # Stages

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        moved = []
        for introductions, values in zip(actions, actions):
            if 'state' in values:
                cls.check_move(introductions, values['state'], values)
                moved.append(
                    ([(i, i.state) for i in introductions], values['state']))
        super().write(*args)
        for changes, state in moved:
            cls._log_stage([i for i, s in changes if s != state], None,
                {i.id: s for i, s in changes})

    @classmethod
    def check_move(cls, introductions, state, values=None):
        """Stages only move forward, and an ended one stays ended; an end
        has its reason and a placement its record"""
        Placement = Pool().get('job.placement')
        values = values or {}
        for introduction in introductions:
            if introduction.state == state:
                continue
            if (introduction.state not in OPEN_STAGES
                    or (state != 'ended'
                        and FORWARD.index(state)
                        < FORWARD.index(introduction.state))):
                raise IntroductionError(gettext(
                        'sakai_jobs.msg_introduction_backwards',
                        introduction=introduction.rec_name,
                        from_=cls.stage_label(introduction.state),
                        to=cls.stage_label(state)))
            if state in SHARING_STAGES:
                introduction.client.check_consent('employer_sharing')
            if state == 'ended' and not (
                    values.get('end_reason') or introduction.end_reason):
                raise IntroductionError(gettext(
                        'sakai_jobs.msg_introduction_end_reason',
                        introduction=introduction.rec_name))
            if state == 'placed' and not Placement.search([
                        ('introduction', '=', introduction.id),
                        ], limit=1):
                raise IntroductionError(gettext(
                        'sakai_jobs.msg_introduction_placed_without',
                        introduction=introduction.rec_name))

    @classmethod
    def stage_label(cls, state):
        return dict(cls.fields_get(['state'])['state']['selection']).get(
            state, state)

    @classmethod
    def _log_stage(cls, introductions, note, previous=None):
        Stage = Pool().get('job.introduction.stage')
        previous = previous or {}
        context = Transaction().context
        # The history is written by the service, whoever moves the stage
        with without_check_access():
            Stage.create([{
                        'introduction': i.id,
                        'from_state': previous.get(i.id),
                        'to_state': i.state,
                        'at': utcnow(),
                        'by_line': bool(context.get('introduction_by_line')),
                        'note': note or context.get('introduction_stage_note'),
                        } for i in introductions])

    @classmethod
    def move(cls, introductions, state, **values):
        "Move introductions to state on today's date"
        date_field = STAGE_DATES.get(state)
        values = dict(values, state=state, waiting=None, waiting_since=None)
        if date_field:
            values[date_field] = today()
        cls.write(list(introductions), values)

    @classmethod
    @ModelView.button
    def interest(cls, introductions):
        cls.move(introductions, 'interested')

    @classmethod
    @ModelView.button
    def apply(cls, introductions):
        cls.move(introductions, 'applied')

    @classmethod
    @ModelView.button
    def interview(cls, introductions):
        cls.move(introductions, 'interview')

    @classmethod
    @ModelView.button
    def offer(cls, introductions):
        cls.move(introductions, 'offer')

    @classmethod
    @ModelView.button_action('sakai_jobs.wizard_introduction_place')
    def place(cls, introductions):
        pass

    @classmethod
    @ModelView.button_action('sakai_jobs.wizard_introduction_end')
    def end(cls, introductions):
        pass

    @classmethod
    def end_with(cls, introductions, reason, note=None):
        "End the open introductions for reason"
        introductions = [i for i in introductions
            if i.state in OPEN_STAGES]
        if introductions:
            values = {'end_reason': reason}
            if note:
                values['end_note'] = note
            cls.move(introductions, 'ended', **values)
        return introductions

    @classmethod
    @ModelView.button
    def acknowledge(cls, introductions):
        "The coordinator has seen what was waiting"
        cls.write(list(introductions), {
                'waiting': None, 'waiting_since': None})

    @classmethod
    @ModelView.button_action('sakai_jobs.report_introduction_letter')
    def print_letter(cls, introductions):
        for introduction in introductions:
            introduction.client.check_consent('employer_sharing')

    @classmethod
    def tell_job_closed(cls, introductions):
        "Tell each person on LINE that the job introduced is no longer open"
        pool = Pool()
        Message = pool.get('line.message')
        with Transaction().set_context(language=citizen_language()):
            for introduction in introductions:
                line_user = introduction.client.line_user
                if not line_user:
                    continue
                Message.compose([line_user], [{
                            'type': 'text',
                            'text': gettext(
                                'sakai_jobs.msg_line_introduction_closed',
                                job=introduction.job_order.title,
                                employer=introduction.job_order.employer
                                .rec_name),
                            }],
                    description=gettext(
                        'sakai_jobs.msg_introduction_notice_description'))

    def wait_for_coordinator(self, waiting, reason=None):
        "Put the introduction on the coordinator's list"
        values = {'waiting': waiting, 'waiting_since': utcnow()}
        if reason is not None:
            values['line_answer_reason'] = reason
        self.write([self], values)

    @classmethod
    def check_modification(cls, mode, introductions, values=None,
            external=False):
        super().check_modification(
            mode, introductions, values=values, external=external)
        if mode == 'delete':
            for introduction in introductions:
                if introduction.state != 'proposed':
                    raise IntroductionError(gettext(
                            'sakai_jobs.msg_introduction_delete',
                            introduction=introduction.rec_name))

    @classmethod
    def copy(cls, introductions, default=None):
        if not introductions:
            return []
        raise IntroductionError(gettext('sakai_jobs.msg_introduction_copy'))


class IntroductionStage(ModelSQL, ModelView):
    __name__ = 'job.introduction.stage'
    __string__ = "Job Introduction Stage Change"

    introduction = fields.Many2One('job.introduction', "Introduction",
        required=True, ondelete='CASCADE', readonly=True)
    from_state = fields.Selection([(None, "")] + STAGES, "From",
        readonly=True)
    to_state = fields.Selection(STAGES, "To", required=True, readonly=True)
    at = fields.DateTime("At", required=True, readonly=True)
    by_line = fields.Boolean("On LINE", readonly=True,
        help="The person moved the introduction by an answer on LINE.")
    user = fields.Many2One('res.user', "By", readonly=True)
    note = fields.Char("Note", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('at', 'ASC'), ('id', 'ASC')]

    @classmethod
    def create(cls, vlist):
        vlist = [dict(v, user=Transaction().user) for v in vlist]
        return super().create(vlist)

    @classmethod
    def check_modification(cls, mode, stages, values=None, external=False):
        super().check_modification(
            mode, stages, values=values, external=external)
        # The history is kept as it happened; erasure anonymises the
        # introduction, not its dates
        if external and mode in {'write', 'delete'}:
            raise IntroductionError(gettext(
                    'sakai_jobs.msg_introduction_stage_kept'))


class ApplicationSupport(ModelSQL, ModelView):
    __name__ = 'job.application.support'
    __string__ = "Application Support"

    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE', domain=[('is_client', '=', True)])
    introduction = fields.Many2One('job.introduction', "Introduction",
        ondelete='SET NULL',
        domain=[If(Bool(Eval('client')),
                ('client', '=', Eval('client', -1)), ())])
    kind = fields.Selection(SUPPORT_KINDS, "Kind", required=True,
        sort=False)
    method = fields.Selection(SUPPORT_METHODS, "Method", required=True,
        sort=False)
    date = fields.Date("Date", required=True)
    staff = fields.Many2One('res.user', "Staff", required=True)
    note = fields.Text("Note",
        help="What was worked on and what the person will do next.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return today()

    @classmethod
    def default_staff(cls):
        return Transaction().user

    @classmethod
    def default_method(cls):
        return 'in_person'


class IntroductionEnd(Wizard):
    __name__ = 'job.introduction.end'
    __string__ = "End Job Introduction"

    start = StateView('job.introduction.end.start',
        'sakai_jobs.introduction_end_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("End", 'end_', 'tryton-ok', default=True),
            ])
    end_ = StateTransition()

    def transition_end_(self):
        Introduction = Pool().get('job.introduction')
        Introduction.end_with(self.records, self.start.reason,
            self.start.note)
        return 'end'


class IntroductionEndStart(ModelView):
    __name__ = 'job.introduction.end.start'
    __string__ = "End Job Introduction"

    reason = fields.Selection(END_REASONS[1:], "Reason", required=True,
        sort=False)
    note = fields.Text("Note")


class IntroductionPlace(Wizard):
    __name__ = 'job.introduction.place'
    __string__ = "Record Placement"

    start = StateView('job.placement',
        'sakai_jobs.placement_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Record", 'place', 'tryton-ok', default=True),
            ])
    place = StateTransition()

    def default_start(self, fields):
        Placement = Pool().get('job.placement')
        introduction = self.record
        order = introduction.job_order
        values = Placement.job_order_values(order)
        values['employer'] = order.employer.id
        return dict(values,
            client=introduction.client.id,
            introduction=introduction.id,
            origin='introduction',
            job_order=order.id,
            decided_on=today())

    def transition_place(self):
        self.start.introduction = self.record
        self.start.client = self.record.client
        self.start.origin = 'introduction'
        self.start.save()
        return 'end'


class IntroductionLetter(Report):
    "The introduction letter (紹介状) the person takes to the employer"
    __name__ = 'job.introduction.letter'

    @classmethod
    def execute(cls, ids, data):
        Introduction = Pool().get('job.introduction')
        # The letter tells the employer about the person: never without
        # their current consent, however it is asked for
        for introduction in Introduction.browse(ids):
            introduction.client.check_consent('employer_sharing')
        return super().execute(ids, data)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['today'] = today()
        context['letter'] = cls.letter
        return context

    @classmethod
    def letter(cls, introduction):
        """What the letter shows: only what the employer needs (the
        person's name, the job and its number) and who to answer"""
        pool = Pool()
        Introduction = pool.get('job.introduction')
        Programme = pool.get('support.programme')
        introduction = Introduction(introduction.id)
        programme = Programme(1)
        company = Programme.get_company()
        order = introduction.job_order
        client = introduction.client
        date = today()
        return {
            'number': introduction.number or '',
            'year': date.year, 'month': date.month, 'day': date.day,
            'employer': order.employer.rec_name,
            'programme': programme.name or '',
            'operator': company.rec_name if company else '',
            'address': programme.office_address or '',
            'phone': programme.office_phone or '',
            'coordinator': (introduction.coordinator.rec_name
                if introduction.coordinator else ''),
            'client': client.rec_name,
            'kana': getattr(client, 'name_kana', None) or '',
            'job': order.title,
            'job_number': order.number or '',
            'reference': (order.source_reference
                if order.source != 'developed' else '') or '',
            }
