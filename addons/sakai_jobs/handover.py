# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Job orders in the handover bundle (see sakai_line/handover.py)"
from trytond.pool import PoolMeta


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def handover_models(cls):
        return super().handover_models() + [
            ('job.order', {'meaning': "求人票（事業所は party.party）"}),
            ]

