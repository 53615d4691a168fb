# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Recommendations in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def personal_models(cls):
        return super().personal_models() | {
                'job.recommendation',
                'job.matching.gap',
                }

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'job.matching.configuration': (
                    "the matching settings and weights; no client is named"),
                'job.matching.gap.summary': (
                    "counts of people per unmet wish; no client is named"),
                })
        return models
