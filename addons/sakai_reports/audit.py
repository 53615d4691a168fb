# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Reports in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'report.client.household': "aggregated counts, no person",
                'report.job_order.employment': "aggregated counts, no person",
                })
        return models
