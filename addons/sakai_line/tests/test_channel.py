# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The LINE channel against the local LINE stand-in."""
import datetime as dt
import json
from http import HTTPStatus
from unittest.mock import patch

from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..configuration import utcnow
from ..routes import page
from .tools import LineTestCase, load_japanese_translations


class ChannelTestCase(LineTestCase):
    "LINE channel"

    def compose(self, users, text="こんにちは", **kwargs):
        Message = Pool().get('line.message')
        message = Message.compose(
            users, [{'type': 'text', 'text': text}], **kwargs)
        # What the queue does after the commit
        Message.deliver([message])
        return message

    def receive(self, *events):
        Event = Pool().get('line.event')
        # The webhook's body, as the route hands it over
        data = json.loads(line_webhook.body(list(events)))
        Event.receive(data['events'])
        Event.process(Event.search([('state', '=', 'pending')]))

    def assertClean(self):
        self.assertEqual(self.line.invalid, [])
        self.assertEqual(self.line.profile_requests(), [])

    @with_transaction()
    def test_multicast_batches(self):
        "1,201 followers get one message in 3 multicasts of at most 500"
        self.configure()
        users = self.followers(1201)
        message = self.compose(users)
        self.assertEqual(message.state, 'sent')
        self.assertEqual(
            sorted(len(b.recipients) for b in message.batches),
            [201, 500, 500])
        self.assertEqual(len({b.retry_key for b in message.batches}), 3)
        calls = self.line.calls('multicast')
        self.assertEqual(len(calls), 3)
        self.assertTrue(all(c.headers.get('x-line-retry-key') for c in calls))
        self.assertEqual(len(self.line.delivered), 1201)
        self.assertClean()

    @with_transaction()
    def test_blocked_users_skipped(self):
        "Blocked friends get nothing"
        self.configure()
        users = self.followers(3)
        users[0].state = 'blocked'
        users[0].save()
        message = self.compose(users)
        self.assertEqual(
            sorted(r.state for r in message.recipients),
            ['sent', 'sent', 'skipped'])
        self.assertEqual(len(self.line.delivered), 2)

    @with_transaction()
    def test_reply_when_token_fresh(self):
        "A fresh reply token is used (free); an old one falls back to push"
        self.configure()
        user, = self.followers(1)
        token = self.line.issue_reply_token(user.line_id)
        message = self.compose([user], reply_token=token)
        self.assertEqual([b.method for b in message.batches], ['reply'])

        stale = self.compose([user], reply_token='expired',
            reply_received_at=utcnow() - dt.timedelta(minutes=5))
        self.assertEqual([b.method for b in stale.batches], ['push'])

        used = self.compose([user], reply_token=token)
        self.assertEqual([b.method for b in used.batches], ['push'])
        self.assertEqual(used.state, 'sent')
        self.assertEqual(len(self.line.messages_for(user.line_id)), 3)
        self.assertClean()

    @with_transaction()
    def test_retry_after_crash(self):
        "Sending again with the same retry key never delivers twice"
        pool = Pool()
        Batch = pool.get('line.message.batch')
        Message = pool.get('line.message')
        self.configure()
        user, = self.followers(1)
        message = self.compose([user])
        batch, = message.batches
        self.assertEqual(batch.state, 'sent')
        # The worker died before its commit: the batch looks unsent
        Batch.write([batch], {'state': 'pending', 'sent_at': None})
        Message.write([message], {'state': 'queued'})
        Message.deliver([message])
        self.assertEqual(batch.state, 'sent')
        self.assertEqual(message.state, 'sent')
        self.assertEqual(len(self.line.calls('pushMessage')), 2)
        self.assertEqual(len(self.line.messages_for(user.line_id)), 1)

    @with_transaction()
    def test_server_errors(self):
        "5xx is retried at once, 429 later, 4xx not at all"
        pool = Pool()
        Message = pool.get('line.message')
        self.configure()
        user, = self.followers(1)

        self.line.fail_next(500, count=2)
        message = self.compose([user])
        self.assertEqual(message.state, 'sent')
        self.assertEqual(message.batches[0].attempts, 3)

        # 1 attempt and 3 quick retries, all refused
        self.line.fail_next(429, count=4)
        message = self.compose([user])
        batch, = message.batches
        self.assertEqual(message.state, 'queued')
        self.assertEqual(batch.state, 'pending')
        self.assertGreater(batch.next_attempt_at, utcnow())
        self.assertIn('429', batch.error)
        # Due later: the scheduler sends it
        batch.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
        batch.save()
        Message.deliver_due()
        self.assertEqual(message.state, 'sent')

        self.line.fail_next(429, count=100)
        message = self.compose([user])
        batch, = message.batches
        # Past the time limit, it is given up and shown as failed
        batch.first_attempt_at = utcnow() - dt.timedelta(days=1)
        batch.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
        batch.save()
        Message.deliver_due()
        self.assertEqual(message.state, 'failed')
        self.assertEqual(batch.recipients[0].state, 'failed')
        self.assertEqual(len(self.line.messages_for(user.line_id)), 2)

    @with_transaction()
    def test_message_content_checked(self):
        "A message holds 1 to 5 LINE message objects"
        from trytond.model.exceptions import ValidationError
        Message = Pool().get('line.message')
        user, = self.followers(1)
        for content in ['[]', 'not json', json.dumps([{'type': 'text',
                            'text': str(i)} for i in range(6)])]:
            with self.subTest(content=content):
                with self.assertRaises(ValidationError):
                    Message(content=content,
                        recipients=[{'line_user': user}]).save()

    @with_transaction()
    def test_follow_history(self):
        "Follows and blocks make the history; the latest sets the state"
        LineUser = Pool().get('line.user')
        user_id = line_webhook.random_user_id()
        now_ms = int(utcnow().replace(tzinfo=dt.UTC).timestamp() * 1000)
        follow = line_webhook.follow_event(user_id, timestamp=now_ms - 5000)
        unfollow = line_webhook.unfollow_event(user_id, timestamp=now_ms)
        # Delivered out of order: the block is the latest
        self.receive(unfollow)
        self.receive(follow)
        user, = LineUser.search([('line_id', '=', user_id)])
        self.assertEqual(user.state, 'blocked')
        self.assertEqual(
            sorted(h.action for h in user.history), ['block', 'follow'])

    @with_transaction()
    def test_failed_event_retried(self):
        "A failing event is kept with its error and processed again later"
        pool = Pool()
        Event = pool.get('line.event')
        LineUser = pool.get('line.user')
        user_id = line_webhook.random_user_id()
        with patch.object(LineUser, 'record_follow',
                side_effect=RuntimeError("database hiccup")):
            self.receive(line_webhook.follow_event(user_id))
        event, = Event.search([('line_id', '=', user_id)])
        self.assertEqual(event.state, 'failed')
        self.assertIn("database hiccup", event.error)
        self.assertEqual(LineUser.search([('line_id', '=', user_id)]), [])

        event.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
        event.save()
        Event.retry_failed()
        # What the in-process queue does after the scheduler's commit
        Queue = pool.get('ir.queue')
        while Transaction().tasks:
            Queue(Transaction().tasks.pop()).run()
        event = Event(event.id)
        self.assertEqual(event.state, 'done')
        self.assertEqual(event.attempts, 2)
        self.assertEqual(
            LineUser.search([('line_id', '=', user_id)])[0].state,
            'following')

    @with_transaction()
    def test_duplicate_events(self):
        "The same webhookEventId is stored once"
        Event = Pool().get('line.event')
        follow = line_webhook.follow_event(line_webhook.random_user_id())
        self.receive(follow, follow)
        self.receive(follow)
        self.assertEqual(len(Event.search([
                        ('webhook_event_id', '=',
                            follow['webhookEventId'])])), 1)

    @with_transaction()
    def test_secret_required_outside_demo(self):
        "Without a secret the webhook refuses, unless in demo mode"
        Configuration = Pool().get('line.configuration')
        self.assertEqual(Configuration.credentials(), (None, None))
        with patch('sakai_line.configuration.demo_mode', return_value=True):
            self.assertEqual(Configuration.credentials(),
                ('demo-channel-secret', 'demo-channel-access-token'))
        with patch.dict('os.environ', {
                    'SAKAI_LINE_CHANNEL_SECRET': 'from-env'}):
            self.assertEqual(Configuration.credentials()[0], 'from-env')
        Transaction().rollback()

    @with_transaction()
    def test_read_quota(self):
        "The administrator sees the monthly quota and what was used"
        from trytond.exceptions import UserError
        Configuration = Pool().get('line.configuration')
        self.configure()
        self.compose(self.followers(3))
        configuration = Configuration(1)
        Configuration.read_quota([configuration])
        self.assertEqual(configuration.quota_limit, 1000)
        self.assertEqual(configuration.quota_used, 3)
        self.assertIsNotNone(configuration.quota_read_at)

        configuration.endpoint = 'http://127.0.0.1:9'
        configuration.save()
        with self.assertRaises(UserError):
            Configuration.read_quota([configuration])

    def rich_menu(self, labels=("相談予約", "求人を見る", "よくある質問",
                "マイページ"), layout='large_4', code='test-default'):
        RichMenu = Pool().get('line.rich_menu')
        menu = RichMenu(name="メニュー " + code, code=code,
            chat_bar_text="メニュー", layout=layout,
            areas=[{'label': label, 'action': 'postback',
                    'data': 'menu=%s' % i} for i, label in enumerate(labels)])
        menu.save()
        return menu

    @with_transaction()
    def test_rich_menu_upload(self):
        "A rich menu is drawn, uploaded with its image and made default"
        RichMenu = Pool().get('line.rich_menu')
        self.configure()
        menu = self.rich_menu()
        self.assertEqual(menu.state, 'draft')
        RichMenu.draw_image([menu])
        RichMenu.upload([menu])
        self.assertEqual(menu.state, 'uploaded')
        uploaded = self.line.rich_menus[menu.line_rich_menu_id]
        self.assertEqual(uploaded['menu']['size'],
            {'width': 2500, 'height': 1686})
        self.assertEqual(
            [a['action']['label'] for a in uploaded['menu']['areas']],
            ["相談予約", "求人を見る", "よくある質問", "マイページ"])
        self.assertEqual(uploaded['menu']['areas'][3]['bounds'],
            {'x': 1250, 'y': 843, 'width': 1250, 'height': 843})
        self.assertEqual(bytes(uploaded['image']), bytes(menu.image))

        RichMenu.set_default([menu])
        self.assertTrue(menu.is_default)
        self.assertEqual(self.line.default_rich_menu, menu.line_rich_menu_id)
        self.assertClean()

    @with_transaction()
    def test_rich_menu_per_user(self):
        """A person can be shown another menu; uploading an edited menu
        keeps them and the default on it"""
        pool = Pool()
        RichMenu = pool.get('line.rich_menu')
        LineUser = pool.get('line.user')
        self.configure()
        default = self.rich_menu()
        RichMenu.set_default([default])
        other = self.rich_menu(("仕事を探す", "相談する"), 'compact_2', 'test-job')
        alice, bob = self.followers(2)
        LineUser.link_rich_menu([alice], other)
        self.assertEqual(alice.rich_menu, other)
        self.assertEqual(self.line.user_rich_menus,
            {alice.line_id: other.line_rich_menu_id})

        old_ids = default.line_rich_menu_id, other.line_rich_menu_id
        for menu in [default, other]:
            menu.chat_bar_text = "メニューを開く"
            menu.save()
            self.assertEqual(menu.state, 'changed')
        RichMenu.upload([default, other])
        self.assertNotIn(default.line_rich_menu_id, old_ids)
        self.assertEqual(self.line.default_rich_menu, default.line_rich_menu_id)
        self.assertEqual(self.line.user_rich_menus,
            {alice.line_id: other.line_rich_menu_id})
        self.assertEqual(set(self.line.rich_menus),
            {default.line_rich_menu_id, other.line_rich_menu_id})

        LineUser.link_rich_menu([alice, bob], None)
        self.assertEqual(self.line.user_rich_menus, {})
        self.assertIsNone(alice.rich_menu)
        self.assertClean()

    @with_transaction()
    def test_rich_menu_link_retried(self):
        """Linking a menu while LINE answers 500 or 429 is tried again by
        the outbound queue and lands later; the latest choice wins"""
        pool = Pool()
        RichMenu = pool.get('line.rich_menu')
        LineUser = pool.get('line.user')
        Link = pool.get('line.rich_menu.link')
        Message = pool.get('line.message')
        Event = pool.get('line.event')
        self.configure()
        default = self.rich_menu()
        RichMenu.set_default([default])
        other = self.rich_menu(("仕事を探す", "相談する"), 'compact_2', 'test-job')
        RichMenu.upload([other])
        alice, = self.followers(1)
        user_calls = '/v2/bot/user/'

        def later(link):
            "What the scheduler does once the link is due"
            at = link.next_attempt_at + dt.timedelta(seconds=1)
            with patch('sakai_line.message.utcnow', return_value=at):
                Message.deliver_due()

        # LINE fails the call and its quick retries: the choice is kept,
        # the call waits for the scheduler
        self.line.fail_next(500, count=4, path_prefix=user_calls)
        LineUser.link_rich_menu([alice], other)
        self.assertEqual(alice.rich_menu, other)
        self.assertEqual(self.line.user_rich_menus, {})
        link, = Link.search([('line_user', '=', alice.id)])
        self.assertEqual(link.state, 'pending')
        self.assertEqual(link.attempts, 4)
        self.assertGreater(link.next_attempt_at, utcnow())
        self.assertIn('500', link.error)
        # Not due yet: the scheduler leaves it
        Message.deliver_due()
        self.assertEqual(len(self.line.calls('linkRichMenuIdToUser')), 4)

        # Still down when staff choose another menu for her: the waiting
        # link takes the newer choice
        self.line.fail_next(500, count=4, path_prefix=user_calls)
        LineUser.link_rich_menu([alice], default)
        self.assertEqual(Link.search([('line_user', '=', alice.id)]), [link])
        self.assertEqual(link.rich_menu, default)
        self.assertEqual(link.state, 'pending')
        later(link)
        self.assertEqual(link.state, 'sent')
        self.assertTrue(link.request_id)
        self.assertEqual(self.line.user_rich_menus,
            {alice.line_id: default.line_rich_menu_id})

        # A returning friend while LINE is rate limiting: the follow
        # event is done, her menu is linked again after the Retry-After
        bob, = self.followers(1, state='blocked')
        LineUser.write([bob], {'rich_menu': other.id})
        self.line.fail_next(429, count=1, path_prefix=user_calls,
            retry_after=600)
        before = utcnow().replace(microsecond=0)
        self.receive(line_webhook.follow_event(bob.line_id, unblocked=True))
        event, = Event.search([('line_id', '=', bob.line_id)])
        self.assertEqual(event.state, 'done')
        self.assertEqual(LineUser(bob.id).state, 'following')
        link, = Link.search([('line_user', '=', bob.id)])
        self.assertEqual((link.state, link.attempts), ('pending', 1))
        self.assertGreaterEqual(link.next_attempt_at,
            before + dt.timedelta(seconds=600))
        self.assertIn('429', link.error)
        self.assertNotIn(bob.line_id, self.line.user_rich_menus)
        later(link)
        self.assertEqual(link.state, 'sent')
        self.assertEqual(self.line.user_rich_menus[bob.line_id],
            other.line_rich_menu_id)

        # LINE down for good: given up after the policy's time, and shown
        self.line.fail_next(500, count=100, path_prefix=user_calls)
        LineUser.link_rich_menu([bob], None)
        link, = Link.search([
                ('line_user', '=', bob.id), ('state', '=', 'pending')])
        link.first_attempt_at = utcnow() - dt.timedelta(days=1)
        link.save()
        later(link)
        self.assertEqual(link.state, 'failed')
        self.assertIn('500', link.error)
        self.assertIsNone(link.next_attempt_at)
        self.assertClean()

    @with_transaction()
    def test_rich_menu_checked(self):
        "Menus that LINE would refuse are refused with the reason"
        from trytond.model.exceptions import ValidationError
        RichMenu = Pool().get('line.rich_menu')
        with self.assertRaises(ValidationError):
            self.rich_menu(("1", "2", "3"), 'compact_2', 'too-many')
        menu = self.rich_menu(("1", "2"), 'compact_2', 'image')
        with self.assertRaises(ValidationError):
            menu.image = b'not an image'
            menu.save()
        menu.layout = 'large_2'
        menu.image = menu.render()
        menu.layout = 'compact_2'
        with self.assertRaises(ValidationError):
            # A large image for a compact menu
            menu.save()
        with self.assertRaises(ValidationError):
            RichMenu(name="x", chat_bar_text="x", areas=[{
                        'label': "x", 'action': 'uri',
                        'uri': 'javascript:alert(1)'}]).save()

    @with_transaction()
    def test_link_pages(self):
        """The pages of the friend-add links and of LINE Login's callback:
        their status and their Japanese text"""
        load_japanese_translations()
        link = 'https://line.me/R/ti/p/%40sakai?a=1&b="2"'
        for status, message, text, button in [
                (HTTPStatus.NOT_FOUND, 'sakai_line.msg_page_not_found',
                    "このリンクは見つかりません。チラシやページのQRコードを"
                    "もう一度読み取ってください。", None),
                (HTTPStatus.SERVICE_UNAVAILABLE,
                    'sakai_line.msg_page_not_ready',
                    "ただいま準備中です。しばらくしてからお試しください。",
                    None),
                (HTTPStatus.BAD_REQUEST, 'sakai_line.msg_page_expired',
                    "このリンクは有効期限が切れています。もう一度QRコードを"
                    "読み取るか、下のボタンから友だち追加してください。",
                    link),
                (HTTPStatus.OK, 'sakai_line.msg_page_thanks',
                    "ありがとうございます。LINEに戻ってください。", None)]:
            with self.subTest(message=message):
                response = page(status, message, button)
                self.assertEqual(response.status_code, status)
                self.assertEqual(response.mimetype, 'text/html')
                body = response.get_data(as_text=True)
                self.assertIn('<title>%s</title>' % text, body)
                self.assertIn('<p>%s</p>' % text, body)
                self.assertIn('lang="ja"', body)
                if button:
                    self.assertIn('<a href="https://line.me/R/ti/p/%40sakai'
                        '?a=1&amp;b=&#34;2&#34;">LINEで友だち追加する</a>',
                        body)
                else:
                    self.assertNotIn('<a ', body)
