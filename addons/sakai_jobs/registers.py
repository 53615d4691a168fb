# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The registers a licensed placement business keeps (職業安定法施行規則
第24条の8: 求職管理簿, 求人管理簿, and the record of its introductions)
and the figures it publishes (人材サービス総合サイト), read from the
records themselves: there is no second ledger to keep.

- A register holds the entries received in the period: job seekers by the
  day they first asked for an introduction (``job_seeker_since``), job
  orders by the day they were received (``received_on``), introductions by
  the day they were proposed (``proposed_on``).  Each entry shows what
  happened to it since, up to today.
- The figures are per fiscal year (April to March) of the placements'
  start dates: see ``figures``.
"""
import datetime as dt

from sql import Cast
from sql.aggregate import Max, Min
from sql.conditionals import Case
from sql.functions import Extract

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from sakai_counseling.party import EMPLOYMENT_WISH
from sakai_programme.programme import to_local, utcnow

from .introduction import OPEN_STAGES
from .job_order import EMPLOYMENT_TYPES, SOURCES, WAGE_TYPES
from .placement import add_months

# The fiscal year starts on the first of April
FISCAL_YEAR_MONTH = 4


class RegisterError(UserError):
    pass


def today():
    return Pool().get('ir.date').today()


def fiscal_year(date):
    "The fiscal year (its starting calendar year) date falls in"
    return date.year if date.month >= FISCAL_YEAR_MONTH else date.year - 1


def fiscal_year_dates(year):
    "The first and last day of the fiscal year starting in year"
    start = dt.date(year, FISCAL_YEAR_MONTH, 1)
    return start, add_months(start, 12) - dt.timedelta(days=1)


def check_dates(from_date, to_date):
    if not from_date or not to_date or from_date > to_date:
        raise RegisterError(gettext('sakai_jobs.msg_register_dates',
                from_date=from_date.strftime('%Y/%m/%d') if from_date else '-',
                to_date=to_date.strftime('%Y/%m/%d') if to_date else '-'))


def context_dates():
    "The period of the context (the register's form), this fiscal year else"
    context = Transaction().context
    start, end = fiscal_year_dates(fiscal_year(today()))
    return (context.get('from_date') or start, context.get('to_date') or end)


def fmt(date):
    return date.strftime('%Y/%m/%d') if date else ''


def selection_label(Model, field, value):
    "The label of value in the user's language"
    return dict(Model.fields_get([field])[field]['selection']).get(
        value, value or '')


class RegisterContext(ModelView):
    "The period a register or its print covers"
    __name__ = 'job.register.context'
    __string__ = "Placement Business Registers"

    from_date = fields.Date("From", required=True,
        domain=[('from_date', '<=', Eval('to_date', None))])
    to_date = fields.Date("To", required=True,
        domain=[('to_date', '>=', Eval('from_date', None))])

    @classmethod
    def default_from_date(cls):
        return Transaction().context.get('from_date') or fiscal_year_dates(
            fiscal_year(today()))[0]

    @classmethod
    def default_to_date(cls):
        return Transaction().context.get('to_date') or fiscal_year_dates(
            fiscal_year(today()))[1]


class RegisterMixin:
    "A register read from the records: one row per record of table"
    __slots__ = ()

    @classmethod
    def _columns(cls, table):
        return [
            table.id.as_('id'),
            table.create_uid.as_('create_uid'),
            table.create_date.as_('create_date'),
            table.write_uid.as_('write_uid'),
            table.write_date.as_('write_date'),
            ]


class SeekerRegister(RegisterMixin, ModelSQL, ModelView):
    "求職管理簿: the clients who asked the service for a job introduction"
    __name__ = 'job.register.seeker'
    __string__ = "Job Seeker Register"

    received_on = fields.Date("Received On",
        help="The day the person first asked for a job introduction.")
    client = fields.Many2One('party.party', "Client")
    wish = fields.Selection(EMPLOYMENT_WISH, "Wish", sort=False)
    introductions = fields.Function(fields.Char("Introductions"),
        'get_summaries')
    placements = fields.Function(fields.Char("Placement"), 'get_summaries')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('received_on', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Party = Pool().get('party.party')
        party = Party.__table__()
        start, end = context_dates()
        return party.select(*cls._columns(party),
            party.job_seeker_since.as_('received_on'),
            party.id.as_('client'),
            party.employment_wish.as_('wish'),
            where=(party.job_seeker_since >= start)
            & (party.job_seeker_since <= end))

    @classmethod
    def get_summaries(cls, registers, names):
        Register = Pool().get('job.register', type='report')
        result = {n: {} for n in names}
        for register in registers:
            client = register.client
            if 'introductions' in names:
                result['introductions'][register.id] = '; '.join(
                    '%(number)s %(job)s (%(employer)s): %(stage)s %(date)s'
                    % i for i in Register.seeker_introductions(client))
            if 'placements' in names:
                result['placements'][register.id] = '; '.join(
                    '%(number)s %(employer)s %(job)s %(start)s%(origin)s'
                    % p for p in Register.seeker_placements(client))
        return result


class OrderRegister(RegisterMixin, ModelSQL, ModelView):
    "求人管理簿: the job orders received"
    __name__ = 'job.register.order'
    __string__ = "Job Order Register"

    received_on = fields.Date("Received On")
    number = fields.Char("Number")
    job_order = fields.Many2One('job.order', "Job Order")
    employer = fields.Many2One('party.party', "Employer")
    title = fields.Char("Job Title")
    employment_type = fields.Selection(EMPLOYMENT_TYPES, "Employment Type",
        sort=False)
    positions = fields.Integer("Positions")
    location = fields.Char("Work Location")
    wage_type = fields.Selection(WAGE_TYPES, "Wage Type", sort=False)
    wage_min = fields.Integer("Minimum Wage (Yen)")
    wage_max = fields.Integer("Maximum Wage (Yen)")
    valid_until = fields.Date("Valid Until")
    source = fields.Selection(SOURCES, "Source", sort=False)
    source_reference = fields.Char("Listing Reference")
    introduced = fields.Function(fields.Integer("Introduced"), 'get_counts')
    placed = fields.Function(fields.Integer("Placed"), 'get_counts')
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "Open"),
            ('filled', "Filled"),
            ('closed', "Closed"),
            ], "State", sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('received_on', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        JobOrder = Pool().get('job.order')
        order = JobOrder.__table__()
        start, end = context_dates()
        return order.select(*cls._columns(order),
            order.received_on.as_('received_on'),
            order.number.as_('number'),
            order.id.as_('job_order'),
            order.employer.as_('employer'),
            order.title.as_('title'),
            order.employment_type.as_('employment_type'),
            order.positions.as_('positions'),
            order.location.as_('location'),
            order.wage_type.as_('wage_type'),
            order.wage_min.as_('wage_min'),
            order.wage_max.as_('wage_max'),
            order.valid_until.as_('valid_until'),
            order.source.as_('source'),
            order.source_reference.as_('source_reference'),
            order.state.as_('state'),
            where=(order.received_on >= start) & (order.received_on <= end)
            & (order.state != 'draft'))

    @classmethod
    def get_counts(cls, registers, names):
        pool = Pool()
        Introduction = pool.get('job.introduction')
        Placement = pool.get('job.placement')
        ids = [r.id for r in registers]
        result = {n: {i: 0 for i in ids} for n in names}
        if 'introduced' in names:
            for introduction in Introduction.search(
                    [('job_order', 'in', ids)]):
                result['introduced'][introduction.job_order.id] += 1
        if 'placed' in names:
            for placement in Placement.search([('job_order', 'in', ids)]):
                result['placed'][placement.job_order.id] += 1
        return result


class Figures(ModelSQL, ModelView):
    """The figures a placement business publishes, per fiscal year:
    see Register.figures for the rules"""
    __name__ = 'job.register.figures'
    __string__ = "Placement Figures"

    fiscal_year = fields.Integer("Fiscal Year")
    from_date = fields.Function(fields.Date("From"), 'get_figures')
    to_date = fields.Function(fields.Date("To"), 'get_figures')
    placements = fields.Function(fields.Integer("Placements",
            help="People placed through the service's introduction "
            "(就職者数)."), 'get_figures')
    permanent = fields.Function(fields.Integer("Permanent",
            help="Of them, with a contract without fixed term (無期雇用)."),
        'get_figures')
    left_within_six_months = fields.Function(fields.Integer(
            "Left within Six Months",
            help="Of the permanent, those who left within six months of "
            "their start, dismissals excepted."), 'get_figures')
    six_months_not_over = fields.Function(fields.Integer(
            "Six Months Not Over",
            help="Of the permanent, those still in work whose six months "
            "are not over yet: not known today."), 'get_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('fiscal_year', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        Placement = Pool().get('job.placement')
        placement = Placement.__table__()
        # EXTRACT gives a number with decimals on PostgreSQL
        year = Cast(Extract('YEAR', placement.start_date)
            - Case((Extract('MONTH', placement.start_date)
                    < FISCAL_YEAR_MONTH, 1), else_=0), 'INTEGER')
        years = placement.select(
            year.as_('fiscal_year'),
            placement.create_uid.as_('create_uid'),
            placement.create_date.as_('create_date'),
            where=placement.origin == 'introduction')
        return years.select(
            years.fiscal_year.as_('id'),
            years.fiscal_year.as_('fiscal_year'),
            Min(years.create_uid).as_('create_uid'),
            Min(years.create_date).as_('create_date'),
            Max(years.create_uid).as_('write_uid'),
            Max(years.create_date).as_('write_date'),
            group_by=[years.fiscal_year])

    def get_rec_name(self, name):
        return str(self.fiscal_year)

    @classmethod
    def get_figures(cls, records, names):
        Register = Pool().get('job.register', type='report')
        result = {n: {} for n in names}
        for record in records:
            start, end = fiscal_year_dates(record.fiscal_year)
            figures = Register.figures(start, end)
            figures.update(from_date=start, to_date=end)
            for name in names:
                result[name][record.id] = figures[name]
        return result


class RegisterPrint(Wizard):
    "Print the registers of a period"
    __name__ = 'job.register.print'
    __string__ = "Print Placement Business Registers"

    start = StateView('job.register.context',
        'sakai_jobs.register_context_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('job.register')

    def do_print_(self, action):
        check_dates(self.start.from_date, self.start.to_date)
        return action, {
            'from_date': self.start.from_date.isoformat(),
            'to_date': self.start.to_date.isoformat(),
            }


class Register(Report):
    "The registers of a period, ready to print (A4 landscape)"
    __name__ = 'job.register'

    @classmethod
    def period(cls, data):
        data = data or {}
        try:
            start = dt.date.fromisoformat(data['from_date'])
            end = dt.date.fromisoformat(data['to_date'])
        except (KeyError, TypeError, ValueError):
            start, end = fiscal_year_dates(fiscal_year(today()))
        check_dates(start, end)
        return start, end

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('support.programme')
        context = super().get_context(records, header, data)
        start, end = cls.period(data)
        company = Company.get_company()
        context.update({
                'from_date': fmt(start),
                'to_date': fmt(end),
                'printed_at': to_local(utcnow()).strftime('%Y/%m/%d %H:%M'),
                'operator': company.rec_name if company else '',
                'seekers': cls.seekers(start, end),
                'orders': cls.orders(start, end),
                'introductions': cls.introductions(start, end),
                'figures': [dict(cls.figures(*fiscal_year_dates(y)),
                        fiscal_year=y,
                        from_date=fmt(fiscal_year_dates(y)[0]),
                        to_date=fmt(fiscal_year_dates(y)[1]))
                    for y in range(fiscal_year(start), fiscal_year(end) + 1)],
                })
        return context

    # The registers

    @classmethod
    def seekers(cls, start, end):
        "The job seeker register: clients received from start to end"
        Seeker = Pool().get('job.register.seeker')
        with Transaction().set_context(from_date=start, to_date=end):
            registers = Seeker.search([])
        wish = {k: v for k, v in Seeker.fields_get(['wish'])['wish'][
                'selection']}
        return [{
                'received_on': fmt(r.received_on),
                'client': r.client.rec_name,
                'wish': wish.get(r.wish, '') if r.wish else '',
                'introductions': cls.seeker_introductions(r.client),
                'placements': cls.seeker_placements(r.client),
                } for r in registers]

    @classmethod
    def seeker_introductions(cls, client):
        Introduction = Pool().get('job.introduction')
        introductions = Introduction.search([('client', '=', client.id)],
            order=[('proposed_on', 'ASC'), ('id', 'ASC')])
        return [{
                'number': i.number or '',
                'job': i.job_order.title,
                'employer': i.job_order.employer.rec_name,
                'stage': selection_label(Introduction, 'state', i.state),
                'date': fmt(cls.stage_date(i)),
                } for i in introductions]

    @classmethod
    def seeker_placements(cls, client):
        Placement = Pool().get('job.placement')
        placements = Placement.search([('client', '=', client.id)],
            order=[('start_date', 'ASC'), ('id', 'ASC')])
        elsewhere = selection_label(Placement, 'origin', 'elsewhere')
        return [{
                'number': p.number or '',
                'employer': (p.employer.rec_name if p.employer
                    else p.employer_name or ''),
                'job': p.job_title or '',
                'start': fmt(p.start_date),
                'origin': (' (%s)' % elsewhere
                    if p.origin == 'elsewhere' else ''),
                } for p in placements]

    @staticmethod
    def stage_date(introduction):
        "The day the introduction reached its stage"
        if introduction.state == 'interview' and introduction.interview_at:
            return to_local(introduction.interview_at).date()
        return getattr(introduction, {
                'proposed': 'proposed_on',
                'interested': 'interested_on',
                'applied': 'applied_on',
                'interview': 'applied_on',
                'offer': 'offer_on',
                'placed': 'placed_on',
                'ended': 'ended_on',
                }[introduction.state])

    @classmethod
    def orders(cls, start, end):
        "The job order register: job orders received from start to end"
        Order = Pool().get('job.register.order')
        with Transaction().set_context(from_date=start, to_date=end):
            registers = Order.search([])
        labels = {name: dict(Order.fields_get([name])[name]['selection'])
            for name in ['employment_type', 'source', 'state', 'wage_type']}
        return [{
                'received_on': fmt(r.received_on),
                'number': r.number or '',
                'employer': r.employer.rec_name,
                'title': r.title,
                'employment_type': labels['employment_type'].get(
                    r.employment_type, ''),
                'positions': r.positions,
                'location': r.location or '',
                'wage_type': labels['wage_type'].get(r.wage_type, ''),
                'wage': '–'.join('{:,}'.format(w)
                    for w in [r.wage_min, r.wage_max] if w),
                'valid_until': fmt(r.valid_until),
                'source': labels['source'].get(r.source, ''),
                'source_reference': r.source_reference or '',
                'introduced': r.introduced,
                'placed': r.placed,
                'state': labels['state'].get(r.state, ''),
                } for r in registers]

    @classmethod
    def introductions_domain(cls, start, end):
        "The introductions proposed from start to end"
        return [
            ('proposed_on', '>=', start),
            ('proposed_on', '<=', end),
            ]

    @classmethod
    def introductions(cls, start, end):
        "The introduction register: introductions proposed start to end"
        Introduction = Pool().get('job.introduction')
        introductions = Introduction.search(
            cls.introductions_domain(start, end),
            order=[('proposed_on', 'ASC'), ('id', 'ASC')])
        result = []
        for i in introductions:
            if i.state == 'ended':
                outcome = selection_label(
                    Introduction, 'end_reason', i.end_reason)
            elif i.state == 'placed':
                outcome = selection_label(Introduction, 'state', 'placed')
            else:
                outcome = ''
            result.append({
                    'number': i.number or '',
                    'proposed_on': fmt(i.proposed_on),
                    'client': i.client.rec_name,
                    'employer': i.job_order.employer.rec_name,
                    'job': i.job_order.title,
                    'job_number': i.job_order.number or '',
                    'interested_on': fmt(i.interested_on),
                    'applied_on': fmt(i.applied_on),
                    'interview_on': fmt(to_local(i.interview_at).date()
                        if i.interview_at else None),
                    'offer_on': fmt(i.offer_on),
                    'placed_on': fmt(i.placed_on),
                    'ended_on': fmt(i.ended_on),
                    'stage': selection_label(Introduction, 'state', i.state),
                    'open': i.state in OPEN_STAGES,
                    'outcome': outcome,
                    'coordinator': (i.coordinator.rec_name
                        if i.coordinator else ''),
                    })
        return result

    # The figures

    @classmethod
    def left_within_six_months(cls, placement):
        """Whether the permanent placement ended within six months, as the
        placement business reports it (職業安定法施行規則 第24条の8:
        無期雇用就職者のうち6か月以内に離職した者, 解雇を除く).

        The six months run from the start date up to the day before the
        same day six months later (``Placement.six_months_on``): a person
        starting on 1 April whose last day of work (``end_date``) is 30
        September or earlier left within six months; one whose last day is
        1 October or later stayed six months.  A dismissal
        (end_reason 'dismissed') is not counted."""
        return bool(placement.end_date
            and placement.end_date < placement.six_months_on
            and placement.end_reason != 'dismissed')

    @classmethod
    def six_months_not_over(cls, placement, on=None):
        """Whether the outcome of the permanent placement is not known yet:
        still in work (no end date) and its six months not over on the
        day (today by default)"""
        on = on or today()
        return (not placement.end_date and on < placement.six_months_on)

    @classmethod
    def figures(cls, start, end):
        """The figures published for the placements starting from start to
        end (the fiscal year): placements through the service's
        introduction (``Placement.placements_domain`` and origin
        'introduction'), of them permanent (``permanent``: 無期雇用), of
        those the ones who left within six months
        (``left_within_six_months``) and the ones whose six months are not
        over (``six_months_not_over``), shown apart because their outcome
        is not known yet."""
        Placement = Pool().get('job.placement')
        placements = Placement.search(
            Placement.placements_domain(start, end)
            + [('origin', '=', 'introduction')])
        permanent = [p for p in placements if p.permanent]
        return {
            'placements': len(placements),
            'permanent': len(permanent),
            'left_within_six_months': len(
                [p for p in permanent if cls.left_within_six_months(p)]),
            'six_months_not_over': len(
                [p for p in permanent if cls.six_months_not_over(p)]),
            }
