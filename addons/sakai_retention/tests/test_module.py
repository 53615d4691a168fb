# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
import datetime as dt
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests import test_tryton
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_counseling.tests.tools import create_client
from sakai_line.tests.tools import staff_user

from sakai_retention.exceptions import FeedbackError, FollowUpError


def _date(text):
    return dt.date.fromisoformat(text)


class RetentionRulesTestCase:
    "Helpers for the rules below (mixed into the module's test case)"

    def client(self, name="堺 花子"):
        return create_client(name)

    def employer(self, developed=True):
        Party = Pool().get('party.party')
        employer, = Party.create([{
                    'name': "株式会社テスト", 'is_employer': True,
                    'developed_on': _date('2026-01-10') if developed
                    else None}])
        return employer

    def place(self, client, start, employer=None, end=None):
        Placement = Pool().get('job.placement')
        placement, = Placement.create([{
                    'client': client.id, 'origin': 'elsewhere',
                    'employer': employer.id if employer else None,
                    'employer_name': None if employer else "他社",
                    'decided_on': _date(start) - dt.timedelta(days=10),
                    'start_date': _date(start),
                    'employment_type': 'full_time', 'wage_type': 'monthly',
                    'wage': 200000}])
        if end:
            Placement.write([placement], {
                    'end_date': _date(end), 'end_reason': 'resigned'})
        return placement

    def answer(self, placement, months, on):
        "The person answers the check-in of the milestone on the day"
        FollowUp = Pool().get('job.follow_up')
        follow_up, = [f for f in placement.follow_ups
            if f.milestone.offset_months == months]
        with patch('sakai_retention.clock.now',
                return_value=dt.datetime.combine(
                    _date(on), dt.time(3, 0))):
            FollowUp.take_answer(follow_up, 'fine')


class SakaiRetentionTestCase(
        RetentionRulesTestCase, test_tryton.ModuleTestCase):
    "Test Sakai Retention module"
    module = 'sakai_retention'

    @with_transaction(user=0)
    def test_wizards(self):
        "Test wizards are correctly defined (as root)"
        super().test_wizards.__wrapped__(self)

    @with_transaction()
    def test_follow_ups_planned_and_moved(self):
        "A placement plans five follow-ups; a start moved moves the open ones"
        FollowUp = Pool().get('job.follow_up')
        Placement = Pool().get('job.placement')
        placement = self.place(self.client(), '2027-01-04')
        self.assertEqual([f.due_date for f in placement.follow_ups], [
                _date('2027-01-04'), _date('2027-01-11'),
                _date('2027-02-04'), _date('2027-04-04'),
                _date('2027-07-04')])
        done = placement.follow_ups[0]
        done.contacted_on = _date('2027-01-04')
        with patch('sakai_retention.clock.today',
                return_value=_date('2027-01-04')):
            done.save()
            FollowUp.record([done])
        Placement.write([placement], {'start_date': _date('2027-01-06')})
        self.assertEqual([f.due_date for f in placement.follow_ups], [
                _date('2027-01-04'), _date('2027-01-13'),
                _date('2027-02-06'), _date('2027-04-06'),
                _date('2027-07-06')])

    @with_transaction()
    def test_bad_records_refused(self):
        "Before the start, a state written, ended twice: refused, nothing lost"
        FollowUp = Pool().get('job.follow_up')
        Placement = Pool().get('job.placement')
        placement = self.place(self.client(), '2027-01-04')
        follow_up = placement.follow_ups[1]
        with self.assertRaises(FollowUpError):
            FollowUp.write([follow_up], {
                    'contacted_on': _date('2027-01-03')})
        with self.assertRaises(FollowUpError):
            FollowUp.write([follow_up], {'state': 'done'})
        with self.assertRaises(FollowUpError):
            FollowUp.write([follow_up], {'employer_note': "伝えたいこと"})
        Placement.end_placement(placement, _date('2027-02-01'), 'resigned')
        with self.assertRaises(FollowUpError):
            Placement.end_placement(
                placement, _date('2027-02-02'), 'resigned')
        self.assertEqual(placement.end_date, _date('2027-02-01'))
        self.assertEqual([f.state for f in placement.follow_ups],
            ['planned', 'planned', 'cancelled', 'cancelled', 'cancelled'])

    @with_transaction()
    def test_retention_rule(self):
        "Six-month retention as the MHLW counts it, from the records"
        Placement = Pool().get('job.placement')
        on = _date('2027-09-01')
        # In work at six months, shown by a check-in answer after the day
        retained = self.place(self.client("定着"), '2027-01-04')
        self.answer(retained, 6, '2027-07-04')
        # Six months over, nothing recorded since: unknown, never retained
        unknown = self.place(self.client("不明"), '2027-01-04')
        self.answer(unknown, 3, '2027-04-04')
        # Left after three months, no new job within a month
        left = self.place(self.client("離職"), '2027-01-04',
            end='2027-04-01')
        # A job change within a month is continuous work
        changer = self.client("転職")
        first = self.place(changer, '2027-01-04', end='2027-03-31')
        second = self.place(changer, '2027-04-20')
        self.answer(second, 3, '2027-07-20')
        # A new job more than a month later is not
        gap = self.client("空白")
        gap_first = self.place(gap, '2027-01-04', end='2027-02-28')
        self.place(gap, '2027-04-15')
        # Six months not over yet
        recent = self.place(self.client("最近"), '2027-05-01')
        with patch('sakai_retention.clock.today', return_value=on):
            self.assertEqual(
                [Placement(p.id).retention for p in [
                        retained, unknown, left, first, gap_first, recent]],
                ['retained', 'unknown', 'left', 'retained', 'left',
                    'not_yet'])
            # The job change is counted under the first hire
            self.assertEqual(second.previous_in_chain(), first)

    @with_transaction()
    def test_cohort_figures(self):
        "Placements of a month: in work at 1, 3 and 6 months, retention"
        Cohort = Pool().get('job.retention.cohort')
        self.place(self.client("一"), '2027-01-04')
        self.place(self.client("二"), '2027-01-20', end='2027-02-10')
        changer = self.client("三")
        self.place(changer, '2027-01-10', end='2027-03-31')
        second = self.place(changer, '2027-04-10')
        self.answer(second, 6, '2027-07-12')
        self.place(self.client("四"), '2027-02-01')
        with patch('sakai_retention.clock.today',
                return_value=_date('2027-08-01')), \
                Transaction().set_context(
                    from_date=_date('2027-01-01'),
                    to_date=_date('2027-12-31')):
            january, = Cohort.search([('year_month', '=', 202701)])
            self.assertEqual(
                (january.month, january.placements, january.in_work_1,
                    january.in_work_3, january.in_work_6, january.retained,
                    january.left, january.unknown, january.not_yet),
                ('2027-01', 3, 2, 2, 2, 1, 1, 1, 0))
            april, = Cohort.search([('year_month', '=', 202704)])
            # The job change is no new hire
            self.assertEqual(april.placements, 0)

    @with_transaction()
    def test_feedback_rules(self):
        "Feedback only for developed employers, with current consent"
        pool = Pool()
        Feedback = pool.get('job.employer.feedback')
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        client = self.client()
        values = {'content': "順調", 'told_to_person': "説明済み",
            'method': 'phone'}
        other = self.place(client, '2027-01-04',
            employer=self.employer(developed=False))
        with self.assertRaises(FeedbackError):
            Feedback.create([dict(values, placement=other.id)])
        placement = self.place(client, '2027-02-04',
            employer=self.employer())
        with self.assertRaises(FeedbackError):
            Feedback.create([dict(values, placement=placement.id)])
        purpose = Purpose.get('employer_feedback')
        Consent.create([{'party': client.id, 'purpose': purpose.id,
                    'channel': 'paper'}])
        feedback, = Feedback.create([dict(values, placement=placement.id)])
        self.assertTrue(feedback.consent)
        Consent.create([{'party': client.id, 'purpose': purpose.id,
                    'action': 'withdrawn', 'channel': 'line',
                    'at': feedback.consent.at + dt.timedelta(seconds=1)}])
        with self.assertRaises(FeedbackError):
            Feedback.create([dict(values, placement=placement.id)])
        self.assertEqual(len(Feedback.search([])), 1)

    @with_transaction()
    def test_manager_sees_figures_not_notes(self):
        "A manager reads the cohort figures but no follow-up"
        pool = Pool()
        FollowUp = pool.get('job.follow_up')
        Cohort = pool.get('job.retention.cohort')
        self.place(self.client(), '2027-01-04')
        manager = staff_user('manager1', 'manager')
        with Transaction().set_user(manager.id), \
                Transaction().set_context(_check_access=True):
            with self.assertRaises(AccessError):
                FollowUp.search([])
            cohort, = Cohort.search([])
            self.assertEqual(cohort.placements, 1)
