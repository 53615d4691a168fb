# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""A queue worker killed in the middle of a send delivers nothing twice.

Runs a real `trytond-worker` on PostgreSQL against the LINE stand-in: the
worker is killed (SIGKILL) while LINE is still answering a multicast; the
scheduled recovery then sends what is left, reusing the batches' retry
keys, and every follower gets the message exactly once.
"""
import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import unittest.mock

from line_standin import webhook as line_webhook
from trytond import config
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME
from trytond.transaction import Transaction

from sakai_line.tests.tools import DatabaseTestCase

FOLLOWERS = 1200
BIN = os.path.dirname(sys.executable)


@unittest.skipUnless(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "the queue worker needs PostgreSQL")
class WorkerCrashTestCase(DatabaseTestCase):
    "Worker killed mid-send"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_line()
        cls.enterClassContext(unittest.mock.patch.dict(os.environ, {
                    'SAKAI_LINE_CHANNEL_ACCESS_TOKEN': 'token',
                    'SAKAI_LINE_API_ENDPOINT': cls.line.url,
                    }))

    def start_worker(self):
        conf = os.path.join(self.tmp, 'trytond.conf')
        with open(conf, 'w') as fp:
            fp.write('[database]\nuri = %s\n[queue]\nworker = True\n'
                % os.environ['TRYTOND_DATABASE_URI'])
        return subprocess.Popen(
            [os.path.join(BIN, 'trytond-worker'), '-c', conf, '-d', DB_NAME,
                '-n', '1'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def wait_for(self, condition, timeout=60):
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                self.fail("timed out")
            time.sleep(0.1)

    def test_kill_worker_mid_send(self):
        "Kill -9 during a multicast: each follower gets it exactly once"
        self.tmp = tempfile.mkdtemp()
        config.set('queue', 'worker', 'True')
        try:
            with Transaction().start(DB_NAME, 0) as transaction:
                pool = Pool()
                LineUser = pool.get('line.user')
                Message = pool.get('line.message')
                users = LineUser.create([
                        {'line_id': line_webhook.random_user_id(),
                            'state': 'following'}
                        for _ in range(FOLLOWERS)])
                message = Message.compose(users, [
                        {'type': 'text', 'text': "今月の求人情報です。"}])
                message_id = message.id
                line_ids = [u.line_id for u in users]
                transaction.commit()
        finally:
            config.set('queue', 'worker', 'False')

        # LINE is slow to answer the second multicast: kill the worker then
        self.line.delay_next(3, count=1, path_prefix='/v2/bot/message/multicast')
        worker = self.start_worker()
        try:
            self.wait_for(lambda: len(self.line.calls('multicast')) >= 1)
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        # LINE finishes what it accepted, as it would
        time.sleep(3.5)
        delivered_before = len(self.line.delivered)
        self.assertLess(delivered_before, FOLLOWERS)

        # A restarted worker has nothing left to do (the task was taken);
        # the scheduled recovery sends the batches still pending
        worker = self.start_worker()
        try:
            with Transaction().start(DB_NAME, 0) as transaction:
                Message = Pool().get('line.message')
                with unittest.mock.patch(
                        'sakai_line.message.QUEUE_GRACE', dt.timedelta(0)):
                    Message.deliver_due()
                transaction.commit()
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(10)

        # The batch in flight at the kill was sent again with its key:
        # LINE answered 409 and delivered nothing more
        statuses = [c.status for c in self.line.calls('multicast')]
        self.assertIn(409, statuses)
        counts = collections.Counter(d.user_id for d in self.line.delivered)
        self.assertEqual(sorted(counts), sorted(line_ids))
        self.assertEqual(set(counts.values()), {1})
        self.assertEqual(self.line.invalid, [])
        with Transaction().start(DB_NAME, 0, readonly=True):
            Message = Pool().get('line.message')
            message = Message(message_id)
            self.assertEqual(message.state, 'sent')
            self.assertEqual(
                {r.state for r in message.recipients}, {'sent'})
