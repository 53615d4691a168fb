# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The calls of the attack suite, generated from tests/access_table.py
and from the models themselves (their relation fields, on_change methods,
reports and buttons).

Each ``Case`` is one JSON-RPC call by one staff group with what must come
back:

- ``ALLOWED``: an answer (data for a read);
- ``REFUSED``: a clear refusal (a Tryton error message or HTTP 401/403);
- ``EMPTY``: a refusal or an empty answer (no record, count 0, export
  cells all empty);
- ``SAFE``: anything, as long as it holds nothing the group may not read.

Whatever is expected, an answer must never hold one of the group's
forbidden strings (``world['forbidden']``: markers of DV, health, stress
and citizens' words, the clients' names for the groups that read no client
file) nor the case's ``hidden`` strings (e.g. the name of the record an
on_change was given).

Generation runs in the test process inside a transaction as user 0 (the
administrator's view of the data says which relations really lead to the
sensitive records, so that every case can catch something).
"""
from collections import defaultdict

from trytond.pool import Pool

from tests import access_table
from tests.tools import OUR_MODULES

from .data import ACTOR, READERS

ALLOWED, REFUSED, EMPTY, SAFE = 'allowed', 'refused', 'empty', 'safe'
GROUPS = access_table.GROUPS
RELATIONS = {'many2one', 'one2many', 'many2many'}
# Never followed: every record points at users through these
SKIP_FIELDS = {'create_uid', 'write_uid'}


class Case:
    "One call by one group and what must come back"
    __slots__ = ('family', 'group', 'label', 'method', 'params', 'expect',
        'hidden', 'login')

    def __init__(self, family, group, label, method, params, expect,
            hidden=(), login=None):
        self.family = family
        self.group = group
        self.label = label
        self.method = method
        self.params = params
        self.expect = expect
        self.hidden = [h for h in hidden if h]
        self.login = login or ACTOR[group]

    def __str__(self):
        return f'{self.login} {self.label} (expected {self.expect})'


def rights(model, group):
    "The group's rights on model in the table ('' when not listed)"
    rights = access_table.MODELS.get(model)
    if rights is None:
        return ''
    return rights[GROUPS.index(group)]


def can_read(model, group):
    return 'r' in rights(model, group)


def uncovered():
    """The sensitive fields of the table (SENSITIVE) no target holds: a
    field added there must be added here to be attacked"""
    covered = {(model, field)
        for _, model, _, fields, _, _, _ in targets(WORLD_FIELDS)
        for field in fields}
    return sorted(set(access_table.SENSITIVE) - covered)


class _Ids(dict):
    "Any world: ids for the names targets() looks up"
    def __missing__(self, key):
        return [0]


WORLD_FIELDS = _Ids()


def targets(world):
    """The sensitive records: (name, model, ids, text fields, marker kind,
    groups that may read them, whole record hidden).

    The groups that may read them: those the source of their content
    allows (data.READERS) that may read the model.  When only the content
    is sensitive (a message that copies a stress result, a webhook
    payload), the record itself may be found: only its content is
    hidden."""
    client_readers = {g for g in GROUPS if can_read('party.party', g)
        and g not in {'sysadmin', 'auditor'}}
    found = [
        ('DV referral', 'counseling.referral', [world['dv_referral']],
            ['reason', 'shared_information', 'outcome_note'], 'dv', True),
        ('health record (done)', 'counseling.record', [world['record_done']],
            ['notes', 'concerns'], 'health', True),
        ('health record (draft)', 'counseling.record',
            [world['record_future']], ['notes'], 'health', True),
        ('stress check', 'questionnaire.response', [world['stress_response']],
            ['recommendations'], 'stress', True),
        ('stress answers', 'questionnaire.response.answer',
            world['stress_answers'][:3], ['text'], 'stress', True),
        ('stress scores', 'questionnaire.response.score',
            world['stress_scores'], ['value'], 'stress', True),
        ('stress result sent on LINE', 'line.message',
            [world['stress_message']], ['content'], 'stress', False),
        ('suicide inquiry', 'line.inquiry', [world['inquiry']],
            ['subject'], 'free', True),
        ('suicide message', 'line.inquiry.message',
            world['inquiry_messages'], ['text'], 'free', True),
        ('webhook payload', 'line.event', [world['event']], ['payload'],
            'free', False),
        ('client file', 'party.party', [world['client']], ['name'], None,
            True),
        ('client note', 'ir.note', [world['note']], ['message'], 'note',
            True),
        ('health amendment', 'counseling.record.amendment',
            world['amendments'], ['text'], 'health', True),
        ('children of the client', 'party.party.child', world['children'],
            ['birth_date'], None, True),
        ('phone of the client', 'party.contact_mechanism', world['phones'],
            ['value'], None, True),
        ('follow-up after placement', 'job.follow_up', world['follow_ups'],
            ['wellbeing', 'childcare'], 'free', True),
        ]
    result = []
    for name, model, ids, fields, kind, hidden in found:
        if not ids:
            # Not in this database (a model of a later step)
            continue
        readers = READERS[kind] if kind else client_readers
        if model in access_table.MODELS:
            readers = {g for g in readers if can_read(model, g)}
        result.append((name, model, ids, fields, kind, readers, hidden))
    return result


# -- model access ---------------------------------------------------------

def exposed(model):
    """The RPC methods of model (models without views have none: they are
    reached through the fields of others) and whether it is a view over
    other tables (nothing to create, write or delete)"""
    try:
        Model = Pool().get(model)
    except KeyError:
        return set(), False
    table_query = getattr(Model, '_is_table_query', lambda: False)()
    return set(Model.__rpc__), table_query


def model_access(world, exposure):
    """Every group × model × read/search/search_count/create/write/delete,
    allowed exactly as the table says.  Allowed writes, creations and
    deletions are probed with no record (nothing changes); refused ones
    with the sample record (a hole shows as a changed record).  A group
    reads the first record its rules let it read.  exposure: {model:
    (RPC methods, table query)}"""
    samples = world['samples']
    for model in sorted(access_table.MODELS):
        methods, table_query = exposure.get(model, (set(), False))
        sample = samples.get(model)
        singleton = model in SINGLETONS
        for group in GROUPS:
            r = rights(model, group)
            readable = world['group_samples'][group].get(model)

            def case(label, method, params, right):
                return Case('model access', group, f'{model}.{label}',
                    f'model.{model}.{method}', params,
                    ALLOWED if right in r else REFUSED)
            cases = []
            read = readable if 'r' in r else sample
            if read:
                cases.append(case(f'read([{read}])', 'read',
                        [[read], ['rec_name']], 'r'))
            cases.append(case('search([])', 'search', [[], 0, 5, None], 'r'))
            cases.append(case('search_count([])', 'search_count', [[]], 'r'))
            if not table_query:
                cases.append(case('create([{}])' if singleton
                        else 'create([])', 'create',
                        [[{}] if singleton else []], 'c'))
                if 'w' in r or not sample:
                    cases.append(case('write([], {})', 'write', [[], {}],
                            'w'))
                else:
                    cases.append(case(f'write([{sample}], {{}})', 'write',
                            [[sample], {}], 'w'))
                if 'd' in r or not sample:
                    cases.append(case('delete([])', 'delete', [[]], 'd'))
                else:
                    cases.append(case(f'delete([{sample}])', 'delete',
                            [[sample]], 'd'))
            for c in cases:
                if c.method.rpartition('.')[2] in methods:
                    yield c


# Models of one record: create writes it
SINGLETONS = {'line.configuration', 'support.programme'}


# -- sensitive records read directly --------------------------------------

def sensitive_reads(world):
    """Each sensitive record read, searched and search_read by every
    group: the groups that may not read it are refused, find nothing, or
    (content only hidden) read it without its content"""
    for name, model, ids, fields, _, readers, hidden in targets(world):
        for group in GROUPS:
            allowed = group in readers
            label = f'{model} {name}'
            read = ALLOWED if allowed else (REFUSED if hidden else SAFE)
            find = ALLOWED if allowed else (EMPTY if hidden else SAFE)
            yield Case('sensitive reads', group, f'{label} read {fields}',
                f'model.{model}.read', [ids, fields or ['rec_name']], read)
            domain = [('id', 'in', ids)]
            yield Case('sensitive reads', group, f'{label} search',
                f'model.{model}.search', [domain, 0, None, None], find)
            yield Case('sensitive reads', group, f'{label} search_count',
                f'model.{model}.search_count', [domain], find)
            yield Case('sensitive reads', group, f'{label} search_read',
                f'model.{model}.search_read',
                [domain, 0, None, None, fields or ['rec_name']], find)


# -- relations --------------------------------------------------------------

def relation_fields(Model, stored_only=True):
    "(name, target model) of Model's relation fields"
    for name, field in sorted(Model._fields.items()):
        if name in SKIP_FIELDS:
            continue
        type_ = field._type
        if type_ not in RELATIONS:
            continue
        if stored_only and hasattr(field, 'getter') and not getattr(
                field, 'searcher', None):
            continue
        target = getattr(field, 'model_name', None)
        if target:
            yield name, target


def paths(model, depth=2):
    "Relation paths from model: (path, target model), at most depth long"
    pool = Pool()
    todo = [('', model)]
    for _ in range(depth):
        following = []
        for prefix, current in todo:
            try:
                Model = pool.get(current)
            except KeyError:
                continue
            for name, target in relation_fields(Model):
                path = f'{prefix}.{name}' if prefix else name
                yield path, target
                following.append((path, target))
        todo = following


def linked(model, path, ids):
    "Ids of model whose path leads to one of ids (as the administrator)"
    Model = Pool().get(model)
    try:
        return [r.id for r in Model.search(
                [(f'{path}.id', 'in', ids)], limit=5)]
    except Exception:
        return []


def related_paths(world):
    """(target, model, path, linked ids, text fields): every relation path
    of a model of the table that leads, in the data, to a sensitive record
    (text fields: those of the target's fields a marker can be searched
    in)"""
    found = []
    pool = Pool()
    for target in targets(world):
        tmodel, ids, fields = target[1], target[2], target[3]
        Target = pool.get(tmodel)
        texts = [f for f in fields
            if Target._fields[f]._type in {'char', 'text'}]
        for model in sorted(access_table.MODELS):
            try:
                pool.get(model)
            except KeyError:
                continue
            for path, end in paths(model):
                if end != tmodel:
                    continue
                records = linked(model, path, ids)
                if records:
                    found.append((target, model, path, records, texts))
    return found


def related_search(world, found):
    """Searches through relation paths onto sensitive records, by each
    group that may read the model searched but not the record reached:
    they find nothing"""
    markers = world['markers']
    for target, model, path, _, texts in found:
        name, tmodel, ids, fields, kind, readers, hidden = target
        for group in GROUPS:
            if group in readers or not can_read(model, group):
                continue
            # The link to a hidden record; the content of any
            domains = [[(f'{path}.id', 'in', ids)]] if hidden else []
            if kind in markers:
                for field in texts:
                    domains.append([(f'{path}.{field}', 'ilike',
                                f'%{markers[kind]}%')])
            for domain in domains:
                yield Case('related search', group,
                    f'{model}.search {domain} ({name})',
                    f'model.{model}.search', [domain, 0, None, None], EMPTY)
                yield Case('related search', group,
                    f'{model}.search_count {domain} ({name})',
                    f'model.{model}.search_count', [domain], EMPTY)


def named_searches(world):
    "The searches the issue names, by every group"
    domains = [
        ('party.party', [('referrals.agency.kind', '=', 'dv')], 'dv'),
        ('party.party', [('referrals.agency_kind', '=', 'dv')], 'dv'),
        ('party.party', [('referrals.reason', 'ilike', '%DVMARK%')], 'dv'),
        ('counseling.booking', [('records.sensitive', '=', True)], 'health'),
        ('counseling.booking', [('records.notes', 'ilike', '%HEALTHMARK%')],
            'health'),
        ('line.inquiry', [('messages.text', 'ilike', '%死にたい%')],
            'free'),
        ('line.message', [('content', 'ilike', '%高ストレス%')], 'stress'),
        ('questionnaire.response', [('questionnaire.sensitive', '=', True)],
            'stress'),
        ('questionnaire.response.score', [
                ('response.questionnaire.code', '=', 'stress_check')],
            'stress'),
        ('line.event', [('payload', 'ilike', '%死にたい%')], 'free'),
        ]
    for model, domain, kind in domains:
        for group in GROUPS:
            if group in READERS[kind] or not can_read(model, group):
                continue
            yield Case('related search', group, f'{model}.search {domain}',
                f'model.{model}.search', [domain, 0, None, None], EMPTY)


def audit_log_searches(world):
    """The audit log searched on the client's file: the auditor finds the
    entries of a client by name, never by what the file holds"""
    client = world['client']
    for field, value in [
            ('client.contact_mechanisms.value', '%3141%'),
            ('client.phone', '%3141%'),
            ('client.mobile', '%3141%'),
            ('client.household', 'single_mother'),
            ('client.children.birth_date', None),
            ('client.referrals.agency.kind', 'dv'),
            ('client.referrals.reason', '%DVMARK%'),
            ('client.name_kana', '%'),
            ('client.line_user.line_id', world['line_id']),
            ]:
        operator = 'ilike' if isinstance(value, str) and '%' in value \
            else ('!=' if value is None else '=')
        domain = [(field, operator, value), ('client', '=', client)]
        yield Case('related search', 'auditor',
            f'audit.log.search {domain}', 'model.audit.log.search',
            [domain, 0, None, None], EMPTY)


# -- exports ----------------------------------------------------------------

def export_cases(world, found):
    """export_data of the sensitive fields through relation paths, by the
    groups that may read the model exported but not the record reached:
    refused or every cell empty"""
    for target, model, path, records, _ in found:
        name, tmodel, ids, fields, kind, readers, hidden = target
        columns = [f'{path.replace(".", "/")}/{f}' for f in fields] or [
            f'{path.replace(".", "/")}/rec_name']
        for group in GROUPS:
            if group in readers or not can_read(model, group):
                continue
            yield Case('export', group,
                f'{model}.export_data({records}, {columns}) ({name})',
                f'model.{model}.export_data', [records, columns], EMPTY)
            yield Case('export', group,
                f'{model}.export_data_domain({columns}) ({name})',
                f'model.{model}.export_data_domain',
                [[('id', 'in', records)], columns], EMPTY)


def unreadable_relations(group):
    """(model, field, target, searchable) of the models the group reads
    whose relation leads to a model it may not read: exporting it names
    what it may not see"""
    pool = Pool()
    for model in sorted(access_table.MODELS):
        if not can_read(model, group):
            continue
        try:
            Model = pool.get(model)
        except KeyError:
            continue
        for name, target in relation_fields(Model, stored_only=False):
            if target in access_table.MODELS and not can_read(target, group):
                field = Model._fields[name]
                searchable = not hasattr(field, 'getter') or bool(
                    getattr(field, 'searcher', None))
                yield model, name, target, searchable


# -- on_change --------------------------------------------------------------

def on_change_methods(Model):
    """(field, Many2One target, [(method, params builder)]) of Model's
    on_change and on_change_with methods fed by a Many2One"""
    for name, field in sorted(Model._fields.items()):
        if field._type != 'many2one' or name in SKIP_FIELDS:
            continue
        calls = []
        if getattr(field, 'on_change', None):
            calls.append(('on_change', lambda v, n=name: [v, [n]]))
            calls.append((f'on_change_{name}', lambda v: [v]))
        dependents = sorted(other for other, f in Model._fields.items()
            if name in (getattr(f, 'on_change_with', None) or ()))
        if dependents:
            calls.append(('on_change_with', lambda v, d=dependents: [v, d]))
            for other in dependents:
                calls.append((f'on_change_with_{other}', lambda v: [v]))
        if calls:
            yield name, field.model_name, calls


def on_change_cases(world, hidden_names):
    """on_change of every model with a Many2One given records the group
    may not read (every booking for counseling.record): refused, or an
    answer that changes nothing to a value.  hidden_names: {(model, id):
    rec_name}
    as the administrator reads it."""
    pool = Pool()
    sensitive = {}
    for name, model, ids, _, _, readers, _ in targets(world):
        for id_ in ids:
            sensitive[model, id_] = readers
    for model in sorted(access_table.MODELS):
        try:
            Model = pool.get(model)
        except KeyError:
            continue
        if not hasattr(Model, 'on_change'):
            continue
        for field, target, calls in on_change_methods(Model):
            ids = [i for (m, i) in hidden_names if m == target]
            for group in GROUPS:
                for id_ in ids:
                    readers = sensitive.get((target, id_))
                    may = (can_read(model, group) and can_read(target, group)
                        and (readers is None or group in readers))
                    if may:
                        continue
                    hidden = [hidden_names[target, id_]]
                    for method, build in calls:
                        yield Case('on_change', group,
                            f'{model}.{method} {{{field!r}: {id_}}}',
                            f'model.{model}.{method}',
                            build({field: id_}), EMPTY, hidden=hidden)


# -- reports and buttons ------------------------------------------------------

# Reports printed only with the person's current consent (checked in the
# report's execute): the world's parties have none, so every group is
# refused
CONSENT_REPORTS = {'party.party.matching_sheet'}


def report_cases(world, reports):
    """Every report of a table model printed by every group: refused where
    the record may not be read.  reports: [(action id, report_name,
    model)]"""
    sensitive = {}
    for name, model, ids, _, _, readers, _ in targets(world):
        sensitive.setdefault(model, []).append((ids[0], readers))
    for action, report_name, model in reports:
        records = [(world['samples'][model], None)] if model in \
            world['samples'] else []
        records += sensitive.get(model, [])
        for group in GROUPS:
            for id_, readers in records:
                may = can_read(model, group) and (
                    readers is None or group in readers) and (
                    report_name not in CONSENT_REPORTS)
                data = {'model': model, 'id': id_, 'ids': [id_],
                    'action_id': action}
                yield Case('reports', group,
                    f'report {report_name} of {model} {id_}',
                    f'report.{report_name}.execute', [[id_], data],
                    ALLOWED if may else REFUSED)


def button_cases(world, samples):
    """Every button limited to groups, pressed by the others (groups with
    no write access for buttons open to writers): refused.  samples:
    {model: id}"""
    for (model, button), allowed in sorted(access_table.BUTTONS.items()):
        if not allowed:
            allowed = [g for g in GROUPS if 'w' in rights(model, g)]
        sample = samples.get(model)
        if not sample:
            continue
        for group in GROUPS:
            if group in allowed:
                continue
            yield Case('buttons', group, f'{model}.{button}([{sample}])',
                f'model.{model}.{button}', [[sample]], REFUSED)


# -- state and read-only fields -------------------------------------------

def readonly_fields(Model, ours):
    """Stored fields the form always shows read-only, defined by our
    modules (ours: the names of their fields of Model)"""
    for name, field in sorted(Model._fields.items()):
        if name not in ours:
            continue
        if name in {'id', 'create_uid', 'create_date', 'write_uid',
                'write_date', 'rec_name'}:
            continue
        if hasattr(field, 'getter') or not field.readonly:
            continue
        if field._type in {'one2many', 'many2many', 'binary', 'dict',
                'multiselection', 'reference'}:
            continue
        yield name, field


def other_value(record, name, field, other_ids):
    "A value for the field that differs from the record's"
    import datetime as dt
    from decimal import Decimal
    current = getattr(record, name, None)
    type_ = field._type
    if type_ in {'char', 'text'}:
        return 'ATTACK'
    if type_ == 'boolean':
        return not current
    if type_ == 'integer':
        return (current or 0) + 1
    if type_ in {'float'}:
        return (current or 0) + 1.5
    if type_ == 'numeric':
        return str((current or Decimal(0)) + 1)
    if type_ == 'date':
        return (current or dt.date(2027, 1, 1)) + dt.timedelta(days=1)
    if type_ in {'datetime', 'timestamp'}:
        return (current or dt.datetime(2027, 1, 1)) + dt.timedelta(hours=1)
    if type_ == 'time':
        return dt.time(3, 0)
    if type_ == 'selection':
        values = [v for v, _ in (field.selection
                if isinstance(field.selection, list) else [])
            if v and v != current]
        return values[0] if values else None
    if type_ == 'many2one':
        current_id = current.id if current else None
        others = [i for i in other_ids.get(field.model_name, [])
            if i != current_id]
        return others[0] if others else None
    return None


def readonly_write_cases(world, other_ids):
    """A plain write of each read-only field (state included) of our
    modules on the sample record, by each group that may write the model:
    refused"""
    pool = Pool()
    Field = pool.get('ir.model.field')
    ours = defaultdict(set)
    for field in Field.search([('module', 'in', OUR_MODULES)]):
        ours[field.model].add(field.name)
    for model in sorted(access_table.MODELS):
        sample = world['samples'].get(model)
        if not sample:
            continue
        try:
            Model = pool.get(model)
        except KeyError:
            continue
        record = Model(sample)
        writers = [g for g in GROUPS if 'w' in rights(model, g)]
        for name, field in readonly_fields(Model, ours[model]):
            value = other_value(record, name, field, other_ids)
            if value is None:
                continue
            for group in writers:
                yield Case('read-only writes', group,
                    f'{model}.write([{sample}], {{{name!r}: {value!r}}})',
                    f'model.{model}.write', [[sample], {name: value}],
                    REFUSED)
