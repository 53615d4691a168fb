# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Retention figures per month of start (cohorts).

The placements starting in month M (first hires only: a job change within a
month is counted under the first placement, see placement.py) and how many
of them the records show still in work one, three and six months after
their start, with their six-month retention: retained, left, unknown (work
to do, never counted as retained) and not yet.  A figure whose day has not
come for any placement of the month is left empty.  Managers read these
figures, not the follow-ups' notes.
"""
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Cast
from sql.aggregate import Max, Min
from sql.functions import Extract

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import clock

FIGURES = ['placements', 'in_work_1', 'in_work_3', 'in_work_6',
    'retained', 'left', 'unknown', 'not_yet']


class RetentionContext(ModelView):
    "The months the retention figures cover"
    __name__ = 'job.retention.context'
    __string__ = "Retention Figures"

    from_date = fields.Date("From", required=True,
        domain=[('from_date', '<=', Eval('to_date', None))])
    to_date = fields.Date("To", required=True,
        domain=[('to_date', '>=', Eval('from_date', None))])

    @classmethod
    def default_from_date(cls):
        return (Transaction().context.get('from_date')
            or (clock.today() - relativedelta(months=12)).replace(day=1))

    @classmethod
    def default_to_date(cls):
        return Transaction().context.get('to_date') or clock.today()


class Cohort(ModelSQL, ModelView):
    __name__ = 'job.retention.cohort'
    __string__ = "Retention by Month of Start"

    month = fields.Function(fields.Char("Month of Start"), 'get_month')
    year_month = fields.Integer("Year and Month")
    placements = fields.Function(fields.Integer("Placements",
            help="First hires starting in the month."), 'get_figures')
    in_work_1 = fields.Function(fields.Integer("In Work at 1 Month"),
        'get_figures')
    in_work_3 = fields.Function(fields.Integer("In Work at 3 Months"),
        'get_figures')
    in_work_6 = fields.Function(fields.Integer("In Work at 6 Months"),
        'get_figures')
    retained = fields.Function(fields.Integer("Retained",
            help="Six continuous months in work, shown by the records."),
        'get_figures')
    left = fields.Function(fields.Integer("Left"), 'get_figures')
    unknown = fields.Function(fields.Integer("Unknown",
            help="Six months over but no record shows the person in work: "
            "follow up. Never counted as retained."), 'get_figures')
    not_yet = fields.Function(fields.Integer("Not Yet"), 'get_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('year_month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        Placement = Pool().get('job.placement')
        placement = Placement.__table__()
        context = Transaction().context
        # EXTRACT gives a number with decimals on PostgreSQL
        key = Cast(Extract('YEAR', placement.start_date) * 100
            + Extract('MONTH', placement.start_date), 'INTEGER')
        where = placement.id > 0
        if context.get('from_date'):
            where &= placement.start_date >= context['from_date']
        if context.get('to_date'):
            where &= placement.start_date <= context['to_date']
        months = placement.select(
            key.as_('year_month'),
            placement.create_uid.as_('create_uid'),
            placement.create_date.as_('create_date'),
            where=where)
        return months.select(
            months.year_month.as_('id'),
            months.year_month.as_('year_month'),
            Min(months.create_uid).as_('create_uid'),
            Min(months.create_date).as_('create_date'),
            Max(months.create_uid).as_('write_uid'),
            Max(months.create_date).as_('write_date'),
            group_by=[months.year_month])

    @classmethod
    def get_figures(cls, cohorts, names):
        result = {n: {} for n in names}
        # Managers read the figures, not the placements they come from
        with without_check_access():
            figures_of = {c.id: cls.figures(c.year_month) for c in cohorts}
        for cohort in cohorts:
            figures = figures_of[cohort.id]
            for name in names:
                result[name][cohort.id] = figures.get(name)
        return result

    def get_rec_name(self, name):
        return self.month

    def get_month(self, name):
        return '%04d-%02d' % divmod(self.year_month, 100)

    @classmethod
    def figures(cls, year_month, on=None):
        """The figures of the placements starting in the month
        (year * 100 + month) as the records show them on the day"""
        Placement = Pool().get('job.placement')
        on = on or clock.today()
        year, month = divmod(year_month, 100)
        start = dt.date(year, month, 1)
        end = start + relativedelta(months=1, days=-1)
        placements = [p for p in Placement.search([
                    ('start_date', '>=', start),
                    ('start_date', '<=', end),
                    ]) if not p.previous_in_chain()]
        figures = dict.fromkeys(FIGURES, 0)
        figures['placements'] = len(placements)
        reached = dict.fromkeys([1, 3, 6], False)
        for placement in placements:
            chain = placement.chain()
            for months in [1, 3, 6]:
                day = placement.start_date + relativedelta(months=months)
                if day <= on:
                    reached[months] = True
                    if placement.in_work_on(day, chain):
                        figures['in_work_%d' % months] += 1
            figures[placement.get_retention(on=on)] += 1
        for months, seen in reached.items():
            if not seen:
                figures['in_work_%d' % months] = None
        return figures
