# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Seminars and their sessions, on days the programme is open: the past
ones held, the coming ones planned"""
import datetime as dt

import jpholiday

from .tools import JST, states

# (name, kind, theme, target, description, capacity, childcare, method,
#  venue, speaker, [day offsets], (JST start hour, minute), minutes, weekday)
SEMINARS = [
    ('ひとり親になって間もない方のための自立支援セミナー', 'self_reliance',
        '手当・制度の活用と、これからの働き方',
        'ひとり親になって3年未満の方',
        '児童扶養手当などの制度と、子育てしながら働くための準備を'
        '分かりやすく説明します。お子さん連れでも参加できます。',
        20, True, 'face_to_face',
        '堺市総合福祉会館（デモ） 5階 研修室', '社会福祉士 宮本 香織',
        [-75, -20, 24], (10, 0), 120, 5),
    ('転職で収入アップを目指す方のためのセミナー', 'self_reliance',
        'キャリアの棚卸しと応募書類の作り方',
        '働きながら転職・収入アップを考えている方',
        'これまでの経験を整理し、正社員を目指すための履歴書・職務経歴書の'
        '書き方を学びます。託児があります。',
        20, True, 'face_to_face',
        'サンプルビル4階 セミナールーム（デモ）',
        'キャリアコンサルタント 大西 隆',
        [-45, 10], (10, 0), 120, 5),
    ('仕事と子育ての両立 交流会', 'exchange',
        '働くひとり親どうしで話そう', 'ひとり親の方（就業中・求職中とも）',
        '仕事と子育ての両立について、同じ立場の方と気軽に話せる交流会です。',
        10, False, 'face_to_face',
        'サンプルビル4階 セミナールーム（デモ）',
        'ファシリテーター 北村 陽子',
        [-30, 17], (13, 30), 90, 5),
    ('はじめてのパソコン・Excel講座', 'skill_up',
        '事務職に必要な基本操作', 'パソコンに不慣れな方',
        '文字入力から表計算の基本まで、少人数でじっくり練習します。',
        5, False, 'face_to_face',
        'サンプルビル4階 パソコン教室（デモ）', 'パソコン講師 川口 亮',
        [-14, 3, 31], (10, 0), 150, 1),
    ('簿記3級入門', 'skill_up',
        '経理事務をめざす第一歩', '経理・事務職に関心のある方',
        '仕訳の考え方から簿記3級の出題範囲を3回で学びます。'
        '子どもが寝たあとの夜の時間にオンラインで受講できます。',
        5, False, 'online',
        'オンライン（Zoom）', '簿記講師 今井 里香',
        [-7, 7, 14], (20, 0), 90, 2),
    ]


def session_times(today, offset, weekday, start_time, minutes,
        closed=lambda start, end: False):
    """Return the naive UTC start and end of a session held offset days
    from today, moved away from today to the given weekday, and on by a
    week while closed(start, end) says the service is closed then (e.g.
    the year-end holidays) or the day is a national holiday"""
    day = today + dt.timedelta(days=offset)
    step = 1 if offset >= 0 else -1
    while day.weekday() != weekday:
        day += dt.timedelta(days=step)
    while True:
        start = dt.datetime.combine(day, dt.time(*start_time)) - JST
        end = start + dt.timedelta(minutes=minutes)
        if not (jpholiday.is_holiday(day) or closed(start, end)):
            return start, end, day
        day += dt.timedelta(weeks=step)


def closed_for_seminars(pool):
    """Whether the programme is closed during [start, end) (naive UTC):
    one of its closures, of all counseling or of the office, covers it"""
    Closure = pool.get('counseling.closure')

    def closed(start, end):
        return bool(Closure.covering(start, end))
    return closed


def load(context):
    today = context.today
    Session = context.pool.get('seminar.session')
    closed = closed_for_seminars(context.pool)
    to_do = []
    for (name, kind, theme, target, description, capacity, childcare,
            method, venue, speaker, offsets, start_time, minutes,
            weekday) in SEMINARS:
        seminar, created = context.get_or_create('seminar.seminar',
            [('name', '=', name)], {
                'name': name,
                'kind': kind,
                'theme': theme,
                'target': target,
                'description': description,
                'capacity': capacity,
                }, 'seminar')
        if not created and seminar.sessions:
            # Session dates follow today: a seminar loaded on an
            # earlier day keeps the sessions it got then.
            continue
        for offset in offsets:
            start, end, day = session_times(
                today, offset, weekday, start_time, minutes, closed)
            session, session_created = context.get_or_create(
                'seminar.session', [
                    ('seminar', '=', seminar.id),
                    ('start', '=', start),
                    ], {
                    'seminar': seminar.id,
                    'start': start,
                    'end': end,
                    'method': method,
                    'venue': venue,
                    'speaker': speaker,
                    'capacity': capacity,
                    'childcare': childcare,
                    }, 'session')
            if session_created and day < today:
                to_do.append(session)
    if to_do:
        Session.do(to_do)


def summary(context):
    pool = context.pool
    return [
        ('seminars', pool.get('seminar.seminar').search_count([])),
        ('sessions', states(pool.get('seminar.session'))),
        ]
