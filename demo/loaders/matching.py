# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job matching: wishes for the clients on LINE, most of them opted in to
recommendations (consent to matching in the ledger), three mornings of
recommendations with their answers (「興味あり」, 「見送る」 with a reason),
and the list of people whose wishes no open job meets.

The past mornings are recorded without pushing anything to LINE; daily
sending stays off until a coordinator has seen its cost (求人 › 求人マッチング).
"""
import datetime as dt
import json

from trytond.transaction import Transaction

# (wishes) for the clients on LINE, in id order; None: no wishes yet
WISHES = [
    {'wish_employment': 'full_time_preferred', 'wish_end_by': dt.time(17),
        'wish_weekdays_only': True, 'home_area': 'sakai', 'wish_commute': 40,
        'experience_industry': 'office', 'qualifications': "日商簿記3級（2019年取得）"},
    {'wish_employment': 'any', 'wish_end_by': dt.time(16),
        'wish_short_hours': True, 'home_area': 'kita', 'wish_commute': 30,
        'experience_industry': 'care',
        'qualifications': "介護職員初任者研修（2021年修了）"},
    {'wish_employment': 'full_time', 'wish_wage': 200000,
        'home_area': 'naka', 'wish_commute': 60,
        'experience_industry': 'retail'},
    {'wish_employment': 'part_time', 'wish_start_from': dt.time(9, 30),
        'wish_end_by': dt.time(15), 'wish_weekdays_only': True,
        'home_area': 'nishi', 'wish_commute': 30},
    {'wish_employment': 'full_time_preferred', 'wish_no_overtime': True,
        'home_area': 'higashi', 'wish_commute': 45,
        'experience_industry': 'manufacturing'},
    # Wishes no open job meets: finished by 13:00 with full-time only
    {'wish_employment': 'full_time', 'wish_end_by': dt.time(13),
        'home_area': 'mihara', 'wish_commute': 20},
    None,
    {'wish_employment': 'any', 'wish_end_by': dt.time(18),
        'home_area': 'minami', 'wish_commute': 40, 'wish_remote': True},
    ]
# Those who opted in (index in WISHES) and how often
OPTED_IN = {0: 'daily', 1: 'daily', 2: 'weekly', 3: 'daily', 4: 'daily',
    5: 'daily', 6: 'daily'}
# Answers to the past mornings: (person, morning, feedback, reason)
ANSWERS = [
    (0, 0, 'interest', None), (1, 0, 'declined', 'hours'),
    (3, 1, 'declined', 'commute'), (4, 1, 'interest', None),
    (0, 2, 'declined', 'work'),
    ]


def load(context):
    pool = context.pool
    Party = pool.get('party.party')
    Recommendation = pool.get('job.recommendation')
    Consent = pool.get('party.consent')
    Purpose = pool.get('party.consent.purpose')
    Gap = pool.get('job.matching.gap')
    from sakai_matching import engine
    if Recommendation.search([], limit=1):
        return
    clients = Party.search([
            ('is_client', '=', True),
            ('line_user', '!=', None),
            ], order=[('id', 'ASC')], limit=len(WISHES))
    if len(clients) < len(WISHES):
        return
    purpose = Purpose.get('matching')
    opted = []
    for i, (client, wishes) in enumerate(zip(clients, WISHES)):
        values = dict(wishes or {})
        if i in OPTED_IN:
            values['matching_frequency'] = OPTED_IN[i]
            Consent.create([{'party': client.id, 'purpose': purpose.id,
                        'action': 'given', 'channel': 'line',
                        'note': "LINEで配信を希望"}])
            opted.append(client)
        if values:
            # As if chosen on LINE
            with Transaction().set_context(matching_system=True):
                Party.write([client], values)
    context.count('matching opt-ins', len(opted))
    # Three past mornings, recorded without pushing to LINE
    # Those with wishes: the others are asked for them, not matched
    opted = [c for c in Party.browse([c.id for c in opted])
        if not c.matching_wishes().empty()]
    mornings = []
    for days_ago in [3, 2, 1]:
        date = context.today - dt.timedelta(days=days_ago)
        matches, _ = Recommendation.match(opted, limit=2)
        vlist = [{'client': client.id, 'job_order': order.id,
                'date': date, 'score': round(score, 3),
                'sent_at': dt.datetime.combine(date, dt.time(8, 30))
                - dt.timedelta(hours=9),
                'reasons': json.dumps(reasons, ensure_ascii=False),
                'features': json.dumps(dict(zip(engine.FEATURES,
                            (round(float(x), 3) for x in features))))}
            for client, picks in matches.items()
            for order, score, reasons, features in picks]
        mornings.append(Recommendation.create(vlist))
    context.count('job recommendations', sum(len(m) for m in mornings))
    for person, morning, feedback, reason in ANSWERS:
        found = [r for r in mornings[morning]
            if r.client.id == clients[person].id]
        if not found:
            continue
        Recommendation.give_feedback(found[:1], feedback, reason)
        if reason:
            Recommendation.learn_decline(found[0], reason)
    Gap.find_all()


def summary(context):
    pool = context.pool
    Recommendation = pool.get('job.recommendation')
    Gap = pool.get('job.matching.gap')
    return [
        ('job recommendations', '%d (interest %d, declined %d)' % (
                Recommendation.search_count([]),
                Recommendation.search_count([('feedback', '=', 'interest')]),
                Recommendation.search_count([('feedback', '=', 'declined')]))),
        ('people no open job fits', Gap.search_count([])),
        ]
