"""The LINE chat simulator of line_standin (line_standin/simulator/):
webhook events signed and valid, messages pushed by the real line-bot-sdk
client shown to the right user, block state mirrored, and the page itself in
headless Chromium.

    .venv/bin/python -m unittest tests.test_line_simulator -v

SCREENSHOT_DIR=docs/screenshots keeps the browser test's screenshot
(docs/screenshots/line-simulator.png).
"""
import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse

import requests
from linebot.v3.messaging import (
    ApiClient, Configuration, CreateRichMenuAliasRequest,
    DatetimePickerAction, FlexBox, FlexBubble, FlexButton, FlexImage,
    FlexMessage, FlexSeparator, FlexText, MessageAction, MessagingApi,
    MessagingApiBlob, MulticastRequest, PostbackAction, PushMessageRequest,
    QuickReply, QuickReplyItem, ReplyMessageRequest, RichMenuArea,
    RichMenuBounds, RichMenuRequest, RichMenuSize, RichMenuSwitchAction,
    TextMessage, URIAction)
from linebot.v3.webhook import SignatureValidator, WebhookParser
from linebot.v3.webhooks import (
    FollowEvent, MessageEvent, PostbackEvent, TextMessageContent,
    UnfollowEvent)

from line_standin import StandIn, webhook
from line_standin.simulator import Simulator
from tests.tools import LocalServer, striped_png

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _line_sync():
    "tools/line_sync.py, which `make start` runs after the stand-in starts"
    spec = importlib.util.spec_from_file_location(
        'line_sync', os.path.join(ROOT, 'tools', 'line_sync.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


name_simulator = _line_sync().name_simulator

SECRET = 'test-channel-secret'
TOKEN = 'test-channel-access-token'
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
PLAYWRIGHT = os.path.join(ROOT, 'node_modules', 'playwright-core')
SCRIPT = os.path.join(ROOT, 'line_standin', 'simulator', 'screenshot.mjs')


class Receiver(LocalServer):
    """A tiny stand-in for our app's webhook: checks the signature with the
    SDK's SignatureValidator (403 if wrong), the body with webhook.yml (400
    if invalid), and records the events, raw and parsed by the SDK."""

    def __init__(self, secret=SECRET):
        self.secret = secret
        self.events = []          # raw event dicts
        self.parsed = []          # line-bot-sdk event objects
        self.bodies = []
        self.headers = []
        self.rejected = []        # (status, reason)
        self.changed = threading.Condition()
        super().__init__(lambda request: (self.receive(
                    request.rfile.read(
                        int(request.headers['Content-Length'])),
                    request.headers), {}), 'POST')
        self.url += '/sakai/line/webhook'

    def receive(self, raw, headers):
        signature = headers.get('X-Line-Signature', '')
        text = raw.decode('utf-8')
        with self.changed:
            if not SignatureValidator(self.secret).validate(text, signature):
                self.rejected.append((403, 'signature'))
                self.changed.notify_all()
                return 403
            try:
                webhook.validate_body(raw)
            except webhook.WebhookValidationError as exc:
                self.rejected.append((400, str(exc)))
                self.changed.notify_all()
                return 400
            parsed = WebhookParser(self.secret).parse(text, signature)
            self.bodies.append(json.loads(text))
            self.headers.append(dict(headers))
            self.events.extend(json.loads(text)['events'])
            self.parsed.extend(parsed)
            self.changed.notify_all()
        return 200

    def wait(self, count, timeout=30):
        "Wait until *count* events arrived; return the last one."
        with self.changed:
            if not self.changed.wait_for(
                    lambda: len(self.events) >= count, timeout):
                raise AssertionError(f'{count} events expected, got '
                    f'{len(self.events)}: {self.events}')
            return self.events[count - 1]

    def clear(self):
        with self.changed:
            del self.events[:], self.parsed[:], self.bodies[:]
            del self.headers[:], self.rejected[:]


def seminar_bubble():
    "A small Flex bubble with an image, texts, a separator and buttons."
    return FlexBubble(size='kilo',
        hero=FlexImage(url='https://example.com/seminar.png', size='full',
            aspect_ratio='20:9', aspect_mode='cover'),
        body=FlexBox(layout='vertical', spacing='sm', contents=[
            FlexText(text='就職セミナーのご案内', weight='bold', size='lg'),
            FlexText(text='12月5日（金）10:00〜12:00\n堺市総合福祉会館',
                wrap=True, size='sm', color='#555555'),
            FlexSeparator(margin='md'),
            FlexBox(layout='baseline', margin='md', contents=[
                FlexText(text='定員', size='sm', color='#888888', flex=1),
                FlexText(text='20名（託児あり）', size='sm', flex=3)]),
        ]),
        footer=FlexBox(layout='vertical', spacing='sm', contents=[
            FlexButton(style='primary', height='sm', action=PostbackAction(
                label='申し込む', data='seminar=12&action=apply',
                display_text='セミナーに申し込みます')),
            FlexButton(style='link', height='sm', action=DatetimePickerAction(
                label='相談日を選ぶ', data='reserve=consultation',
                mode='date', initial='2026-04-01')),
        ]))


def welcome_text():
    return TextMessage(
        text='友だち追加ありがとうございます。\nご相談の内容を選んでください。',
        quick_reply=QuickReply(items=[
            QuickReplyItem(action=MessageAction(
                label='仕事を探したい', text='仕事を探したい')),
            QuickReplyItem(action=PostbackAction(
                label='相談を予約', data='menu=reserve',
                display_text='相談を予約したい')),
            QuickReplyItem(action=DatetimePickerAction(
                label='日付を選ぶ', data='menu=date', mode='date')),
        ]))


class SimulatorTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.stop)
        cls.simulator = Simulator(cls.receiver.url, SECRET)
        cls.line = StandIn(simulator=cls.simulator).start()
        cls.addClassCleanup(cls.line.stop)

    def setUp(self):
        self.line.reset()
        self.receiver.clear()
        self.simulator.channel_secret = SECRET
        self.simulator.webhook_url = self.receiver.url
        self.client = ApiClient(
            Configuration(host=self.line.url, access_token=TOKEN))
        self.addCleanup(self.client.close)
        self.api = MessagingApi(self.client)
        self.user = webhook.random_user_id()

    def tearDown(self):
        # the simulator's paths are neither validated nor recorded
        self.assertFalse([r for r in self.line.requests
                if r.path.startswith('/simulator')])
        self.assertEqual(self.line.invalid, [])
        self.assertEqual(self.line.response_errors, [])

    def event(self, kind, user=None, **fields):
        response = requests.post(self.line.url + '/simulator/api/event',
            json=dict(userId=user or self.user, kind=kind, **fields),
            timeout=15)
        return response.status_code, response.json()

    def messages(self, user=None, since=0):
        response = requests.get(self.line.url + '/simulator/api/messages',
            params={'userId': user or self.user, 'since': since}, timeout=10)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def push(self, to, *messages):
        return self.api.push_message(
            PushMessageRequest(to=to, messages=list(messages)))


class TestPage(SimulatorTestCase):

    def test_page_is_served(self):
        response = requests.get(self.line.url + '/simulator/', timeout=10)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers['Content-Type'], 'text/html; charset=utf-8')
        page = response.text
        for label in ('友だち追加', 'ブロック', 'ブロック解除', '利用者',
                'メッセージを入力', '友だち追加経路のURLを開く',
                'リッチメニュー'):
            self.assertIn(label, page)
        self.assertIn('<html lang="ja">', page)
        # self-contained: no external scripts, styles or fonts
        self.assertNotRegex(
            page, r'<(script|link)[^>]*\s(src|href)="(?!data:)')
        self.assertNotRegex(page, r'@import|url\(\s*["\']?https?:')

        redirect = requests.get(self.line.url + '/simulator',
            allow_redirects=False, timeout=10)
        self.assertEqual(redirect.status_code, 301)
        self.assertEqual(redirect.headers['Location'], '/simulator/')
        config = requests.get(
            self.line.url + '/simulator/api/config', timeout=10).json()
        self.assertEqual(config['webhook'], self.receiver.url)
        self.assertRegex(config['destination'], r'^U[0-9a-f]{32}$')
        self.assertEqual(requests.get(self.line.url + '/simulator/nothing',
                timeout=10).status_code, 404)

    def test_header_and_link_box_name_the_app(self):
        "The header shows the service's name, the link box the app's port"
        self.addCleanup(setattr, self.simulator, 'account_name',
            self.simulator.account_name)
        app = re.match(r'http://[^/]+', self.receiver.url).group(0)
        config = requests.get(
            self.line.url + '/simulator/api/config', timeout=10).json()
        self.assertEqual(config['appUrl'], app)
        self.assertNotEqual(app, 'http://127.0.0.1:8000')
        # no port of its own in the page: it comes from the config
        self.assertNotIn(':8000', requests.get(
                self.line.url + '/simulator/', timeout=10).text)

        # tools/line_sync.py tells it the programme's name
        name_simulator(self.line.url + '/simulator/', '堺市ひとり親×仕事サポートLINE')
        config = requests.get(
            self.line.url + '/simulator/api/config', timeout=10).json()
        self.assertEqual(config['accountName'], '堺市ひとり親×仕事サポートLINE')
        for bad in ['', '  ', 'x' * 101, 12]:
            with self.subTest(name=bad):
                response = requests.post(
                    self.line.url + '/simulator/api/config',
                    json={'accountName': bad}, timeout=10)
                self.assertEqual(response.status_code, 400)

    def test_without_simulator_paths_are_line_404(self):
        with StandIn() as line:
            response = requests.get(line.url + '/simulator/', timeout=10)
            self.assertEqual(response.status_code, 404)
            self.assertEqual(len(line.requests), 1)


class TestEvents(SimulatorTestCase):

    def test_follow_text_postback_unfollow_unblock(self):
        status, answer = self.event('follow')
        self.assertEqual((status, answer['status']), (200, 200))
        status, answer = self.event('text', text='こんにちは')
        self.assertEqual(answer['status'], 200)
        status, answer = self.event('postback', data='menu=reserve',
            params={'date': '2026-04-01'}, displayText='相談を予約したい')
        self.assertEqual(answer['status'], 200)
        self.assertEqual(self.event('unfollow')[1]['status'], 200)
        self.assertEqual(self.event('unblock')[1]['status'], 200)
        self.receiver.wait(5)
        self.assertEqual(self.receiver.rejected, [])

        follow, text, postback, unfollow, unblock = self.receiver.events
        self.assertEqual([e['type'] for e in self.receiver.events],
            ['follow', 'message', 'postback', 'unfollow', 'follow'])
        for event in self.receiver.events:
            self.assertEqual(event['source'],
                {'type': 'user', 'userId': self.user})
            self.assertEqual(event['mode'], 'active')
        self.assertEqual(follow['follow'], {'isUnblocked': False})
        self.assertEqual(unblock['follow'], {'isUnblocked': True})
        self.assertEqual(text['message']['text'], 'こんにちは')
        self.assertEqual(postback['postback'], {
            'data': 'menu=reserve', 'params': {'date': '2026-04-01'}})
        self.assertNotIn('replyToken', unfollow)
        # each body validates against webhook.yml and names the bot
        destinations = set()
        for body in self.receiver.bodies:
            webhook.validate_body(body)
            destinations.add(body['destination'])
        self.assertEqual(destinations, {self.simulator.destination})
        self.assertEqual(self.receiver.headers[0]['User-Agent'],
            'LineBotWebhook/2.0')

        parsed = self.receiver.parsed
        self.assertIsInstance(parsed[0], FollowEvent)
        self.assertIsInstance(parsed[1], MessageEvent)
        self.assertIsInstance(parsed[1].message, TextMessageContent)
        self.assertIsInstance(parsed[2], PostbackEvent)
        self.assertEqual(parsed[2].postback.params, {'date': '2026-04-01'})
        self.assertIsInstance(parsed[3], UnfollowEvent)
        self.assertTrue(parsed[4].follow.is_unblocked)

        # what the page redraws from after a reload
        view = self.messages()
        self.assertEqual(view['state'], 'friend')
        self.assertEqual([e['kind'] for e in view['events']],
            ['follow', 'text', 'postback', 'unfollow', 'unblock'])
        self.assertEqual(view['events'][2]['displayText'], '相談を予約したい')
        self.assertEqual({e['status'] for e in view['events']}, {200})
        self.assertEqual(self.line.follower_stats,
            {'followers': 1, 'targetedReaches': 1})

    def test_reply_tokens_are_accepted_by_the_standin(self):
        for (kind, fields), answer in (
                (('follow', {}), 'ようこそ'),
                (('text', {'text': '相談したいです'}), '承りました'),
                (('postback', {'data': 'menu=jobs'}), '求人をご案内します')):
            self.event(kind, **fields)
            self.api.reply_message(ReplyMessageRequest(
                reply_token=self.receiver.events[-1]['replyToken'],
                messages=[TextMessage(text=answer)]))
        view = self.messages()
        self.assertEqual([m['message']['text'] for m in view['messages']],
            ['ようこそ', '承りました', '求人をご案内します'])
        # each event comes before the reply to it (the page interleaves
        # its own events by `mark`, an index of the delivered list)
        marks = [e['mark'] for e in view['events']]
        indexes = [m['index'] for m in view['messages']]
        self.assertEqual(marks, [0, 1, 2])
        self.assertEqual(indexes, [0, 1, 2])

    def test_wrong_secret_and_unreachable_webhook(self):
        self.simulator.channel_secret = 'not-the-secret'
        status, answer = self.event('follow')
        self.assertEqual((status, answer['status']), (200, 403))
        self.assertEqual(self.receiver.rejected, [(403, 'signature')])
        self.assertEqual(self.receiver.events, [])

        self.simulator.webhook_url = 'http://127.0.0.1:9/line/webhook'
        status, answer = self.event('text', text='x')
        self.assertEqual(status, 502)
        self.assertIsNone(answer['status'])
        self.assertIn('ConnectionError', answer['error'])
        self.assertEqual([e['error'] is None for e in
                self.messages()['events']], [True, False])

    def test_bad_requests(self):
        cases = [
            {'userId': 'U123', 'kind': 'follow'},
            {'userId': self.user, 'kind': 'join'},
            {'userId': self.user, 'kind': 'text', 'text': '  '},
            {'userId': self.user, 'kind': 'text', 'text': 'x' * 5001},
            {'userId': self.user, 'kind': 'postback'},
            {'userId': self.user, 'kind': 'postback', 'data': 'x',
                'params': {'date': 1}},
        ]
        for body in cases:
            with self.subTest(body=body):
                response = requests.post(
                    self.line.url + '/simulator/api/event', json=body,
                    timeout=10)
                self.assertEqual(response.status_code, 400)
                self.assertIn('error', response.json())
        response = requests.post(self.line.url + '/simulator/api/event',
            data=b'not json', timeout=10)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(requests.get(self.line.url + '/simulator/api/event',
                timeout=10).status_code, 405)
        self.assertEqual(requests.get(
                self.line.url + '/simulator/api/messages?userId=x',
                timeout=10).status_code, 400)
        self.assertEqual(self.receiver.events, [])


class TestMessages(SimulatorTestCase):

    def test_pushed_messages_for_that_user_only(self):
        other = webhook.random_user_id()
        self.event('follow')
        self.event('follow', user=other)
        self.push(self.user, FlexMessage(
                alt_text='セミナーのご案内', contents=seminar_bubble()),
            welcome_text())
        self.push(other, TextMessage(text='別の人へ'))
        self.api.multicast(MulticastRequest(to=[self.user, other],
                messages=[TextMessage(text='お知らせ')]))

        view = self.messages()
        kinds = [m['message']['type'] for m in view['messages']]
        self.assertEqual(kinds, ['flex', 'text', 'text'])
        flex, text, notice = [m['message'] for m in view['messages']]
        self.assertEqual(flex['contents']['type'], 'bubble')
        self.assertEqual(flex['contents']['footer']['contents'][0]['action'],
            {'type': 'postback', 'label': '申し込む',
                'data': 'seminar=12&action=apply',
                'displayText': 'セミナーに申し込みます'})
        self.assertEqual(len(text['quickReply']['items']), 3)
        self.assertEqual(notice['text'], 'お知らせ')
        self.assertEqual(view['next'], 5)
        for item in view['messages']:
            self.assertIsInstance(item['time'], float)
        self.assertEqual([m['message']['text'] for m in
                self.messages(other)['messages']], ['別の人へ', 'お知らせ'])

        # since: only what is new; nothing new is nothing
        self.assertEqual(self.messages(since=view['next'])['messages'], [])
        self.push(self.user, TextMessage(text='次のお知らせ'))
        newer = self.messages(since=view['next'])
        self.assertEqual([m['index'] for m in newer['messages']], [5])
        # after line.reset() a stale `since` starts again from 0
        self.line.reset()
        self.assertTrue(self.messages(since=view['next'])['reset'])

    def test_nothing_pushed_while_blocked(self):
        self.event('follow')
        self.push(self.user, TextMessage(text='ようこそ'))
        self.assertEqual(self.event('unfollow')[1]['status'], 200)
        self.assertIn(self.user, self.line.blocked)
        self.assertEqual(self.messages()['state'], 'blocked')
        # LINE answers 200 but the blocked user receives nothing
        self.push(self.user, TextMessage(text='ブロック中のお知らせ'))
        self.api.multicast(MulticastRequest(to=[self.user],
                messages=[TextMessage(text='ブロック中の一斉送信')]))
        self.assertEqual([m['message']['text'] for m in
                self.messages()['messages']], ['ようこそ'])
        # a blocked user cannot write to the account
        status, answer = self.event('text', text='もしもし')
        self.assertEqual(status, 409)
        self.assertEqual(len(self.receiver.events), 2)

        self.assertEqual(self.event('unblock')[1]['status'], 200)
        self.assertNotIn(self.user, self.line.blocked)
        self.push(self.user, TextMessage(text='おかえりなさい'))
        self.assertEqual([m['message']['text'] for m in
                self.messages()['messages']], ['ようこそ', 'おかえりなさい'])
        self.assertEqual(self.line.follower_stats,
            {'followers': 1, 'targetedReaches': 1})


GREEN, ORANGE, BLUE = (6, 199, 85), (255, 183, 0), (60, 120, 220)


def main_menu():
    "The default menu: three areas (postback, message, URI)."
    return RichMenuRequest(
        size=RichMenuSize(width=2500, height=843), selected=True,
        name='main', chat_bar_text='メニュー', areas=[
            RichMenuArea(
                bounds=RichMenuBounds(x=0, y=0, width=833, height=843),
                action=PostbackAction(label='相談を予約', data='menu=reserve',
                    display_text='相談を予約したい')),
            RichMenuArea(
                bounds=RichMenuBounds(x=833, y=0, width=834, height=843),
                action=MessageAction(label='求人を探す', text='求人を探す')),
            RichMenuArea(
                bounds=RichMenuBounds(x=1667, y=0, width=833, height=843),
                action=URIAction(label='サイト', uri='https://example.com/')),
        ])


def diagnosed_menu():
    "What the app links to a user after a diagnosis."
    return RichMenuRequest(
        size=RichMenuSize(width=2500, height=843), selected=False,
        name='diagnosed', chat_bar_text='おすすめ', areas=[
            RichMenuArea(
                bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
                action=PostbackAction(label='おすすめ求人', data='menu=jobs')),
            RichMenuArea(
                bounds=RichMenuBounds(x=1250, y=0, width=1250, height=843),
                action=DatetimePickerAction(label='面談日', data='menu=date',
                    mode='date')),
        ])


class RichMenuMixin:

    def create_menu(self, request, colors):
        rich_menu_id = self.api.create_rich_menu(request).rich_menu_id
        MessagingApiBlob(self.client).set_rich_menu_image(rich_menu_id,
            striped_png(2500, 843, colors),
            _headers={'Content-Type': 'image/png'})
        return rich_menu_id

    def rich_menu(self, user=None):
        response = requests.get(self.line.url + '/simulator/api/richmenu',
            params={'userId': user or self.user}, timeout=10)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()


class TestRichMenu(RichMenuMixin, SimulatorTestCase):

    def test_linked_else_default_else_none(self):
        other = webhook.random_user_id()
        self.assertIsNone(self.rich_menu())
        self.assertIsNone(self.messages()['richMenu'])

        main = self.create_menu(main_menu(), [GREEN, ORANGE, BLUE])
        diagnosed = self.create_menu(diagnosed_menu(), [BLUE, ORANGE])
        self.assertIsNone(self.rich_menu())   # nothing set yet
        self.api.set_default_rich_menu(main)
        self.api.link_rich_menu_id_to_user(other, diagnosed)

        menu = self.rich_menu()
        self.assertEqual(menu['richMenuId'], main)
        self.assertEqual((menu['chatBarText'], menu['selected'],
                menu['linked'], menu['size']),
            ('メニュー', True, False, {'width': 2500, 'height': 843}))
        self.assertEqual(menu['image'],
            f'/simulator/api/richmenu/{main}/image')
        self.assertEqual([a['action']['type'] for a in menu['areas']],
            ['postback', 'message', 'uri'])
        self.assertEqual(menu['areas'][0], {
            'bounds': {'x': 0, 'y': 0, 'width': 833, 'height': 843},
            'action': {'type': 'postback', 'label': '相談を予約',
                'data': 'menu=reserve', 'displayText': '相談を予約したい'}})
        self.assertEqual(self.messages()['richMenu'], menu)

        linked = self.rich_menu(other)
        self.assertEqual((linked['richMenuId'], linked['chatBarText'],
                linked['selected'], linked['linked']),
            (diagnosed, 'おすすめ', False, True))

        image = requests.get(self.line.url + linked['image'], timeout=10)
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image.headers['Content-Type'], 'image/png')
        self.assertEqual(image.content, striped_png(2500, 843, [BLUE, ORANGE]))

        # the app takes its menu back: the default again; then none
        self.api.unlink_rich_menu_id_from_user(other)
        self.assertEqual(self.rich_menu(other)['richMenuId'], main)
        self.api.cancel_default_rich_menu()
        self.assertIsNone(self.rich_menu(other))

        for path in ('/simulator/api/richmenu?userId=U1',
                '/simulator/api/richmenu/richmenu-nothing/image'):
            with self.subTest(path=path):
                self.assertIn(requests.get(self.line.url + path,
                    timeout=10).status_code, (400, 404))

    def test_tapping_an_area_sends_its_postback(self):
        self.api.set_default_rich_menu(
            self.create_menu(main_menu(), [GREEN, ORANGE, BLUE]))
        self.event('follow')
        action = self.rich_menu()['areas'][0]['action']
        # what the page sends for a postback area
        status, answer = self.event('postback', data=action['data'],
            displayText=action['displayText'])
        self.assertEqual((status, answer['status']), (200, 200))
        postback = self.receiver.wait(2)
        self.assertEqual(self.receiver.rejected, [])   # signed, valid
        self.assertEqual(postback['postback'], {'data': 'menu=reserve'})
        self.assertIsInstance(self.receiver.parsed[1], PostbackEvent)
        self.assertEqual(self.messages()['events'][1]['displayText'],
            '相談を予約したい')

    def test_richmenuswitch_areas(self):
        tabs = {}
        for alias, other, colors in (('tab-a', 'tab-b', [GREEN, ORANGE]),
                ('tab-b', 'tab-a', [ORANGE, GREEN])):
            tabs[alias] = self.create_menu(RichMenuRequest(
                size=RichMenuSize(width=2500, height=843), selected=False,
                name=alias, chat_bar_text=alias, areas=[RichMenuArea(
                    bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
                    action=RichMenuSwitchAction(rich_menu_alias_id=other,
                        data=f'switch-to={other}'))]), colors)
            self.api.create_rich_menu_alias(CreateRichMenuAliasRequest(
                rich_menu_alias_id=alias, rich_menu_id=tabs[alias]))
        self.api.set_default_rich_menu(tabs['tab-a'])
        self.event('follow')
        action = self.rich_menu()['areas'][0]['action']
        self.assertEqual(action['type'], 'richmenuswitch')

        def switch(alias, data):
            response = requests.post(
                self.line.url + '/simulator/api/richmenu-switch',
                json={'userId': self.user, 'richMenuAliasId': alias,
                    'data': data}, timeout=15)
            self.assertEqual(response.status_code, 200, response.text)
            return response.json()
        answer = switch(action['richMenuAliasId'], action['data'])
        self.assertEqual(answer['status'], 200)
        self.assertEqual((answer['richMenu']['richMenuId'],
                answer['richMenu']['switched']), (tabs['tab-b'], True))
        self.assertEqual(self.rich_menu(), answer['richMenu'])
        postback = self.receiver.wait(2)['postback']
        self.assertEqual(postback, {'data': 'switch-to=tab-b', 'params': {
            'newRichMenuAliasId': 'tab-b', 'status': 'SUCCESS'}})
        # on the phone only: the user's linked menu has not changed
        self.assertNotIn(self.user, self.line.user_rich_menus)
        # an unknown alias: the menu stays, LINE says why
        answer = switch('tab-z', 'switch-to=tab-z')
        self.assertEqual(answer['richMenu']['richMenuId'], tabs['tab-b'])
        self.assertEqual(self.receiver.wait(3)['postback']['params'],
            {'newRichMenuAliasId': 'tab-z',
                'status': 'RICHMENU_ALIAS_ID_NOTFOUND'})
        # the app links a menu to the user: the switch is over
        diagnosed = self.create_menu(diagnosed_menu(), [BLUE, ORANGE])
        self.api.link_rich_menu_id_to_user(self.user, diagnosed)
        menu = self.rich_menu()
        self.assertEqual((menu['richMenuId'], menu['switched']),
            (diagnosed, False))
        self.assertEqual(self.receiver.rejected, [])


class FakeApp(LocalServer):
    """Our app's side of a tracked add-friend link, played by a small
    http.server: ``/r/<source>`` sets a session cookie and redirects to
    LINE Login's authorization (``bot_prompt=aggressive``) with a random
    state and nonce; ``/callback`` checks state and cookie, exchanges the
    code and verifies the ID token with requests, records who came from
    where, and redirects to the account's add-friend page on LINE."""

    CHANNEL = '1234567890'
    SECRET = 'login-secret'
    FINAL = 'https://line.me/R/ti/p/@demo'

    def __init__(self, login_host):
        self.login_host = login_host
        self.pending = {}         # state -> (source, nonce, session)
        self.attributions = []    # {source, sub, friendship_status_changed}
        self.errors = []
        super().__init__(
            lambda request: self.handle(request.path, request.headers), 'GET')
        self.callback = self.url + '/callback'

    def handle(self, path, headers):
        split = urllib.parse.urlsplit(path)
        query = dict(urllib.parse.parse_qsl(split.query))
        if split.path.startswith('/r/'):
            state, nonce = secrets.token_hex(8), secrets.token_hex(8)
            session = secrets.token_hex(8)
            self.pending[state] = (split.path[3:], nonce, session)
            return 302, {
                'Set-Cookie': f'sid={session}; Path=/; HttpOnly',
                'Location': self.login_host + '/oauth2/v2.1/authorize?'
                + urllib.parse.urlencode({
                    'response_type': 'code', 'client_id': self.CHANNEL,
                    'redirect_uri': self.callback, 'state': state,
                    'scope': 'openid', 'bot_prompt': 'aggressive',
                    'nonce': nonce})}
        if split.path == '/callback':
            source, nonce, session = self.pending.pop(
                query.get('state'), (None, None, None))
            if source is None or f'sid={session}' not in (
                    headers.get('Cookie') or ''):
                self.errors.append(('state or cookie', query))
                return 400, {}
            token = requests.post(self.login_host + '/oauth2/v2.1/token',
                data={'grant_type': 'authorization_code',
                    'code': query['code'], 'redirect_uri': self.callback,
                    'client_id': self.CHANNEL, 'client_secret': self.SECRET},
                timeout=10)
            if token.status_code != 200:
                self.errors.append(('token', token.text))
                return 400, {}
            verified = requests.post(self.login_host + '/oauth2/v2.1/verify',
                data={'id_token': token.json()['id_token'],
                    'client_id': self.CHANNEL, 'nonce': nonce}, timeout=10)
            if verified.status_code != 200:
                self.errors.append(('verify', verified.text))
                return 400, {}
            self.attributions.append({'source': source,
                'sub': verified.json()['sub'],
                'friendship_status_changed': query.get(
                    'friendship_status_changed')})
            return 302, {'Location': self.FINAL}
        return 404, {}


class TestTrackedLink(unittest.TestCase):
    "The simulator opens our app's tracked add-friend link (LINE Login)."

    @classmethod
    def setUpClass(cls):
        cls.receiver = Receiver()
        cls.addClassCleanup(cls.receiver.stop)
        cls.simulator = Simulator(cls.receiver.url, SECRET)
        cls.line = StandIn(simulator=cls.simulator,
            login_channels={FakeApp.CHANNEL: FakeApp.SECRET}).start()
        cls.addClassCleanup(cls.line.stop)
        cls.app = FakeApp(cls.line.url)
        cls.addClassCleanup(cls.app.stop)

    def setUp(self):
        self.line.reset()
        self.receiver.clear()
        del self.app.attributions[:], self.app.errors[:]
        self.user = webhook.random_user_id()

    def tearDown(self):
        self.assertEqual(self.app.errors, [])
        self.assertEqual(self.line.invalid, [])
        self.assertEqual(self.line.response_errors, [])

    def open(self, url, user=None, **fields):
        response = requests.post(self.line.url + '/simulator/api/follow-link',
            json=dict(userId=user or self.user, url=url, **fields),
            timeout=60)
        return response.status_code, response.json()

    def test_flyer_link_adds_friend_and_names_the_source(self):
        status, result = self.open(self.app.url + '/r/flyer')
        self.assertEqual(status, 200, result)
        self.assertIsNone(result['error'])
        self.assertEqual([(h['status'], h['url'].split('?')[0])
                for h in result['hops']], [
            (302, self.app.url + '/r/flyer'),
            (302, self.line.url + '/oauth2/v2.1/authorize'),
            (302, self.app.callback)])
        self.assertEqual(result['final'], FakeApp.FINAL)
        self.assertTrue(result['friendshipStatusChanged'])
        self.assertEqual(self.app.attributions, [{'source': 'flyer',
            'sub': self.user, 'friendship_status_changed': 'true'}])
        # LINE sent the follow event for the friend added on consent
        follow = self.receiver.wait(1)
        self.assertEqual((follow['type'], follow['source']['userId'],
                follow['follow']),
            ('follow', self.user, {'isUnblocked': False}))
        self.assertEqual(self.receiver.rejected, [])
        self.assertEqual(self.simulator.state(self.user), 'friend')
        self.assertTrue(self.line.is_friend(self.user))
        view = requests.get(self.line.url + '/simulator/api/messages',
            params={'userId': self.user}, timeout=10).json()
        self.assertEqual([(e['kind'], e['via']) for e in view['events']],
            [('follow', 'login')])
        self.assertEqual([r.operation_id for r in self.line.requests],
            ['loginAuthorize', 'issueLoginToken', 'verifyIdToken'])
        self.assertEqual(self.line.follower_stats,
            {'followers': 1, 'targetedReaches': 1})

        # the same person scans the Instagram ad later: already a friend
        status, result = self.open(self.app.url + '/r/instagram')
        self.assertFalse(result['friendshipStatusChanged'])
        self.assertEqual(self.app.attributions[-1], {'source': 'instagram',
            'sub': self.user, 'friendship_status_changed': 'false'})
        self.assertEqual(len(self.receiver.events), 1)

    def test_blocked_user_unblocks_through_the_link(self):
        self.simulator.send(self.user, 'follow')
        self.simulator.send(self.user, 'unfollow')
        status, result = self.open(self.app.url + '/r/flyer')
        self.assertTrue(result['friendshipStatusChanged'])
        unblock = self.receiver.wait(3)
        self.assertEqual(unblock['follow'], {'isUnblocked': True})
        self.assertEqual(self.simulator.state(self.user), 'friend')
        self.assertNotIn(self.user, self.line.blocked)

    def test_without_adding_and_broken_links(self):
        status, result = self.open(self.app.url + '/r/flyer',
            addFriend=False)
        self.assertFalse(result['friendshipStatusChanged'])
        self.assertEqual(result['final'], FakeApp.FINAL)
        self.assertEqual(self.receiver.events, [])
        self.assertIsNone(self.simulator.state(self.user))

        status, result = self.open(self.app.url + '/nothing')
        self.assertEqual(status, 200)
        self.assertEqual(result['hops'][0]['status'], 404)
        self.assertIn('404', result['error'])
        # the login set for that visit is gone afterwards
        response = requests.get(self.line.url + '/oauth2/v2.1/authorize',
            params={'response_type': 'code', 'client_id': FakeApp.CHANNEL,
                'redirect_uri': self.app.callback, 'state': 's',
                'scope': 'openid'}, allow_redirects=False, timeout=10)
        self.assertEqual(response.status_code, 400)

        status, result = self.open(
            'https://access.line.me/oauth2/v2.1/authorize?client_id=1')
        self.assertIn('access.line.me', result['error'])
        self.assertEqual(result['hops'], [])
        for fields in ({'url': 'line://ti/p/@demo'}, {'url': ''},
                {'userId': 'U1', 'url': self.app.url}):
            with self.subTest(fields=fields):
                response = requests.post(
                    self.line.url + '/simulator/api/follow-link',
                    json=dict({'userId': self.user}, **fields), timeout=10)
                self.assertEqual(response.status_code, 400)


class TestCommandLine(unittest.TestCase):

    def test_main_serves_the_simulator(self):
        receiver = Receiver(secret='cli-secret')
        self.addCleanup(receiver.stop)
        process = subprocess.Popen(
            [sys.executable, '-m', 'line_standin', '--port', '0',
                '--webhook', receiver.url, '--secret', 'cli-secret'],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.addCleanup(process.stdout.close)
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.terminate)
        first = process.stdout.readline()
        url = re.search(r'http://\S+', first).group(0)
        self.assertIn(f'{url}/simulator/', first)
        self.assertEqual(requests.get(url + '/simulator/',
                timeout=10).status_code, 200)
        user = webhook.random_user_id()
        answer = requests.post(url + '/simulator/api/event',
            json={'userId': user, 'kind': 'follow'}, timeout=15).json()
        self.assertEqual(answer['status'], 200)
        self.assertEqual(receiver.wait(1)['source']['userId'], user)
        self.assertEqual(process.stdout.readline().strip(),
            f'SIMULATOR follow {user} -> webhook 200')


@unittest.skipUnless(
    os.environ.get('CI') or (
        os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT)
        and shutil.which('node')),
    "needs chromium, node and `npm ci`")
class TestBrowser(RichMenuMixin, SimulatorTestCase):
    "The page in headless Chromium, pushed to with the SDK"

    def test_page_renders_and_sends(self):
        directory = os.environ.get('SCREENSHOT_DIR') or tempfile.mkdtemp()
        if not os.environ.get('SCREENSHOT_DIR'):
            self.addCleanup(shutil.rmtree, directory, True)
        screenshot = os.path.join(directory, 'line-simulator.png')
        self.addCleanup(setattr, self.simulator, 'account_name',
            self.simulator.account_name)
        self.simulator.account_name = '堺市ひとり親×仕事サポートLINE'
        self.api.set_default_rich_menu(
            self.create_menu(main_menu(), [GREEN, ORANGE, BLUE]))
        diagnosed = self.create_menu(diagnosed_menu(), [BLUE, ORANGE])
        process = subprocess.Popen(['node', SCRIPT, self.line.url, screenshot],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(process.kill)

        def wait(count):
            try:
                return self.receiver.wait(count, timeout=60)
            except AssertionError:
                process.kill()
                self.fail(process.communicate()[1])
        follow = wait(1)
        user = follow['source']['userId']
        # what our app would push to a new friend
        self.push(user, FlexMessage(
                alt_text='セミナーのご案内', contents=seminar_bubble()),
            welcome_text())
        # the user taps the rich menu; the app answers with another menu
        self.assertEqual(wait(5)['postback'], {'data': 'menu=reserve'})
        self.api.link_rich_menu_id_to_user(user, diagnosed)
        stdout, stderr = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 0, stderr)
        page = json.loads(stdout.strip().splitlines()[-1])

        self.assertEqual(page['userId'], user)
        self.assertEqual(page['chips'],
            ['仕事を探したい', '相談を予約', '日付を選ぶ'])
        self.assertEqual(page['flexButtons'], ['申し込む', '相談日を選ぶ'])
        self.assertEqual(page['bubbles'],
            ['仕事を探したい', 'セミナーに申し込みます'])
        self.assertIn('友だち追加しました', page['notes'])
        self.assertEqual(page['richMenu'], {'chatBarText': 'メニュー',
            'open': True, 'areas': 3, 'imageWidth': 2500, 'fitsWidth': True,
            'switchedOpen': False})
        self.assertTrue(os.path.getsize(screenshot) > 10000)
        self.assertEqual(page['header'], '堺市ひとり親×仕事サポートLINE')
        self.assertEqual(page['linkPlaceholder'],
            re.match(r'http://[^/]+', self.receiver.url).group(0) + '/...')

        # the taps became webhook events
        self.receiver.wait(6)
        follow, text, apply, date, menu, jobs = self.receiver.events
        self.assertEqual(follow['type'], 'follow')
        self.assertEqual(text['message']['text'], '仕事を探したい')
        self.assertEqual(apply['postback'],
            {'data': 'seminar=12&action=apply'})
        self.assertEqual(date['postback'], {'data': 'reserve=consultation',
            'params': {'date': '2026-04-01'}})
        self.assertEqual(menu['postback'], {'data': 'menu=reserve'})
        self.assertEqual(jobs['postback'], {'data': 'menu=jobs'})
        self.assertEqual(self.receiver.rejected, [])


if __name__ == '__main__':
    unittest.main()
