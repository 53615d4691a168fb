# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"The employers' job orders: drafts, open ones and a few already filled"
import datetime as dt

from .tools import read_table, states

# employer (its name), title, employment_type, wage_type, wage_min,
# wage_max, hours, short_hours, remote, no_overtime, positions, description
# and state
JOB_ORDERS = read_table('job_orders',
    integers=['wage_min', 'wage_max', 'positions'],
    booleans=['short_hours', 'remote', 'no_overtime'])


def plan(rng, today, employers):
    "Draw the job orders of the planned employers"
    index = {employer['name']: i for i, employer in enumerate(employers)}
    orders = []
    for i, order in enumerate(JOB_ORDERS):
        employer = index[order['employer']]
        received_on = max(
            employers[employer]['developed_on'],
            today - dt.timedelta(days=rng.randint(1, 180)))
        valid_until = None
        if rng.random() < 0.5:
            valid_until = received_on + dt.timedelta(days=90)
        orders.append(dict(order,
                employer=employer,
                location=employers[employer]['location'],
                received_on=received_on,
                valid_until=valid_until,
                coordinator=i % 2))
    return orders


def load(context):
    JobOrder = context.pool.get('job.order')
    coordinators = [
        context.staff['coordinator1'], context.staff['coordinator2']]
    to_open, to_fill = [], []
    for order in context.planned['job_orders']:
        employer = context.employers[order['employer']]
        values = {k: v for k, v in order.items()
            if k not in {'state', 'employer', 'coordinator'}}
        values['employer'] = employer.id
        values['coordinator'] = coordinators[order['coordinator']].id
        job, created = context.get_or_create('job.order', [
                ('title', '=', order['title']),
                ('employer', '=', employer.id),
                ], values, 'job order')
        if not created:
            continue
        if order['state'] in {'open', 'filled'}:
            to_open.append(job)
        if order['state'] == 'filled':
            to_fill.append(job)
    if to_open:
        JobOrder.open(to_open)
    if to_fill:
        JobOrder.fill(to_fill)


def summary(context):
    return [('job orders', states(context.pool.get('job.order')))]
