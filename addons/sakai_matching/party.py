# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""A client's wishes and constraints for matching, and the job order's
side: hours as times, weekend work, the area of the workplace."""
import datetime as dt
import re
import unicodedata
from types import SimpleNamespace

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from sakai_jobs.party import INDUSTRIES

from . import engine
from .exceptions import WishError

AREAS = [
    (None, ""),
    ('sakai', "Sakai Ward"),
    ('kita', "Kita Ward"),
    ('naka', "Naka Ward"),
    ('higashi', "Higashi Ward"),
    ('nishi', "Nishi Ward"),
    ('minami', "Minami Ward"),
    ('mihara', "Mihara Ward"),
    ('osaka', "Osaka City"),
    ('other', "Elsewhere"),
    ]
WISH_EMPLOYMENT = [
    (None, ""),
    ('full_time', "Full-time Only"),
    ('full_time_preferred', "Full-time Preferred"),
    ('any', "Any"),
    ('part_time', "Part-time Preferred"),
    ]
FREQUENCIES = [
    (None, ""),
    ('daily', "Every Day"),
    ('weekly', "Every Week"),
    ('stop', "Stopped"),
    ]
HOURS = re.compile(
    r'(\d{1,2})[:：時](\d{2})?\D{0,3}?[〜~\-－ー―]\s*(\d{1,2})[:：時](\d{2})?')
# The registration diagnosis's answers, read when the wish is not recorded
DIAGNOSIS_EMPLOYMENT = {'regular': 'full_time_preferred',
    'part_time': 'part_time', 'contract': 'any', 'any': 'any'}
# Written by the matching module only (see Party.write)
SYSTEM_FIELDS = {'matching_frequency', 'matching_end_before',
    'matching_commute_below', 'matching_wage_above', 'matching_avoid',
    'matching_prompted_on'}
# What a job order's card on LINE shows (see sakai_jobs.line.job_details)
CARD_FIELDS = ['employment_type', 'wage_type', 'wage_min', 'wage_max',
    'location', 'hours', 'short_hours', 'remote', 'no_overtime']
ASSESSMENTS = ['interests', 'work_values', 'personality']
DIAGNOSIS_END = {'weekday_daytime': dt.time(18), 'pickup': dt.time(17),
    'no_night': dt.time(20)}


def parse_hours(text):
    "(start, end) times of a text like 9:00〜16:00, or (None, None)"
    text = unicodedata.normalize('NFKC', text or '')
    match = HOURS.search(text)
    if not match:
        return None, None
    h1, m1, h2, m2 = match.groups()
    try:
        return (dt.time(int(h1), int(m1 or 0)), dt.time(int(h2), int(m2 or 0)))
    except ValueError:
        return None, None


def minutes(value):
    return value.hour * 60 + value.minute if value is not None else None


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    _client = {'invisible': ~Eval('is_client', False)}

    wish_employment = fields.Selection(WISH_EMPLOYMENT, "Employment Wished",
        sort=False, states=_client,
        help="Full-time Only leaves out every other kind of job; the "
        "others put full-time jobs first unless part-time is preferred.")
    wish_wage = fields.Integer("Minimum Monthly Income (Yen)",
        domain=['OR', ('wish_wage', '=', None), ('wish_wage', '>=', 0)],
        states=_client,
        help="Hourly wages count as 130 hours a month.")
    wish_start_from = fields.Time("Can Start Work From", states=_client)
    wish_end_by = fields.Time("Must Finish Work By", states=_client,
        help="Jobs ending later are never recommended.")
    wish_weekdays_only = fields.Boolean("Weekdays Only", states=_client)
    wish_short_hours = fields.Boolean("Short Hours", states=_client)
    wish_no_overtime = fields.Boolean("No Overtime", states=_client)
    wish_remote = fields.Boolean("Remote Work Wished", states=_client)
    home_area = fields.Selection(AREAS, "Home Area", sort=False,
        states=_client)
    wish_commute = fields.Integer("Maximum Commuting Time (min)",
        domain=['OR', ('wish_commute', '=', None),
            ('wish_commute', '>', 0)],
        states=_client)
    experience_industry = fields.Selection(INDUSTRIES, "Experience",
        sort=False, states=_client,
        help="The field the client has worked in longest.")
    qualifications = fields.Char("Qualifications", states=_client)
    matching_frequency = fields.Selection(FREQUENCIES,
        "Job Recommendations on LINE", sort=False, readonly=True,
        states=_client,
        help="Chosen by the person on LINE, with their consent.")
    matching_end_before = fields.Time("Declined Jobs Ending From",
        readonly=True, states=_client,
        help="Learnt from 「時間が合わない」: jobs ending at this time or "
        "later are no longer recommended.")
    matching_commute_below = fields.Integer(
        "Declined Commutes From (min)", readonly=True, states=_client)
    matching_wage_above = fields.Integer("Declined Wages Up To (Yen)",
        readonly=True, states=_client)
    matching_avoid = fields.Char("Declined Kinds of Work", readonly=True,
        states=_client)
    matching_prompted_on = fields.Date("Asked for Wishes On", readonly=True,
        states=_client)
    recommendations = fields.One2Many('job.recommendation', 'client',
        "Job Recommendations", readonly=True, states=_client)

    del _client

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        if field_names and not (field_names & {
                    'wish_start_from', 'wish_end_by'}):
            return
        for party in parties:
            if (party.wish_start_from and party.wish_end_by
                    and party.wish_end_by <= party.wish_start_from):
                raise WishError(gettext('sakai_matching.msg_wish_hours',
                        client=party.rec_name,
                        start=party.wish_start_from.strftime('%H:%M'),
                        end=party.wish_end_by.strftime('%H:%M')))

    @classmethod
    def write(cls, *args):
        # What the person chose on LINE and what their answers taught the
        # engine are written by the matching module only, whoever calls
        if not Transaction().context.get('matching_system'):
            actions = iter(args)
            for records, values in zip(actions, actions):
                written = SYSTEM_FIELDS & set(values)
                if written:
                    raise WishError(gettext(
                            'sakai_matching.msg_system_fields',
                            fields=', '.join(
                                cls.fields_get([n])[n]['string']
                                for n in sorted(written))))
        super().write(*args)

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        for name in ['recommendations', 'matching_frequency',
                'matching_prompted_on']:
            default.setdefault(name, None)
        return super().copy(parties, default=default)

    @classmethod
    def matching_consents(cls, clients):
        "The ids of clients whose current consent to matching is given"
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        purpose = Purpose.get('matching')
        latest = {}
        for sub in map(list, grouped_slice([c.id for c in clients])):
            for line in Consent.search([
                        ('party', 'in', sub),
                        ('purpose', '=', purpose.id),
                        ], order=[('at', 'ASC'), ('id', 'ASC')]):
                latest[line.party.id] = line.action
        return {p for p, a in latest.items() if a == 'given'}

    @classmethod
    def matching_wishes_many(cls, clients):
        """{client: Wishes} read in batches: the latest registration
        diagnosis and, for those who consent, the self-assessments"""
        Response = Pool().get('questionnaire.response')
        consenting = cls.matching_consents(clients)
        latest = {}
        for sub in map(list, grouped_slice([c.id for c in clients])):
            for response in Response.search([
                        ('party', 'in', sub),
                        ('state', '=', 'done'),
                        ('questionnaire.code', 'in', ['registration']
                            + ASSESSMENTS),
                        ], order=[('finished_at', 'ASC'), ('id', 'ASC')]):
                latest[response.party.id, response.questionnaire.code] = (
                    response)
        result = {}
        for client in clients:
            registration = latest.get((client.id, 'registration'))
            diagnosis = answers_of(registration) if registration else {}
            assessments = {}
            if client.id in consenting:
                assessments = profile_of([latest[client.id, c]
                        for c in ASSESSMENTS if (client.id, c) in latest])
            result[client] = client.matching_wishes(
                assessments=assessments, diagnosis=diagnosis)
        return result

    def matching_wishes(self, assessments=None, diagnosis=None):
        """The engine's Wishes of the client; the self-assessments are read
        only with the client's consent to matching"""
        today = Pool().get('ir.date').today()
        if diagnosis is None:
            diagnosis = self._diagnosis_answers()
        chosen = diagnosis.get('employment', [])
        employment = self.wish_employment or next(
            (DIAGNOSIS_EMPLOYMENT[c] for c in DIAGNOSIS_EMPLOYMENT
                if c in chosen), None)
        end_by = self.wish_end_by
        weekdays = self.wish_weekdays_only
        if end_by is None:
            ends = [DIAGNOSIS_END[c] for c in diagnosis.get('constraints', [])
                if c in DIAGNOSIS_END]
            end_by = min(ends) if ends else None
        if not weekdays:
            weekdays = bool({'weekday_daytime', 'no_weekends'}
                & set(diagnosis.get('constraints', [])))
        young = any(c.birth_date and (today - c.birth_date).days < 365 * 10
            for c in self.children)
        if assessments is None:
            assessments = (self.assessment_profile()
                if self.consents_to('matching') else {})
        return engine.Wishes(
            employment=employment,
            wage=self.wish_wage or 0,
            start_from=minutes(self.wish_start_from),
            end_by=minutes(end_by),
            weekdays_only=bool(weekdays),
            short_hours=bool(self.wish_short_hours),
            no_overtime=bool(self.wish_no_overtime),
            remote=bool(self.wish_remote or 'remote' in chosen),
            area=self.home_area,
            commute=self.wish_commute,
            experience=self.experience_industry,
            young_children=young,
            interests=tuple(assessments.get('interests', ())),
            values=tuple(assessments.get('work_values', ())),
            end_before=minutes(self.matching_end_before),
            commute_below=self.matching_commute_below,
            wage_above=self.matching_wage_above or 0,
            avoid_industries=frozenset(
                filter(None, (self.matching_avoid or '').split(','))),
            )

    def _diagnosis_answers(self):
        "{question code: choice code(s)} of the latest registration diagnosis"
        Response = Pool().get('questionnaire.response')
        responses = Response.search([
                ('party', '=', self.id),
                ('state', '=', 'done'),
                ('questionnaire.code', '=', 'registration'),
                ], order=[('finished_at', 'DESC'), ('id', 'DESC')], limit=1)
        return answers_of(responses[0]) if responses else {}

    def assessment_profile(self):
        """{questionnaire code: [scale codes, highest first]} of the
        client's latest finished self-assessments, and their responses"""
        Response = Pool().get('questionnaire.response')
        responses = []
        for code in ASSESSMENTS:
            responses += Response.search([
                    ('party', '=', self.id),
                    ('state', '=', 'done'),
                    ('questionnaire.code', '=', code),
                    ], order=[('finished_at', 'DESC'), ('id', 'DESC')],
                limit=1)
        return profile_of(responses)


def answers_of(response):
    "{question code: [choice codes]} of a registration diagnosis"
    answers = {}
    for answer in response.answers:
        codes = [c.code for c in answer.choices]
        if answer.choice:
            codes.append(answer.choice.code)
        if codes:
            answers[answer.question.code] = codes
    return answers


def profile_of(responses):
    """{questionnaire code: [scale codes, highest first], 'responses':
    responses} of self-assessment responses"""
    profile = {'responses': []}
    for response in responses:
        scores = sorted((s for s in response.scores
                if s.value is not None and not s.scale.parts),
            key=lambda s: -s.value)
        profile[response.questionnaire.code] = [s.scale.code for s in scores]
        profile['responses'].append(response)
    return profile


class JobOrder(metaclass=PoolMeta):
    __name__ = 'job.order'

    _states = {'readonly': Eval('state') != 'draft'}

    start_time = fields.Time("Starts At", states=_states,
        help="Filled from the working hours when they read like 9:00〜16:00.")
    end_time = fields.Time("Ends At", states=_states)
    weekend_work = fields.Boolean("Weekend Work", states=_states)
    area = fields.Selection(AREAS, "Workplace Area", sort=False,
        states=_states)
    recommendations = fields.One2Many('job.recommendation', 'job_order',
        "Recommendations", readonly=True)

    del _states

    @fields.depends('hours', 'start_time', 'end_time')
    def on_change_hours(self):
        start, end = parse_hours(self.hours)
        if start and end:
            self.start_time, self.end_time = start, end

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if values.get('hours') and not values.get('end_time'):
                start, end = parse_hours(values['hours'])
                if start and end:
                    values.setdefault('start_time', start)
                    values['end_time'] = end
        return super().create(vlist)

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('recommendations', None)
        return super().copy(orders, default=default)

    def matching_row(self, today):
        """The engine's row of the job order, with what its card shows
        (read once here: the daily send shows thousands of cards)"""
        employer = self.employer
        card = SimpleNamespace(id=self.id, title=self.title,
            employer_name=employer.rec_name,
            **{n: getattr(self, n) for n in CARD_FIELDS})
        return {
            'card': card,
            'id': self.id,
            'employment_type': self.employment_type,
            'wage': engine.monthly(self.wage_max or self.wage_min,
                self.wage_type),
            'start': minutes(self.start_time),
            'end': minutes(self.end_time),
            'weekend': self.weekend_work,
            'short_hours': self.short_hours,
            'no_overtime': self.no_overtime,
            'remote': self.remote,
            'area': self.area or {'in_city': 'sakai', 'commuting': 'osaka'
                }.get(employer.location_kind, None),
            'industry': employer.industry,
            'single_parent': employer.single_parent_friendly,
            'age': (today - self.received_on).days if self.received_on else 0,
            }
