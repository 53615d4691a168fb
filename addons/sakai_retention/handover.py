# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Retention in the handover bundle and in erasure (see sakai_handover)"
from trytond.pool import Pool, PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('job.follow_up.milestone', {'meaning': "定着支援の節目（設定）"}),
            ('job.follow_up', {'meaning': "定着支援（フォローアップ）"}),
            ('job.change', {'meaning': "転職支援"}),
            ('job.employer.feedback', {
                    'meaning': "企業へのフィードバック（本人の同意あり）"}),
            ]

    @classmethod
    def erasure_models(cls):
        models = super().erasure_models()
        models.update({
                'job.follow_up': {'meaning': "定着支援"},
                'job.change': {'meaning': "転職支援"},
                'job.employer.feedback': {'meaning': "企業へのフィードバック"},
                })
        return models


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        FollowUp = pool.get('job.follow_up')
        JobChange = pool.get('job.change')
        Feedback = pool.get('job.employer.feedback')
        # Dates, states and answers stay for the retention figures; what
        # the person said or was told goes
        return super().to_erase(party_id) + [
            (FollowUp, [('client', '=', party_id)], True,
                ['how_doing', 'workplace', 'wellbeing', 'childcare',
                    'employer_note', 'next_step'],
                [None] * 6),
            (JobChange, [('client', '=', party_id)], True,
                ['reason', 'note'], [None, None]),
            (Feedback, [('client', '=', party_id)], True,
                ['content', 'told_to_person'], ['-', '-']),
            ]
