# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The progress counter （n/total） of a questionnaire on LINE counts the
questions the person is really asked: a branch that skips questions
lowers the total, and the last question asked shows total/total (the
registration diagnosis once said 1/9 and ended at 8/9)."""
import re

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from sakai_line.tests.tools import LineTestCase

COUNTER = re.compile(r'（(\d+)/(\d+)）')

# Answers by question code: the first that applies of a choice code, a
# list of choice codes (multiple), a scale value, or text
REGISTRATION = {
    'satisfaction': 'mostly',
    'employment': ['regular'],
    'self_understanding': 2,
    'children': None,
    'constraints': ['none'],
    'exchange': 'no',
    'seminar': ['none'],
    }


class ProgressTestCase(LineTestCase):
    "Progress counter"

    def choice(self, question, code):
        choices = [c for c in question.choices if c.code == code]
        if not choices:
            # The first choice, whatever the shipped codes
            return question.choices[0]
        return choices[0]

    def counters(self, answers):
        """Go through the registration diagnosis answering from answers;
        return the counter of each question asked"""
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Response = pool.get('questionnaire.response')
        # The end links a rich menu: on the stand-in
        self.configure()
        user = self.follower()
        messages = Response.start(
            Questionnaire.get_by_code('registration'), user)
        response = Response.active_for(user)
        counters = []
        while response.state == 'in_progress':
            match = COUNTER.search(messages[-1]['text'])
            self.assertIsNotNone(match, messages[-1]['text'])
            counters.append((int(match.group(1)), int(match.group(2))))
            question = response.current_question
            value = answers.get(question.code, REGISTRATION.get(question.code))
            if value is None and not question.required:
                messages = response.receive('skip')
            elif question.type == 'scale':
                messages = response.receive('v%s' % (value or 1))
            elif question.type == 'single':
                choice = self.choice(question, value)
                messages = response.receive('c%d' % choice.id)
            elif question.type == 'multiple':
                choice = self.choice(question, (value or [None])[0])
                messages = response.receive('c%d' % choice.id)
                if response.current_question == question:
                    messages = response.receive('ok')
            else:
                messages = response.handle_text(value or 'テスト')
        return counters

    def assertCounts(self, counters, asked):
        "Counted 1 to asked, each out of asked at the end"
        self.assertEqual([n for n, _ in counters], list(range(1, asked + 1)))
        self.assertEqual(counters[-1], (asked, asked))
        for n, total in counters:
            self.assertLessEqual(n, total)

    @with_transaction()
    def test_no_branch(self):
        "Someone who works is asked all nine questions: 1/9 to 9/9"
        counters = self.counters({'work': 'regular', 'want': 'job_now'})
        self.assertCounts(counters, 9)
        self.assertEqual({t for _, t in counters}, {9})

    @with_transaction()
    def test_branch_skips(self):
        "Someone not working skips a question: the counter ends at 8/8"
        counters = self.counters({'work': 'none', 'want': 'job_now'})
        self.assertCounts(counters, 8)
        # Before the answer that branches, the total assumes no branch
        self.assertEqual(counters[0], (1, 9))
        self.assertEqual(counters[1], (2, 8))

    @with_transaction()
    def test_two_branches(self):
        "Not working and still thinking: two questions skipped, 7/7"
        counters = self.counters({'work': 'none', 'want': 'thinking'})
        self.assertCounts(counters, 7)

    @with_transaction()
    def test_back(self):
        "Going back before a branch counts the way anew"
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Response = pool.get('questionnaire.response')
        questionnaire = Questionnaire.get_by_code('registration')
        work = questionnaire.questions[0]
        user = self.follower()
        Response.start(questionnaire, user)
        response = Response.active_for(user)
        messages = response.receive(
            'c%d' % self.choice(work, 'none').id)
        self.assertIn('（2/8）', messages[-1]['text'])
        messages = response.receive('back')
        self.assertIn('（1/9）', messages[-1]['text'])
        messages = response.receive(
            'c%d' % self.choice(work, 'regular').id)
        self.assertIn('（2/9）', messages[-1]['text'])
