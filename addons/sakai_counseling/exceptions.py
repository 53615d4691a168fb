# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class ClientValidationError(ValidationError):
    pass


class AgencyValidationError(ValidationError):
    pass


class ReferralValidationError(ValidationError):
    pass


class BookingSettingsError(ValidationError):
    pass


class ClosureError(ValidationError):
    pass


class SlotError(ValidationError):
    pass


class BookingError(UserError):
    pass


class SlotTaken(BookingError):
    "The slot was booked by someone else"


class RecordError(ValidationError):
    pass


class ConsentError(UserError):
    pass


class RecordAccessError(AccessError):
    "A counseling record changed by someone else or after completion"
