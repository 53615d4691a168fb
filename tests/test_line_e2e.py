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
import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
import unittest

from line_standin import StandIn
from line_standin import webhook as line_webhook
from line_standin.simulator import Simulator

from .test_browser import (
    BIN, CHROMIUM, PASSWORD, PLAYWRIGHT, ROOT, build_demo, demo_folder,
    serve_demo)

SECRET = 'demo-channel-secret'
# The progress hint of a question, e.g. （3/8）
QUESTION = re.compile(r'（\d+/\d+）')
CONTROLS = {'中断', '前の質問に戻る', 'スキップ'}
JST = dt.timezone(dt.timedelta(hours=9))
# Time travel for the reminders: the scheduler's job run at a given time
REMINDERS_AT = """
import sys, datetime as dt
from unittest.mock import patch
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
at = dt.datetime.fromisoformat(sys.argv[3])
pool = Pool(sys.argv[2])
pool.init()
with patch('sakai_counseling.booking.utcnow', return_value=at), \\
        Transaction().start(sys.argv[2], 0) as transaction:
    pool.get('counseling.booking').send_reminders()
    Message = pool.get('line.message')
    Message.deliver(Message.search([('state', '=', 'queued')]))
    transaction.commit()
"""
# Time travel for the counselor: her record completed after the session,
# as she clicks 完了 (her user, access checked as for the web client)
COMPLETE_AT = """
import sys, datetime as dt
from unittest.mock import patch
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
at = dt.datetime.fromisoformat(sys.argv[3])
pool = Pool(sys.argv[2])
pool.init()
with Transaction().start(sys.argv[2], 0) as transaction:
    user, = pool.get('res.user').search([('login', '=', 'counselor1')])
with patch('sakai_counseling.counseling.utcnow', return_value=at), \\
        Transaction().start(sys.argv[2], user.id,
            context={'_check_access': True}) as transaction:
    Record = pool.get('counseling.record')
    Record.complete(Record.browse([int(sys.argv[4])]))
    transaction.commit()
"""
# What she answers, by the start of a choice's label; other questions
# get their first choice
PREFERRED = ['すぐに仕事を探したい', '1 ']


def serve_demo_with_simulator(cls):
    """Serve the demo database of the test class with the LINE stand-in and
    its simulator (cls.simulator, cls.line) as the demo's LINE"""
    demo_folder(cls)
    webhook = f'http://127.0.0.1:{cls.port}/demo/line/webhook'
    cls.simulator = Simulator(webhook, SECRET)
    cls.line = StandIn(simulator=cls.simulator).start()
    cls.addClassCleanup(cls.line.stop)
    cls.conf, cls.env = build_demo(cls.tmp, cls.port,
        conf_extra='[sakai_line]\ndemo = True\n', env_extra={
            'SAKAI_LINE_API_ENDPOINT': cls.line.url,
            'SAKAI_LINE_API_DATA_ENDPOINT': cls.line.url,
            'SAKAI_LINE_LOGIN_ENDPOINT': cls.line.url,
            })
    subprocess.run([sys.executable,
            os.path.join(ROOT, 'tools', 'line_sync.py'),
            '-c', cls.conf, '-d', 'demo',
            '--simulator', cls.line.url + '/simulator/'],
        env=cls.env, check=True, capture_output=True)
    serve_demo(cls)


class JsonRpc:
    "Calls to the server as the web client makes them, as one user"

    def __init__(self, url, login, password):
        import requests
        self.url = url
        self.session = requests.Session()
        user_id, session, _ = self._call('common.db.login',
            [login, {'password': password}, 'ja'])
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.session.headers['Authorization'] = f'Session {token}'

    def _call(self, method, params):
        response = self.session.post(self.url, json={
                'id': 1, 'method': method, 'params': params}, timeout=60)
        response.raise_for_status()
        result = response.json()
        if result.get('error'):
            raise AssertionError(result['error'])
        return result['result']

    def __call__(self, method, *params):
        return self._call(method, list(params) + [{}])


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "runs on the SQLite demo database; it runs with `make test`")
class NewcomerTestCase(unittest.TestCase):
    "A newcomer on LINE, end to end"

    @classmethod
    def setUpClass(cls):
        serve_demo_with_simulator(cls)

    def browser(self, script, screenshot, *args):
        """Run tests/browser/<script> as counselor1 in headless Chromium;
        return what it found, or None without Chromium"""
        if not (os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT)):
            return None
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp), screenshot)
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', script),
                self.url, 'demo', 'counselor1', PASSWORD, *args, screenshot],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

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

        answer = "青木です。明日の10時にお電話してもよろしいですか。"
        page = self.browser('inbox_reply.mjs', 'inbox.png',
            "担当の人と話したい", answer)
        if page is None:
            return
        self.assertIn("担当の人と話したい", page['form'])
        self.assertIn("回答期限", page['form'])
        # The answer reaches her on LINE
        self.assertEqual(self.messages(user)[-1]['text'], answer)

    def test_crisis_in_simulator(self):
        """「もう疲れた。死にたい」 in the simulator: the contacts first and
        alone, then when a person calls, never a day-long deadline
        (docs/screenshots/line-simulator-crisis.png)"""
        if not (os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT)):
            self.skipTest("needs chromium and `npm ci`")
        screenshot = os.path.join(os.environ.get('SCREENSHOT_DIR', self.tmp),
            'line-simulator-crisis.png')
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', 'simulator_crisis.mjs'),
                self.line.url, "もう疲れた。死にたい", screenshot],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(result.returncode, 0, result.stderr)
        texts = json.loads(result.stdout.strip().splitlines()[-1])['texts']
        said = texts.index("もう疲れた。死にたい")
        contacts, staff = texts[said + 1:said + 3]
        self.assertIn("いのちの電話 0120-783-556", contacts)
        self.assertNotIn("担当者", contacts)
        self.assertIn("LINEでご連絡します", staff)
        self.assertNotIn("までにお返事します", staff)

    def test_booking(self):
        """Counseling tonight 00:00-01:00 from the rich menu, reminders, and
        job introduction once a counselor's record says the direction is
        clear; the booking in the counselors' calendar"""
        user = line_webhook.random_user_id()
        self.send(user, 'follow')
        self.send(user, 'text', text="中断")
        menu = self.simulator.rich_menu(user)
        booking_area, = [a for a in menu['areas']
            if a['action'].get('data') == 'menu=booking']
        self.tap(user, booking_area['action'])
        kinds = {b['label']: b for b in self.buttons(self.messages(user)[-1])}
        self.tap(user, kinds['キャリア相談'])
        methods = {b['label']: b
            for b in self.buttons(self.messages(user)[-1])}
        self.tap(user, methods['チャット'])

        # Tonight's midnight, unless it is too close to book
        now = dt.datetime.now(JST).replace(tzinfo=None)
        midnight = dt.datetime.combine(
            now.date() + dt.timedelta(days=1), dt.time(0))
        if midnight - now < dt.timedelta(minutes=40):
            midnight += dt.timedelta(days=1)
        evening = midnight.date() - dt.timedelta(days=1)
        day, = [b for b in self.buttons(self.messages(user)[-1])
            if 'd=%s' % evening.isoformat() in b['data']]
        self.tap(user, day)
        times = self.messages(user)[-1]
        self.assertEqual(times['type'], 'flex')
        tonight, = [b['action'] for bubble in times['contents']['contents']
            for b in bubble['body']['contents']
            if b['action']['label'] == '0:00〜1:00']
        self.tap(user, tonight)
        confirm = {b['label']: b
            for b in self.buttons(self.messages(user)[-1])}
        self.tap(user, confirm['予約する'])
        confirmation = self.messages(user)[-1]['text']
        self.assertIn("ご予約を承りました", confirmation)
        self.assertIn("0:00〜1:00（%d/%dの深夜）" % (
                evening.month, evening.day), confirmation)

        # Time travel: the day before at 18:00 (if booked before), then
        # an hour before
        start = midnight - dt.timedelta(hours=9)  # UTC
        day_before = dt.datetime.combine(evening, dt.time(18)) \
            - dt.timedelta(hours=9)
        booked = now - dt.timedelta(hours=9)
        for at, expected in [
                (day_before, "明日のご予約" if booked < day_before else None),
                (start - dt.timedelta(hours=1), "まもなく（1時間後）"),
                ]:
            count = len(self.messages(user))
            subprocess.run([sys.executable, '-c', REMINDERS_AT, self.conf,
                    'demo', at.isoformat()], env=self.env, check=True,
                capture_output=True, timeout=120)
            new = self.messages(user)[count:]
            if expected:
                self.assertEqual(len(new), 1, new)
                self.assertIn(expected, new[0]['text'])
                self.assertIn("0:00〜1:00", new[0]['text'])
            else:
                self.assertEqual(new, [])

        # No job introduction before counseling
        self.tap(user, booking_area['action'])
        kinds = {b['label']: b
            for b in self.buttons(self.messages(user)[-1])}
        self.tap(user, kinds['職業紹介'])
        self.assertIn("まずはキャリア相談", self.messages(user)[-1]['text'])

        # The counselor writes the session's record: the direction is clear
        self.complete_record(user)
        self.tap(user, kinds['職業紹介'])
        methods = {b['label']: b
            for b in self.buttons(self.messages(user)[-1])}
        self.tap(user, methods['電話'])
        self.tap(user, self.buttons(self.messages(user)[-1])[0])
        times = self.messages(user)[-1]
        first = times['contents']['contents'][0]['body']['contents'][0]
        self.tap(user, first['action'])
        confirm = {b['label']: b
            for b in self.buttons(self.messages(user)[-1])}
        self.tap(user, confirm['予約する'])
        confirmation = self.messages(user)[-1]['text']
        self.assertIn("ご予約を承りました", confirmation)
        self.assertIn("種類：職業紹介", confirmation)
        self.assertEqual(self.line.invalid, [])
        self.assertEqual(self.line.profile_requests(), [])
        self.calendar_in_japanese()

    def complete_record(self, user):
        """counselor1 completes the record of her booking, direction clear,
        through the JSON-RPC the web client uses"""
        rpc = JsonRpc(f'{self.url}/demo/rpc/', 'counselor1', PASSWORD)
        booking_id, = rpc('model.counseling.booking.search',
            [('line_user.line_id', '=', user)], 0, None, None)
        rpc('model.counseling.booking.write_record', [booking_id])
        record_id, = rpc('model.counseling.record.search',
            [('booking', '=', booking_id)], 0, None, None)
        record, = rpc('model.counseling.record.read', [record_id],
            ['person', 'kind', 'steps'])
        # Staff see the LINE friend's reference, never the LINE user ID
        self.assertRegex(record['person'], r'^LINE-\d{4}$')
        self.assertNotIn(user, record['person'])
        self.assertEqual(len(record['steps']), 6)
        rpc('model.counseling.record.write', [record_id], {
                'notes': "事務職を希望。方向性が定まった。",
                'direction_clear': True})
        # Not before the session has taken place
        with self.assertRaises(AssertionError) as cm:
            rpc('model.counseling.record.complete', [record_id])
        self.assertIn("行われる前には完了できません", str(cm.exception))
        booking, = rpc('model.counseling.booking.read', [booking_id],
            ['state', 'start'])
        self.assertEqual(booking['state'], 'booked')
        start = booking['start']
        if isinstance(start, dict):  # JSON-RPC's datetime
            start = dt.datetime(start['year'], start['month'], start['day'],
                start['hour'], start['minute'])
        subprocess.run([sys.executable, '-c', COMPLETE_AT, self.conf, 'demo',
                (start + dt.timedelta(hours=1)).isoformat(), str(record_id)],
            env=self.env, check=True, capture_output=True, timeout=120)
        booking, = rpc('model.counseling.booking.read', [booking_id],
            ['state'])
        self.assertEqual(booking['state'], 'done')

    def calendar_in_japanese(self):
        "The counselors' booking calendar, week and day, in Japanese"
        page = self.browser('booking_calendar.mjs', 'booking-calendar.png')
        if page is None:
            return
        self.assertEqual(page['toolbar'][:4], ['今日', '月', '週', '日'])
        self.assertRegex(page['week']['title'], r'^\d{4}年\d+月')
        self.assertEqual(len(page['week']['headers']), 7)
        self.assertRegex(page['week']['headers'][0], r'^[日月火水木金土] ')
        self.assertTrue(any('キャリア相談 / ' in e
                for e in page['week']['events']), page['week']['events'])
        self.assertEqual(len(page['day']['headers']), 1)
        self.assertRegex(page['day']['headers'][0], r'[日月火水木金土]曜日')

    def staff_see_answers(self):
        "A counselor finds both responses in the back office, in Japanese"
        page = self.browser('responses.mjs', 'responses.png')
        if page is None:
            return
        rows = '\n'.join(page['rows'])
        self.assertIn("登録時診断", rows)
        self.assertIn("月次アンケート", rows)
        # Her answers, in Japanese
        self.assertIn("いまのお仕事の状況を教えてください。", page['form'])
        self.assertIn("すぐに仕事を探したい", page['form'])
