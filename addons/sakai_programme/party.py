# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from itertools import chain

from trytond.pool import Pool, PoolMeta

from .programme import format_phone, parse_phone


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    def _phone_country_codes(self):
        "Read numbers without country code as the programme's country"
        Programme = Pool().get('support.programme')
        yield from chain(
            super()._phone_country_codes(),
            [Programme.phone_region_default()])

    def format_value(self, value=None, type_=None):
        formatted = super().format_value(value=value, type_=type_)
        if type_ in {'phone', 'mobile', 'fax'} and value:
            Programme = Pool().get('support.programme')
            region = Programme.phone_region_default()
            number = parse_phone(value, region)
            if number:
                formatted = format_phone(number, region)
        return formatted
