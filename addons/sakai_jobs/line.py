# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job orders on LINE: the rich menu shows open jobs, full-time first.

Jobs are introduced only after counseling, so each card leads to booking a
counseling appointment rather than to an application.
"""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from sakai_line.builders import carousel, postback_button

MAX_BUBBLES = 10


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    def _menu_jobs(self, user):
        JobOrder = Pool().get('job.order')
        # The job order's own order puts full-time first
        orders = JobOrder.search([('state', '=', 'open')],
            limit=MAX_BUBBLES)
        if not orders:
            return [{'type': 'text',
                    'text': gettext('sakai_jobs.msg_line_no_jobs')}]
        selections = JobOrder.fields_get(['employment_type', 'wage_type'])
        types = dict(selections['employment_type']['selection'])
        wage_types = dict(selections['wage_type']['selection'])
        return [carousel(gettext('sakai_jobs.msg_line_jobs'),
            [job_bubble(o, types, wage_types)
                        for o in orders])]


def job_bubble(order, types, wage_types):
    "A Flex bubble of a job order; types, wage_types: selection labels"
    wage = '{:,}'.format(order.wage_min)
    if order.wage_max:
        wage += '〜{:,}'.format(order.wage_max)
    details = [
        types.get(order.employment_type, ''),
        '%s %s円' % (wage_types.get(order.wage_type, ''), wage),
        order.location or '',
        order.hours or '',
        ]
    flags = [gettext(m) for f, m in [
            ('short_hours', 'sakai_jobs.msg_line_short_hours'),
            ('remote', 'sakai_jobs.msg_line_remote'),
            ('no_overtime', 'sakai_jobs.msg_line_no_overtime'),
            ] if getattr(order, f)]
    if flags:
        details.append('・'.join(flags))
    contents = [{'type': 'text', 'text': order.title, 'weight': 'bold',
            'wrap': True, 'color': '#1f8f5f'}]
    contents += [{'type': 'text', 'text': d, 'size': 'sm', 'wrap': True,
            'color': '#555555'} for d in details if d]
    label = gettext('sakai_jobs.msg_line_consult')
    return {'type': 'bubble', 'size': 'kilo',
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': contents},
        'footer': {'type': 'box', 'layout': 'vertical', 'contents': [
                postback_button(label, 'menu=booking')]}}
