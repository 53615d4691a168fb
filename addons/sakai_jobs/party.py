# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Employers: parties who offer jobs, and how they were developed; clients:
their job introductions and placements."""
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

INDUSTRIES = [
    (None, ""),
    ('care', "Medical Care and Welfare"),
    ('retail', "Retail and Wholesale"),
    ('food', "Food Service and Hospitality"),
    ('manufacturing', "Manufacturing"),
    ('office', "Office and IT"),
    ('logistics', "Logistics"),
    ('education', "Education and Childcare"),
    ('construction', "Construction and Real Estate"),
    ('public', "Public Sector"),
    ('other', "Other"),
    ]


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    is_employer = fields.Boolean("Employer",
        help="Check if the party offers jobs to clients.")
    industry = fields.Selection(INDUSTRIES, "Industry", sort=False,
        states={'invisible': ~Eval('is_employer', False)})
    employees = fields.Integer("Employees",
        domain=[('employees', '>=', 0)],
        states={'invisible': ~Eval('is_employer', False)})
    developed_by = fields.Many2One('res.user', "Developed By",
        domain=[('groups', '=', Id('sakai_programme', 'group_coordinator'))],
        states={'invisible': ~Eval('is_employer', False)},
        help="The coordinator who developed the employer.")
    developed_on = fields.Date("Developed On",
        states={'invisible': ~Eval('is_employer', False)},
        help="The day the employer agreed to offer jobs through the service.")
    single_parent_friendly = fields.Boolean("Understands Single Parents",
        states={'invisible': ~Eval('is_employer', False)},
        help="The employer accommodates school events, sick children "
        "and short hours.")
    location_kind = fields.Selection([
            (None, ""),
            ('in_city', "In the City"),
            ('commuting', "Within Commuting Distance"),
            ('outside', "Outside Commuting Distance"),
            ], "Where", sort=False,
        states={'invisible': ~Eval('is_employer', False)},
        help="Employers in the city are preferred; those within commuting "
        "distance of the city are developed too.")
    employer_note = fields.Text("Employer Notes",
        states={'invisible': ~Eval('is_employer', False)})
    job_orders = fields.One2Many('job.order', 'employer', "Job Orders",
        states={'invisible': ~Eval('is_employer', False)})
    development_contacts = fields.One2Many('job.development.contact',
        'employer', "Development Log",
        states={'invisible': ~Eval('is_employer', False)})
    employer_introductions = fields.Function(fields.Many2Many(
            'job.introduction', None, None, "Introductions",
            states={'invisible': ~Eval('is_employer', False)}),
        'get_employer_introductions')
    employer_placements = fields.One2Many('job.placement', 'employer',
        "Placements", readonly=True,
        states={'invisible': ~Eval('is_employer', False)})
    job_seeker_since = fields.Date("Job Seeker Since",
        states={'invisible': ~Eval('is_client', False)},
        help="The day the person first asked the service for a job "
        "introduction (求職受付日), as the job seeker register keeps it.")
    introductions = fields.One2Many('job.introduction', 'client',
        "Job Introductions", readonly=True,
        states={'invisible': ~Eval('is_client', False)})
    placements = fields.One2Many('job.placement', 'client', "Placements",
        states={'invisible': ~Eval('is_client', False)})
    application_supports = fields.One2Many('job.application.support',
        'client', "Application Support",
        states={'invisible': ~Eval('is_client', False)})

    @classmethod
    def default_is_employer(cls):
        return bool(Transaction().context.get('employer'))

    @classmethod
    def default_single_parent_friendly(cls):
        return False

    @classmethod
    def get_employer_introductions(cls, parties, name):
        Introduction = Pool().get('job.introduction')
        result = {p.id: [] for p in parties}
        for introduction in Introduction.search([
                    ('job_order.employer', 'in', [p.id for p in parties]),
                    ]):
            result[introduction.job_order.employer.id].append(
                introduction.id)
        return result

    @classmethod
    def mark_job_seekers(cls, clients):
        "Clients asking for an introduction become job seekers today"
        today = Pool().get('ir.date').today()
        clients = [c for c in set(clients) if not c.job_seeker_since]
        if clients:
            # Whoever proposes (a coordinator reads the client's file but
            # does not write it): the register's date is the system's
            with Transaction().set_context(_check_access=False):
                cls.write(clients, {'job_seeker_since': today})

    def may_be_introduced(self):
        "Whether a counseling record marks the client's direction clear"
        Record = Pool().get('counseling.record')
        return Record.direction_clear_for(client=self)

    @classmethod
    def developed_employers_domain(cls, start, end):
        "Employers developed from start to end (see development.py)"
        return [
            ('is_employer', '=', True),
            ('developed_on', '>=', start),
            ('developed_on', '<=', end),
            ]

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        for name in ['development_contacts', 'employer_placements',
                'job_seeker_since', 'introductions', 'placements',
                'application_supports']:
            default.setdefault(name, None)
        return super().copy(parties, default=default)
