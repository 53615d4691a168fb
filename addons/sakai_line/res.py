# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def default_language(cls):
        "Staff work in Japanese unless told otherwise"
        Lang = Pool().get('ir.lang')
        langs = Lang.search([
                ('code', '=', 'ja'),
                ('translatable', '=', True),
                ], limit=1)
        if langs:
            return langs[0].id
