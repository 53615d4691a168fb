# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Counselling records in the handover bundle (see sakai_line/handover.py)"
from trytond.pool import PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('party.party.child', {'meaning': "利用者の子ども"}),
            ('party.consent.purpose', {'meaning': "同意の目的"}),
            ('party.consent', {
                    'meaning': "同意の記録（目的・同意/撤回・日時・経路）"}),
            ('counseling.closure', {'meaning': "休業日"}),
            ('counseling.slot', {'meaning': "相談枠"}),
            ('counseling.booking', {'meaning': "相談予約"}),
            ('counseling.step', {'meaning': "支援の段階"}),
            ('counseling.record', {'meaning': "相談記録"}),
            ('counseling.record.step', {'meaning': "相談記録の段階"}),
            ('counseling.record.amendment', {
                    'meaning': "相談記録の追記・訂正（日時・記入者・理由）"}),
            ('counseling.agency', {'meaning': "関係機関"}),
            ('counseling.referral', {'meaning': "関係機関への紹介"}),
            ]

    @classmethod
    def erasure_models(cls):
        models = super().erasure_models()
        models.update({
                'party.party.child': {'meaning': "利用者の子ども"},
                'party.consent': {'meaning': "同意の記録"},
                'counseling.booking': {'meaning': "相談予約"},
                'counseling.record': {'meaning': "相談記録"},
                'counseling.record.step': {'meaning': "相談記録の段階"},
                'counseling.record.amendment': {
                    'meaning': "相談記録の追記・訂正"},
                'counseling.referral': {'meaning': "関係機関への紹介"},
                })
        return models
