"""The LINE Messaging API stand-in (line_standin), driven by the real
line-bot-sdk v3 client, and its LINE Login endpoints driven with requests.

    .venv/bin/python -m unittest tests.test_line_standin -v
"""
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import threading
import unittest
import urllib.parse
import uuid

import requests
from linebot.v3.insight import (
    ApiClient as InsightApiClient, Configuration as InsightConfiguration,
    Insight)
from linebot.v3.messaging import (
    ApiClient, ApiException, Configuration, CreateRichMenuAliasRequest,
    DatetimePickerAction, FlexBox, FlexBubble, FlexButton, FlexMessage,
    FlexText, MessageAction, MessagingApi, MessagingApiBlob,
    MulticastRequest, PostbackAction, PushMessageRequest, QuickReply,
    QuickReplyItem, ReplyMessageRequest, RichMenuArea, RichMenuBounds,
    RichMenuBulkLinkRequest, RichMenuRequest, RichMenuSize, TextMessage,
    UpdateRichMenuAliasRequest, URIAction)
from linebot.v3.webhook import SignatureValidator, WebhookParser
from linebot.v3.webhooks import (
    FollowEvent, MessageEvent, PostbackEvent, TextMessageContent,
    UnfollowEvent)

from line_standin import FakeClock, StandIn, webhook
from tests.tools import striped_png

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = 'test-channel-access-token'
SECRET = 'test-channel-secret'


def tiny_png():
    "A valid 1x1 PNG."
    return striped_png(1, 1, [(0, 0, 0)])


def user_ids(count):
    return ['U%032x' % i for i in range(count)]


class StandInTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.clock = FakeClock()
        cls.line = StandIn(clock=cls.clock).start()
        cls.addClassCleanup(cls.line.stop)

    def setUp(self):
        self.line.reset()
        self.client = ApiClient(
            Configuration(host=self.line.url, access_token=TOKEN))
        self.addCleanup(self.client.close)
        self.api = MessagingApi(self.client)
        self.blob = MessagingApiBlob(self.client)
        self.user = webhook.random_user_id()

    def tearDown(self):
        # whatever the stand-in answered must itself match the spec
        self.assertEqual(self.line.response_errors, [])

    def raw(self, method, path, body=None, headers=None, **kw):
        "A request sent without the SDK (to send what the SDK refuses to)."
        all_headers = {'Authorization': f'Bearer {TOKEN}'}
        all_headers.update(headers or {})
        return requests.request(method, self.line.url + path, json=body,
            headers=all_headers, timeout=10, **kw)

    def push(self, to, *messages, **kw):
        return self.api.push_message(
            PushMessageRequest(to=to, messages=list(messages)), **kw)


class TestMessages(StandInTestCase):

    def test_push_accepted_and_delivered(self):
        response = self.push(self.user, TextMessage(text='こんにちは'))
        self.assertEqual(len(response.sent_messages), 1)
        self.assertRegex(response.sent_messages[0].id, r'^\d+$')
        self.assertTrue(response.sent_messages[0].quote_token)
        self.assertEqual(self.line.delivered,
            [(self.user, {'type': 'text', 'text': 'こんにちは'})])
        self.assertEqual(self.line.invalid, [])

        record, = self.line.requests
        self.assertEqual(record.method, 'POST')
        self.assertEqual(record.path, '/v2/bot/message/push')
        self.assertEqual(record['operation_id'], 'pushMessage')
        self.assertEqual(record.headers['authorization'], f'Bearer {TOKEN}')
        self.assertEqual(record.body['to'], self.user)
        self.assertEqual(record.status, 200)
        self.assertEqual(record.time, self.clock())

    def test_every_response_has_request_id(self):
        response = self.api.push_message_with_http_info(PushMessageRequest(
                to=self.user, messages=[TextMessage(text='x')]))
        headers = {k.lower(): v for k, v in response.headers.items()}
        self.assertRegex(headers['x-line-request-id'], r'^[0-9a-f-]{36}$')
        self.assertIn('x-line-request-id',
            self.raw('GET', '/v2/bot/nowhere').headers)

    def test_retry_key_conflict(self):
        key = str(uuid.uuid4())
        message = TextMessage(text='once')
        first = self.api.push_message_with_http_info(PushMessageRequest(
                to=self.user, messages=[message]), x_line_retry_key=key)
        with self.assertRaises(ApiException) as cm:
            self.push(self.user, message, x_line_retry_key=key)
        self.assertEqual(cm.exception.status, 409)
        body = json.loads(cm.exception.body)
        self.assertEqual(body['message'], 'The retry key is already accepted')
        self.assertEqual(body['sentMessages'][0]['id'],
            first.data.sent_messages[0].id)
        headers = {k.lower(): v for k, v in cm.exception.headers.items()}
        first_headers = {k.lower(): v for k, v in first.headers.items()}
        self.assertEqual(headers['x-line-accepted-request-id'],
            first_headers['x-line-request-id'])
        self.assertEqual(len(self.line.messages_for(self.user)), 1)

        # another key is another request; after 24 h the key is free again
        self.push(self.user, message, x_line_retry_key=str(uuid.uuid4()))
        self.clock.advance(24 * 60 * 60 + 1)
        self.push(self.user, message, x_line_retry_key=key)
        self.assertEqual(len(self.line.messages_for(self.user)), 3)

        # a retry key must be a UUID
        response = self.raw('POST', '/v2/bot/message/push',
            {'to': self.user, 'messages': [{'type': 'text', 'text': 'x'}]},
            headers={'X-Line-Retry-Key': 'not-a-uuid'})
        self.assertEqual(response.status_code, 400)

    def test_multicast_500_and_501(self):
        messages = [TextMessage(text=f'お知らせ {i}') for i in range(5)]
        self.api.multicast(
            MulticastRequest(to=user_ids(500), messages=messages))
        self.assertEqual(len(self.line.delivered), 2500)
        self.assertEqual(self.line.invalid, [])

        # the SDK refuses 501 itself; sent raw, the spec's maxItems does
        response = self.raw('POST', '/v2/bot/message/multicast', {
                'to': user_ids(501),
                'messages': [{'type': 'text', 'text': 'x'}]})
        self.assertEqual(response.status_code, 400)
        self.assertIn({'message': 'size must be at most 500',
                'property': 'to'}, response.json()['details'])
        self.assertEqual(len(self.line.invalid), 1)
        self.assertEqual(len(self.line.delivered), 2500)

    def test_invalid_message_rejected(self):
        response = self.raw('POST', '/v2/bot/message/push',
            {'to': self.user, 'messages': [{'type': 'text'}]})
        self.assertEqual(response.status_code, 400)
        body = response.json()
        self.assertEqual(body['message'], 'The request body has 1 error(s)')
        self.assertEqual(body['details'], [{'message': 'must be specified',
                    'property': 'messages[0].text'}])
        self.assertEqual(len(self.line.invalid), 1)
        self.assertIs(self.line.invalid[0], self.line.requests[0])
        self.assertFalse(self.line.invalid[0].valid)
        self.assertEqual(self.line.delivered, [])

    def test_discriminated_messages_accepted(self):
        bubble = FlexBubble(body=FlexBox(layout='vertical', contents=[
                    FlexText(text='セミナーのご案内', weight='bold'),
                    FlexButton(action=URIAction(
                            label='詳細', uri='https://example.com/s/1')),
                    ]))
        quick_reply = QuickReply(items=[
                QuickReplyItem(action=DatetimePickerAction(
                        label='日時を選ぶ', data='action=pick', mode='datetime',
                        initial='2026-04-01T10:00')),
                QuickReplyItem(action=PostbackAction(
                        label='予約', data='action=book&id=1',
                        displayText='予約します')),
                QuickReplyItem(action=MessageAction(label='はい', text='はい')),
                ])
        self.push(self.user,
            FlexMessage(alt_text='セミナー', contents=bubble),
            TextMessage(text='選んでください', quick_reply=quick_reply))
        self.assertEqual(self.line.invalid, [])
        flex, text = self.line.messages_for(self.user)
        self.assertEqual(flex['contents']['body']['contents'][1]['action'],
            {'type': 'uri', 'label': '詳細', 'uri': 'https://example.com/s/1'})
        self.assertEqual(
            text['quickReply']['items'][0]['action']['mode'], 'datetime')

    def test_discriminated_messages_rejected(self):
        def quick(action):
            return {'type': 'text', 'text': 'x', 'quickReply': {
                    'items': [{'type': 'action', 'action': action}]}}

        def flex(*components):
            return {'type': 'flex', 'altText': 'a', 'contents': {
                    'type': 'bubble', 'body': {'type': 'box',
                        'layout': 'vertical', 'contents': list(components)}}}
        cases = [
            ({'type': 'txt', 'text': 'x'}, 'messages[0].type'),
            ({'text': 'x'}, 'messages[0].type'),
            ({'type': 'flex', 'contents': {'type': 'bubble'}},
                'messages[0].altText'),
            ({'type': 'flex', 'altText': 'a', 'contents': {'type': 'bub'}},
                'messages[0].contents.type'),
            ({'type': 'flex', 'altText': 'a', 'contents': {
                        'type': 'bubble', 'body': {'type': 'box',
                            'contents': []}}},
                'messages[0].contents.body.layout'),
            (flex({'type': 'txt', 'text': 'x'}),
                'messages[0].contents.body.contents[0].type'),
            (flex({'type': 'text'}),
                'messages[0].contents.body.contents[0].text'),
            (quick({'type': 'datetimepicker', 'label': 'd', 'data': 'a',
                        'mode': 'week'}),
                'messages[0].quickReply.items[0].action.mode'),
            (quick({'type': 'postbak', 'label': 'd', 'data': 'a'}),
                'messages[0].quickReply.items[0].action.type'),
            (quick({'type': 'postback', 'label': 'd'}),
                'messages[0].quickReply.items[0].action.data'),
            (quick({'type': 'uri', 'label': 'd'}),
                'messages[0].quickReply.items[0].action.uri'),
            (quick({'type': 'uri', 'label': 'd', 'uri': 'not a uri'}),
                'messages[0].quickReply.items[0].action.uri'),
            ({'type': 'template', 'altText': 'a', 'template': {
                        'type': 'buttons', 'text': 't'}},
                'messages[0].template.actions'),
            ({'type': 'sticker', 'packageId': '1'}, 'messages[0].stickerId'),
        ]
        for message, prop in cases:
            with self.subTest(prop=prop, message=message):
                response = self.raw('POST', '/v2/bot/message/push',
                    {'to': self.user, 'messages': [message]})
                self.assertEqual(response.status_code, 400, response.text)
                self.assertIn(prop, [d.get('property')
                        for d in response.json()['details']])
        self.assertEqual(len(self.line.invalid), len(cases))
        self.assertEqual(self.line.delivered, [])

    def test_reply_token(self):
        token = self.line.issue_reply_token(self.user)
        request = ReplyMessageRequest(
            reply_token=token, messages=[TextMessage(text='ありがとう')])
        response = self.api.reply_message(request)
        self.assertEqual(len(response.sent_messages), 1)
        self.assertEqual(self.line.messages_for(self.user),
            [{'type': 'text', 'text': 'ありがとう'}])
        for reply_token in (token, 'unknown-token'):
            with self.assertRaises(ApiException) as cm:
                self.api.reply_message(ReplyMessageRequest(
                        reply_token=reply_token,
                        messages=[TextMessage(text='again')]))
            self.assertEqual(cm.exception.status, 400)
            self.assertEqual(json.loads(cm.exception.body),
                {'message': 'Invalid reply token'})
        expired = self.line.issue_reply_token(self.user)
        self.clock.advance(61)
        with self.assertRaises(ApiException) as cm:
            self.api.reply_message(ReplyMessageRequest(
                    reply_token=expired, messages=[TextMessage(text='late')]))
        self.assertEqual(cm.exception.status, 400)
        self.assertEqual(len(self.line.delivered), 1)
        # replies are free: they do not count in the quota consumption
        self.assertEqual(
            self.api.get_message_quota_consumption().total_usage, 0)

    def test_blocked_user(self):
        self.line.block(self.user)
        response = self.push(self.user, TextMessage(text='x'))
        self.assertEqual(len(response.sent_messages), 1)
        self.api.multicast(MulticastRequest(
                to=[self.user, user_ids(1)[0]],
                messages=[TextMessage(text='y')]))
        self.assertEqual(self.line.delivered,
            [(user_ids(1)[0], {'type': 'text', 'text': 'y'})])
        self.assertEqual(self.line.invalid, [])

    def test_quota(self):
        quota = self.api.get_message_quota()
        self.assertEqual((quota.type.value, quota.value), ('limited', 1000))
        self.push(self.user, TextMessage(text='a'), TextMessage(text='b'))
        self.api.multicast(MulticastRequest(
                to=user_ids(3), messages=[TextMessage(text='c')]))
        self.line.block(user_ids(3)[2])
        self.api.multicast(MulticastRequest(
                to=user_ids(3), messages=[TextMessage(text='d')]))
        consumption = self.api.get_message_quota_consumption()
        self.assertEqual(consumption.total_usage, 2 + 3 + 2)

    def test_broadcast_and_narrowcast(self):
        response = self.raw('POST', '/v2/bot/message/broadcast',
            {'messages': [{'type': 'text', 'text': 'all'}]})
        self.assertEqual((response.status_code, response.json()), (200, {}))
        response = self.raw('POST', '/v2/bot/message/narrowcast', {
                'messages': [{'type': 'text', 'text': 'some'}],
                'recipient': {'type': 'operator', 'and': [
                        {'type': 'audience', 'audienceGroupId': 1}]},
                'filter': {'demographic': {'type': 'age', 'gte': 'age_20'}}})
        self.assertEqual(response.status_code, 202)
        self.assertEqual([kind for kind, _ in self.line.broadcasts],
            ['broadcast', 'narrowcast'])
        response = self.raw('POST', '/v2/bot/message/narrowcast', {
                'messages': [{'type': 'text', 'text': 'x'}],
                'recipient': {'type': 'audiense', 'audienceGroupId': 1}})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.line.delivered, [])


class TestFaults(StandInTestCase):

    def test_fail_next_429_then_retry(self):
        key = str(uuid.uuid4())
        self.line.fail_next(429, retry_after=2)
        with self.assertRaises(ApiException) as cm:
            self.push(self.user, TextMessage(text='x'), x_line_retry_key=key)
        self.assertEqual(cm.exception.status, 429)
        self.assertEqual(json.loads(cm.exception.body),
            {'message': 'Too Many Requests'})
        self.assertEqual(dict(cm.exception.headers)['Retry-After'], '2')
        self.assertEqual(self.line.delivered, [])
        # the fault used up neither the message nor the retry key
        self.push(self.user, TextMessage(text='x'), x_line_retry_key=key)
        self.assertEqual(len(self.line.delivered), 1)
        self.assertEqual([r.fault for r in self.line.requests],
            ['fail', None])

    def test_fail_next_500_by_path(self):
        self.line.fail_next(500, count=2, path_prefix='/v2/bot/message/multi')
        self.push(self.user, TextMessage(text='push is not affected'))
        for _ in range(2):
            with self.assertRaises(ApiException) as cm:
                self.api.multicast(MulticastRequest(
                        to=[self.user], messages=[TextMessage(text='m')]))
            self.assertEqual(cm.exception.status, 500)
        self.api.multicast(MulticastRequest(
                to=[self.user], messages=[TextMessage(text='m')]))
        self.assertEqual(len(self.line.delivered), 2)

    def test_delay_next_client_timeout(self):
        import urllib3
        key = str(uuid.uuid4())
        self.line.delay_next(0.3)
        with self.assertRaises(urllib3.exceptions.TimeoutError):
            self.push(self.user, TextMessage(text='slow'),
                x_line_retry_key=key, _request_timeout=0.05)
        # the retry with the same key is not delivered a second time
        with self.assertRaises(ApiException) as cm:
            self.push(self.user, TextMessage(text='slow'),
                x_line_retry_key=key)
        self.assertEqual(cm.exception.status, 409)
        for _ in range(50):
            if self.line.delivered:
                break
            threading.Event().wait(0.05)
        self.assertEqual(len(self.line.messages_for(self.user)), 1)

    def test_rate_limit(self):
        clock = FakeClock()
        with StandIn(clock=clock,
                rate_limits={'/v2/bot/message/multicast': 3}) as line:
            with ApiClient(Configuration(
                    host=line.url, access_token=TOKEN)) as client:
                api = MessagingApi(client)
                request = MulticastRequest(
                    to=[self.user], messages=[TextMessage(text='x')])
                for _ in range(3):
                    api.multicast(request)
                with self.assertRaises(ApiException) as cm:
                    api.multicast(request)
                self.assertEqual(cm.exception.status, 429)
                api.push_message(PushMessageRequest(
                        to=self.user, messages=[TextMessage(text='p')]))
                clock.advance(1.01)
                api.multicast(request)
            self.assertEqual(len(line.delivered), 5)
            self.assertEqual(
                [r.fault for r in line.requests].count('rate-limit'), 1)

    def test_auth_and_unknown_paths(self):
        response = requests.post(self.line.url + '/v2/bot/message/push',
            json={'to': self.user,
                'messages': [{'type': 'text', 'text': 'x'}]},
            timeout=10)
        self.assertEqual(response.status_code, 401)
        response = self.raw('POST', '/v2/bot/message/push',
            {'to': self.user, 'messages': [{'type': 'text', 'text': 'x'}]},
            headers={'Authorization': 'Basic dXNlcjpwYXNz'})
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.raw('GET', '/v2/bot/no/such/path').status_code,
            404)
        self.assertEqual(self.raw('DELETE', '/v2/bot/message/push')
            .status_code, 405)
        self.assertEqual(len(self.line.invalid), 4)
        self.assertEqual(self.line.delivered, [])

    def test_concurrent_requests(self):
        errors = []

        def send(index):
            try:
                with ApiClient(Configuration(
                        host=self.line.url, access_token=TOKEN)) as client:
                    api = MessagingApi(client)
                    for n in range(5):
                        api.push_message(PushMessageRequest(
                                to=user_ids(10)[index],
                                messages=[TextMessage(text=str(n))]))
            except Exception as exc:  # pragma: no cover
                errors.append(exc)
        threads = [threading.Thread(target=send, args=(i,))
            for i in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(self.line.requests), 50)
        self.assertEqual(len(self.line.delivered), 50)
        self.assertEqual(len({r.request_id for r in self.line.requests}), 50)


class TestRichMenuAndOthers(StandInTestCase):

    def rich_menu(self):
        return RichMenuRequest(
            size=RichMenuSize(width=2500, height=843), selected=True,
            name='main', chat_bar_text='メニュー', areas=[
                RichMenuArea(
                    bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
                    action=PostbackAction(label='予約', data='action=book')),
                RichMenuArea(
                    bounds=RichMenuBounds(x=1250, y=0, width=1250, height=843),
                    action=URIAction(label='サイト',
                        uri='https://example.com/')),
                ])

    def test_rich_menu(self):
        rich_menu_id = self.api.create_rich_menu(self.rich_menu()).rich_menu_id
        self.assertRegex(rich_menu_id, r'^richmenu-[0-9a-f]{32}$')
        # not before the image is there
        with self.assertRaises(ApiException) as cm:
            self.api.set_default_rich_menu(rich_menu_id)
        self.assertEqual(cm.exception.status, 400)

        self.blob.set_rich_menu_image(rich_menu_id, tiny_png(),
            _headers={'Content-Type': 'image/png'})
        self.api.set_default_rich_menu(rich_menu_id)
        self.api.link_rich_menu_id_to_user(self.user, rich_menu_id)
        response = self.api.link_rich_menu_id_to_users_with_http_info(
            RichMenuBulkLinkRequest(
                rich_menu_id=rich_menu_id, user_ids=user_ids(3)))
        self.assertEqual(response.status_code, 202)

        self.assertEqual(self.line.default_rich_menu, rich_menu_id)
        self.assertEqual(self.line.user_rich_menus[self.user], rich_menu_id)
        self.assertEqual(len(self.line.user_rich_menus), 4)
        self.assertEqual(self.line.rich_menus[rich_menu_id]['image'],
            tiny_png())
        self.assertEqual(
            self.api.get_rich_menu_id_of_user(self.user).rich_menu_id,
            rich_menu_id)
        self.assertEqual(self.blob.get_rich_menu_image(rich_menu_id),
            tiny_png())
        menus = self.api.get_rich_menu_list().richmenus
        self.assertEqual([m.rich_menu_id for m in menus], [rich_menu_id])
        self.assertEqual(menus[0].chat_bar_text, 'メニュー')
        self.api.delete_rich_menu(rich_menu_id)
        self.assertEqual(self.api.get_rich_menu_list().richmenus, [])
        self.assertIsNone(self.line.default_rich_menu)
        self.assertEqual(self.line.invalid, [])

    def test_rich_menu_image_checks(self):
        rich_menu_id = self.api.create_rich_menu(self.rich_menu()).rich_menu_id
        for content_type, data in [
                ('image/gif', b'GIF89a....'), ('image/png', b'not a png')]:
            with self.assertRaises(ApiException) as cm:
                self.blob.set_rich_menu_image(rich_menu_id, data,
                    _headers={'Content-Type': content_type})
            self.assertEqual(cm.exception.status, 400)
        self.assertEqual(len(self.line.invalid), 2)
        with self.assertRaises(ApiException) as cm:
            self.blob.set_rich_menu_image('richmenu-' + '0' * 32, tiny_png(),
                _headers={'Content-Type': 'image/png'})
        self.assertEqual(cm.exception.status, 404)
        # a rich menu without a size is refused by the spec
        response = self.raw('POST', '/v2/bot/richmenu', {
                'selected': False, 'name': 'x', 'chatBarText': 'x',
                'areas': []})
        self.assertEqual(response.status_code, 400)
        self.assertIn('size', [d['property']
                for d in response.json()['details']])

    def test_rich_menu_alias(self):
        first = self.api.create_rich_menu(self.rich_menu()).rich_menu_id
        second = self.api.create_rich_menu(self.rich_menu()).rich_menu_id
        # as for linking, the menu needs its image first
        with self.assertRaises(ApiException) as cm:
            self.api.create_rich_menu_alias(CreateRichMenuAliasRequest(
                rich_menu_alias_id='tab-a', rich_menu_id=first))
        self.assertEqual(cm.exception.status, 400)
        for rich_menu_id in (first, second):
            self.blob.set_rich_menu_image(rich_menu_id, tiny_png(),
                _headers={'Content-Type': 'image/png'})
        self.api.create_rich_menu_alias(CreateRichMenuAliasRequest(
            rich_menu_alias_id='tab-a', rich_menu_id=first))
        with self.assertRaises(ApiException) as cm:
            self.api.create_rich_menu_alias(CreateRichMenuAliasRequest(
                rich_menu_alias_id='tab-a', rich_menu_id=second))
        self.assertEqual(cm.exception.status, 400)
        self.assertEqual(self.api.get_rich_menu_alias('tab-a').rich_menu_id,
            first)
        self.api.update_rich_menu_alias('tab-a',
            UpdateRichMenuAliasRequest(rich_menu_id=second))
        self.assertEqual(self.line.rich_menu_aliases, {'tab-a': second})
        self.assertEqual([(a.rich_menu_alias_id, a.rich_menu_id) for a in
                self.api.get_rich_menu_alias_list().aliases],
            [('tab-a', second)])
        self.api.delete_rich_menu_alias('tab-a')
        with self.assertRaises(ApiException) as cm:
            self.api.get_rich_menu_alias('tab-a')
        self.assertEqual(cm.exception.status, 404)
        # the spec refuses alias IDs LINE does not accept
        response = self.raw('POST', '/v2/bot/richmenu/alias',
            {'richMenuAliasId': 'Tab A', 'richMenuId': first})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(self.line.invalid), 1)

    def test_profile(self):
        self.assertEqual(self.line.profile_requests(), [])
        profile = self.api.get_profile(self.user)
        self.assertEqual(profile.user_id, self.user)
        self.assertEqual(len(self.line.profile_requests()), 1)

    def test_insight_followers(self):
        self.line.block(self.user)
        self.line.follower_stats.update(followers=12, targetedReaches=10)
        configuration = InsightConfiguration(
            host=self.line.url, access_token=TOKEN)
        with InsightApiClient(configuration) as client:
            response = Insight(client).get_number_of_followers(
                var_date='20260401')
        self.assertEqual(response.status, 'ready')
        self.assertEqual((response.followers, response.targeted_reaches,
                response.blocks), (12, 10, 1))
        self.assertEqual(self.line.requests[0].query, {'date': '20260401'})

    def test_unimplemented_operation(self):
        info = self.api.get_bot_info()
        self.assertEqual(info.chat_mode, 'chat')
        self.assertEqual(
            [r.operation_id for r in self.line.unimplemented_requests()],
            ['getBotInfo'])
        self.assertEqual(self.line.invalid, [])

    def test_reset(self):
        self.push(self.user, TextMessage(text='x'))
        self.line.block(self.user)
        self.line.reset()
        self.assertEqual((self.line.requests, self.line.delivered,
                self.line.invalid, self.line.blocked, self.line.quota_usage),
            ([], [], [], set(), 0))


class LoginTestCase(unittest.TestCase):
    "LINE Login v2.1: authorize, token and verify on the stand-in's port."

    CHANNEL = '1234567890'
    SECRET = 'login-secret'
    CALLBACK = 'https://app.example.com/line/callback?key=value'

    @classmethod
    def setUpClass(cls):
        cls.clock = FakeClock()
        cls.line = StandIn(clock=cls.clock,
            login_channels={cls.CHANNEL: cls.SECRET}).start()
        cls.addClassCleanup(cls.line.stop)

    def setUp(self):
        self.line.reset()
        self.user = webhook.random_user_id()

    def tearDown(self):
        self.assertEqual(self.line.response_errors, [])

    def authorize(self, line=None, **params):
        query = dict(response_type='code', client_id=self.CHANNEL,
            redirect_uri=self.CALLBACK, state='st4te', scope='openid profile',
            nonce='n0nce', bot_prompt='aggressive')
        query.update(params)
        query = {k: v for k, v in query.items() if v is not None}
        return requests.get((line or self.line).url + '/oauth2/v2.1/authorize',
            params=query, allow_redirects=False, timeout=10)

    def callback(self, response):
        "The query LINE Login redirected to (302 to our callback)."
        self.assertEqual(response.status_code, 302, response.text)
        location = response.headers['Location']
        self.assertTrue(location.startswith(
            'https://app.example.com/line/callback?key=value&'), location)
        return dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(location).query))

    def token(self, code, line=None, **fields):
        form = dict(grant_type='authorization_code', code=code,
            redirect_uri=self.CALLBACK, client_id=self.CHANNEL,
            client_secret=self.SECRET)
        form.update(fields)
        return requests.post((line or self.line).url + '/oauth2/v2.1/token',
            data={k: v for k, v in form.items() if v is not None},
            timeout=10)

    def verify(self, token, line=None, **fields):
        form = dict(id_token=token, client_id=self.CHANNEL)
        form.update(fields)
        return requests.post((line or self.line).url + '/oauth2/v2.1/verify',
            data=form, timeout=10)

    def login(self, **params):
        self.line.login_as(self.user)
        return self.callback(self.authorize(**params))


class TestLogin(LoginTestCase):

    def test_add_friend_login(self):
        self.assertFalse(self.line.is_friend(self.user))
        query = self.login()
        self.assertEqual(query['state'], 'st4te')
        self.assertEqual(query['friendship_status_changed'], 'true')
        self.assertRegex(query['code'], r'^[A-Za-z0-9]{20}$')
        self.assertTrue(self.line.is_friend(self.user))
        self.assertEqual([(login['user_id'],
                login['friendship_status_changed'])
                for login in self.line.logins], [(self.user, True)])

        response = self.token(query['code'])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers['Cache-Control'], 'no-store')
        token = response.json()
        self.assertEqual(sorted(token), ['access_token', 'expires_in',
            'id_token', 'refresh_token', 'scope', 'token_type'])
        self.assertEqual((token['token_type'], token['expires_in'],
            token['scope']), ('Bearer', 2592000, 'openid profile'))

        # an HS256 JWT signed with the channel secret, as for web apps
        header, payload, signature = token['id_token'].split('.')

        def decode(part):
            return base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))
        self.assertEqual(json.loads(decode(header)),
            {'typ': 'JWT', 'alg': 'HS256'})
        self.assertEqual(decode(signature), hmac.new(self.SECRET.encode(),
            f'{header}.{payload}'.encode(), hashlib.sha256).digest())
        claims = json.loads(decode(payload))

        response = self.verify(token['id_token'], nonce='n0nce',
            user_id=self.user)
        self.assertEqual(response.status_code, 200, response.text)
        verified = response.json()
        self.assertEqual(verified, claims)
        self.assertEqual({k: verified[k] for k in
                ('iss', 'sub', 'aud', 'nonce', 'amr')}, {
            'iss': 'https://access.line.me', 'sub': self.user,
            'aud': self.CHANNEL, 'nonce': 'n0nce', 'amr': ['linesso']})
        self.assertEqual(verified['exp'] - verified['iat'], 3600)
        self.assertEqual(verified['name'], 'LINE user ' + self.user[-4:])

        self.assertEqual([r.operation_id for r in self.line.requests],
            ['loginAuthorize', 'issueLoginToken', 'verifyIdToken'])
        self.assertEqual(self.line.requests[1].body['code'], query['code'])
        self.assertEqual(self.line.invalid, [])
        # the token endpoint is not the Messaging API: nothing delivered
        self.assertEqual(self.line.delivered, [])

    def test_friendship_status(self):
        # already a friend: nothing changes
        self.line.follow(self.user)
        self.assertEqual(self.login()['friendship_status_changed'], 'false')
        # blocked: ticking "add friend" unblocks
        self.line.block(self.user)
        self.assertEqual(self.login()['friendship_status_changed'], 'true')
        self.assertNotIn(self.user, self.line.blocked)
        # unticked: no friend, false
        other = webhook.random_user_id()
        self.line.login_as(other, add_friend=False)
        query = self.callback(self.authorize(bot_prompt='normal'))
        self.assertEqual(query['friendship_status_changed'], 'false')
        self.assertFalse(self.line.is_friend(other))
        # without bot_prompt there is no add friend option at all
        self.line.login_as(other)
        query = self.callback(self.authorize(bot_prompt=None))
        self.assertNotIn('friendship_status_changed', query)
        self.assertFalse(self.line.is_friend(other))
        # without openid no ID token
        code = self.login(scope='profile')['code']
        self.assertNotIn('id_token', self.token(code).json())

    def test_code_is_single_use_and_short_lived(self):
        code = self.login()['code']
        self.assertEqual(self.token(code).status_code, 200)
        response = self.token(code)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {'error': 'invalid_grant',
            'error_description': 'invalid authorization code'})
        self.assertEqual(self.token('no-such-code').json()['error'],
            'invalid_grant')

        code = self.login()['code']
        self.clock.advance(10 * 60 + 1)
        response = self.token(code)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {'error': 'invalid_grant',
            'error_description': 'authorization code expired'})
        # these happen to a correct app (a reload, a slow user): valid
        self.assertEqual(self.line.invalid, [])

    def test_wrong_redirect_uri_and_credentials(self):
        code = self.login()['code']
        response = self.token(code,
            redirect_uri='https://app.example.com/line/callback')
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {'error': 'invalid_grant',
            'error_description': 'redirect_uri does not match'})
        response = self.token(code, client_secret='wrong')
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {'error': 'invalid_client',
            'error_description': 'invalid client_secret'})
        response = self.token(code, client_id='9999999999')
        self.assertEqual(response.json()['error'], 'invalid_client')
        response = self.token(code, grant_type='refresh_token')
        self.assertEqual(response.json()['error'], 'unsupported_grant_type')
        response = self.token(code, client_secret=None)
        self.assertEqual(response.json(), {'error': 'invalid_request',
            'error_description': 'some parameters missed or invalid'})
        response = requests.post(self.line.url + '/oauth2/v2.1/token',
            json={'grant_type': 'authorization_code', 'code': code},
            timeout=10)
        self.assertEqual(response.json()['error'], 'invalid_request')
        self.assertEqual(len(self.line.invalid), 6)
        self.assertEqual({r.operation_id for r in self.line.invalid},
            {'issueLoginToken'})
        # none of them used the code up
        self.assertEqual(self.token(code).status_code, 200)

    def test_verify_errors(self):
        id_token = self.token(self.login()['code']).json()['id_token']
        for fields, description in [
                ({'client_id': '1111111111'}, 'Invalid IdToken Audience.'),
                ({'nonce': 'other'}, 'Invalid IdToken Nonce.'),
                ({'user_id': webhook.random_user_id()},
                    'Invalid IdToken Subject Identifier.'),
                ({'id_token': id_token[:-2] + 'xx'}, 'Invalid IdToken.'),
                ({'id_token': 'not a token'}, 'Invalid IdToken.')]:
            with self.subTest(fields=fields):
                response = self.verify(id_token, **fields)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), {'error': 'invalid_request',
                    'error_description': description})
        self.clock.advance(3600)
        self.assertEqual(self.verify(id_token).json()['error_description'],
            'IdToken expired.')
        self.assertEqual(self.line.invalid, [])
        # a request without the ID token is the app's mistake
        response = self.verify(id_token, id_token='')
        self.assertEqual(response.json()['error'], 'invalid_request')
        self.assertEqual(len(self.line.invalid), 1)

    def test_authorize_errors(self):
        # nobody logged in: a page, no redirect
        response = self.authorize()
        self.assertEqual(response.status_code, 400)
        self.assertIn('text/html', response.headers['Content-Type'])
        self.assertIn('login_as', response.text)
        self.assertEqual(self.line.invalid, [])
        # unknown channel or a bad redirect_uri: a page too
        self.line.login_as(self.user)
        for params in ({'client_id': '9999999999'},
                {'redirect_uri': 'not a url'}, {'redirect_uri': None}):
            with self.subTest(params=params):
                response = self.authorize(**params)
                self.assertEqual(response.status_code, 400)
                self.assertIn('<html', response.text)
        # other errors go back to the app with error and state
        for params, error in [
                ({'scope': 'openid friends'}, 'invalid_scope'),
                ({'response_type': 'token'}, 'unsupported_response_type'),
                ({'bot_prompt': 'always'}, 'invalid_request'),
                ({'code_challenge': 'x'}, 'invalid_request')]:
            with self.subTest(params=params):
                query = self.callback(self.authorize(**params))
                self.assertEqual((query['error'], query['state']),
                    (error, 'st4te'))
                self.assertNotIn('code', query)
        self.assertEqual(len(self.line.invalid), 7)
        self.assertFalse(self.line.is_friend(self.user))
        # the user cancels the consent screen
        self.line.login_as(self.user, deny=True)
        query = self.callback(self.authorize())
        self.assertEqual(query['error'], 'access_denied')
        self.assertFalse(self.line.is_friend(self.user))
        # login_as() is for one authorization only
        self.assertEqual(self.authorize().status_code, 400)
        with self.assertRaises(ValueError):
            self.line.login_as('U123')

    def test_pkce(self):
        verifier = 'v' * 43
        challenge = base64.urlsafe_b64encode(hashlib.sha256(
            verifier.encode()).digest()).rstrip(b'=').decode()
        code = self.login(code_challenge=challenge,
            code_challenge_method='S256')['code']
        response = self.token(code, code_verifier='w' * 43)
        self.assertEqual(response.json(), {'error': 'invalid_grant',
            'error_description': 'invalid code_verifier'})
        self.assertEqual(self.token(code, code_verifier=verifier)
            .status_code, 200)

    def test_any_channel_by_default(self):
        with StandIn() as line:
            line.login_as(self.user)
            query = self.callback(self.authorize(line, client_id='555'))
            response = self.token(query['code'], line, client_id='555',
                client_secret='whatever')
            id_token = response.json()['id_token']
            self.assertEqual(self.verify(id_token, line, client_id='555')
                .json()['sub'], self.user)
            self.assertEqual(self.verify(id_token, line).json()
                ['error_description'], 'Invalid IdToken Audience.')
            self.assertEqual(line.invalid, [])

    def test_faults_and_other_paths(self):
        code = self.login()['code']
        self.line.fail_next(500, path_prefix='/oauth2/v2.1/token')
        self.assertEqual(self.token(code).status_code, 500)
        self.assertEqual(self.token(code).status_code, 200)
        # the rest of /oauth2 is still checked against the spec
        self.assertEqual(requests.get(self.line.url + '/oauth2/v2.1/verify',
            timeout=10).status_code, 405)
        self.assertEqual(requests.post(self.line.url + '/oauth2/v2.1/revoke',
            timeout=10).status_code, 404)
        self.assertEqual([r.operation_id for r in self.line.invalid],
            ['verifyIdToken', None])


class TestWebhook(unittest.TestCase):

    def test_bodies_validate_sign_and_parse(self):
        user = webhook.random_user_id()
        self.assertRegex(user, r'^U[0-9a-f]{32}$')
        events = [
            webhook.follow_event(user),
            webhook.follow_event(user, unblocked=True),
            webhook.unfollow_event(user),
            webhook.text_message_event(user, 'はじめまして',
                reply_token='a' * 32),
            webhook.postback_event(user, 'action=book&seminar=3',
                params={'datetime': '2026-04-01T10:00'}),
            webhook.event('message', user, message={
                    'type': 'sticker', 'id': '1', 'packageId': '1',
                    'stickerId': '2', 'stickerResourceType': 'STATIC',
                    'quoteToken': 'q'}),
        ]
        for event in events:
            self.assertRegex(
                event['webhookEventId'], r'^[0-9A-HJKMNP-TV-Z]{26}$')
            self.assertEqual(event['deliveryContext'], {'isRedelivery': False})
            self.assertEqual(event['mode'], 'active')
            self.assertEqual(event['source'], {'type': 'user', 'userId': user})
            self.assertIsInstance(event['timestamp'], int)
        body = webhook.body(events)
        self.assertIsInstance(body, bytes)
        self.assertIn('はじめまして'.encode('utf-8'), body)
        self.assertNotIn(b', ', body)
        data = webhook.validate_body(body)
        self.assertRegex(data['destination'], r'^U[0-9a-f]{32}$')

        signature = webhook.sign(body, SECRET)
        self.assertTrue(SignatureValidator(SECRET).validate(
                body.decode('utf-8'), signature))
        self.assertFalse(SignatureValidator('other').validate(
                body.decode('utf-8'), signature))

        parsed = WebhookParser(SECRET).parse(body.decode('utf-8'), signature)
        self.assertEqual([type(e) for e in parsed], [FollowEvent, FollowEvent,
                UnfollowEvent, MessageEvent, PostbackEvent, MessageEvent])
        self.assertEqual([parsed[0].follow.is_unblocked,
                parsed[1].follow.is_unblocked], [False, True])
        self.assertIsInstance(parsed[3].message, TextMessageContent)
        self.assertEqual(parsed[3].message.text, 'はじめまして')
        self.assertEqual(parsed[3].reply_token, 'a' * 32)
        self.assertEqual(parsed[3].source.user_id, user)
        self.assertEqual(parsed[4].postback.data, 'action=book&seminar=3')
        self.assertEqual(parsed[4].postback.params,
            {'datetime': '2026-04-01T10:00'})

    def test_invalid_bodies_rejected(self):
        user = webhook.random_user_id()
        good = webhook.text_message_event(user, 'x')
        no_text = dict(good, message={'type': 'text', 'id': '1'})
        unknown = dict(good, type='mesage')
        no_context = {k: v for k, v in good.items() if k != 'deliveryContext'}
        for events, destination in [([no_text], None), ([unknown], None),
                ([no_context], None), ([good], 'U123')]:
            with self.subTest(events=events, destination=destination):
                with self.assertRaises(webhook.WebhookValidationError):
                    webhook.validate_body({
                            'destination': destination or user,
                            'events': events})
        with self.assertRaises(webhook.WebhookValidationError):
            webhook.body([no_text])
        self.assertIn(b'"mesage"', webhook.body([unknown], validate=False))

    def test_redelivery_and_reply_token_from_standin(self):
        with StandIn() as line:
            user = webhook.random_user_id()
            token = line.issue_reply_token(user)
            event = webhook.text_message_event(user, 'x', reply_token=token,
                redelivery=True)
            self.assertEqual(event['deliveryContext'], {'isRedelivery': True})
            webhook.validate_body({'destination': user, 'events': [event]})
            with ApiClient(Configuration(host=line.url, access_token=TOKEN)
                    ) as client:
                MessagingApi(client).reply_message(ReplyMessageRequest(
                        reply_token=event['replyToken'],
                        messages=[TextMessage(text='ok')]))
            self.assertEqual(line.messages_for(user),
                [{'type': 'text', 'text': 'ok'}])


class TestCommandLine(unittest.TestCase):

    def test_main_logs_requests(self):
        process = subprocess.Popen(
            [sys.executable, '-m', 'line_standin', '--port', '0'],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.addCleanup(process.stdout.close)
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.terminate)
        url = re.search(r'http://\S+', process.stdout.readline()).group(0)
        requests.post(url + '/v2/bot/message/push', json={
                'to': 'U' + '0' * 32, 'messages': [{'type': 'text'}]},
            headers={'Authorization': 'Bearer t'}, timeout=10)
        line = process.stdout.readline()
        self.assertIn('POST /v2/bot/message/push -> 400 invalid', line)
        self.assertIn('messages[0].text', line)


if __name__ == '__main__':
    unittest.main()
