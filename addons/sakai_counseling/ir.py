# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.pool import PoolMeta
from trytond.transaction import Transaction


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('counseling.booking|send_reminders',
                "Send Booking Reminders on LINE"))


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    # Record rules name the current user as Eval('user_id'): a counselor
    # changes only their own counseling records.  Tryton gives rules the
    # user's groups only (the company module adds employees the same way).

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        context['user_id'] = Transaction().user
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        return super()._get_cache_key(model_names) + (Transaction().user,)
