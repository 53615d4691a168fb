# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Clients' children, bookings, records, referrals and consents in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def personal_models(cls):
        return super().personal_models() | {
                'party.party.child',
                'counseling.booking',
                'counseling.record',
                'counseling.record.step',
                'counseling.record.amendment',
                'counseling.referral',
                'party.consent',
                }

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'counseling.referral.agency': "aggregated counts per agency",
                })
        return models
