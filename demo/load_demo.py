#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Load fictional demonstration data into a Sakai LINE database.

Usage::

    python demo/load_demo.py -c CONFIG -d DATABASE

Run it after ``trytond-admin -c CONFIG -d DATABASE --all -l ja`` has
activated ``sakai_reports`` and ``sakai_matching`` (which pull in the other modules).

Every person, company, phone number and LINE ID is invented.  The data of
each module comes from a loader of its own (demo/loaders/), run only when
the module is activated.  The loaders are idempotent: each record is
looked up by a stable key first (country code, currency code, company
party name, user login, party name, job title and employer, seminar name,
session start), so running them again creates nothing.  Dates are relative
to today and the random choices use a fixed seed, so the data is the same
from one database to the next.
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from demo import loaders  # noqa: E402
from demo.loaders.staff import DEMO_PASSWORD, STAFF  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', dest='config', required=True,
        help="the trytond configuration file")
    parser.add_argument('-d', '--database', dest='database', required=True,
        help="the database to load the demo data into")
    return parser.parse_args()


def load(database):
    """Load the demo data into database; return the loaders' context (what
    was created) and the summary rows"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    pool = Pool(database)
    pool.init()
    # Like trytond's dispatcher: when a table must be locked (creating the
    # programme singleton), start again with that table locked up front.
    extras = {}
    while True:
        # active_test: find deactivated records too, so none is made twice
        with Transaction().start(database, 0, context={
                    'language': 'ja', 'active_test': False},
                **extras) as transaction:
            try:
                context, counts = loaders.load(pool)
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
            return context, counts


def main():
    args = parse_args()
    import trytond.config as config
    config.update_etc(args.config)
    context, counts = load(args.database)

    print("Demo data loaded into %r." % args.database)
    created = ', '.join('%s %d' % item for item in context.created.items())
    print("Created this run: %s" % (created or "nothing (already loaded)"))
    print("Database now holds:")
    for label, value in counts:
        print("  %-18s %s" % (label, value))
    print("Demo logins (password: %s):" % DEMO_PASSWORD)
    for login, name, _ in STAFF:
        print("  %-13s %s" % (login, name))
    return 0


if __name__ == '__main__':
    sys.exit(main())
