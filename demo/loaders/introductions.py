# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job introductions at every stage and two placements, so that a newcomer
sees the coordinators' pipeline at once.

The people introduced consent to sharing with employers, and a completed
counseling record marks their direction clear (one is written for those
the counseling loader did not).  Every stage is reached through the
model's own moves; the dates are then set back to the days they happened,
relative to today.
"""
import datetime as dt
from decimal import Decimal

from trytond.transaction import Transaction

from .tools import JST

# The date each stage is reached on
STAGE_DATES = {
    'interested': 'interested_on',
    'applied': 'applied_on',
    'offer': 'offer_on',
    }

# The job orders introduced, by title, in order of preference: open ones,
# still valid in a month, are taken in this order (the job placed has one
# position)
PLACED_JOBS = ['一般事務（配車受付）', '経理事務', '保育士',
    '経理事務（会計事務所）', '店舗事務']
OTHER_JOBS = ['介護職員（日勤のみ）', '販売スタッフ（レジ・品出し）',
    '医療事務', '製造ライン作業（検品）', '保育補助', '訪問介護スタッフ（短時間）',
    '販売スタッフ（正社員登用あり）', '倉庫内軽作業', '看護助手',
    '一般事務（パート）', '品質管理事務']

# How many people are introduced (or placed elsewhere); the one at index 1
# is told on LINE of nothing (the job introduced to them is filled), the
# one at ELSEWHERE_PERSON found a job elsewhere
PEOPLE = 10
NOT_ON_LINE = {1, 9}
ELSEWHERE_PERSON = 9
# The introductions: (person, job, origin, proposed days ago, stages,
# waiting, end) where person is an index in the people, job is ('placed',
# 0), ('other', i) or ('hello_work', i), stages are (stage, days ago, on
# LINE) after the proposal, waiting is what waits for the coordinator
# (waiting, reason given on LINE, days ago) and end is (reason, days ago,
# note)
INTRODUCTIONS = [
    # Placed through the introduction: see PLACEMENT
    (0, ('placed', 0), 'staff', 40, [
            ('interested', 38, True), ('applied', 33, False),
            ('interview', 26, False), ('offer', 20, False)],
        None, None),
    # On the same job: ended when the placement filled it
    (1, ('placed', 0), 'staff', 30, [('interested', 29, False)],
        None, None),
    # An offer waiting for the person's decision
    (2, ('other', 0), 'staff', 25, [
            ('interested', 24, True), ('applied', 20, False),
            ('interview', 14, False), ('offer', 3, False)],
        None, None),
    # An interview this week
    (3, ('other', 1), 'staff', 16, [
            ('interested', 15, True), ('applied', 9, False),
            ('interview', 6, False)],
        None, None),
    (4, ('other', 2), 'staff', 12, [
            ('interested', 11, False), ('applied', 5, False)],
        None, None),
    # Answers on LINE waiting for the coordinator
    (5, ('other', 3), 'staff', 4, [('interested', 1, True)],
        ('line_apply', None, 1), None),
    (6, ('hello_work', 0), 'staff', 3, [],
        ('line_more', "子どもの送り迎えがあるので、勤務時間を相談できるか"
            "知りたいです。", 0), None),
    (7, ('other', 4), 'staff', 2, [], None, None),
    (8, ('other', 0), 'line', 0, [], None, None),
    # Ended: declined by the person on LINE, rejected by the employer
    (4, ('other', 5), 'staff', 45, [('interested', 43, True)],
        ('line_decline', "通勤に1時間以上かかるため、見送ります。", 40),
        ('declined', 40, "通勤時間が長いため、本人が見送り。近い職場を"
            "引き続き紹介する。")),
    (3, ('other', 6), 'staff', 50, [
            ('interested', 48, False), ('applied', 45, False),
            ('interview', 40, False)],
        None,
        ('rejected', 35, "経験者を優先したいとのこと。面接の振り返りを"
            "行い、次の応募に活かす。")),
    ]
# The application support given: (introduction index, kind, method, days
# ago, note)
SUPPORTS = [
    (0, 'cv_review', 'in_person', 35,
        "履歴書の志望動機を一緒に見直した。ブランクの期間は子育てと"
        "書けばよいと伝えた。"),
    (0, 'interview_practice', 'online', 28,
        "模擬面接。急な休みへの対応を聞かれたときの答え方を練習。"),
    (2, 'work_history_review', 'in_person', 22,
        "職務経歴書に前職の事務経験を具体的に書き足した。"),
    (2, 'company_visit', 'in_person', 14, "面接に同行し、職場を見学した。"),
    (3, 'interview_practice', 'phone', 7,
        "電話で面接の練習。勤務時間の希望を伝える言い方を確認。"),
    (4, 'cv_review', 'line', 6, "LINEで送られた履歴書の下書きに助言した。"),
    ]
# The placement through introduction 0: (days ago decided, start in days
# from today)
PLACEMENT = (18, -3)
# The job a person found elsewhere with the service's support
ELSEWHERE = {
    'employer_name': '有限会社みどり青果（デモ）',
    'employer_industry': 'retail',
    'job_title': '青果の販売・品出し',
    'employment_type': 'part_time',
    'permanent': False,
    'wage_type': 'hourly',
    'wage': 1120,
    'hours': '9:30〜14:30（週4日）',
    'weekly_hours': Decimal(20),
    'note': "ハローワークの求人に自分で応募。応募書類の添削を支援した。",
    }
# Days ago decided, start in days from today
ELSEWHERE_DATES = (25, -14)
# Written for the people introduced whose direction no record marks clear
RECORD = {
    'concerns': "子育てと両立できる仕事に就きたいが、何から始めればよいか"
    "わからない。",
    'notes': "これまでの経験（販売・事務）を振り返り、強みを整理した。"
    "勤務時間は9時〜16時を希望。",
    'next_action': "求人の紹介を受ける（職業紹介）",
    }


def at(date, hour=10):
    """The naive UTC time of hour, Japan time, on date (now at the latest:
    nothing happened in the future)"""
    # imported late: the backend follows the configuration read first
    from sakai_programme.programme import utcnow
    return min(dt.datetime.combine(date, dt.time(hour)) - JST, utcnow())


def people(context):
    """The clients who may be introduced: consenting to sharing with
    employers, a record marking their direction clear (written when
    missing); those whose introductions show answers on LINE have LINE,
    the one told that a job was filled has not, when the demo has them"""
    pool = context.pool
    Party = pool.get('party.party')
    Record = pool.get('counseling.record')
    consenting = [c for c in Party.search([('is_client', '=', True)],
            order=[('id', 'ASC')])
        if c.consents_to('employer_sharing')]
    with_line = [c for c in consenting if c.line_user]
    without_line = [c for c in consenting if not c.line_user]
    clients = []
    for i in range(PEOPLE):
        first, second = ((without_line, with_line) if i in NOT_ON_LINE
            else (with_line, without_line))
        if not (first or second):
            break
        clients.append((first or second).pop(0))
    for i, client in enumerate(clients):
        if Record.direction_clear_for(client=client):
            continue
        counselor = client.counselor or context.staff['counselor1']
        start = at(context.today - dt.timedelta(days=70 - i), 14)
        record = Record(client=client, counselor=counselor,
            kind='career', method='face_to_face', start=start,
            end=start + dt.timedelta(hours=1), direction_clear=True,
            steps=Record.default_steps(), **RECORD)
        for step in record.steps:
            step.covered = True
        record.save()
        Record.complete([record])
        context.count('counseling record')
    return clients


def job_orders(context):
    """The job placed, the other jobs introduced and the Hello Work jobs
    (open, and valid for a month at least)"""
    JobOrder = context.pool.get('job.order')
    soon = context.today + dt.timedelta(days=30)

    def valid(domain, titles=None):
        orders = JobOrder.search([
                ('state', '=', 'open'),
                ['OR', ('valid_until', '=', None),
                    ('valid_until', '>=', soon)],
                ] + domain, order=[('id', 'ASC')])
        if titles:
            orders = [o for o in orders if o.title in titles]
            orders.sort(key=lambda o: titles.index(o.title))
        return orders
    placed = [o for o in valid([('source', '=', 'developed')], PLACED_JOBS)
        if o.positions == 1]
    others = valid([('source', '=', 'developed')], OTHER_JOBS)
    hello_work = valid([('source', '=', 'hello_work')])
    return placed[:1], others, hello_work


def load(context):
    pool = context.pool
    Introduction = pool.get('job.introduction')
    Stage = pool.get('job.introduction.stage')
    Support = pool.get('job.application.support')
    Placement = pool.get('job.placement')
    Party = pool.get('party.party')
    today = context.today
    if Introduction.search([], limit=1):
        return
    clients = people(context)
    placed, others, hello_work = job_orders(context)
    jobs = {'placed': placed, 'other': others, 'hello_work': hello_work}
    needed = {}
    for _, (kind, i), *_ in INTRODUCTIONS:
        needed[kind] = max(needed.get(kind, 0), i + 1)
    if len(clients) < PEOPLE or any(
            len(jobs[k]) < n for k, n in needed.items()):
        return
    coordinator = context.staff['coordinator1']

    def day(days):
        return today - dt.timedelta(days=days)

    introductions = []
    for (person, (kind, i), origin, proposed, stages, waiting,
            end) in INTRODUCTIONS:
        order = jobs[kind][i]
        # Past introductions: not pushed to the person's LINE now
        with Transaction().set_context(introduction_silent=True):
            introduction = Introduction.propose(clients[person], order,
                origin=origin, coordinator=coordinator.id)
        context.count('job introduction')
        values = {'proposed_on': day(proposed),
            'proposed_by': coordinator.id}
        times = [at(day(proposed), 10)]
        for stage, days, by_line in stages:
            with Transaction().set_context(introduction_by_line=by_line):
                Introduction.move([introduction], stage)
            if stage == 'interview':
                # The last stage of an open one: the interview is this week
                upcoming = stage == stages[-1][0] and not end
                values['interview_at'] = (
                    dt.datetime.combine(today + dt.timedelta(days=2),
                        dt.time(14)) - JST if upcoming
                    else at(day(days - 3), 14))
                values['interview_place'] = order.employer.rec_name
            if stage == 'offer':
                values['decision_due'] = day(days - 7)
            if stage in STAGE_DATES:
                values[STAGE_DATES[stage]] = day(days)
            times.append(at(day(days), 11 if by_line else 15))
        if waiting:
            what, reason, days = waiting
            introduction.wait_for_coordinator(what, reason)
            if days and not end:
                values['waiting_since'] = at(day(days), 20)
        if end:
            reason, days, note = end
            Introduction.end_with([introduction], reason, note)
            values['ended_on'] = day(days)
            times.append(at(day(days), 16))
        Introduction.write([introduction], values)
        set_times(Stage, introduction, times, coordinator)
        introductions.append(introduction)

    Support.create([{
                'client': introductions[i].client.id,
                'introduction': introductions[i].id,
                'kind': kind, 'method': method, 'date': day(days),
                'staff': coordinator.id, 'note': note,
                } for i, kind, method, days, note in SUPPORTS])
    context.count('application support', len(SUPPORTS))

    # The placement through the first introduction fills its job order
    # (one position) and ends the other introduction to it
    introduction, filled = introductions[:2]
    order, = placed
    decided, start = PLACEMENT
    Placement.create([{
                'client': introduction.client.id,
                'origin': 'introduction',
                'introduction': introduction.id,
                'job_order': order.id,
                'employer': order.employer.id,
                'job_title': order.title,
                'decided_on': day(decided),
                'start_date': today + dt.timedelta(days=start),
                'employment_type': order.employment_type,
                'permanent': True,
                'wage_type': order.wage_type,
                'wage': order.wage_min,
                'hours': order.hours,
                'weekly_hours': Decimal('37.5'),
                'coordinator': coordinator.id,
                }])
    context.count('placement')
    Introduction.write([introduction], {'placed_on': day(decided)})
    Introduction.write([filled], {
            'ended_on': day(decided), 'waiting_since': at(day(decided), 16)})
    for record in [introduction, filled]:
        row = Stage.search([('introduction', '=', record.id)],
            order=[('id', 'DESC')], limit=1)
        Stage.write(row, {'at': at(day(decided), 16),
                'user': coordinator.id})

    # A job a person found elsewhere, with the service's support
    decided, start = ELSEWHERE_DATES
    Placement.create([dict(ELSEWHERE,
                client=clients[ELSEWHERE_PERSON].id,
                origin='elsewhere',
                decided_on=day(decided),
                start_date=today + dt.timedelta(days=start),
                coordinator=context.staff['coordinator2'].id)])
    context.count('placement')

    # Job seekers since their first proposal
    first = {}
    for introduction in introductions:
        client = introduction.client
        first[client] = min(first.get(client, today),
            introduction.proposed_on)
    for client, date in first.items():
        Party.write([client], {'job_seeker_since': date})


def set_times(Stage, introduction, times, coordinator):
    "Date the stage history of introduction as it happened, by coordinator"
    rows = Stage.search([('introduction', '=', introduction.id)],
        order=[('id', 'ASC')])
    for row, time in zip(rows, times):
        Stage.write([row], {'at': time, 'user': coordinator.id})


def summary(context):
    pool = context.pool
    Introduction = pool.get('job.introduction')
    return [
        ('job introductions', '%d (%s)' % (Introduction.search_count([]),
                ', '.join('%s %d' % (s, n) for s, n in (
                        (state, Introduction.search_count(
                                [('state', '=', state)]))
                        for state, _ in Introduction.state.selection)
                    if n))),
        ('placements', pool.get('job.placement').search_count([])),
        ]
