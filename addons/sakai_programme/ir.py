# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Date(metaclass=PoolMeta):
    __name__ = 'ir.date'

    @classmethod
    def today(cls, timezone=None):
        """Today in the programme's timezone: also without a company in the
        context (webhook events, queue tasks, cron) or when the company has
        no timezone, where Tryton would use the server's"""
        if timezone is None:
            timezone = Pool().get('support.programme').timezone()
        return super().today(timezone=timezone)
