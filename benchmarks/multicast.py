#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Time to send one message to --followers followers through the stand-in.

LINE allows 500 user IDs per multicast and (at most) 200 multicast
requests a second, so 100,000 followers need 200 requests and at least
1 s.  This creates the followers in a fresh PostgreSQL database, composes
one message and times planning (batches and retry keys) and delivery.
"""
import argparse
import collections
import os
import shutil
import sys
import tempfile
import time

from common import create_database, drop_database
from line_standin import StandIn
from line_standin import webhook as line_webhook

DATABASE = 'bench_sakai_multicast'
MULTICAST_SIZE = 500
MULTICAST_RATE = 200


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--followers', type=int, default=100000)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp()
    conf = create_database(DATABASE, tmp)
    line = StandIn(rate_limits={'/v2/bot/message/multicast': MULTICAST_RATE},
        validate_responses=False).start()
    os.environ.update(SAKAI_LINE_CHANNEL_ACCESS_TOKEN='token',
        SAKAI_LINE_API_ENDPOINT=line.url)
    try:
        import trytond.config as config
        config.update_etc(conf)
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool(DATABASE)
        pool.init()
        with Transaction().start(DATABASE, 0) as transaction:
            LineUser = pool.get('line.user')
            Message = pool.get('line.message')
            table = LineUser.__table__()
            cursor = transaction.connection.cursor()
            ids = [line_webhook.random_user_id()
                for _ in range(args.followers)]
            for i in range(0, len(ids), 10000):
                cursor.execute(*table.insert(
                        [table.line_id, table.state],
                        [[u, 'following'] for u in ids[i:i + 10000]]))
            # Ids, not records: browsing 100,000 records at once is slow
            cursor.execute(*table.select(table.id,
                    where=table.state == 'following'))
            users = [i for i, in cursor]
            start = time.perf_counter()
            message = Message.compose(users, [
                    {'type': 'text', 'text': "今月の求人情報です。"}])
            planned = time.perf_counter()
            Message.deliver([message])
            delivered = time.perf_counter()
            transaction.commit()
            state = message.state
            batches = len(message.batches)
    finally:
        line.stop()
        drop_database(DATABASE)
        shutil.rmtree(tmp, ignore_errors=True)

    counts = collections.Counter(d.user_id for d in line.delivered)
    requests_needed = -(-args.followers // MULTICAST_SIZE)
    minimum = requests_needed / MULTICAST_RATE
    print("followers: %d, message state: %s, batches: %d" % (
            args.followers, state, batches))
    print("delivered to %d distinct followers, each %s time(s); "
        "429 answers: %d" % (len(counts), sorted(set(counts.values())),
            sum(1 for c in line.calls('multicast') if c.status == 429)))
    print("planning %.1f s, sending %.1f s, total %.1f s" % (
            planned - start, delivered - planned, delivered - start))
    print("LINE's minimum for %d multicast requests at %d/s: %.1f s "
        "(sending took %.1fx that)" % (requests_needed, MULTICAST_RATE,
            minimum, (delivered - planned) / minimum))


if __name__ == '__main__':
    sys.exit(main())
