# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The demo data, one loader per concept.

Each loader has ``load(context)`` and may have ``summary(context)`` (rows
of what the database holds) and ``plan(rng, today, ...)`` (its random
data).  A loader runs only when the module of its models is activated,
and looks each record up by a stable key first, so running it again
creates nothing.
"""
import random

from . import (
    approvals, clients, company, counseling, development, employers, inbox,
    introductions, job_orders, line_channel, line_users, matching,
    programme, retention, seminars, staff)
from .tools import Context

SEED = 20260401

# The loaders in dependency order, with the module each one needs (as
# activated in the database; the others are skipped)
LOADERS = [
    (company, 'company'),
    (programme, 'sakai_programme'),
    (staff, 'sakai_programme'),
    (line_users, 'sakai_line'),
    (clients, 'sakai_counseling'),
    (employers, 'sakai_jobs'),
    (job_orders, 'sakai_jobs'),
    (development, 'sakai_jobs'),
    (seminars, 'sakai_seminars'),
    (line_channel, 'sakai_line'),
    (inbox, 'sakai_inbox'),
    (counseling, 'sakai_counseling'),
    (introductions, 'sakai_jobs'),
    (matching, 'sakai_matching'),
    (retention, 'sakai_retention'),
    (approvals, 'sakai_audit'),
    ]


def plan(today):
    """Draw all random data up front, always in this order, so that it
    depends neither on the database nor on the modules activated"""
    rng = random.Random(SEED)
    planned = {}
    planned['clients'] = clients.plan(rng, today)
    planned['line_users'] = line_users.plan(rng, today, planned['clients'])
    planned['employers'] = employers.plan(rng, today)
    planned['job_orders'] = job_orders.plan(
        rng, today, planned['employers'])
    return planned


def activated(pool):
    "The names of the activated modules"
    Module = pool.get('ir.module')
    return {m.name for m in Module.search([('state', '=', 'activated')])}


def load(pool):
    """Run the loaders of the activated modules in the current transaction;
    return the context (what was created) and the summary rows"""
    today = pool.get('ir.date').today()
    context = Context(pool, today, plan(today))
    modules = activated(pool)
    loaded = [loader for loader, module in LOADERS if module in modules]
    for loader in loaded:
        loader.load(context)
    rows = [row for loader in loaded if hasattr(loader, 'summary')
        for row in loader.summary(context)]
    return context, rows
