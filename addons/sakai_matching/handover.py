# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Recommendations in the handover bundle and in erasure (see sakai_handover)"
from trytond.pool import Pool, PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('job.matching.configuration', {
                    'meaning': "求人マッチングの設定と重み"}),
            ('job.recommendation', {
                    'meaning': "LINEで届けたおすすめ求人とその反応"}),
            ('job.matching.gap', {
                    'meaning': "希望に合う求人がない方と、その希望"}),
            ]

    @classmethod
    def erasure_models(cls):
        models = super().erasure_models()
        models.update({
                'job.recommendation': {'meaning': "おすすめ求人"},
                'job.matching.gap': {'meaning': "希望に合う求人がない方"},
                })
        return models


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Recommendation = pool.get('job.recommendation')
        Gap = pool.get('job.matching.gap')
        Party = pool.get('party.party')
        # What the engine read of the person and why it picked a job go;
        # the dates and feedback stay for the figures
        return super().to_erase(party_id) + [
            (Party, [('id', '=', party_id)], True,
                ['qualifications', 'matching_avoid'], [None, None]),
            (Recommendation, [('client', '=', party_id)], True,
                ['reasons', 'features'], [None, None]),
            (Gap, [('client', '=', party_id)], True,
                ['detail'], [None]),
            ]
