# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""LINE users: the only data collected automatically is the LINE user ID."""
import re

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields

from .exceptions import InvalidLineUserId

LINE_USER_ID = re.compile(r'^U[0-9a-f]{32}$')


class LineUser(ModelSQL, ModelView):
    "LINE User"
    __name__ = 'line.user'
    _rec_name = 'line_id'

    line_id = fields.Char("LINE User ID", required=True, readonly=True,
        help="The ID LINE gives this person for our channel.")
    state = fields.Selection([
            ('following', "Following"),
            ('blocked', "Blocked"),
            ], "State", required=True, readonly=True, sort=False)
    followed_at = fields.DateTime("Followed At", readonly=True)
    blocked_at = fields.DateTime("Blocked At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('line_id_unique', Unique(t, t.line_id),
                'sakai_line.msg_line_user_id_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))
        cls._order.insert(0, ('followed_at', 'DESC NULLS LAST'))

    @classmethod
    def default_state(cls):
        return 'following'

    @classmethod
    def validate_fields(cls, users, field_names):
        super().validate_fields(users, field_names)
        if field_names and 'line_id' not in field_names:
            return
        for user in users:
            if not LINE_USER_ID.match(user.line_id or ''):
                raise InvalidLineUserId(gettext(
                        'sakai_line.msg_invalid_line_user_id',
                        line_id=user.line_id))
