# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Employers: parties who offer jobs, and how they were developed."""
from trytond.model import fields
from trytond.pool import PoolMeta
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
    employer_note = fields.Text("Employer Notes",
        states={'invisible': ~Eval('is_employer', False)})
    job_orders = fields.One2Many('job.order', 'employer', "Job Orders",
        states={'invisible': ~Eval('is_employer', False)})

    @classmethod
    def default_is_employer(cls):
        return bool(Transaction().context.get('employer'))

    @classmethod
    def default_single_parent_friendly(cls):
        return False
