# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Referrals: the directory of partner agencies the counselors
share, and the client's referrals to them with consent and outcome."""
import datetime as dt

from sql import Literal, Null
from sql.aggregate import Count
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Workflow, fields,
    sequence_ordered)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, Id, If
from trytond.transaction import Transaction

from sakai_programme.programme import normalize_phone, parse_phone, search_any

from .exceptions import AgencyValidationError, ReferralValidationError

AGENCY_KINDS = [
    ('ward_child_support', "Ward Child-Support Section"),
    ('single_parent_centre', "Single-Parent Employment Centre"),
    ('hello_work', "Hello Work"),
    ('dv', "DV Consultation"),
    ('living_support', "Living and Poverty Support"),
    ('youth_support', "Youth Support Station"),
    ('health', "Health and Mental Health"),
    ('legal', "Legal Consultation"),
    ('other', "Other"),
    ]
REFERRAL_METHODS = [
    ('introduction', "Introduction Only"),
    ('information_shared', "Information Shared"),
    ]
CONSENT_METHODS = [
    (None, ""),
    ('verbal_in_person', "Verbally in Person"),
    ('verbal_phone', "Verbally by Phone"),
    ('line', "In Writing on LINE"),
    ('form', "Signed Consent Form"),
    ]
# How a referral's consent was given, as a consent ledger channel
LEDGER_CHANNELS = {
    'verbal_in_person': 'in_person',
    'verbal_phone': 'phone',
    'line': 'line',
    'form': 'paper',
    }
OUTCOMES = [
    (None, ""),
    ('connected', "Connected"),
    ('not_connected', "Not Connected"),
    ('declined', "Declined by the Person"),
    ('not_eligible', "Not Eligible"),
    ('unknown', "Unknown"),
    ]


def phone_region():
    return Pool().get('support.programme').phone_region_default()


class Agency(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'counseling.agency'
    __string__ = "Partner Agency"

    name = fields.Char("Name", required=True)
    kind = fields.Selection(AGENCY_KINDS, "Kind", required=True, sort=False)
    handles = fields.Text("Handles",
        help="What the agency helps with: the matters to refer people for.")
    phone = fields.Char("Phone",
        help="The number to tell the person, as it is dialled.")
    address = fields.Text("Address")
    website = fields.Char("Web Page")
    opening_hours = fields.Char("Opening Hours",
        help="e.g. weekdays 9:00-17:30 except public holidays.")
    note = fields.Text("Notes for Counselors",
        help="What counselors learnt: whom to ask for, what to bring, "
        "how long it takes. Not shown to citizens.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.append(('name', 'ASC'))

    @classmethod
    def default_kind(cls):
        return 'other'

    @fields.depends('phone')
    def on_change_phone(self):
        self.phone = normalize_phone(self.phone, phone_region())

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['name', 'handles'])

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('phone'):
            values['phone'] = normalize_phone(values['phone'], phone_region())
        return values

    @classmethod
    def validate_fields(cls, agencies, field_names):
        super().validate_fields(agencies, field_names)
        cls.check_phone(agencies, field_names)

    @classmethod
    def check_phone(cls, agencies, field_names=None):
        if field_names and 'phone' not in field_names:
            return
        region = phone_region()
        for agency in agencies:
            if agency.phone and not parse_phone(agency.phone, region):
                raise AgencyValidationError(gettext(
                        'sakai_counseling.msg_agency_invalid_phone',
                        phone=agency.phone, agency=agency.rec_name))


class Referral(Workflow, ModelSQL, ModelView):
    __name__ = 'counseling.referral'
    __string__ = "Referral"

    _states = {'readonly': Eval('state') != 'draft'}

    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE', domain=[('is_client', '=', True)],
        states=_states)
    agency = fields.Many2One('counseling.agency', "Agency", required=True,
        ondelete='RESTRICT', states=_states)
    agency_kind = fields.Function(fields.Selection(
            AGENCY_KINDS, "Agency Kind"),
        'on_change_with_agency_kind', searcher='search_agency_kind')
    counselor = fields.Many2One('res.user', "Counselor", required=True,
        domain=[('groups', '=', Id('sakai_programme', 'group_counselor'))],
        states=_states)
    date = fields.Date("Date", required=True, states=_states,
        help="The day the agency was introduced or told about the person.")
    reason = fields.Text("Reason", required=True, states=_states,
        help="What the person needs and why this agency.")
    method = fields.Selection(REFERRAL_METHODS, "How", required=True,
        sort=False, states=_states,
        help="Introduction Only: the person is told about the agency and "
        "contacts it themselves; nothing is passed on.\n"
        "Information Shared: the counselor tells the agency about the "
        "person, which needs the person's consent.")
    consent = fields.Boolean("Consent Given",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('method') != 'information_shared',
            },
        help="The person agrees that the counselor tells this agency "
        "about them.")
    consent_method = fields.Selection(CONSENT_METHODS, "Consent Given By",
        sort=False,
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('method') != 'information_shared',
            'required': Bool(Eval('consent')),
            })
    consent_date = fields.Date("Consent Date",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('method') != 'information_shared',
            'required': Bool(Eval('consent')),
            })
    shared_information = fields.Text("Information Passed On",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            'invisible': Eval('method') != 'information_shared',
            },
        help="What the agency was told: only what it needs.")
    follow_up_date = fields.Date("Follow Up On",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            },
        help="When to ask the person or the agency how it went.")
    outcome = fields.Selection(OUTCOMES, "Outcome", sort=False,
        states={
            'readonly': Eval('state').in_(['draft', 'done', 'cancelled']),
            'required': Eval('state') == 'done',
            })
    outcome_date = fields.Date("Outcome Date",
        states={
            'readonly': Eval('state').in_(['draft', 'done', 'cancelled']),
            'required': Eval('state') == 'done',
            })
    outcome_note = fields.Text("Outcome Note",
        states={
            'readonly': Eval('state').in_(['draft', 'cancelled']),
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('referred', "Referred"),
            ('done', "Outcome Recorded"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'referred'),
            ('referred', 'done'),
            ('done', 'referred'),
            ('draft', 'cancelled'),
            ('referred', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'referred']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                'refer': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'done': {
                    'invisible': Eval('state') != 'referred',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_counselor(cls):
        return Transaction().user or None

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_method(cls):
        return 'introduction'

    @classmethod
    def default_consent(cls):
        return False

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('//group[@id="consent"]', 'states', {
                    'invisible': Eval('method') != 'information_shared',
                    }),
            ('//group[@id="outcome"]', 'states', {
                    'invisible': Eval('state') == 'draft',
                    }),
            ]

    @fields.depends('agency')
    def on_change_with_agency_kind(self, name=None):
        if self.agency:
            return self.agency.kind

    @classmethod
    def search_agency_kind(cls, name, clause):
        return [('agency.kind',) + tuple(clause[1:])]

    @fields.depends('consent', 'consent_date')
    def on_change_consent(self):
        if self.consent and not self.consent_date:
            self.consent_date = Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return '%s - %s' % (self.client.rec_name, self.agency.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_any(clause, ['client.rec_name', 'agency.rec_name'])

    @property
    def consent_recorded(self):
        return bool(self.consent and self.consent_method and self.consent_date)

    @classmethod
    def validate_fields(cls, referrals, field_names):
        super().validate_fields(referrals, field_names)
        cls.check_consent(referrals, field_names)
        cls.check_outcome_date(referrals, field_names)

    @classmethod
    def check_consent(cls, referrals, field_names=None):
        "Nothing is passed on to an agency without the person's consent"
        if field_names and not (field_names & {
                    'state', 'method', 'consent', 'consent_method',
                    'consent_date', 'date'}):
            return
        for referral in referrals:
            if (referral.method != 'information_shared'
                    or referral.state not in {'referred', 'done'}):
                continue
            if not referral.consent_recorded:
                raise ReferralValidationError(gettext(
                        'sakai_counseling.msg_referral_consent_required',
                        client=referral.client.rec_name,
                        agency=referral.agency.rec_name))
            if referral.consent_date > referral.date:
                raise ReferralValidationError(gettext(
                        'sakai_counseling.msg_referral_consent_after',
                        client=referral.client.rec_name,
                        consent_date=referral.consent_date.strftime(
                            '%Y/%m/%d'),
                        date=referral.date.strftime('%Y/%m/%d')))

    @classmethod
    def check_outcome_date(cls, referrals, field_names=None):
        if field_names and not (field_names & {'outcome_date', 'date'}):
            return
        for referral in referrals:
            if referral.outcome_date and referral.outcome_date < referral.date:
                raise ReferralValidationError(gettext(
                        'sakai_counseling.msg_referral_outcome_before',
                        outcome_date=referral.outcome_date.strftime(
                            '%Y/%m/%d'),
                        date=referral.date.strftime('%Y/%m/%d')))

    @classmethod
    def check_modification(cls, mode, referrals, values=None, external=False):
        super().check_modification(
            mode, referrals, values=values, external=external)
        if mode == 'delete':
            for referral in referrals:
                if referral.state not in {'draft', 'cancelled'}:
                    raise AccessError(gettext(
                            'sakai_counseling.msg_referral_delete',
                            referral=referral.rec_name))

    @classmethod
    def copy(cls, referrals, default=None):
        default = default.copy() if default is not None else {}
        for name in ['date', 'consent', 'consent_method', 'consent_date',
                'shared_information', 'follow_up_date', 'outcome',
                'outcome_date', 'outcome_note']:
            default.setdefault(name, None)
        default.setdefault('counselor', cls.default_counselor())
        default.setdefault('date', cls.default_date())
        default.setdefault('consent', False)
        return super().copy(referrals, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, referrals):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, referrals):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('referred')
    def refer(cls, referrals):
        for referral in referrals:
            if referral.method == 'information_shared':
                referral.ledger_consent()

    def ledger_consent(self):
        """Write the consent this referral records into the client's consent
        ledger, unless the person withdrew it since; then refuse to pass
        anything on without a current consent"""
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        purpose = Purpose.get('agency_sharing')
        if not purpose or not self.consent_recorded:
            # The referral's own validation says what is missing
            return
        line = Consent.current(self.client, purpose)
        given_at = dt.datetime.combine(self.consent_date, dt.time())
        if not line or (line.action == 'withdrawn' and line.at < given_at):
            Consent.create([{
                        'party': self.client.id,
                        'purpose': purpose.id,
                        'action': 'given',
                        'at': given_at,
                        'channel': LEDGER_CHANNELS.get(
                            self.consent_method, 'in_person'),
                        'note': self.rec_name,
                        }])
        self.client.check_consent('agency_sharing')

    @classmethod
    @ModelView.button
    @Workflow.transition('referred')
    def reopen(cls, referrals):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, referrals):
        today = Pool().get('ir.date').today()
        cls.write([r for r in referrals if not r.outcome_date], {
                'outcome_date': today,
                })


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    referrals = fields.One2Many('counseling.referral', 'client', "Referrals",
        states={'invisible': ~Eval('is_client', False)})

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('referrals', None)
        return super().copy(parties, default=default)


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        Referral = Pool().get('counseling.referral')
        return super().to_erase(party_id) + [
            (Referral, [('client', '=', party_id)], True,
                ['reason', 'shared_information', 'outcome_note'],
                ['****', None, None]),
            ]


class ReferralAgencyContext(ModelView):
    __name__ = 'counseling.referral.agency.context'
    __string__ = "Referrals per Agency Context"

    from_date = fields.Date("From",
        domain=[If(Bool(Eval('from_date')) & Bool(Eval('to_date')),
                ('from_date', '<=', Eval('to_date')),
                ())])
    to_date = fields.Date("To")
    kind = fields.Selection([(None, "")] + AGENCY_KINDS, "Kind", sort=False)


class ReferralAgency(ModelSQL, ModelView):
    __name__ = 'counseling.referral.agency'
    __string__ = "Referrals per Agency"

    agency = fields.Many2One('counseling.agency', "Agency")
    kind = fields.Selection(AGENCY_KINDS, "Kind", sort=False)
    sequence = fields.Integer("Sequence")
    referrals = fields.Integer("Referrals",
        help="Referrals made (not drafts or cancelled ones).")
    introduced = fields.Integer("Introduction Only")
    shared = fields.Integer("Information Shared")
    pending = fields.Integer("Awaiting Outcome")
    connected = fields.Integer("Connected")
    not_connected = fields.Integer("Not Connected")
    declined = fields.Integer("Declined")
    not_eligible = fields.Integer("Not Eligible")
    unknown = fields.Integer("Unknown")
    connected_rate = fields.Function(fields.Float("Connected Rate",
            digits=(1, 3),
            help="Share of the referrals with an outcome that connected."),
        'get_connected_rate')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('referrals', 'DESC'), ('sequence', 'ASC NULLS FIRST'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Referral = pool.get('counseling.referral')
        Agency = pool.get('counseling.agency')
        referral = Referral.__table__()
        agency = Agency.__table__()
        context = Transaction().context

        where = referral.state.in_(['referred', 'done'])
        if context.get('from_date'):
            where &= referral.date >= context['from_date']
        if context.get('to_date'):
            where &= referral.date <= context['to_date']

        def count(condition=None):
            return Count(referral.id, filter_=condition)

        def outcome(value):
            return count((referral.state == 'done')
                & (referral.outcome == value))

        counted = referral.select(
            referral.agency.as_('agency'),
            count().as_('referrals'),
            count(referral.method == 'introduction').as_('introduced'),
            count(referral.method == 'information_shared').as_('shared'),
            count(referral.state == 'referred').as_('pending'),
            outcome('connected').as_('connected'),
            outcome('not_connected').as_('not_connected'),
            outcome('declined').as_('declined'),
            outcome('not_eligible').as_('not_eligible'),
            outcome('unknown').as_('unknown'),
            where=where,
            group_by=[referral.agency])

        # Every active agency shows, also those nobody is sent to;
        # inactive ones only when they were used in the period.
        where = (agency.active == Literal(True)) | (counted.agency != Null)
        if context.get('kind'):
            where &= agency.kind == context['kind']
        columns = [agency.id.as_('id'), agency.id.as_('agency'),
            agency.kind.as_('kind'), agency.sequence.as_('sequence')]
        for name in ['referrals', 'introduced', 'shared', 'pending',
                'connected', 'not_connected', 'declined', 'not_eligible',
                'unknown']:
            columns.append(Coalesce(getattr(counted, name), 0).as_(name))
        return (agency
            .join(counted, 'LEFT', condition=counted.agency == agency.id)
            .select(*columns, where=where))

    def get_connected_rate(self, name):
        closed = (self.connected + self.not_connected + self.declined
            + self.not_eligible + self.unknown)
        if closed:
            return self.connected / closed
