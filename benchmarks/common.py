# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"Shared set-up of the benchmarks: a fresh PostgreSQL database with the suite"
import os
import socket
import subprocess
import sys
import time
import urllib.request

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
sys.path.insert(0, ROOT)
PG_URI = os.environ.get('PG_URI', 'postgresql://postgres@127.0.0.1:5432/')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def create_database(name, tmp, extra='', module='sakai_faq'):
    "Create database name on PG_URI with module (by default sakai_faq, the LINE conversation) activated; return conf"
    with psycopg.connect(PG_URI + 'postgres', autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "%s"' % name)
        conn.execute('CREATE DATABASE "%s"' % name)
    conf = os.path.join(tmp, 'trytond.conf')
    with open(conf, 'w') as fp:
        fp.write('[database]\nuri = %s\n%s' % (PG_URI, extra))
    password = os.path.join(tmp, 'password')
    with open(password, 'w') as fp:
        fp.write('benchmark-password')
    env = dict(os.environ, TRYTONPASSFILE=password)
    admin = [os.path.join(BIN, 'trytond-admin'), '-c', conf, '-d', name]
    subprocess.run(admin + ['--all', '--email', 'admin@example.com'],
        env=env, check=True, capture_output=True)
    subprocess.run(admin + ['-u', module, '--activate-dependencies'],
        env=env, check=True, capture_output=True)
    return conf


def drop_database(name):
    with psycopg.connect(PG_URI + 'postgres', autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


def wait_http(url, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("%s did not answer" % url)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]
