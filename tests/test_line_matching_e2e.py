# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""End to end on LINE: job recommendations in the LINE simulator.

On the demo database a person with her wishes recorded opts in to
recommendations from the 求人 menu; the scheduler's morning send runs with
the clock moved to 8:45 tomorrow; in the simulator she sees the carousel
with the reasons, taps 「興味あり」 on one job and 「見送る」「時間が合わない」 on
another (in headless Chromium when it is installed); the coordinator then
finds the proposed introduction, and her file keeps the finishing time
she declined.
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

INTEREST_JOB = "介護事務（マッチングテスト）"
DECLINE_JOB = "医療事務（マッチングテスト）"
LATE_JOB = "倉庫事務（マッチングテスト）"
# The person (linked to her LINE, counseling done with the direction
# clear, her wishes recorded: finish by 17:30, Sakai ward, 40 minutes),
# three open jobs, one ending too late for her, and the daily send on
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
    Configuration = pool.get('job.matching.configuration')
    coordinator, = User.search([('login', '=', 'coordinator1')])
    counselor, = User.search([('login', '=', 'counselor1')])
    line_user, = LineUser.search([('line_id', '=', sys.argv[3])])
    employer = Party(name="株式会社マッチングテスト", is_employer=True,
        industry='care', single_parent_friendly=True)
    employer.save()
    orders = JobOrder.create([{
                'employer': employer.id, 'title': title,
                'employment_type': kind, 'wage_type': 'monthly',
                'wage_min': 210000, 'location': "堺市堺区", 'area': 'sakai',
                'hours': hours, 'coordinator': coordinator.id,
                } for title, kind, hours in [
                (sys.argv[4], 'full_time', "9:00〜16:00"),
                (sys.argv[5], 'full_time', "8:30〜17:00"),
                (sys.argv[6], 'full_time', "9:00〜18:00")]])
    JobOrder.open(orders)
    client = create_client("堺 みどり", line_user=line_user.id,
        wish_end_by=dt.time(17, 30), home_area='sakai', wish_commute=40)
    Record.create([{'client': client.id, 'counselor': counselor.id,
                'kind': 'career', 'method': 'chat',
                'start': utcnow() - dt.timedelta(days=2),
                'notes': "事務職を希望。方向性が定まった。",
                'state': 'done', 'direction_clear': True}])
    configuration = Configuration(1)
    configuration.enabled = True
    configuration.save()
    transaction.commit()
    print(json.dumps({'client': client.id,
                'orders': [o.id for o in orders]}))
"""
# The scheduler's send, the clock moved to 8:45 (Tokyo) on a day
MORNING = """
import sys, datetime as dt
from unittest.mock import patch
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
pool = Pool(sys.argv[2])
pool.init()
day = dt.date.fromisoformat(sys.argv[3])
at = dt.datetime.combine(day, dt.time(8, 45)) - dt.timedelta(hours=9)
with patch('sakai_matching.recommendation.utcnow', return_value=at), \\
        Transaction().start(sys.argv[2], 0) as transaction:
    created = pool.get('job.recommendation').run_daily()
    Message = pool.get('line.message')
    Message.deliver(Message.search([('state', '=', 'queued')]))
    transaction.commit()
    print(len(created))
"""


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "runs on the SQLite demo database; it runs with `make test`")
class RecommendationsOnLineTestCase(unittest.TestCase):
    "Job recommendations on LINE, end to end"

    @classmethod
    def setUpClass(cls):
        serve_demo_with_simulator(cls)

    def send(self, user, kind, **kwargs):
        record, status = self.simulator.send(user, kind, **kwargs)
        self.assertEqual(status, 200, record)
        return record

    def script(self, code, *args):
        result = subprocess.run([sys.executable, '-c', code, self.conf,
                'demo', *args], env=self.env, check=True,
            capture_output=True, text=True, timeout=120)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def wait_for(self, user, text):
        "Wait until a message containing text reaches the person"
        for _ in range(60):
            if any(text in json.dumps(m, ensure_ascii=False)
                    for m in self.line.messages_for(user)):
                return
            time.sleep(0.5)
        self.fail(text)

    def test_recommendations(self):
        "Opt in, the morning carousel, interest and 時間が合わない"
        import datetime as dt
        user = line_webhook.random_user_id()
        self.send(user, 'follow')
        self.send(user, 'text', text="中断")
        fixture = self.script(FIXTURE, user, INTEREST_JOB, DECLINE_JOB,
            LATE_JOB)
        interest_order, decline_order, late_order = fixture['orders']

        # She opts in from the 求人 menu: every morning
        self.send(user, 'postback', data='match=optin')
        self.send(user, 'postback', data='match=freq&f=daily')
        self.wait_for(user, "毎朝お届けします")

        # Tomorrow at 8:45: her carousel, never the job ending at 18:00
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        self.assertGreaterEqual(
            self.script(MORNING, tomorrow.isoformat()), 2)
        self.wait_for(user, "おすすめの理由")
        carousel, = [m for m in self.line.messages_for(user)
            if m.get('altText') == 'おすすめ求人']
        titles = [b['body']['contents'][0]['text']
            for b in carousel['contents']['contents'] if 'header' in b]
        self.assertIn(INTEREST_JOB, titles)
        self.assertIn(DECLINE_JOB, titles)
        self.assertNotIn(LATE_JOB, titles)

        screenshot = os.path.join(os.environ.get('SCREENSHOT_DIR',
                self.tmp), 'line-simulator-recommendations.png')
        if os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT):
            result = subprocess.run(['node', os.path.join(ROOT, 'tests',
                        'browser', 'simulator_matching.mjs'),
                    self.line.url, user, INTEREST_JOB, DECLINE_JOB,
                    screenshot], capture_output=True, text=True,
                timeout=240)
            self.assertEqual(result.returncode, 0, result.stderr)
        else:
            buttons = {(b['body']['contents'][0]['text'],
                        f['action']['label']): f['action']['data']
                for b in carousel['contents']['contents'] if 'header' in b
                for f in b['footer']['contents']}
            self.send(user, 'postback',
                data=buttons[INTEREST_JOB, '興味あり'])
            self.send(user, 'postback',
                data=buttons[DECLINE_JOB, '見送る'] + '&why=hours')
        self.wait_for(user, "早く終わる求人をおすすめします")

        coordinator = JsonRpc(
            f'{self.url}/demo/rpc/', 'coordinator1', PASSWORD)
        introductions = coordinator('model.job.introduction.search_read',
            [('client', '=', fixture['client'])], 0, None,
            [('id', 'ASC')], ['job_order', 'origin', 'state'])
        self.assertEqual(
            [(i['job_order'], i['origin'], i['state'])
                for i in introductions],
            [(interest_order, 'line', 'proposed')])
        client, = coordinator('model.party.party.read',
            [fixture['client']], ['matching_end_before'])
        self.assertEqual(client['matching_end_before'],
            {'__class__': 'time', 'hour': 17, 'minute': 0, 'second': 0,
                'microsecond': 0})
        self.assertEqual(self.line.invalid, [])
