# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job introductions on LINE: 「この求人に興味あり」 in the 求人 menu, the
introduction cards and their answers (応募したい・もっと知りたい・見送る),
forged and repeated postbacks, the card pushed when a coordinator
proposes a job."""
import datetime as dt
import json

from line_standin import webhook as line_webhook

from sakai_counseling.tests.tools import create_client
from sakai_line.tests.tools import LineTestCase, as_user, rpc, staff_user
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_programme.programme import utcnow


class LineJobsTestCase(LineTestCase):
    "Job introductions on LINE"
    module = 'sakai_jobs'

    # -- helpers ------------------------------------------------------------

    def setUp(self):
        super().setUp()
        self.count = 0

    def configure(self):
        "The channel, and a coordinator to take what comes from LINE"
        super().configure()
        self.staff('coordinator', 'coordinator')

    def staff(self, login, group):
        User = Pool().get('res.user')
        users = User.search([('login', '=', login)])
        return users[0] if users else staff_user(login, group)

    def job(self, title="一般事務", state='open', **values):
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        employers = Party.search([('name', '=', "株式会社さかい")])
        if employers:
            employer, = employers
        else:
            employer = Party(name="株式会社さかい", is_employer=True)
            employer.save()
        order = JobOrder(employer=employer, title=title,
            employment_type='full_time', wage_type='monthly',
            wage_min=200000, wage_max=240000, location="堺市堺区",
            hours="9:00〜16:00", short_hours=True, **values)
        order.save()
        if state != 'draft':
            JobOrder.open([order])
        if state not in {'draft', 'open'}:
            # Not through fill/close: their open introductions stay open
            JobOrder.write([order], {'state': state})
        return order

    def person(self, clear=True, linked=True, state='following'):
        """A LINE friend (their LINE user id) and, when linked, the client
        they are, whose counseling record marks the direction clear"""
        pool = Pool()
        Record = pool.get('counseling.record')
        LineUser = pool.get('line.user')
        self.count += 1
        line_id = line_webhook.random_user_id()
        user = LineUser(line_id=line_id, state=state)
        user.save()
        client = None
        if linked:
            client = create_client("堺 花子%s" % self.count,
                line_user=user.id)
            Record.create([{'client': client.id,
                        'counselor': self.staff('counselor', 'counselor').id,
                        'kind': 'career', 'method': 'chat',
                        'start': utcnow() - dt.timedelta(days=3),
                        'state': 'done', 'direction_clear': clear}])
        return line_id, client

    def receive(self, *events):
        Event = Pool().get('line.event')
        data = json.loads(line_webhook.body(list(events)))
        Event.receive(data['events'])
        Event.process(Event.search([('state', '=', 'pending')]))

    def tap(self, line_id, data):
        "Tap a postback; the messages that answer it"
        before = len(self.line.messages_for(line_id))
        self.receive(line_webhook.postback_event(line_id, data,
                reply_token=self.line.issue_reply_token(line_id)))
        return self.line.messages_for(line_id)[before:]

    def buttons(self, message):
        "{data: label} of the buttons in a Flex carousel"
        buttons = {}
        for bubble in message['contents']['contents']:
            for item in bubble['footer']['contents']:
                if item['type'] == 'button':
                    label = item['action']['label']
                    # Not cut to LINE's 20 characters
                    self.assertLess(len(label), 20, label)
                    buttons[item['action']['data']] = label
        return buttons

    def texts(self, message):
        "The texts of a Flex carousel"
        return [item['text'] for bubble in message['contents']['contents']
            for part in ('header', 'body', 'footer')
            for item in bubble.get(part, {}).get('contents', [])
            if item['type'] == 'text']

    def quick(self, message):
        "{data: label} of a message's quick replies"
        labels = {i['action']['data']: i['action']['label']
            for i in message['quickReply']['items']}
        for label in labels.values():
            self.assertLess(len(label), 20, label)
        return labels

    def propose(self, client, order):
        "A coordinator proposes the job from the back office"
        Introduction = Pool().get('job.introduction')
        with as_user(self.staff('coordinator', 'coordinator').id):
            introduction_id, = rpc(Introduction, 'create', [{
                        'client': client.id, 'job_order': order.id}])
        return Introduction(introduction_id)

    def snapshot(self, introduction):
        Introduction = Pool().get('job.introduction')
        introduction = Introduction(introduction.id)
        return (introduction.state, introduction.waiting,
            introduction.waiting_since, introduction.end_reason,
            introduction.line_answer_reason, len(introduction.stages))

    def deliver_pushes(self):
        Message = Pool().get('line.message')
        Message.deliver(Message.search([('state', '=', 'queued')]))

    # -- the 求人 menu -------------------------------------------------------

    @with_transaction()
    def test_jobs_menu(self):
        "「この求人に興味あり」 only for a person whose direction is clear"
        self.configure()
        order = self.job()
        interest = 'job=%s&a=interest' % order.id
        for clear, linked, expected in [
                (True, True, interest),
                (False, True, 'menu=booking'),
                (False, False, 'menu=booking'),
                ]:
            with self.subTest(clear=clear, linked=linked):
                line_id, _ = self.person(clear=clear, linked=linked)
                jobs, = self.tap(line_id, 'menu=jobs')
                self.assertEqual(list(self.buttons(jobs)), [expected])
                self.assertIn("一般事務", self.texts(jobs))

    @with_transaction()
    def test_interest(self):
        "A tap proposes the job on LINE and waits for the coordinator"
        Introduction = Pool().get('job.introduction')
        self.configure()
        order = self.job()
        other = self.job("介護職員")
        line_id, client = self.person()
        answer, card = self.tap(line_id, 'job=%s&a=interest' % order.id)
        introduction, = Introduction.search([])
        self.assertEqual(
            (introduction.client, introduction.job_order, introduction.origin,
                introduction.state, introduction.waiting),
            (client, order, 'line', 'proposed', 'line_interest'))
        self.assertTrue(introduction.waiting_since)
        stage, = introduction.stages
        self.assertTrue(stage.by_line)
        self.assertIn("Your coordinator will contact you", answer['text'])
        self.assertEqual(set(self.buttons(card)), {
                'intro=%s&a=%s' % (introduction.id, a)
                for a in ['apply', 'more', 'decline']})
        self.assertIn("株式会社さかい", self.texts(card))

        # Tapped again: said kindly, nothing changes
        before = self.snapshot(introduction)
        answer, card = self.tap(line_id, 'job=%s&a=interest' % order.id)
        self.assertIn("already introduced to you", answer['text'])
        self.assertEqual(self.snapshot(introduction), before)
        self.assertEqual(len(Introduction.search([])), 1)

        # The menu shows the introduction first, the job as introduced
        introductions, jobs = self.tap(line_id, 'menu=jobs')
        self.assertEqual(introductions['altText'], "Jobs introduced to you")
        self.assertIn('intro=%s&a=apply' % introduction.id,
            self.buttons(introductions))
        self.assertEqual(list(self.buttons(jobs)),
            ['job=%s&a=interest' % other.id])

        # And my page
        *cards, summary = self.tap(line_id, 'menu=mypage')
        self.assertIn("Jobs introduced to you: 1", summary['text'])
        self.assertIn('intro=%s&a=more' % introduction.id,
            self.buttons(cards[-1]))

    @with_transaction()
    def test_interest_refused(self):
        "Forged interest: no clear direction, a job not open, unknown ids"
        Introduction = Pool().get('job.introduction')
        self.configure()
        order = self.job()
        draft = self.job("清掃", state='draft')
        filled = self.job("販売", state='filled')
        unclear, _ = self.person(clear=False)
        stranger, _ = self.person(linked=False)
        for line_id in [unclear, stranger]:
            answer, = self.tap(line_id, 'job=%s&a=interest' % order.id)
            # Counseling first, with a quick reply to book it
            self.assertIn('bk?a=kind&k=career', self.quick(answer))
        line_id, _ = self.person()
        for data in ['job=%s&a=interest' % draft.id,
                'job=%s&a=interest' % filled.id,
                'job=999999&a=interest', 'job=abc&a=interest',
                'job=&a=interest', 'job=1%s&a=interest' % ('0' * 40)]:
            with self.subTest(data=data):
                answer, = self.tap(line_id, data)
                self.assertIn("no longer open", answer['text'])
        self.assertEqual(Introduction.search([]), [])

    # -- answers on an introduction card -----------------------------------

    @with_transaction()
    def test_apply_and_more(self):
        "応募したい makes it interested (not applied); もっと知りたい waits"
        pool = Pool()
        Introduction = pool.get('job.introduction')
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        self.configure()
        order = self.job()
        line_id, client = self.person()
        introduction = self.propose(client, order)
        self.assertIsNone(introduction.waiting)

        answer, = self.tap(line_id, 'intro=%s&a=apply' % introduction.id)
        self.assertIn("want to apply", answer['text'])
        introduction = Introduction(introduction.id)
        self.assertEqual((introduction.state, introduction.waiting),
            ('interested', 'line_apply'))
        self.assertEqual(introduction.interested_on,
            pool.get('ir.date').today())
        self.assertEqual(
            [(s.to_state, s.by_line) for s in introduction.stages],
            [('proposed', False), ('interested', True)])

        # Again: already on the list, the list's order kept
        before = self.snapshot(introduction)
        answer, = self.tap(line_id, 'intro=%s&a=apply' % introduction.id)
        self.assertIn("already reached your coordinator", answer['text'])
        self.assertEqual(self.snapshot(introduction), before)

        answer, = self.tap(line_id, 'intro=%s&a=more' % introduction.id)
        self.assertIn("know more", answer['text'])
        introduction = Introduction(introduction.id)
        self.assertEqual((introduction.state, introduction.waiting),
            ('interested', 'line_more'))
        before = self.snapshot(introduction)
        answer, = self.tap(line_id, 'intro=%s&a=more' % introduction.id)
        self.assertIn("already reached your coordinator", answer['text'])
        self.assertEqual(self.snapshot(introduction), before)

        # Once applied by the coordinator, the card no longer offers it
        Consent.create([{'party': client.id,
                    'purpose': Purpose.get('employer_sharing').id,
                    'action': 'given', 'at': utcnow(), 'channel': 'line'}])
        Introduction.move([introduction], 'applied')
        before = self.snapshot(introduction)
        answer, = self.tap(line_id, 'intro=%s&a=apply' % introduction.id)
        self.assertIn("already under way", answer['text'])
        self.assertEqual(self.snapshot(introduction), before)
        introductions, _ = self.tap(line_id, 'menu=jobs')
        self.assertEqual(set(self.buttons(introductions)), {
                'intro=%s&a=%s' % (introduction.id, a)
                for a in ['more', 'decline']})
        self.assertIn("Application sent to the employer",
            self.texts(introductions))

    @with_transaction()
    def test_decline(self):
        "見送る asks why (optional), then ends the introduction"
        Introduction = Pool().get('job.introduction')
        self.configure()
        line_id, client = self.person()
        first = self.propose(client, self.job())
        second = self.propose(client, self.job("介護職員"))
        third = self.propose(client, self.job("調理補助"))

        before = self.snapshot(first)
        ask, = self.tap(line_id, 'intro=%s&a=decline' % first.id)
        reasons = self.quick(ask)
        self.assertEqual(list(reasons), ['intro=%s&a=decline&r=%s' % (
                    first.id, r) for r in ['hours', 'work', 'commute',
                    'conditions', 'other', 'none', 'keep']])
        self.assertEqual(self.snapshot(first), before)

        # Changed their mind
        answer, = self.tap(line_id, 'intro=%s&a=decline&r=keep' % first.id)
        self.assertIn("stays introduced", answer['text'])
        self.assertEqual(self.snapshot(first), before)

        answer, = self.tap(line_id,
            'intro=%s&a=decline&r=commute' % first.id)
        self.assertIn("passed on", answer['text'])
        first = Introduction(first.id)
        self.assertEqual(
            (first.state, first.end_reason, first.waiting,
                first.line_answer_reason, first.end_note),
            ('ended', 'declined', 'line_decline', "Commute is hard",
                "Declined on LINE: Commute is hard"))
        self.assertTrue(first.stages[-1].by_line)

        # Without a reason
        self.tap(line_id, 'intro=%s&a=decline&r=none' % second.id)
        second = Introduction(second.id)
        self.assertEqual(
            (second.state, second.waiting, second.line_answer_reason),
            ('ended', 'line_decline', None))

        # A forged reason only asks again
        before = self.snapshot(third)
        ask, = self.tap(line_id, 'intro=%s&a=decline&r=bogus' % third.id)
        self.assertIn('quickReply', ask)
        self.assertEqual(self.snapshot(third), before)

        # Replayed: the introduction has ended, nothing changes
        before = self.snapshot(first)
        for data in ['intro=%s&a=decline&r=hours' % first.id,
                'intro=%s&a=apply' % first.id,
                'intro=%s&a=more' % first.id]:
            with self.subTest(data=data):
                answer, = self.tap(line_id, data)
                self.assertIn("already ended", answer['text'])
                self.assertEqual(self.snapshot(first), before)

    @with_transaction()
    def test_forged(self):
        "Someone else's, unknown or malformed introductions change nothing"
        pool = Pool()
        Introduction = pool.get('job.introduction')
        JobOrder = pool.get('job.order')
        self.configure()
        order = self.job()
        line_id, client = self.person()
        other_id, other = self.person()
        stranger, _ = self.person(linked=False)
        theirs = self.propose(other, order)
        mine = self.propose(client, order)
        before = {i: self.snapshot(i) for i in [theirs, mine]}
        for user_id, data in [
                (line_id, 'intro=%s&a=apply' % theirs.id),
                (line_id, 'intro=%s&a=decline&r=hours' % theirs.id),
                (stranger, 'intro=%s&a=apply' % mine.id),
                (line_id, 'intro=999999&a=apply'),
                (line_id, 'intro=abc&a=more'),
                (line_id, 'intro=%s&a=placed' % mine.id),
                (line_id, 'intro=%s' % mine.id),
                (line_id, 'intro=-%s&a=apply' % mine.id),
                ]:
            with self.subTest(data=data):
                answer, = self.tap(user_id, data)
                self.assertIn("could not find this introduction",
                    answer['text'])
        self.assertEqual({i: self.snapshot(i) for i in [theirs, mine]},
            before)

        # The job closed without its introductions ended yet
        JobOrder.write([order], {'state': 'closed'})
        before = self.snapshot(mine)
        answer, = self.tap(line_id, 'intro=%s&a=apply' % mine.id)
        self.assertIn("no longer open", answer['text'])
        self.assertEqual(self.snapshot(mine), before)
        self.assertEqual(Introduction(mine.id).state, 'proposed')

    # -- pushed when a coordinator proposes ----------------------------------

    @with_transaction()
    def test_push_on_proposal(self):
        "A coordinator's proposal is pushed; not to a blocked friend"
        pool = Pool()
        Message = pool.get('line.message')
        Introduction = pool.get('job.introduction')
        self.configure()
        order = self.job()
        line_id, client = self.person()
        blocked_id, blocked = self.person(state='blocked')
        silent_id, silent = self.person()
        introduction = self.propose(client, order)
        self.propose(blocked, order)
        with Transaction().set_context(introduction_silent=True):
            self.propose(silent, order)
        # The person's interest on LINE answers in the reply, not a push
        line_interest, _ = self.person()
        self.tap(line_interest, 'job=%s&a=interest' % order.id)
        self.deliver_pushes()

        text, card = self.line.messages_for(line_id)
        self.assertIn("一般事務", text['text'])
        self.assertEqual(set(self.buttons(card)), {
                'intro=%s&a=%s' % (introduction.id, a)
                for a in ['apply', 'more', 'decline']})
        self.assertEqual(self.line.messages_for(blocked_id), [])
        self.assertEqual(self.line.messages_for(silent_id), [])
        self.assertEqual(len(Message.search([
                        ('description', '=', "Job introduction")])), 1)
        self.assertEqual(len(Introduction.search([])), 4)

        # The card answers as any other
        answer, = self.tap(line_id, 'intro=%s&a=apply' % introduction.id)
        self.assertEqual(Introduction(introduction.id).waiting, 'line_apply')
