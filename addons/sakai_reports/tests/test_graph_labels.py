# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Graph axes read the selection's labels, not its keys."""

from lxml import etree

from trytond.pool import Pool
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from sakai_line.tests.tools import (
    DatabaseTestCase, load_japanese_translations)


class GraphLabelsTestCase(DatabaseTestCase):
    "Graph labels"
    module = 'sakai_reports'

    def graph_axis(self, Model):
        "The x field of the model's graph view and its values"
        view = Model.fields_view_get(view_type='graph')
        x, = etree.fromstring(view['arch']).xpath('//x/field/@name')
        return x, view['fields'][x]['type']

    @with_transaction()
    def test_households_axis(self):
        "The household graph shows ひとり親（母）…, not single_mother"
        pool = Pool()
        Party = pool.get('party.party')
        Report = pool.get('report.client.household')
        load_japanese_translations()
        Party.create([{'name': "A", 'is_client': True,
                    'household': 'single_mother',
                    'registered_on': pool.get('ir.date').today()}])
        x, type_ = self.graph_axis(Report)
        self.assertNotEqual(type_, 'selection')
        with Transaction().set_context(language='ja'):
            labels = dict(Party.fields_get(
                    ['household'])['household']['selection'])
            report, = Report.search([])
            label = getattr(Report(report.id), x)
        self.assertEqual(label, labels['single_mother'])
        self.assertNotIn('_', label)
        self.assertRegex(label, r'[^\x00-\x7f]')

    @with_transaction()
    def test_employment_type_axis(self):
        "The job order graph shows 正社員…, not full_time"
        pool = Pool()
        Party = pool.get('party.party')
        JobOrder = pool.get('job.order')
        Report = pool.get('report.job_order.employment')
        load_japanese_translations()
        employer, = Party.create([{'name': "E", 'is_employer': True}])
        orders = JobOrder.create([{'employer': employer.id, 'title': "T",
                    'employment_type': 'full_time', 'wage_min': 1000,
                    'positions': 1}])
        JobOrder.open(orders)
        x, type_ = self.graph_axis(Report)
        self.assertNotEqual(type_, 'selection')
        with Transaction().set_context(language='ja'):
            report, = Report.search([])
            label = getattr(Report(report.id), x)
        self.assertNotIn('full_time', label)
        self.assertRegex(label, r'[^\x00-\x7f]')
