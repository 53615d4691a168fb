# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Counseling: the counselors' slots for two weeks, bookings and the
records of sessions already held"""
import datetime as dt

from trytond.transaction import Transaction

# Counselors' working hours for the demo's slots (Japan time): evenings to
# 01:00 by chat, phone and video; early mornings; daytime at the office
COUNSELING_HOURS = [
    ('counselor1', None, dt.time(18, 0), dt.time(1, 0),
        ['chat', 'phone', 'video']),
    ('counselor2', None, dt.time(6, 0), dt.time(9, 0),
        ['chat', 'phone', 'video']),
    ('counselor2', ['0', '1', '2', '3', '4'], dt.time(10, 0),
        dt.time(16, 0), ['chat', 'phone', 'video', 'face_to_face']),
    ]
# Demo bookings: (days from today, hour, method, state)
DEMO_BOOKINGS = [
    (-2, 19, 'chat', 'done'),
    (-1, 21, 'video', 'done'),
    (-1, 20, 'phone', 'no_show'),
    (1, 20, 'chat', 'booked'),
    (2, 7, 'phone', 'booked'),
    (3, 22, 'video', 'booked'),
    ]


def load(context):
    pool = context.pool
    today = context.today
    Slot = pool.get('counseling.slot')
    Booking = pool.get('counseling.booking')
    Record = pool.get('counseling.record')
    Party = pool.get('party.party')
    Generate = pool.get('counseling.slot.generate', type='wizard')
    if Slot.search([], limit=1):
        return
    everyday = [str(d) for d in range(7)]
    for counselor, weekdays, start, end, methods in COUNSELING_HOURS:
        session_id, _, _ = Generate.create()
        generate = Generate(session_id)
        generate.start.counselor = context.staff[counselor]
        generate.start.from_date = today - dt.timedelta(days=3)
        generate.start.to_date = today + dt.timedelta(days=13)
        generate.start.weekdays = weekdays or everyday
        generate.start.from_time = start
        generate.start.to_time = end
        generate.start.minutes = 60
        generate.start.methods = methods
        generate.start.kinds = ['career', 'job_introduction']
        generate.transition_generate()
        Generate.delete(session_id)
    context.created['counseling slot'] = Slot.search_count([])

    clients = Party.search([
            ('is_client', '=', True), ('line_user', '!=', None)],
        order=[('id', 'ASC')], limit=len(DEMO_BOOKINGS))
    for client, (days, hour, method, state) in zip(clients, DEMO_BOOKINGS):
        start = dt.datetime.combine(
            today + dt.timedelta(days=days), dt.time(hour))
        start -= dt.timedelta(hours=9)  # Japan to UTC
        slots = Slot.search([('start', '=', start), ('taken', '=', False)])
        slots = [s for s in slots if method in s.methods]
        if not slots:
            continue
        # Demo people are not on LINE: nobody to tell
        with Transaction().set_context(booking_from_line=True):
            booking, = Booking.create([{
                        'slot': slots[0].id, 'client': client.id,
                        'line_user': client.line_user.id,
                        'kind': 'career', 'method': method,
                        'source': 'line', 'confirmed': days < 1}])
        context.count('booking')
        if state == 'no_show':
            Booking.no_show([booking])
        elif state == 'done':
            record = Record.from_booking(booking)
            record.concerns = "子どもが小学校に上がるので、正社員で働けるか不安。"
            for step in record.steps[:5]:
                step.covered = True
            record.notes = ("事務職の経験を活かしたい。保育の時間に合わせ、"
                "9時〜16時の勤務を希望。")
            record.next_action = "求人票を一緒に確認する（職業紹介）"
            record.direction_clear = True
            record.save()
            Record.complete([record])
            context.count('counseling record')


def summary(context):
    pool = context.pool
    return [
        ('counseling slots', pool.get('counseling.slot').search_count([])),
        ('bookings', pool.get('counseling.booking').search_count([])),
        ]
