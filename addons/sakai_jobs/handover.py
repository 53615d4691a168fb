# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Jobs in the handover bundle and in erasure (see sakai_handover)"
from trytond.pool import Pool, PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('job.subsidy', {'meaning': "助成金"}),
            ('job.development.contact', {
                    'meaning': "求人開拓の記録（事業所は party.party）"}),
            ('job.development.contact-job.subsidy', {
                    'meaning': "求人開拓で説明した助成金"}),
            ('job.order', {'meaning': "求人票（事業所は party.party）"}),
            ('job.introduction', {'meaning': "職業紹介"}),
            ('job.introduction.stage', {'meaning': "職業紹介の段階の履歴"}),
            ('job.application.support', {
                    'meaning': "応募支援（添削・面接練習・同行）"}),
            ('job.placement', {'meaning': "就職決定"}),
            ]

    @classmethod
    def erasure_models(cls):
        models = super().erasure_models()
        models.update({
                'job.introduction': {
                    'meaning': "職業紹介", 'keep': ['number']},
                'job.introduction.stage': {'meaning': "職業紹介の段階の履歴"},
                'job.application.support': {'meaning': "応募支援"},
                'job.placement': {'meaning': "就職決定",
                    'keep': ['number', 'employer_name', 'job_title']},
                })
        return models


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Introduction = pool.get('job.introduction')
        Support = pool.get('job.application.support')
        Placement = pool.get('job.placement')
        # Dates, stages and employers stay for the placement business's
        # figures; what the person said or was told goes
        return super().to_erase(party_id) + [
            (Introduction, [('client', '=', party_id)], True,
                ['override_reason', 'end_note', 'note', 'line_answer_reason',
                    'interview_place'],
                [None, None, None, None, None]),
            (Support, [('client', '=', party_id)], True,
                ['note'], [None]),
            (Placement, [('client', '=', party_id)], True,
                ['note', 'hours'], [None, None]),
            ]
