# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Job introductions and placements in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def personal_models(cls):
        return super().personal_models() | {
                'job.introduction',
                'job.introduction.stage',
                'job.application.support',
                'job.placement',
                'job.register.seeker',
                }

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'job.order': (
                    "employers' job orders; employers are not clients"),
                'job.development.contact': (
                    "contacts with employers; no client is named"),
                'job.development.contact-job.subsidy': (
                    "subsidies explained to an employer"),
                'job.subsidy': "the list of subsidies",
                'job.register.order': (
                    "the job order register; employers are not clients"),
                })
        return models
