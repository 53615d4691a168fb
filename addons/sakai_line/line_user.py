# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""LINE users: the only data collected automatically is the LINE user ID.

Staff name a LINE friend by a short reference given at the first contact
(LINE-0024, from a sequence) and a nickname they may set, until the person
is linked to a client file.
"""
import re

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import InvalidLineUserId

LINE_USER_ID = re.compile(r'^U[0-9a-f]{32}$')


class LineUser(ModelSQL, ModelView):
    __name__ = 'line.user'
    __string__ = "LINE User"
    _rec_name = 'reference'

    reference = fields.Char("Reference", readonly=True,
        help="A short reference staff use for the person; given when they "
        "first contact us.")
    nickname = fields.Char("Nickname",
        help="A name staff give the person until they are linked to a "
        "client file (LINE tells us no name).")
    line_id = fields.Char("LINE User ID", required=True, readonly=True,
        help="The ID LINE gives this person for our channel.")
    state = fields.Selection([
            ('following', "Following"),
            ('blocked', "Blocked"),
            ], "State", required=True, readonly=True, sort=False)
    followed_at = fields.DateTime("Followed At", readonly=True)
    blocked_at = fields.DateTime("Blocked At", readonly=True)
    state_changed_at = fields.DateTime("State Changed At", readonly=True)
    history = fields.One2Many('line.user.history', 'line_user', "History",
        readonly=True)
    source = fields.Many2One('line.source', "Friend-Add Source",
        readonly=True, ondelete='SET NULL',
        help="The promotion through which the person first added us.")
    rich_menu = fields.Many2One('line.rich_menu', "Rich Menu", readonly=True,
        ondelete='SET NULL',
        help="The menu linked to this person; empty: the default menu.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('line_id_unique', Unique(t, t.line_id),
                'sakai_line.msg_line_user_id_unique'),
            ('reference_unique', Unique(t, t.reference),
                'sakai_line.msg_line_user_reference_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))
        cls._order.insert(0, ('followed_at', 'DESC NULLS LAST'))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls._give_references()

    @classmethod
    def _give_references(cls):
        """Number the people who have no reference yet (those who came
        before references existed), oldest first"""
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(table.id,
                where=table.reference == None,  # noqa: E711
                order_by=[table.id.asc]))
        ids = [i for i, in cursor]
        if not ids:
            return
        number = cls._last_reference_number()
        for id_ in ids:
            number += 1
            cursor.execute(*table.update([table.reference],
                    ['LINE-%04d' % number],
                    where=table.id == id_))

    @classmethod
    def _last_reference_number(cls):
        "The highest number in the references given so far"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(table.reference,
                where=table.reference != None))  # noqa: E711
        return max((int(m.group(1)) for m in (
                    re.search(r'(\d+)$', r) for r, in cursor) if m),
            default=0)

    @classmethod
    def _reference_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        return Sequence(ModelData.get_id('sakai_line', 'sequence_line_user'))

    @classmethod
    def _next_reference(cls):
        """The next reference of the sequence; when it is taken (references
        given on update or handed over from another database) the sequence
        moves past the highest one first"""
        sequence = cls._reference_sequence()
        reference = sequence.get()
        if cls.search([('reference', '=', reference)], limit=1):
            with without_check_access():
                sequence.number_next = cls._last_reference_number() + 1
                sequence.save()
            reference = sequence.get()
        return reference

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get('reference'):
                values['reference'] = cls._next_reference()
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        # Staff may name the person; the rest is LINE's to say
        if Transaction().check_access:
            for values in args[1::2]:
                if set(values) - {'nickname'}:
                    raise AccessError(gettext(
                            'sakai_line.msg_line_user_nickname_only'))
        super().write(*args)

    @classmethod
    def copy(cls, users, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('reference')
        return super().copy(users, default=default)

    def get_rec_name(self, name):
        "LINE-0024 or LINE-0024 (nickname)"
        if self.nickname:
            return '%s (%s)' % (self.reference or '', self.nickname)
        return self.reference or self.line_id or ''

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('reference', operator, value),
            ('nickname', operator, value),
            ('line_id', operator, value),
            ]

    @classmethod
    def default_state(cls):
        return 'following'

    def _is_latest(self, at):
        "Events may arrive out of order: the latest one sets the state"
        return not self.state_changed_at or at >= self.state_changed_at

    def record_follow(self, event, unblocked=False):
        "Record a follow: a new friend, or one who unblocked us"
        returning = unblocked or any(
            h.action == 'block' and h.at <= event.occurred_at
            for h in self.history)
        return self._record_change(event,
            'unblock' if returning else 'follow', 'following', 'followed_at')

    def record_block(self, event):
        "Record an unfollow: LINE calls blocking the account unfollow"
        return self._record_change(event, 'block', 'blocked', 'blocked_at')

    def _record_change(self, event, action, state, date_field):
        History = Pool().get('line.user.history')
        history, = History.create([{
                    'line_user': self.id,
                    'action': action,
                    'at': event.occurred_at,
                    'event': event.id,
                    }])
        if self._is_latest(event.occurred_at):
            self.state = state
            setattr(self, date_field, event.occurred_at)
            self.state_changed_at = event.occurred_at
            self.save()
        return history

    def client(self):
        "The client the person is (modules that know clients say)"
        return None

    @classmethod
    def link_rich_menu(cls, users, menu):
        """Show *menu* to the users instead of the default menu
        (None: back to the default).  LINE is told through the outbound
        queue: while it cannot be reached, it is told later."""
        pool = Pool()
        RichMenu = pool.get('line.rich_menu')
        if menu and not menu.line_rich_menu_id:
            RichMenu.upload([menu])
        cls.write(list(users), {'rich_menu': menu.id if menu else None})
        cls.link_line_rich_menu(users, menu)

    @classmethod
    def link_line_rich_menu(cls, users, menu):
        """Link the users to menu on LINE (None: the default menu) through
        the outbound queue; blocked users are left alone"""
        Link = Pool().get('line.rich_menu.link')
        Link.request([u for u in users if u.state == 'following'], menu)

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


class History(ModelSQL, ModelView):
    __name__ = 'line.user.history'
    __string__ = "LINE User Follow History"

    line_user = fields.Many2One('line.user', "LINE User", required=True,
        readonly=True, ondelete='CASCADE')
    action = fields.Selection([
            ('follow', "Added as Friend"),
            ('unblock', "Unblocked"),
            ('block', "Blocked"),
            ], "Action", required=True, readonly=True, sort=False)
    at = fields.DateTime("At", required=True, readonly=True)
    event = fields.Many2One('line.event', "Event", readonly=True,
        ondelete='SET NULL')
    source = fields.Many2One('line.source', "Friend-Add Source",
        readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('line_user')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.action, Index.Equality()), (t.at, Index.Range())))
        cls._order.insert(0, ('at', 'DESC'))


class LinkRichMenuStart(ModelView):
    __name__ = 'line.user.link_rich_menu.start'
    __string__ = "Change the Rich Menu of LINE Users"

    menu = fields.Many2One('line.rich_menu', "Rich Menu",
        domain=[('line_rich_menu_id', '!=', None)],
        help="Leave empty to show the default menu again.")


class LinkRichMenu(Wizard):
    __name__ = 'line.user.link_rich_menu'

    start = StateView('line.user.link_rich_menu.start',
        'sakai_line.line_user_link_rich_menu_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Change", 'link', 'tryton-ok', default=True),
            ])
    link = StateTransition()

    def transition_link(self):
        with without_check_access():
            self.model.link_rich_menu(self.records, self.start.menu)
        return 'end'
