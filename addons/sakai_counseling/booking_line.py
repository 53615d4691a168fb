# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Booking on LINE: 相談予約 in the rich menu starts it.

kind → method → day → time (real free slots) → confirm.  Each step is a
postback ``bk?a=<step>&k=<kind>&m=<method>...`` that carries what was chosen
so far, so there is no conversation state to lose; every step is checked
again when it is used (a time shown earlier may be gone, a booking to
change must be the person's own).
"""
import datetime as dt
from urllib.parse import parse_qsl, urlencode

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from sakai_programme.programme import to_local, utcnow
from sakai_line.builders import carousel, quick_postback, text_message

from .booking import format_when
from .exceptions import BookingError, SlotTaken
from .slot import KINDS, METHODS

PREFIX = 'bk?'
MAX_DAYS = 13
TIMES_PER_BUBBLE = 6
MAX_BUBBLES = 12
TIME_FORMAT = '%Y%m%d%H%M'


def postback(**params):
    return PREFIX + urlencode({k: v for k, v in params.items() if v})


def choice(label, **params):
    return quick_postback(label, postback(**params))


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    @classmethod
    def _postback_routes(cls):
        return super()._postback_routes() + [(PREFIX, '_postback_booking')]

    def _postback_booking(self, user, value, line_params):
        params = dict(parse_qsl(value))
        step = params.get('a')
        if (params.get('k', 'career') not in dict(KINDS)
                or params.get('m', 'chat') not in dict(METHODS)):
            step = None
        method = getattr(self, '_booking_%s' % step, None) if step else None
        if method is None:
            return self._menu_booking(user)
        return method(user, params)

    # Steps

    def _menu_booking(self, user):
        "The person's coming appointments, then what to book"
        messages = []
        bookings = self._coming_bookings(user)
        if bookings:
            messages.append(bookings_carousel(bookings))
        kinds = dict(kind_labels())
        messages.append(text_message(
                gettext('sakai_counseling.msg_booking_choose_kind'),
                [choice(kinds['career'], a='kind', k='career'),
                    choice(kinds['job_introduction'], a='kind',
                        k='job_introduction')]))
        return messages

    def _booking_kind(self, user, params):
        kind = params.get('k', 'career')
        if kind == 'job_introduction' and not self._job_introduction_open(
                user):
            return [self._counseling_first()]
        labels = dict(method_labels())
        return [text_message(
                gettext('sakai_counseling.msg_booking_choose_method'),
                [choice(labels[m], a='method', k=kind, m=m,
                        c=params.get('c'))
                    for m, _ in METHODS])]

    def _booking_method(self, user, params):
        "The days with free slots"
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Programme = pool.get('support.programme')
        programme = Programme(1)
        kind, method = params.get('k', 'career'), params.get('m', 'chat')
        days = []
        for slot in Slot.free(kind, method):
            day = programme.service_day(to_local(slot.start))
            if day not in days:
                days.append(day)
        if not days:
            return [text_message(gettext(
                        'sakai_counseling.msg_booking_no_slots',
                        phone=programme.office_phone or ''),
                    [choice(label, a='kind', k=kind, c=params.get('c'))
                        for label in [gettext(
                                'sakai_counseling.msg_booking_other_method')]
                        ])]
        today = programme.service_day(to_local(utcnow()))
        return [text_message(
                gettext('sakai_counseling.msg_booking_choose_day'),
                [choice(day_label(day, today), a='day', k=kind, m=method,
                        d=day.isoformat(), c=params.get('c'))
                    for day in days[:MAX_DAYS]])]

    def _booking_day(self, user, params, hint=None, taken=()):
        "The free times of a day, as a carousel of buttons"
        messages = self._day_times(user, params, taken)
        if hint:
            messages.insert(0, text_message(hint))
        return messages

    def _day_times(self, user, params, taken=()):
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Programme = pool.get('support.programme')
        programme = Programme(1)
        kind, method = params.get('k', 'career'), params.get('m', 'chat')
        try:
            day = dt.date.fromisoformat(params.get('d', ''))
        except ValueError:
            return self._booking_method(user, params)
        starts = []
        for slot in Slot.free(kind, method):
            if (programme.service_day(to_local(slot.start)) == day
                    and slot not in taken
                    and (slot.start, slot.end) not in starts):
                starts.append((slot.start, slot.end))
        if not starts:
            return [text_message(gettext(
                        'sakai_counseling.msg_booking_day_full'))
                ] + self._booking_method(user, params)
        bubbles = []
        for i in range(0, len(starts), TIMES_PER_BUBBLE):
            bubbles.append(times_bubble(day, starts[i:i + TIMES_PER_BUBBLE],
                    kind, method, params.get('c')))
        return [carousel(
                gettext('sakai_counseling.msg_booking_choose_time'), bubbles)]

    def _booking_time(self, user, params):
        "Ask to confirm"
        kind, method = params.get('k', 'career'), params.get('m', 'chat')
        start, end = self._chosen_times(params)
        if not start:
            return self._booking_method(user, params)
        kinds, methods = dict(kind_labels()), dict(method_labels())
        text = '\n'.join([
                gettext('sakai_counseling.msg_booking_confirm'), '',
                gettext('sakai_counseling.msg_booking_details',
                    kind=kinds[kind], method=methods[method],
                    when=format_when(start, end))])
        day = params.get('d')
        return [text_message(text, [
                    choice(gettext('sakai_counseling.msg_booking_do'),
                        a='book', k=kind, m=method, t=params.get('t'),
                        e=params.get('e'), d=day, c=params.get('c')),
                    choice(gettext('sakai_counseling.msg_booking_other_time'),
                        a='day', k=kind, m=method, d=day,
                        c=params.get('c')),
                    choice(gettext('sakai_counseling.msg_booking_stop'),
                        a='stop'),
                    ])]

    def _booking_book(self, user, params):
        pool = Pool()
        Booking = pool.get('counseling.booking')
        Slot = pool.get('counseling.slot')
        kind, method = params.get('k', 'career'), params.get('m', 'chat')
        start, end = self._chosen_times(params)
        if not start:
            return self._booking_method(user, params)
        params.setdefault('d', Pool().get('support.programme')(1).service_day(
                to_local(start)).isoformat())
        previous = self._own_booking(user, params.get('c'))
        if params.get('c') and not previous:
            return self._menu_booking(user)
        client = user.client()
        slots = [s for s in Slot.free(kind, method, start=start,
                end=start + dt.timedelta(minutes=1))
            if s.start == start and s.end == end]
        # The person's own counselor first
        mine = client.counselor if client else None
        slots.sort(key=lambda s: s.counselor != mine)
        taken = []
        for slot in slots:
            try:
                with Transaction().set_context(booking_from_line=True):
                    booking, = Booking.create([{
                                'slot': slot.id,
                                'kind': kind,
                                'method': method,
                                'line_user': user.id,
                                'client': client.id if client else None,
                                'source': 'line',
                                }])
            except SlotTaken:
                # Someone booked it since this transaction started
                taken.append(slot)
                continue
            except BookingError:
                return [self._counseling_first()]
            if previous:
                with Transaction().set_context(cancelled_by='person'):
                    Booking.cancel([previous])
                return [booking.line_message(
                        'sakai_counseling.msg_booking_changed')]
            return [booking.line_message(
                    'sakai_counseling.msg_booking_confirmed')]
        return self._booking_day(user, params, hint=gettext(
                'sakai_counseling.msg_booking_taken_meanwhile'), taken=taken)

    def _booking_change(self, user, params):
        booking = self._own_booking(user, params.get('b'))
        if not booking:
            return self._menu_booking(user)
        return self._booking_kind(user, {
                'k': booking.kind, 'c': str(booking.id)})

    def _booking_cancel(self, user, params):
        booking = self._own_booking(user, params.get('b'))
        if not booking:
            return self._menu_booking(user)
        return [text_message('\n'.join([
                        gettext('sakai_counseling.msg_booking_cancel_ask'),
                        '', booking.describe()]), [
                    choice(gettext('sakai_counseling.msg_booking_cancel_do'),
                        a='cancelok', b=str(booking.id)),
                    choice(gettext('sakai_counseling.msg_booking_keep'),
                        a='stop'),
                    ])]

    def _booking_cancelok(self, user, params):
        Booking = Pool().get('counseling.booking')
        booking = self._own_booking(user, params.get('b'))
        if not booking:
            return self._menu_booking(user)
        with Transaction().set_context(cancelled_by='person'):
            Booking.cancel([booking])
        return [text_message('\n'.join([
                        gettext('sakai_counseling.msg_booking_cancelled'),
                        '', booking.describe()]), [
                    choice(gettext('sakai_counseling.msg_booking_again'),
                        a='start')])]

    def _booking_start(self, user, params):
        return self._menu_booking(user)

    def _booking_stop(self, user, params):
        return [text_message(gettext('sakai_counseling.msg_booking_stopped'))]

    def _mypage_cards(self, user, lines, items):
        "My page: the coming appointments, to change or cancel"
        cards = super()._mypage_cards(user, lines, items)
        bookings = self._coming_bookings(user)
        if bookings:
            lines.append(gettext('sakai_counseling.msg_mypage_bookings',
                    count=len(bookings)))
            cards.append(bookings_carousel(bookings))
        else:
            lines.append(gettext('sakai_counseling.msg_mypage_no_bookings'))
            items.insert(0, choice(
                    gettext('sakai_counseling.msg_mypage_book'), a='start'))
        return cards

    # Helpers

    def _coming_bookings(self, user):
        "The person's booked appointments still to come, soonest first"
        Booking = Pool().get('counseling.booking')
        return Booking.search([
                ('line_user', '=', user.id),
                ('state', '=', 'booked'),
                ('start', '>', utcnow()),
                ], order=[('start', 'ASC'), ('id', 'ASC')])

    def _job_introduction_open(self, user):
        Booking = Pool().get('counseling.booking')
        return Booking.job_introduction_open(line_user=user)

    def _counseling_first(self):
        return text_message(
            gettext('sakai_counseling.msg_booking_counseling_first_line'),
            [choice(gettext('sakai_counseling.msg_booking_book_counseling'),
                    a='kind', k='career')])

    def _own_booking(self, user, booking_id):
        Booking = Pool().get('counseling.booking')
        if not booking_id or not str(booking_id).isdigit():
            return None
        bookings = Booking.search([
                ('id', '=', int(booking_id)),
                ('line_user', '=', user.id),
                ('state', '=', 'booked'),
                ('start', '>', utcnow()),
                ])
        return bookings[0] if bookings else None

    @staticmethod
    def _chosen_times(params):
        try:
            start = dt.datetime.strptime(params.get('t', ''), TIME_FORMAT)
            end = dt.datetime.strptime(params.get('e', ''), TIME_FORMAT)
        except ValueError:
            return None, None
        return start, end


def kind_labels():
    Booking = Pool().get('counseling.booking')
    return Booking.fields_get(['kind'])['kind']['selection']


def method_labels():
    Booking = Pool().get('counseling.booking')
    return Booking.fields_get(['method'])['method']['selection']


def day_label(day, today):
    weekdays = gettext('sakai_counseling.msg_weekdays').split(',')
    label = '%s/%s(%s)' % (day.month, day.day, weekdays[day.weekday()])
    if day == today:
        label = gettext('sakai_counseling.msg_today') + ' ' + label
    elif day == today + dt.timedelta(days=1):
        label = gettext('sakai_counseling.msg_tomorrow') + ' ' + label
    return label


def time_label(start, end):
    start, end = to_local(start), to_local(end)
    return '%d:%02d〜%d:%02d' % (start.hour, start.minute, end.hour,
        end.minute)


def times_bubble(day, times, kind, method, change):
    weekdays = gettext('sakai_counseling.msg_weekdays').split(',')
    title = '%s/%s(%s)' % (day.month, day.day, weekdays[day.weekday()])
    buttons = []
    for start, end in times:
        label = time_label(start, end)
        buttons.append({'type': 'button', 'style': 'secondary',
                'height': 'sm',
                'action': {'type': 'postback', 'label': label,
                    'displayText': label,
                    'data': postback(a='time', k=kind, m=method,
                        d=day.isoformat(), t=start.strftime(TIME_FORMAT),
                        e=end.strftime(TIME_FORMAT), c=change)}})
    return {'type': 'bubble', 'size': 'kilo',
        'header': {'type': 'box', 'layout': 'vertical', 'contents': [
                {'type': 'text', 'text': title, 'weight': 'bold',
                    'color': '#1f8f5f'}]},
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': buttons}}


def bookings_carousel(bookings):
    "A Flex carousel of the person's appointments, each to change or cancel"
    return carousel(gettext('sakai_counseling.msg_my_bookings'),
        [booking_bubble(b) for b in bookings[:MAX_BUBBLES]])


def booking_bubble(booking):
    change = gettext('sakai_counseling.msg_booking_change_button')
    cancel = gettext('sakai_counseling.msg_booking_cancel_button')
    return {'type': 'bubble', 'size': 'kilo',
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': [
                {'type': 'text', 'weight': 'bold', 'color': '#1f8f5f',
                    'text': gettext('sakai_counseling.msg_booking_yours')},
                {'type': 'text', 'wrap': True, 'size': 'sm',
                    'text': booking.describe()}]},
        'footer': {'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': [
                {'type': 'button', 'style': 'primary', 'height': 'sm',
                    'color': '#06c755',
                    'action': {'type': 'postback', 'label': change,
                        'displayText': change,
                        'data': postback(a='change', b=str(booking.id))}},
                {'type': 'button', 'style': 'secondary', 'height': 'sm',
                    'action': {'type': 'postback', 'label': cancel,
                        'displayText': cancel,
                        'data': postback(a='cancel', b=str(booking.id))}},
                ]}}
