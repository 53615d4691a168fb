# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""End to end on LINE: job introductions in the LINE simulator.

On the demo database, a person whose counseling record marks her direction
clear taps 「この求人に興味あり」 on a job in the 求人 menu and 「応募したい」 on
the introduction her coordinator proposed from the back office (pushed to
her LINE); the coordinator then finds both in 職業紹介 › 紹介, tab 対応待ち
(in headless Chromium when it is installed).
"""
import json
import os
import subprocess
import sys
import time
import unittest

from line_standin import webhook as line_webhook

from .test_browser import CHROMIUM, PASSWORD, PLAYWRIGHT, ROOT
from .test_line_e2e import JsonRpc, serve_demo_with_simulator

INTEREST_JOB = "一般事務（LINEテスト）"
INTRODUCED_JOB = "医療事務（LINEテスト）"
# What the test needs besides the demo: an employer with two open jobs and
# the person, a client linked to her LINE, her counseling done with the
# direction clear and her consent to sharing with employers
FIXTURE = """
import sys, json, datetime as dt
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
from sakai_counseling.tests.tools import create_client
from sakai_programme.programme import utcnow
pool = Pool(sys.argv[2])
pool.init()
with Transaction().start(sys.argv[2], 0) as transaction:
    Party = pool.get('party.party')
    JobOrder = pool.get('job.order')
    User = pool.get('res.user')
    LineUser = pool.get('line.user')
    Record = pool.get('counseling.record')
    Consent = pool.get('party.consent')
    Purpose = pool.get('party.consent.purpose')
    coordinator, = User.search([('login', '=', 'coordinator1')])
    counselor, = User.search([('login', '=', 'counselor1')])
    line_user, = LineUser.search([('line_id', '=', sys.argv[3])])
    employer = Party(name="株式会社LINEテスト", is_employer=True)
    employer.save()
    orders = JobOrder.create([{
                'employer': employer.id, 'title': title,
                'employment_type': 'full_time', 'wage_type': 'monthly',
                'wage_min': 210000, 'wage_max': 250000,
                'location': "堺市堺区", 'hours': "9:00〜16:00",
                'short_hours': True, 'no_overtime': True,
                'coordinator': coordinator.id,
                } for title in sys.argv[4:6]])
    JobOrder.open(orders)
    client = create_client("堺 さくら", line_user=line_user.id)
    Record.create([{'client': client.id, 'counselor': counselor.id,
                'kind': 'career', 'method': 'chat',
                'start': utcnow() - dt.timedelta(days=2),
                'notes': "事務職を希望。方向性が定まった。",
                'state': 'done', 'direction_clear': True}])
    Consent.create([{'party': client.id,
                'purpose': Purpose.get('employer_sharing').id,
                'action': 'given', 'at': utcnow(), 'channel': 'line'}])
    transaction.commit()
    print(json.dumps({'client': client.id,
                'orders': [o.id for o in orders]}))
"""


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "runs on the SQLite demo database; it runs with `make test`")
class JobIntroductionOnLineTestCase(unittest.TestCase):
    "Job introductions on LINE, end to end"

    @classmethod
    def setUpClass(cls):
        serve_demo_with_simulator(cls)

    def send(self, user, kind, **kwargs):
        record, status = self.simulator.send(user, kind, **kwargs)
        self.assertEqual(status, 200, record)
        return record

    def node(self, script, *args):
        "Run tests/browser/<script>; what it printed last, as JSON"
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', script), *args],
            capture_output=True, text=True, timeout=240)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def screenshot(self, name):
        return os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp), name)

    def test_interest_and_apply(self):
        "Interest in a job and an answer to an introduction reach the list"
        user = line_webhook.random_user_id()
        self.send(user, 'follow')
        self.send(user, 'text', text="中断")
        result = subprocess.run([sys.executable, '-c', FIXTURE, self.conf,
                'demo', user, INTEREST_JOB, INTRODUCED_JOB],
            env=self.env, check=True, capture_output=True, text=True,
            timeout=120)
        fixture = json.loads(result.stdout.strip().splitlines()[-1])
        interest_order, introduced_order = fixture['orders']

        # Her coordinator proposes a job from the back office: pushed
        coordinator = JsonRpc(
            f'{self.url}/demo/rpc/', 'coordinator1', PASSWORD)
        introduced, = coordinator('model.job.introduction.create', [{
                    'client': fixture['client'],
                    'job_order': introduced_order}])
        # Queued, delivered once the call is answered
        for _ in range(60):
            card = self.line.messages_for(user)[-1]
            if card['type'] == 'flex':
                break
            time.sleep(0.5)
        self.assertEqual(card['type'], 'flex')
        apply, = [b['action'] for bubble in card['contents']['contents']
            for b in bubble['footer']['contents']
            if b['action']['data'] == 'intro=%s&a=apply' % introduced]

        if os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT):
            page = self.node('simulator_job_interest.mjs', self.line.url,
                user, INTEREST_JOB, INTRODUCED_JOB,
                self.screenshot('line-simulator-job-interest.png'))
            self.assertTrue(page['texts'])
        else:
            # The same taps without a browser
            self.send(user, 'postback',
                data='job=%s&a=interest' % interest_order)
            self.send(user, 'postback', data=apply['data'])

        introductions = coordinator('model.job.introduction.search_read',
            [('client', '=', fixture['client'])], 0, None,
            [('id', 'ASC')], ['job_order', 'origin', 'state', 'waiting'])
        self.assertEqual(
            [(i['job_order'], i['origin'], i['state'], i['waiting'])
                for i in introductions],
            [(introduced_order, 'staff', 'interested', 'line_apply'),
                (interest_order, 'line', 'proposed', 'line_interest')])
        self.assertEqual(self.line.invalid, [])

        if os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT):
            page = self.node('introduction_work_list.mjs', self.url, 'demo',
                'coordinator1', PASSWORD,
                self.screenshot('introduction-work-list.png'))
            for title in [INTEREST_JOB, INTRODUCED_JOB]:
                self.assertTrue(any(title in row for row in page['rows']),
                    (title, page['rows']))
