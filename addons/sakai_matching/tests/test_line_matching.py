# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job recommendations on LINE, with the clock moved: opting in, the
morning carousel with its reasons, 「興味あり」 proposing an introduction,
「見送る」「時間が合わない」 changing the next day, one-tap stop, no sends at
night, twice a day, to blocked friends or to people with no wishes (they
get a kind prompt), and forged, replayed or closed-job postbacks."""
import datetime as dt
import json
from unittest.mock import patch

from line_standin import webhook as line_webhook

from sakai_counseling.tests.tools import create_client
from sakai_line.tests.tools import LineTestCase, staff_user
from trytond.pool import Pool
from trytond.model.exceptions import ValidationError
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_programme.programme import utcnow


def at_local(day, hour, minute=0):
    "Naive UTC of a Tokyo local time on day"
    return dt.datetime.combine(day, dt.time(hour, minute)) - dt.timedelta(
        hours=9)


class LineMatchingTestCase(LineTestCase):
    "Job recommendations on LINE"
    module = 'sakai_matching'
    japanese = True

    def setUp(self):
        super().setUp()
        self.count = 0

    def configure(self):
        pool = Pool()
        Configuration = pool.get('job.matching.configuration')
        super().configure()
        staff_user('coordinator', 'coordinator')
        configuration = Configuration(1)
        configuration.enabled = True
        configuration.per_day = 1
        configuration.save()

    def job(self, title, type_, hours, **values):
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        employers = Party.search([('name', '=', "株式会社さかい")])
        if employers:
            employer, = employers
        else:
            employer = Party(name="株式会社さかい", is_employer=True,
                industry='care', single_parent_friendly=True)
            employer.save()
        order, = JobOrder.create([dict({'employer': employer.id,
                        'title': title, 'employment_type': type_,
                        'wage_type': 'monthly', 'wage_min': 200000,
                        'hours': hours, 'area': 'sakai'}, **values)])
        JobOrder.open([order])
        return order

    def person(self, state='following', **wishes):
        pool = Pool()
        Record = pool.get('counseling.record')
        LineUser = pool.get('line.user')
        self.count += 1
        user = LineUser(line_id=line_webhook.random_user_id(), state=state)
        user.save()
        client = create_client("堺 花子%s" % self.count, line_user=user.id,
            **wishes)
        Record.create([{'client': client.id,
                    'counselor': staff_user(
                        'counselor%s' % self.count, 'counselor').id,
                    'kind': 'career', 'method': 'chat',
                    'start': utcnow() - dt.timedelta(days=3),
                    'state': 'done', 'direction_clear': True}])
        return user.line_id, client

    def receive(self, *events):
        Event = Pool().get('line.event')
        data = json.loads(line_webhook.body(list(events)))
        Event.receive(data['events'])
        Event.process(Event.search([('state', '=', 'pending')]))

    def tap(self, line_id, data):
        before = len(self.line.messages_for(line_id))
        self.receive(line_webhook.postback_event(line_id, data,
                reply_token=self.line.issue_reply_token(line_id)))
        return self.line.messages_for(line_id)[before:]

    def morning(self, day, hour=8, minute=45):
        "Run the scheduled send at the local time; the pushes it made"
        pool = Pool()
        Recommendation = pool.get('job.recommendation')
        Message = pool.get('line.message')
        with patch('sakai_matching.recommendation.utcnow',
                return_value=at_local(day, hour, minute)):
            created = Recommendation.run_daily()
        Message.deliver(Message.search([('state', '=', 'queued')]))
        return created

    def carousel(self, line_id):
        "{title: (reasons, like data, pass data)} of the last carousel"
        flex = [m for m in self.line.messages_for(line_id)
            if m['type'] == 'flex']
        if not flex:
            return {}
        cards = {}
        for bubble in flex[-1]['contents']['contents']:
            if 'header' not in bubble:
                continue
            title = bubble['body']['contents'][0]['text']
            reasons = [c['text'].lstrip('✓ ')
                for c in bubble['header']['contents'][1:]]
            data = [b['action']['data']
                for b in bubble['footer']['contents']]
            cards[title] = (reasons, data[0], data[1])
        return cards

    @with_transaction()
    def test_recommendations(self):
        "Opt in, the morning's jobs, interest, 時間が合わない the next day"
        pool = Pool()
        Party = pool.get('party.party')
        Consent = pool.get('party.consent')
        Introduction = pool.get('job.introduction')
        Recommendation = pool.get('job.recommendation')
        self.configure()
        self.job("介護スタッフ（夜勤あり）", 'full_time', "9:00〜18:00")
        self.job("介護事務", 'full_time', "8:30〜17:00")
        self.job("受付（正社員登用あり）", 'full_time_track', "9:00〜16:30")
        self.job("調理補助", 'part_time', "9:00〜15:00")
        wishes = {'wish_end_by': dt.time(17, 30), 'home_area': 'sakai',
            'wish_commute': 40}
        hanako, client = self.person(**wishes)
        other, other_client = self.person(**wishes)
        blocked, _ = self.person(state='blocked', **wishes)
        nowish, _ = self.person()
        day = dt.date.today() + dt.timedelta(days=1)

        # Opting in from the 求人 menu: the consent is in the ledger
        offer = self.tap(hanako, 'menu=jobs')[-1]
        self.assertEqual(offer['quickReply']['items'][0]['action']['data'],
            'match=optin')
        ask, = self.tap(hanako, 'match=optin')
        self.assertIn("事業者には伝わりません", ask['text'])
        done, = self.tap(hanako, 'match=freq&f=daily')
        self.assertIn("毎朝", done['text'])
        self.assertTrue(Party(client.id).consents_to('matching'))
        for line_id in [other, nowish]:
            self.tap(line_id, 'match=freq&f=daily')
        # Someone blocked before opting in is not sent anything
        with Transaction().set_context(matching_system=True):
            Party.write([Party.search(
                        [('line_user.line_id', '=', blocked)])[0]],
                {'matching_frequency': 'daily'})

        # At night nothing goes out, whatever the schedule
        self.assertEqual(self.morning(day - dt.timedelta(days=1), 23), [])
        self.assertEqual(self.morning(day, 6), [])

        # In the morning: the best job that fits, full-time first, reasons
        self.morning(day)
        cards = self.carousel(hanako)
        self.assertEqual(list(cards), ["介護事務"])
        reasons, like, pass_ = cards["介護事務"]
        self.assertIn("正社員の求人です", reasons)
        self.assertIn("希望の時間帯（〜17:30）に合います", reasons)
        self.assertEqual(self.line.messages_for(blocked), [])
        # The person with no wishes is asked, kindly, not sent a carousel
        prompt = self.line.messages_for(nowish)[-2:]
        self.assertIn("希望を教えて", prompt[0]['text'])
        self.assertIn('match=wish', json.dumps(prompt[1]))
        # Once a day only
        self.assertEqual(self.morning(day, 10), [])

        # 見送る, because of the hours: asked why, then the next day changes
        why, = self.tap(hanako, pass_)
        self.assertIn("時間が合わない", json.dumps(why, ensure_ascii=False))
        hours = 'match=pass&r=%s&why=hours' % pass_.split('r=')[1]
        thanks, = self.tap(hanako, hours)
        self.assertIn("早く終わる", thanks['text'])
        replay, = self.tap(hanako, hours)
        self.assertIn("すでに見送り", replay['text'])

        # The next morning a new 17:00 job: the other person gets it,
        # Hanako, who said 8:30〜17:00 was too late, gets one ending earlier
        self.job("医療事務", 'full_time', "9:00〜17:00")
        self.morning(day + dt.timedelta(days=1))
        self.assertEqual(list(self.carousel(other)), ["医療事務"])
        cards = self.carousel(hanako)
        self.assertEqual(list(cards), ["受付（正社員登用あり）"])
        self.assertIn("正社員登用あり", cards["受付（正社員登用あり）"][0])

        # 興味あり proposes the introduction; the coordinator sees it
        _, like, _ = cards["受付（正社員登用あり）"]
        answer = self.tap(hanako, like)
        self.assertIn("受付（正社員登用あり）", answer[0]['text'])
        introduction, = Introduction.search([('client', '=', client.id)])
        self.assertEqual(introduction.state, 'proposed')
        self.assertTrue(introduction.coordinator)
        recommendation, = Recommendation.search([
                ('client', '=', client.id),
                ('job_order', '=', introduction.job_order.id)])
        self.assertEqual(
            (recommendation.feedback, recommendation.introduction),
            ('interest', introduction))
        # Tapped again: no second introduction
        self.tap(hanako, like)
        self.assertEqual(
            Introduction.search_count([('client', '=', client.id)]), 1)
        # The application sent, the recommendation counts as introduced
        Consent.create([{'party': client.id,
                    'purpose': pool.get('party.consent.purpose').get(
                        'employer_sharing').id,
                    'action': 'given', 'at': utcnow(), 'channel': 'paper'}])
        Introduction.apply([introduction])
        self.assertEqual(Recommendation(recommendation.id).feedback,
            'introduced')

        # Forged: another person's recommendation; closed job: polite
        forged, = self.tap(other, like)
        self.assertIn("見つかりませんでした", forged['text'])
        self.assertEqual(self.tap(other, 'match=like&r=abc')[0]['text'],
            forged['text'])
        JobOrder = pool.get('job.order')
        mine, = Recommendation.search([('client', '=', other_client.id)],
            limit=1)
        JobOrder.close([mine.job_order])
        closed, = self.tap(other, 'match=like&r=%s' % mine.id)
        self.assertIn("募集は終了", closed['text'])

        # One tap stops; the consent is withdrawn; nothing the next day
        stopped, = self.tap(hanako, 'match=stop')
        self.assertIn("止めました", stopped['text'])
        self.assertFalse(Party(client.id).consents_to('matching'))
        matching = pool.get('party.consent.purpose').get('matching')
        self.assertEqual(Consent.search_count([('party', '=', client.id),
                    ('purpose', '=', matching.id)]), 2)
        before = len(self.line.messages_for(hanako))
        self.morning(day + dt.timedelta(days=2))
        self.assertEqual(len(self.line.messages_for(hanako)), before)

    @with_transaction()
    def test_cost_and_learning(self):
        "The cost shown before the first run; weights learnt from feedback"
        pool = Pool()
        Configuration = pool.get('job.matching.configuration')
        Party = pool.get('party.party')
        self.configure()
        # Staff cannot set what the person chooses on LINE
        _, client = self.person(wish_end_by=dt.time(17))
        with self.assertRaises(ValidationError):
            Party.write([client], {'matching_frequency': 'daily'})
        with Transaction().set_context(matching_system=True):
            Party.write([client], {'matching_frequency': 'daily'})
            _, client = self.person(wish_end_by=dt.time(17))
            Party.write([client], {'matching_frequency': 'weekly'})
        configuration = Configuration(1)
        self.assertEqual((configuration.opted_in,
                configuration.pushes_per_month), (2, 34))
        # Too little feedback: the hand-set weights stay
        self.assertIsNone(Configuration.fit())
        self.assertEqual(Configuration(1).weights()['full_time'], 1.0)
