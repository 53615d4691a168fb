# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Seminars in the handover bundle (see sakai_line/handover.py)"
from trytond.pool import PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('seminar.seminar', {'meaning': "セミナー"}),
            ('seminar.session', {'meaning': "セミナーの開催回"}),
            ]
