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
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from sakai_line.configuration import utcnow

from .exceptions import RecordError
from .slot import KINDS, METHODS


def person_name(client, line_user):
    "Who a booking or record is for: the client, else the LINE account"
    if client:
        return client.rec_name
    if line_user:
        # Its reference (LINE-0024) and the nickname staff gave
        return line_user.rec_name
    return ''


class Step(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "Counseling Step"
    __name__ = 'counseling.step'

    name = fields.Char("Name", required=True, translate=True)
    guidance = fields.Text("Guidance", translate=True,
        help="What the counselor does in this step.")


class Record(Workflow, ModelSQL, ModelView):
    "Counseling Record"
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
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'draft'),
            }
        cls._buttons.update({
                'complete': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'done',
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
        return '%s %s' % (
            self.start.strftime('%Y-%m-%d') if self.start else '',
            self.person)

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            if not record.client and not record.line_user:
                raise RecordError(gettext(
                        'sakai_counseling.msg_record_person_required'))

    @classmethod
    def delete(cls, records):
        for record in records:
            if record.state == 'done':
                raise RecordError(gettext(
                        'sakai_counseling.msg_record_delete_done',
                        record=record.rec_name))
        super().delete(records)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def complete(cls, records):
        Booking = Pool().get('counseling.booking')
        for record in records:
            if not record.end:
                record.end = record.start + dt.timedelta(hours=1)
        cls.save(records)
        Booking.hold([r.booking for r in records
                if r.booking and r.booking.state == 'booked'])

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def reopen(cls, records):
        pass

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
    "Counseling Record Step"
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
