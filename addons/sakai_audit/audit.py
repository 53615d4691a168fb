# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Access and download log of personal records.

Who (the staff member's own ``res.user``) read, searched, created, changed,
deleted or downloaded which personal record, which workflow button they
clicked, what they were refused, when, from which address and through
which RPC method.  Only what real users do through RPC is logged (context
``_check_access`` set by the RPC layer and a user other than root), never
the ORM calls the server makes for itself, and only the outermost call: a
read of a client file that reads other models internally is one entry.

Every RPC entry point of every model passes through ``rpc_call`` (applied
with the on_change checks, see access.py): it knows which method the user
called, so that only the user's own searches are logged (not the searches
the server's code makes while running a button), logs buttons and
on_change calls as one entry each, and logs a refused call in a
transaction of its own, as the call's transaction is rolled back.

Coverage is declared by each module for its own models
(``AuditLog.personal_models`` and ``exempt_models``, extended through
PoolMeta); a model of our modules that holds personal data and is neither
personal nor exempt fails ``test_audit.test_coverage``.

Rows form a hash chain (``hash`` = SHA-256 of the previous row's hash and
the row's own content); ``tools/audit_verify.py`` walks it and reports the
first broken link.  Rows are appended after the user's transaction commits
(on PostgreSQL in a short READ COMMITTED transaction of their own under an
advisory lock, so concurrent appends never fork the chain), are refused any
change or deletion by the model, by the access rights and, on PostgreSQL,
by a trigger.  A cron purges rows older than the retention
(``[sakai_line] audit_retention_days``, never below 365) and moves the
chain's anchor to the hash of the last purged row.
"""
import datetime as dt
import hashlib
import logging
import threading
from functools import wraps

from sql import Literal
from sql.aggregate import Max

from trytond.config import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelStorage, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from .exceptions import AuditClientSearchError

logger = logging.getLogger(__name__)

# Models holding personal data: every read, create, write, delete and export
# through RPC is logged.  Each module adds its own (AuditLog.personal_models,
# extended through PoolMeta); the sets below are the union of what the
# activated modules declare, filled when the pool is set up (a model of a
# module that is not activated is simply never met).
PERSONAL_MODELS = set()
# Models whose records hang on another record (``resource``): entries go
# against that record, so that the client's entries hold them
RESOURCE_MODELS = {'ir.attachment', 'ir.note'}
# The clients list the notes and attachments of the record opened: a search
# on these fields tells nothing the opening did not
RESOURCE_FIELDS = {'resource', 'unread', 'id'}
# Models of our modules that point at a person but hold nothing personal
# of their own, with the reason (AuditLog.exempt_models)
EXEMPT_MODELS = {}
# Models logged for downloads (exports, reports) only
DOWNLOAD_ONLY_MODELS = {'audit.log'}
# RPC methods that are a search of the model called: the searches made
# inside any other method are the server's own
SEARCH_METHODS = {'search', 'search_count', 'search_read', 'autocomplete'}
# Models whose refused calls are logged besides the personal ones: the log
# itself and who is in which group (a self-grant refused without approval)
REFUSAL_MODELS = DOWNLOAD_ONLY_MODELS | {
    'res.user', 'res.group', 'res.user-res.group'}

KINDS = [
    ('read', "Read"),
    ('create', "Create"),
    ('write', "Write"),
    ('delete', "Delete"),
    ('download', "Download"),
    ('search', "Search"),
    ('button', "Operation"),
    ('group', "Group Change"),
    ('refused', "Refused"),
    ('approval', "Approval"),
    ('purge', "Purge"),
    ]
INTERFACES = [
    ('client', "Back Office"),
    ('api', "API"),
    ('script', "Server Script"),
    ('orm', "Server"),
    ]
GENESIS = '0' * 64
LOCK_KEY = 0x5a4b41  # advisory lock of the chain's head
MIN_RETENTION_DAYS = 365

_local = threading.local()


def retention_days():
    days = config.getint(
        'sakai_line', 'audit_retention_days', default=MIN_RETENTION_DAYS)
    return max(MIN_RETENTION_DAYS, days or 0)


def _nested():
    return getattr(_local, 'depth', 0)


def _outermost(func):
    "Only the outermost audited call of a thread is logged"
    @wraps(func)
    def wrapper(*args, **kwargs):
        _local.depth = _nested() + 1
        try:
            return func(*args, **kwargs)
        finally:
            _local.depth -= 1
    return wrapper


def _entry():
    "The (model, method) the user called through RPC, if known"
    return getattr(_local, 'entry', None)


def _by_user():
    transaction = Transaction()
    return bool(transaction.user and transaction.context.get('_check_access'))


def _audited(model, kind):
    if model in DOWNLOAD_ONLY_MODELS:
        if kind != 'download':
            return False
    elif model not in PERSONAL_MODELS:
        return False
    if _nested():
        return False
    if kind == 'search':
        entry = _entry()
        if entry and (entry[0] != model or entry[1] not in SEARCH_METHODS):
            return False
    return _by_user()


def _ids_text(ids):
    return ',' + ','.join(str(int(i)) for i in ids) + ',' if ids else ''


def now():
    "The time entries are stamped with (UTC, naive as Tryton stores it)"
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def interface(context):
    """How the call came: the back office (Tryton's clients send their bus
    id as ``client`` in every call's context), another program over HTTP
    (JSON-RPC, XML-RPC, REST) or a script run on the server (proteus,
    trytond-console) with access checks on"""
    if context.get('_request'):
        return 'client' if context.get('client') else 'api'
    return 'script'


def _new_entry(kind, model, ids, field_names=(), method='', count=None):
    transaction = Transaction()
    context = transaction.context
    request = context.get('_request') or {}
    ids = set(ids)
    return {
        'timestamp': now(),
        'user': transaction.user,
        'kind': kind,
        'model': model,
        'record_ids': _ids_text(sorted(ids)),
        'record_count': len(ids) if count is None else count,
        'field_names': ','.join(sorted(set(field_names or []))),
        'method': (method or '')[:200],
        'address': (request.get('remote_addr') or '')[:100],
        'interface': interface(context),
        }


def record(kind, model, ids, field_names=(), method='', count=None):
    """Remember an entry; written when the transaction commits

    count: the number of records when the ids are not given (a count)"""
    entry = _new_entry(kind, model, ids, field_names, method, count)
    manager = Transaction().join(_AuditDataManager())
    manager.entries.append(entry)
    return entry


def record_refused(targets, method):
    """Log a refused call: targets is [(model, ids, field_names)], method
    the call.  The call's transaction is rolled back: the entries are
    appended in a transaction of their own once it has ended."""
    transaction = Transaction()
    entries = [_new_entry('refused', model, ids, field_names, method)
        for model, ids, field_names in targets]
    transaction.atexit(_append_alone, transaction.database.name, entries)
    return entries


def _append_alone(database_name, entries):
    from trytond import backend
    sqlite = backend.name == 'sqlite'
    try:
        with Transaction(new=True).start(
                database_name, 0, autocommit=not sqlite) as transaction:
            _append(transaction, entries, own_transaction=not sqlite)
            if sqlite:
                transaction.commit()
    except Exception:
        logger.critical(
            'audit entries of a refused call lost: %s', entries, exc_info=True)


class _AuditDataManager:
    "Append the transaction's entries to the chain once it has committed"

    def __init__(self):
        self.entries = []

    def __eq__(self, other):
        return isinstance(other, _AuditDataManager)

    def __hash__(self):
        return hash(_AuditDataManager)

    def abort(self, trans):
        self.entries.clear()

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        # SQLite serializes writers: append in the same write transaction
        if (self.entries and not trans.readonly
                and trans.database.name and _is_sqlite(trans)):
            _append(trans, self.entries)
            self.entries = []

    def tpc_finish(self, trans):
        if not self.entries:
            return
        entries, self.entries = self.entries, []
        with Transaction().new_transaction(
                autocommit=not _is_sqlite(trans)) as transaction:
            _append(transaction, entries, own_transaction=True)
            if _is_sqlite(trans):
                transaction.commit()

    def tpc_abort(self, trans):
        self.entries.clear()


def _is_sqlite(transaction):
    return transaction.database.flavor.paramstyle == 'qmark'


def _content(row):
    "The text hashed for a row (its prev_hash included)"
    timestamp = row['timestamp']
    if isinstance(timestamp, str):
        timestamp = dt.datetime.fromisoformat(timestamp)
    parts = [
        row['prev_hash'] or '',
        timestamp.strftime('%Y-%m-%dT%H:%M:%S.%f'),
        str(row['user'] or ''),
        row['kind'] or '',
        row['model'] or '',
        row['record_ids'] or '',
        str(row['record_count'] or 0),
        row['field_names'] or '',
        row['method'] or '',
        row['address'] or '',
        row['interface'] or '',
        ]
    return '\x1f'.join(parts)


def purge_method(last_id, last_hash):
    "What a purge entry says of the anchor it left"
    return f'audit.log.purge <= {last_id} {last_hash}'


def row_hash(row):
    return hashlib.sha256(_content(row).encode('utf-8')).hexdigest()


COLUMNS = [
    'timestamp', 'user', 'kind', 'model', 'record_ids', 'record_count',
    'field_names', 'method', 'address', 'interface']


def _append(transaction, entries, own_transaction=False):
    """Append entries to the chain under the chain's lock.

    own_transaction: the connection is in autocommit (PostgreSQL): run a
    READ COMMITTED transaction of our own so the head read after the lock
    is the committed one."""
    pool = Pool(transaction.database.name)
    Log = pool.get('audit.log')
    table = Log.__table__()
    cursor = transaction.connection.cursor()
    postgresql = not _is_sqlite(transaction)
    if postgresql and own_transaction:
        cursor.execute('BEGIN ISOLATION LEVEL READ COMMITTED')
    try:
        if postgresql:
            cursor.execute('SELECT pg_advisory_xact_lock(%s)', (LOCK_KEY,))
        prev = Log._head(cursor)
        created = now()
        for entry in entries:
            row = dict(entry, prev_hash=prev)
            # the column keeps whole seconds on PostgreSQL
            row['timestamp'] = row['timestamp'].replace(microsecond=0)
            row['hash'] = row_hash(row)
            columns = COLUMNS + ['prev_hash', 'hash']
            cursor.execute(*table.insert(
                    [table.create_uid, table.create_date]
                    + [getattr(table, c) for c in columns],
                    [[0, created] + [row[c] for c in columns]]))
            prev = row['hash']
        if postgresql and own_transaction:
            cursor.execute('COMMIT')
    except Exception:
        if postgresql and own_transaction:
            cursor.execute('ROLLBACK')
        raise


def _entry_method(Model, default):
    "The RPC method called on Model (autocomplete searches), or default"
    entry = _entry()
    if entry and entry[0] == Model.__name__:
        return entry[1]
    return default


def _ids_of(value):
    "The ids of existing records given as ids, records or a list of them"
    if isinstance(value, (list, tuple)):
        values = value
    else:
        values = [value]
    ids = []
    for item in values:
        if isinstance(item, ModelStorage):
            item = item.id
        if isinstance(item, int) and item >= 0:
            ids.append(item)
        elif not isinstance(item, int):
            return []
    return ids


def domain_fields(domain):
    """The fields a domain filters on (``contact_mechanisms.value``), not
    the values: what was looked up, without copying a typed phone number
    or name into the log"""
    names = set()
    if not isinstance(domain, (list, tuple)):
        return names
    if (len(domain) >= 3 and isinstance(domain[0], str)
            and domain[0] not in {'AND', 'OR'}):
        names.add(domain[0])
        if domain[1] == 'where':
            names.update(f'{domain[0]}.{n}' for n in domain_fields(domain[2]))
        return names
    for item in domain:
        names |= domain_fields(item)
    return names


def _resources(Model, ids):
    """The records the notes or attachments are on:
    {model: ([resource ids], [note or attachment ids])}"""
    resources = {}
    with without_check_access():
        rows = Model.read(ids, ['resource'])
    for row in rows:
        model, _, resource_id = (row['resource'] or '').partition(',')
        if model and resource_id.lstrip('-').isdigit():
            resource_ids, own_ids = resources.setdefault(model, ([], []))
            resource_ids.append(int(resource_id))
            own_ids.append(row['id'])
    return resources


def _record_resources(kind, Model, ids, field_names, method):
    """Log the notes or attachments called against the personal records
    they are on; those on other records (a job order's PDF) as themselves,
    downloads only"""
    for model, (resource_ids, own_ids) in sorted(
            _resources(Model, ids).items()):
        if model in PERSONAL_MODELS:
            record(kind, model, [i for i in resource_ids if i >= 0],
                field_names, method)
        elif kind == 'download':
            record(kind, Model.__name__, own_ids, field_names, method)


def record_change(model, method, named, field_names=()):
    """Log an on_change call as a read of the personal records it named:
    its answer is computed from them (a booking's client, LINE ID, times)

    named: {model name: ids}"""
    for name, ids in sorted(named.items()):
        if name in PERSONAL_MODELS and ids:
            record('read', name, ids, field_names, f'{model}.{method}')


def rpc_call(model, method, func, named=None):
    """Wrap the function an RPC call runs (``RPC.decorate``)

    named: for on_change calls, the function giving the records the call's
    values name ({model: ids}); the method's own reads are then not logged
    (the call is logged as a read of the records named by
    ``record_change``) and a refusal is logged against those records"""
    @wraps(func)
    def wrapper(*args, **kwargs):
        if not _by_user():
            return func(*args, **kwargs)
        previous, _local.entry = _entry(), (model, method)
        try:
            Model = Pool().get(model)
            if (model in PERSONAL_MODELS
                    and method in getattr(Model, '_buttons', {})):
                # A workflow transition: one entry naming the button
                ids = _ids_of(args[0]) if args else []
                result = _outermost(func)(*args, **kwargs)
                record('button', model, ids, (), f'{model}.{method}')
                return result
            elif named:
                return _outermost(func)(*args, **kwargs)
            return func(*args, **kwargs)
        except UserError as exception:
            _refused(model, method, args, exception, named)
            raise
        finally:
            _local.entry = previous
    return wrapper


def _strings(value):
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _refused(model, method, args, exception, named=None):
    """Log a call refused on a personal model or one of REFUSAL_MODELS, or
    refused access anywhere, with the records and fields it asked for"""
    access = isinstance(exception, AccessError)
    if not (model in PERSONAL_MODELS or model in REFUSAL_MODELS or access):
        return
    ids, field_names = [], []
    if method in SEARCH_METHODS:
        field_names = domain_fields(args[0] if args else [])
    elif method == 'create':
        field_names = {n for v in (args[0] if args else [])
            if isinstance(v, dict) for n in v}
    elif method == 'write':
        for records, values in zip(args[::2], args[1::2]):
            ids.extend(_ids_of(records))
            if isinstance(values, dict):
                field_names.extend(values)
    elif args:
        ids = _ids_of(args[0])
        if len(args) > 1:
            field_names = _strings(args[1])
    targets = []
    if named and args:
        # an on_change: against the records its values named
        targets = [(name, ids_, field_names)
            for name, ids_ in sorted(named(args[0]).items())
            if ids_ and (name in PERSONAL_MODELS or access)]
    record_refused(targets or [(model, ids, field_names)],
        f'{model}.{method}')


class AuditMixin:
    "Log the RPC reads, searches, creations, changes, deletions and exports"
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        if not _audited(cls.__name__, 'read'):
            return super().read(ids, fields_names)
        result = _outermost(super().read)(ids, fields_names)
        kind = 'read'
        method = f'{cls.__name__}.read'
        if cls.__name__ == 'ir.attachment' and any(
                f.split('.')[0] == 'data' for f in fields_names):
            kind = 'download'
        if cls.__name__ in RESOURCE_MODELS:
            _record_resources(kind, cls, ids, fields_names, method)
        else:
            record(kind, cls.__name__, ids, fields_names, method)
        return result

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            *args, **kwargs):
        query = kwargs.get('query') or (args and args[0])
        if (query or not _audited(cls.__name__, 'search')
                or (cls.__name__ in RESOURCE_MODELS
                    and domain_fields(domain) <= RESOURCE_FIELDS)):
            return super().search(domain, offset, limit, order, count,
                *args, **kwargs)
        result = _outermost(super().search)(domain, offset, limit, order,
            count, *args, **kwargs)
        # A name look-up tells whether the person is known: log which
        # fields were searched and which records were found
        method = _entry_method(cls, 'search_count' if count else 'search')
        if count:
            record('search', cls.__name__, [], domain_fields(domain),
                f'{cls.__name__}.{method}', count=result)
        elif cls.__name__ in RESOURCE_MODELS:
            _record_resources('search', cls, [int(r) for r in result],
                domain_fields(domain), f'{cls.__name__}.{method}')
        else:
            record('search', cls.__name__, [int(r) for r in result],
                domain_fields(domain), f'{cls.__name__}.{method}')
        return result

    @classmethod
    def search_read(cls, domain, offset=0, limit=None, order=None,
            fields_names=None):
        if not _audited(cls.__name__, 'read'):
            return super().search_read(domain, offset=offset, limit=limit,
                order=order, fields_names=fields_names)
        rows = _outermost(super().search_read)(domain, offset=offset,
            limit=limit, order=order, fields_names=fields_names)
        method = f'{cls.__name__}.{_entry_method(cls, "search_read")}'
        ids = [r['id'] for r in rows]
        if cls.__name__ in RESOURCE_MODELS:
            _record_resources('read', cls, ids, fields_names or ['id'], method)
        else:
            record('read', cls.__name__, ids, fields_names or ['id'], method)
        return rows

    @classmethod
    def create(cls, vlist):
        if not _audited(cls.__name__, 'create'):
            return super().create(vlist)
        records = _outermost(super().create)(vlist)
        names = {n for v in vlist for n in v}
        ids = [r.id for r in records]
        method = f'{cls.__name__}.create'
        if cls.__name__ in RESOURCE_MODELS:
            _record_resources('create', cls, ids, names, method)
        else:
            record('create', cls.__name__, ids, names, method)
        return records

    @classmethod
    def write(cls, *args):
        if not _audited(cls.__name__, 'write'):
            return super().write(*args)
        ids, names = [], set()
        actions = iter(args)
        for records, values in zip(actions, actions):
            ids.extend(r.id for r in records)
            names.update(values)
        method = f'{cls.__name__}.write'
        if cls.__name__ in RESOURCE_MODELS:
            # against the records they were on before the change
            _record_resources('write', cls, ids, names, method)
        result = _outermost(super().write)(*args)
        if cls.__name__ not in RESOURCE_MODELS:
            record('write', cls.__name__, ids, names, method)
        return result

    @classmethod
    def delete(cls, records):
        if not _audited(cls.__name__, 'delete'):
            return super().delete(records)
        ids = [r.id for r in records]
        method = f'{cls.__name__}.delete'
        if cls.__name__ in RESOURCE_MODELS:
            _record_resources('delete', cls, ids, (), method)
        result = _outermost(super().delete)(records)
        if cls.__name__ not in RESOURCE_MODELS:
            record('delete', cls.__name__, ids, (), method)
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        if not _audited(cls.__name__, 'download'):
            return super().export_data(records, fields_names, header=header)
        result = _outermost(super().export_data)(
            records, fields_names, header=header)
        record('download', cls.__name__, [r.id for r in records],
            fields_names, f'{cls.__name__}.export_data')
        return result


class ReportAuditMixin:
    "Log printed reports as downloads"
    __slots__ = ()

    @classmethod
    def execute(cls, ids, data):
        transaction = Transaction()
        by_user = (not _nested() and transaction.user
            and transaction.context.get('_check_access'))
        method = f'{cls.__name__}.execute'
        try:
            result = _outermost(super().execute)(ids, data)
        except UserError:
            if by_user:
                try:
                    model = cls._report_model(data)
                except UserError:
                    model = ''
                record_refused(
                    [(model, _report_ids(ids), [cls.__name__])], method)
            raise
        if by_user:
            record('download', cls._report_model(data), _report_ids(ids),
                [cls.__name__], method)
        return result

    @classmethod
    def _report_model(cls, data):
        ActionReport = Pool().get('ir.action.report')
        model = data.get('model')
        if data.get('action_id'):
            model = ActionReport(data['action_id']).model or model
        if not model:
            reports = ActionReport.search(
                [('report_name', '=', cls.__name__)], limit=1)
            model = reports[0].model if reports else None
        return model or ''


def _report_ids(ids):
    return [int(i) for i in ids if isinstance(i, (int, str))
        and str(i).lstrip('-').isdigit()]


# What the auditor may search the client column on: the name only
CLIENT_NAME_FIELDS = {'', 'rec_name', 'name'}
CLIENT_NAME_OPERATORS = {
    '=', '!=', 'like', 'ilike', 'not like', 'not ilike', 'in', 'not in'}


class AuditLog(ModelSQL, ModelView):
    __name__ = 'audit.log'
    _order = [('id', 'DESC')]

    timestamp = fields.DateTime("Timestamp", readonly=True, required=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    kind = fields.Selection(KINDS, "Kind", readonly=True, required=True)
    model = fields.Char("Model", readonly=True)
    model_name = fields.Function(
        fields.Char("Model Name"), 'get_model_name')
    record_ids = fields.Text("Record IDs", readonly=True,
        help="The IDs of the records, between commas.")
    record_count = fields.Integer("Records", readonly=True)
    record_id = fields.Function(
        fields.Integer("Record ID",
            help="Find the entries that touched this record."),
        'get_record_id', searcher='search_record_id')
    client = fields.Function(
        fields.Char("Client",
            help="Find the entries that touched this client's file."),
        'get_client', searcher='search_client')
    field_names = fields.Text("Fields", readonly=True)
    method = fields.Char("Method", readonly=True,
        help="The RPC method, report or export that was called.")
    address = fields.Char("Address", readonly=True,
        help="The network address the request came from.")
    interface = fields.Selection(INTERFACES, "Interface", readonly=True,
        help="Through which way the record was reached.")
    prev_hash = fields.Char("Previous Hash", readonly=True)
    hash = fields.Char("Hash", readonly=True)

    @classmethod
    def personal_models(cls):
        """The models holding personal data whose RPC calls are logged:
        modules add theirs"""
        return {
            'party.party',
            'party.contact_mechanism',
            'party.address',
            'party.identifier',
            # attachments (reading their data is a download) and notes:
            # logged against the record they are on when it is personal
            'ir.attachment',
            'ir.note',
            }

    @classmethod
    def exempt_models(cls):
        """{model: reason} of the models that point at a person but hold
        nothing personal of their own: modules add theirs"""
        return {
            'audit.log': "the log itself: only its exports are logged",
            }

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        PERSONAL_MODELS.update(cls.personal_models())
        EXEMPT_MODELS.update(cls.exempt_models())

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for method in ['create', 'write', 'delete']:
            cls.__rpc__.pop(method, None)

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        transaction = Transaction()
        if _is_sqlite(transaction):
            return
        cursor = transaction.connection.cursor()
        table = cls._table
        cursor.execute(
            'CREATE OR REPLACE FUNCTION audit_log_append_only() '
            'RETURNS trigger AS $$ BEGIN '
            "IF TG_OP = 'DELETE' AND "
            "current_setting('sakai.audit_purge', true) = 'on' "
            'THEN RETURN OLD; END IF; '
            "RAISE EXCEPTION 'audit.log is append-only'; "
            'END $$ LANGUAGE plpgsql')
        cursor.execute(
            f'DROP TRIGGER IF EXISTS audit_log_append_only ON "{table}"')
        cursor.execute(
            'CREATE TRIGGER audit_log_append_only '
            f'BEFORE UPDATE OR DELETE ON "{table}" '
            'FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()')

    @classmethod
    def create(cls, vlist):
        if vlist:
            raise AccessError(gettext('sakai_audit.msg_audit_log_append_only'))
        return []

    @classmethod
    def write(cls, *args):
        if any(args[::2]):
            raise AccessError(gettext('sakai_audit.msg_audit_log_append_only'))

    @classmethod
    def delete(cls, records):
        if records:
            raise AccessError(gettext('sakai_audit.msg_audit_log_append_only'))

    @classmethod
    def copy(cls, records, default=None):
        if records:
            raise AccessError(gettext('sakai_audit.msg_audit_log_append_only'))
        return []

    def get_model_name(self, name):
        Model = Pool().get('ir.model')
        if self.model:
            return dict(Model.get_name_items()).get(self.model, self.model)

    def get_record_id(self, name):
        if self.record_count == 1 and self.record_ids:
            return int(self.record_ids.strip(','))

    @classmethod
    def get_client(cls, logs, name):
        """The name of the client whose file the entry is about.  The
        auditor has no access to the client files themselves: only the
        name is read, for the entries of one person"""
        Party = Pool().get('party.party')
        ids = {l.id: l.get_record_id(name) for l in logs
            if l.model == 'party.party'}
        with Transaction().set_context(_check_access=False):
            names = {p.id: p.rec_name
                for p in Party.browse([i for i in ids.values() if i])}
        return {l.id: names.get(ids.get(l.id)) for l in logs}

    @classmethod
    def _search_ids(cls, name, clause):
        _, operator, value = clause[:3]
        if operator in {'=', 'in'}:
            values = value if isinstance(value, (list, tuple)) else [value]
            values = [v for v in values if v is not None]
            if not values:
                return [('id', '=', None)]
            domain = ['OR'] + [
                ('record_ids', 'like', f'%,{int(v)},%') for v in values]
            return domain
        return [('id', '=', None)]

    @classmethod
    def search_record_id(cls, name, clause):
        return cls._search_ids(name, clause)

    @classmethod
    def search(cls, domain, *args, **kwargs):
        if _by_user():
            # The auditor's look-ups by client name are logged
            with Transaction().set_context(_audit_client_lookup=True):
                return super().search(domain, *args, **kwargs)
        return super().search(domain, *args, **kwargs)

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if (_by_user() and not _nested()
                and any(f.split('.')[0] == 'client' for f in fields_names)):
            # The client column shows names: a read of those parties
            parties = cls._client_ids(ids)
            if parties:
                record('read', 'party.party', parties, ['rec_name'],
                    'audit.log.read')
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        result = super().export_data(records, fields_names, header=header)
        if _by_user() and any(
                f.split('/')[0].split('.')[0] == 'client'
                for f in fields_names):
            parties = cls._client_ids([r.id for r in records])
            if parties:
                record('read', 'party.party', parties, ['rec_name'],
                    'audit.log.export_data')
        return result

    @classmethod
    def _client_ids(cls, ids):
        "The parties named by the client column of the entries"
        with without_check_access():
            logs = cls.browse(ids)
            return {l.get_record_id(None) for l in logs
                if l.model == 'party.party'} - {None}

    @classmethod
    def search_client(cls, name, clause):
        """Search by client id, or by name as typed in the search bar
        (``利用者: 堺 花子``).  The auditor has no access to the client files
        themselves: the names are matched without access checks, only the
        matching ids reach the search, and nothing but the name may be
        searched (a domain on ``client.phone`` or ``client.referrals``
        would tell the content of the file)."""
        field, operator, value = clause[:3]
        _, _, target = field.partition('.')
        by_ids = (target in {'', 'id'} and operator in {'=', 'in'}
            and not isinstance(value, str)
            and not (isinstance(value, (list, tuple))
                and any(isinstance(v, str) for v in value)))
        if not by_ids:
            if (target not in CLIENT_NAME_FIELDS
                    or operator not in CLIENT_NAME_OPERATORS):
                raise AuditClientSearchError(
                    gettext('sakai_audit.msg_audit_log_client_search'))
            Party = Pool().get('party.party')
            with Transaction().set_context(_check_access=False):
                parties = Party.search([
                        (target or 'rec_name', operator, value)
                        + tuple(clause[3:])])
            ids = [p.id for p in parties]
            if Transaction().context.get('_audit_client_lookup'):
                record('search', 'party.party', ids, [target or 'rec_name'],
                    'audit.log.search')
            clause = (name, 'in', ids)
        return [('model', '=', 'party.party'),
            cls._search_ids(name, clause)]

    @classmethod
    def _head(cls, cursor):
        "The hash the next row chains to"
        pool = Pool()
        Anchor = pool.get('audit.log.anchor')
        table = cls.__table__()
        cursor.execute(*table.select(
                table.hash, order_by=[table.id.desc], limit=1))
        row = cursor.fetchone()
        if row:
            return row[0]
        return Anchor.get_anchor(cursor)[0]

    @classmethod
    def flush(cls):
        "Append the entries of the current transaction now (tests)"
        transaction = Transaction()
        manager = transaction.join(_AuditDataManager())
        if manager.entries:
            entries, manager.entries = manager.entries, []
            _append(transaction, entries)

    @classmethod
    def verify(cls, batch=1000):
        """Walk the chain: return (rows checked, first broken id, reason)

        reason is None when the chain is whole."""
        pool = Pool()
        Anchor = pool.get('audit.log.anchor')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        expected, last_id = Anchor.get_anchor(cursor)
        anchor_id = last_id
        columns = ['id'] + COLUMNS + ['prev_hash', 'hash']
        count = 0
        while True:
            cursor.execute(*table.select(
                    *[getattr(table, c) for c in columns],
                    where=table.id > last_id,
                    order_by=[table.id.asc], limit=batch))
            rows = cursor.fetchall()
            if not rows:
                break
            for values in rows:
                row = dict(zip(columns, values))
                count += 1
                if row['prev_hash'] != expected:
                    return count, row['id'], 'prev_hash'
                if row_hash(row) != row['hash']:
                    return count, row['id'], 'hash'
                expected = row['hash']
                last_id = row['id']
        if not cls._anchor_recorded(cursor):
            return count, anchor_id, 'anchor'
        return count, None, None

    @classmethod
    def _anchor_recorded(cls, cursor):
        """The anchor is where the newest purge entry (itself chained) says
        the purge left it: an anchor moved by hand to hide deleted rows has
        no such entry"""
        pool = Pool()
        Anchor = pool.get('audit.log.anchor')
        table = cls.__table__()
        anchor_hash, anchor_id = Anchor.get_anchor(cursor)
        cursor.execute(*table.select(table.method,
                where=table.kind == 'purge',
                order_by=[table.id.desc], limit=1))
        row = cursor.fetchone()
        if not anchor_id:
            return anchor_hash == GENESIS and not row
        return bool(row) and row[0] == purge_method(anchor_id, anchor_hash)

    @classmethod
    def head(cls):
        "Return (id, hash) of the newest row, or (None, None)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.id, table.hash,
                order_by=[table.id.desc], limit=1))
        return cursor.fetchone() or (None, None)

    @classmethod
    def rewritten(cls, expected):
        """Return the first (id, hash) of expected heads, written down
        outside the database by earlier verifications, that the table no
        longer holds: the chain was recomputed from there on.  Heads older
        than the anchor are skipped (purged after the retention)."""
        pool = Pool()
        Anchor = pool.get('audit.log.anchor')
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        _, anchor_id = Anchor.get_anchor(cursor)
        for id_, hash_ in expected:
            if id_ <= anchor_id:
                continue
            cursor.execute(*table.select(table.hash, where=table.id == id_))
            row = cursor.fetchone()
            if not row or row[0] != hash_:
                return id_, hash_

    @classmethod
    def purge(cls):
        "Delete rows older than the retention and move the anchor"
        pool = Pool()
        Anchor = pool.get('audit.log.anchor')
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        postgresql = not _is_sqlite(transaction)
        if postgresql:
            cursor.execute('SELECT pg_advisory_xact_lock(%s)', (LOCK_KEY,))
        cutoff = (now() - dt.timedelta(days=retention_days()))
        cursor.execute(*table.select(Max(table.id),
                where=table.timestamp < cutoff))
        last_id, = cursor.fetchone()
        if not last_id:
            return 0
        cursor.execute(*table.select(table.hash, where=table.id == last_id))
        last_hash, = cursor.fetchone()
        cursor.execute(*table.select(Literal(1), where=table.id <= last_id))
        count = len(cursor.fetchall())
        if postgresql:
            cursor.execute("SET LOCAL sakai.audit_purge = 'on'")
        cursor.execute(*table.delete(where=table.id <= last_id))
        if postgresql:
            cursor.execute("SET LOCAL sakai.audit_purge = 'off'")
        Anchor.set_anchor(cursor, last_hash, last_id)
        entry = {
            'timestamp': now(),
            'user': None, 'kind': 'purge', 'model': 'audit.log',
            'record_ids': '', 'record_count': count, 'field_names': '',
            'method': purge_method(last_id, last_hash), 'address': '',
            'interface': 'orm'}
        _append(transaction, [entry])
        return count


class AuditLogAnchor(ModelSQL):
    __name__ = 'audit.log.anchor'

    hash = fields.Char("Hash", readonly=True)
    last_id = fields.Integer("Last Purged ID", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.clear()

    @classmethod
    def get_anchor(cls, cursor):
        table = cls.__table__()
        cursor.execute(*table.select(table.hash, table.last_id,
                order_by=[table.id.asc], limit=1))
        row = cursor.fetchone()
        if row:
            return row[0] or GENESIS, row[1] or 0
        return GENESIS, 0

    @classmethod
    def set_anchor(cls, cursor, hash_, last_id):
        table = cls.__table__()
        cursor.execute(*table.select(table.id, limit=1))
        row = cursor.fetchone()
        if row:
            cursor.execute(*table.update(
                    [table.hash, table.last_id], [hash_, last_id],
                    where=table.id == row[0]))
        else:
            cursor.execute(*table.insert(
                    [table.create_uid, table.create_date,
                        table.hash, table.last_id],
                    [[0, dt.datetime.now(dt.UTC).replace(tzinfo=None),
                            hash_, last_id]]))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('audit.log|purge', "Purge Audit Log Past Retention"))
