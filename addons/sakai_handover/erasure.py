# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Erasure at the end of the contract (Sakai spec §11(10)).

Every free-text, name and contact column of the personal models declared
by the modules (``sakai.handover.erasure_models()``) is overwritten with
SQL: emptied, or replaced by a fixed mark when the column cannot be
empty.  Columns under a unique index or constraint (found in the
database's catalog, not listed by hand) get a value of their own: the mark
followed by the record id, or for LINE user IDs an irreversible token
(SHA-256 with a random salt that is never stored).  Dates, kinds, states,
households and the links between records are kept: monthly statistics
still count.  The report is returned (HTML, rendered from
report/erasure_report.html in the programme's language) and stored in
``sakai.erasure.report``.

An UPDATE leaves the old row versions in the database file until they are
vacuumed: after the commit, ``vacuum()`` rewrites the touched tables
(PostgreSQL ``VACUUM FULL``, SQLite ``VACUUM``) on a separate autocommit
connection, as VACUUM cannot run inside a transaction.  The backups that
still hold the data are listed in the report for the operator to destroy.

The erasure is run by ``erase_approved``: only with a second person's
approval (``sakai.approval`` of kind erasure, approved by an auditor,
unused and recent), which it uses up and names in the report; it is one
entry of the audit log.
"""
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import time

from sql import Cast, Literal
from sql.operators import Concat

from trytond import backend
from trytond.config import config
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.transaction import Transaction

from sakai_audit import audit
from sakai_programme.programme import citizen_language, local_timezone

ERASED = '消去済み'
# What vacuum() reports for the transactions it could not wait for
RUNNING = '実行中の古いトランザクション'
TEXT_TYPES = ('char', 'text', 'binary', 'dict', 'full_text')


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def erasure_models(cls):
        """Return {model: {'keep': [fields], 'token': [fields],
        'meaning': str}}: text fields are erased except those kept;
        'token' fields get an irreversible unique token"""
        return {
            'party.party': {'keep': ['code'], 'meaning': "当事者"},
            'party.address': {'meaning': "住所"},
            'party.contact_mechanism': {'meaning': "連絡先"},
            'party.identifier': {'meaning': "識別番号"},
            }


class ErasureReport(ModelSQL, ModelView):
    __name__ = 'sakai.erasure.report'
    __string__ = "Erasure Report"

    date = fields.DateTime("Date", readonly=True)
    database = fields.Char("Database", readonly=True)
    erased_by = fields.Char("Erased By", readonly=True)
    content = fields.Text("Report", readonly=True)
    summary = fields.Text("Records", readonly=True,
        help="The number of records per kind whose personal data was erased.")
    approval = fields.Many2One('sakai.approval', "Approval", readonly=True,
        help="The request an auditor approved for this erasure.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        # Written by the erasure only (command line), never through RPC
        for method in ['create', 'write', 'delete']:
            cls.__rpc__.pop(method, None)


class ErasureReportPrint(Report):
    """Rendered from its template once, at the erasure (render_report), and
    kept in sakai.erasure.report: printed again, it is the report as it
    was written, as what it names has been erased since"""
    __name__ = 'sakai.erasure.report.print'

    @classmethod
    def _execute(cls, records, header, data, action):
        if not records and 'erasure' in data:
            return super()._execute(records, header, data, action)
        return 'html', '\n'.join(r.content or '' for r in records)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['language'] = Transaction().language
        context['local'] = cls.format_local
        return context

    @classmethod
    def format_local(cls, value):
        """A naive UTC datetime in the programme's time, as the language
        writes it"""
        if not value:
            return ''
        return cls.format_datetime(
            value, format='%x %H:%M', timezone=local_timezone())

    @classmethod
    def render_erasure(cls, erasure):
        """The report of an erasure (a dict of what it did, see
        render_report) in the programme's language"""
        ActionReport = Pool().get('ir.action.report')
        action, = ActionReport.search([
                ('report_name', '=', cls.__name__),
                ], limit=1)
        # Not execute(): it checks the groups of a user printing from the
        # client, and the erasure is run from the command line
        with Transaction().set_context(language=citizen_language()):
            _, content = cls._execute([], {}, {'erasure': erasure}, action)
        return content


def _token(salt, value):
    return 'X' + hashlib.sha256(salt + value.encode()).hexdigest()[:32]


def _columns_in(definition, columns):
    "The columns named in an index definition (plain or expression)"
    return {c for c in columns
        if re.search(r'(?<![\w])"?%s"?(?![\w])' % re.escape(c), definition)}


def unique_columns(cursor, table_name, columns):
    """The columns of table_name (among columns) under a unique index, a
    unique constraint or an exclusion constraint, read from the catalog"""
    found = set()
    if backend.name == 'sqlite':
        cursor.execute('PRAGMA index_list("%s")' % table_name)
        for row in list(cursor):
            index, unique = row[1], row[2]
            if not unique:
                continue
            cursor.execute('PRAGMA index_info("%s")' % index)
            names = [r[2] for r in cursor]
            found.update(n for n in names if n in columns)
            if None in names:  # an expression
                cursor.execute("SELECT sql FROM sqlite_master "
                    "WHERE type = 'index' AND name = ?", (index,))
                sql, = cursor.fetchone()
                found |= _columns_in(sql.split(' ON ', 1)[-1], columns)
    else:
        cursor.execute("SELECT pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND n.nspname = current_schema() "
            "AND (i.indisunique OR EXISTS (SELECT 1 FROM pg_constraint x "
                "WHERE x.conindid = i.indexrelid AND x.contype = 'x'))",
            (table_name,))
        for definition, in list(cursor):
            found |= _columns_in(
                definition.split(' USING ', 1)[-1], columns)
    return found


def not_null_columns(cursor, table_name):
    "The columns of table_name the database requires a value in"
    if backend.name == 'sqlite':
        cursor.execute('PRAGMA table_info("%s")' % table_name)
        return {r[1] for r in cursor if r[3]}
    cursor.execute("SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s "
        "AND is_nullable = 'NO'", (table_name,))
    return {r[0] for r in cursor}


def erased_models():
    "[(name, Model, spec)] of the declared models stored in this database"
    pool = Pool()
    Handover = pool.get('sakai.handover')
    result = []
    for name, spec in Handover.erasure_models().items():
        try:
            Model_ = pool.get(name)
        except KeyError:
            continue
        if not issubclass(Model_, ModelSQL) or callable(Model_.table_query):
            continue
        result.append((name, Model_, spec))
    return result


def erased_tables():
    "The tables the erasure rewrites (and its report's), to vacuum"
    pool = Pool()
    tables = [M._table for _, M, _ in erased_models()]
    return sorted(set(tables + [pool.get('sakai.erasure.report')._table]))


def _text_fields(Model_, spec):
    keep = set(spec.get('keep', ()))
    for fname, field in sorted(Model_._fields.items()):
        if (isinstance(field, fields.Function) or fname in keep
                or field._type not in TEXT_TYPES
                or isinstance(field, fields.Selection)
                or fname in {'create_uid', 'write_uid'}):
            continue
        yield fname, field


def erase_model(cursor, Model_, spec, salt):
    """Overwrite the personal columns of Model_'s table; return (ids,
    erased or marked columns, token columns)"""
    table = Model_.__table__()
    names = dict(_text_fields(Model_, spec))
    unique = unique_columns(cursor, Model_._table, names)
    not_null = not_null_columns(cursor, Model_._table)
    tokens = [f for f in spec.get('token', ()) if f in names]
    erased, marked, numbered = [], [], []
    for fname, field in names.items():
        if fname in tokens:
            continue
        required = getattr(field, 'required', False) or fname in not_null
        if fname in unique and required:
            # a value of its own, not derived from the old one
            numbered.append(fname)
        elif required:
            marked.append(fname)
        else:
            erased.append(fname)
    cursor.execute(*table.select(table.id))
    ids = [r[0] for r in cursor]
    columns = [getattr(table, f) for f in erased + marked + numbered]
    values = ([None] * len(erased) + [ERASED] * len(marked)
        + [Concat(Literal(ERASED + '-'), Cast(table.id, 'VARCHAR'))]
        * len(numbered))
    if columns:
        cursor.execute(*table.update(columns, values))
    for fname in tokens:
        column = getattr(table, fname)
        cursor.execute(*table.select(table.id, column,
                where=column != None))  # noqa: E711
        for id_, value in list(cursor):
            cursor.execute(*table.update([column],
                    [_token(salt, value)], where=table.id == id_))
    return ids, sorted(erased + marked + numbered), tokens


def backups(directory=None):
    """[(path, database, created)] of the backups (tools/backup.py) in
    directory, by default [sakai_line] backup_dir"""
    directory = directory or config.get('sakai_line', 'backup_dir',
        default=None)
    result = []
    if not directory or not os.path.isdir(directory):
        return result
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        manifest = os.path.join(path, 'manifest.json')
        if not os.path.isdir(path):
            continue
        database, created = '', ''
        if os.path.isfile(manifest):
            try:
                with open(manifest, encoding='utf-8') as fp:
                    data = json.load(fp)
                database, created = data.get('database', ''), data.get(
                    'created', '')
            except (OSError, ValueError):
                pass
        result.append((path, database, created))
    return result


def erase_approved(database_name, approval, erased_by='', backup_dir=None,
        demo=False):
    """Erase with the approval number given (used up, refused in Japanese
    without a good one; demo skips it for ``tools/handover.py erase
    --without-approval`` in demo mode); return the report"""
    Approval = Pool().get('sakai.approval')
    if not (demo and approval is None):
        approval = Approval.use('erasure', approval, 'sakai.erasure.erase')
    return erase_all(database_name, erased_by, backup_dir, approval=approval)


def erase_all(database_name, erased_by='', backup_dir=None, approval=None):
    """Erase personal data of the current database; return the report.
    Run by erase_approved, which checks the approval."""
    pool = Pool()
    Report = pool.get('sakai.erasure.report')
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    salt = secrets.token_bytes(32)
    now = dt.datetime.utcnow().replace(microsecond=0)
    rows = []
    for name, Model_, spec in erased_models():
        ids, erased, tokens = erase_model(cursor, Model_, spec, salt)
        rows.append((name, str(Model_.__string__ or name),
                spec.get('meaning', ''), len(ids), erased, tokens))
    report = render_report(database_name, erased_by, now, rows,
        erased_tables(), backups(backup_dir), backup_dir
        or config.get('sakai_line', 'backup_dir', default=None),
        approval=approval)
    summary = '\n'.join('%s (%s): %d' % (meaning or string, name, count)
        for name, string, meaning, count, _, _ in rows)
    record, = Report.create([{'date': now, 'database': database_name,
                'erased_by': erased_by, 'content': report,
                'summary': summary,
                'approval': approval.id if approval else None}])
    # One entry: the models erased with their counts, and the approval
    suffix = f' sakai.approval,{approval.id}' if approval else ''
    entry = audit.record('delete', Report.__name__, [record.id],
        ['%s=%d' % (name, count) for name, _, _, count, _, _ in rows],
        f'sakai.erasure.erase{suffix}')
    entry['record_count'] = sum(row[3] for row in rows)
    return report


def wait_for_snapshots(cursor, seconds=300):
    """Wait for the transactions that may still see the old values to end:
    VACUUM FULL keeps the row versions that the oldest running transaction
    of the whole cluster could see (its snapshot's horizon, whichever
    database it is in: an autovacuum, a dump, a session left idle in a
    transaction), and they would stay in the rewritten table.  Return the
    number of such transactions still running after seconds (0: none)."""
    cursor.execute('SELECT NOW()')
    since, = cursor.fetchone()
    for _ in range(seconds * 4):
        cursor.execute('SELECT COUNT(*) FROM pg_stat_activity '
            'WHERE pid <> pg_backend_pid() AND xact_start < %s '
            'AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)',
            (since,))
        running, = cursor.fetchone()
        if not running:
            break
        time.sleep(0.25)
    return running


def vacuum(database_name, tables, attempts=10):
    """Rewrite tables without their dead row versions (old values), after
    the erasure's commit, on an autocommit connection; return {table: dead
    row versions left} (PostgreSQL) or {} (SQLite: the whole file)"""
    Database = backend.Database
    if backend.name != 'sqlite':
        # End the erasure's connections: a session reports the rows it
        # updated to the statistics when it ends, which would count them
        # as dead again after the vacuum
        Database(database_name).close()
    database = Database(database_name).connect()
    connection = database.get_connection(autocommit=True)
    left = {}
    try:
        cursor = connection.cursor()
        if backend.name == 'sqlite':
            cursor.execute('VACUUM')
            # a write-ahead log would still hold the old pages
            cursor.execute('PRAGMA wal_checkpoint(TRUNCATE)')
            return left
        running = wait_for_snapshots(cursor)
        for table in tables:
            cursor.execute('VACUUM (FULL, ANALYZE) "%s"' % table)
        for attempt in range(attempts):
            cursor.execute('SELECT pg_stat_clear_snapshot()')
            cursor.execute('SELECT relname, n_dead_tup '
                'FROM pg_stat_user_tables WHERE relname = ANY(%s)',
                (list(tables),))
            left = dict(cursor)
            dead = [t for t, n in left.items() if n]
            if not dead:
                break
            # statistics of the ended sessions arrive late: count again
            time.sleep(1)
            for table in dead:
                cursor.execute('VACUUM "%s"' % table)
        if running:
            # older transactions still ran: the old values may be kept
            left[RUNNING] = running
    finally:
        database.put_connection(connection)
    return left


def render_report(database_name, erased_by, now, rows, tables=(),
        backup_list=(), backup_dir=None, approval=None):
    """The erasure report (HTML), from the template of the report
    sakai.erasure.report.print (report/erasure_report.html)"""
    Print = Pool().get('sakai.erasure.report.print', type='report')
    if approval:
        approval = {
            'number': approval.id,
            'requested_by': (approval.requested_by.rec_name
                if approval.requested_by else ''),
            'approved_by': (approval.approved_by.rec_name
                if approval.approved_by else ''),
            'approved_at': approval.approved_at,
            }
    return Print.render_erasure({
            'database': database_name,
            'erased_by': erased_by,
            'date': now,
            'approval': approval,
            'mark': ERASED,
            'vacuum': 'full' if backend.name != 'sqlite' else 'file',
            'tables': ', '.join(tables),
            'backups': [{'path': path, 'database': database,
                    'created': created}
                for path, database, created in backup_list],
            'backup_dir': backup_dir or '',
            'rows': [{'kind': meaning or string, 'model': name,
                    'count': count, 'erased': ', '.join(erased),
                    'tokens': ', '.join(tokens)}
                for name, string, meaning, count, erased, tokens in rows],
            })
