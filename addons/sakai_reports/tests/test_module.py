# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class SakaiReportsTestCase(ModuleTestCase):
    "Test Sakai Reports module"
    module = 'sakai_reports'

    @with_transaction()
    def test_clients_by_household(self):
        "Clients are counted per household"
        pool = Pool()
        Party = pool.get('party.party')
        Report = pool.get('report.client.household')
        Party.create([
                {'name': n, 'is_client': True, 'household': h,
                    'registered_on': Pool().get('ir.date').today()}
                for n, h in [("A", 'single_mother'), ("B", 'single_mother'),
                    ("C", 'single_father')]])
        Party.create([{'name': "Employer"}])
        self.assertEqual(
            {(r.household, r.clients) for r in Report.search([])},
            {('single_mother', 2), ('single_father', 1)})

    @with_transaction()
    def test_open_job_orders(self):
        "Open job orders and their positions are counted per type"
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        Report = pool.get('report.job_order.employment')
        employer, = Party.create([{'name': "E", 'is_employer': True}])
        orders = JobOrder.create([{
                    'employer': employer.id, 'title': str(i),
                    'employment_type': t, 'wage_min': 1000, 'positions': p}
                for i, (t, p) in enumerate([
                        ('full_time', 2), ('full_time', 1),
                        ('part_time', 3)])])
        JobOrder.open(orders[:2])
        self.assertEqual(
            [(r.employment_type, r.job_orders, r.positions)
                for r in Report.search([])],
            [('full_time', 2, 3)])


del ModuleTestCase
