# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Seminars and exchange meetings on LINE: the rich menu shows what is
coming up."""
import datetime as dt

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from sakai_line.builders import carousel
from sakai_programme.programme import to_local, utcnow

AHEAD = dt.timedelta(days=90)
MAX_BUBBLES = 10


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    def _menu_seminars(self, user):
        return self._upcoming(user, ['self_reliance', 'skill_up'])

    def _menu_exchange(self, user):
        return self._upcoming(user, ['exchange'])

    def _upcoming(self, user, kinds):
        Session = Pool().get('seminar.session')
        now = utcnow()
        sessions = Session.search([
                ('state', '=', 'planned'),
                ('seminar.kind', 'in', kinds),
                ('start', '>=', now),
                ('start', '<=', now + AHEAD),
                ], order=[('start', 'ASC')], limit=MAX_BUBBLES)
        if not sessions:
            return [{'type': 'text',
                    'text': gettext('sakai_seminars.msg_line_no_sessions')}]
        methods = dict(Session.fields_get(['method'])['method']['selection'])
        return [carousel(gettext('sakai_seminars.msg_line_upcoming'),
            [session_bubble(s, methods) for s in sessions])]


def session_bubble(session, methods):
    "A Flex bubble of a session; methods: the method labels by value"
    start, end = to_local(session.start), to_local(session.end)
    details = [
        '%s %s〜%s' % (start.strftime('%Y/%m/%d'), start.strftime('%H:%M'),
            end.strftime('%H:%M')),
        '%s %s' % (methods.get(session.method, ''), session.venue or ''),
        ]
    if session.childcare:
        details.append(gettext('sakai_seminars.msg_line_childcare'))
    contents = [{'type': 'text', 'text': session.seminar.name,
            'weight': 'bold', 'wrap': True, 'color': '#1f8f5f'}]
    contents += [{'type': 'text', 'text': d.strip(), 'size': 'sm',
            'wrap': True, 'color': '#555555'} for d in details if d.strip()]
    if session.seminar.description:
        contents.append({'type': 'text', 'size': 'xs', 'wrap': True,
                'text': session.seminar.description[:300],
                'color': '#888888'})
    return {'type': 'bubble', 'size': 'kilo', 'body': {
            'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': contents}}
