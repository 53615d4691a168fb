# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Counselors' working slots: the times people can book.

A slot belongs to one counselor, lasts at most the programme's longest
appointment, lies within the counseling day (06:00 to 01:00 the next day by
default; a slot after midnight belongs to the day before) and outside
closures.  A counselor's slots never overlap, and a slot is taken by one
booking only (see booking.py).

Two coordinators creating the same counselor's week at the same moment
both find it free and both insert: a search cannot hold "never overlap".
On PostgreSQL an exclusion constraint does (see ``Slot.__setup__``); on
SQLite, which runs one writer at a time, the search before saving does.
A taken slot keeps its times and counselor while its booking holds it,
and only the booking's code marks it taken or free.
"""
import datetime as dt

from sql import Table
from sql.conditionals import Coalesce
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Exclude, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.sql.functions import Range, TSRange
from trytond.sql.operators import RangeOverlap
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from sakai_programme.programme import to_local, to_utc, utcnow

from .exceptions import SlotError

KINDS = [
    ('career', "Career Counseling"),
    ('job_introduction', "Job Introduction"),
    ]
METHODS = [
    ('chat', "Chat"),
    ('phone', "Phone"),
    ('video', "Video Call"),
    ('face_to_face', "Face to Face"),
    ]
WEEKDAYS = [
    ('0', "Monday"),
    ('1', "Tuesday"),
    ('2', "Wednesday"),
    ('3', "Thursday"),
    ('4', "Friday"),
    ('5', "Saturday"),
    ('6', "Sunday"),
    ]


class Int4Range(Range):
    "PostgreSQL's range of integers"
    __slots__ = ()
    _function = 'INT4RANGE'


def external_call():
    """Whether the running call comes from a user through RPC (the web
    client, a script), not from the code that owns the record: buttons,
    wizards and crons run without access checks, and RPC callers cannot set
    the private ``_check_access`` key of the context themselves"""
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


class Slot(ModelSQL, ModelView):
    __name__ = 'counseling.slot'

    counselor = fields.Many2One('res.user', "Counselor", required=True,
        domain=[('groups', '=', Id('sakai_programme', 'group_counselor'))],
        states={'readonly': Eval('taken', False)})
    start = fields.DateTime("Start", required=True,
        states={'readonly': Eval('taken', False)})
    end = fields.DateTime("End", required=True,
        states={'readonly': Eval('taken', False)})
    methods = fields.MultiSelection(METHODS, "Methods", sort=False,
        required=True)
    kinds = fields.MultiSelection(KINDS, "Kinds", sort=False, required=True)
    taken = fields.Boolean("Booked", readonly=True)
    booking = fields.Function(fields.Many2One('counseling.booking',
            "Booking"), 'get_booking')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # A counselor is never in two slots at once, whoever saves them at
        # the same moment.  On PostgreSQL the database holds it on every
        # insert and update, waiting for a concurrent transaction that
        # saves an overlapping slot and refusing the second: a lock per
        # counselor taken before the overlap search would not, as Tryton's
        # transactions read a snapshot taken before the lock was granted.
        # The counselor is compared as a range of one integer so that
        # PostgreSQL's own GiST operator classes suffice: ``counselor WITH
        # =`` would need the btree_gist extension, which only a superuser
        # (or a database owner on PostgreSQL 13+) may create, and without
        # it Tryton silently drops the constraint and falls back to a
        # check in Python under a table lock.  SQLite runs one writer at a
        # time, so check_overlap suffices there (Tryton's own check of the
        # constraint in Python overflows SQLite's parser on a few weeks of
        # slots).
        if backend.name == 'postgresql':
            cls._sql_constraints += [
                ('counselor_no_overlap', Exclude(t,
                        (Int4Range(t.counselor, t.counselor, '[]'),
                            RangeOverlap),
                        (TSRange(t.start, t.end, '[)'), RangeOverlap)),
                    'sakai_counseling.msg_slot_overlap_concurrent'),
                ]
        cls._order = [('start', 'ASC'), ('counselor', 'ASC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module_name):
        cls._remove_raced_duplicates()
        super().__register__(module_name)

    @classmethod
    def _remove_raced_duplicates(cls):
        """Delete the copies of a slot that concurrent creations made before
        the database refused overlaps (same counselor and times, never
        booked), so that the constraint can be added; other overlaps stop
        the update and must be resolved by staff"""
        TableHandler = backend.TableHandler
        if (backend.name != 'postgresql'
                or not TableHandler.table_exist(cls._table)
                or not TableHandler.table_exist('counseling_booking')):
            return
        cursor = Transaction().connection.cursor()
        slot, other = cls.__table__(), cls.__table__()
        booking = Table('counseling_booking')
        cursor.execute(*slot.join(other, condition=(
                    (other.counselor == slot.counselor)
                    & (other.start == slot.start)
                    & (other.end == slot.end)
                    & (other.id < slot.id))
                ).select(slot.id,
                where=~Coalesce(slot.taken, False)
                & ~Exists(booking.select(booking.id,
                        where=booking.slot == slot.id))))
        copies = [i for i, in cursor]
        if copies:
            cursor.execute(*slot.delete(where=slot.id.in_(copies)))

    @classmethod
    def default_counselor(cls):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        user = User(Transaction().user)
        group = ModelData.get_id('sakai_programme', 'group_counselor')
        if any(g.id == group for g in user.groups):
            return user.id

    @classmethod
    def default_methods(cls):
        return ['chat', 'phone', 'video']

    @classmethod
    def default_kinds(cls):
        return ['career', 'job_introduction']

    @classmethod
    def default_taken(cls):
        return False

    @fields.depends('start', 'end')
    def on_change_start(self):
        if self.start and not self.end:
            self.end = self.start + dt.timedelta(hours=1)

    def get_rec_name(self, name):
        return self.label

    @property
    def label(self):
        "The slot for people: 2026-11-22 20:00-21:00 counselor"
        start, end = to_local(self.start), to_local(self.end)
        return '%s %s-%s %s' % (
            start.strftime('%Y-%m-%d'), start.strftime('%H:%M'),
            end.strftime('%H:%M'),
            self.counselor.name if self.counselor else '')

    @classmethod
    def get_booking(cls, slots, name):
        Booking = Pool().get('counseling.booking')
        result = {s.id: None for s in slots}
        for booking in Booking.search([
                    ('active_slot', 'in', [s.id for s in slots]),
                    ]):
            result[booking.active_slot.id] = booking.id
        return result

    @classmethod
    def validate_fields(cls, slots, field_names):
        super().validate_fields(slots, field_names)
        Programme = Pool().get('support.programme')
        programme = Programme(1)
        times = not field_names or bool(
            field_names & {'start', 'end', 'counselor', 'methods'})
        # A new slot has no booking yet
        offers = bool(field_names and field_names & {'methods', 'kinds'})
        for slot in slots:
            if times:
                slot.check_times(programme)
            if offers:
                slot.check_booking_offered()

    def check_times(self, programme, methods=None):
        """The slot's times follow the programme's rules for methods (by
        default all the slot offers)"""
        Closure = Pool().get('counseling.closure')
        methods = self.methods if methods is None else methods
        if self.end <= self.start:
            raise SlotError(gettext('sakai_counseling.msg_slot_end_before',
                    slot=self.label))
        if self.end - self.start > dt.timedelta(
                minutes=programme.booking_max_minutes):
            raise SlotError(gettext('sakai_counseling.msg_slot_too_long',
                    slot=self.label,
                    minutes=programme.booking_max_minutes))
        start, end = to_local(self.start), to_local(self.end)
        day = programme.service_day(start)
        opens, closes = programme.service_window(day)
        if start < opens or end > closes:
            raise SlotError(gettext('sakai_counseling.msg_slot_hours',
                    slot=self.label,
                    opens=programme.booking_opens.strftime('%H:%M'),
                    closes=programme.booking_closes.strftime('%H:%M')))
        for closure in Closure.covering(self.start, self.end):
            for method in methods:
                if closure.closes(method):
                    raise SlotError(gettext(
                            'sakai_counseling.msg_slot_closed',
                            slot=self.label, closure=closure.rec_name))
        if 'face_to_face' in methods:
            f2f_opens, f2f_closes = programme.face_to_face_window(
                start.date())
            if (start < f2f_opens or end > f2f_closes
                    or not programme.office_open_on(start.date())):
                raise SlotError(gettext(
                        'sakai_counseling.msg_slot_face_to_face_hours',
                        slot=self.label,
                        opens=programme.face_to_face_opens.strftime('%H:%M'),
                        closes=programme.face_to_face_closes.strftime(
                            '%H:%M')))

    def check_booking_offered(self):
        "The booking that holds the slot keeps its kind and method offered"
        booking = self.booking
        if booking and not self.offers(booking.kind, booking.method):
            raise SlotError(gettext('sakai_counseling.msg_slot_booking_offers',
                    slot=self.label, booking=booking.rec_name))

    @classmethod
    def check_overlap(cls, slots):
        """A counselor cannot be in two slots at once: slots are the slots
        as they will be saved (unsaved or with their new values), checked
        against each other and the others saved.  This names both slots to
        the user; the exclusion constraint holds it under concurrency."""
        slots = [s for s in slots if s.counselor and s.start and s.end]
        ids = [s.id for s in slots if s.id is not None and s.id >= 0]
        saved = {}
        for counselor in {s.counselor for s in slots}:
            theirs = [s for s in slots if s.counselor == counselor]
            saved[counselor] = cls.search([
                    ('counselor', '=', counselor.id),
                    ('id', 'not in', ids),
                    ('start', '<', max(s.end for s in theirs)),
                    ('end', '>', min(s.start for s in theirs)),
                    ])
        for i, slot in enumerate(slots):
            for other in slots[i + 1:] + saved[slot.counselor]:
                if (other.counselor == slot.counselor
                        and other.start < slot.end
                        and slot.start < other.end):
                    raise SlotError(gettext(
                            'sakai_counseling.msg_slot_overlap',
                            slot=slot.label, other=other.label))

    # Only the booking's code marks a slot taken or free (see booking.py)
    _owned = {'taken'}
    # What a booking holding the slot copies and relies on
    _held = {'counselor', 'start', 'end'}

    @classmethod
    def check_owned_fields(cls, values, slots=None):
        """Refuse fields a user may not set through RPC on slots (None on
        creation), unless they leave them as they are or as their default"""
        current = ([cls.default_get(list(cls._owned & values.keys()),
                        with_rec_name=False)] if slots is None
            else [{n: getattr(s, n) for n in cls._owned} for s in slots])
        # Booleans only (taken)
        owned = sorted(n for n in cls._owned & values.keys()
            if any(bool(values[n]) != bool(row.get(n)) for row in current))
        if owned:
            names = cls.fields_get(owned)
            raise SlotError(gettext('sakai_counseling.msg_slot_field_owned',
                    fields='、'.join(
                        '「%s」' % names[f]['string'] for f in owned)))

    @classmethod
    def create(cls, vlist):
        if external_call():
            for values in vlist:
                cls.check_owned_fields(values)
        cls.check_overlap([cls(**v) for v in vlist])
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        external = external_call()
        actions = iter(args)
        changed = {}
        for slots, values in zip(actions, actions):
            if external:
                cls.check_owned_fields(values, slots)
            held = cls._held & values.keys()
            if not held:
                continue
            for slot in slots:
                future = cls(slot.id, **{f: values.get(f, getattr(slot, f))
                        for f in cls._held})
                if (slot.taken or slot.booking) and any(
                        getattr(future, f) != getattr(slot, f)
                        for f in held):
                    raise SlotError(gettext(
                            'sakai_counseling.msg_slot_held',
                            slot=slot.rec_name))
                changed[slot.id] = future
        if changed:
            cls.check_overlap(list(changed.values()))
        super().write(*args)

    @classmethod
    def delete(cls, slots):
        for slot in slots:
            if slot.taken or slot.booking:
                raise SlotError(gettext(
                        'sakai_counseling.msg_slot_delete_taken',
                        slot=slot.rec_name))
        super().delete(slots)

    @classmethod
    def copy(cls, slots, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('taken', False)
        return super().copy(slots, default=default)

    @classmethod
    def mark_taken(cls, slots):
        "Flag slots as booked (the booking's unique active slot guards them)"
        cls._mark(slots, True)

    @classmethod
    def mark_free(cls, slots):
        cls._mark(slots, False)

    @classmethod
    def _mark(cls, slots, taken):
        if slots:
            with Transaction().set_context(_check_access=False):
                cls.write(cls.browse(slots), {'taken': taken})

    def offers(self, kind, method):
        "Whether the slot can be booked for kind by method"
        return kind in self.kinds and method in self.methods

    @classmethod
    def free(cls, kind, method, start=None, end=None):
        """Slots that can be booked now for kind by method between start and
        end (naive UTC), earliest first"""
        pool = Pool()
        Programme = pool.get('support.programme')
        Closure = pool.get('counseling.closure')
        programme = Programme(1)
        now = utcnow()
        earliest = now + dt.timedelta(
            minutes=programme.booking_notice_minutes)
        latest = now + dt.timedelta(days=programme.booking_days_ahead)
        start = max(start or earliest, earliest)
        end = min(end or latest, latest)
        if start >= end:
            return []
        slots = cls.search([
                ('taken', '=', False),
                ('start', '>=', start),
                ('start', '<', end),
                ])
        slots = [s for s in slots if s.offers(kind, method)]
        if slots:
            closures = [c for c in Closure.covering(
                    slots[0].start, slots[-1].end) if c.closes(method)]
            slots = [s for s in slots
                if not any(c.overlaps(s.start, s.end) for c in closures)]
        return slots


class GenerateStart(ModelView):
    __name__ = 'counseling.slot.generate.start'
    __string__ = "Create Counseling Slots"

    counselor = fields.Many2One('res.user', "Counselor", required=True,
        domain=[('groups', '=', Id('sakai_programme', 'group_counselor'))])
    from_date = fields.Date("From Date", required=True)
    to_date = fields.Date("To Date", required=True,
        domain=[('to_date', '>=', Eval('from_date'))])
    weekdays = fields.MultiSelection(WEEKDAYS, "Weekdays", sort=False,
        required=True)
    from_time = fields.Time("From", required=True)
    to_time = fields.Time("Until", required=True,
        help="A time earlier than the start is on the next day.")
    minutes = fields.Integer("Length (minutes)", required=True,
        domain=[('minutes', '>', 0)])
    methods = fields.MultiSelection(METHODS, "Methods", sort=False,
        required=True,
        help="Face to face is offered only where the office is open.")
    kinds = fields.MultiSelection(KINDS, "Kinds", sort=False, required=True)
    slot_count = fields.Integer("Slots to Create", readonly=True,
        help="How many slots Create makes with these settings.")
    first_day = fields.Date("First Slot On", readonly=True)
    last_day = fields.Date("Last Slot On", readonly=True)

    @classmethod
    def default_weekdays(cls):
        return [d for d, _ in WEEKDAYS]

    @classmethod
    def default_from_time(cls):
        return dt.time(18, 0)

    @classmethod
    def default_to_time(cls):
        return dt.time(1, 0)

    @classmethod
    def default_minutes(cls):
        return 60

    @classmethod
    def default_methods(cls):
        return Pool().get('counseling.slot').default_methods()

    @classmethod
    def default_kinds(cls):
        return Pool().get('counseling.slot').default_kinds()

    @classmethod
    def default_counselor(cls):
        return Pool().get('counseling.slot').default_counselor()

    _planning = ['counselor', 'from_date', 'to_date', 'weekdays',
        'from_time', 'to_time', 'minutes', 'methods', 'kinds']

    @fields.depends(*_planning)
    def on_change_with_slot_count(self):
        return len(self.planned_slots())

    @fields.depends(*_planning)
    def on_change_with_first_day(self):
        return self._planned_day(min)

    @fields.depends(*_planning)
    def on_change_with_last_day(self):
        return self._planned_day(max)

    def _planned_day(self, pick):
        "The counseling day of the first or last slot Create would make"
        Programme = Pool().get('support.programme')
        slots = self.planned_slots()
        if slots:
            return Programme(1).service_day(
                to_local(pick(s.start for s in slots)))

    def planned_slots(self):
        """The slots Create makes (unsaved): the times asked for, except
        those closed, outside the counseling hours or overlapping the
        counselor's slots; face to face is dropped where the office is
        closed"""
        pool = Pool()
        Slot = pool.get('counseling.slot')
        Programme = pool.get('support.programme')
        if not all(getattr(self, f, None) for f in self._planning):
            return []
        programme = Programme(1)
        times = [(to_utc(s), to_utc(e)) for s, e in self.candidates()]
        if not times:
            return []
        # The counselor's slots over the whole period, read once
        existing = Slot.search([
                ('counselor', '=', self.counselor.id),
                ('start', '<', max(e for _, e in times)),
                ('end', '>', min(s for s, _ in times)),
                ])
        slots = []
        for start, end in times:
            slot = Slot(counselor=self.counselor, start=start, end=end,
                methods=list(self.methods), kinds=list(self.kinds))
            for methods in [slot.methods,
                    [m for m in slot.methods if m != 'face_to_face']]:
                slot.methods = methods
                if not methods:
                    break
                try:
                    slot.check_times(programme)
                except SlotError:
                    continue
                if not any(o.start < end and start < o.end
                        for o in existing):
                    slots.append(slot)
                break
        return slots

    def candidates(self):
        "Local (start, end) of each slot asked for"
        if (self.minutes or 0) <= 0 or self.from_date > self.to_date:
            return
        length = dt.timedelta(minutes=self.minutes)
        day = self.from_date
        while day <= self.to_date:
            if str(day.weekday()) in self.weekdays:
                start = dt.datetime.combine(day, self.from_time)
                until = dt.datetime.combine(day, self.to_time)
                if until <= start:
                    until += dt.timedelta(days=1)
                while start + length <= until:
                    yield start, start + length
                    start += length
            day += dt.timedelta(days=1)


class Generate(Wizard):
    __name__ = 'counseling.slot.generate'

    start = StateView('counseling.slot.generate.start',
        'sakai_counseling.slot_generate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'generate', 'tryton-ok', default=True),
            ])
    generate = StateTransition()

    def transition_generate(self):
        "Create the slots that fit; skip closed, busy or out-of-hours times"
        Slot = Pool().get('counseling.slot')
        Slot.save(self.start.planned_slots())
        return 'end'

    def end(self):
        return 'reload'
