# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Test helpers shared by this module's tests and the suite's."""
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.pool import Pool

from sakai_line.tests.tools import load_japanese  # noqa: F401

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


def create_client(name="堺 花子", household='single_mother',
        registered_on=dt.date(2026, 4, 1), **values):
    "A client registered with the values"
    Party = Pool().get('party.party')
    client, = Party.create([dict({'name': name, 'is_client': True,
                    'household': household, 'registered_on': registered_on},
                **values)])
    return client


def create_two_clients(registered_on):
    "堺 花子, a single mother with a phone number, and 堺 一郎, a single father"
    return (
        create_client(registered_on=registered_on,
            contact_mechanisms=[('create', [{
                            'type': 'phone', 'value': '090-1234-5678'}])]),
        create_client("堺 一郎", 'single_father', registered_on))
