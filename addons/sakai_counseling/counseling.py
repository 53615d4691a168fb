# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Counseling records: what happened in each session, step by step.

The programme's steps (受容・関係づくり → 現状把握 → 自己理解 → 仕事理解 →
方向性 → 行動計画) are data, so another city keeps its own.  A record marks
whether the person's career direction is now clear: that is what opens job
introduction (Sakai 7(2)②(エ)).

Counting rules, defined here once and used by the reports:

- a *consultation* is a completed record (a session held); bookings that
  were cancelled or not attended are not consultations, they are counted
  on the booking by state;
- a *counseling user* of a period is a person (client file, or the LINE
  account while there is no file) with at least one consultation of the
  kind in the period; a person counts once however many sessions they had.

Who changes a record: only its counselor, and only while it is a draft.
Other counselors read it (team work).  A completed record is never
rewritten: corrections and additions are dated, signed amendments kept
with it, and the original stays as it was written.  A session is completed
once it has taken place, never before.
"""
import datetime as dt
from functools import wraps

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from sakai_programme.programme import to_local, utcnow

from .exceptions import RecordAccessError, RecordError
from .slot import KINDS, METHODS


def checked_first(check):
    """Call cls.<check>(records) for users before ModelView.button checks
    them: Tryton refuses with the button's code name (「complete」), our
    check tells in Japanese why"""
    def decorator(func):
        @wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            if Transaction().check_access:
                getattr(cls, check)(records)
            return func(cls, records, *args, **kwargs)
        return wrapper
    return decorator


def person_name(client, line_user):
    "Who a booking or record is for: the client, else the LINE account"
    if client:
        return client.rec_name
    if line_user:
        # Its reference (LINE-0024) and the nickname staff gave
        return line_user.rec_name
    return ''


class Step(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'counseling.step'

    name = fields.Char("Name", required=True, translate=True)
    guidance = fields.Text("Guidance", translate=True,
        help="What the counselor does in this step.")


class Record(Workflow, ModelSQL, ModelView):
    __name__ = 'counseling.record'

    _states = {'readonly': Eval('state') == 'done'}

    booking = fields.Many2One('counseling.booking', "Booking",
        ondelete='RESTRICT', states=_states,
        domain=[('state', 'in', ['booked', 'done'])])
    client = fields.Many2One('party.party', "Client", ondelete='RESTRICT',
        domain=[('is_client', '=', True)], states=_states)
    line_user = fields.Many2One('line.user', "LINE User",
        ondelete='RESTRICT', states=_states)
    person = fields.Function(fields.Char("Person"), 'get_person')
    counselor = fields.Many2One('res.user', "Counselor", required=True,
        states=_states)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False,
        states=_states)
    method = fields.Selection(METHODS, "Method", required=True, sort=False,
        states=_states)
    start = fields.DateTime("Start", required=True, states=_states)
    end = fields.DateTime("End", states=_states,
        domain=['OR', ('end', '=', None), ('end', '>', Eval('start'))])
    concerns = fields.Text("Concerns", states=_states,
        help="What the person came with, in their words.")
    steps = fields.One2Many('counseling.record.step', 'record', "Steps",
        states=_states)
    notes = fields.Text("Notes", states=_states)
    next_action = fields.Text("Next Action", states=_states)
    next_date = fields.Date("Next Date", states=_states)
    sensitive = fields.Boolean("DV or Health Notes", states=_states,
        help="Check when the record tells of violence at home or of health: "
        "then only counselors can read it.")
    direction_clear = fields.Boolean("Career Direction Clear",
        states=_states,
        help="Check when self-understanding and understanding of work have "
        "grown and the person's career direction is clear: this opens job "
        "introduction to them.")
    amendments = fields.One2Many('counseling.record.amendment', 'record',
        "Amendments", states={'readonly': Eval('state') != 'done'},
        help="Corrections and additions made after the record was "
        "completed, dated and signed; the record itself stays as written.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        # No way back to draft: a completed record is amended, not reopened
        cls._transitions |= {
            ('draft', 'done'),
            }
        cls._buttons.update({
                'complete': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_counselor(cls):
        return Transaction().user

    @classmethod
    def default_kind(cls):
        return 'career'

    @classmethod
    def default_method(cls):
        return 'chat'

    @classmethod
    def default_start(cls):
        return utcnow().replace(second=0, microsecond=0)

    @classmethod
    def default_steps(cls):
        Step = Pool().get('counseling.step')
        return [{'step': s.id, 'sequence': s.sequence}
            for s in Step.search([])]

    @fields.depends('booking')
    def on_change_booking(self):
        if self.booking:
            for name in ['client', 'line_user', 'counselor', 'kind',
                    'method', 'start', 'end']:
                setattr(self, name, getattr(self.booking, name))

    @classmethod
    def from_booking(cls, booking):
        record = cls(booking=booking, steps=cls.default_steps())
        record.on_change_booking()
        return record

    def get_person(self, name):
        return person_name(self.client, self.line_user)

    def get_rec_name(self, name):
        # The day of the session in the programme's local time
        return '%s %s' % (
            to_local(self.start).strftime('%Y-%m-%d') if self.start else '',
            self.person)

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            if not record.client and not record.line_user:
                raise RecordError(gettext(
                        'sakai_counseling.msg_record_person_required'))

    @classmethod
    def check_own(cls, records, message='sakai_counseling.msg_record_not_own'):
        "Refuse unless the user is the counselor of every record"
        user = Transaction().user
        for record in records:
            if record.counselor.id != user:
                raise RecordAccessError(gettext(message,
                        record=record.rec_name,
                        counselor=record.counselor.rec_name))

    @classmethod
    def check_draft(cls, records):
        "Refuse to rewrite completed records"
        for record in records:
            if record.state == 'done':
                raise RecordAccessError(gettext(
                        'sakai_counseling.msg_record_done',
                        record=record.rec_name))

    @classmethod
    def check_values(cls, values):
        """Refuse values only the code may set: the state (buttons) and
        another counselor"""
        if 'state' in values and values['state'] != 'draft':
            raise RecordAccessError(gettext(
                    'sakai_counseling.msg_record_state_button'))
        if values.get('counselor', Transaction().user) != Transaction().user:
            raise RecordAccessError(gettext(
                    'sakai_counseling.msg_record_counselor_self'))

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access:
            for values in vlist:
                cls.check_values(values)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        if Transaction().check_access:
            actions = iter(args)
            for records, values in zip(actions, actions):
                cls.check_own(records)
                cls.check_values(values)
                # Amendments are added to completed records: their own
                # model refuses to change or delete them
                if set(values) - {'amendments'}:
                    cls.check_draft(records)
        super().write(*args)

    @classmethod
    def delete(cls, records):
        if Transaction().check_access:
            cls.check_own(records)
        for record in records:
            if record.state == 'done':
                raise RecordError(gettext(
                        'sakai_counseling.msg_record_delete_done',
                        record=record.rec_name))
        super().delete(records)

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('amendments', None)
        return super().copy(records, default=default)

    @classmethod
    def check_complete(cls, records):
        "Say in Japanese why records cannot be completed by the user"
        pool = Pool()
        Button = pool.get('ir.model.button')
        User = pool.get('res.user')
        groups = Button.get_groups(cls.__name__, 'complete')
        if groups and not groups & set(User.get_groups()):
            raise RecordAccessError(gettext(
                    'sakai_counseling.msg_record_complete_group'))
        cls.check_own(records)
        for record in records:
            if record.state != 'draft':
                raise RecordAccessError(gettext(
                        'sakai_counseling.msg_record_already_done',
                        record=record.rec_name))

    @classmethod
    @checked_first('check_complete')
    @ModelView.button
    @Workflow.transition('done')
    def complete(cls, records):
        Booking = Pool().get('counseling.booking')
        now = utcnow()
        for record in records:
            # A session is recorded as held once it has started
            start = max(filter(None, [record.start,
                        record.booking.start if record.booking else None]))
            if start > now:
                raise RecordError(gettext(
                        'sakai_counseling.msg_record_complete_future',
                        record=record.rec_name,
                        start=to_local(start).strftime('%Y-%m-%d %H:%M')))
            if not record.end:
                record.end = record.start + dt.timedelta(hours=1)
        cls.save(records)
        Booking.hold([r.booking for r in records
                if r.booking and r.booking.state == 'booked'])

    # Counting rules (see the module docstring)

    @classmethod
    def consultations_domain(cls, start, end, kind=None):
        "Completed records of kind that started in [start, end) (naive UTC)"
        domain = [
            ('state', '=', 'done'),
            ('start', '>=', start),
            ('start', '<', end),
            ]
        if kind:
            domain.append(('kind', '=', kind))
        return domain

    @classmethod
    def count_consultations(cls, start, end, kind=None):
        return cls.search_count(cls.consultations_domain(start, end, kind))

    def person_key(self):
        "One key per person: the client file, else the LINE account"
        if self.client:
            return ('party', self.client.id)
        if self.line_user:
            client = self.line_user.client()
            if client:
                return ('party', client.id)
        return ('line', self.line_user.id if self.line_user else None)

    @classmethod
    def count_users(cls, start, end, kind=None):
        "How many people had at least one consultation of kind"
        records = cls.search(cls.consultations_domain(start, end, kind))
        return len({r.person_key() for r in records})

    @classmethod
    def direction_clear_for(cls, line_user=None, client=None):
        "Whether a completed record marks the person's direction clear"
        people = []
        if line_user:
            people += [('line_user', '=', line_user.id),
                ('client.line_user', '=', line_user.id)]
            linked = line_user.client()
            if linked:
                people.append(('client', '=', linked.id))
        if client:
            people.append(('client', '=', client.id))
            if client.line_user:
                people.append(('line_user', '=', client.line_user.id))
        if not people:
            return False
        # Whoever books may not read the record itself (DV or health notes)
        with Transaction().set_context(_check_access=False):
            return bool(cls.search([
                        ('state', '=', 'done'),
                        ('direction_clear', '=', True),
                        ['OR'] + people,
                        ], limit=1))


class RecordStep(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'counseling.record.step'

    record = fields.Many2One('counseling.record', "Record", required=True,
        ondelete='CASCADE')
    step = fields.Many2One('counseling.step', "Step", required=True,
        ondelete='RESTRICT')
    covered = fields.Boolean("Covered")
    note = fields.Text("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('record')

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access:
            cls.check_records(
                [v['record'] for v in vlist if v.get('record') is not None])
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        if Transaction().check_access:
            actions = iter(args)
            for steps, values in zip(actions, actions):
                ids = [s.record.id for s in steps]
                if values.get('record') is not None:
                    ids.append(values['record'])
                cls.check_records(ids)
        super().write(*args)

    @classmethod
    def delete(cls, steps):
        if Transaction().check_access:
            cls.check_records([s.record.id for s in steps])
        super().delete(steps)

    @classmethod
    def check_records(cls, ids):
        "The steps are part of the record: changed as it is"
        Record = Pool().get('counseling.record')
        records = Record.browse(list(set(ids)))
        Record.check_own(records)
        Record.check_draft(records)


class RecordAmendment(ModelSQL, ModelView):
    """A correction or addition to a completed record, dated and signed by
    its counselor; the record keeps what was first written.  Amendments are
    never changed or deleted by users."""
    __name__ = 'counseling.record.amendment'

    _states = {'readonly': Eval('id', -1) >= 0}

    record = fields.Many2One('counseling.record', "Record", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[('state', '=', 'done')])
    date = fields.DateTime("Date", required=True, readonly=True)
    author = fields.Many2One('res.user', "Author", required=True,
        readonly=True)
    reason = fields.Char("Reason", required=True, states=_states,
        help="Why the record is amended: a mistake corrected, something "
        "left out, something learnt later.")
    text = fields.Text("Amendment", required=True, states=_states,
        help="The correction or addition, as it should be read with the "
        "record.")
    sensitive = fields.Boolean("DV or Health Notes", states=_states,
        help="Check when the amendment tells of violence at home or of "
        "health: the record is then marked so and only counselors read it.")
    direction_clear = fields.Boolean("Career Direction Clear",
        states=_states,
        help="Check when the person's career direction is found clear "
        "after all: the record is then marked so, which opens job "
        "introduction to them.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_date(cls):
        return utcnow().replace(microsecond=0)

    @classmethod
    def default_author(cls):
        return Transaction().user

    def get_rec_name(self, name):
        date = (to_local(self.date).strftime('%Y-%m-%d %H:%M')
            if self.date else '')
        return '%s %s' % (date, self.reason or '')

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Record = pool.get('counseling.record')
        transaction = Transaction()
        if transaction.check_access:
            vlist = [v.copy() for v in vlist]
            for values in vlist:
                # Dated and signed by the server, whatever the caller sends
                values['date'] = cls.default_date()
                values['author'] = transaction.user
                if values.get('record') is not None:
                    record = Record(values['record'])
                    Record.check_own([record],
                        'sakai_counseling.msg_amendment_not_own')
                    if record.state != 'done':
                        raise RecordAccessError(gettext(
                                'sakai_counseling.msg_amendment_draft',
                                record=record.rec_name))
        amendments = super().create(vlist)
        cls.mark_records(amendments)
        return amendments

    @classmethod
    def mark_records(cls, amendments):
        """Mark the records as the amendments say: DV or health notes, a
        clear direction (never unmarked: the amendment tells when)"""
        Record = Pool().get('counseling.record')
        to_write = []
        for name in ['sensitive', 'direction_clear']:
            records = list(dict.fromkeys(a.record for a in amendments
                    if getattr(a, name) and not getattr(a.record, name)))
            if records:
                to_write.extend([records, {name: True}])
        if to_write:
            with Transaction().set_context(_check_access=False):
                Record.write(*to_write)

    @classmethod
    def write(cls, *args):
        if Transaction().check_access:
            for amendments in args[::2]:
                for amendment in amendments:
                    raise RecordAccessError(gettext(
                            'sakai_counseling.msg_amendment_readonly',
                            amendment=amendment.rec_name))
        super().write(*args)

    @classmethod
    def delete(cls, amendments):
        if Transaction().check_access:
            for amendment in amendments:
                raise RecordAccessError(gettext(
                        'sakai_counseling.msg_amendment_delete',
                        amendment=amendment.rec_name))
        super().delete(amendments)
