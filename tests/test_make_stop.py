# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""`make start` and `make stop` as a newcomer runs them: after `make stop`
nothing of the demo is left running (trytond-cron's worker processes once
stayed, holding the database and running scheduled jobs, and piled up with
each `make demo`).

The demo runs in a temporary VAR on free ports, so it does not touch a demo
someone runs on the default ports.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from .test_browser import ROOT, build_demo, free_port


def processes_of(marks):
    "{pid: command line} of the processes whose command line has a mark"
    found = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as fp:
                command = fp.read().replace(b'\0', b' ').decode(
                    errors='replace')
        except OSError:
            continue
        if any(mark in command for mark in marks):
            found[int(pid)] = command
    return found


def children_of(pids):
    "The processes whose parent is one of pids"
    children = set()
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/stat') as fp:
                parent = int(fp.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent in pids:
            children.add(int(pid))
    return children


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "the demo runs on SQLite")
@unittest.skipUnless(shutil.which('make') and shutil.which('setsid'),
    "needs make and setsid")
class MakeStopTestCase(unittest.TestCase):
    "make start / make stop"

    @classmethod
    def setUpClass(cls):
        cls.var = tempfile.mkdtemp(prefix='sakai-make-stop-')
        cls.port, cls.line_port = free_port(), free_port()
        cls.make_args = [f'VAR={cls.var}', f'PORT={cls.port}',
            f'LINE_PORT={cls.line_port}', 'DB=demo']
        cls.env = dict(os.environ)
        # The demo is SQLite whatever the test run uses
        cls.env.pop('TRYTOND_DATABASE_URI', None)
        cls.env.pop('DB_NAME', None)
        # The demo database `make db` builds, as the browser tests keep it
        # (building it again here would take minutes)
        tmp = tempfile.mkdtemp(prefix='sakai-demo-')
        build_demo(tmp, cls.port)
        os.makedirs(os.path.join(cls.var, 'db'))
        shutil.copytree(tmp, os.path.join(cls.var, 'db'),
            dirs_exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        cls.make(os.path.join(cls.var, 'trytond.conf'))
        # The processes that are ours: their command line names our VAR or
        # the stand-in's port
        cls.marks = [cls.var, f'--port {cls.line_port}']

    @classmethod
    def tearDownClass(cls):
        # Whatever a failed test left: only our own processes, by their id
        for pid in processes_of(cls.marks):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        shutil.rmtree(cls.var, ignore_errors=True)

    @classmethod
    def make(cls, *targets):
        return subprocess.run(['make', '-C', ROOT, '--no-print-directory']
            + list(targets) + cls.make_args, env=cls.env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=600, check=True)

    def test_stop_leaves_nothing(self):
        "After make stop no process of the demo is left"
        self.make('start')
        self.addCleanup(lambda: subprocess.run(
                ['make', '-C', ROOT, 'stop'] + self.make_args,
                env=self.env, capture_output=True))
        urllib.request.urlopen(f'http://127.0.0.1:{self.port}/', timeout=10)
        # The simulator names the service and knows the demo's port
        with urllib.request.urlopen(f'http://127.0.0.1:{self.line_port}'
                '/simulator/api/config', timeout=10) as response:
            config = json.load(response)
        self.assertEqual(config['accountName'], '堺市ひとり親×仕事サポートLINE')
        self.assertEqual(config['appUrl'], f'http://127.0.0.1:{self.port}')
        running = processes_of(self.marks)
        commands = ' '.join(running.values())
        for name in ['trytond ', 'trytond-cron', 'line_standin']:
            self.assertIn(name, commands)
        # trytond-cron runs its jobs in worker processes: wait for them
        cron = [p for p, c in running.items() if 'trytond-cron' in c]
        for _ in range(60):
            if children_of(set(cron)):
                break
            time.sleep(0.5)
        workers = children_of(set(cron))
        self.assertTrue(workers, "trytond-cron started no worker")

        self.make('stop')

        left = processes_of(self.marks)
        left.update({p: 'worker' for p in workers
                if os.path.exists(f'/proc/{p}')})
        self.assertEqual(left, {})
        self.assertEqual(os.listdir(os.path.join(self.var, 'run')), [])

    def test_conf_follows_var_and_port(self):
        "The configuration make writes uses the VAR and PORT given"
        with open(os.path.join(self.var, 'trytond.conf')) as fp:
            conf = fp.read()
        self.assertIn(f'path = {self.var}/db', conf)
        self.assertIn(f':{self.port}', conf)
        self.assertTrue(os.path.exists(
                os.path.join(self.var, 'db', 'demo.sqlite')))
