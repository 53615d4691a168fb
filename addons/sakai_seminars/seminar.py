# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Seminars and exchange meetings, and their sessions."""
from trytond.i18n import gettext
from trytond.model import (
    Check, DeactivableMixin, ModelSQL, ModelView, Workflow, fields)
from trytond.pyson import Eval

from .exceptions import SessionValidationError

KINDS = [
    ('self_reliance', "Self-reliance Seminar"),
    ('exchange', "Exchange Meeting"),
    ('skill_up', "Skill-up Seminar"),
    ]
# Capacity per session as the Sakai specification sets it
DEFAULT_CAPACITY = {
    'self_reliance': 20,
    'exchange': 10,
    'skill_up': 5,
    }


class Seminar(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'seminar.seminar'

    name = fields.Char("Title", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    theme = fields.Char("Theme")
    target = fields.Char("Target",
        help="e.g. parents single for less than 3 years.")
    description = fields.Text("Description")
    capacity = fields.Integer("Capacity", required=True,
        domain=[('capacity', '>', 0)],
        help="The default number of places of its sessions.")
    sessions = fields.One2Many('seminar.session', 'seminar', "Sessions")

    @classmethod
    def default_kind(cls):
        return 'self_reliance'

    @classmethod
    def default_capacity(cls):
        return DEFAULT_CAPACITY[cls.default_kind()]

    @fields.depends('kind')
    def on_change_kind(self):
        if self.kind:
            self.capacity = DEFAULT_CAPACITY[self.kind]


class Session(Workflow, ModelSQL, ModelView):
    __name__ = 'seminar.session'

    _states = {'readonly': Eval('state') != 'planned'}

    seminar = fields.Many2One('seminar.seminar', "Seminar", required=True,
        ondelete='CASCADE', states=_states)
    start = fields.DateTime("Start", required=True, states=_states)
    end = fields.DateTime("End", required=True, states=_states)
    method = fields.Selection([
            ('face_to_face', "Face-to-face"),
            ('online', "Online"),
            ], "Method", required=True, states=_states)
    venue = fields.Char("Venue", states=_states,
        help="The room, or the web meeting tool for online sessions.")
    speaker = fields.Char("Speaker", states=_states)
    capacity = fields.Integer("Capacity", required=True, states=_states)
    childcare = fields.Boolean("Childcare Available", states=_states)
    state = fields.Selection([
            ('planned', "Planned"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('capacity_positive', Check(t, t.capacity > 0),
                'sakai_seminars.msg_session_capacity_positive'),
            ]
        cls._order = [('start', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('planned', 'done'),
            ('planned', 'cancelled'),
            ('cancelled', 'planned'),
            ('done', 'planned'),
            }
        cls._buttons.update({
                'plan': {
                    'invisible': Eval('state') == 'planned',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_method(cls):
        return 'face_to_face'

    @fields.depends('seminar', '_parent_seminar.capacity', 'capacity')
    def on_change_seminar(self):
        if self.seminar and not self.capacity:
            self.capacity = self.seminar.capacity

    def get_rec_name(self, name):
        return '%s (%s)' % (
            self.seminar.rec_name, self.start.strftime('%Y/%m/%d'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('seminar.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, sessions, field_names):
        super().validate_fields(sessions, field_names)
        if field_names and not (field_names & {'start', 'end'}):
            return
        for session in sessions:
            if session.end <= session.start:
                raise SessionValidationError(gettext(
                        'sakai_seminars.msg_session_end_before_start',
                        session=session.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, sessions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, sessions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, sessions):
        pass
