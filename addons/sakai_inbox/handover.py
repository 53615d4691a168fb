# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Inquiries in the handover bundle and the erasure (see sakai_handover)"
from trytond.pool import PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('line.inquiry.label', {'meaning': "問合せのラベル"}),
            ('line.inquiry', {'meaning': "問合せ（受信箱のスレッド）"}),
            ('line.inquiry.message', {'meaning': "問合せのメッセージ"}),
            ('line.inquiry-line.inquiry.label', {
                    'meaning': "問合せとラベルの関連"}),
            ('line.inquiry.canned_reply', {'meaning': "定型返信文"}),
            ]

    @classmethod
    def erasure_models(cls):
        models = super().erasure_models()
        models.update({
                'line.inquiry': {'meaning': "問合せ"},
                'line.inquiry.message': {'meaning': "問合せのメッセージ"},
                })
        return models
