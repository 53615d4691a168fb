#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Cost of the access log: opening a list of 1,000 clients and a client file.

Calls go through the JSON-RPC layer (werkzeug test client on trytond's WSGI
application, in-process) as a counselor, the way the web client does, so
the access log is active; the same calls are then timed with the logging
switched off (PERSONAL_MODELS emptied in this process only).

    .venv/bin/python benchmarks/audit/open_clients.py [--clients 1000]
        [--rounds 20]

Needs the local PostgreSQL server (PG_URI).  Prints median and p90 in ms.
"""
import argparse
import base64
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
                __file__))))
from common import (  # noqa: E402
    BIN, create_database, drop_database, percentile)

DB = 'bench_audit'
LIST_FIELDS = ['rec_name', 'name', 'code', 'household', 'registered_on',
    'counselor', 'counselor.rec_name', 'current_work']
FORM_FIELDS = LIST_FIELDS + ['contact_mechanisms', 'addresses', 'children',
    'line_user', 'employment_wish']


def setup(conf, clients):
    import subprocess
    env = dict(os.environ, TRYTONPASSFILE=os.path.join(
            os.path.dirname(conf), 'password'))
    subprocess.run([os.path.join(BIN, 'trytond-admin'), '-c', conf, '-d', DB,
            '-u', 'sakai_counseling', '--activate-dependencies'],
        env=env, check=True, capture_output=True)
    import trytond.config as config
    config.update_etc(conf)
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(DB)
    pool.init()
    with Transaction().start(DB, 0) as transaction:
        User = pool.get('res.user')
        Party = pool.get('party.party')
        ModelData = pool.get('ir.model.data')
        user, = User.create([{
                    'login': 'counselor', 'name': "相談員",
                    'password': 'bench-password-1234',
                    'groups': [('add', [ModelData.get_id(
                                    'sakai_programme', 'group_counselor')])]}])
        today = dt.date.today()
        Party.create([{
                    'name': f"利用者 {i:04d}", 'is_client': True,
                    'household': 'single_mother', 'registered_on': today,
                    'counselor': user.id,
                    'contact_mechanisms': [('create', [{
                                    'type': 'phone',
                                    'value': '090-1234-%04d' % i}])],
                    } for i in range(clients)])
        transaction.commit()


class RPC:
    def __init__(self, client):
        self.client = client
        self.auth = None
        self.id = 0

    def __call__(self, method, *params):
        self.id += 1
        headers = {'Content-Type': 'application/json'}
        if self.auth:
            headers['Authorization'] = self.auth
        response = self.client.post(f'/{DB}/rpc/', data=json.dumps({
                    'id': self.id, 'method': method, 'params': params}),
            headers=headers, environ_base={'REMOTE_ADDR': '192.0.2.10'})
        if response.status_code != 200:
            raise RuntimeError(
                f'{method}: {response.status} {response.get_data()[:300]}')
        body = json.loads(response.get_data())
        if body.get('error'):
            raise RuntimeError(body['error'])
        return body['result']

    def login(self, login, password):
        user_id, session = self('common.db.login', login,
            {'password': password}, 'ja')[:2]
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.auth = f'Session {token}'


def measure(rpc, rounds, context):
    list_times, file_times = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        ids = rpc('model.party.party.search',
            [('is_client', '=', True)], 0, 1000, None, context)
        rpc('model.party.party.read', ids, LIST_FIELDS, context)
        list_times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        record, = rpc('model.party.party.read', ids[:1], FORM_FIELDS,
            context)
        rpc('model.party.contact_mechanism.read',
            record['contact_mechanisms'], ['type', 'value', 'rec_name'],
            context)
        file_times.append((time.perf_counter() - start) * 1000)
    return list_times, file_times, len(ids)


def report(label, times):
    print("%-34s median %7.1f ms  p90 %7.1f ms" % (
            label, statistics.median(times), percentile(times, 90)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--clients', type=int, default=1000)
    parser.add_argument('--rounds', type=int, default=20)
    parser.add_argument('--keep', action='store_true')
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    conf = create_database(DB, tmp)
    try:
        setup(conf, args.clients)
        from werkzeug.test import Client
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        import trytond.protocols.dispatcher  # noqa: F401 (the RPC routes)
        from trytond.wsgi import app
        from sakai_audit import audit
        rpc = RPC(Client(app))
        rpc.login('counselor', 'bench-password-1234')
        context = rpc('model.res.user.get_preferences', True, {})
        # warm-up (caches, pool)
        measure(rpc, 2, context)
        results = {}
        personal = set(audit.PERSONAL_MODELS)
        for logging in [False, True, False, True]:
            audit.PERSONAL_MODELS.clear()
            if logging:
                audit.PERSONAL_MODELS.update(personal)
            lists, files, count = measure(rpc, args.rounds, context)
            results.setdefault(logging, ([], []))
            results[logging][0].extend(lists)
            results[logging][1].extend(files)
        print(f"{count} clients, {2 * args.rounds} rounds each")
        for logging in [False, True]:
            tag = 'with log' if logging else 'without log'
            report(f"list of {count} clients, {tag}", results[logging][0])
            report(f"client file, {tag}", results[logging][1])
        with Transaction().start(DB, 0, readonly=True):
            Log = Pool().get('audit.log')
            checked, broken, _ = Log.verify()
            print(f"audit rows written: {checked}, chain broken at: {broken}")
    finally:
        if not args.keep:
            drop_database(DB)


if __name__ == '__main__':
    main()
