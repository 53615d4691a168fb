# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The self-assessments shipped in assessment_data.xml: their items and
scoring, what the person reads at the end, the choice of checks on LINE,
who may read the answers and the result sheet."""
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_questionnaire.questionnaire import MAX_LABEL
from sakai_line.tests.tools import DatabaseTestCase, as_user, staff_user

# LINE: a quick reply holds 13 items
MAX_QUICK_REPLY = 13
CODES = ['stress_check', 'interests', 'personality', 'work_values']


class AssessmentTestCase(DatabaseTestCase):
    "Self-assessments"
    module = 'sakai_counseling'

    # -- helpers --------------------------------------------------------------

    def questionnaire(self, code):
        return Pool().get('questionnaire').get_by_code(code)

    def answer(self, code, points, working=True, user=None):
        """Answer the questionnaire of code to the end, giving each scale
        item the points (after reverse keying) points(question) says;
        return the response and the closing messages"""
        Response = Pool().get('questionnaire.response')
        user = user or self.follower()
        Response.start(self.questionnaire(code), user)
        response = Response.active_for(user)
        messages = []
        while response.state != 'done':
            question = response.current_question
            if question.type == 'single':
                wanted = 'yes' if working else 'no'
                choice, = [c for c in question.choices if c.code == wanted]
                messages = response.receive('c%d' % choice.id)
            else:
                value = points(question)
                if question.reverse:
                    value = question.scale_min + question.scale_max - value
                messages = response.receive('v%d' % value)
        return response, messages

    @staticmethod
    def spread(codes, total, low=1, high=4):
        """Points per item code adding up to total, as even as can be"""
        n = len(codes)
        assert n * low <= total <= n * high
        base, extra = divmod(total - n * low, n)
        return {c: low + base + (1 if i < extra else 0)
            for i, c in enumerate(codes)}

    def stress(self, a=None, b=None, c=None, working=True, user=None):
        "Answer the stress check with part sums a, b and c"
        codes = {p: ['%s%d' % (p, i) for i in range(1, n + 1)]
            for p, n in [('A', 17), ('B', 29), ('C', 9)]}
        points = {}
        for part, total in [('A', a), ('B', b), ('C', c)]:
            if total is not None:
                points.update(self.spread(codes[part], total))
        return self.answer('stress_check',
            lambda q: points.get(q.code, 1), working=working, user=user)

    def scores(self, response):
        return {s.scale.code: s.value for s in response.scores}

    def outcome(self, response):
        return [r.feature for r in response.applying_rules()]

    def as_user(self, group):
        "As the user of the group, logged in as its name, made if need be"
        User = Pool().get('res.user')
        users = User.search([('login', '=', group)])
        return as_user((users[0] if users else staff_user(group, group)).id)

    # -- the instruments -----------------------------------------------------

    @with_transaction()
    def test_instruments(self):
        "Four self-assessments, with their items, sources and notes"
        counts = {}
        for code in CODES:
            questionnaire = self.questionnaire(code)
            self.assertEqual(questionnaire.kind, 'assessment')
            self.assertTrue(questionnaire.show_scores)
            counts[code] = {}
            for question in questionnaire.questions:
                if question.scale:
                    key = question.scale.code
                    counts[code][key] = counts[code].get(key, 0) + 1
        self.assertEqual(counts['stress_check'],
            {'A': 17, 'B': 29, 'C': 9, 'D': 2})
        self.assertEqual(len(self.questionnaire('stress_check').questions),
            58)
        self.assertEqual(counts['interests'],
            {t: 6 for t in 'RIASEC'})
        self.assertEqual(counts['personality'],
            {t: 4 for t in 'EACNI'})
        self.assertEqual(counts['work_values'], {v: 2 for v in [
                    'income', 'family', 'growth', 'relations',
                    'contribution', 'autonomy']})

        stress = self.questionnaire('stress_check')
        self.assertTrue(stress.sensitive)
        self.assertIn("出典：厚生労働省", stress.attribution)
        self.assertIn("出典：厚生労働省", stress.outro)
        self.assertIn("診断", stress.outro)
        for code in ['interests', 'personality', 'work_values']:
            questionnaire = self.questionnaire(code)
            self.assertFalse(questionnaire.sensitive)
            # Translations and our own items say they are not validated
            self.assertIn("検証されていません", questionnaire.attribution)
            self.assertIn("検証されていません", questionnaire.outro)
            self.assertNotIn("TIPI-J", questionnaire.outro)

        # MHLW keys: more points, more stress
        reverse = {q.code for q in stress.questions if q.reverse}
        self.assertEqual(reverse, {
                'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A11', 'A12', 'A13',
                'A15', 'B1', 'B2', 'B3', 'D1', 'D2'})

    @with_transaction()
    def test_quick_replies_fit_line(self):
        "Every question's buttons fit a LINE quick reply, none cut short"
        Response = Pool().get('questionnaire.response')
        user = self.follower()
        for code in CODES:
            questionnaire = self.questionnaire(code)
            Response.start(questionnaire, user)
            response = Response.active_for(user)
            for question in questionnaire.questions:
                response.current_question = question
                response.path = '[1]'
                message, = response.ask()
                items = message['quickReply']['items']
                labels = [i['action']['label'] for i in items]
                with self.subTest(question=question.code):
                    self.assertLessEqual(len(items), MAX_QUICK_REPLY)
                    self.assertTrue(all(len(l) <= MAX_LABEL for l in labels))
                    # the back and pause buttons were not left out
                    if question.type == 'scale':
                        expected = question.point_labels()
                    else:
                        expected = [c.label for c in question.choices]
                    self.assertEqual(labels[:-2], expected)

    # -- the stress check ----------------------------------------------------

    @with_transaction()
    def test_stress_sum_method(self):
        "High stress: B ≥ 77, or A+C ≥ 76 and B ≥ 63"
        cases = [
            # (A, B, C, high stress)
            (17, 29, 9, False),
            (17, 76, 9, False),
            (17, 77, 9, True),
            (50, 63, 26, True),
            (50, 62, 26, False),
            (50, 63, 25, False),
            (68, 116, 36, True),
            ]
        for a, b, c, high in cases:
            with self.subTest(a=a, b=b, c=c):
                response, messages = self.stress(a, b, c)
                scores = self.scores(response)
                self.assertEqual(
                    (scores['A'], scores['B'], scores['C'], scores['A+C']),
                    (a, b, c, a + c))
                self.assertEqual(scores['D'], 2)
                self.assertEqual(self.outcome(response), ['stress_outcome'])
                rule, = response.applying_rules()
                self.assertEqual(rule.title,
                    "高ストレスの目安に当てはまりました" if high
                    else "高ストレスの目安には当てはまりませんでした")
                # What the person reads: outro, results, outcome
                self.assertEqual([m['type'] for m in messages],
                    ['text', 'text', 'text'])
                self.assertIn("出典：厚生労働省", messages[0]['text'])
                self.assertTrue(messages[1]['text'].startswith(
                        "【心身のストレス反応（B）】"))
                self.assertIn("【仕事のストレス要因（A）】", messages[1]['text'])
                self.assertIn("【周囲のサポート（C）】", messages[1]['text'])
                self.assertNotIn("A＋C", messages[1]['text'])
                self.assertIn("0570-064-556", messages[2]['text'])
                self.assertIn("0120-279-338", messages[2]['text'])
                self.assertEqual('quickReply' in messages[2], high)

    @with_transaction()
    def test_stress_without_job(self):
        "Without a job, A and C are not asked and only B ≥ 77 counts"
        for b, high in [(76, False), (77, True)]:
            with self.subTest(b=b):
                response, messages = self.stress(68, b, 36, working=False)
                self.assertEqual(self.scores(response), {'B': b, 'D': 1})
                codes = {a.question.code for a in response.answers}
                self.assertEqual(len(codes), 31)
                self.assertFalse(any(c[0] in 'AC' for c in codes))
                self.assertEqual(self.outcome(response),
                    ['stress_scope', 'stress_outcome'])
                scope = messages[2]['text']
                self.assertIn("（A・C）は省きました", scope)
                self.assertEqual(
                    "目安に当てはまりました" in messages[3]['text'], high)

    @with_transaction()
    def test_office_phone(self):
        "The programme's office is among the contacts once it has a phone"
        Programme = Pool().get('support.programme')
        programme, = Programme.create([{
                    'name': "キャリアジム京都", 'municipality': "京都市"}])
        response, messages = self.stress(17, 80, 9)
        self.assertNotIn("キャリアジム京都", messages[-1]['text'])
        self.assertNotIn("${", messages[-1]['text'])
        programme.office_phone = '075-222-3333'
        programme.save()
        response, messages = self.stress(17, 80, 9)
        self.assertIn("・キャリアジム京都：075-222-3333", messages[-1]['text'])

    # -- interests, personality, values ---------------------------------------

    @with_transaction()
    def test_interest_types(self):
        "The three strongest interest types are told, strongest first"
        points = {'A': 5, 'S': 4, 'I': 3, 'E': 2, 'R': 1, 'C': 1}
        response, messages = self.answer('interests',
            lambda q: points[q.code[0]])
        self.assertEqual(self.scores(response),
            {t: 6.0 * p for t, p in points.items()})
        summary = messages[1]['text']
        self.assertEqual(
            [line for line in summary.splitlines() if line.startswith('【')],
            ["【芸術的タイプ（A）】関心が高い", "【社会的タイプ（S）】関心あり",
                "【研究的タイプ（I）】どちらでもない"])
        self.assertIn("検証されていません", messages[0]['text'])
        # Then the cards: career counseling and the other checks
        self.assertEqual(messages[-1]['type'], 'flex')
        data = [b['footer']['contents'][0]['action']['data']
            for b in messages[-1]['contents']['contents']]
        self.assertEqual(data, ['menu=booking', 'menu=assessment'])

    @with_transaction()
    def test_personality(self):
        "Mini-IPIP: four items per trait, reverse keys, every trait told"
        response, messages = self.answer('personality', lambda q: 5)
        self.assertEqual(set(self.scores(response).values()), {20.0})
        self.assertEqual(messages[1]['text'].count('【'), 5)
        self.assertIn("【情緒の安定性】高め", messages[1]['text'])

        # Agreeing with everything: the reverse-keyed items count the
        # other way (two per trait, three for intellect)
        Response = Pool().get('questionnaire.response')
        user = self.follower()
        Response.start(self.questionnaire('personality'), user)
        response = Response.active_for(user)
        while response.state != 'done':
            response.receive('v5')
        self.assertEqual(self.scores(response),
            {'E': 12, 'A': 12, 'C': 12, 'N': 12, 'I': 8})

    @with_transaction()
    def test_work_values_ties(self):
        "The three values that matter most, and those tied with the third"
        points = {'income': 5, 'family': 5, 'growth': 4, 'relations': 4,
            'contribution': 2, 'autonomy': 1}
        response, messages = self.answer('work_values',
            lambda q: points[q.code[:-1]])
        told = [s.scale.code for s in response.shown_scores()]
        self.assertEqual(told, ['income', 'family', 'growth', 'relations'])
        self.assertEqual(messages[1]['text'].count('【'), 4)

    # -- on LINE --------------------------------------------------------------

    @with_transaction()
    def test_menu(self):
        "適職診断 offers the four checks, each button starts one"
        Event = Pool().get('line.event')
        user = self.follower()
        message, = Event()._menu(user, 'assessment')
        self.assertEqual(message['type'], 'flex')
        bubbles = message['contents']['contents']
        actions = [b['footer']['contents'][0]['action'] for b in bubbles]
        self.assertEqual([a['data'] for a in actions],
            ['menu=questionnaire:%s' % c for c in CODES])
        self.assertTrue(all(len(a['label']) <= MAX_LABEL for a in actions))
        self.assertEqual(bubbles[0]['body']['contents'][0]['text'],
            "ストレスセルフチェック")

        # The button starts the check; after a pause, it goes on
        messages = Event()._menu(user, actions[1]['data'][len('menu='):])
        self.assertIn('quickReply', messages[-1])
        message, = [m for m in Event()._menu(user, 'assessment')
            if m['type'] == 'flex']
        labels = [b['footer']['contents'][0]['action']['label']
            for b in message['contents']['contents']]
        self.assertNotEqual(labels[1], labels[0])
        self.assertEqual(labels[0], labels[2])

    # -- who reads the answers -----------------------------------------------

    @with_transaction()
    def test_health_data_for_counselors_only(self):
        "Stress check answers, scores and tallies: counselors only"
        pool = Pool()
        Response = pool.get('questionnaire.response')
        Answer = pool.get('questionnaire.response.answer')
        AnswerChoice = pool.get('questionnaire.response.answer-choice')
        Score = pool.get('questionnaire.response.score')
        QuestionTally = pool.get('questionnaire.tally.question')
        ChoiceTally = pool.get('questionnaire.tally.choice')
        stress, _ = self.stress(17, 80, 9)
        interests, _ = self.answer('interests', lambda q: 3)

        domains = {
            Response: [('id', '=', stress.id)],
            Answer: [('response', '=', stress.id)],
            AnswerChoice: [('answer.response', '=', stress.id)],
            Score: [('response', '=', stress.id)],
            }

        def visible(group):
            "How many of the stress check's records the group sees, by model"
            with self.as_user(group):
                return {Model.__name__: Model.search(domain, count=True)
                    for Model, domain in domains.items()}

        with self.as_user('counselor'):
            self.assertEqual(Response.search([], count=True), 2)
            self.assertEqual(len(Response(stress.id).scores), 5)
        self.assertTrue(all(visible('counselor').values()))

        for group in ['coordinator', 'manager']:
            with self.subTest(group=group):
                self.assertFalse(any(visible(group).values()))
                with self.as_user(group):
                    self.assertEqual(
                        [r.id for r in Response.search([])], [interests.id])
                    with self.assertRaises(AccessError):
                        Response.read([stress.id], ['scores'])
                    with self.assertRaises(AccessError):
                        Answer.read([stress.answers[0].id], ['number'])
                    with self.assertRaises(AccessError):
                        Score.read([stress.scores[0].id], ['value'])
        # System administrators do not read answers at all
        with self.as_user('sysadmin'):
            with self.assertRaises(AccessError):
                Response.search([])

        # Tallies of the stress check: counselors only
        context = {'questionnaire': stress.questionnaire.id}
        for group, expected in [('counselor', True), ('coordinator', False),
                ('manager', False)]:
            with self.subTest(tally=group), self.as_user(group), \
                    Transaction().set_context(context):
                tallies = QuestionTally.search([])
                self.assertEqual(bool(tallies), expected)
                if expected:
                    answered = {t.question.code: t.answered for t in tallies}
                    self.assertEqual(answered['B1'], 1)
                self.assertEqual(bool(ChoiceTally.search([])), expected)
        with self.as_user('coordinator'), Transaction().set_context(
                questionnaire=interests.questionnaire.id):
            self.assertTrue(QuestionTally.search([]))

    # -- the result sheet ---------------------------------------------------

    @with_transaction()
    def test_result_sheet(self):
        "The result sheet: scores, bands, outcome and source on one page"
        pool = Pool()
        Report = pool.get('questionnaire.response.assessment_result',
            type='report')
        stress, _ = self.stress(50, 70, 30)
        with self.as_user('counselor'):
            oext, content, _, name = Report.execute([stress.id], {})
        self.assertEqual(oext, 'html')
        html = content.decode() if isinstance(content, bytes) else content
        for text in ["ストレスセルフチェック", "心身のストレス反応（B）", "70",
                "29–116", "やや高め", "80", "26–104",
                "高ストレスの目安に当てはまりました", "出典：厚生労働省"]:
            self.assertIn(text, html)
        self.assertNotIn("${", html)

        with self.as_user('coordinator'):
            with self.assertRaises(AccessError):
                Report.execute([stress.id], {})

        interests, _ = self.answer('interests', lambda q: 3)
        with self.as_user('coordinator'):
            _, content, _, _ = Report.execute([interests.id], {})
        html = content.decode() if isinstance(content, bytes) else content
        self.assertIn("検証されていません", html)
        self.assertEqual(html.count('class="told"'), 6)
