# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""What the demo loaders share: the context they load into, their tables,
phone numbers"""
import csv
import datetime as dt
import os

import phonenumbers

JST = dt.timedelta(hours=9)


class Context:
    """One run of the loaders, in one transaction: the pool, today, the
    random data planned up front, the records an earlier loader made that
    a later one refers to, and the count of records this run created"""

    def __init__(self, pool, today, planned):
        self.pool = pool
        self.today = today
        self.planned = planned
        self.created = {}
        # Set by the loaders, for the ones after them
        self.japan = None  # country.country
        self.ja = None  # ir.lang
        self.company = None  # company.company
        self.staff = {}  # login: res.user
        self.line_users = {}  # LINE ID: line.user
        self.employers = []  # party.party, in the order of employers.EMPLOYERS

    def count(self, key, n=1):
        self.created[key] = self.created.get(key, 0) + n

    def get_or_create(self, model, domain, values, key):
        """Return the first record of model matching domain, or one created
        from values (counted under key), and whether it was created"""
        Model = self.pool.get(model)
        records = Model.search(domain, limit=1)
        if records:
            return records[0], False
        record, = Model.create([values])
        self.count(key)
        return record, True


def states(Model):
    "How many records of Model are in each state, e.g. 'draft 2, open 15'"
    return '%d (%s)' % (Model.search_count([]), ', '.join(
            '%s %d' % (state, Model.search_count([('state', '=', state)]))
            for state, _ in Model.state.selection))


def valid_phone(value):
    try:
        number = phonenumbers.parse(value, 'JP')
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def pick_phone(rng, template):
    "Draw a number from template until phonenumbers accepts it"
    while True:
        value = template.format(rng.randint(1000, 9999))
        if valid_phone(value):
            return value


def read_table(name, integers=(), booleans=()):
    """The rows of the table name.csv beside the loaders, as dicts: the
    columns in integers read as numbers, those in booleans as yes or no"""
    path = os.path.join(os.path.dirname(__file__), name + '.csv')
    with open(path, encoding='utf-8', newline='') as fp:
        rows = list(csv.DictReader(fp))
    for row in rows:
        for column in integers:
            row[column] = int(row[column])
        for column in booleans:
            row[column] = {'yes': True, 'no': False}[row[column]]
    return rows
