# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Employer development (求人開拓, Sakai 7(2)③): the coordinators' log of
contacts with employers, the advice given on workplaces that suit single
parents and women, and the subsidies explained.

What the monthly report counts as developed is defined once, here:

- **an employer developed** (開拓事業所) in a period is an employer whose
  ``developed_on`` — the day it first agreed to offer jobs through the
  service — falls in the period; an employer counts once, in that month;
- **a job order developed** (求人開拓件数, one 件 per job order) is a job
  order of ``source`` "developed by the service" whose ``received_on``
  falls in the period, whoever the employer; job orders taken from Hello
  Work or other public listings are offered to clients too but are not
  development.
"""
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

from sakai_programme.programme import search_any

CONTACT_KINDS = [
    ('visit', "Visit"),
    ('phone', "Phone"),
    ('online', "Online Meeting"),
    ('email', "Email"),
    ('event', "Event or Fair"),
    ]
OUTCOMES = [
    (None, ""),
    ('interested', "Interested"),
    ('agreed', "Agreed to Offer Jobs"),
    ('job_order', "Job Order Received"),
    ('not_now', "Not Now"),
    ('declined', "Declined"),
    ]


class Subsidy(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'job.subsidy'
    __string__ = "Subsidy"

    name = fields.Char("Name", required=True)
    grantor = fields.Char("Granted By", required=True,
        help="Who grants it: the ministry, the prefecture, the city.")
    hire_kind = fields.Text("For",
        help="The hires and workplace measures it supports.")
    amount = fields.Char("Amount",
        help="As the grantor publishes it, e.g. up to 600,000 yen per "
        "person.")
    url = fields.Char("Web Page")
    note = fields.Text("Notes for Coordinators",
        help="Conditions to check, how to apply, whom to ask.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['name', 'grantor', 'hire_kind'])


class Contact(ModelSQL, ModelView):
    __name__ = 'job.development.contact'
    __string__ = "Employer Development Contact"

    employer = fields.Many2One('party.party', "Employer", required=True,
        ondelete='CASCADE', domain=[('is_employer', '=', True)])
    date = fields.Date("Date", required=True)
    kind = fields.Selection(CONTACT_KINDS, "Kind", required=True,
        sort=False)
    coordinator = fields.Many2One('res.user', "Coordinator", required=True,
        domain=[('groups', '=', Id('sakai_programme', 'group_coordinator'))])
    employer_contact = fields.Char("Spoke With",
        help="The employer's person, e.g. the head of human resources.")
    summary = fields.Text("What Was Discussed", required=True)
    advice = fields.Text("Advice on the Workplace",
        help="Advice given on work and workplaces that suit single parents "
        "and women: hours, leave for a sick child, school events, "
        "short-hours full-time posts.")
    subsidies = fields.Many2Many('job.development.contact-job.subsidy',
        'contact', 'subsidy', "Subsidies Explained")
    outcome = fields.Selection(OUTCOMES, "Outcome", sort=False)
    next_step = fields.Char("Next Step")
    next_date = fields.Date("Next Step On",
        domain=['OR',
            ('next_date', '=', None),
            ('next_date', '>=', Eval('date', None)),
            ])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_kind(cls):
        return 'visit'

    @classmethod
    def default_coordinator(cls):
        return Transaction().user

    def get_rec_name(self, name):
        return '%s %s' % (self.employer.rec_name,
            self.date.strftime('%Y/%m/%d'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['employer.rec_name', 'summary'])

    @classmethod
    def create(cls, vlist):
        contacts = super().create(vlist)
        cls.mark_developed(contacts)
        return contacts

    @classmethod
    def write(cls, *args):
        super().write(*args)
        cls.mark_developed(sum(args[::2], []))

    @classmethod
    def mark_developed(cls, contacts):
        """An employer who agreed (or gave a job order) is developed on the
        first such contact, by its coordinator"""
        Party = Pool().get('party.party')
        to_write = []
        for contact in cls.browse(contacts):
            employer = contact.employer
            if (contact.outcome in {'agreed', 'job_order'}
                    and (not employer.developed_on
                        or employer.developed_on > contact.date)):
                to_write.extend([[employer], {
                            'developed_on': contact.date,
                            'developed_by': contact.coordinator.id,
                            }])
        if to_write:
            Party.write(*to_write)


class ContactSubsidy(ModelSQL):
    __name__ = 'job.development.contact-job.subsidy'
    __string__ = "Subsidy Explained"

    contact = fields.Many2One('job.development.contact', "Contact",
        required=True, ondelete='CASCADE')
    subsidy = fields.Many2One('job.subsidy', "Subsidy", required=True,
        ondelete='RESTRICT')
