# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The service programme: one database runs one city's programme."""
import datetime as dt
import re
import string
import weakref

import jpholiday
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import (
    ModelSingleton, ModelSQL, ModelView, sequence_ordered, fields)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tools import timezone as tz
from trytond.transaction import Transaction

from .crisis import CRISIS_KINDS
from .exceptions import InvalidPhoneNumber

# The kinds of crisis a person may write about, each with its contacts
CRISIS_KIND_SELECTION = [
    ('danger', "Life in Danger"),
    ('suicide', "Suicidal Thoughts"),
    ('violence', "Violence and DV"),
    ('child', "A Child's Safety"),
    ('money', "No Money, Food or Home"),
    ]
assert [k for k, _ in CRISIS_KIND_SELECTION] == list(CRISIS_KINDS)
# Public offices are closed from 29 December to 3 January
YEAR_END_CLOSURE = ((12, 29), (1, 3))
# The programme's values a text for citizens may hold as ${name}
PLACEHOLDERS = ('name', 'municipality', 'office_phone', 'office_address')
PLACEHOLDER = re.compile(r'\$\{([^}]*)\}')
# The programme's timezone while its company has none (or there is none)
DEFAULT_TIMEZONE = 'Asia/Tokyo'


def utcnow():
    "Naive UTC, as Tryton stores datetimes"
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# {transaction: ((database, write counter), timezone)}: the LINE booking flow
# converts every slot it shows, the company is read once per transaction
# until something is written
_timezones = weakref.WeakKeyDictionary()


def local_timezone():
    "The programme's timezone (ZoneInfo): its company's"
    transaction = Transaction()
    key = (transaction.database.name, transaction.counter)
    cached = _timezones.get(transaction)
    if cached and cached[0] == key:
        return cached[1]
    timezone = Pool().get('support.programme').timezone()
    _timezones[transaction] = (key, timezone)
    return timezone


def to_local(value):
    "A naive UTC datetime as the programme's naive local time"
    return value.replace(tzinfo=dt.UTC).astimezone(
        local_timezone()).replace(tzinfo=None)


def to_utc(value):
    "A naive local datetime of the programme as naive UTC"
    return value.replace(tzinfo=local_timezone()).astimezone(
        dt.UTC).replace(tzinfo=None)


def citizen_language():
    "The language of what citizens read on LINE: [sakai_line] language"
    return config.get('sakai_line', 'language', default='ja')


def demo_mode():
    "Demo mode is switched on in trytond.conf: [sakai_line] demo = True"
    return config.getboolean('sakai_line', 'demo', default=False)


def parse_phone(value, region):
    "Return the phonenumbers object for value or None when not valid"
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException:
        return None
    if phonenumbers.is_valid_number(number):
        return number


def format_phone(number, region):
    "Format number nationally when it belongs to region"
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def normalize_phone(value, region):
    "value written as it is dialled in region, or as given if not a number"
    number = parse_phone(value or '', region)
    return format_phone(number, region) if number else value


def search_any(clause, names):
    """The domain of a rec_name search clause on any of the fields names;
    a negative operator (!=, not ilike, not in) must hold for all"""
    _, operator, operand, *extra = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((name, operator, operand, *extra) for name in names)]


class Programme(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'support.programme'

    name = fields.Char("Name", required=True,
        help="The public name of the service, as citizens see it on LINE.")
    municipality = fields.Char("Municipality", required=True)
    country = fields.Many2One('country.country', "Country",
        help="Used to read phone numbers written without country code.")
    target = fields.Text("Target Users",
        help="Who may use the service.")
    office_address = fields.Text("Office Address")
    office_phone = fields.Char("Office Phone")
    emergency_contacts = fields.Text("Emergency Contacts",
        help="Told to citizens whose matter cannot wait for an answer.")
    contract_end = fields.Date("Contract End")
    crisis_contacts = fields.One2Many(
        'support.programme.crisis_contact', 'programme', "Crisis Contacts",
        help="Given at once, first, to a person whose message shows a "
        "crisis, by the kind of crisis they wrote about.")
    staff_on_duty_from = fields.Time("Staff On Duty From", required=True,
        help="When staff start answering the inbox on working days "
        "(weekdays except national holidays and 29 December to 3 January).")
    staff_on_duty_until = fields.Time("Staff On Duty Until", required=True)
    urgent_answer_minutes = fields.Integer(
        "Answer Urgent Inquiries within (minutes)", required=True,
        help="Counted from when staff are on duty: a message of crisis at "
        "night is due this long after the office opens.")
    urgent_take_minutes = fields.Integer(
        "Escalate Urgent Inquiries Not Taken after (minutes)", required=True,
        help="Coordinators are told when nobody has taken an urgent inquiry "
        "this long after staff are on duty.")
    urgent_alert_email = fields.Char("Urgent Alert E-mail",
        help="A shared address (e.g. the duty phone's) told of every urgent "
        "inquiry, besides the counselors and coordinators.")
    waiting_ack_minutes = fields.Integer(
        "Acknowledge Messages While Waiting at Most Every (minutes)",
        required=True,
        help="A person writing again before staff have answered is told "
        "their message arrived, at most once in this time.")

    @classmethod
    def default_name(cls):
        return "Employment Support LINE"

    @classmethod
    def default_municipality(cls):
        return "-"

    @classmethod
    def default_staff_on_duty_from(cls):
        return dt.time(9, 0)

    @classmethod
    def default_staff_on_duty_until(cls):
        return dt.time(17, 0)

    @classmethod
    def default_urgent_answer_minutes(cls):
        return 60

    @classmethod
    def default_urgent_take_minutes(cls):
        return 15

    @classmethod
    def default_waiting_ack_minutes(cls):
        return 30

    @classmethod
    def get_company(cls):
        """The company running the programme: the context's, else the first
        one (webhook events, queue tasks, cron, tools): one database runs
        one city's programme, with one company.  (Not a field: the programme
        is created when the module is activated, before any company.)"""
        Company = Pool().get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            return Company(company_id)
        companies = Company.search([], order=[('id', 'ASC')], limit=1)
        return companies[0] if companies else None

    @classmethod
    def timezone(cls):
        """The programme's timezone (ZoneInfo): its company's, else
        DEFAULT_TIMEZONE"""
        company = cls.get_company()
        return tz.ZoneInfo(
            company.timezone if company and company.timezone
            else DEFAULT_TIMEZONE)

    @classmethod
    def default_country(cls):
        Country = Pool().get('country.country')
        countries = Country.search([('code', '=', 'JP')], limit=1)
        if countries:
            return countries[0].id

    @property
    def phone_region(self):
        return self.country.code if self.country else 'JP'

    @fields.depends('office_phone', 'country')
    def on_change_office_phone(self):
        self.office_phone = normalize_phone(
            self.office_phone, self.phone_region)

    @classmethod
    def validate_fields(cls, programmes, field_names):
        super().validate_fields(programmes, field_names)
        cls.check_office_phone(programmes, field_names)

    @classmethod
    def check_office_phone(cls, programmes, field_names=None):
        if field_names and not (field_names & {'office_phone', 'country'}):
            return
        for programme in programmes:
            if (programme.office_phone
                    and not parse_phone(
                        programme.office_phone, programme.phone_region)):
                raise InvalidPhoneNumber(gettext(
                        'sakai_programme.msg_invalid_office_phone',
                        phone=programme.office_phone))

    @classmethod
    def placeholder_values(cls):
        "The values of the ${…} placeholders, from the programme"
        programme = cls(1)
        return {name: getattr(programme, name, None) or ''
            for name in PLACEHOLDERS}

    @classmethod
    def render(cls, text, values=None, skip_empty=False):
        """text with the programme's ${…} placeholders replaced; with
        skip_empty a line whose placeholder has no value is left out (e.g.
        the office phone line while no phone is set)"""
        if not text or '${' not in text:
            return text or ''
        if values is None:
            values = cls.placeholder_values()
        lines = []
        for line in text.split('\n'):
            names = PLACEHOLDER.findall(line)
            if skip_empty and not all(values.get(n) for n in names):
                continue
            lines.append(string.Template(line).safe_substitute(values))
        return '\n'.join(lines)

    @classmethod
    def check_placeholders(cls, text, record, error=ValidationError):
        "Raise error if text uses a placeholder render() does not replace"
        unknown = [n for n in PLACEHOLDER.findall(text or '')
            if n not in PLACEHOLDERS]
        if unknown:
            raise error(gettext(
                    'sakai_programme.msg_text_unknown_placeholder',
                    record=record.rec_name,
                    placeholder='${%s}' % unknown[0],
                    placeholders=', '.join(
                        '${%s}' % p for p in PLACEHOLDERS)))

    @classmethod
    def phone_region_default(cls):
        "The region used to read national phone numbers"
        return cls(1).phone_region

    # Staff on duty (the programme's local time, naive datetimes)

    @staticmethod
    def working_day(day):
        "Whether staff work on day: weekdays but holidays and year-end"
        (end_month, end_day), (start_month, start_day) = YEAR_END_CLOSURE
        if ((day.month, day.day) >= (end_month, end_day)
                or (day.month, day.day) <= (start_month, start_day)):
            return False
        return day.weekday() < 5 and not jpholiday.is_holiday(day)

    def on_duty(self, local):
        "Whether staff are on duty at the local datetime"
        return (self.working_day(local.date())
            and self.staff_on_duty_from <= local.time()
            < self.staff_on_duty_until)

    def duty_starts(self, local):
        """When staff are next on duty from the local datetime: local itself
        while they are on duty"""
        if self.on_duty(local):
            return local
        day = local.date()
        if local.time() >= self.staff_on_duty_from:
            day += dt.timedelta(days=1)
        while not self.working_day(day):
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, self.staff_on_duty_from)

    def duty_ends(self, local):
        "The end of the duty that is on at the local datetime"
        return dt.datetime.combine(local.date(), self.staff_on_duty_until)

    def contacts_for(self, kinds):
        "The crisis contacts of the kinds, by kind in the order of kinds"
        return [(kind, [c for c in self.crisis_contacts if c.kind == kind])
            for kind in kinds]


class CrisisContact(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'support.programme.crisis_contact'
    __string__ = "Crisis Contact"

    programme = fields.Many2One('support.programme', "Programme",
        required=True, ondelete='CASCADE')
    kind = fields.Selection(CRISIS_KIND_SELECTION, "Kind", required=True,
        sort=False)
    name = fields.Char("Name", required=True)
    phone = fields.Char("Phone", required=True,
        help="As people dial it: 110, 189, 0120-279-338 …")
    hours = fields.Char("Hours",
        help="When it answers, as citizens read it, e.g. 24時間.")
    note = fields.Char("Note",
        help="One line citizens read after the number.")

    @classmethod
    def default_programme(cls):
        "The one programme (whatever its id)"
        programme = Pool().get('support.programme').get_singleton()
        return programme.id if programme else None

    def line(self):
        "The contact as one line of a LINE message"
        text = '・%s %s' % (self.name, self.phone)
        if self.hours:
            text += '（%s）' % self.hours
        if self.note:
            text += '\n　' + self.note
        return text
