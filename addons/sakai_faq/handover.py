# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"The FAQ in the handover bundle and the erasure (see sakai_handover)"
from trytond.pool import PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('faq.category', {'meaning': "FAQ の分類"}),
            ('faq.entry', {'meaning': "FAQ"}),
            ]
