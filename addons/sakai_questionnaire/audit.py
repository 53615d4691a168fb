# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Answers to questionnaires in the audit log (see sakai_audit)"
from trytond.pool import PoolMeta


class AuditLog(metaclass=PoolMeta):
    __name__ = 'audit.log'

    @classmethod
    def personal_models(cls):
        return super().personal_models() | {
                'questionnaire.response',
                'questionnaire.response.answer',
                'questionnaire.response.answer-choice',
                'questionnaire.response.score',
                }

    @classmethod
    def exempt_models(cls):
        models = super().exempt_models()
        models.update({
                'questionnaire.campaign': "campaign definitions, no person",
                'questionnaire.tally.choice': "aggregated counts, no person",
                'questionnaire.tally.question': "aggregated counts, no person",
                })
        return models
