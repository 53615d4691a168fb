# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Management figures as table queries: graph and spreadsheet ready."""
from sql import Literal, Null
from sql.aggregate import Count, Min, Sum

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool


def households():
    return Pool().get('party.party').fields_get(
        ['household'])['household']['selection']


def employment_types():
    return Pool().get('job.order').fields_get(
        ['employment_type'])['employment_type']['selection']


class SelectionLabelMixin:
    "The translated label of a selection field, for graph axes"
    __slots__ = ()

    def get_label(self, name):
        return getattr(self, name[:-len('_label')] + '_string')


class ClientHousehold(SelectionLabelMixin, ModelSQL, ModelView):
    __name__ = 'report.client.household'
    __string__ = "Clients by Household"

    household = fields.Selection('get_households', "Household")
    household_string = household.translated('household')
    # Graphs show a selection's raw key: their axis uses the label
    household_label = fields.Function(
        fields.Char("Household"), 'get_label')
    clients = fields.Integer("Clients")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('clients', 'DESC'))

    @classmethod
    def get_households(cls):
        return households()

    @classmethod
    def table_query(cls):
        party = Pool().get('party.party').__table__()
        return party.select(
            Min(party.id).as_('id'),
            party.household.as_('household'),
            Count(Literal(1)).as_('clients'),
            where=(party.is_client == Literal(True))
            & (party.active == Literal(True))
            & (party.household != Null),
            group_by=[party.household])


class JobOrderEmployment(SelectionLabelMixin, ModelSQL, ModelView):
    __name__ = 'report.job_order.employment'
    __string__ = "Open Job Orders by Employment Type"

    employment_type = fields.Selection(
        'get_employment_types', "Employment Type")
    employment_type_string = employment_type.translated('employment_type')
    # Graphs show a selection's raw key: their axis uses the label
    employment_type_label = fields.Function(
        fields.Char("Employment Type"), 'get_label')
    job_orders = fields.Integer("Job Orders")
    positions = fields.Integer("Positions")

    @classmethod
    def get_employment_types(cls):
        return employment_types()

    @classmethod
    def table_query(cls):
        order = Pool().get('job.order').__table__()
        return order.select(
            Min(order.id).as_('id'),
            order.employment_type.as_('employment_type'),
            Count(Literal(1)).as_('job_orders'),
            Sum(order.positions).as_('positions'),
            where=(order.state == 'open') & (order.active == Literal(True)),
            group_by=[order.employment_type])
