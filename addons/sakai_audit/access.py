# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Access that holds on the side paths of Tryton's RPC, for every model.

Tryton checks the model access and the record rules on ``read``,
``search``, ``write``... but three paths reach records without them:

- ``on_change``/``on_change_with`` (and the per-field ``on_change_*``
  calls): the values sent are turned into records and their fields read
  without any check, so ``counseling.record.on_change({"booking": N})``
  answered the booked person's name to any logged-in user;
- search domains through a relation (``records.sensitive``,
  ``referrals.agency.kind``): the target's record rules are dropped, as the
  domain is converted with access checks off, so a search told who has a
  DV or health record;
- ``export_data`` through a relation tests the record rules in Python on
  each record and a rule with a dotted path (``agency.kind``) was not
  understood, so DV referral reasons were exported.

The same RPC entries pass every call through the audit log
(``audit.rpc_call``): an on_change call is logged as a read of the records
it named, a refused one as refused.

Tryton's clients show fields read-only (``readonly=True``, Function
fields without setter, a workflow's ``state``) but the server took any
value a plain RPC ``write`` or ``create`` sent for them: a user rewrote an
inquiry's messages or a referral's state.  The same RPC entries refuse
those values (``check_readonly_write``) unless they leave the record as it
is; the server's own code still sets them.

The mixins below are registered on every model (``[register_mixin]`` in
tryton.cfg): whoever calls, a user reaches through these paths only what
``read`` would give them.  Refusals are Tryton's own access errors, which
``locale/tryton/ir.ja.po`` translates.
"""
from collections import defaultdict

from decimal import Decimal, InvalidOperation

from trytond.i18n import gettext
from trytond.model import ModelStorage, Workflow, fields
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.tools.domain_inversion import is_leaf
from trytond.transaction import Transaction, without_check_access

from . import audit
from .exceptions import ReadonlyFieldError

RELATIONS = {'many2one', 'one2one', 'one2many', 'many2many'}


def _checking():
    transaction = Transaction()
    return bool(transaction.user and transaction.check_access)


def check_readable(Model, ids):
    """Raise an access error unless the user may read the records: the
    model access and the record rules, in SQL as ``read`` checks them"""
    ids = [i for i in set(ids) if i is not None and i >= 0]
    if ids and issubclass(Model, ModelStorage):
        Model.read(ids, ['id'])


def _values(record):
    values = getattr(record, '_values', None)
    return list(values._items()) if values else []


def check_change_access(record):
    """Refuse an on_change call unless the user may read the model and
    every existing record named in the values sent; return those records
    as {model name: ids}, the record itself included"""
    if not _checking():
        return {}
    Model = record.__class__
    if issubclass(Model, ModelStorage):
        Pool().get('ir.model.access').check(Model.__name__, 'read')
        check_readable(Model, [record.id])
    targets = named_records(record)
    for Target, ids in targets.items():
        check_readable(Target, ids)
    return named_in_call(record, targets)


def named_in_call(record, targets=None):
    """The existing records an on_change call is about, the record itself
    included: {model name: ids}"""
    if targets is None:
        targets = named_records(record)
    named = defaultdict(set)
    if (isinstance(record, ModelStorage)
            and record.id is not None and record.id >= 0):
        named[record.__name__].add(record.id)
    for Target, ids in targets.items():
        named[Target.__name__].update(ids)
    return named


def named_records(record, _seen=None):
    "The existing records named in the values of record: {Model: ids}"
    seen = _seen if _seen is not None else set()
    Model = record.__class__
    to_check = defaultdict(set)
    for name, value in _values(record):
        field = Model._fields.get(name)
        if field is None or field._type not in RELATIONS | {'reference'}:
            continue
        if isinstance(value, (list, tuple)):
            targets = value
        else:
            targets = [value]
        for target in targets:
            if not isinstance(target, ModelStorage):
                continue
            if target.id is not None and target.id >= 0:
                to_check[target.__class__].add(target.id)
            elif id(target) not in seen:
                # A line being edited: what it names in turn
                seen.add(id(target))
                for Model_, ids in named_records(target, seen).items():
                    to_check[Model_].update(ids)
    return to_check


class EntryRPC(RPC):
    """An RPC entry point: an on_change call checked by
    check_change_access, every call audited (audit.rpc_call)"""
    __slots__ = ()


def _entry_rpc(model, name, rpc):
    "The same RPC, its method checked and audited"
    if isinstance(rpc, EntryRPC):
        return rpc
    decorate = rpc.decorate
    change = is_change_method(name) and rpc.instantiate == 0

    def decorator(func):
        func = decorate(func)
        if change:
            func = _change_checked(model, name, func)
        elif name in {'write', 'create'}:
            func = _readonly_checked(model, name, func)
        if name in {'write', 'create', 'delete'}:
            func = _mode_checked(model, name, func)
        # Outermost: a refused check is logged, its reads are not
        return audit.rpc_call(model, name, func,
            named=named_in_call if change else None)
    entry = EntryRPC(
        **{slot: getattr(rpc, slot) for slot in RPC.__slots__})
    entry.decorator = decorator
    return entry


def _change_checked(model, name, func):
    def wrapper(self, *args, **kwargs):
        named = check_change_access(self)
        result = func(self, *args, **kwargs)
        # the values it answers are computed from the records named
        audit.record_change(model, name, named,
            args[0] if args and isinstance(args[0], list) else ())
        return result
    return wrapper


def _mode_checked(model, name, func):
    """Check the model access first: a model's own checks in write, create
    or delete name the records they refuse, which a user without the right
    to change the model must not learn"""
    def wrapper(*args, **kwargs):
        if _checking():
            Pool().get('ir.model.access').check(model, name)
        return func(*args, **kwargs)
    return wrapper


def _readonly_checked(model, name, func):
    "Refuse the read-only fields a user's write or create sends"
    def wrapper(*args, **kwargs):
        if _checking():
            Model = Pool().get(model)
            if name == 'write':
                for records, values in zip(args[::2], args[1::2]):
                    check_readonly_write(Model, records, values)
            elif args:
                check_readonly_create(Model, args[0])
        return func(*args, **kwargs)
    return wrapper


def is_change_method(name):
    return name.startswith('on_change') or name == 'on_scan_code'


class ChangeAccessMixin:
    """on_change calls read only what the user may read; every RPC call
    goes through the audit log's entry point

    Applied after the pool is set up: the class made with this mixin
    replaces its RPC entries with checked and audited ones."""
    __slots__ = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        rpc = getattr(cls, '__rpc__', None)
        if not rpc:
            return
        cls.__rpc__ = {
            name: _entry_rpc(cls.__name__, name, r)
            for name, r in rpc.items()}


def restrict_related(Model, domain):
    """The domain with each leaf through a relation also required to match
    a target record the user may read (the target's record rules)"""
    Rule = Pool().get('ir.rule')
    if is_leaf(domain):
        name = domain[0]
        if '.' not in name:
            return domain
        local, rest = name.split('.', 1)
        field = Model._fields.get(local)
        if (field is None
                or field._type not in RELATIONS
                or isinstance(field, fields.Function)):
            return domain
        Target = field.get_target()
        target_domain = restrict_related(
            Target, (rest,) + tuple(domain[1:]))
        rule_domain = Rule.domain_get(Target.__name__, mode='read')
        if not rule_domain and target_domain == (rest,) + tuple(domain[1:]):
            return domain
        where = [target_domain]
        if rule_domain:
            where.append(rule_domain)
        # The dotted leaf stays, for Tryton's model and field access check
        return ['AND', domain, (local, 'where', where)]
    elif not domain:
        return domain
    elif domain[0] in ('AND', 'OR'):
        return [domain[0]] + [restrict_related(Model, d) for d in domain[1:]]
    else:
        return [restrict_related(Model, d) for d in domain]


def _export_paths(Model, records, paths):
    "Check that every record an export reaches is readable"
    check_readable(Model, [r.id for r in records])
    by_field = defaultdict(list)
    for path in paths:
        # A relation exported alone gives its targets' names: check them too
        if path:
            rest = [p for p in [path[1:]] if p]
            by_field[path[0].split('.')[0].split(':')[0]].extend(rest)
    for name, rests in by_field.items():
        field = Model._fields.get(name)
        if field is None or field._type not in RELATIONS:
            continue
        Target = field.get_target()
        with without_check_access():
            targets = []
            for record in records:
                value = getattr(record, name)
                if isinstance(value, (list, tuple)):
                    targets.extend(value)
                elif value:
                    targets.append(value)
        if targets:
            _export_paths(Target, Target.browse(targets), rests)


class RelatedAccessMixin:
    """Search domains and exports through relations obey the record rules
    of the records they reach"""
    __slots__ = ()

    @classmethod
    def search(cls, domain, *args, **kwargs):
        if _checking() and domain:
            domain = restrict_related(cls, domain)
        return super().search(domain, *args, **kwargs)

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        if _checking():
            _export_paths(cls, records, [f.split('/') for f in fields_names])
        return super().export_data(records, fields_names, header=header)


# -- fields the form shows read-only ---------------------------------------

def guarded_fields(Model, names):
    """The fields among names that a user may not set through RPC: fields
    defined read-only (Function fields without setter are) and the state
    of a workflow, which changes only through its transitions (buttons).

    A model lists in ``_rpc_writable_readonly`` the read-only fields its
    forms send legitimately (set by an on_change)."""
    allowed = getattr(Model, '_rpc_writable_readonly', ())
    state = Model._transition_state if issubclass(Model, Workflow) else None
    for name in names:
        field = Model._fields.get(name)
        if field is None or name in allowed:
            continue
        if field.readonly or name == state:
            yield name


def same_value(field, sent, stored):
    """Whether the value sent leaves the field as stored (or as its
    default): the clients resend unchanged values"""
    type_ = field._type
    if type_ in {'one2many', 'many2many'}:
        # actions on the lines; none changes nothing
        return not sent
    if type_ in {'char', 'text', 'selection', 'boolean'}:
        return (sent or None) == (stored or None)
    if type_ == 'reference' and isinstance(sent, (list, tuple)):
        sent = '%s,%s' % tuple(sent)
    if type_ in {'numeric', 'float'} and None not in {sent, stored}:
        try:
            return Decimal(str(sent)) == Decimal(str(stored))
        except (InvalidOperation, ValueError):
            return False
    if type_ == 'multiselection':
        return sorted(sent or []) == sorted(stored or [])
    return sent == stored


def button_labels(Model):
    "The labels of the model's buttons, as the user reads them"
    Button = Pool().get('ir.model.button')
    with without_check_access():
        buttons = Button.search([
                ('model', '=', Model.__name__),
                ('name', 'in', list(getattr(Model, '_buttons', {}))),
                ], order=[('id', 'ASC')])
        return ''.join('「%s」' % b.string for b in buttons if b.string)


def _refuse_readonly(Model, name):
    names = Model.__names__(field=name)
    state = Model._transition_state if issubclass(Model, Workflow) else None
    if name == state:
        message = gettext('sakai_audit.msg_state_field_write',
            buttons=button_labels(Model), **names)
    else:
        message = gettext('sakai_audit.msg_readonly_field_write', **names)
    raise ReadonlyFieldError(message)


def check_readonly_write(Model, records, values):
    "Refuse a write that changes a field the form shows read-only"
    if not isinstance(values, dict):
        return
    names = list(guarded_fields(Model, values))
    if not names:
        return
    ids = [getattr(r, 'id', r) for r in records]
    # Read as the user (what they may not read they may not send), not
    # logged as a read of its own: the call is logged as the write
    rows = audit._outermost(Model.read)(ids, names)
    for name in names:
        field = Model._fields[name]
        if not all(same_value(field, values[name], row[name])
                for row in rows):
            _refuse_readonly(Model, name)


def check_readonly_create(Model, vlist):
    "Refuse a create that sets a read-only field other than its default"
    if not isinstance(vlist, (list, tuple)):
        return
    vlist = [v for v in vlist if isinstance(v, dict)]
    names = {n for values in vlist for n in guarded_fields(Model, values)}
    if not names:
        return
    defaults = Model.default_get(list(names), with_rec_name=False)
    for values in vlist:
        for name in sorted(names & values.keys()):
            if not same_value(Model._fields[name], values[name],
                    defaults.get(name)):
                _refuse_readonly(Model, name)
