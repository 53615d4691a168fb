#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Daily matching at scale on PostgreSQL: --people opted-in clients
against --jobs open job orders.

The data is inserted in SQL into a fresh database with sakai_matching
activated (wishes drawn at random, every client a LINE friend who
consented to matching).  Timed, as the daily run does them:
reading the clients and their wishes, loading the open jobs, matching
(hard filters, features, scores, top 3 each, reasons), and the whole
send (that, plus the recommendations created and one push per person
planned on the outbound queue; rolled back, nothing reaches LINE).

    python benchmarks/matching/scale.py [--people 10000] [--jobs 5000]
"""
import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
from common import create_database, drop_database  # noqa: E402

DATABASE = 'bench_sakai_matching'
AREAS = ['sakai', 'kita', 'naka', 'higashi', 'nishi', 'minami', 'mihara',
    'osaka']
INDUSTRIES = ['care', 'retail', 'food', 'manufacturing', 'office',
    'logistics', 'education', 'construction', 'public', 'other']
TYPES = ['full_time', 'full_time_track', 'contract', 'part_time',
    'dispatch']


def insert(cursor, table, columns, rows, returning=None):
    ids = []
    for i in range(0, len(rows), 2000):
        query = table.insert([getattr(table, c) for c in columns],
            rows[i:i + 2000],
            returning=[table.id] if returning else None)
        cursor.execute(*query)
        if returning:
            ids += [r[0] for r in cursor]
    return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--people', type=int, default=10000)
    parser.add_argument('--jobs', type=int, default=5000)
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--profile', action='store_true',
        help="print where the whole send spends its time")
    args = parser.parse_args()
    rng = random.Random(14)
    tmp = tempfile.mkdtemp()
    started = time.perf_counter()
    conf = create_database(DATABASE, tmp, module='sakai_matching')
    print("database created in %.0f s" % (time.perf_counter() - started))
    try:
        import trytond.config as config
        config.update_etc(conf)
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool(DATABASE)
        pool.init()
        with Transaction().start(DATABASE, 0) as transaction:
            cursor = transaction.connection.cursor()
            Party = pool.get('party.party')
            LineUser = pool.get('line.user')
            JobOrder = pool.get('job.order')
            Consent = pool.get('party.consent')
            Purpose = pool.get('party.consent.purpose')
            Recommendation = pool.get('job.recommendation')
            Date = pool.get('ir.date')
            today = Date.today()
            now = dt.datetime.now()
            purpose = Purpose.get('matching')
            line_users = insert(cursor, LineUser.__table__(),
                ['line_id', 'state'],
                [['U%032x' % rng.getrandbits(128), 'following']
                    for _ in range(args.people)], returning=True)
            party = Party.__table__()
            people = []
            for i, line_user in enumerate(line_users):
                people.append(['C%06d' % i, "利用者%05d" % i, True, True,
                        'single_mother', today, line_user, 'daily',
                        rng.choice(['full_time_preferred', 'any',
                                'part_time', 'full_time']),
                        dt.time(rng.choice([15, 16, 17, 18, 19])),
                        rng.random() < 0.5, rng.random() < 0.3,
                        rng.random() < 0.3, rng.choice(AREAS),
                        rng.choice([30, 40, 60]),
                        rng.choice(INDUSTRIES),
                        rng.choice([0, 150000, 180000])])
            clients = insert(cursor, party, ['code', 'name', 'active',
                    'is_client', 'household', 'registered_on', 'line_user',
                    'matching_frequency', 'wish_employment', 'wish_end_by',
                    'wish_weekdays_only', 'wish_short_hours',
                    'wish_no_overtime', 'home_area', 'wish_commute',
                    'experience_industry', 'wish_wage'], people,
                returning=True)
            insert(cursor, Consent.__table__(), ['party', 'purpose',
                    'action', 'at', 'channel'],
                [[c, purpose.id, 'given', now, 'line'] for c in clients])
            employers = insert(cursor, party, ['code', 'name', 'active',
                    'is_employer', 'industry', 'single_parent_friendly',
                    'location_kind'],
                [['E%05d' % i, "事業所%04d" % i, True, True,
                        rng.choice(INDUSTRIES), rng.random() < 0.4,
                        rng.choice(['in_city', 'commuting'])]
                    for i in range(args.jobs // 10)], returning=True)
            orders = []
            for i in range(args.jobs):
                start = rng.choice([8, 9, 10, 13])
                end = min(start + rng.choice([4, 5, 6, 7, 8, 9]), 22)
                type_ = rng.choice(TYPES)
                orders.append(['J%05d' % i, rng.choice(employers),
                        "求人%05d" % i, 'developed', type_, 'monthly',
                        rng.randrange(120000, 300000, 1000), 1,
                        today - dt.timedelta(days=rng.randrange(60)),
                        'open', True, dt.time(start), dt.time(end),
                        rng.random() < 0.3, rng.choice(AREAS),
                        rng.random() < 0.3, rng.random() < 0.1,
                        rng.random() < 0.4])
            insert(cursor, JobOrder.__table__(), ['number', 'employer',
                    'title', 'source', 'employment_type', 'wage_type',
                    'wage_min', 'positions', 'received_on', 'state',
                    'active', 'start_time', 'end_time', 'weekend_work',
                    'area', 'short_hours', 'remote', 'no_overtime'], orders)
            transaction.commit()

            figures = []
            t0 = time.perf_counter()
            clients = Party.search([
                    ('matching_frequency', '=', 'daily'),
                    ('line_user.state', '=', 'following'),
                    ])
            wishes = Party.matching_wishes_many(clients)
            t1 = time.perf_counter()
            figures.append(("clients and wishes read", t1 - t0))
            orders, jobs = Recommendation.open_jobs()
            t2 = time.perf_counter()
            figures.append(("open job orders loaded", t2 - t1))
            matches, unmet = Recommendation.match(clients, limit=3,
                wishes=wishes)
            t3 = time.perf_counter()
            figures.append(("matching (top 3 each, with reasons)", t3 - t2))
            picked = sum(len(v) for v in matches.values())
            figures.append(("total daily matching", t3 - t0))
            transaction.rollback()

            t4 = time.perf_counter()
            if args.profile:
                import cProfile
                import pstats
                profile = cProfile.Profile()
                created = profile.runcall(Recommendation.send, today)
                pstats.Stats(profile).sort_stats('cumulative').print_stats(40)
            else:
                created = Recommendation.send(today)
            t5 = time.perf_counter()
            figures.append(("whole send: matching, %d recommendations "
                    "created, pushes queued" % len(created), t5 - t4))
            Message = pool.get('line.message')
            pushes = Message.search_count([])
            transaction.rollback()
    finally:
        if not args.keep:
            drop_database(DATABASE)
        shutil.rmtree(tmp, ignore_errors=True)
    print("people %d, open job orders %d: %d picks, %d with no job "
        "passing the hard filters, %d pushes queued" % (
            len(clients), len(jobs), picked, len(unmet), pushes))
    for name, seconds in figures:
        print("| %s | %.1f s |" % (name, seconds))


if __name__ == '__main__':
    sys.exit(main())
