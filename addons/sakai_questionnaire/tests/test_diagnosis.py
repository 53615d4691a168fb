# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The registration diagnosis, its recommendation rules and rich menus, and
the monthly survey, as shipped in questionnaire_data.xml."""
import json

from line_standin import webhook as line_webhook

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from ..questionnaire import MAX_LABEL
from sakai_line.tests.tools import LineTestCase

MODULE = 'sakai_questionnaire'
# What each feature's button starts
FEATURE_ACTIONS = {
    'job_introduction': 'menu=jobs',
    'counseling': 'menu=booking',
    'seminar': 'menu=seminars',
    'exchange_meeting': 'menu=exchange',
    'aptitude': 'menu=assessment',
    }
MENU_KEYS = {
    'menu=booking', 'menu=jobs', 'menu=seminars', 'menu=exchange',
    'menu=faq', 'menu=diagnosis', 'menu=mypage', 'menu=assessment'}
# LINE: a quick reply holds 13 items
MAX_QUICK_REPLY = 13

# People answering the registration diagnosis: their answers by question
# code (a choice code, a list of choice codes for multiple choice, a number
# for a scale, None to skip) and what they should be recommended (rule xml
# ids in order) and shown (rich menu code)
PEOPLE = [
    ('wants work now', {
            'work': 'part_time',
            'satisfaction': 'mostly',
            'want': 'job_now',
            'employment': ['regular', 'remote'],
            'self_understanding': 3,
            'children': 'elementary',
            'constraints': ['weekday_daytime', 'pickup'],
            'exchange': 'no',
            'seminar': ['none'],
            },
        ['reg_rule_job_now', 'reg_rule_counseling'], 'job_seeker'),
    ('wants to change job', {
            'work': 'regular',
            'satisfaction': 'some_worries',
            'want': 'change_job',
            'employment': ['any'],
            'self_understanding': 4,
            'children': None,
            'constraints': ['none'],
            'exchange': 'no',
            'seminar': ['application', 'skills'],
            },
        ['reg_rule_career', 'reg_rule_change_job_jobs', 'reg_rule_seminar'],
        'career'),
    ('wants to talk about working, unsure what suits', {
            'work': 'contract',
            'satisfaction': 'satisfied',
            'want': 'consult',
            'employment': ['part_time'],
            'self_understanding': 2,
            'children': 'age_0_2',
            'constraints': ['no_weekends', 'no_night'],
            'exchange': 'no',
            'seminar': ['none'],
            },
        ['reg_rule_career', 'reg_rule_aptitude'], 'career'),
    ('still thinking, not working', {
            'work': 'none',
            'want': 'thinking',
            'self_understanding': 1,
            'children': 'age_3_5',
            'constraints': ['pickup'],
            'exchange': 'yes',
            'seminar': ['money'],
            },
        ['reg_rule_thinking_counseling', 'reg_rule_thinking_seminar',
            'reg_rule_aptitude', 'reg_rule_exchange'],
        'first_step'),
    ('working with worries, wants work now, open to meeting others', {
            'work': 'self_employed',
            'satisfaction': 'worries',
            'want': 'job_now',
            'employment': ['regular'],
            'self_understanding': 4,
            'children': 'high_school',
            'constraints': ['none'],
            'exchange': 'maybe',
            'seminar': ['balance'],
            },
        ['reg_rule_job_now', 'reg_rule_worries', 'reg_rule_exchange',
            'reg_rule_seminar'],
        'job_seeker'),
    ('student of a single-parent family looking for a first job', {
            'work': 'student',
            'want': 'job_now',
            'employment': ['regular', 'contract'],
            'self_understanding': 2,
            'children': 'none',
            'constraints': ['none'],
            'exchange': 'no',
            'seminar': ['application'],
            },
        ['reg_rule_job_now_unsure', 'reg_rule_job_now', 'reg_rule_aptitude',
            'reg_rule_seminar'],
        'job_seeker'),
    ]


class DiagnosisTestCase(LineTestCase):
    "Registration diagnosis and monthly survey data"

    # -- helpers ------------------------------------------------------------

    def record(self, xml_id):
        ModelData = Pool().get('ir.model.data')
        return ModelData.get_id(MODULE, xml_id)

    def xml_ids(self, records):
        "The xml ids of records of this module's data, for readable failures"
        ModelData = Pool().get('ir.model.data')
        data = ModelData.search([
                ('module', '=', MODULE),
                ('db_id', 'in', [r.id for r in records]),
                ('model', 'in', list({r.__name__ for r in records})),
                ])
        names = {(d.model, d.db_id): d.fs_id for d in data}
        return [names.get((r.__name__, r.id)) for r in records]

    def questionnaire(self, code):
        Questionnaire = Pool().get('questionnaire')
        questionnaire = Questionnaire.get_by_code(code)
        self.assertIsNotNone(questionnaire, code)
        return questionnaire

    def choice(self, question, code):
        Choice = Pool().get('questionnaire.choice')
        choice, = Choice.search([
                ('question', '=', question.id),
                ('code', '=', code),
                ])
        return choice

    def answer(self, response, answers, type_words=False):
        """Answer each question the response asks from answers (by question
        code); return the codes of the questions asked and the messages of
        the last step"""
        asked = []
        messages = []
        while response.state == 'in_progress':
            question = response.current_question
            code = question.code
            self.assertNotIn(code, asked, "asked twice")
            self.assertIn(code, answers, "unexpected question %s" % code)
            asked.append(code)
            value = answers[code]
            if value is None:
                messages = response.receive('skip')
            elif question.type == 'scale':
                if type_words:
                    label = dict(question.points)[value]
                    messages = response.handle_text(label)
                else:
                    messages = response.receive('v%s' % value)
            elif question.type == 'single':
                choice = self.choice(question, value)
                if type_words:
                    messages = response.handle_text(choice.label)
                else:
                    messages = response.receive('c%d' % choice.id)
            elif question.type == 'multiple':
                for choice_code in value:
                    choice = self.choice(question, choice_code)
                    messages = response.receive('c%d' % choice.id)
                if not choice.exclusive:
                    messages = (response.handle_text('決定') if type_words
                        else response.receive('ok'))
            else:
                messages = response.handle_text(value)
        self.assertEqual(response.state, 'done')
        return asked, messages

    def deliver(self, user, messages):
        "Send messages through the LINE stand-in, which checks them"
        Message = Pool().get('line.message')
        for i in range(0, len(messages), 5):
            message = Message.compose([user], messages[i:i + 5])
            Message.deliver([message])
            self.assertEqual(message.state, 'sent')
        self.assertEqual(self.line.invalid, [])

    def receive(self, *events):
        Event = Pool().get('line.event')
        data = json.loads(line_webhook.body(list(events)))
        Event.receive(data['events'])
        Event.process(Event.search([('state', '=', 'pending')]))

    def buttons(self, user_id):
        """The quick reply buttons of the latest message: {label: data}, and
        {value: data} for the buttons that are not choices"""
        last = self.line.messages_for(user_id)[-1]
        items = last['quickReply']['items']
        self.assertLessEqual(len(items), MAX_QUICK_REPLY)
        actions = [i['action'] for i in items]
        # q:<response>:<turn>:<value>:<signature>
        controls = {a['data'].split(':')[3]: a['data'] for a in actions}
        self.assertIn('pause', controls)
        return {a['label']: a['data'] for a in actions}, controls

    def tap(self, user_id, data):
        self.receive(line_webhook.postback_event(user_id, data,
                reply_token=self.line.issue_reply_token(user_id)))

    # -- the data -----------------------------------------------------------

    @with_transaction()
    def test_questionnaires_consistent(self):
        "Every question can be asked on LINE and every branch goes forward"
        for code in ['registration', 'monthly']:
            questionnaire = self.questionnaire(code)
            with self.subTest(questionnaire=code):
                self.assertTrue(questionnaire.intro)
                self.assertTrue(questionnaire.outro)
                questionnaire.check_branches()
                questions = list(questionnaire.questions)
                codes = [q.code for q in questions]
                self.assertTrue(all(codes))
                self.assertEqual(len(codes), len(set(codes)))
                self.assertEqual(
                    [q.sequence for q in questions],
                    sorted(q.sequence for q in questions))
                order = {q.id: i for i, q in enumerate(questions)}
                for question in questions:
                    if question.type in {'single', 'multiple'}:
                        choices = list(question.choices)
                        self.assertTrue(choices, question.code)
                        self.assertTrue(all(c.code for c in choices))
                        self.assertEqual(len({c.code for c in choices}),
                            len(choices), question.code)
                        self.assertTrue(all(
                                len(c.label) <= MAX_LABEL for c in choices))
                        # The choices, 「これで決定」, 「前の質問に戻る」
                        # and 「中断」 fit in one quick reply
                        self.assertLessEqual(len(choices) + 3,
                            MAX_QUICK_REPLY, question.code)
                        if question.type == 'multiple':
                            self.assertEqual(
                                len([c for c in choices if c.exclusive]), 1,
                                question.code)
                        else:
                            self.assertFalse(
                                any(c.exclusive for c in choices))
                    else:
                        self.assertFalse(question.choices, question.code)
                    if question.type == 'scale':
                        labels = question.scale_labels.split('/')
                        self.assertEqual(len(labels),
                            question.scale_max - question.scale_min + 1)
                        self.assertTrue(all(len('%s %s' % p) <= MAX_LABEL
                                for p in question.points))
                    targets = [question.next_question] + [
                        c.next_question for c in question.choices]
                    for target in filter(None, targets):
                        self.assertEqual(target.questionnaire, questionnaire)
                        self.assertGreater(
                            order[target.id], order[question.id])

    @with_transaction()
    def test_data_editable(self):
        "Staff edit the shipped data; module updates leave their edits alone"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Rule = pool.get('questionnaire.rule')
        data = ModelData.search([
                ('module', '=', MODULE),
                ('model', 'in', [
                        'questionnaire', 'questionnaire.question',
                        'questionnaire.choice', 'questionnaire.rule',
                        'questionnaire.rule.condition',
                        'questionnaire.rule.condition-choice',
                        'line.rich_menu', 'line.rich_menu.area']),
                ])
        self.assertTrue(data)
        self.assertTrue(all(d.noupdate for d in data))
        rule = Rule(self.record('reg_rule_counseling'))
        rule.explanation = "いつでもご相談ください。"
        rule.save()

    @with_transaction()
    def test_registration_questions(self):
        "The diagnosis is short, and only personal details may be skipped"
        questionnaire = self.questionnaire('registration')
        self.assertEqual(questionnaire.kind, 'diagnosis')
        self.assertIn('中断', questionnaire.intro)
        self.assertTrue(7 <= len(questionnaire.questions) <= 9)
        self.assertEqual(
            [q.code for q in questionnaire.questions if not q.required],
            ['children'])
        understanding, = [q for q in questionnaire.questions
            if q.code == 'self_understanding']
        self.assertEqual((understanding.type, understanding.scale_min,
                understanding.scale_max), ('scale', 1, 4))

    @with_transaction()
    def test_rules_consistent(self):
        "Each rule starts its feature with a short button"
        questionnaire = self.questionnaire('registration')
        rules = list(questionnaire.rules)
        self.assertTrue(rules)
        self.assertEqual([r.sequence for r in rules],
            sorted(r.sequence for r in rules))
        for rule in rules:
            with self.subTest(rule=rule.name):
                self.assertLessEqual(len(rule.button_label), MAX_LABEL)
                self.assertLessEqual(len(rule.title), MAX_LABEL)
                self.assertEqual(rule.action, FEATURE_ACTIONS[rule.feature])
                self.assertTrue(rule.explanation)
                for condition in rule.conditions:
                    self.assertEqual(
                        condition.question.questionnaire, questionnaire)
                    if condition.kind in {'choice', 'not_choice'}:
                        self.assertTrue(condition.choices)
                        self.assertTrue(all(
                                c.question == condition.question
                                for c in condition.choices))
                    elif condition.kind == 'number':
                        self.assertIn(
                            condition.question.type, {'scale', 'number'})
        # The last rule has no condition: nobody gets an empty result
        self.assertEqual(rules[-1].conditions, ())
        self.assertEqual(rules[-1].feature, 'counseling')

    @with_transaction()
    def test_rich_menus(self):
        "The default menu and the three the diagnosis switches to"
        RichMenu = Pool().get('line.rich_menu')
        first = {
            'default': ['menu=booking', 'menu=jobs', 'menu=seminars',
                'menu=faq', 'menu=diagnosis', 'menu=mypage'],
            'job_seeker': ['menu=jobs', 'menu=booking'],
            'career': ['menu=booking', 'menu=assessment'],
            'first_step': ['menu=booking', 'menu=exchange'],
            }
        for code, leading in first.items():
            with self.subTest(menu=code):
                menu = RichMenu.get_by_code(code)
                self.assertIsNotNone(menu)
                self.assertLessEqual(len(menu.chat_bar_text), 14)
                self.assertIn(menu.layout, {'large_6', 'large_4'})
                # Every cell of the layout starts something
                self.assertEqual(len(menu.areas), len(menu.cells()))
                data = [a.data for a in menu.areas]
                self.assertEqual(data[:len(leading)], leading)
                self.assertLessEqual(set(data), MENU_KEYS)
                self.assertEqual(len(data), len(set(data)))
                # Everyone can take the diagnosis again
                self.assertIn('menu=diagnosis', data)
                for area in menu.areas:
                    self.assertEqual(area.action, 'postback')
                    self.assertTrue(area.text)
                    self.assertLessEqual(len(area.label), 20)
                # Drawn from the labels at upload
                self.assertFalse(menu.image)

    # -- answering the diagnosis --------------------------------------------

    @with_transaction()
    def test_recommendations(self):
        "Each person gets the features and the menu their answers call for"
        pool = Pool()
        Response = pool.get('questionnaire.response')
        Rule = pool.get('questionnaire.rule')
        self.configure()
        questionnaire = self.questionnaire('registration')
        applied = set()
        for index, (name, answers, expected, menu_code) in enumerate(PEOPLE):
            with self.subTest(person=name):
                user = self.follower()
                messages = Response.start(questionnaire, user)
                self.assertEqual(messages[0]['text'], questionnaire.intro)
                response = Response.active_for(user)
                asked, messages = self.answer(
                    response, answers, type_words=bool(index % 2))
                self.assertEqual(asked, [
                        q.code for q in questionnaire.questions
                        if q.code in answers])

                rules = response.applying_rules()
                self.assertEqual(self.xml_ids(rules), expected)
                self.assertEqual(response.recommendations,
                    '\n'.join(Rule(self.record(x)).title for x in expected))
                self.assertEqual(
                    len({r.feature for r in rules}), len(rules))
                applied.update(r.id for r in rules)

                # The rich menu chosen, uploaded and linked on LINE
                self.assertEqual(response.rich_menu.code, menu_code)
                self.assertEqual(user.rich_menu.code, menu_code)
                self.assertTrue(user.rich_menu.line_rich_menu_id)
                self.assertEqual(self.line.user_rich_menus[user.line_id],
                    user.rich_menu.line_rich_menu_id)

                # The closing message, then a card per recommendation whose
                # button starts the feature
                self.assertEqual(messages[0]['text'], questionnaire.outro)
                flex = messages[-1]
                self.assertEqual(flex['type'], 'flex')
                buttons = [b['footer']['contents'][0]['action']
                    for b in flex['contents']['contents']]
                self.assertEqual([b['data'] for b in buttons],
                    [FEATURE_ACTIONS[r.feature] for r in rules])
                self.deliver(user, messages)
        # Every rule is someone's recommendation
        self.assertEqual(set(self.xml_ids(Rule.browse(list(applied)))),
            set(self.xml_ids(list(questionnaire.rules))))

    @with_transaction()
    def test_branches(self):
        "Those not working skip the question about their work"
        Response = Pool().get('questionnaire.response')
        questionnaire = self.questionnaire('registration')
        questions = {q.code: q for q in questionnaire.questions}
        work, want = questions['work'], questions['want']
        for code, skips in [
                ('none', True), ('student', True), ('part_time', False),
                ('contract', False), ('regular', False),
                ('self_employed', False)]:
            with self.subTest(work=code):
                user = self.follower()
                Response.start(questionnaire, user)
                response = Response.active_for(user)
                response.receive('c%d' % self.choice(work, code).id)
                self.assertEqual(response.current_question,
                    want if skips else questions['satisfaction'])
                # The counter counts the questions on the way taken
                self.assertIn('（2/%s）' % (len(questions) - skips),
                    response.ask()[0]['text'])

        # Those still thinking skip the kind of job they want
        user = self.follower()
        Response.start(questionnaire, user)
        response = Response.active_for(user)
        response.receive('c%d' % self.choice(work, 'none').id)
        response.receive('c%d' % self.choice(want, 'thinking').id)
        self.assertEqual(
            response.current_question, questions['self_understanding'])
        # Going back returns to the question answered, not the one skipped
        response.receive('back')
        self.assertEqual(response.current_question, want)
        response.receive('c%d' % self.choice(want, 'job_now').id)
        self.assertEqual(response.current_question, questions['employment'])

    @with_transaction()
    def test_self_understanding_threshold(self):
        """Self-understanding of 2 or less suggests the aptitude test, and
        to talk before looking for work"""
        Response = Pool().get('questionnaire.response')
        self.configure()
        questionnaire = self.questionnaire('registration')
        answers = dict(PEOPLE[0][1])
        unsure = ['reg_rule_job_now_unsure', 'reg_rule_job_now',
            'reg_rule_aptitude']
        sure = ['reg_rule_job_now', 'reg_rule_counseling']
        for value, expected in [(1, unsure), (2, unsure), (3, sure), (4, sure)]:
            with self.subTest(self_understanding=value):
                answers['self_understanding'] = value
                user = self.follower()
                Response.start(questionnaire, user)
                response = Response.active_for(user)
                self.answer(response, answers)
                self.assertEqual(
                    self.xml_ids(response.applying_rules()), expected)
                self.assertEqual(user.rich_menu.code, 'job_seeker')

    @with_transaction()
    def test_new_friend(self):
        """A new friend is greeted, answers by tapping the buttons LINE shows
        and gets the menu for job seekers"""
        pool = Pool()
        LineUser = pool.get('line.user')
        Response = pool.get('questionnaire.response')
        self.configure()
        questionnaire = self.questionnaire('registration')
        user_id = line_webhook.random_user_id()
        self.receive(line_webhook.follow_event(
                user_id, reply_token=self.line.issue_reply_token(user_id)))
        greeting, intro, first = self.line.messages_for(user_id)
        self.assertTrue(greeting['text'].startswith('友だち追加'))
        self.assertEqual(intro['text'], questionnaire.intro)
        self.assertIn(questionnaire.questions[0].text, first['text'])
        self.assertEqual(self.line.calls('pushMessage'), [])
        user, = LineUser.search([('line_id', '=', user_id)])
        response = Response.active_for(user)

        answers = PEOPLE[0][1]
        while response.state == 'in_progress':
            question = response.current_question
            value = answers[question.code]
            if question.type == 'scale':
                label = '%s %s' % (value, dict(question.points)[value])
                labels = [label]
            elif question.type == 'single':
                labels = [self.choice(question, value).label]
            else:
                labels = [self.choice(question, c).label for c in value]
            for label in labels:
                buttons, _ = self.buttons(user_id)
                self.tap(user_id, buttons[label])
            response = Response(response.id)
            if response.current_question == question:
                # Multiple choice: 「これで決定」
                _, controls = self.buttons(user_id)
                self.tap(user_id, controls['ok'])
                response = Response(response.id)
            self.assertNotEqual(response.current_question, question)

        self.assertEqual(response.state, 'done')
        user = LineUser(user.id)
        self.assertEqual(user.rich_menu.code, 'job_seeker')
        self.assertEqual(self.line.user_rich_menus[user_id],
            user.rich_menu.line_rich_menu_id)
        outro, flex = self.line.messages_for(user_id)[-2:]
        self.assertEqual(outro['text'], questionnaire.outro)
        self.assertEqual(flex['type'], 'flex')
        self.assertEqual(len(flex['contents']['contents']), 2)
        self.assertEqual(self.line.invalid, [])

    # -- the monthly survey -------------------------------------------------

    @with_transaction()
    def test_monthly_survey(self):
        "The monthly survey is sent on the 1st and can be finished in a minute"
        Response = Pool().get('questionnaire.response')
        self.configure()
        questionnaire = self.questionnaire('monthly')
        self.assertEqual(questionnaire.kind, 'survey')
        self.assertEqual(questionnaire.schedule_day, 1)
        self.assertEqual(questionnaire.reminder_days, 3)
        self.assertTrue(questionnaire.invitation)
        self.assertEqual(
            [q.code for q in questionnaire.questions],
            ['status', 'change', 'satisfaction', 'needs', 'comment'])
        self.assertEqual(
            [q.type for q in questionnaire.questions],
            ['single', 'single', 'scale', 'multiple', 'text'])
        satisfaction = questionnaire.questions[2]
        self.assertEqual(
            (satisfaction.scale_min, satisfaction.scale_max), (1, 5))
        self.assertFalse(questionnaire.questions[-1].required)

        for answers, typed in [
                ({'status': 'regular', 'change': 'new_job',
                        'satisfaction': 4,
                        'needs': ['counseling', 'balance'],
                        'comment': None}, False),
                ({'status': 'seeking', 'change': 'no_change',
                        'satisfaction': None, 'needs': ['none'],
                        'comment': "土曜日の相談があると助かります。"}, True),
                ]:
            with self.subTest(answers=answers):
                user = self.follower()
                Response.start(questionnaire, user)
                response = Response.active_for(user)
                asked, messages = self.answer(
                    response, answers, type_words=typed)
                self.assertEqual(asked, list(answers))
                self.assertEqual(messages[0]['text'], questionnaire.outro)
                comment, = [a for a in response.answers
                    if a.question.code == 'comment']
                self.assertEqual(comment.skipped, answers['comment'] is None)
                self.assertEqual(comment.text, answers['comment'])
                # A survey recommends nothing and leaves the menu alone
                self.assertEqual(response.applying_rules(), [])
                self.assertIsNone(user.rich_menu)
                self.deliver(user, messages)
        self.assertEqual(self.line.calls('linkRichMenuIdToUser'), [])

    @with_transaction()
    def test_back_forgets_answers_beyond(self):
        "Going back and taking another branch drops the answers left behind"
        Response = Pool().get('questionnaire.response')
        self.configure()
        questionnaire = self.questionnaire('registration')
        user = self.follower()
        Response.start(questionnaire, user)
        response, = Response.search([('line_user', '=', user.id)])
        work = response.current_question
        response.receive('c%d' % self.choice(work, 'regular').id)
        satisfaction = response.current_question
        self.assertEqual(satisfaction.code, 'satisfaction')
        response.receive('c%d' % self.choice(satisfaction, 'worries').id)
        response.receive('back')
        response.receive('back')
        self.assertEqual(response.current_question, work)
        response.receive('c%d' % self.choice(work, 'none').id)
        self.assertNotEqual(response.current_question, satisfaction)
        self.assertEqual([a.question.code for a in response.answers],
            ['work'])
