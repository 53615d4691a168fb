# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.model.exceptions import (
    AccessError, DomainValidationError, SQLConstraintError, ValidationError)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class SakaiJobsTestCase(ModuleTestCase):
    "Test Sakai Jobs module"
    module = 'sakai_jobs'

    @with_transaction(user=0)
    def test_wizards(self):
        "Test wizards are correctly defined (as root: CSV imports are for coordinators)"
        super().test_wizards.__wrapped__(self)

    def create_employer(self):
        Party = Pool().get('party.party')
        employer = Party(name="株式会社テスト", is_employer=True)
        employer.save()
        return employer

    @with_transaction()
    def test_full_time_first(self):
        "Job orders list full-time jobs first"
        JobOrder = Pool().get('job.order')
        employer = self.create_employer()
        JobOrder.create([{
                    'employer': employer.id, 'title': title,
                    'employment_type': type_, 'wage_min': 1200,
                    'wage_type': 'hourly'}
                for title, type_ in [
                    ("販売", 'part_time'), ("事務", 'full_time'),
                    ("製造", 'dispatch'), ("介護", 'full_time_track')]])
        self.assertEqual(
            [o.employment_type for o in JobOrder.search([])],
            ['full_time', 'full_time_track', 'part_time', 'dispatch'])
        self.assertTrue(all(o.number for o in JobOrder.search([])))

    @with_transaction()
    def test_job_order_checks(self):
        "Wages and positions must make sense"
        JobOrder = Pool().get('job.order')
        employer = self.create_employer()
        order = JobOrder(employer=employer, title="事務",
            wage_min=200000, wage_max=180000)
        with self.assertRaises(ValidationError):
            order.save()
        order.wage_max = 220000
        order.positions = 0
        with self.assertRaises(SQLConstraintError):
            order.save()

    @with_transaction()
    def test_employer_domain(self):
        "A job order belongs to an employer"
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        other = Party(name="Someone")
        other.save()
        with self.assertRaises(DomainValidationError):
            JobOrder(employer=other, title="事務", wage_min=1000).save()

    @with_transaction()
    def test_workflow(self):
        "Only draft job orders can be deleted"
        JobOrder = Pool().get('job.order')
        employer = self.create_employer()
        order = JobOrder(employer=employer, title="事務", wage_min=1000)
        order.save()
        JobOrder.open([order])
        self.assertEqual(order.state, 'open')
        JobOrder.fill([order])
        self.assertEqual(order.state, 'filled')
        from trytond.transaction import Transaction
        with Transaction().set_context(_check_access=True):
            with self.assertRaises(AccessError):
                JobOrder.delete([order])


del ModuleTestCase
