# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Inquiries in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def personal_models(cls):
        return super().personal_models() | {
                'line.inquiry',
                'line.inquiry.message',
                'line.inquiry-line.inquiry.label',
                }

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'line.inquiry.monthly': "aggregated counts, no person",
                })
        return models
