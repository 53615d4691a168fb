# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Placements (就職決定): a client starts work.

A placement is what the programme counts as 就職者数 (Sakai spec 8): see
``Placement.placements_domain``.  It comes from one of the service's job
introductions, or is a job the person found elsewhere (a public listing,
their own search) that the service supported and records.
"""
from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from sakai_programme.programme import search_any

from .exceptions import PlacementError
from .job_order import EMPLOYMENT_TYPES, WAGE_TYPES, next_number
from .party import INDUSTRIES

ORIGINS = [
    ('introduction', "The Service's Introduction"),
    ('elsewhere', "Found Elsewhere"),
    ]
# The employment types a placement is reported under
PERMANENT_TYPES = {'full_time', 'full_time_track'}


def add_months(date, months):
    "The same day months later (the month's last day when it is shorter)"
    return date + relativedelta(months=months)


class Placement(ModelSQL, ModelView):
    __name__ = 'job.placement'
    __string__ = "Placement"
    _rec_name = 'number'

    number = fields.Char("Number", readonly=True)
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE', domain=[('is_client', '=', True)],
        states={'readonly': Bool(Eval('introduction'))})
    origin = fields.Selection(ORIGINS, "How Found", required=True,
        sort=False, states={'readonly': Bool(Eval('introduction'))},
        help="The Service's Introduction: counted as a placement through "
        "the service's job introduction (職業紹介).")
    introduction = fields.Many2One('job.introduction', "Introduction",
        ondelete='RESTRICT', readonly=True)
    job_order = fields.Many2One('job.order', "Job Order",
        ondelete='RESTRICT',
        domain=[If(Bool(Eval('employer')),
                ('employer', '=', Eval('employer', -1)), ())],
        states={'readonly': Bool(Eval('introduction'))})
    employer = fields.Many2One('party.party', "Employer",
        ondelete='RESTRICT', domain=[('is_employer', '=', True)],
        states={
            'readonly': Bool(Eval('introduction')),
            'required': Eval('origin') == 'introduction',
            })
    employer_name = fields.Char("Employer Name",
        states={
            'invisible': Bool(Eval('employer')),
            'required': ~Eval('employer'),
            },
        help="The employer of a job found elsewhere, not in the employer "
        "list.")
    employer_industry = fields.Selection(INDUSTRIES, "Employer Industry",
        sort=False, states={'invisible': Bool(Eval('employer'))})
    job_title = fields.Char("Job Title")
    decided_on = fields.Date("Decided On", required=True,
        help="The day the person accepted the offer.")
    start_date = fields.Date("Start Date", required=True,
        domain=[('start_date', '>=', Eval('decided_on', None))])
    employment_type = fields.Selection(EMPLOYMENT_TYPES, "Employment Type",
        required=True, sort=False)
    permanent = fields.Boolean("Permanent Contract",
        help="Employment without a fixed term (無期雇用), as the placement "
        "business reports it.")
    wage_type = fields.Selection(WAGE_TYPES, "Wage Type", required=True,
        sort=False)
    wage = fields.Integer("Wage (Yen)", required=True,
        domain=[('wage', '>', 0)])
    hours = fields.Char("Working Hours")
    weekly_hours = fields.Numeric("Hours per Week", digits=(3, 1),
        domain=['OR',
            ('weekly_hours', '=', None),
            [('weekly_hours', '>', 0), ('weekly_hours', '<=', 80)],
            ])
    coordinator = fields.Many2One('res.user', "Coordinator")
    end_date = fields.Date("Left On",
        domain=['OR',
            ('end_date', '=', None),
            ('end_date', '>=', Eval('start_date', None)),
            ],
        help="The last day of work, when the person left the job.")
    end_reason = fields.Selection([
            (None, ""),
            ('resigned', "Resigned"),
            ('dismissed', "Dismissed"),
            ('contract_end', "End of Contract"),
            ('other', "Other"),
            ], "Reason for Leaving", sort=False,
        states={
            'invisible': ~Eval('end_date'),
            'required': Bool(Eval('end_date')),
            })
    note = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.start_date, Index.Range())))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_origin(cls):
        return 'elsewhere'

    @classmethod
    def default_employment_type(cls):
        return 'full_time'

    @classmethod
    def default_permanent(cls):
        return True

    @classmethod
    def default_wage_type(cls):
        return 'monthly'

    @classmethod
    def default_decided_on(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_coordinator(cls):
        return Transaction().user

    @fields.depends('employment_type')
    def on_change_employment_type(self):
        self.permanent = self.employment_type in PERMANENT_TYPES

    @fields.depends('job_order', 'employer')
    def on_change_job_order(self):
        if self.job_order:
            for name, value in self.job_order_values(self.job_order).items():
                setattr(self, name, value)

    @staticmethod
    def job_order_values(order):
        "What a placement into order starts from"
        return {
            'employer': order.employer,
            'job_title': order.title,
            'employment_type': order.employment_type,
            'permanent': order.employment_type in PERMANENT_TYPES,
            'wage_type': order.wage_type,
            'wage': order.wage_min,
            'hours': order.hours,
            }

    def get_rec_name(self, name):
        return '%s %s - %s' % (self.number or '', self.client.rec_name,
            self.employer.rec_name if self.employer
            else self.employer_name or '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['number', 'client.rec_name',
                'employer.rec_name', 'employer_name', 'job_title'])

    @property
    def six_months_on(self):
        "The day six months after the start"
        return add_months(self.start_date, 6)

    @classmethod
    def placements_domain(cls, start, end):
        """The placements counted as 就職者数 from start to end (included).

        A placement counts once, in the month of its start date, whatever
        the way it was found (the service's introduction or elsewhere with
        the service's support); ``origin`` tells the two apart."""
        return [
            ('start_date', '>=', start),
            ('start_date', '<=', end),
            ]

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            values['number'] = next_number('sequence_job_placement')
        placements = super().create(vlist)
        cls.place_introductions(placements)
        return placements

    @classmethod
    def validate_fields(cls, placements, field_names):
        super().validate_fields(placements, field_names)
        cls.check_introduction(placements, field_names)
        cls.check_wage(placements, field_names)

    @classmethod
    def check_introduction(cls, placements, field_names=None):
        if field_names and not (field_names & {
                    'introduction', 'origin', 'start_date', 'client'}):
            return
        for placement in placements:
            introduction = placement.introduction
            if (placement.origin == 'introduction') != bool(introduction):
                raise PlacementError(gettext(
                        'sakai_jobs.msg_placement_origin',
                        placement=placement.rec_name))
            if not introduction:
                continue
            if introduction.client != placement.client:
                raise PlacementError(gettext(
                        'sakai_jobs.msg_placement_client',
                        placement=placement.rec_name))
            offer_on = introduction.offer_on
            if offer_on and placement.start_date < offer_on:
                raise PlacementError(gettext(
                        'sakai_jobs.msg_placement_before_offer',
                        start=placement.start_date.strftime('%Y/%m/%d'),
                        offer=offer_on.strftime('%Y/%m/%d')))

    @classmethod
    def check_wage(cls, placements, field_names=None):
        "The wage agreed stays within the job order's range"
        if field_names and not (field_names & {
                    'wage', 'wage_type', 'job_order'}):
            return
        for placement in placements:
            order = placement.job_order
            if not order or order.wage_type != placement.wage_type:
                continue
            high = order.wage_max or order.wage_min
            if not (order.wage_min <= placement.wage <= high):
                raise PlacementError(gettext(
                        'sakai_jobs.msg_placement_wage',
                        wage='{:,}'.format(placement.wage),
                        job=order.rec_name,
                        low='{:,}'.format(order.wage_min),
                        high='{:,}'.format(high)))

    @classmethod
    def place_introductions(cls, placements):
        """Move the introductions of placements to placed, and fill the job
        orders whose positions are all taken"""
        pool = Pool()
        Introduction = pool.get('job.introduction')
        JobOrder = pool.get('job.order')
        introductions = [p.introduction for p in placements
            if p.introduction and p.introduction.state != 'placed']
        for introduction in introductions:
            if introduction.state != 'offer':
                raise PlacementError(gettext(
                        'sakai_jobs.msg_placement_no_offer',
                        introduction=introduction.rec_name))
        if introductions:
            Introduction.move(introductions, 'placed')
        JobOrder.fill_when_placed(
            {p.job_order for p in placements if p.job_order})

    @classmethod
    def check_modification(cls, mode, placements, values=None,
            external=False):
        super().check_modification(
            mode, placements, values=values, external=external)
        if mode == 'delete':
            for placement in placements:
                if placement.introduction:
                    raise PlacementError(gettext(
                            'sakai_jobs.msg_placement_delete',
                            placement=placement.rec_name))

    @classmethod
    def copy(cls, placements, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('introduction', None)
        default.setdefault('origin', 'elsewhere')
        default.setdefault('end_date', None)
        default.setdefault('end_reason', None)
        return super().copy(placements, default=default)
