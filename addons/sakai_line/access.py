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

The mixins below are registered on every model (``[register_mixin]`` in
tryton.cfg): whoever calls, a user reaches through these paths only what
``read`` would give them.  Refusals are Tryton's own access errors, which
``locale/tryton/ir.ja.po`` translates.
"""
from collections import defaultdict

from trytond.model import ModelStorage, fields
from trytond.pool import Pool
from trytond.rpc import RPC
from trytond.tools.domain_inversion import is_leaf
from trytond.transaction import Transaction, without_check_access

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


def check_change_access(record, _seen=None):
    """Refuse an on_change call unless the user may read the model and
    every existing record named in the values sent"""
    if not _checking():
        return
    seen = _seen if _seen is not None else set()
    Model = record.__class__
    if _seen is None and issubclass(Model, ModelStorage):
        Pool().get('ir.model.access').check(Model.__name__, 'read')
        check_readable(Model, [record.id])
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
                # A line being edited: check what it names in turn
                seen.add(id(target))
                check_change_access(target, seen)
    for Target, ids in to_check.items():
        check_readable(Target, ids)


class CheckedRPC(RPC):
    "An on_change RPC whose call is checked by check_change_access"
    __slots__ = ()


def _change_checked(rpc):
    "The same RPC, its method checked by check_change_access first"
    if isinstance(rpc, CheckedRPC):
        return rpc
    decorate = rpc.decorate

    def decorator(func):
        func = decorate(func)

        def wrapper(self, *args, **kwargs):
            check_change_access(self)
            return func(self, *args, **kwargs)
        return wrapper
    checked = CheckedRPC(
        **{name: getattr(rpc, name) for name in RPC.__slots__})
    checked.decorator = decorator
    return checked


def is_change_method(name):
    return name.startswith('on_change') or name == 'on_scan_code'


class ChangeAccessMixin:
    """on_change calls read only what the user may read

    Applied after the pool is set up: the class made with this mixin
    replaces its on_change RPC entries with checked ones."""
    __slots__ = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        rpc = getattr(cls, '__rpc__', None)
        if not rpc:
            return
        cls.__rpc__ = {
            name: (_change_checked(r)
                if is_change_method(name) and r.instantiate == 0 else r)
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
