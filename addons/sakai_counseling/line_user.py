# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""A LINE user is the client whose file is linked to them."""
from trytond.pool import Pool, PoolMeta


class LineUser(metaclass=PoolMeta):
    __name__ = 'line.user'

    def client(self):
        Party = Pool().get('party.party')
        parties = Party.search([('line_user', '=', self.id)], limit=1)
        return parties[0] if parties else super().client()
