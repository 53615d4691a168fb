# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Follow-ups, job changes and employer feedback in the audit log"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def personal_models(cls):
        return super().personal_models() | {
                'job.follow_up',
                'job.change',
                'job.employer.feedback',
                }

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'job.follow_up.milestone': (
                    "the programme's follow-up milestones"),
                'job.retention.cohort': (
                    "figures per month of start; no person is named"),
                })
        return models
