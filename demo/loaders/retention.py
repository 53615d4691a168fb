# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Follow-ups after placement, so that a newcomer sees retention at work.

The placements of the introductions loader plan their follow-ups when they
are created; this loader records what happened since: the first days
followed up, a check-in answered on LINE, one unanswered and due for a
call (overdue).  Two earlier placements show the six months: one retained
(its six-month check-in answered 順調), one that ended after three months
with a job change under way.  Employer feedback is given for the placement
at a developed employer, with the person's consent.
"""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.transaction import Transaction

from .tools import JST

# Earlier placements of people placed elsewhere: (months ago started,
# employer name, job title, months worked or None)
EARLIER = [
    (7, '株式会社なかもず物流（デモ）', '物流センター事務', None),
    (5, '堺みなと食品株式会社（デモ）', '食品製造ライン', 3),
    ]
RECORD = {
    'how_doing': "初日は緊張したが、職場の人が親切で安心した。",
    'workplace': "事務所は落ち着いた雰囲気。休憩室あり。",
    'wellbeing': "睡眠は取れている。",
    'childcare': "朝は実家の母が保育園に送ってくれる。",
    'next_step': "1週間後にLINEで様子を確認する。",
    }


def at(date, hour=12, minute=30):
    "The naive UTC time of hour, Japan time, on date"
    return dt.datetime.combine(date, dt.time(hour, minute)) - JST


def system():
    "Write what the check-in itself records (when sent and answered)"
    return Transaction().set_context(_follow_up_transition=True)


def load(context):
    pool = context.pool
    FollowUp = pool.get('job.follow_up')
    Placement = pool.get('job.placement')
    JobChange = pool.get('job.change')
    if FollowUp.search([('state', '!=', 'planned')], limit=1):
        return
    today = context.today
    coordinator = context.staff.get('coordinator1')

    # The placements of the introductions loader: the first days
    for placement in Placement.search([], order=[('start_date', 'DESC')]):
        first, week = placement.follow_ups[:2]
        if placement.origin == 'introduction':
            # Started three days ago: the first day recorded by phone
            FollowUp.write([first], dict(RECORD,
                    contacted_on=first.due_date, contact_method='phone'))
            FollowUp.record([first])
        else:
            # Two weeks in: 順調 on the first day, no answer after a week
            with system():
                FollowUp.write([first], {'check_in_sent_at': at(
                            first.due_date)})
                FollowUp.write([week], {'check_in_sent_at': at(
                            week.due_date)})
            first.take_answer('fine')
            with system():
                FollowUp.write([first], {'answered_at': at(
                            first.due_date, 12, 41)})
            FollowUp.move([week], 'call_due')
        context.count('follow-up', 2)

    clients = [c for c in pool.get('party.party').search([
                ('is_client', '=', True), ('line_user', '!=', None)],
            order=[('id', 'DESC')]) if not c.placements][:len(EARLIER)]
    for client, (months, employer, title, worked) in zip(clients, EARLIER):
        start = today - relativedelta(months=months)
        placement, = Placement.create([{
                    'client': client.id, 'origin': 'elsewhere',
                    'employer_name': employer, 'job_title': title,
                    'decided_on': start - dt.timedelta(days=14),
                    'start_date': start, 'employment_type': 'full_time',
                    'wage_type': 'monthly', 'wage': 190000,
                    'coordinator': coordinator.id if coordinator else None,
                    }])
        context.count('placement')
        for follow_up in placement.follow_ups:
            if follow_up.due_date > today:
                continue
            if worked and follow_up.milestone.offset_months == worked:
                # She left: her coordinator heard it on the phone
                FollowUp.write([follow_up], {
                        'contacted_on': follow_up.due_date,
                        'contact_method': 'phone',
                        'how_doing': "シフトが夜勤中心に変わり、続けられない。",
                        'childcare': "夜に子どもを預けられる先がない。",
                        'next_step': "日勤のみの事務職を一緒に探す。",
                        'left_on': follow_up.due_date - dt.timedelta(days=3),
                        'left_reason': 'resigned',
                        'wants_change': True,
                        })
                FollowUp.record([follow_up])
                context.count('follow-up')
                break
            with system():
                FollowUp.write([follow_up], {
                        'check_in_sent_at': at(follow_up.due_date)})
            follow_up.take_answer('fine')
            with system():
                FollowUp.write([follow_up], {
                        'answered_at': at(follow_up.due_date, 12, 50)})
            context.count('follow-up')
    context.count('job change', JobChange.search_count([]))

    # Feedback to a developed employer, with the person's consent
    Feedback = pool.get('job.employer.feedback')
    Consent = pool.get('party.consent')
    Purpose = pool.get('party.consent.purpose')
    purpose = Purpose.get('employer_feedback')
    for placement in Placement.search([
                ('origin', '=', 'introduction'),
                ('employer.developed_on', '!=', None)], limit=1):
        if not placement.client.consents_to('employer_feedback'):
            Consent.create([{'party': placement.client.id,
                        'purpose': purpose.id, 'channel': 'paper',
                        'note': "就職決定時に説明し、同意を得た。"}])
        Feedback.create([{
                    'placement': placement.id,
                    'given_on': today - dt.timedelta(days=1),
                    'method': 'phone',
                    'content': "初日は順調。朝の引継ぎを丁寧にしていただき"
                    "安心したと本人が話していた。",
                    'told_to_person': "初日の様子を事業所に伝えること、"
                    "体調や家庭の事情は伝えないことを説明した。",
                    }])
        context.count('employer feedback')


def summary(context):
    pool = context.pool
    FollowUp = pool.get('job.follow_up')
    return [
        ('follow-ups', '%d (%s)' % (FollowUp.search_count([]),
                ', '.join('%s %d' % (s, n) for s, n in (
                        (state, FollowUp.search_count(
                                [('state', '=', state)]))
                        for state, _ in FollowUp.state.selection)
                    if n))),
        ('job changes', pool.get('job.change').search_count([])),
        ]
