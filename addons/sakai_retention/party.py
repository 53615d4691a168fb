# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"The placement's timeline (its follow-ups) on the client and the employer"
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    follow_ups = fields.One2Many('job.follow_up', 'client', "Follow-ups",
        readonly=True, order=[('due_date', 'ASC'), ('id', 'ASC')],
        states={'invisible': ~Eval('is_client', False)})
    job_changes = fields.One2Many('job.change', 'client', "Job Changes",
        readonly=True, states={'invisible': ~Eval('is_client', False)})
    employer_follow_ups = fields.One2Many('job.follow_up', 'employer',
        "Follow-ups", readonly=True,
        order=[('due_date', 'ASC'), ('id', 'ASC')],
        states={'invisible': ~Eval('is_employer', False)})
    employer_feedbacks = fields.One2Many('job.employer.feedback', 'employer',
        "Feedback Given", readonly=True,
        states={'invisible': ~Eval('is_employer', False)})

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        for name in ['follow_ups', 'job_changes', 'employer_follow_ups',
                'employer_feedbacks']:
            default.setdefault(name, None)
        return super().copy(parties, default=default)
