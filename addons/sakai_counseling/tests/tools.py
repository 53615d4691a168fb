# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Test helpers shared by this module's tests and the suite's."""
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

# The tests' programme runs in Japan (its company's timezone, or none)
JAPAN = ZoneInfo('Asia/Tokyo')


def to_utc(value):
    "Naive UTC of a naive Japan time (also outside a transaction)"
    return value.replace(tzinfo=JAPAN).astimezone(dt.UTC).replace(
        tzinfo=None)


def to_local(value):
    "Naive Japan time of a naive UTC datetime"
    return value.replace(tzinfo=dt.UTC).astimezone(JAPAN).replace(
        tzinfo=None)


def load_japanese():
    "Make Japanese translatable and load it: people read LINE in Japanese"
    with Transaction().start(DB_NAME, 0):
        Lang = Pool().get('ir.lang')
        ja, = Lang.search([('code', '=', 'ja')])
        ja.translatable = True
        ja.save()
        Lang.load_translations([ja])
        Transaction().commit()
