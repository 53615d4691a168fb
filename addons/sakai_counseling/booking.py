# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Bookings: a person's appointment in a counselor's slot.

People book career counseling or job introduction on LINE at any hour;
staff book, move and cancel in the back office and the person is told on
LINE.  A booking takes its slot (see slot.py) and keeps it in
``active_slot`` while it is not cancelled: a unique column, so the
database itself refuses a second booking of a slot.  Job introduction is
open only to people whose career direction a counseling record has marked
clear.

The form's read-only fields are the booking's own code's to set, whoever
calls: a booking's counselor and times are its slot's (it moves by choosing
another slot), its state changes through the workflow's buttons, and the
rest is recorded by the system.  A write through RPC that names them is
refused, and ``validate`` holds that a booking not cancelled holds its slot
with the slot's counselor and times, within the counseling hours.
"""
import datetime as dt

import jpholiday

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from sakai_programme.programme import (
    citizen_language, search_any, to_local, to_utc, utcnow)

from .counseling import person_name
from .exceptions import BookingError, SlotTaken
from .slot import KINDS, METHODS, external_call

STATES = [
    ('booked', "Booked"),
    ('done', "Held"),
    ('no_show', "No-Show"),
    ('cancelled', "Cancelled"),
    ]
# Calendar colours of counselors
PALETTE = ['#1f8f5f', '#2f6fbf', '#bf6f2f', '#8f3fbf', '#bf3f5f', '#3f9fbf',
    '#7f8f1f', '#5f5f5f']
HOUR_BEFORE = dt.timedelta(hours=1)


def slot_conflict(exception):
    "Whether exception comes from a second booking of a slot"
    while exception is not None:
        if (isinstance(exception, backend.DatabaseIntegrityError)
                and 'active_slot' in str(exception)):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def format_when(start, end):
    """How a person reads an appointment, in local time: 11/23(月) 0:00〜1:00,
    with the evening it belongs to when it is after midnight"""
    Programme = Pool().get('support.programme')
    programme = Programme(1)
    start, end = to_local(start), to_local(end)
    weekdays = gettext('sakai_counseling.msg_weekdays').split(',')
    day = start.date()
    mark = weekdays[day.weekday()]
    if jpholiday.is_holiday(day):
        mark += gettext('sakai_counseling.msg_holiday_mark')
    text = '%s/%s(%s) %s〜%s' % (day.month, day.day, mark,
        '%d:%02d' % (start.hour, start.minute),
        '%d:%02d' % (end.hour, end.minute))
    evening = programme.service_day(start)
    if evening != day:
        text += gettext('sakai_counseling.msg_late_night',
            month=evening.month, day=evening.day)
    return text


class Booking(Workflow, ModelSQL, ModelView):
    __name__ = 'counseling.booking'

    _states = {'readonly': Eval('state') != 'booked'}

    kind = fields.Selection(KINDS, "Kind", required=True, sort=False,
        states=_states)
    method = fields.Selection(METHODS, "Method", required=True, sort=False,
        states=_states)
    slot = fields.Many2One('counseling.slot', "Slot", required=True,
        ondelete='RESTRICT', states=_states,
        help="Choosing another slot moves the booking; the person is told "
        "on LINE.")
    counselor = fields.Many2One('res.user', "Counselor", readonly=True)
    start = fields.DateTime("Start", readonly=True)
    end = fields.DateTime("End", readonly=True)
    line_user = fields.Many2One('line.user', "LINE User", ondelete='RESTRICT',
        states=_states)
    client = fields.Many2One('party.party', "Client", ondelete='RESTRICT',
        domain=[('is_client', '=', True)],
        states=_states,
        help="Setting the client of a LINE booking links their LINE account "
        "to the client file.")
    person = fields.Function(fields.Char("Person"), 'get_person',
        searcher='search_person')
    source = fields.Selection([
            ('line', "LINE"),
            ('staff', "Staff"),
            ], "Booked Through", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    active_slot = fields.Many2One('counseling.slot', "Active Slot",
        readonly=True, ondelete='RESTRICT')
    day = fields.Function(fields.Date("Day",
            help="The counseling day: after midnight is the day before."),
        'get_day', searcher='search_day')
    today = fields.Function(fields.Boolean("Today",
            help="On the counseling day under way (or about to start) in "
            "Japan time."),
        'get_today', searcher='search_today')
    confirmed = fields.Boolean("Checked", readonly=True,
        help="A counselor has looked at the booking made on LINE.")
    note = fields.Text("Note")
    cancelled_at = fields.DateTime("Cancelled At", readonly=True)
    cancelled_by = fields.Selection([
            (None, ""),
            ('person', "The Person"),
            ('staff', "Staff"),
            ], "Cancelled By", readonly=True,
        states={'invisible': Eval('state') != 'cancelled'})
    cancel_reason = fields.Char("Reason for Cancelling",
        states={'invisible': Eval('state') != 'cancelled'})
    booked_at = fields.DateTime("Booked At", readonly=True)
    reminded_day_before = fields.DateTime("Day-Before Reminder Sent",
        readonly=True)
    reminded_hour_before = fields.DateTime("Hour-Before Reminder Sent",
        readonly=True)
    records = fields.One2Many('counseling.record', 'booking', "Records",
        readonly=True)
    title = fields.Function(fields.Char("Title"), 'get_title')
    color = fields.Function(fields.Char("Colour"), 'get_color')

    del _states

    # Set only by the booking's own code (see the module's docstring)
    _owned = {'counselor', 'start', 'end', 'active_slot', 'state', 'source',
        'confirmed', 'booked_at', 'cancelled_at', 'cancelled_by',
        'reminded_day_before', 'reminded_hour_before', 'records'}
    # Changed by staff only while the booking is booked
    _while_booked = {'kind', 'method', 'slot', 'line_user', 'client'}

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('active_slot_unique', Unique(t, t.active_slot),
                'sakai_counseling.msg_booking_slot_taken'),
            ]
        cls._order = [('start', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('booked', 'cancelled'),
            ('booked', 'no_show'),
            ('booked', 'done'),
            ('no_show', 'booked'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': Eval('state') != 'booked',
                    'depends': ['state'],
                    },
                'no_show': {
                    'invisible': Eval('state') != 'booked',
                    'depends': ['state'],
                    },
                'undo_no_show': {
                    'invisible': Eval('state') != 'no_show',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': (Eval('state') != 'booked')
                    | Eval('confirmed', False),
                    'depends': ['state', 'confirmed'],
                    },
                'write_record': {
                    'invisible': ~Eval('state').in_(['booked', 'done']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'booked'

    @classmethod
    def default_confirmed(cls):
        return not Transaction().context.get('booking_from_line')

    @classmethod
    def default_source(cls):
        return 'staff'

    @classmethod
    def default_kind(cls):
        return 'career'

    @classmethod
    def default_method(cls):
        return 'chat'

    @fields.depends('slot', 'method', 'kind')
    def on_change_slot(self):
        if self.slot:
            self.counselor = self.slot.counselor
            self.start = self.slot.start
            self.end = self.slot.end
            if self.method not in (self.slot.methods or []):
                self.method = (self.slot.methods or [None])[0]

    def get_person(self, name):
        return person_name(self.client, self.line_user)

    @classmethod
    def search_person(cls, name, clause):
        return search_any(clause, ['client.rec_name', 'line_user.rec_name'])

    def get_day(self, name):
        Programme = Pool().get('support.programme')
        if self.start:
            return Programme(1).service_day(to_local(self.start))

    @classmethod
    def search_day(cls, name, clause):
        "Bookings of counseling days compared with a date"
        Programme = Pool().get('support.programme')
        programme = Programme(1)
        _, operator, value = clause
        if not isinstance(value, dt.date):
            return [('id', '=', -1)]
        opens = to_utc(programme.service_window(value)[0])
        closes = to_utc(programme.service_window(value)[1])
        following = to_utc(programme.service_window(
                value + dt.timedelta(days=1))[0])
        return {
            '=': [('start', '>=', opens), ('start', '<', closes)],
            '!=': ['OR', ('start', '<', opens), ('start', '>=', closes)],
            '>=': [('start', '>=', opens)],
            '>': [('start', '>=', following)],
            '<': [('start', '<', opens)],
            '<=': [('start', '<', closes)],
            }.get(operator, [('id', '=', -1)])

    @classmethod
    def current_day(cls):
        """The counseling day of now in local time: after midnight, until
        the day closes, it is still the day before"""
        Programme = Pool().get('support.programme')
        return Programme(1).service_day(to_local(utcnow()))

    def get_today(self, name):
        return bool(self.start) and self.day == self.current_day()

    @classmethod
    def search_today(cls, name, clause):
        """The server, not the client's clock or timezone, says which day
        is today"""
        _, operator, value = clause
        today = cls.current_day()
        if (operator == '=') == bool(value):
            return cls.search_day('day', ('day', '=', today))
        return ['OR', ('start', '=', None),
            cls.search_day('day', ('day', '!=', today))]

    def get_rec_name(self, name):
        return '%s %s' % (format_when(self.start, self.end), self.person)

    def get_title(self, name):
        kinds = dict(self.fields_get(['kind'])['kind']['selection'])
        methods = dict(self.fields_get(['method'])['method']['selection'])
        return '%s %s / %s (%s)' % (
            self.person, kinds.get(self.kind, ''),
            methods.get(self.method, ''),
            self.counselor.name if self.counselor else '')

    def get_color(self, name):
        if self.state != 'booked':
            return '#aaaaaa'
        return PALETTE[(self.counselor.id if self.counselor else 0)
            % len(PALETTE)]

    @classmethod
    def validate_fields(cls, bookings, field_names):
        super().validate_fields(bookings, field_names)
        for booking in bookings:
            if not booking.line_user and not booking.client:
                raise BookingError(gettext(
                        'sakai_counseling.msg_booking_person_required'))
        Programme = Pool().get('support.programme')
        programme = Programme(1)
        held = not field_names or bool(field_names
            & {'slot', 'active_slot', 'counselor', 'start', 'end', 'state'})
        times = not field_names or bool(field_names
            & {'slot', 'counselor', 'start', 'end', 'method'})
        for booking in bookings:
            if held:
                booking.check_slot_held()
            if times and booking.state == 'booked':
                # The programme's hours, length and closures for its method
                booking.slot.check_times(programme, methods=[booking.method])

    def check_slot_held(self):
        """A booking not cancelled holds its slot and has the slot's
        counselor and times; a cancelled one holds no slot.  With the
        unique active slot, no two live bookings share a slot, nor a
        counselor's time (slots of a counselor do not overlap)."""
        slot = self.slot
        if self.state == 'cancelled':
            holds = self.active_slot is None
        else:
            holds = (self.active_slot == slot
                and self.counselor == slot.counselor
                and (self.start, self.end) == (slot.start, slot.end))
        if not holds:
            raise BookingError(gettext(
                    'sakai_counseling.msg_booking_slot_not_held',
                    booking=self.rec_name, slot=slot.rec_name))

    @classmethod
    def check_owned_fields(cls, values, bookings=None):
        """Refuse values a user may not write through RPC to bookings (None
        on creation): what the booking's code sets, and what is frozen once
        the booking is no longer booked (the form shows them read-only; the
        client alone does not hold it).  Values that leave a booking as it
        is, or as its default, are let through: clients may resend them."""
        names = cls._changing(values, bookings)
        if 'state' in names:
            raise BookingError(gettext(
                    'sakai_counseling.msg_booking_state_owned'))
        if names & {'counselor', 'start', 'end'}:
            raise BookingError(gettext(
                    'sakai_counseling.msg_booking_times_owned'))
        owned = sorted(names & cls._owned)
        if owned:
            raise BookingError(gettext(
                    'sakai_counseling.msg_booking_field_owned',
                    fields=cls._field_labels(owned)))
        for booking in bookings or []:
            if booking.state == 'booked':
                continue
            frozen = sorted(
                cls._changing(values, [booking]) & cls._while_booked)
            if frozen:
                states = dict(cls.fields_get(['state'])['state']['selection'])
                raise BookingError(gettext(
                        'sakai_counseling.msg_booking_frozen',
                        booking=booking.rec_name,
                        state=states[booking.state],
                        fields=cls._field_labels(frozen)))

    @classmethod
    def _changing(cls, values, bookings=None):
        """The names in values that change one of bookings, or a default
        when bookings is None"""
        if bookings is None:
            rows = [cls.default_get(list(values), with_rec_name=False)]
        else:
            rows = [{n: getattr(b, n) for n in values if n in cls._fields}
                for b in bookings]
        changing = set()
        for name, value in values.items():
            field = cls._fields.get(name)
            if field is None or field._type in {'one2many', 'many2many'}:
                # actions on lines: none changes nothing
                if value:
                    changing.add(name)
                continue
            for row in rows:
                stored = getattr(row.get(name), 'id', row.get(name))
                if (value or None) != (stored or None):
                    changing.add(name)
                    break
        return changing

    @classmethod
    def _field_labels(cls, names):
        "The fields' labels as the user reads them"
        fields_ = cls.fields_get(names)
        return '、'.join('「%s」' % fields_[n]['string'] for n in names)

    # Taking and giving back slots

    @classmethod
    def _take(cls, values):
        "Check the slot named in values and copy its counselor and times"
        Slot = Pool().get('counseling.slot')
        slot = Slot(values['slot'])
        kind = values.get('kind') or cls.default_kind()
        method = values.get('method') or cls.default_method()
        if not slot.offers(kind, method):
            raise BookingError(gettext(
                    'sakai_counseling.msg_booking_slot_offers',
                    slot=slot.rec_name))
        if slot.taken:
            raise SlotTaken(gettext(
                    'sakai_counseling.msg_booking_slot_taken'))
        values.update({
                'counselor': slot.counselor.id,
                'start': slot.start,
                'end': slot.end,
                'active_slot': slot.id,
                })
        return slot

    @classmethod
    def _taking(cls, method, *args):
        """Call method (create or write) in a savepoint: when the database
        refuses a second booking of a slot (the unique active slot; on
        PostgreSQL a concurrent booking makes this one wait for it to commit
        first), undo only that and raise SlotTaken, so the caller can offer
        other times in the same transaction"""
        cursor = Transaction().connection.cursor()
        cursor.execute('SAVEPOINT booking_slot')
        try:
            result = method(*args)
        except Exception as exception:
            if not slot_conflict(exception):
                raise
            cursor.execute('ROLLBACK TO SAVEPOINT booking_slot')
            Transaction().cache.clear()
            raise SlotTaken(gettext(
                    'sakai_counseling.msg_booking_slot_taken')) from exception
        cursor.execute('RELEASE SAVEPOINT booking_slot')
        return result

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Slot = pool.get('counseling.slot')
        # Refuse who may not book before telling whether the slot is free
        pool.get('ir.model.access').check(cls.__name__, 'create')
        if external_call():
            for values in vlist:
                cls.check_owned_fields(values)
        vlist = [v.copy() for v in vlist]
        slots = []
        for values in vlist:
            values.setdefault('booked_at', utcnow())
            if values.get('state', 'booked') == 'booked':
                cls._check_job_introduction(values)
                slots.append(cls._take(values))
        bookings = cls._taking(super().create, vlist)
        Slot.mark_taken(slots)
        cls._link_clients(bookings)
        if not Transaction().context.get('booking_from_line'):
            cls._tell(bookings, 'sakai_counseling.msg_booking_confirmed_staff')
        return bookings

    @classmethod
    def write(cls, *args):
        Slot = Pool().get('counseling.slot')
        external = external_call()
        actions = iter(args)
        moved, released, taken = [], [], []
        args = []
        for bookings, values in zip(actions, actions):
            if external:
                cls.check_owned_fields(values, bookings)
            values = values.copy()
            if values.get('state') == 'cancelled':
                # The workflow's cancelled gives the slot back in the same
                # write: no booking is ever live without its slot
                values['active_slot'] = None
            new_slot = None
            if values.get('slot') is not None:
                new_slot = values.pop('slot')
            for booking in bookings:
                if new_slot is not None and booking.slot.id != new_slot:
                    if booking.state != 'booked':
                        raise BookingError(gettext(
                                'sakai_counseling.msg_booking_move_not_booked',
                                booking=booking.rec_name))
                    booking_values = values.copy()
                    booking_values['slot'] = new_slot
                    booking_values.setdefault('kind', booking.kind)
                    booking_values.setdefault('method', booking.method)
                    taken.append(cls._take(booking_values))
                    released.append(booking.slot)
                    args.extend(([booking], booking_values))
                    moved.append(booking)
                elif (values.keys() & {'kind', 'method'}
                        and booking.state == 'booked'):
                    booking._check_offered(values)
            args.extend((bookings, values))
        if moved:
            # Free the old slots first: a booking may move into another's
            Slot.mark_free(released)
            cls._taking(super().write, *args)
            Slot.mark_taken(taken)
        else:
            super().write(*args)
        cls._link_clients(sum(args[::2], []))
        if moved:
            cls._tell(moved, 'sakai_counseling.msg_booking_moved')

    def _check_offered(self, values):
        "The slot offers the kind and method values change to"
        kind = values.get('kind', self.kind)
        method = values.get('method', self.method)
        if not self.slot.offers(kind, method):
            raise BookingError(gettext(
                    'sakai_counseling.msg_booking_slot_offers',
                    slot=self.slot.rec_name))
        if kind != self.kind:
            line_user = values.get('line_user', self.line_user)
            client = values.get('client', self.client)
            self._check_job_introduction({'kind': kind,
                    'line_user': getattr(line_user, 'id', line_user),
                    'client': getattr(client, 'id', client)})

    @classmethod
    def delete(cls, bookings):
        for booking in bookings:
            if booking.state != 'cancelled':
                raise BookingError(gettext(
                        'sakai_counseling.msg_booking_delete',
                        booking=booking.rec_name))
        super().delete(bookings)

    @classmethod
    def copy(cls, bookings, default=None):
        if not bookings:
            return []
        raise BookingError(gettext('sakai_counseling.msg_booking_copy'))

    @classmethod
    def _link_clients(cls, bookings):
        "A client chosen for a LINE booking gets that LINE account"
        Party = Pool().get('party.party')
        for booking in bookings:
            if (booking.client and booking.line_user
                    and not booking.client.line_user
                    and not Party.search([
                            ('line_user', '=', booking.line_user.id)])):
                with Transaction().set_context(_check_access=False):
                    Party.write([Party(booking.client.id)],
                        {'line_user': booking.line_user.id})

    @classmethod
    def _check_job_introduction(cls, values):
        pool = Pool()
        LineUser = pool.get('line.user')
        Party = pool.get('party.party')
        if values.get('kind') != 'job_introduction':
            return
        line_user = values.get('line_user')
        client = values.get('client')
        if not cls.job_introduction_open(
                LineUser(line_user) if line_user else None,
                Party(client) if client else None):
            raise BookingError(gettext(
                    'sakai_counseling.msg_booking_counseling_first'))

    @classmethod
    def job_introduction_open(cls, line_user=None, client=None):
        """Whether the person has had the career counseling that opens job
        introduction (a record marking their direction clear)"""
        Record = Pool().get('counseling.record')
        return Record.direction_clear_for(line_user=line_user, client=client)

    # Workflow

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, bookings):
        by = Transaction().context.get('cancelled_by', 'staff')
        Slot = Pool().get('counseling.slot')
        Slot.mark_free([b.active_slot for b in bookings if b.active_slot])
        # The transition's write of the state releases the active slot
        cls.write(bookings, {
                'cancelled_at': utcnow(),
                'cancelled_by': by,
                })
        if by == 'staff':
            cls._tell(bookings, 'sakai_counseling.msg_booking_cancelled_staff')

    @classmethod
    @ModelView.button
    def confirm(cls, bookings):
        cls.write(bookings, {'confirmed': True})

    @classmethod
    @ModelView.button
    @Workflow.transition('no_show')
    def no_show(cls, bookings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('booked')
    def undo_no_show(cls, bookings):
        pass

    @classmethod
    @Workflow.transition('done')
    def hold(cls, bookings):
        "The session took place (its record is done)"
        pass

    @classmethod
    @ModelView.button_action('sakai_counseling.act_record_from_booking')
    def write_record(cls, bookings):
        pool = Pool()
        Record = pool.get('counseling.record')
        records = []
        for booking in bookings:
            if booking.records:
                records.extend(booking.records)
                continue
            record = Record.from_booking(booking)
            record.save()
            records.append(record)
        return {'res_id': [r.id for r in records]}

    # Telling the person on LINE

    def describe(self):
        "The appointment as the person reads it"
        kinds = dict(self.fields_get(['kind'])['kind']['selection'])
        methods = dict(self.fields_get(['method'])['method']['selection'])
        return gettext('sakai_counseling.msg_booking_details',
            kind=kinds[self.kind], method=methods[self.method],
            when=format_when(self.start, self.end))

    def how_to_join(self):
        "What happens at the appointment's time, by method"
        Programme = Pool().get('support.programme')
        return gettext('sakai_counseling.msg_booking_join_%s' % self.method,
            address=Programme(1).office_address or '')

    def line_message(self, message_id):
        return {'type': 'text', 'text': '\n'.join([
                    gettext(message_id), '', self.describe(),
                    self.how_to_join() if self.state != 'cancelled' else '',
                    '',
                    gettext('sakai_counseling.msg_booking_change_hint')]),
            'quickReply': {'items': [{'type': 'action', 'action': {
                        'type': 'postback',
                        'label': gettext('sakai_counseling.msg_my_bookings'),
                        'data': 'menu=booking',
                        'displayText': gettext(
                            'sakai_counseling.msg_my_bookings'),
                        }}]}}

    @classmethod
    def _tell(cls, bookings, message_id, conversation=False):
        "Push a notice about each booking to its person on LINE"
        Message = Pool().get('line.message')
        with Transaction().set_context(language=citizen_language()):
            for booking in cls.browse(bookings):
                if not booking.line_user:
                    continue
                Message.compose([booking.line_user],
                    [booking.line_message(message_id)],
                    description=gettext(
                        'sakai_counseling.msg_booking_notice_description'),
                    conversation=conversation)

    # Reminders

    def reminder_due(self, now, programme):
        """Which reminder is due at now: 'day_before' (at the programme's
        time on the day before the appointment's date) or 'hour_before'"""
        if self.start <= now:
            return None
        local = to_local(self.start)
        day_before = to_utc(dt.datetime.combine(
                local.date() - dt.timedelta(days=1), programme.reminder_time))
        booked = self.booked_at or self.create_date
        if (not self.reminded_hour_before
                and now >= self.start - HOUR_BEFORE
                and booked < self.start - HOUR_BEFORE):
            return 'hour_before'
        if (not self.reminded_day_before and not self.reminded_hour_before
                and day_before <= now < self.start - HOUR_BEFORE
                and booked < day_before):
            return 'day_before'
        return None

    @classmethod
    def send_reminders(cls):
        "Scheduled: remind people the day before and one hour before"
        pool = Pool()
        Programme = pool.get('support.programme')
        programme = Programme(1)
        now = utcnow()
        bookings = cls.search([
                ('state', '=', 'booked'),
                ('line_user', '!=', None),
                ('start', '>', now),
                ('start', '<=', now + dt.timedelta(days=2)),
                ])
        due = {'day_before': [], 'hour_before': []}
        for booking in bookings:
            which = booking.reminder_due(now, programme)
            if which:
                due[which].append(booking)
        if due['day_before']:
            cls._tell(due['day_before'],
                'sakai_counseling.msg_booking_reminder_day')
            cls.write(due['day_before'], {'reminded_day_before': now})
        if due['hour_before']:
            cls._tell(due['hour_before'],
                'sakai_counseling.msg_booking_reminder_hour')
            cls.write(due['hour_before'], {'reminded_hour_before': now})
