# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"LINE friends, their history and the channel's set-up in the handover bundle and the erasure (see sakai_handover)"
from trytond.pool import PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('line.source', {'meaning': "友だち追加経路"}),
            ('line.rich_menu', {'exclude': ['line_rich_menu_id'],
                    'meaning': "リッチメニュー"}),
            ('line.rich_menu.area', {'meaning': "リッチメニューの領域"}),
            ('line.user', {
                    'meaning': "LINE 利用者（LINE ユーザー ID、番号、"
                    "職員が付けた呼び名）"}),
            ('line.user.history', {'meaning': "友だち追加・ブロックの履歴"}),
            ('line.source.visit', {'meaning': "友だち追加経路の訪問記録"}),
            ]

    @classmethod
    def erasure_models(cls):
        models = super().erasure_models()
        models.update({
                'line.user': {'token': ['line_id'],
                    'meaning': "LINE 利用者（番号・呼び名は消去）"},
                'line.user.history': {'meaning': "友だち追加・ブロック履歴"},
                'line.source.visit': {'token': ['line_id'],
                    'meaning': "友だち追加経路の訪問"},
                'line.event': {'keep': ['kind', 'type', 'event_type', 'state'],
                    'meaning': "LINE 受信イベント"},
                'line.message.recipient': {'meaning': "配信先"},
                })
        return models
