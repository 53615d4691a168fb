# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Questionnaires and answers in the handover bundle and the erasure (see sakai_handover)"
from trytond.pool import PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('questionnaire', {'meaning': "アンケート・診断"}),
            ('questionnaire.question', {'meaning': "設問"}),
            ('questionnaire.choice', {'meaning': "選択肢"}),
            ('questionnaire.scale', {'meaning': "尺度"}),
            ('questionnaire.scale.part', {'meaning': "尺度の構成"}),
            ('questionnaire.band', {'meaning': "得点の区分"}),
            ('questionnaire.rule', {'meaning': "おすすめルール"}),
            ('questionnaire.rule.condition', {'meaning': "ルールの条件"}),
            ('questionnaire.rule.condition-choice', {
                    'meaning': "条件の選択肢"}),
            ('questionnaire.campaign', {'meaning': "アンケート配信"}),
            ('questionnaire.response', {'meaning': "回答"}),
            ('questionnaire.response.answer', {'meaning': "設問ごとの回答"}),
            ('questionnaire.response.answer-choice', {
                    'meaning': "選ばれた選択肢"}),
            ('questionnaire.response.score', {'meaning': "尺度ごとの得点"}),
            ]

    @classmethod
    def erasure_models(cls):
        models = super().erasure_models()
        models.update({
                'questionnaire.response': {'meaning': "アンケート回答"},
                'questionnaire.response.answer': {'meaning': "設問ごとの回答"},
                })
        return models
