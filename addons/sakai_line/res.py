# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.i18n import gettext
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

    def get_rec_name(self, name):
        # The webhook, the queue and scheduled jobs work as the root user:
        # staff read that the service did it, not "Root"
        if self.id == 0:
            return gettext('sakai_line.msg_user_system')
        return super().get_rec_name(name)

    def get_status_bar(self, name):
        status = super().get_status_bar(name)
        # One city, one currency: the company module's "[JPY]" after every
        # name tells staff nothing
        if self.company and self.company.currency:
            suffix = ' [%s]' % self.company.currency.code
            if status.endswith(suffix):
                status = status[:-len(suffix)]
        return status
