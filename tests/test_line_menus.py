# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The rich menu's buttons across modules: each answers, and a feature
other than a questionnaire pauses the conversation in progress; no button
of a shipped menu and no instruction of the FAQ leads to a dead end."""
import datetime as dt
import json
import re
from urllib.parse import urlencode

from line_standin import webhook as line_webhook

from sakai_counseling.tests.tools import to_utc
from sakai_questionnaire.response import RESUME_WORDS, normalize
from sakai_line.tests.tools import DatabaseTestCase, LineTestCase, staff_user
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction


class MenuTestCase(DatabaseTestCase):
    "Rich menu buttons"
    module = ['sakai_jobs', 'sakai_seminars', 'sakai_faq']

    def tap(self, user, key):
        Event = Pool().get('line.event')
        return Event()._menu(user, key)

    @with_transaction()
    def test_menus(self):
        pool = Pool()
        Response = pool.get('questionnaire.response')
        Seminar = pool.get('seminar.seminar')
        Programme = pool.get('support.programme')
        Programme.create([{'name': "堺市ひとり親家庭就業支援",
                    'municipality': "堺市", 'office_phone': '072-228-1234'}])
        user = self.follower()
        start = dt.datetime.now() + dt.timedelta(days=3)
        Seminar.create([{'name': "自立支援セミナー", 'kind': 'self_reliance',
                    'capacity': 20, 'sessions': [('create', [{
                                    'start': start,
                                    'end': start + dt.timedelta(hours=2),
                                    'method': 'face_to_face',
                                    'capacity': 20, 'childcare': True}])]}])

        # The diagnosis starts; a feature button pauses it first
        diagnosis = self.tap(user, 'diagnosis')
        self.assertIn('quickReply', diagnosis[-1])
        response, = Response.search([('line_user', '=', user.id)])
        seminars = self.tap(user, 'seminars')
        self.assertEqual(response.state, 'paused')
        self.assertEqual(seminars[-1]['type'], 'flex')
        self.assertEqual(len(seminars[-1]['contents']['contents']), 1)
        self.assertEqual(len(seminars), 2)

        # Nothing left to pause: the features answer alone
        exchange = self.tap(user, 'exchange')
        self.assertEqual([m['type'] for m in exchange], ['text'])
        # Booking starts with the kind; no slots are needed to ask it
        booking = self.tap(user, 'booking')
        kinds = [i['action']['data']
            for i in booking[-1]['quickReply']['items']]
        self.assertEqual(kinds, ['bk?a=kind&k=career',
                'bk?a=kind&k=job_introduction'])
        checks = self.tap(user, 'assessment')
        self.assertEqual([m['type'] for m in checks], ['flex'])

        # My page offers to go on with the paused diagnosis
        mypage = self.tap(user, 'mypage')
        data = [i['action']['data'] for i in mypage[0]['quickReply']['items']]
        self.assertEqual(data, ['bk?a=start', 'resume', 'menu=diagnosis'])

        # The diagnosis button goes on where she stopped, nothing paused
        again = self.tap(user, 'diagnosis')
        self.assertEqual(response.state, 'in_progress')
        self.assertEqual(len(Response.search([])), 1)
        self.assertIn('quickReply', again[-1])


# A label quoted in a text: 「相談予約」 or 『相談予約』
QUOTED = re.compile(r'[「『]([^「」『』]+)[」』]')
DEAD_END = '準備中'


def actions(message):
    "The actions of a message's buttons and quick replies"
    found = [i['action'] for i in
        (message.get('quickReply') or {}).get('items', [])]

    def walk(node):
        if isinstance(node, dict):
            if node.get('type') == 'button' and 'action' in node:
                found.append(node['action'])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(message.get('contents'))
    return found


class MenuWalkTestCase(LineTestCase):
    """A person taps every area of every shipped rich menu, and follows
    every instruction of the FAQ: nothing is a dead end"""

    module = ['sakai_jobs', 'sakai_seminars', 'sakai_faq']
    japanese = True

    def prepare(self):
        "A programme, a seminar, an exchange meeting and a free slot"
        pool = Pool()
        Programme = pool.get('support.programme')
        Seminar = pool.get('seminar.seminar')
        Slot = pool.get('counseling.slot')
        self.configure()
        Programme.create([{'name': "堺市ひとり親×仕事サポートLINE",
                    'municipality': "堺市", 'office_phone': '072-228-1234'}])
        day = dt.date.today() + dt.timedelta(days=3)
        if (day.month, day.day) >= (12, 28) or (day.month, day.day) <= (1, 4):
            day += dt.timedelta(days=8)
        start = to_utc(dt.datetime.combine(day, dt.time(20)))
        for name, kind in [("自立支援セミナー", 'self_reliance'),
                ("ひとり親交流会", 'exchange')]:
            Seminar.create([{'name': name, 'kind': kind, 'capacity': 10,
                        'sessions': [('create', [{
                                        'start': start,
                                        'end': start + dt.timedelta(hours=1),
                                        'method': 'face_to_face',
                                        'capacity': 10}])]}])
        counselor = staff_user('counselor', 'counselor', name="Counselor")
        self.slots = Slot.create([{'counselor': counselor.id,
                    'start': start + dt.timedelta(hours=h),
                    'end': start + dt.timedelta(hours=h, minutes=60),
                    'kinds': ['career', 'job_introduction'],
                    'methods': ['chat', 'phone', 'video']}
                for h in range(3)])

    def shipped_menus(self):
        "The rich menus the modules ship, with their areas"
        pool = Pool()
        RichMenu = pool.get('line.rich_menu')
        ModelData = pool.get('ir.model.data')
        ids = [d.db_id for d in ModelData.search([
                    ('model', '=', 'line.rich_menu')])]
        menus = RichMenu.browse(ids)
        self.assertGreaterEqual(len(menus), 4)
        return menus

    def receive(self, *events):
        Event = Pool().get('line.event')
        data = json.loads(line_webhook.body(list(events)))
        Event.receive(data['events'])
        pending = Event.search([('state', '=', 'pending')])
        Event.process(pending)
        pending = Event.browse(pending)
        self.assertEqual({e.state for e in pending}, {'done'},
            [(e.type, e.payload, e.error) for e in pending])

    def follow(self):
        user_id = line_webhook.random_user_id()
        self.receive(line_webhook.follow_event(user_id,
                reply_token=self.line.issue_reply_token(user_id)))
        return user_id

    def act(self, user_id, action, where):
        """Do what a tap on the action does; return the replies, checked:
        something answers, and it is no 準備中"""
        before = len(self.line.messages_for(user_id))
        token = self.line.issue_reply_token(user_id)
        if action['type'] == 'postback':
            self.receive(line_webhook.postback_event(user_id,
                    action['data'], reply_token=token))
        elif action['type'] == 'message':
            self.receive(line_webhook.text_message_event(user_id,
                    action['text'], reply_token=token))
        elif action['type'] == 'uri':
            self.assertRegex(action['uri'], r'^(https://|tel:|line://)\S+$',
                where)
            return []
        else:
            self.fail('%s: unexpected action %s' % (where, action))
        replies = self.line.messages_for(user_id)[before:]
        self.assertTrue(replies, '%s: no reply' % where)
        # LINE would have refused a malformed message
        self.assertEqual(self.line.invalid, [], where)
        for reply in replies:
            text = json.dumps(reply, ensure_ascii=False)
            self.assertNotIn(DEAD_END, text, where)
            self.assertTrue(reply.get('text') or reply.get('contents'),
                '%s: empty reply %s' % (where, text))
        return replies

    def book(self, user_id):
        "The person books the first free slot on LINE"
        slot = self.slots[0]
        self.act(user_id, {'type': 'postback', 'data': 'bk?' + urlencode({
                        'a': 'book', 'k': 'career', 'm': 'chat',
                        't': slot.start.strftime('%Y%m%d%H%M'),
                        'e': slot.end.strftime('%Y%m%d%H%M')})}, 'book')

    @with_transaction()
    def test_every_area_of_every_menu(self):
        "Each area answers, and so does each button of its answer"
        self.prepare()
        for menu in self.shipped_menus():
            for area in menu.areas:
                where = '%s › %s' % (menu.name, area.label)
                user_id = self.follow()
                self.book(user_id)
                replies = self.act(user_id, area.as_line(), where)
                # One step further: every button of the answer leads on
                for reply in replies:
                    for action in actions(reply):
                        if action.get('data', '').startswith('bk?a=book'):
                            continue
                        self.act(user_id, action,
                            '%s › %s' % (where, action.get('label')))

    @with_transaction()
    def test_faq_menu_by_category(self):
        "よくある質問: the categories, each question answers; or type it"
        pool = Pool()
        Category = pool.get('faq.category')
        Entry = pool.get('faq.entry')
        self.prepare()
        user_id = self.follow()
        invitation, carousel = self.act(user_id,
            {'type': 'postback', 'data': 'menu=faq'}, 'よくある質問')[-2:]
        self.assertIn('入力して送って', invitation['text'])
        self.assertEqual(carousel['type'], 'flex')
        titles = [b['header']['contents'][0]['text']
            for b in carousel['contents']['contents']]
        self.assertEqual(titles, [c.name for c in Category.search([])])
        buttons = actions(carousel)
        self.assertEqual(len(buttons), len(Entry.search([])))
        for action in buttons:
            answer, = self.act(user_id, action, action['label'])
            entry, = Entry.search([('question', '=', action['label'])])
            self.assertEqual(answer['text'], entry.answer_text)
        # The question box: a typed question gets its answer
        answer, = self.act(user_id,
            {'type': 'message', 'text': '予約をキャンセルしたい'}, 'typed')
        self.assertIn('キャンセル', answer['text'])

    @with_transaction()
    def test_faq_instructions_lead_somewhere(self):
        """Every menu, button or word an FAQ answer names exists for
        whatever shipped menu the person sees, and works"""
        pool = Pool()
        Entry = pool.get('faq.entry')
        self.prepare()
        menus = self.shipped_menus()
        areas = {}
        for menu in menus:
            for area in menu.areas:
                areas.setdefault(area.label, area.as_line())
        user_id = self.follow()
        self.book(user_id)
        checked = set()
        for entry in Entry.search([]):
            answer, = self.act(user_id, {'type': 'postback',
                    'data': 'faq=%d' % entry.id}, entry.question)
            text = answer['text']
            quick = {a['label']: a for a in actions(answer)}
            named = []
            for match in QUOTED.finditer(text):
                label = match.group(1)
                before = text[:match.start()]
                after = text[match.end():]
                where = '%s: 「%s」' % (entry.question, label)
                if label in areas or re.search(r'メニュー(の)?$', before):
                    # A feature of the menu: on the person's menu, or a
                    # button under the answer
                    self.assertIn(label, areas, where)
                    for menu in menus:
                        on_menu = label in [a.label for a in menu.areas]
                        if before.endswith('メニューの'):
                            self.assertTrue(on_menu, '%s not on %s' % (
                                    where, menu.name))
                        self.assertTrue(on_menu or label in quick,
                            '%s: not on %s nor under the answer' % (
                                where, menu.name))
                    named.append(label)
                    if label not in checked:
                        self.act(user_id, areas[label], where)
                    if label in quick:
                        self.act(user_id, quick[label], where)
                    checked.add(label)
                elif after.startswith('を押'):
                    # A button: under the answer, or in what the features
                    # the answer names show (the person has a booking)
                    if label in quick:
                        self.act(user_id, quick[label], where)
                        continue
                    shown = {}
                    for feature in named:
                        for reply in self.act(user_id, areas[feature], where):
                            shown.update(
                                {a['label']: a for a in actions(reply)})
                    self.assertIn(label, shown, where)
                    self.act(user_id, shown[label], where)
                elif after.startswith('と送'):
                    # A word to send
                    self.assertIn(normalize(label), RESUME_WORDS, where)

    @with_transaction()
    def test_mypage_appointments(self):
        "マイページ shows the coming appointments, to change or cancel"
        Booking = Pool().get('counseling.booking')
        self.prepare()
        mypage = {'type': 'postback', 'data': 'menu=mypage'}
        user_id = self.follow()
        self.book(user_id)
        booking, = Booking.search([])
        cards, summary = self.act(user_id, mypage, 'マイページ')[-2:]
        self.assertIn('【マイページ】', summary['text'])
        self.assertIn('ご予約中の相談：1件', summary['text'])
        self.assertIn('20:00〜21:00', json.dumps(cards, ensure_ascii=False))
        buttons = {a['label']: a for a in actions(cards)}
        # The same buttons as under 相談予約
        booking_menu = self.act(user_id,
            {'type': 'postback', 'data': 'menu=booking'}, '相談予約')[-2]
        self.assertEqual(buttons, {a['label']: a
                for a in actions(booking_menu)})
        methods, = self.act(user_id, buttons['日時を変更する'], '変更')
        self.assertIn('チャット', [a['label'] for a in actions(methods)])
        ask, = self.act(user_id, buttons['キャンセルする'], 'キャンセル')
        confirm = {a['label']: a for a in actions(ask)}
        self.act(user_id, confirm['キャンセルする'], 'キャンセルする')
        self.assertEqual(Booking(booking.id).state, 'cancelled')

        # Nothing booked: said so, with a way to book
        summary, = self.act(user_id, mypage, 'マイページ')
        self.assertIn('ご予約中の相談：ありません', summary['text'])
        book = {a['label']: a for a in actions(summary)}['相談を予約する']
        kinds = self.act(user_id, book, '相談を予約する')[-1]
        self.assertEqual([a['label'] for a in actions(kinds)],
            ['キャリア相談', '職業紹介'])
