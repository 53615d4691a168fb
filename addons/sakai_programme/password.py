# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Password policy: `[password] entropy` on top of Tryton's own checks.

Tryton 8.0 checks `[password] length`, `[password] forbidden` (a file: a
password found in it is refused) and that a password differs from the
user's name, login and email.  Older series also had `entropy`, the least
share of distinct characters (0.5: "aaaaaaaaaaab" is refused); 8.0 dropped
it, so it is read here again.
"""
from trytond.config import config
from trytond.i18n import gettext
from trytond.pool import PoolMeta
from trytond.res.exceptions import PasswordError


def entropy(password):
    "Share of distinct characters in password (0 for an empty one)"
    return len(set(password)) / len(password) if password else 0


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def validate_password(cls, password, users):
        super().validate_password(password, users)
        minimum = config.getfloat('password', 'entropy', default=0)
        text = password.decode('utf-8', 'replace') if isinstance(
            password, bytes) else password
        if minimum and entropy(text) < minimum:
            # Tryton has no message of its own for it any more
            raise PasswordError(gettext('res.msg_password_forbidden'))
