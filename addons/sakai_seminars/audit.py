# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Seminar sessions in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'seminar.session': "seminar sessions; attendees are logged via parties",
                })
        return models
