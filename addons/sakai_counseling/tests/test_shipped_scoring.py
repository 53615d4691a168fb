# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Every shipped scoring against its extremes and its middle.

For each questionnaire shipped with scales and bands (the stress check,
interest types, personality, work values, and any other a module ships),
answered through the engine as a person would:

- all lowest points and all highest points give the lowest and the highest
  band of each scale;
- middle answers give a neutral band: never the lowest or highest one, and
  where each item has a true middle answer (どちらともいえない), a band
  centred on the middle score that says something of its own (not the
  text of the band above or below, which once told a person who answered
  どちらともいえない everywhere that they valued all six values);
- the bands of each scale cover every score it can take, once, and each
  band can be reached.
"""
import json
import re

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction

from sakai_line.tests.tools import DatabaseTestCase

LOWEST, HIGHEST, MIDDLE_DOWN, MIDDLE_UP = 'lowest', 'highest', 'down', 'up'
COUNTER = re.compile(r'（(\d+)/(\d+)）')


def item_points(question):
    "The points an item can add to its scale, lowest first"
    if question.type == 'scale':
        return list(range(question.scale_min, question.scale_max + 1))
    return sorted({c.score for c in question.choices if c.score is not None})


def scale_range(scale, items):
    "(lowest, highest) score of scale: its items and the scales it adds up"
    low = sum(item_points(q)[0] for q in items.get(scale, []))
    high = sum(item_points(q)[-1] for q in items.get(scale, []))
    for part in scale.parts:
        part_low, part_high = scale_range(part, items)
        low += part_low
        high += part_high
    return low, high


def leaf_items(scale, items):
    "The items that add to scale, also through the scales it adds up"
    result = list(items.get(scale, []))
    for part in scale.parts:
        result.extend(leaf_items(part, items))
    return result


def ordered_bands(scale):
    "The bands from the lowest range to the highest"
    return sorted(scale.bands, key=lambda b: (
            float('-inf') if b.minimum is None else b.minimum,
            float('-inf') if b.maximum is None else b.maximum))


def contains(band, value):
    return ((band.minimum is None or value >= band.minimum)
        and (band.maximum is None or value <= band.maximum))


class ShippedScoringTestCase(DatabaseTestCase):
    "Shipped scorings against their extremes and middle"
    # Every module, so that every shipped questionnaire is there
    module = 'sakai_reports'

    # -- helpers --------------------------------------------------------------

    def scored(self):
        "The shipped questionnaires with a scale that has bands"
        Questionnaire = Pool().get('questionnaire')
        questionnaires = [q for q in Questionnaire.search([])
            if any(s.bands for s in q.scales)]
        return questionnaires

    def items(self, questionnaire):
        "The scored items of each scale"
        items = {}
        for question in questionnaire.questions:
            if question.scale and item_points(question):
                items.setdefault(question.scale, []).append(question)
        return items

    def answer(self, questionnaire, mode):
        """Answer questionnaire to its end through the engine: each item
        with its lowest or highest points, or the middle ones (on an even
        number of points, the two middle points in turn per scale,
        starting with the lower one (down) or the upper one (up)); other
        questions with their first answer that does not branch"""
        Response = Pool().get('questionnaire.response')
        user = self.follower()
        Response.start(questionnaire, user)
        response = Response.active_for(user)
        turns = {}
        for _ in range(len(questionnaire.questions) + 1):
            if response.state == 'done':
                return response
            question = response.current_question
            points = item_points(question) if question.scale else []
            if points:
                if mode == LOWEST:
                    wanted = points[0]
                elif mode == HIGHEST:
                    wanted = points[-1]
                else:
                    turn = turns.get(question.scale, 0)
                    turns[question.scale] = turn + 1
                    lower = points[(len(points) - 1) // 2]
                    upper = points[len(points) // 2]
                    first, second = ((lower, upper) if mode == MIDDLE_DOWN
                        else (upper, lower))
                    wanted = first if turn % 2 == 0 else second
                if question.type == 'scale':
                    value = wanted
                    if question.reverse:
                        value = (question.scale_min + question.scale_max
                            - wanted)
                    response.receive('v%d' % value)
                else:
                    choice = next(c for c in question.choices
                        if c.score == wanted)
                    response.receive('c%d' % choice.id)
            elif question.type in {'single', 'multiple'}:
                choice = next((c for c in question.choices
                        if not c.next_question), question.choices[0])
                response.receive('c%d' % choice.id)
                if response.current_question == question:
                    response.receive('ok')
            elif question.type == 'scale':
                response.receive('v%d' % question.scale_min)
            elif not question.required:
                response.receive('skip')
            elif question.type == 'number':
                response.handle_text(str(int(question.number_min or 1)))
            elif question.type == 'date':
                response.handle_text('2027-04-01')
            else:
                response.handle_text('テスト')
        self.fail('%s did not end' % questionnaire.rec_name)

    def bands(self, response):
        return {s.scale: s.band for s in response.scores}

    # -- the checks -----------------------------------------------------------

    @with_transaction()
    def test_shipped(self):
        "The four self-assessments are among the scorings checked"
        codes = {q.code for q in self.scored()}
        self.assertLessEqual(
            {'stress_check', 'interests', 'personality', 'work_values'},
            codes)

    @with_transaction()
    def test_bands_cover_scale(self):
        "Each score a scale can take falls in exactly one band"
        for questionnaire in self.scored():
            items = self.items(questionnaire)
            for scale in questionnaire.scales:
                if not scale.bands:
                    continue
                low, high = scale_range(scale, items)
                with self.subTest(questionnaire=questionnaire.code,
                        scale=scale.code):
                    self.assertLess(low, high)
                    for value in range(int(low), int(high) + 1):
                        self.assertEqual(
                            len([b for b in scale.bands
                                    if contains(b, value)]), 1,
                            'score %s' % value)
                    for band in scale.bands:
                        self.assertTrue(any(contains(band, v)
                                for v in range(int(low), int(high) + 1)),
                            'band %s cannot be reached' % band.name)

    @with_transaction()
    def test_extremes(self):
        "Lowest points give the lowest band, highest the highest"
        for questionnaire in self.scored():
            for mode, index in [(LOWEST, 0), (HIGHEST, -1)]:
                response = self.answer(questionnaire, mode)
                bands = self.bands(response)
                for scale in questionnaire.scales:
                    if not scale.bands:
                        continue
                    with self.subTest(questionnaire=questionnaire.code,
                            scale=scale.code, answers=mode):
                        self.assertEqual(bands.get(scale),
                            ordered_bands(scale)[index])

    @with_transaction()
    def test_middle(self):
        "Middle answers give a neutral band"
        for questionnaire in self.scored():
            items = self.items(questionnaire)
            for mode in [MIDDLE_DOWN, MIDDLE_UP]:
                response = self.answer(questionnaire, mode)
                bands = self.bands(response)
                for scale in questionnaire.scales:
                    if not scale.bands:
                        continue
                    ordered = ordered_bands(scale)
                    band = bands.get(scale)
                    with self.subTest(questionnaire=questionnaire.code,
                            scale=scale.code, answers=mode):
                        self.assertGreaterEqual(len(ordered), 3,
                            "no band between the extremes")
                        self.assertIsNotNone(band)
                        self.assertNotIn(band, [ordered[0], ordered[-1]],
                            "middle answers give an extreme band: %s"
                            % band.name)
                        leaves = leaf_items(scale, items)
                        if all(len(item_points(q)) % 2
                                for q in leaves):
                            self.check_neutral(scale, band, ordered, items)

    def check_neutral(self, scale, band, ordered, items):
        """Where every item has a middle answer, the band of the middle
        score is centred on it and has a text of its own"""
        low, high = scale_range(scale, items)
        middle = (low + high) / 2
        bottom = max(low, band.minimum if band.minimum is not None else low)
        top = min(high, band.maximum if band.maximum is not None else high)
        self.assertLessEqual(abs((bottom + top) / 2 - middle), 0.5,
            "band %s (%s-%s) is not centred on the middle score %s"
            % (band.name, bottom, top, middle))
        index = ordered.index(band)
        for neighbour in [ordered[index - 1], ordered[index + 1]]:
            self.assertNotEqual(band.text, neighbour.text,
                "band %s says what band %s says"
                % (band.name, neighbour.name))
            self.assertNotEqual(band.name, neighbour.name)


    # -- the stress check's count ---------------------------------------------

    def counters(self, working):
        "The counter of each question asked"
        Response = Pool().get('questionnaire.response')
        questionnaire = Pool().get('questionnaire').get_by_code('stress_check')
        user = self.follower()
        messages = Response.start(questionnaire, user)
        response = Response.active_for(user)
        counters = []
        while response.state != 'done':
            counters.append(COUNTER.search(messages[-1]['text']).groups())
            question = response.current_question
            if question.type == 'single':
                choice, = [c for c in question.choices
                    if c.code == ('yes' if working else 'no')]
                messages = response.receive('c%d' % choice.id)
            else:
                messages = response.receive('v%d' % question.scale_min)
        return [(int(n), int(t)) for n, t in counters]

    @with_transaction()
    def test_count(self):
        """The ministry's 57 items after one question whether the person
        works: the card, the introduction and the counter say 58 (31 without
        a job)"""
        from sakai_counseling.assessment_line import (
            assessment_bubble, minutes)
        questionnaire = Pool().get('questionnaire').get_by_code('stress_check')
        self.assertEqual(
            len([q for q in questionnaire.questions if q.scale]), 57)
        self.assertIn("（57項目）", questionnaire.intro)
        self.assertIn("あわせて58問", questionnaire.intro)
        self.assertIn("31問", questionnaire.intro)
        card = json.dumps(assessment_bubble(questionnaire),
            ensure_ascii=False)
        # 「全58問・約10分」
        self.assertIn(gettext('sakai_counseling.msg_assessment_length',
                questions=58, minutes=minutes(58)), card)

        for working, asked in [(True, 58), (False, 31)]:
            with self.subTest(working=working):
                counters = self.counters(working)
                self.assertEqual(len(counters), asked)
                self.assertEqual(counters[-1], (asked, asked))
