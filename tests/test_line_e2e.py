# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""End to end on LINE: a newcomer in the LINE simulator.

Builds the demo database as `make demo` does, starts the server with the
LINE stand-in and its simulator, and plays a citizen: she adds the
account, answers the registration diagnosis, gets recommendations with
buttons that work and a rich menu of her own, then answers the monthly
survey when the scheduler sends it.  Staff then see both answers in the
back office, in Japanese (in headless Chromium when it is installed).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from line_standin import StandIn
from line_standin import webhook as line_webhook
from line_standin.simulator import Simulator

from .test_browser import (
    BIN, CHROMIUM, PASSWORD, PLAYWRIGHT, ROOT, build_demo, free_port,
    start_server)

SECRET = 'demo-channel-secret'
# The progress hint of a question, e.g. （3/8）
QUESTION = re.compile(r'（\d+/\d+）')
CONTROLS = {'中断', '前の質問に戻る', 'スキップ'}
# What she answers, by the start of a choice's label; other questions
# get their first choice
PREFERRED = ['すぐに仕事を探したい', '1 ']


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "runs on the SQLite demo database; it runs with `make test`")
class NewcomerTestCase(unittest.TestCase):
    "A newcomer on LINE, end to end"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.port = free_port()
        webhook = f'http://127.0.0.1:{cls.port}/demo/line/webhook'
        cls.simulator = Simulator(webhook, SECRET)
        cls.line = StandIn(simulator=cls.simulator).start()
        cls.conf, cls.env = build_demo(cls.tmp, cls.port,
            conf_extra='[sakai_line]\ndemo = True\n', env_extra={
                'SAKAI_LINE_API_ENDPOINT': cls.line.url,
                'SAKAI_LINE_API_DATA_ENDPOINT': cls.line.url,
                'SAKAI_LINE_LOGIN_ENDPOINT': cls.line.url,
                })
        subprocess.run([sys.executable,
                os.path.join(ROOT, 'tools', 'line_sync.py'),
                '-c', cls.conf, '-d', 'demo'],
            env=cls.env, check=True, capture_output=True)
        cls.server, cls.url = start_server(cls.conf, cls.port, cls.env)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(10)
        cls.line.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def send(self, user, kind, **kwargs):
        record, status = self.simulator.send(user, kind, **kwargs)
        self.assertEqual(status, 200, record)
        return record

    def messages(self, user):
        return self.line.messages_for(user)

    def buttons(self, message):
        return [i['action'] for i in
            message.get('quickReply', {}).get('items', [])]

    def tap(self, user, action):
        return self.send(user, 'postback', data=action['data'],
            display_text=action.get('displayText'))

    def answer_questions(self, user, limit=20):
        "Answer until no question is asked; return the last messages"
        for _ in range(limit):
            last = self.messages(user)[-1]
            if not QUESTION.search(last.get('text', '')):
                return
            buttons = [b for b in self.buttons(last)
                if b['label'] not in CONTROLS]
            done = [b for b in buttons if b['label'] == 'これで決定']
            preferred = [b for b in buttons
                if b['label'].startswith(tuple(PREFERRED))]
            skip = [b for b in self.buttons(last) if b['label'] == 'スキップ']
            if done:
                self.tap(user, done[0])
            elif preferred:
                self.tap(user, preferred[0])
            elif buttons:
                self.tap(user, buttons[0])
            elif skip:
                self.tap(user, skip[0])
            else:
                self.send(user, 'text', text="特にありません")
        self.fail("the questions did not end")

    def test_newcomer(self):
        "Follow, diagnosis, recommendations, own menu, monthly survey"
        user = line_webhook.random_user_id()
        default_menu = self.simulator.rich_menu(user)
        self.assertEqual(default_menu['name'], "基本メニュー")

        # She adds the account: greeting, then the diagnosis starts
        self.send(user, 'follow')
        first = self.messages(user)
        self.assertIn("友だち追加ありがとうございます", first[0]['text'])
        self.assertIn("（1/", first[-1]['text'])

        self.answer_questions(user)
        closing = self.messages(user)[-2:]
        self.assertIn("ご回答ありがとうございました", closing[0]['text'])
        cards = closing[1]
        self.assertEqual(cards['type'], 'flex')
        self.assertEqual(cards['altText'], "あなたにおすすめの支援")
        actions = [b['footer']['contents'][0]['action']
            for b in cards['contents']['contents']]
        self.assertIn('menu=jobs', [a['data'] for a in actions])

        # Her menu now puts the job search first
        menu = self.simulator.rich_menu(user)
        self.assertTrue(menu['linked'])
        self.assertEqual(menu['areas'][0]['action']['data'], 'menu=jobs')

        # The recommendation's button works: open jobs, full-time first
        jobs, = [a for a in actions if a['data'] == 'menu=jobs']
        self.tap(user, jobs)
        listing = self.messages(user)[-1]
        self.assertEqual(listing['type'], 'flex')
        first_job = listing['contents']['contents'][0]
        texts = [c['text'] for c in first_job['body']['contents']]
        self.assertIn("正社員", texts)

        # The scheduler sends the monthly survey; she answers it
        subprocess.run([os.path.join(BIN, 'trytond-cron'), '-c', self.conf,
                '-d', 'demo', '-1'], env=self.env, check=True,
            capture_output=True, timeout=120)
        invitation = self.messages(user)[-1]
        self.assertIn("アンケート", invitation['text'])
        start, = self.buttons(invitation)
        self.assertEqual(start['label'], "回答する")
        self.tap(user, start)
        self.answer_questions(user)
        self.assertIn("ご回答ありがとうございました",
            self.messages(user)[-1]['text'])

        self.assertEqual(self.line.invalid, [])
        self.assertEqual(self.line.profile_requests(), [])
        self.staff_see_answers()

    def test_question_to_staff(self):
        "The FAQ answers, offers choices, hands over; a counselor answers"
        user = line_webhook.random_user_id()
        self.send(user, 'follow')
        self.send(user, 'text', text="中断")

        self.send(user, 'text', text="相談するのにお金はかかりますか")
        self.assertIn("無料", self.messages(user)[-1]['text'])

        self.send(user, 'text', text="予約")
        labels = [b['label'] for b in self.buttons(self.messages(user)[-1])]
        self.assertIn("該当なし・担当者につなぐ", labels)
        self.assertGreaterEqual(len(labels), 3)

        self.send(user, 'text', text="担当の人と話したい")
        self.assertIn("までにお返事します", self.messages(user)[-1]['text'])

        if not (os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT)):
            return
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp), 'inbox.png')
        answer = "青木です。明日の10時にお電話してもよろしいですか。"
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', 'inbox_reply.mjs'),
                self.url, 'demo', 'counselor1', PASSWORD,
                "担当の人と話したい", answer, screenshot],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(result.returncode, 0, result.stderr)
        page = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertIn("担当の人と話したい", page['form'])
        self.assertIn("回答期限", page['form'])
        # The answer reaches her on LINE
        self.assertEqual(self.messages(user)[-1]['text'], answer)

    def staff_see_answers(self):
        "A counselor finds both responses in the back office, in Japanese"
        if not (os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT)):
            return
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp), 'responses.png')
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', 'responses.mjs'),
                self.url, 'demo', 'counselor1', PASSWORD, screenshot],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(result.returncode, 0, result.stderr)
        page = json.loads(result.stdout.strip().splitlines()[-1])
        rows = '\n'.join(page['rows'])
        self.assertIn("登録時診断", rows)
        self.assertIn("月次アンケート", rows)
        # Her answers, in Japanese
        self.assertIn("いまのお仕事の状況を教えてください。", page['form'])
        self.assertIn("すぐに仕事を探したい", page['form'])
