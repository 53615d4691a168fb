# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""A second person's approval, recorded, of what one system administrator
must not do alone (separation of duties, Sakai spec §11(3), (4), (10)).

The system administrator asks (就業支援 › 承認依頼: what and why); a member
of the auditor group who is not the one who asked approves or refuses; the
act then runs only with an approved request that is unused and was
approved less than ``[sakai_line] approval_days`` (7) days ago, and marks
it used in the same transaction: one approval, one act.

Kinds:

- ``handover``: the handover export (wizard 引継ぎデータの出力 and
  ``tools/handover.py export --approval N``);
- ``erasure``: the erasure at the end of the contract
  (``tools/handover.py erase --approval N``);
- ``group``: adding a user to a group that opens client files or the audit
  log (see res.py); the request names the user and the group.

Every step is an audit log entry of kind 承認 with the request's number,
and the people concerned are told at once by a back-office notification:
the auditors of a new request, the requester of the decision.
"""
import datetime as dt
import json

from sql import Literal

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import audit
from sakai_programme.programme import utcnow
from .exceptions import ApprovalError

KINDS = [
    ('handover', "Handover Export"),
    ('erasure', "Erasure"),
    ('group', "Group Membership"),
    ]
# The staff groups a user is added to only with an approval: they open
# client files (counselor, coordinator, manager) or the audit log and the
# approvals themselves (auditor)
GUARDED_GROUPS = ['counselor', 'coordinator', 'manager', 'auditor']
DEFAULT_DAYS = 7


def validity():
    "How long an approval may be used after it was given"
    days = config.getint('sakai_line', 'approval_days', default=DEFAULT_DAYS)
    return dt.timedelta(days=max(1, days or 0))


def group_id(name):
    "The id of our staff group of name (counselor, auditor…)"
    return Pool().get('ir.model.data').get_id('sakai_programme', 'group_' + name)


def members(group):
    """The ids of the users in group, directly or through a child group
    (Tryton's group parents), active users only"""
    pool = Pool()
    UserGroup = pool.get('res.user-res.group')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    user = User.__table__()
    group_table = Group.__table__()
    user_group = UserGroup.user_group_all_table()
    cursor = Transaction().connection.cursor()
    cursor.execute(*user_group.join(user,
            condition=user_group.user == user.id).join(group_table,
            condition=user_group.group == group_table.id).select(
            user_group.user,
            where=(user_group.group == group)
            & (user.active == Literal(True))
            & (group_table.active == Literal(True))))
    return sorted({u for u, in cursor})


def notify(user_ids, model, ids, label_id, description_id, **values):
    """A back-office notification to each user, in their language, about
    records of model"""
    pool = Pool()
    User = pool.get('res.user')
    Notification = pool.get('res.notification')
    notifications = []
    with without_check_access():
        for user in User.browse(sorted(set(user_ids))):
            language = user.language.code if user.language else None
            with Transaction().set_context(language=language):
                notifications.append({
                        'user': user.id,
                        'label': gettext(label_id, **values)[:200],
                        'description': gettext(
                            description_id, **values)[:500],
                        'icon': 'tryton-notification',
                        'model': model,
                        'records': json.dumps(sorted(ids)),
                        })
        if notifications:
            Notification.create(notifications)


class Approval(Workflow, ModelSQL, ModelView):
    __name__ = 'sakai.approval'
    __string__ = "Approval"
    _rec_name = 'reason'

    _asked = {'readonly': Eval('id', -1) >= 0}

    kind = fields.Selection(KINDS, "Kind", required=True, states=_asked,
        help="What the approval allows, once.")
    kind_string = kind.translated('kind')
    user = fields.Many2One('res.user', "User", ondelete='RESTRICT',
        context={'active_test': False},
        states={
            'readonly': _asked['readonly'],
            'required': Eval('kind') == 'group',
            'invisible': Eval('kind') != 'group',
            },
        help="The user to be added to the group.")
    group = fields.Many2One('res.group', "Group", ondelete='RESTRICT',
        states={
            'readonly': _asked['readonly'],
            'required': Eval('kind') == 'group',
            'invisible': Eval('kind') != 'group',
            },
        help="The staff group the user is to be added to.")
    reason = fields.Text("Reason", required=True, states=_asked,
        help="Why it is needed: the approver decides on this.")
    requested_by = fields.Many2One('res.user', "Requested By", readonly=True)
    requested_at = fields.DateTime("Requested At", readonly=True)
    approved_by = fields.Many2One('res.user', "Decided By", readonly=True,
        help="The auditor who approved or refused the request.")
    approved_at = fields.DateTime("Decided At", readonly=True)
    valid_until = fields.Function(fields.DateTime("Valid Until",
            help="The approval can be used once until then."),
        'get_valid_until')
    used_by = fields.Many2One('res.user', "Used By", readonly=True)
    used_at = fields.DateTime("Used At", readonly=True)
    state = fields.Selection([
            ('requested', "Requested"),
            ('approved', "Approved"),
            ('refused', "Refused"),
            ('used', "Used"),
            ('expired', "Expired"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _asked

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('requested_at', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('requested', 'approved'),
            ('requested', 'refused'),
            ('requested', 'expired'),
            ('approved', 'used'),
            ('approved', 'expired'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                })
        # Decisions and uses go through the buttons and use() only
        cls.__rpc__.pop('write', None)
        cls.__rpc__.pop('delete', None)

    @classmethod
    def default_state(cls):
        return 'requested'

    def get_rec_name(self, name):
        return gettext('sakai_audit.msg_approval_rec_name',
            number=self.id, kind=self.kind_string)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        number = str(value or '').strip('%').strip().lstrip('#No.').strip()
        if number.isdigit() and not operator.startswith(('!', 'not ')):
            return ['OR', ('id', '=', int(number)),
                ('reason', operator, value)]
        return [('reason',) + tuple(clause[1:])]

    def get_valid_until(self, name):
        if self.state == 'approved' and self.approved_at:
            return self.approved_at + validity()

    @classmethod
    def validate_fields(cls, approvals, field_names):
        super().validate_fields(approvals, field_names)
        guarded = {group_id(n) for n in GUARDED_GROUPS}
        for approval in approvals:
            if approval.kind == 'group':
                if (not approval.user or not approval.group
                        or approval.group.id not in guarded):
                    raise ApprovalError(gettext(
                            'sakai_audit.msg_approval_group_fields'))
            elif approval.user or approval.group:
                raise ApprovalError(gettext(
                        'sakai_audit.msg_approval_group_only'))

    @classmethod
    def create(cls, vlist):
        """A request is made by a person's own account, now; whatever else
        the call sends, it starts undecided"""
        user = Transaction().user
        if not user:
            raise ApprovalError(gettext('sakai_audit.msg_approval_requester'))
        now = utcnow()
        vlist = [dict(values, requested_by=user, requested_at=now,
                state='requested', approved_by=None, approved_at=None,
                used_by=None, used_at=None) for values in vlist]
        approvals = super().create(vlist)
        for approval in approvals:
            approval._log('request')
        auditors = members(group_id('auditor'))
        for approval in approvals:
            notify([a for a in auditors if a != user], cls.__name__,
                [approval.id], 'sakai_audit.msg_approval_requested_label',
                'sakai_audit.msg_approval_requested_description',
                number=approval.id, kind=approval.kind_string,
                user=approval.requested_by.rec_name,
                reason=approval.reason)
        return approvals

    @classmethod
    def copy(cls, approvals, default=None):
        default = dict(default or {})
        for name in ['requested_by', 'requested_at', 'approved_by',
                'approved_at', 'used_by', 'used_at']:
            default.setdefault(name, None)
        return super().copy(approvals, default=default)

    def _log(self, action, method=None):
        "An audit entry of kind approval for this request"
        audit.record('approval', self.__name__, [self.id],
            [self.kind, action], method or f'{self.__name__}.{action}')

    @classmethod
    def _check_decider(cls, approvals):
        """Only a member of the auditor group decides, never on a request
        of their own"""
        user = Transaction().user
        for approval in approvals:
            if approval.requested_by and approval.requested_by.id == user:
                raise ApprovalError(gettext(
                        'sakai_audit.msg_approval_same_person',
                        number=approval.id))
        if user not in members(group_id('auditor')):
            raise ApprovalError(gettext('sakai_audit.msg_approval_auditor'))

    @classmethod
    def _decide(cls, approvals, action):
        User = Pool().get('res.user')
        cls._check_decider(approvals)
        decider = User(Transaction().user)
        cls.write(approvals, {
                'approved_by': decider.id,
                'approved_at': utcnow(),
                })
        for approval in approvals:
            approval._log(action)
            label = ('sakai_audit.msg_approval_approved_label'
                if action == 'approve'
                else 'sakai_audit.msg_approval_refused_label')
            notify([approval.requested_by.id], cls.__name__, [approval.id],
                label, 'sakai_audit.msg_approval_decided_description',
                number=approval.id, kind=approval.kind_string,
                user=decider.rec_name)

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, approvals):
        cls._decide(approvals, 'approve')

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, approvals):
        cls._decide(approvals, 'refuse')

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, approvals):
        pass

    @classmethod
    def expire_old(cls):
        "Scheduled: requests undecided and approvals unused past validity"
        cutoff = utcnow() - validity()
        with without_check_access():
            cls.expire(cls.search(['OR',
                        [('state', '=', 'requested'),
                            ('requested_at', '<', cutoff)],
                        [('state', '=', 'approved'),
                            ('approved_at', '<', cutoff)],
                        ]))

    @classmethod
    def use(cls, kind, number, method, user=None, group=None):
        """Mark approval number used for kind now, or raise why it cannot
        be (in Japanese).  One SQL update takes it, so two acts at the same
        moment cannot both use it.  Return the approval."""
        if not number:
            raise ApprovalError(gettext('sakai_audit.msg_approval_required',
                    kind=cls._kind_string(kind)))
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = -1
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        now = utcnow()
        where = ((table.id == number) & (table.kind == kind)
            & (table.state == 'approved')
            & (table.approved_at >= now - validity()))
        if user is not None:
            where &= (table.user == int(user)) & (table.group == int(group))
        cursor.execute(*table.update(
                [table.state, table.used_by, table.used_at,
                    table.write_uid, table.write_date],
                ['used', transaction.user or None, now,
                    transaction.user, now],
                where=where))
        if cursor.rowcount != 1:
            cls._refuse_use(kind, number)
        # The row changed under the ORM: read it again
        for cache in transaction.cache.values():
            cache.get(cls.__name__, {}).pop(number, None)
        approval = cls(number)
        approval._log('use', f'{cls.__name__}.use {method}'[:200])
        return approval

    @classmethod
    def use_for_group(cls, user, group, method):
        """Use the oldest approval still good for adding user to group, or
        raise"""
        with without_check_access():
            approvals = cls.search([
                    ('kind', '=', 'group'),
                    ('user', '=', user),
                    ('group', '=', group),
                    ('state', '=', 'approved'),
                    ('approved_at', '>=', utcnow() - validity()),
                    ], order=[('approved_at', 'ASC'), ('id', 'ASC')], limit=1)
        if not approvals:
            return None
        return cls.use('group', approvals[0].id, method,
            user=user, group=group)

    @classmethod
    def _kind_string(cls, kind):
        return dict(cls.fields_get(['kind'])['kind']['selection']).get(
            kind, kind)

    @classmethod
    def _refuse_use(cls, kind, number):
        "Raise why approval number cannot be used for kind"
        with without_check_access():
            found = cls.search([('id', '=', number)])
        if not found:
            raise ApprovalError(gettext('sakai_audit.msg_approval_not_found',
                    number=number))
        approval, = found
        values = {'number': number, 'kind': cls._kind_string(kind)}
        if approval.kind != kind:
            raise ApprovalError(gettext('sakai_audit.msg_approval_wrong_kind',
                    approved=approval.kind_string, **values))
        if approval.state == 'used':
            raise ApprovalError(gettext('sakai_audit.msg_approval_used',
                    **values))
        if approval.state != 'approved':
            raise ApprovalError(gettext(
                    'sakai_audit.msg_approval_not_approved',
                    state=approval.state_string, **values))
        if approval.approved_at < utcnow() - validity():
            raise ApprovalError(gettext('sakai_audit.msg_approval_expired',
                    days=validity().days, **values))
        raise ApprovalError(gettext('sakai_audit.msg_approval_other_group',
                **values))

    @classmethod
    def usable(cls, kind):
        "The approvals of kind that can be used now, the newest first"
        return cls.search([
                ('kind', '=', kind),
                ('state', '=', 'approved'),
                ('approved_at', '>=', utcnow() - validity()),
                ], order=[('approved_at', 'DESC'), ('id', 'DESC')])


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('sakai.approval|expire_old', "Expire Old Approvals"))
