# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Feedback to the employer after placement (Sakai 7(2)④(カ)).

For a job at an employer the service developed (sakai_jobs development.py:
an employer with a ``developed_on`` day), a coordinator may tell the
employer how the person is doing — only with the person's current consent
to feedback to employers (consent ledger, purpose ``employer_feedback``;
a withdrawn consent blocks it), and records what was said and what the
person was told about it.  The rule holds whoever calls: it is checked when
the record is written.
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import clock
from .exceptions import FeedbackError
from .follow_up import METHODS

PURPOSE = 'employer_feedback'


class EmployerFeedback(ModelSQL, ModelView):
    __name__ = 'job.employer.feedback'
    __string__ = "Employer Feedback"

    placement = fields.Many2One('job.placement', "Placement", required=True,
        ondelete='CASCADE', states={'readonly': Eval('id', -1) >= 0})
    client = fields.Many2One('party.party', "Client", readonly=True,
        ondelete='CASCADE')
    employer = fields.Many2One('party.party', "Employer", readonly=True,
        ondelete='RESTRICT')
    given_on = fields.Date("Given On", required=True)
    coordinator = fields.Many2One('res.user', "Coordinator", readonly=True)
    method = fields.Selection(METHODS, "Method", required=True, sort=False)
    content = fields.Text("What the Employer Was Told", required=True)
    told_to_person = fields.Text("What the Person Was Told", required=True,
        help="What was explained to the person before: what is shared "
        "with the employer and why.")
    consent = fields.Many2One('party.consent', "Consent", readonly=True,
        ondelete='RESTRICT',
        help="The line of the consent ledger in force when the feedback "
        "was recorded.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('given_on', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_given_on(cls):
        return clock.today()

    @classmethod
    def default_method(cls):
        return 'phone'

    @classmethod
    def create(cls, vlist):
        Placement = Pool().get('job.placement')
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            placement = Placement(values['placement'])
            values['client'] = placement.client.id
            values['employer'] = (placement.employer.id
                if placement.employer else None)
            values['coordinator'] = Transaction().user
            values['consent'] = cls.consent_in_force(placement)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        args = [a if i % 2 == 0 else dict(a) for i, a in enumerate(args)]
        actions = iter(args)
        for feedbacks, values in zip(actions, actions):
            # Who gave it, to whom and under which consent stay as recorded
            for name in ['client', 'employer', 'coordinator', 'consent',
                    'placement']:
                values.pop(name, None)
            if {'content', 'given_on'} & set(values):
                for feedback in feedbacks:
                    cls.consent_in_force(feedback.placement)
        super().write(*args)

    @staticmethod
    def consent_in_force(placement):
        """The consent line that allows feedback on placement, or a clear
        error: the employer was not developed by the service, or the
        person's consent is missing or withdrawn"""
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        employer = placement.employer
        if not employer or not employer.developed_on:
            raise FeedbackError(gettext(
                    'sakai_retention.msg_feedback_not_developed',
                    employer=(employer.rec_name if employer
                        else placement.employer_name or '')))
        purpose = Purpose.get(PURPOSE)
        line = Consent.current(placement.client, purpose) if purpose else None
        if not line or line.action != 'given':
            raise FeedbackError(gettext(
                    'sakai_retention.msg_feedback_no_consent',
                    client=placement.client.rec_name,
                    withdrawn=gettext(
                        'sakai_retention.msg_feedback_withdrawn')
                    if line else ''))
        return line.id
