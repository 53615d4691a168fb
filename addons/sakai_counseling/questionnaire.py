# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Questionnaire responses belong to the client linked to the LINE user."""
from trytond.pool import Pool, PoolMeta


class Response(metaclass=PoolMeta):
    __name__ = 'questionnaire.response'

    @classmethod
    def party_of(cls, user):
        Party = Pool().get('party.party')
        parties = Party.search([('line_user', '=', user.id)], limit=1)
        return parties[0] if parties else super().party_of(user)
