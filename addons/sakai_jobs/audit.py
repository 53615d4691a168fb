# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Job orders in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'job.order': "employers' job orders; employers are not clients",
                })
        return models
