# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The employers the coordinators developed, most of them friendly to
single parents"""
import datetime as dt

from .tools import pick_phone, read_table

# name, industry, employees, single_parent_friendly, employer_note and
# location (the ward, where its job orders are)
EMPLOYERS = read_table('employers', integers=['employees'],
    booleans=['single_parent_friendly'])


def plan(rng, today):
    employers = []
    for i, employer in enumerate(EMPLOYERS):
        developed_on = today - dt.timedelta(days=rng.randint(30, 360))
        phone = pick_phone(rng, '072-2%02d-{}' % rng.randint(10, 99))
        employers.append(dict(employer,
                developed_by=i % 2, developed_on=developed_on, phone=phone))
    return employers


def load(context):
    coordinators = [
        context.staff['coordinator1'], context.staff['coordinator2']]
    for employer in context.planned['employers']:
        party, _ = context.get_or_create('party.party', [
                ('name', '=', employer['name']),
                ('is_employer', '=', True),
                ], {
                'name': employer['name'],
                'is_employer': True,
                'industry': employer['industry'],
                'employees': employer['employees'],
                'developed_by': coordinators[employer['developed_by']].id,
                'developed_on': employer['developed_on'],
                'single_parent_friendly': employer['single_parent_friendly'],
                'employer_note': employer['employer_note'],
                'lang': context.ja.id,
                'contact_mechanisms': [('create', [{
                                'type': 'phone',
                                'value': employer['phone'],
                                }])],
                }, 'employer')
        context.employers.append(party)


def summary(context):
    Party = context.pool.get('party.party')
    return [('employers', Party.search_count([('is_employer', '=', True)]))]
