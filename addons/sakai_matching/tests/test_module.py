# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The matching engine's hard filters and reasons, and bad input: wished
hours backwards, a sending time at night, weights that are not JSON."""
import datetime as dt

from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from sakai_counseling.tests.tools import create_client
from sakai_matching import engine


class SakaiMatchingTestCase(ModuleTestCase):
    "Test Sakai Matching module"
    module = 'sakai_matching'

    @with_transaction(user=0)
    def test_wizards(self):
        "Test wizards are correctly defined (as root)"
        super().test_wizards.__wrapped__(self)

    def test_hard_filters(self):
        "A person who must finish by 16:00 is never offered a job to 18:00"
        jobs = engine.Jobs([
                {'id': 1, 'employment_type': 'full_time', 'wage': 250000,
                    'start': 9 * 60, 'end': 18 * 60, 'area': 'sakai'},
                {'id': 2, 'employment_type': 'part_time', 'wage': 150000,
                    'start': 9 * 60, 'end': 15 * 60, 'area': 'sakai',
                    'short_hours': True},
                {'id': 3, 'employment_type': 'full_time_track',
                    'wage': 200000, 'start': 9 * 60, 'end': 16 * 60,
                    'area': 'sakai', 'no_overtime': True},
                {'id': 4, 'employment_type': 'full_time', 'wage': 220000,
                    'area': 'sakai'},
                ])
        wishes = engine.Wishes(end_by=16 * 60, area='sakai', commute=30)
        picks = engine.rank(wishes, jobs)
        # Unknown hours are left out too; path to full-time comes first
        self.assertEqual([jobs.rows[i]['id'] for i, _, _ in picks], [3, 2])
        keys = [k for k, _ in engine.reasons(wishes, jobs.rows[picks[0][0]],
                picks[0][2])]
        self.assertEqual(keys[:2], ['full_time_track', 'hours'])
        # Declined for time: the next day stops before that job's end
        wishes.end_before = 16 * 60
        self.assertEqual([jobs.rows[i]['id']
                for i, _, _ in engine.rank(wishes, jobs)], [2])

    def test_fit_falls_back(self):
        "Too little feedback: no learned weights"
        self.assertIsNone(engine.fit([([1] * len(engine.FEATURES), 1)] * 5))

    @with_transaction()
    def test_bad_input(self):
        "Backward wished hours, night sending, bad weights: clear errors"
        pool = Pool()
        Configuration = pool.get('job.matching.configuration')
        client = create_client("堺 花子")
        client.wish_start_from = dt.time(16)
        client.wish_end_by = dt.time(9)
        with self.assertRaises(ValidationError):
            client.save()
        configuration = Configuration(1)
        configuration.send_time = dt.time(23)
        with self.assertRaises(ValidationError):
            configuration.save()
        configuration = Configuration(1)
        configuration.hand_weights = '{"wage": "high"}'
        with self.assertRaises(ValidationError):
            configuration.save()

    @with_transaction()
    def test_diagnosis_wishes(self):
        "Wishes not recorded are read from the registration diagnosis"
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Response = pool.get('questionnaire.response')
        Answer = pool.get('questionnaire.response.answer')
        client = create_client("堺 花子")
        self.assertTrue(client.matching_wishes().empty())
        registration, = Questionnaire.search(
            [('code', '=', 'registration')])
        questions = {q.code: q for q in registration.questions}
        response = Response(questionnaire=registration, party=client,
            state='done', finished_at=dt.datetime(2026, 11, 1, 3))
        response.save()

        def choices(code, *codes):
            return [c.id for c in questions[code].choices if c.code in codes]
        Answer.create([{'response': response.id,
                    'question': questions[code].id,
                    'choices': [('add', choices(code, *codes))]}
                for code, codes in [
                    ('employment', ['regular', 'remote']),
                    ('constraints', ['pickup', 'no_weekends'])]])
        wishes = client.matching_wishes()
        self.assertEqual((wishes.employment, wishes.end_by,
                wishes.weekdays_only, wishes.remote),
            ('full_time_preferred', 17 * 60, True, True))
        # What the counselor records comes first
        client.wish_end_by = dt.time(16)
        client.save()
        self.assertEqual(client.matching_wishes().end_by, 16 * 60)

    @with_transaction()
    def test_hours_parsed(self):
        "A job order's hours like ９：００〜１６：００ give its times"
        from sakai_matching.party import parse_hours
        self.assertEqual(parse_hours("９：００〜１６：３０（休憩60分）"),
            (dt.time(9), dt.time(16, 30)))
        self.assertEqual(parse_hours("シフト制"), (None, None))


del ModuleTestCase
