# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class InvalidLineUserId(ValidationError):
    pass


class MessageValidationError(ValidationError):
    pass


class LineUnreachable(UserError):
    pass


class RichMenuValidationError(ValidationError):
    pass


class SourceValidationError(ValidationError):
    pass


class LoginFailed(UserError):
    pass
