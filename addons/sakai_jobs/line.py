# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job orders and job introductions on LINE.

The 求人 menu shows first the jobs introduced to the person, then the open
jobs, full-time first.  Jobs are introduced only after counseling: a person
whose counseling record marks their direction clear gets 「この求人に興味あり」
on each job (``job=<job order id>&a=interest``), which proposes the job to
them and puts it on the coordinator's work list; everyone else is led to
book a counseling appointment first.

An introduction card answers ``intro=<introduction id>&a=apply|more|decline
[&r=<reason key>]``.  Each answer moves the introduction (applying only
makes it *interested*: the coordinator sends the application after checking
the person's consent), lands on the coordinator's work list (``waiting``)
and is confirmed in a short message.  Every postback is checked again when
it arrives: an introduction of someone else, an ended one, an unknown id or
a job no longer open answers politely and changes nothing, and a repeated
tap does not move the work list.

An introduction a coordinator proposes from the back office is pushed to
the person's LINE as a card (not to a blocked friend; the context key
``introduction_silent`` keeps it quiet, for data loaded in bulk).
"""
from urllib.parse import parse_qsl, urlencode

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from sakai_line.builders import (
    carousel, postback_button, quick_postback, text_message)
from sakai_line.event import postback_id
from sakai_programme.programme import citizen_language, to_local

from .exceptions import IntroductionError
from .introduction import OPEN_STAGES

MAX_BUBBLES = 10
JOB = 'job='
INTRO = 'intro='
# The reasons offered when the person passes on a job, by postback key
DECLINE_REASONS = [
    ('hours', 'sakai_jobs.msg_line_decline_hours'),
    ('work', 'sakai_jobs.msg_line_decline_work'),
    ('commute', 'sakai_jobs.msg_line_decline_commute'),
    ('conditions', 'sakai_jobs.msg_line_decline_conditions'),
    ('other', 'sakai_jobs.msg_line_decline_other'),
    ]
# A decline without a reason
NO_REASON = 'none'
# Stages whose card still asks whether to apply
APPLY_STAGES = {'proposed', 'interested'}


def job_postback(order, action):
    return urlencode({'job': order.id, 'a': action})


def intro_postback(introduction, action, reason=None):
    params = {'intro': introduction.id, 'a': action}
    if reason:
        params['r'] = reason
    return urlencode(params)


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    @classmethod
    def _postback_routes(cls):
        return super()._postback_routes() + [
            (JOB, '_postback_job'),
            (INTRO, '_postback_introduction'),
            ]

    # The 求人 menu

    def _menu_jobs(self, user):
        JobOrder = Pool().get('job.order')
        client = user.client()
        may_be_introduced = bool(client and client.may_be_introduced())
        introductions = self._open_introductions(user)
        messages = []
        if introductions:
            messages.append(introductions_carousel(introductions))
        # The job order's own order puts full-time first
        orders = JobOrder.search([('state', '=', 'open')],
            limit=MAX_BUBBLES)
        if not orders:
            messages.append({'type': 'text',
                    'text': gettext('sakai_jobs.msg_line_no_jobs')})
            return messages
        selections = JobOrder.fields_get(['employment_type', 'wage_type'])
        types = dict(selections['employment_type']['selection'])
        wage_types = dict(selections['wage_type']['selection'])
        introduced = {i.job_order.id for i in introductions}
        messages.append(carousel(gettext('sakai_jobs.msg_line_jobs'),
                [job_bubble(o, types, wage_types,
                        interest=may_be_introduced,
                        introduced=o.id in introduced)
                    for o in orders]))
        return messages

    def _postback_job(self, user, value, line_params):
        params = dict(parse_qsl(JOB + value))
        if params.get('a') != 'interest':
            return self._menu_jobs(user)
        return self._job_interest(user, postback_id(params.get('job')))

    def _job_interest(self, user, order_id):
        "「この求人に興味あり」: propose the job to the person"
        pool = Pool()
        JobOrder = pool.get('job.order')
        Introduction = pool.get('job.introduction')
        client = user.client()
        if not client or not client.may_be_introduced():
            # Forged, or the direction is no longer clear: counseling first
            return [self._counseling_first()]
        orders = JobOrder.search([
                ('id', '=', order_id),
                ('state', '=', 'open'),
                ]) if order_id else []
        if not orders:
            return [text_message(
                    gettext('sakai_jobs.msg_line_job_not_open'))]
        order, = orders
        existing = Introduction.search([
                ('client', '=', client.id),
                ('job_order', '=', order.id),
                ('state', 'in', OPEN_STAGES),
                ], limit=1)
        if existing:
            introduction, = existing
            return [text_message(gettext(
                        'sakai_jobs.msg_line_interest_already',
                        job=order.title,
                        stage=stage_text(introduction))),
                introductions_carousel([introduction])]
        try:
            with Transaction().set_context(introduction_by_line=True):
                introduction = Introduction.propose(
                    client, order, origin='line')
        except IntroductionError:
            return [self._counseling_first()]
        return [text_message(gettext('sakai_jobs.msg_line_interest_sent',
                    job=order.title)),
            introductions_carousel([introduction])]

    # Answers on an introduction card

    def _postback_introduction(self, user, value, line_params):
        params = dict(parse_qsl(INTRO + value))
        action = params.get('a')
        method = getattr(self, '_introduction_%s' % action, None) if (
            action in {'apply', 'more', 'decline'}) else None
        introduction = self._own_introduction(
            user, postback_id(params.get('intro')))
        if introduction is None or method is None:
            return [text_message(
                    gettext('sakai_jobs.msg_line_intro_unknown'))]
        job = introduction.job_order
        if introduction.state not in OPEN_STAGES:
            return [text_message(gettext('sakai_jobs.msg_line_intro_ended',
                        job=job.title))]
        if job.state != 'open':
            return [text_message(gettext(
                        'sakai_jobs.msg_line_introduction_closed',
                        job=job.title, employer=job.employer.rec_name))]
        with Transaction().set_context(introduction_by_line=True):
            return method(introduction, params)

    def _introduction_apply(self, introduction, params):
        Introduction = Pool().get('job.introduction')
        job = introduction.job_order.title
        if introduction.state not in APPLY_STAGES:
            return [text_message(gettext(
                        'sakai_jobs.msg_line_intro_apply_under_way',
                        job=job, stage=stage_text(introduction)))]
        if introduction.waiting == 'line_apply':
            return [text_message(gettext(
                        'sakai_jobs.msg_line_intro_apply_already', job=job))]
        # Interested, not applied: the coordinator sends the application
        # after checking the person's consent to sharing with the employer
        if introduction.state == 'proposed':
            Introduction.move([introduction], 'interested')
        introduction.wait_for_coordinator('line_apply')
        return [text_message(gettext('sakai_jobs.msg_line_intro_applied',
                    job=job))]

    def _introduction_more(self, introduction, params):
        job = introduction.job_order.title
        if introduction.waiting == 'line_more':
            return [text_message(gettext(
                        'sakai_jobs.msg_line_intro_more_already', job=job))]
        introduction.wait_for_coordinator('line_more')
        return [text_message(gettext('sakai_jobs.msg_line_intro_more_sent',
                    job=job))]

    def _introduction_decline(self, introduction, params):
        Introduction = Pool().get('job.introduction')
        job = introduction.job_order.title
        reasons = dict(DECLINE_REASONS)
        key = params.get('r')
        if key == 'keep':
            return [text_message(gettext(
                        'sakai_jobs.msg_line_intro_decline_kept', job=job))]
        if key != NO_REASON and key not in reasons:
            # Ask why, as a choice: the person may pass without a reason
            return [text_message(
                    gettext('sakai_jobs.msg_line_intro_decline_ask', job=job),
                    [quick_postback(gettext(m),
                            intro_postback(introduction, 'decline', k))
                        for k, m in DECLINE_REASONS]
                    + [quick_postback(
                            gettext('sakai_jobs.msg_line_decline_none'),
                            intro_postback(
                                introduction, 'decline', NO_REASON)),
                        quick_postback(
                            gettext('sakai_jobs.msg_line_decline_keep'),
                            intro_postback(introduction, 'decline', 'keep')),
                        ])]
        reason = gettext(reasons[key]) if key in reasons else None
        note = gettext('sakai_jobs.msg_line_intro_declined_note',
            reason=reason or gettext('sakai_jobs.msg_line_decline_none'))
        Introduction.end_with([introduction], 'declined', note)
        introduction.wait_for_coordinator('line_decline', reason)
        return [text_message(gettext('sakai_jobs.msg_line_intro_declined',
                    job=job))]

    # My page

    def _mypage_cards(self, user, lines, items):
        "My page: the jobs introduced to the person, to answer"
        cards = super()._mypage_cards(user, lines, items)
        introductions = self._open_introductions(user)
        if introductions:
            lines.append(gettext('sakai_jobs.msg_line_mypage_introductions',
                    count=len(introductions)))
            cards.append(introductions_carousel(introductions))
        return cards

    # Helpers

    def _open_introductions(self, user):
        "The person's open introductions, the latest first"
        Introduction = Pool().get('job.introduction')
        client = user.client()
        if not client:
            return []
        return Introduction.search([
                ('client', '=', client.id),
                ('state', 'in', OPEN_STAGES),
                ], order=[('proposed_on', 'DESC'), ('id', 'DESC')],
            limit=MAX_BUBBLES)

    def _own_introduction(self, user, introduction_id):
        "The person's introduction of the id, or None"
        Introduction = Pool().get('job.introduction')
        client = user.client()
        if not client or not introduction_id:
            return None
        introductions = Introduction.search([
                ('id', '=', introduction_id),
                ('client', '=', client.id),
                ])
        return introductions[0] if introductions else None


class Introduction(metaclass=PoolMeta):
    __name__ = 'job.introduction'

    @classmethod
    def create(cls, vlist):
        introductions = super().create(vlist)
        if not Transaction().context.get('introduction_silent'):
            cls.send_on_line(
                [i for i in introductions if i.origin == 'staff'])
        return introductions

    @classmethod
    def send_on_line(cls, introductions):
        """Push each introduction's card to the person's LINE, unless they
        have no LINE or blocked it"""
        Message = Pool().get('line.message')
        # The service sends it, whoever proposed the job
        with Transaction().set_context(language=citizen_language()), \
                without_check_access():
            for introduction in introductions:
                line_user = introduction.client.line_user
                if not line_user or line_user.state != 'following':
                    continue
                Message.compose([line_user], [
                        text_message(gettext(
                                'sakai_jobs.msg_line_intro_pushed',
                                job=introduction.job_order.title)),
                        introductions_carousel([introduction]),
                        ],
                    description=gettext(
                        'sakai_jobs.msg_line_intro_push_description'))


def selection_labels():
    JobOrder = Pool().get('job.order')
    selections = JobOrder.fields_get(['employment_type', 'wage_type'])
    return (dict(selections['employment_type']['selection']),
        dict(selections['wage_type']['selection']))


def job_details(order, types, wage_types):
    "The lines that describe a job order on a card"
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
    return [{'type': 'text', 'text': d, 'size': 'sm', 'wrap': True,
            'color': '#555555'} for d in details if d]


def job_bubble(order, types, wage_types, interest=False, introduced=False):
    """A Flex bubble of a job order; types, wage_types: selection labels.
    interest: the person may be introduced, so they may show interest;
    introduced: the job is already introduced to them."""
    contents = [{'type': 'text', 'text': order.title, 'weight': 'bold',
            'wrap': True, 'color': '#1f8f5f'}]
    contents += job_details(order, types, wage_types)
    if introduced:
        footer = [{'type': 'text', 'size': 'sm', 'align': 'center',
                'color': '#1f8f5f', 'wrap': True,
                'text': gettext('sakai_jobs.msg_line_job_introduced')}]
    elif interest:
        footer = [postback_button(gettext('sakai_jobs.msg_line_interest'),
                job_postback(order, 'interest'))]
    else:
        footer = [postback_button(gettext('sakai_jobs.msg_line_consult'),
                'menu=booking')]
    return {'type': 'bubble', 'size': 'kilo',
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': contents},
        'footer': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': footer}}


def stage_text(introduction):
    "Where the introduction stands, in plain words for the person"
    if introduction.state == 'interview' and introduction.interview_at:
        when = to_local(introduction.interview_at)
        return gettext('sakai_jobs.msg_line_stage_interview_at',
            when='%d/%d %d:%02d' % (
                when.month, when.day, when.hour, when.minute))
    state = introduction.state
    if state == 'proposed' and introduction.origin == 'line':
        # She asked for it herself
        state = 'interested'
    return gettext('sakai_jobs.msg_line_stage_%s' % state)


def introduction_bubble(introduction, types, wage_types):
    "A Flex bubble of an introduction with the answers it still takes"
    order = introduction.job_order
    contents = [
        {'type': 'text', 'text': order.title, 'weight': 'bold',
            'wrap': True, 'color': '#1f8f5f'},
        {'type': 'text', 'text': order.employer.rec_name, 'size': 'sm',
            'wrap': True, 'color': '#333333'},
        ] + job_details(order, types, wage_types)
    buttons = []
    if introduction.state in APPLY_STAGES:
        buttons.append(postback_button(
                gettext('sakai_jobs.msg_line_intro_apply'),
                intro_postback(introduction, 'apply')))
    buttons.append(postback_button(
            gettext('sakai_jobs.msg_line_intro_more'),
            intro_postback(introduction, 'more'), color='#1f8f5f'))
    decline = postback_button(gettext('sakai_jobs.msg_line_intro_decline'),
        intro_postback(introduction, 'decline'))
    decline['style'] = 'secondary'
    del decline['color']
    buttons.append(decline)
    return {'type': 'bubble', 'size': 'kilo',
        'header': {'type': 'box', 'layout': 'vertical',
            'backgroundColor': '#e8f6ee', 'contents': [
                {'type': 'text', 'size': 'xs', 'color': '#1f8f5f',
                    'text': gettext('sakai_jobs.msg_line_introduced_label')},
                {'type': 'text', 'size': 'sm', 'weight': 'bold',
                    'wrap': True, 'text': stage_text(introduction)}]},
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': contents},
        'footer': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': buttons}}


def introductions_carousel(introductions):
    "A Flex carousel of the person's introductions"
    types, wage_types = selection_labels()
    return carousel(gettext('sakai_jobs.msg_line_introductions'),
        [introduction_bubble(i, types, wage_types)
            for i in introductions[:MAX_BUBBLES]])
