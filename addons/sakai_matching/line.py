# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job recommendations on LINE.

A person opts in from the 求人 menu (``match=optin``), choosing daily or
weekly (``match=freq&f=daily|weekly``): that records their consent to the
purpose "matching" in the consent ledger.  ``match=stop`` stops with one
tap and withdraws the consent.  Each morning's carousel has, on each job,
its reasons, 「興味あり」 (``match=like&r=<recommendation id>``, which
proposes an introduction, step 10) and 「見送る」
(``match=pass&r=<id>[&why=<reason>]``, whose reason tightens the next
day's matching).  A person with no wishes is asked three short questions
(``match=wish&q=<question>&v=<answer>``).  Every postback is checked when
it arrives: someone else's or an unknown recommendation, a repeated answer
or a job no longer open is answered politely and changes nothing.
"""
import datetime as dt
import json
import uuid
from urllib.parse import parse_qsl, urlencode

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from sakai_jobs.line import job_details, selection_labels
from sakai_line.builders import (
    carousel, postback_button, quick_postback, text_message)
from sakai_line.event import postback_id
from sakai_programme.programme import citizen_language, utcnow

MATCH = 'match='
REASONS = ['hours', 'commute', 'work', 'conditions', 'other']
# The short questionnaire for a person with no wishes: (question, answers)
WISH_QUESTIONS = [
    ('employment', ['full_time', 'full_time_preferred', 'any', 'part_time']),
    ('end', ['15', '16', '17', '18', 'none']),
    ('days', ['weekdays', 'any']),
    ]
# Messages planned per insert, and delivered per queue task
CHUNK = 1000
QUEUE_CHUNK = 200
# A person with no wishes is asked again at most this often
PROMPT_EVERY = dt.timedelta(days=7)


def match_postback(action, **params):
    return urlencode(dict({'match': action}, **params))


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    @classmethod
    def _postback_routes(cls):
        return super()._postback_routes() + [(MATCH, '_postback_match')]

    def _menu_jobs(self, user):
        messages = super()._menu_jobs(user)
        client = user.client()
        if client and client.matching_frequency not in {'daily', 'weekly'}:
            messages.append(text_message(
                    gettext('sakai_matching.msg_line_optin_offer'),
                    [quick_postback(
                            gettext('sakai_matching.msg_line_optin_button'),
                            match_postback('optin'))]))
        return messages[:5]

    def _postback_match(self, user, value, line_params):
        params = dict(parse_qsl(MATCH + value))
        action = params.get('match')
        client = user.client()
        if client is None:
            return [text_message(
                    gettext('sakai_matching.msg_line_register_first'))]
        method = getattr(self, '_match_%s' % action, None) if action in {
            'optin', 'freq', 'stop', 'like', 'pass', 'wish'} else None
        if method is None:
            return [text_message(gettext('sakai_matching.msg_line_unknown'))]
        return method(user, client, params)

    # Opting in and out

    def _match_optin(self, user, client, params):
        return [text_message(gettext('sakai_matching.msg_line_optin_ask'), [
                    quick_postback(
                        gettext('sakai_matching.msg_line_freq_daily'),
                        match_postback('freq', f='daily')),
                    quick_postback(
                        gettext('sakai_matching.msg_line_freq_weekly'),
                        match_postback('freq', f='weekly')),
                    quick_postback(
                        gettext('sakai_matching.msg_line_not_now'),
                        match_postback('stop')),
                    ])]

    def _match_freq(self, user, client, params):
        pool = Pool()
        Party = pool.get('party.party')
        frequency = params.get('f')
        if frequency not in {'daily', 'weekly'}:
            return self._match_optin(user, client, params)
        if not client.consents_to('matching'):
            record_consent(client, 'given')
        with Transaction().set_context(matching_system=True):
            Party.write([client], {'matching_frequency': frequency})
        messages = [text_message(gettext(
                    'sakai_matching.msg_line_opted_in_%s' % frequency))]
        if client.matching_wishes().empty():
            messages += self._wish_question(0)
        return messages

    def _match_stop(self, user, client, params):
        Party = Pool().get('party.party')
        was = client.matching_frequency in {'daily', 'weekly'}
        if client.consents_to('matching'):
            record_consent(client, 'withdrawn')
        if client.matching_frequency != 'stop':
            with Transaction().set_context(matching_system=True):
                Party.write([client], {'matching_frequency': 'stop'})
        return [text_message(gettext(
                    'sakai_matching.msg_line_stopped' if was
                    else 'sakai_matching.msg_line_not_started'),
                [quick_postback(
                        gettext('sakai_matching.msg_line_optin_button'),
                        match_postback('optin'))])]

    # Answers on a recommendation

    def _own_recommendation(self, client, params):
        Recommendation = Pool().get('job.recommendation')
        recommendation_id = postback_id(params.get('r'))
        if not recommendation_id:
            return None
        found = Recommendation.search([
                ('id', '=', recommendation_id),
                ('client', '=', client.id),
                ])
        return found[0] if found else None

    def _match_like(self, user, client, params):
        Recommendation = Pool().get('job.recommendation')
        recommendation = self._own_recommendation(client, params)
        if recommendation is None:
            return [text_message(gettext('sakai_matching.msg_line_unknown'))]
        job = recommendation.job_order
        if recommendation.feedback in {'declined'}:
            return [text_message(gettext(
                        'sakai_matching.msg_line_already_declined',
                        job=job.title))]
        if job.state != 'open':
            return [text_message(gettext(
                        'sakai_matching.msg_line_job_closed', job=job.title))]
        # Step 10: proposes the job, or says where the introduction stands
        messages = self._job_interest(user, job.id)
        Introduction = Pool().get('job.introduction')
        introductions = Introduction.search([
                ('client', '=', client.id),
                ('job_order', '=', job.id),
                ], order=[('id', 'DESC')], limit=1)
        if recommendation.feedback not in {'interest', 'introduced',
                'placed'}:
            Recommendation.give_feedback([recommendation], 'interest')
        if introductions and not recommendation.introduction:
            Recommendation.write([recommendation],
                {'introduction': introductions[0].id})
        return messages

    def _match_pass(self, user, client, params):
        Recommendation = Pool().get('job.recommendation')
        recommendation = self._own_recommendation(client, params)
        if recommendation is None:
            return [text_message(gettext('sakai_matching.msg_line_unknown'))]
        job = recommendation.job_order
        if recommendation.feedback == 'declined':
            return [text_message(gettext(
                        'sakai_matching.msg_line_already_declined',
                        job=job.title))]
        if recommendation.feedback in {'interest', 'introduced', 'placed'}:
            return [text_message(gettext(
                        'sakai_matching.msg_line_pass_after_interest',
                        job=job.title))]
        reason = params.get('why')
        if reason not in REASONS:
            return [text_message(
                    gettext('sakai_matching.msg_line_pass_ask', job=job.title),
                    [quick_postback(
                            gettext('sakai_matching.msg_line_why_%s' % r),
                            match_postback('pass', r=recommendation.id,
                                why=r))
                        for r in REASONS])]
        Recommendation.give_feedback([recommendation], 'declined', reason)
        Recommendation.learn_decline(recommendation, reason)
        return [text_message(gettext(
                    'sakai_matching.msg_line_passed_%s' % (
                        reason if reason != 'other' else 'other'),
                    job=job.title))]

    # The short questionnaire of wishes

    @classmethod
    def _wish_question(cls, index):
        question, answers = WISH_QUESTIONS[index]
        return [text_message(
                gettext('sakai_matching.msg_line_wish_%s' % question),
                [quick_postback(
                        gettext('sakai_matching.msg_line_wish_%s_%s'
                            % (question, a)),
                        match_postback('wish', q=question, v=a))
                    for a in answers])]

    def _match_wish(self, user, client, params):
        Party = Pool().get('party.party')
        questions = dict(WISH_QUESTIONS)
        question, answer = params.get('q'), params.get('v')
        if answer not in questions.get(question, []):
            return self._wish_question(0)
        if question == 'employment':
            values = {'wish_employment': answer}
        elif question == 'end':
            values = {'wish_end_by': (dt.time(int(answer))
                    if answer != 'none' else None)}
        else:
            values = {'wish_weekdays_only': answer == 'weekdays'}
        Party.write([client], values)
        index = [q for q, _ in WISH_QUESTIONS].index(question) + 1
        if index < len(WISH_QUESTIONS):
            return self._wish_question(index)
        return [text_message(gettext('sakai_matching.msg_line_wish_thanks'))]

    # Sending

    @classmethod
    def push_recommendations(cls, by_client):
        """Queue one push per person: a carousel of their new
        recommendations with the reasons (not to blocked friends);
        by_client: {client: [(recommendation id, job order, reasons)]}"""
        with Transaction().set_context(language=citizen_language()), \
                without_check_access():
            types, wage_types = selection_labels()
            pushes = []
            for client, picks in by_client.items():
                line_user = client.line_user
                if not line_user or line_user.state != 'following':
                    continue
                bubbles = [recommendation_bubble(i, o,
                        [gettext('sakai_matching.msg_reason_%s' % k, **v)
                            for k, v in r], types, wage_types)
                    for i, o, r in picks]
                bubbles.append(settings_bubble(client))
                pushes.append((line_user.id, [
                            text_message(gettext(
                                    'sakai_matching.msg_line_morning',
                                    count=len(picks))),
                            carousel(gettext('sakai_matching.msg_line_alt'),
                                bubbles)]))
            plan_pushes(pushes, gettext(
                    'sakai_matching.msg_line_push_description'))

    @classmethod
    def prompt_wishes(cls, clients, today):
        "A kind prompt to those with no wishes, at most once a week"
        pool = Pool()
        Message = pool.get('line.message')
        Party = pool.get('party.party')
        asked = []
        with Transaction().set_context(language=citizen_language()), \
                without_check_access():
            for client in clients:
                if (client.matching_prompted_on
                        and today - client.matching_prompted_on
                        < PROMPT_EVERY):
                    continue
                line_user = client.line_user
                if not line_user or line_user.state != 'following':
                    continue
                Message.compose([line_user], [
                        text_message(gettext(
                                'sakai_matching.msg_line_no_wishes'))]
                    + cls._wish_question(0),
                    description=gettext(
                        'sakai_matching.msg_line_prompt_description'))
                asked.append(client)
            if asked:
                with Transaction().set_context(matching_system=True):
                    Party.write(asked, {'matching_prompted_on': today})


def record_consent(client, action):
    "A line of the consent ledger for matching, said on LINE"
    pool = Pool()
    Consent = pool.get('party.consent')
    Purpose = pool.get('party.consent.purpose')
    with without_check_access():
        Consent.create([{
                    'party': client.id,
                    'purpose': Purpose.get('matching').id,
                    'action': action,
                    'channel': 'line',
                    'at': utcnow().replace(microsecond=0),
                    }])


def plan_pushes(pushes, description):
    """Queue one push to each [(line user id, LINE messages)] on the
    outbound queue, planned in SQL as a multicast's recipients are: ten
    thousand messages, batches and recipients in a few inserts, delivered
    by the queue (and the scheduler's sweep) with their retry keys"""
    pool = Pool()
    Message = pool.get('line.message')
    Batch = pool.get('line.message.batch')
    Recipient = pool.get('line.message.recipient')
    if not pushes:
        return []
    transaction = Transaction()
    if not transaction.database.has_returning():
        # SQLite (demo and tests): few people, one message at a time
        return [Message.compose([u], m, description=description)
            for u, m in pushes]
    cursor = transaction.connection.cursor()
    message, batch, recipient = (Message.__table__(), Batch.__table__(),
        Recipient.__table__())
    now = utcnow()
    user = transaction.user
    message_ids = []
    for i in range(0, len(pushes), CHUNK):
        chunk = pushes[i:i + CHUNK]
        cursor.execute(*message.insert(
                [message.description, message.content, message.conversation,
                    message.sensitive, message.state, message.create_uid,
                    message.create_date],
                [[description, json.dumps(m, ensure_ascii=False), False,
                        False, 'queued', user, now] for _, m in chunk],
                returning=[message.id]))
        ids = [r[0] for r in cursor]
        cursor.execute(*batch.insert(
                [batch.message, batch.method, batch.retry_key, batch.state,
                    batch.attempts, batch.create_uid, batch.create_date],
                [[m, 'push', str(uuid.uuid4()), 'pending', 0, user, now]
                    for m in ids],
                returning=[batch.id, batch.message]))
        batches = dict((m, b) for b, m in cursor)
        cursor.execute(*recipient.insert(
                [recipient.message, recipient.line_user, recipient.batch,
                    recipient.state, recipient.create_uid,
                    recipient.create_date],
                [[m, u, batches[m], 'pending', user, now]
                    for m, (u, _) in zip(ids, chunk)]))
        message_ids += ids
    messages = Message.browse(message_ids)
    for i in range(0, len(messages), QUEUE_CHUNK):
        Message.__queue__.deliver(messages[i:i + QUEUE_CHUNK])
    return messages


def recommendation_bubble(recommendation_id, card, reason_texts, types,
        wage_types):
    "A Flex bubble of a recommended job order (card: see matching_row)"
    contents = [
        {'type': 'text', 'text': card.title, 'weight': 'bold',
            'wrap': True, 'color': '#1f8f5f'},
        {'type': 'text', 'text': card.employer_name, 'size': 'sm',
            'wrap': True, 'color': '#333333'},
        ] + job_details(card, types, wage_types)
    reasons = [{'type': 'text', 'text': '✓ ' + r, 'size': 'sm',
            'wrap': True, 'color': '#1f8f5f'}
        for r in reason_texts]
    decline = postback_button(gettext('sakai_matching.msg_line_pass'),
        match_postback('pass', r=recommendation_id))
    decline['style'] = 'secondary'
    del decline['color']
    return {'type': 'bubble', 'size': 'kilo',
        'header': {'type': 'box', 'layout': 'vertical',
            'backgroundColor': '#e8f6ee', 'contents': [
                {'type': 'text', 'size': 'xs', 'color': '#1f8f5f',
                    'text': gettext('sakai_matching.msg_line_why')}]
            + reasons},
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': contents},
        'footer': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': [
                postback_button(gettext('sakai_matching.msg_line_like'),
                    match_postback('like', r=recommendation_id)),
                decline]}}


def settings_bubble(client):
    "The last card: how often, and stop with one tap"
    other = 'weekly' if client.matching_frequency == 'daily' else 'daily'
    stop = postback_button(gettext('sakai_matching.msg_line_stop'),
        match_postback('stop'))
    stop['style'] = 'secondary'
    del stop['color']
    return {'type': 'bubble', 'size': 'kilo',
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': [{'type': 'text', 'wrap': True, 'size': 'sm',
                    'text': gettext('sakai_matching.msg_line_settings')}]},
        'footer': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': [
                postback_button(
                    gettext('sakai_matching.msg_line_switch_%s' % other),
                    match_postback('freq', f=other), color='#1f8f5f'),
                stop]}}
