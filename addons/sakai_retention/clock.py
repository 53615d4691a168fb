# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The programme's clock for follow-ups: today (company timezone) and now
(naive UTC), in one place so that the retention manual can move time
forward over six months."""
from trytond.pool import Pool

from sakai_programme.programme import utcnow


def today():
    return Pool().get('ir.date').today()


def now():
    return utcnow()
