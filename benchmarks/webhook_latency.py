#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Webhook acknowledgement latency and throughput on PostgreSQL.

Starts trytond (the WSGI server of `trytond`) and `trytond-worker` on a
fresh database, posts signed follow events for distinct users from
--concurrency threads, then the same number of calls to the bare route
/<db>/line/ping of the same server, and reports p50/p99 latency,
throughput, their ratio and how long the queue took to process all events.
"""
import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import requests

from common import (
    BIN, PG_URI, create_database, drop_database, free_port, percentile,
    wait_http)
from line_standin import StandIn
from line_standin import webhook as line_webhook

SECRET = 'benchmark-secret'
DATABASE = 'bench_sakai_webhook'


def fire(url, bodies, concurrency, sign=True):
    local = threading.local()

    def post(body):
        if not hasattr(local, 'session'):
            local.session = requests.Session()
        session = local.session
        headers = {'Content-Type': 'application/json'}
        if sign:
            headers['X-Line-Signature'] = line_webhook.sign(body, SECRET)
        start = time.perf_counter()
        response = session.post(url, data=body, headers=headers, timeout=30)
        elapsed = time.perf_counter() - start
        return response.status_code, elapsed

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as executor:
        results = list(executor.map(post, bodies))
    total = time.perf_counter() - start
    statuses = {s for s, _ in results}
    latencies = [e * 1000 for _, e in results]
    return {
        'statuses': statuses,
        'p50': percentile(latencies, 50),
        'p99': percentile(latencies, 99),
        'throughput': len(bodies) / total,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--requests', type=int, default=2000)
    parser.add_argument('--concurrency', type=int, default=20)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp()
    port = free_port()
    conf = create_database(DATABASE, tmp,
        '[web]\nlisten = 127.0.0.1:%d\n[queue]\nworker = True\n' % port)
    line = StandIn().start()
    env = dict(os.environ, SAKAI_LINE_CHANNEL_SECRET=SECRET,
        SAKAI_LINE_CHANNEL_ACCESS_TOKEN='token',
        SAKAI_LINE_API_ENDPOINT=line.url)
    server = subprocess.Popen(
        [os.path.join(BIN, 'trytond'), '-c', conf, '-d', DATABASE],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    worker = subprocess.Popen(
        [os.path.join(BIN, 'trytond-worker'), '-c', conf, '-d', DATABASE,
            '-n', '1'],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    base = 'http://127.0.0.1:%d/%s/line' % (port, DATABASE)
    try:
        wait_http(base + '/ping')
        # Warm up both routes
        fire(base + '/webhook', [line_webhook.body([])] * 50, 5)
        fire(base + '/ping', [b'{}'] * 50, 5, sign=False)

        bodies = [line_webhook.body([line_webhook.follow_event(
                        line_webhook.random_user_id())])
            for _ in range(args.requests)]
        start = time.perf_counter()
        webhook = fire(base + '/webhook', bodies, args.concurrency)
        bare = fire(base + '/ping', [b'{}'] * args.requests,
            args.concurrency, sign=False)
        with psycopg.connect(PG_URI + DATABASE) as conn:
            while conn.execute(
                    "SELECT count(*) FROM line_event WHERE state = 'done'"
                    ).fetchone()[0] < args.requests:
                time.sleep(0.2)
        drained = time.perf_counter() - start
    finally:
        for process in (server, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(10)
        line.stop()
        drop_database(DATABASE)
        shutil.rmtree(tmp, ignore_errors=True)

    print("requests: %d, concurrency: %d" % (args.requests, args.concurrency))
    for name, result in (('webhook', webhook), ('bare route', bare)):
        print("%-10s status %s  p50 %.1f ms  p99 %.1f ms  %.0f req/s" % (
                name, sorted(result['statuses']), result['p50'],
                result['p99'], result['throughput']))
    print("ratio webhook/bare: p50 %.2f  p99 %.2f  throughput %.2f" % (
            webhook['p50'] / bare['p50'], webhook['p99'] / bare['p99'],
            webhook['throughput'] / bare['throughput']))
    print("all %d events processed by the worker %.1f s after the first post"
        % (args.requests, drained))


if __name__ == '__main__':
    main()
