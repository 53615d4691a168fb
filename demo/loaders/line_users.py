# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The people who added the LINE account as a friend: about 20 clients
came through LINE, 3 people blocked it"""
import datetime as dt

from .tools import states


def plan(rng, today, clients):
    "Draw the LINE users, giving each linked client its LINE ID"
    line_users = []
    linked = sorted(rng.sample(range(len(clients)), 20))
    for i in linked:
        client = clients[i]
        followed = dt.datetime.combine(
            client['registered_on']
            - dt.timedelta(days=client['followed_before']),
            dt.time(client['followed_hour'], rng.randint(0, 59)))
        line_id = 'U%032x' % rng.getrandbits(128)
        client['line_id'] = line_id
        line_users.append({
                'line_id': line_id,
                'state': 'following',
                'followed_at': followed,
                'blocked_at': None,
                })
    for _ in range(3):
        followed = dt.datetime.combine(
            today - dt.timedelta(days=rng.randint(120, 360)),
            dt.time(rng.randint(0, 23), rng.randint(0, 59)))
        blocked = followed + dt.timedelta(
            days=rng.randint(1, 90), hours=rng.randint(0, 23))
        line_users.append({
                'line_id': 'U%032x' % rng.getrandbits(128),
                'state': 'blocked',
                'followed_at': followed,
                'blocked_at': blocked,
                })
    return line_users


def load(context):
    for values in context.planned['line_users']:
        line_user, _ = context.get_or_create('line.user',
            [('line_id', '=', values['line_id'])], values, 'line user')
        context.line_users[values['line_id']] = line_user


def summary(context):
    return [('LINE users', states(context.pool.get('line.user')))]
