# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Access and download log of personal records.

Who (the staff member's own ``res.user``) read, created, changed, deleted or
downloaded which personal record, when, from which address and through
which RPC method.  Only what real users do through RPC is logged (context
``_check_access`` set by the RPC layer and a user other than root), never
the ORM calls the server makes for itself, and only the outermost call: a
read of a client file that reads other models internally is one entry.

Coverage is declared in ONE place, ``PERSONAL_MODELS`` below; a model of
our modules that holds personal data and is neither listed there nor in
``EXEMPT_MODELS`` fails ``test_audit.test_coverage``.

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
import threading
from functools import wraps

from sql import Literal
from sql.aggregate import Max

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelStorage, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.transaction import Transaction

# Models holding personal data: every read, create, write, delete and export
# through RPC is logged.  Modules add theirs here (one place, by name: a
# model of a module that is not activated is simply never met).
PERSONAL_MODELS = {
    # sakai_line (and the party module it extends)
    'party.party',
    'party.party.child',
    'party.contact_mechanism',
    'party.address',
    'party.identifier',
    'line.user',
    'line.user.history',
    'line.inquiry',
    'line.inquiry.message',
    'line.inquiry-line.inquiry.label',
    'line.source.visit',
    'line.message.recipient',
    'line.event',
    'questionnaire.response',
    'questionnaire.response.answer',
    'questionnaire.response.answer-choice',
    'questionnaire.response.score',
    # sakai_counseling
    'counseling.booking',
    'counseling.record',
    'counseling.record.step',
    'counseling.referral',
    'party.consent',
    # attachments: reading their data is a download
    'ir.attachment',
    }
# Models of our modules that point at a person but hold nothing personal
# of their own, with the reason.
EXEMPT_MODELS = {
    'line.configuration': "channel settings; the LINE user is a test account",
    'line.rich_menu': "menu definitions, no person",
    'line.source': "tracked add-friend links; their visits are logged",
    'line.message': "message text sent to many; recipients are logged",
    'line.message.batch': "sending batches; recipients are logged",
    'questionnaire.campaign': "campaign definitions, no person",
    'questionnaire.tally.choice': "aggregated counts, no person",
    'questionnaire.tally.question': "aggregated counts, no person",
    'line.inquiry.monthly': "aggregated counts, no person",
    'report.client.household': "aggregated counts, no person",
    'report.job_order.employment': "aggregated counts, no person",
    'counseling.referral.agency': "aggregated counts per agency",
    'job.order': "employers' job orders; employers are not clients",
    'seminar.session': "seminar sessions; attendees are logged via parties",
    'audit.log': "the log itself: only its exports are logged",
    }
# Models logged for downloads (exports, reports) only
DOWNLOAD_ONLY_MODELS = {'audit.log'}

KINDS = [
    ('read', "Read"),
    ('create', "Create"),
    ('write', "Write"),
    ('delete', "Delete"),
    ('download', "Download"),
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


def _audited(model, kind):
    if model in DOWNLOAD_ONLY_MODELS:
        if kind != 'download':
            return False
    elif model not in PERSONAL_MODELS:
        return False
    if _nested():
        return False
    transaction = Transaction()
    return bool(transaction.user and transaction.context.get('_check_access'))


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


def record(kind, model, ids, field_names=(), method=''):
    "Remember an entry; written when the transaction commits"
    transaction = Transaction()
    context = transaction.context
    request = context.get('_request') or {}
    entry = {
        'timestamp': now(),
        'user': transaction.user,
        'kind': kind,
        'model': model,
        'record_ids': _ids_text(sorted(set(ids))),
        'record_count': len(set(ids)),
        'field_names': ','.join(sorted(set(field_names or []))),
        'method': (method or '')[:200],
        'address': (request.get('remote_addr') or '')[:100],
        'interface': interface(context),
        }
    manager = transaction.join(_AuditDataManager())
    manager.entries.append(entry)
    return entry


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


class AuditMixin:
    "Log the RPC reads, creations, changes, deletions and exports"
    __slots__ = ()

    @classmethod
    def read(cls, ids, fields_names):
        if not _audited(cls.__name__, 'read'):
            return super().read(ids, fields_names)
        result = _outermost(super().read)(ids, fields_names)
        kind = 'read'
        if cls.__name__ == 'ir.attachment':
            if not any(f.split('.')[0] == 'data' for f in fields_names):
                return result
            kind = 'download'
        record(kind, cls.__name__, ids, fields_names,
            f'{cls.__name__}.read')
        return result

    @classmethod
    def create(cls, vlist):
        if not _audited(cls.__name__, 'create'):
            return super().create(vlist)
        records = _outermost(super().create)(vlist)
        names = {n for v in vlist for n in v}
        record('create', cls.__name__, [r.id for r in records], names,
            f'{cls.__name__}.create')
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
        result = _outermost(super().write)(*args)
        record('write', cls.__name__, ids, names, f'{cls.__name__}.write')
        return result

    @classmethod
    def delete(cls, records):
        if not _audited(cls.__name__, 'delete'):
            return super().delete(records)
        ids = [r.id for r in records]
        result = _outermost(super().delete)(records)
        record('delete', cls.__name__, ids, (), f'{cls.__name__}.delete')
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
        result = _outermost(super().execute)(ids, data)
        transaction = Transaction()
        if (not _nested() and transaction.user
                and transaction.context.get('_check_access')):
            pool = Pool()
            ActionReport = pool.get('ir.action.report')
            model = data.get('model')
            if data.get('action_id'):
                model = ActionReport(data['action_id']).model or model
            if not model:
                reports = ActionReport.search(
                    [('report_name', '=', cls.__name__)], limit=1)
                model = reports[0].model if reports else None
            record('download', model or '', [int(i) for i in ids],
                [cls.__name__], f'{cls.__name__}.execute')
        return result


class AuditLog(ModelSQL, ModelView):
    "Audit Log"
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
            raise AccessError(gettext('sakai_line.msg_audit_log_append_only'))
        return []

    @classmethod
    def write(cls, *args):
        if any(args[::2]):
            raise AccessError(gettext('sakai_line.msg_audit_log_append_only'))

    @classmethod
    def delete(cls, records):
        if records:
            raise AccessError(gettext('sakai_line.msg_audit_log_append_only'))

    @classmethod
    def copy(cls, records, default=None):
        if records:
            raise AccessError(gettext('sakai_line.msg_audit_log_append_only'))
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
    def search_client(cls, name, clause):
        """Search by client id, or by name as typed in the search bar
        (``利用者: 堺 花子``).  The auditor has no access to the client files
        themselves: the names are matched without access checks, and only
        the matching ids reach the search."""
        field, operator, value = clause[:3]
        _, _, target = field.partition('.')
        if target or operator not in {'=', 'in'} or isinstance(value, str):
            Party = Pool().get('party.party')
            with Transaction().set_context(_check_access=False):
                parties = Party.search([
                        (target or 'rec_name', operator, value)
                        + tuple(clause[3:])])
            clause = (name, 'in', [p.id for p in parties])
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
    "Audit Log Anchor"
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


Pool.register_mixin(AuditMixin, ModelStorage, module='sakai_line')
Pool.register_mixin(ReportAuditMixin, Report, module='sakai_line')
