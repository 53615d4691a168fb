# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
import threading

from sql import Literal

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from . import approval, audit
from .exceptions import GroupChangeError


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def default_language(cls):
        "Staff work in Japanese unless told otherwise"
        Lang = Pool().get('ir.lang')
        langs = Lang.search([
                ('code', '=', 'ja'),
                ('translatable', '=', True),
                ], limit=1)
        if langs:
            return langs[0].id

    def get_rec_name(self, name):
        # The webhook, the queue and scheduled jobs work as the root user:
        # staff read that the service did it, not "Root"
        if self.id == 0:
            return gettext('sakai_audit.msg_user_system')
        return super().get_rec_name(name)

    @classmethod
    def write(cls, *args):
        transaction = Transaction()
        by_person = bool(transaction.user
            and transaction.context.get('_check_access'))
        if by_person:
            actions = iter(args)
            others = {}
            for users, values in zip(actions, actions):
                fields = sorted(CREDENTIAL_FIELDS & set(values))
                for user in users:
                    if fields and user.id != transaction.user:
                        others.setdefault(user.id, set()).update(fields)
        super().write(*args)
        if by_person and others:
            credentials_changed(others)

    def get_status_bar(self, name):
        status = super().get_status_bar(name)
        # One city, one currency: the company module's "[JPY]" after every
        # name tells staff nothing
        if self.company and self.company.currency:
            suffix = ' [%s]' % self.company.currency.code
            if status.endswith(suffix):
                status = status[:-len(suffix)]
        return status


# Changing them for someone else lets one log in as that person
CREDENTIAL_FIELDS = {'login', 'password', 'password_hash', 'password_reset'}


def credentials_changed(others):
    """Log and tell the auditors and the person that someone else changed
    their login or password: an administrator could otherwise set a
    counselor's password and read client files as them unseen"""
    User = Pool().get('res.user')
    actor = User(Transaction().user)
    for user, fields in sorted(others.items()):
        audit.record('group', 'res.user', [user], sorted(fields),
            'res.user.write')
    with without_check_access():
        names = '、'.join(u.rec_name for u in User.browse(sorted(others)))
    approval.notify(
        approval.members(approval.group_id('auditor')) + sorted(others),
        'res.user', sorted(others),
        'sakai_audit.msg_credentials_change_label',
        'sakai_audit.msg_group_change_description',
        users=names, user=actor.rec_name)


class GroupChanges:
    """Who is in which staff group, watched on every path that changes it
    (a user's groups, a group's users, the membership rows themselves, a
    group's parent or its being active) when a person does it through RPC.

    Each change is an audit entry of kind 権限変更 (group) per user and a
    notification to every auditor at once.  Adding a user to a group that
    opens client files or the audit log (approval.GUARDED_GROUPS, also
    through a child group) takes an approved request for that user and
    group (kind 'group'), used by the change; the change is refused
    without one.  Until the first auditor is set up there is nobody to
    approve: changes are then logged only.  The last auditor cannot be
    removed, which would leave grants without a second person."""

    def __init__(self, method):
        self.method = method

    def __enter__(self):
        transaction = Transaction()
        self.active = bool(transaction.user
            and transaction.context.get('_check_access')
            and not getattr(_local, 'watching', False))
        if self.active:
            _local.watching = True
            self.before = memberships()
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.active:
            return
        _local.watching = False
        if exc_type is None:
            changed(self.before, memberships(), self.method)


_local = threading.local()


def memberships():
    """{(user, group)} of every user's groups, directly or through a group's
    parents, active groups only"""
    pool = Pool()
    UserGroup = pool.get('res.user-res.group')
    Group = pool.get('res.group')
    group = Group.__table__()
    user_group = UserGroup.user_group_all_table()
    cursor = Transaction().connection.cursor()
    cursor.execute(*user_group.join(group,
            condition=user_group.group == group.id).select(
            user_group.user, user_group.group,
            where=group.active == Literal(True)))
    return {(u, g) for u, g in cursor}


def changed(before, after, method):
    "Check, log and tell the auditors of the change from before to after"
    pool = Pool()
    Approval = pool.get('sakai.approval')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    added, removed = sorted(after - before), sorted(before - after)
    if not added and not removed:
        return
    auditor = approval.group_id('auditor')
    guarded = {approval.group_id(n) for n in approval.GUARDED_GROUPS}
    had_auditor = any(g == auditor for _, g in before)
    # by name, as they are now (a deleted group is named by its id)
    with without_check_access(), \
            Transaction().set_context(active_test=False):
        users = {u.id: u.rec_name for u in User.search(
                [('id', 'in', list({u for u, _ in added + removed}))])}
        groups = {g.id: g.rec_name for g in Group.search(
                [('id', 'in', list({g for _, g in added + removed}))])}
    for user, group in added + removed:
        users.setdefault(user, '#%d' % user)
        groups.setdefault(group, '#%d' % group)
    if had_auditor and not any(g == auditor for _, g in after):
        user = next(u for u, g in removed if g == auditor)
        raise GroupChangeError(gettext('sakai_audit.msg_group_last_auditor',
                user=users[user]))
    used = {}
    for user, group in added:
        if group not in guarded or not had_auditor:
            continue
        used[user, group] = Approval.use_for_group(user, group, method)
        if not used[user, group]:
            raise GroupChangeError(gettext(
                    'sakai_audit.msg_group_grant_approval',
                    user=users[user], group=groups[group]))
    lines = []
    for user in sorted({u for u, _ in added + removed}):
        changes = ['+' + groups[g] for u, g in added if u == user]
        changes += ['-' + groups[g] for u, g in removed if u == user]
        approvals = sorted(a.id for (u, _), a in used.items()
            if u == user and a)
        suffix = ''.join(f' sakai.approval,{a}' for a in approvals)
        audit.record('group', 'res.user', [user], changes,
            f'{method}{suffix}'[:200])
        lines.append(gettext('sakai_audit.msg_group_change_line',
                user=users[user], changes=' '.join(changes)))
    actor = User(Transaction().user)
    approval.notify(approval.members(auditor), 'res.user',
        sorted({u for u, _ in added + removed}),
        'sakai_audit.msg_group_change_label',
        'sakai_audit.msg_group_change_description',
        count=len(lines), changes='、'.join(lines), user=actor.rec_name)


class GroupChangesMixin:
    "Who is in which group is seen by GroupChanges, whichever way it changes"
    __slots__ = ()

    @classmethod
    def create(cls, vlist):
        with GroupChanges(f'{cls.__name__}.create'):
            return super().create(vlist)

    @classmethod
    def write(cls, *args):
        with GroupChanges(f'{cls.__name__}.write'):
            return super().write(*args)

    @classmethod
    def delete(cls, records):
        with GroupChanges(f'{cls.__name__}.delete'):
            return super().delete(records)


class UserGroup(GroupChangesMixin, metaclass=PoolMeta):
    __name__ = 'res.user-res.group'


class Group(GroupChangesMixin, metaclass=PoolMeta):
    __name__ = 'res.group'


class RightsChange:
    """Who may do what is defined by the modules (their XML, checked
    against tests/access_table.py): a person changing it through RPC, a
    Tryton administrator giving their own group rights on client files for
    instance, is refused"""
    __slots__ = ()

    @classmethod
    def _check_rights_change(cls):
        transaction = Transaction()
        if transaction.user and transaction.context.get('_check_access'):
            raise GroupChangeError(gettext('sakai_audit.msg_rights_by_module'))

    @classmethod
    def create(cls, vlist):
        cls._check_rights_change()
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        cls._check_rights_change()
        return super().write(*args)

    @classmethod
    def delete(cls, records):
        cls._check_rights_change()
        return super().delete(records)


class ModelAccess(RightsChange, metaclass=PoolMeta):
    __name__ = 'ir.model.access'


class ModelFieldAccess(RightsChange, metaclass=PoolMeta):
    __name__ = 'ir.model.field.access'


class RuleGroup(RightsChange, metaclass=PoolMeta):
    __name__ = 'ir.rule.group'


class Rule(RightsChange, metaclass=PoolMeta):
    __name__ = 'ir.rule'


class RuleGroupGroup(RightsChange, metaclass=PoolMeta):
    __name__ = 'ir.rule.group-res.group'


class ModelButtonGroup(RightsChange, metaclass=PoolMeta):
    __name__ = 'ir.model.button-res.group'


class UserApplication(metaclass=PoolMeta):
    """No key opens Tryton's REST API: its routes call the models without
    the RPC entry points where the suite checks read-only fields and
    on_change values and logs buttons and refusals (access.py, audit.py).
    Other programs use JSON-RPC, like the back office."""
    __name__ = 'res.user.application'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.application.selection = [
            s for s in cls.application.selection if s[0] != 'rest']

    @classmethod
    def check(cls, key, application):
        if application not in dict(cls.application.selection):
            return None
        return super().check(key, application)
