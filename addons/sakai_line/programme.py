# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The service programme: one database runs one city's programme."""
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool

from .exceptions import InvalidPhoneNumber


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


class Programme(ModelSingleton, ModelSQL, ModelView):
    "Support Programme"
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

    @classmethod
    def default_name(cls):
        return "Employment Support LINE"

    @classmethod
    def default_municipality(cls):
        return "-"

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
        number = parse_phone(self.office_phone or '', self.phone_region)
        if number:
            self.office_phone = format_phone(number, self.phone_region)

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
                        'sakai_line.msg_invalid_office_phone',
                        phone=programme.office_phone))

    @classmethod
    def phone_region_default(cls):
        "The region used to read national phone numbers"
        return cls(1).phone_region
