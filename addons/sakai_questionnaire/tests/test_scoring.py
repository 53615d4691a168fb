# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Scoring in the questionnaire engine: scales that add up other scales,
the highest scales only, results shown as messages, the programme's
placeholders, and what LINE's buttons hold."""
from trytond.model.exceptions import AccessError, RequiredValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from ..exceptions import QuestionnaireValidationError
from sakai_line.tests.tools import LineTestCase, staff_user


class ScoringTestCase(LineTestCase):
    "Questionnaire scoring"

    def check(self, **values):
        """A self-check of three 1-4 items, one per scale X, Y and Z, a
        scale X+Y and rules on its score"""
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Scale = pool.get('questionnaire.scale')
        questionnaire, = Questionnaire.create([dict({
                        'name': "チェック", 'code': 'check',
                        'kind': 'assessment', 'show_scores': True,
                        }, **values)])
        x, y, z = Scale.create([{
                        'questionnaire': questionnaire.id, 'name': name,
                        'code': name, 'bands': [('create', [
                                    {'name': "低", 'maximum': 2,
                                        'text': "%sは低め" % name},
                                    {'name': "高", 'minimum': 3,
                                        'text': "%sは高め" % name}])],
                        } for name in 'XYZ'])
        xy, = Scale.create([{
                    'questionnaire': questionnaire.id, 'name': "X+Y",
                    'code': 'XY', 'parts': [('add', [x.id, y.id])]}])
        questionnaire.questions = [{
                'type': 'scale', 'text': "%sの質問" % s.name, 'code': s.code,
                'scale_min': 1, 'scale_max': 4, 'scale': s.id,
                'required': False}
            for s in [x, y, z]]
        questionnaire.save()
        return questionnaire, (x, y, z, xy)

    def answer(self, questionnaire, *points):
        "Answer each item with its points (None: skip); return messages"
        Response = Pool().get('questionnaire.response')
        user = self.follower()
        Response.start(questionnaire, user)
        response = Response.active_for(user)
        for value in points:
            messages = response.receive(
                'skip' if value is None else 'v%d' % value)
        return response, messages

    @with_transaction()
    def test_sum_of_scales(self):
        "A scale of scales adds up their scores, once each has one"
        questionnaire, (x, y, z, xy) = self.check()
        response, _ = self.answer(questionnaire, 4, 3, 1)
        self.assertEqual({s.scale.code: (s.value, s.items)
                for s in response.scores},
            {'X': (4, 1), 'Y': (3, 1), 'Z': (1, 1), 'XY': (7, 2)})

        # Y not answered: no Y, so no X+Y either
        response, _ = self.answer(questionnaire, 4, None, 1)
        self.assertEqual({s.scale.code for s in response.scores},
            {'X', 'Z'})

    @with_transaction()
    def test_sum_of_scales_of_scales(self):
        "A scale may add up scales that are sums themselves"
        pool = Pool()
        Scale = pool.get('questionnaire.scale')
        questionnaire, (x, y, z, xy) = self.check()
        Scale.create([{'questionnaire': questionnaire.id, 'name': "all",
                    'code': 'all', 'parts': [('add', [xy.id, z.id])]}])
        response, _ = self.answer(questionnaire, 4, 3, 2)
        self.assertEqual(
            {s.scale.code: s.value for s in response.scores}['all'], 9)

        # but not itself, even through others
        xy.parts = [xy.parts[0], Scale.search([('code', '=', 'all')])[0]]
        with self.assertRaises(QuestionnaireValidationError):
            xy.save()

    @with_transaction()
    def test_summary(self):
        "The results in one message; only the highest when asked"
        questionnaire, _ = self.check()
        _, messages = self.answer(questionnaire, 4, 3, 1)
        self.assertEqual(messages[-1]['text'],
            "【X】高\nXは高め\n\n【Y】高\nYは高め\n\n【Z】低\nZは低め")

        questionnaire.show_top = 1
        questionnaire.save()
        _, messages = self.answer(questionnaire, 3, 3, 1)
        # Y ties with X
        self.assertEqual(messages[-1]['text'],
            "【X】高\nXは高め\n\n【Y】高\nYは高め")
        _, messages = self.answer(questionnaire, 2, 3, 1)
        self.assertEqual(messages[-1]['text'], "【Y】高\nYは高め")

    @with_transaction()
    def test_rule_as_message(self):
        """A rule shown as a message is a text of its own, its button a
        quick reply; cards stay in the carousel"""
        pool = Pool()
        Rule = pool.get('questionnaire.rule')
        Programme = pool.get('support.programme')
        programme, = Programme.create([{
                    'name': "窓口", 'municipality': "堺市"}])
        questionnaire, (x, y, z, xy) = self.check(show_scores=False)
        Rule.create([{
                    'questionnaire': questionnaire.id, 'sequence': 1,
                    'name': "high", 'feature': 'outcome',
                    'display': 'message', 'title': "高めです",
                    'explanation': "相談してください。\n"
                    "・${name}：${office_phone}\n・全国の窓口：0120-000-000",
                    'button_label': "相談を予約する", 'action': 'menu=booking',
                    'conditions': [('create', [{'kind': 'score',
                                    'scale': xy.id, 'minimum': 6}])],
                    }, {
                    'questionnaire': questionnaire.id, 'sequence': 2,
                    'name': "fine", 'feature': 'outcome',
                    'display': 'message', 'title': "大丈夫です",
                    'explanation': "またどうぞ。",
                    }, {
                    'questionnaire': questionnaire.id, 'sequence': 3,
                    'name': "card", 'feature': 'seminar',
                    'title': "セミナー", 'explanation': "あります。",
                    'button_label': "見る", 'action': 'menu=seminars',
                    }])
        _, messages = self.answer(questionnaire, 4, 3, 1)
        high, card = messages
        # No office phone yet: its line is left out
        self.assertEqual(high['text'],
            "高めです\n相談してください。\n・全国の窓口：0120-000-000")
        self.assertEqual(
            [i['action']['data'] for i in high['quickReply']['items']],
            ['menu=booking'])
        self.assertEqual(card['type'], 'flex')
        self.assertEqual(len(card['contents']['contents']), 1)

        _, messages = self.answer(questionnaire, 1, 1, 1)
        fine, card = messages
        self.assertEqual(fine['text'], "大丈夫です\nまたどうぞ。")
        self.assertNotIn('quickReply', fine)

        programme.office_phone = '072-228-7111'
        programme.save()
        _, messages = self.answer(questionnaire, 4, 4, 1)
        self.assertIn("・窓口：072-228-7111", messages[0]['text'])

    @with_transaction()
    def test_card_needs_button(self):
        "A card needs its button; a message does not"
        pool = Pool()
        Rule = pool.get('questionnaire.rule')
        questionnaire, _ = self.check()
        rule = Rule(questionnaire=questionnaire, name="r", feature='f',
            title="t", explanation="e", display='message')
        rule.save()
        rule.display = 'card'
        with self.assertRaises(RequiredValidationError):
            rule.save()

    @with_transaction()
    def test_placeholders_checked(self):
        "A text may only use the programme's placeholders"
        pool = Pool()
        Band = pool.get('questionnaire.band')
        Rule = pool.get('questionnaire.rule')
        questionnaire, (x, y, z, xy) = self.check()
        band = x.bands[0]
        band.text = "電話：${phone}"
        with self.assertRaises(QuestionnaireValidationError):
            band.save()
        band.text = "電話：${office_phone}"
        band.save()
        with self.assertRaises(QuestionnaireValidationError):
            Rule.create([{'questionnaire': questionnaire.id, 'name': "r",
                        'feature': 'f', 'title': "t", 'display': 'message',
                        'explanation': "${address}"}])
        questionnaire.outro = "${office}"
        with self.assertRaises(QuestionnaireValidationError):
            questionnaire.save()

    @with_transaction()
    def test_scale_labels_fit_buttons(self):
        "A scale point whose button would be cut short is refused"
        questionnaire, (x, y, z, xy) = self.check()
        question = questionnaire.questions[0]
        question.scale_labels = "とてもよくあてはまると思う、そのとおり/ちがう"
        with self.assertRaises(QuestionnaireValidationError):
            question.save()

    @with_transaction()
    def test_health_data(self):
        """Responses to a questionnaire of health data, their answers and
        scores and its tallies: counselors only"""
        pool = Pool()
        Response = pool.get('questionnaire.response')
        Answer = pool.get('questionnaire.response.answer')
        Score = pool.get('questionnaire.response.score')
        QuestionTally = pool.get('questionnaire.tally.question')
        questionnaire, _ = self.check(sensitive=True)
        response, _ = self.answer(questionnaire, 4, 3, 1)
        users = {group: staff_user(group, group)
            for group in ['counselor', 'coordinator', 'manager']}

        def sees(group):
            with Transaction().set_user(users[group].id), \
                    Transaction().set_context(_check_access=True,
                        questionnaire=questionnaire.id):
                return [len(Model.search([])) for Model in [
                        Response, Answer, Score, QuestionTally]]
        self.assertEqual(sees('counselor'), [1, 3, 4, 3])
        self.assertEqual(sees('coordinator'), [0, 0, 0, 0])
        self.assertEqual(sees('manager'), [0, 0, 0, 0])
        with Transaction().set_user(users['coordinator'].id), \
                Transaction().set_context(_check_access=True):
            with self.assertRaises(AccessError):
                Score.read([response.scores[0].id], ['value'])

        # Not health data: the support staff read it
        questionnaire.sensitive = False
        questionnaire.save()
        self.assertEqual(sees('coordinator'), [1, 3, 4, 3])
