# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job orders: vacancies employers entrust to the service."""
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, Id

from .exceptions import JobOrderValidationError

# Full-time first: the order of this list is the order of the job list
EMPLOYMENT_TYPES = [
    ('full_time', "Full-time"),
    ('full_time_track', "Path to Full-time"),
    ('contract', "Contract"),
    ('part_time', "Part-time"),
    ('dispatch', "Temporary Agency"),
    ]
SOURCES = [
    ('developed', "Developed by the Service"),
    ('hello_work', "Hello Work"),
    ('public', "Other Public Listing"),
    ]
WAGE_TYPES = [
    ('monthly', "Monthly"),
    ('hourly', "Hourly"),
    ('annual', "Annual"),
    ]


def next_number(sequence):
    "The next number of this module's sequence of XML id sequence"
    pool = Pool()
    Sequence = pool.get('ir.sequence')
    ModelData = pool.get('ir.model.data')
    return Sequence(ModelData.get_id('sakai_jobs', sequence)).get()


class JobOrder(DeactivableMixin, Workflow, ModelSQL, ModelView):
    __name__ = 'job.order'
    _rec_name = 'title'

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    employer = fields.Many2One('party.party', "Employer", required=True,
        domain=[('is_employer', '=', True)], states=_states)
    title = fields.Char("Job Title", required=True, states=_states)
    source = fields.Selection(SOURCES, "Source", required=True, sort=False,
        states=_states,
        help="Developed by the Service: the service's own employer "
        "development (counted as 求人開拓). Hello Work and other public "
        "listings are offered to clients too, with their reference.")
    source_reference = fields.Char("Listing Reference",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('source') == 'developed',
            'required': Eval('source') != 'developed',
            },
        help="The listing's number, e.g. the Hello Work job number "
        "(求人番号 27010-12345678), or its web address.")
    employment_type = fields.Selection(EMPLOYMENT_TYPES, "Employment Type",
        required=True, sort=False, states=_states)
    description = fields.Text("Description", states=_states)
    location = fields.Char("Work Location", states=_states)
    wage_type = fields.Selection(WAGE_TYPES, "Wage Type", required=True,
        sort=False, states=_states)
    wage_min = fields.Integer("Minimum Wage (Yen)", required=True,
        states=_states)
    wage_max = fields.Integer("Maximum Wage (Yen)", states=_states)
    hours = fields.Char("Working Hours", states=_states,
        help="e.g. 9:00-16:00, shifts possible.")
    positions = fields.Integer("Positions", required=True, states=_states)
    short_hours = fields.Boolean("Short Hours Possible", states=_states)
    remote = fields.Boolean("Remote Work Possible", states=_states)
    no_overtime = fields.Boolean("No Overtime", states=_states)
    received_on = fields.Date("Received On", required=True, states=_states)
    valid_until = fields.Date("Valid Until",
        domain=['OR',
            ('valid_until', '=', None),
            ('valid_until', '>=', Eval('received_on', None)),
            ],
        states={'readonly': Eval('state').in_(['filled', 'closed'])})
    coordinator = fields.Many2One('res.user', "Coordinator",
        domain=[('groups', '=', Id('sakai_programme', 'group_coordinator'))])
    introductions = fields.One2Many('job.introduction', 'job_order',
        "Introductions", readonly=True)
    placements = fields.One2Many('job.placement', 'job_order',
        "Placements", readonly=True)
    placed = fields.Function(fields.Integer("Placed"), 'get_placed')
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "Open"),
            ('filled', "Filled"),
            ('closed', "Closed"),
            ], "State", required=True, readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('positions_positive', Check(t, t.positions > 0),
                'sakai_jobs.msg_job_order_positions_positive'),
            ('wage_min_positive', Check(t, t.wage_min > 0),
                'sakai_jobs.msg_job_order_wage_positive'),
            ]
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))
        cls._order = [
            ('employment_type', 'ASC'),
            ('received_on', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'open'),
            ('open', 'filled'),
            ('open', 'closed'),
            ('filled', 'open'),
            ('closed', 'open'),
            ('open', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'open': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'filled', 'closed']),
                    'depends': ['state'],
                    },
                'fill': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def order_employment_type(tables):
        "Full-time jobs come first"
        table, _ = tables[None]
        return [Case(*((table.employment_type == key, i)
                    for i, (key, _) in enumerate(EMPLOYMENT_TYPES)),
                else_=len(EMPLOYMENT_TYPES))]

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_source(cls):
        return 'developed'

    @classmethod
    def get_placed(cls, orders, name):
        Placement = Pool().get('job.placement')
        result = {o.id: 0 for o in orders}
        for placement in Placement.search([
                    ('job_order', 'in', [o.id for o in orders]),
                    ]):
            result[placement.job_order.id] += 1
        return result

    @classmethod
    def developed_domain(cls, start, end):
        "Job orders developed from start to end (see development.py)"
        return [
            ('source', '=', 'developed'),
            ('received_on', '>=', start),
            ('received_on', '<=', end),
            ]

    @classmethod
    def fill_when_placed(cls, orders):
        "Open job orders with every position placed become filled"
        full = [o for o in cls.browse(orders)
            if o.state == 'open' and o.placed >= o.positions]
        if full:
            cls.fill(full)

    @classmethod
    def close_expired(cls):
        "Scheduled: close the open job orders past their validity"
        today = Pool().get('ir.date').today()
        orders = cls.search([
                ('state', '=', 'open'),
                ('valid_until', '<', today),
                ])
        if orders:
            cls.close(orders)

    @classmethod
    def end_introductions(cls, orders):
        """End the open introductions of orders no longer open and put them
        on the coordinators' list"""
        Introduction = Pool().get('job.introduction')
        introductions = Introduction.search([
                ('job_order', 'in', [o.id for o in orders]),
                ('state', 'in', ['proposed', 'interested', 'applied',
                        'interview', 'offer']),
                ])
        ended = Introduction.end_with(introductions, 'filled')
        for introduction in ended:
            introduction.wait_for_coordinator('job_closed')
        Introduction.tell_job_closed(ended)
        return ended

    @classmethod
    def default_employment_type(cls):
        return 'full_time'

    @classmethod
    def default_wage_type(cls):
        return 'monthly'

    @classmethod
    def default_positions(cls):
        return 1

    @classmethod
    def default_received_on(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        cls.check_wages(orders, field_names)

    @classmethod
    def check_wages(cls, orders, field_names=None):
        if field_names and not (field_names & {'wage_min', 'wage_max'}):
            return
        for order in orders:
            if order.wage_max is not None and order.wage_max < order.wage_min:
                raise JobOrderValidationError(gettext(
                        'sakai_jobs.msg_job_order_wage_range',
                        order=order.rec_name,
                        wage_min=order.wage_min, wage_max=order.wage_max))

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get('number'):
                values['number'] = next_number('sequence_job_order')
        return super().create(vlist)

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('state', 'draft')
        return super().copy(orders, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('filled')
    def fill(cls, orders):
        cls.end_introductions(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, orders):
        cls.end_introductions(orders)
