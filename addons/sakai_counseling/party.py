# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The client profile: a party who uses the service."""
import datetime as dt
import re
import unicodedata

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

from .exceptions import ClientValidationError

HOUSEHOLDS = [
    (None, ""),
    ('single_mother', "Single Mother"),
    ('single_father', "Single Father"),
    ('child', "Child of a Single-Parent Family"),
    ('considering_divorce', "Considering Divorce"),
    ('other', "Other"),
    ]
CURRENT_WORK = [
    (None, ""),
    ('none', "Not Working"),
    ('part_time', "Part-time"),
    ('contract', "Contract Employee"),
    ('dispatch', "Temporary Agency Worker"),
    ('full_time', "Full-time Employee"),
    ('self_employed', "Self-employed"),
    ('other', "Other"),
    ]
EMPLOYMENT_WISH = [
    (None, ""),
    ('find', "Find a Job"),
    ('change', "Change Jobs"),
    ('increase', "Increase Income in Current Job"),
    ('undecided', "Undecided"),
    ]
# Full-width katakana, the long vowel mark and spaces
KANA = re.compile(r'^[\u30A0-\u30FF\u3000 ]+$')


def normalize_kana(value):
    "Turn half-width katakana into full-width and hiragana into katakana"
    value = unicodedata.normalize('NFKC', value or '').strip()
    return ''.join(
        chr(ord(c) + 0x60) if '\u3041' <= c <= '\u3096' else c
        for c in value)


def age_on(birth_date, date):
    return date.year - birth_date.year - (
        (date.month, date.day) < (birth_date.month, birth_date.day))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    is_client = fields.Boolean("Client",
        help="Check if the person uses the employment-support service.")
    name_kana = fields.Char("Name (Kana)",
        states={'invisible': ~Eval('is_client', False)},
        help="The reading of the name in katakana.")
    registered_on = fields.Date("Registered On",
        states={
            'invisible': ~Eval('is_client', False),
            'required': Eval('is_client', False),
            })
    household = fields.Selection(HOUSEHOLDS, "Household", sort=False,
        states={
            'invisible': ~Eval('is_client', False),
            'required': Eval('is_client', False),
            })
    children = fields.One2Many('party.party.child', 'party', "Children",
        states={'invisible': ~Eval('is_client', False)})
    children_ages = fields.Function(fields.Char("Children's Ages",
            states={'invisible': ~Eval('is_client', False)}),
        'get_children_ages')
    current_work = fields.Selection(CURRENT_WORK, "Current Work", sort=False,
        states={'invisible': ~Eval('is_client', False)})
    current_work_note = fields.Char("Current Work Details",
        states={'invisible': ~Eval('is_client', False)})
    employment_wish = fields.Selection(EMPLOYMENT_WISH, "Wish", sort=False,
        states={'invisible': ~Eval('is_client', False)})
    counselor = fields.Many2One('res.user', "Counselor",
        domain=[('groups', '=', Id('sakai_programme', 'group_counselor'))],
        states={'invisible': ~Eval('is_client', False)},
        help="The counselor in charge of the client.")
    line_user = fields.Many2One('line.user', "LINE User", readonly=True,
        ondelete='RESTRICT',
        states={'invisible': ~Eval('is_client', False)})
    questionnaire_responses = fields.Function(fields.Many2Many(
            'questionnaire.response', None, None, "Diagnoses and Surveys",
            states={'invisible': ~Eval('is_client', False)}),
        'get_questionnaire_responses')
    latest_diagnosis = fields.Function(fields.Many2One(
            'questionnaire.response', "Latest Diagnosis",
            states={'invisible': ~Eval('is_client', False)}),
        'get_latest_diagnosis')
    latest_recommendations = fields.Function(fields.Text(
            "Recommended Support",
            states={'invisible': ~Eval('is_client', False)}),
        'get_latest_diagnosis')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('line_user_unique', Unique(t, t.line_user),
                'sakai_counseling.msg_client_line_user_unique'),
            ]
        cls.name.states = cls.name.states.copy()
        cls.name.states['required'] = (
            cls.name.states.get('required', False)
            | Eval('is_client', False))

    @classmethod
    def default_is_client(cls):
        return bool(Transaction().context.get('client'))

    @classmethod
    def default_registered_on(cls):
        if Transaction().context.get('client'):
            return Pool().get('ir.date').today()

    @fields.depends('name_kana')
    def on_change_name_kana(self):
        if self.name_kana:
            self.name_kana = normalize_kana(self.name_kana)

    def _responses(self):
        Response = Pool().get('questionnaire.response')
        domain = [('party', '=', self.id)]
        if self.line_user:
            domain = ['OR', domain, ('line_user', '=', self.line_user.id)]
        return Response.search(domain,
            order=[('started_at', 'DESC'), ('id', 'DESC')])

    def get_questionnaire_responses(self, name):
        if not self.is_client:
            return []
        return [r.id for r in self._responses()]

    def get_latest_diagnosis(self, name):
        if not self.is_client:
            return None
        for response in self._responses():
            if (response.state == 'done'
                    and response.questionnaire.kind == 'diagnosis'):
                if name == 'latest_diagnosis':
                    return response.id
                return response.recommendations
        return None

    def get_children_ages(self, name):
        today = Pool().get('ir.date').today()
        ages = sorted(
            age_on(c.birth_date, today) for c in self.children
            if c.birth_date)
        return gettext('sakai_counseling.msg_children_ages',
            ages=', '.join(map(str, ages))) if ages else ''

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        cls.check_name_kana(parties, field_names)

    @classmethod
    def check_name_kana(cls, parties, field_names=None):
        if field_names and 'name_kana' not in field_names:
            return
        for party in parties:
            if party.name_kana and not KANA.match(party.name_kana):
                raise ClientValidationError(gettext(
                        'sakai_counseling.msg_invalid_name_kana',
                        kana=party.name_kana, party=party.rec_name))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('name_kana'):
            values['name_kana'] = normalize_kana(values['name_kana'])
        return values


class Child(ModelSQL, ModelView):
    __name__ = 'party.party.child'
    __string__ = "Client's Child"

    party = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE')
    birth_date = fields.Date("Birth Date", required=True,
        help="The month and year are enough: use the first of the month.")
    age = fields.Function(fields.Integer("Age"), 'get_age')
    note = fields.Char("Note",
        help="e.g. nursery, school, needs care.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('party')
        cls._order.insert(0, ('birth_date', 'ASC'))

    def get_age(self, name):
        if self.birth_date:
            return age_on(self.birth_date, Pool().get('ir.date').today())

    @classmethod
    def validate_fields(cls, children, field_names):
        super().validate_fields(children, field_names)
        today = Pool().get('ir.date').today()
        for child in children:
            if child.birth_date and not (
                    today - dt.timedelta(days=366 * 30)
                    <= child.birth_date <= today):
                raise ClientValidationError(gettext(
                        'sakai_counseling.msg_invalid_child_birth_date',
                        date=child.birth_date.strftime('%Y/%m/%d'),
                        party=child.party.rec_name))
