# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Fuzzing questionnaire answers with hypothesis.

A person answers the shipped questionnaires with generated input: typed
text (random unicode, numbers, dates, control words, choice labels, huge
strings) and postback data (random, forged, replayed and properly signed
buttons with random values and date parameters).  Whatever comes:

- no exception;
- every answer stays valid for its question (a choice of that question,
  a number inside the limits, a scale point, a date, a bounded text);
- the conversation state stays consistent and the messages stay within
  LINE's limits (text ≤ 5,000 characters, ≤ 13 quick replies, postback
  data ≤ 300 characters).

FUZZ_EXAMPLES sets the number of generated conversations (default 300).
"""
import os
import time
import unittest

# Hypothesis keeps its caches under var/ (ignored by git), not at the root
os.environ.setdefault('HYPOTHESIS_STORAGE_DIRECTORY', os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        'var', 'hypothesis'))
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sakai_line.tests.tools import LineTestCase
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

EXAMPLES = int(os.environ.get('FUZZ_EXAMPLES', 300))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, database=None,
    suppress_health_check=list(HealthCheck))
CONTROL_WORDS = ['戻る', '中断', '再開', 'スキップ', '決定', 'なし', 'おわり',
    '前の質問に戻る', '　中断　', 'ＯＫ']
VALUES = ['ok', 'skip', 'back', 'pause', 'd', 'c', 'v', 'c0', 'v-1',
    'v1e309', 'v3.5', 'vnan', 'c99999999999', '']

typed = st.one_of(
    st.text(max_size=100),
    st.sampled_from(CONTROL_WORDS),
    st.integers(-10 ** 6, 10 ** 6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.builds(lambda d, f: d.strftime(f), st.dates(),
        st.sampled_from(['%Y/%m/%d', '%Y-%m-%d', '%Y年%m月%d日', '%Y%m%d'])),
    st.from_regex(r'\A[0-9０-９]{1,8}[-/.年][0-9０-９]{1,3}[-/.月]'
        r'[0-9０-９]{1,3}日?\Z'),
    st.integers(1, 20_000).map(lambda n: 'あ' * n),
    )
random_postback = st.one_of(
    st.text(max_size=80),
    st.builds(lambda *p: ':'.join(map(str, p)), st.just('q'),
        st.integers(-1, 10 ** 6), st.integers(-1, 50),
        st.sampled_from(VALUES), st.text(max_size=20)),
    )
dates = st.one_of(st.dates().map(str), st.text(max_size=20), st.none())
steps = st.lists(st.tuples(
        st.sampled_from(['text', 'text', 'label', 'button', 'button',
                'replay', 'postback', 'answer', 'answer', 'answer']),
        typed, random_postback, st.sampled_from(VALUES), dates,
        st.integers(0, 10 ** 6)),
    min_size=1, max_size=25)


def buttons(messages):
    "The postback data of the quick replies of messages"
    return [item['action']['data'] for message in messages
        for item in message.get('quickReply', {}).get('items', [])
        if 'data' in item['action']]


class QuestionnaireFuzzTestCase(LineTestCase):
    "Questionnaire answers under generated input"

    def check_messages(self, messages):
        self.assertIsInstance(messages, list)
        for message in messages:
            self.assertIsInstance(message, dict)
            self.assertIn('type', message)
            if message['type'] == 'text':
                self.assertLessEqual(len(message['text']), 5000)
            items = message.get('quickReply', {}).get('items', [])
            self.assertLessEqual(len(items), 13)
            for item in items:
                data = item['action'].get('data')
                if data is not None:
                    self.assertLessEqual(len(data), 300)

    def check_response(self, response):
        self.assertIn(response.state,
            {'in_progress', 'paused', 'done', 'abandoned'})
        questionnaire = response.questionnaire
        if response.state in {'in_progress', 'paused'}:
            self.assertIsNotNone(response.current_question)
            self.assertEqual(
                response.current_question.questionnaire, questionnaire)
        else:
            self.assertIsNone(response.current_question)
        for answer in response.answers:
            question = answer.question
            self.assertEqual(question.questionnaire, questionnaire)
            if answer.skipped:
                self.assertFalse(question.required, question.text)
                continue
            if question.type in {'single', 'multiple'}:
                chosen = set(answer.choices) | (
                    {answer.choice} if answer.choice else set())
                self.assertTrue(chosen)
                self.assertLessEqual(chosen, set(question.choices))
                if question.type == 'single':
                    self.assertEqual(len(chosen), 1)
            elif question.type == 'scale':
                self.assertIsNotNone(answer.number)
                self.assertEqual(answer.number, int(answer.number))
                self.assertTrue(
                    question.scale_min <= answer.number
                    <= question.scale_max)
            elif question.type == 'number':
                self.assertIsNotNone(answer.number)
                self.assertEqual(answer.number, answer.number)  # not NaN
                self.assertNotIn(answer.number,
                    {float('inf'), float('-inf')})
                if question.number_min is not None:
                    self.assertGreaterEqual(answer.number, question.number_min)
                if question.number_max is not None:
                    self.assertLessEqual(answer.number, question.number_max)
            elif question.type == 'date':
                self.assertIsNotNone(answer.date)
            else:
                self.assertTrue(answer.text and answer.text.strip())
                self.assertLessEqual(len(answer.text), 2000)

    @with_transaction()
    def test_fuzz_answers(self):
        "Generated conversations keep every answer valid"
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Response = pool.get('questionnaire.response')
        self.configure()
        questionnaires = [q for q in Questionnaire.search([])
            if q.questions]
        self.assertTrue(questionnaires)
        counts = {'examples': 0, 'steps': 0, 'done': 0}
        started = time.monotonic()

        @FUZZ_SETTINGS
        @given(st.sampled_from(questionnaires), steps)
        def converse(questionnaire, actions):
            counts['examples'] += 1
            user = self.follower()
            messages = Response.start(questionnaire, user)
            self.check_messages(messages)
            old_buttons = buttons(messages)
            response, = Response.search([('line_user', '=', user.id)])
            for kind, text, data, value, date, index in actions:
                counts['steps'] += 1
                response = Response(response.id)
                question = response.current_question
                if kind == 'text':
                    active = Response.active_for(user)
                    if active:
                        messages = active.handle_text(text)
                    else:
                        paused = Response.active_for(
                            user, states=('paused',))
                        messages = paused.resume() if paused else []
                elif kind == 'label':
                    active = Response.active_for(user)
                    labels = []
                    if question and question.type == 'scale':
                        labels = [l for _, l in question.points if l]
                    elif question:
                        labels = [c.label for c in question.choices]
                    messages = active.handle_text(
                        labels[index % len(labels)] if labels else text
                        ) if active else []
                elif kind == 'answer' and question is not None:
                    # A sensible answer, so that conversations get to the end
                    if question.type in {'single', 'multiple'} \
                            and question.choices:
                        choice = question.choices[index % len(
                                question.choices)]
                        value = 'c%d' % choice.id
                        if choice.id in response.chosen_so_far:
                            value = 'ok'
                    elif question.type == 'scale':
                        value = 'v%d' % question.scale_max
                    elif question.type == 'date':
                        value, date = 'd', '2027-04-01'
                    elif not question.required:
                        value = 'skip'
                    if question.type in {'number', 'text'} \
                            and question.required:
                        messages = response.handle_text(
                            str(question.number_min or 1)
                            if question.type == 'number' else text or 'x')
                    else:
                        messages = Response.handle_postback(
                            user, response.data(value), {'date': date})
                elif kind in {'button', 'replay', 'answer'}:
                    # A tap on a button of the last answer, or on any
                    # button sent before (stale, replayed)
                    offered = (buttons(messages) if kind == 'button'
                        else old_buttons)
                    payload = (offered[index % len(offered)]
                        if offered else data)
                    messages = Response.handle_postback(user, payload,
                        {'date': date} if date is not None else None)
                else:
                    messages = Response.handle_postback(user, data,
                        {'date': date} if index % 2 else None)
                self.check_messages(messages)
                old_buttons.extend(buttons(messages))
                response = Response(response.id)
                self.check_response(response)
            if response.state == 'done':
                counts['done'] += 1

        converse()
        elapsed = time.monotonic() - started
        print('\nquestionnaire fuzz: %(examples)d conversations, '
            '%(steps)d inputs, %(done)d finished' % counts
            + ' in %.1f s' % elapsed)


if __name__ == '__main__':
    unittest.main()
