#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Back up, restore and verify a Sakai database (PostgreSQL only).

    backup.py backup  -d sakai --dest /backups [--keep 14]
    backup.py restore --from /backups/sakai-20261122-021500 -d sakai_restored
    backup.py verify  --from /backups/sakai-20261122-021500 -d sakai_restored

A backup is one dated folder:

    <dest>/<database>-YYYYMMDD-HHMMSS/
        database.dump     pg_dump --format=custom
        filestore.tar.gz  the Tryton file store of the database
                          ([database] path/<database>: attachments)
        manifest.json     row counts of every table, a SHA-256 of the
                          content of the key tables, of every stored file
                          and of the two files above

The folder is written as <name>.partial and renamed when complete, so a
folder without that suffix is a finished backup.  `restore` creates a new
database (it refuses an existing one), restores the dump and the file
store, then runs `verify`: counts, checksums and files must match the
manifest (exit status 1 otherwise).

The database URI and the file store path come from the options, else from
the environment (TRYTOND_DATABASE__URI, TRYTOND_DATABASE__PATH) or the
trytond configuration file given with -c.  Needs pg_dump/pg_restore of at
least the server's major version and psycopg 3.
"""
import argparse
import configparser
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from urllib.parse import urlsplit, urlunsplit

# Tables whose content is checksummed (the rest only counted): people,
# their LINE accounts, bookings, answers, inquiries, messages, files
KEY_TABLES = [
    'party_party', 'party_contact_mechanism', 'party_address',
    'res_user', 'line_user', 'line_user_history', 'line_event',
    'line_message', 'line_inquiry', 'line_inquiry_message',
    'counseling_booking', 'counseling_record', 'counseling_record_step',
    'counseling_referral', 'party_consent',
    'questionnaire_response', 'questionnaire_response_answer',
    'ir_attachment', 'audit_log',
    ]
MANIFEST = 'manifest.json'
DUMP = 'database.dump'
FILESTORE = 'filestore.tar.gz'
FORMAT = 1


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def database_uri(uri, database):
    "The server URI with the database name as its path"
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme.split('+')[0], parts.netloc,
            '/' + database, parts.query, ''))


def settings(args):
    "(server URI, file store root) from options, environment, config"
    config = configparser.ConfigParser(interpolation=None)
    if args.config:
        config.read(args.config, encoding='utf-8')
    uri = (args.uri or os.environ.get('TRYTOND_DATABASE__URI')
        or os.environ.get('TRYTOND_DATABASE_URI')
        or config.get('database', 'uri', fallback=None))
    path = (args.filestore or os.environ.get('TRYTOND_DATABASE__PATH')
        or config.get('database', 'path', fallback=None))
    if not uri or not uri.startswith('postgresql'):
        sys.exit("backup.py: a postgresql:// database URI is needed "
            "(--uri, TRYTOND_DATABASE__URI or [database] uri)")
    return uri, path


def connect(uri, database):
    import psycopg
    return psycopg.connect(database_uri(uri, database), autocommit=True)


def table_state(uri, database):
    """{table: {'rows': n, 'sha256': hex or absent}}: every table of the
    public schema counted, the key tables' content hashed"""
    state = {}
    with connect(uri, database) as conn:
        tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename")]
        for table in tables:
            if table in KEY_TABLES:
                columns = [r[0] for r in conn.execute(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND table_name = %s",
                        (table,))]
                order = 'ORDER BY backup_row.id' if 'id' in columns else (
                    'ORDER BY backup_row::text')
                rows, digest = conn.execute(
                    'SELECT COUNT(*), encode(sha256(convert_to(COALESCE('
                    "string_agg(backup_row::text, E'\\n' %s), ''), "
                    "'UTF8')), 'hex') "
                    'FROM "%s" AS backup_row' % (order, table)).fetchone()
                state[table] = {'rows': rows, 'sha256': digest}
            else:
                rows, = conn.execute(
                    'SELECT COUNT(*) FROM "%s"' % table).fetchone()
                state[table] = {'rows': rows}
    return state


def audit_head(uri, database):
    "'id:hash' of the audit log's newest row, for audit_verify.py --expect"
    with connect(uri, database) as conn:
        exists, = conn.execute(
            "SELECT to_regclass('public.audit_log') IS NOT NULL").fetchone()
        if not exists:
            return None
        row = conn.execute('SELECT id, hash FROM audit_log '
            'ORDER BY id DESC LIMIT 1').fetchone()
    return '%d:%s' % row if row else None


def filestore_state(root):
    "{relative path: sha256} of every file under root"
    files = {}
    if root and os.path.isdir(root):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                files[os.path.relpath(path, root)] = sha256_file(path)
    return files


def run(command, **kwargs):
    subprocess.run(command, check=True, **kwargs)


def backup(args):
    uri, path = settings(args)
    now = dt.datetime.now(dt.timezone.utc)
    name = '%s-%s' % (args.database, now.strftime('%Y%m%d-%H%M%S'))
    os.makedirs(args.dest, exist_ok=True)
    final = os.path.join(args.dest, name)
    work = final + '.partial'
    os.makedirs(work)
    # Counts first, then the dump: a write in between shows as a
    # difference in the restore drill, never as a silent loss
    tables = table_state(uri, args.database)
    run(['pg_dump', '--format=custom', '--no-owner', '--no-privileges',
            '--file', os.path.join(work, DUMP),
            database_uri(uri, args.database)])
    store = os.path.join(path, args.database) if path else None
    files = filestore_state(store)
    with tarfile.open(os.path.join(work, FILESTORE), 'w:gz') as tar:
        if store and os.path.isdir(store):
            tar.add(store, arcname='.')
    manifest = {
        'format': FORMAT,
        'database': args.database,
        'created': now.isoformat(),
        'pg_dump': subprocess.run(['pg_dump', '--version'], check=True,
            capture_output=True, text=True).stdout.strip(),
        'tables': tables,
        'key_tables': sorted(t for t in KEY_TABLES if t in tables),
        # kept outside the database: proves later that the audit chain
        # was not recomputed (tools/audit_verify.py --expect)
        'audit_head': audit_head(uri, args.database),
        'filestore': files,
        'files': {
            DUMP: sha256_file(os.path.join(work, DUMP)),
            FILESTORE: sha256_file(os.path.join(work, FILESTORE)),
            },
        }
    with open(os.path.join(work, MANIFEST), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    os.rename(work, final)
    if args.keep:
        prune(args.dest, args.database, args.keep, now)
    print(final)
    return final


def prune(dest, database, keep_days, now):
    "Remove finished backups of database older than keep_days"
    limit = (now - dt.timedelta(days=keep_days)).strftime('%Y%m%d-%H%M%S')
    prefix = database + '-'
    for name in sorted(os.listdir(dest)):
        stamp = name[len(prefix):]
        if (name.startswith(prefix) and len(stamp) == 15
                and stamp[8] == '-' and stamp.replace('-', '').isdigit()
                and stamp < limit):
            shutil.rmtree(os.path.join(dest, name))


def load_manifest(folder):
    with open(os.path.join(folder, MANIFEST), encoding='utf-8') as f:
        manifest = json.load(f)
    for name, digest in manifest['files'].items():
        if sha256_file(os.path.join(folder, name)) != digest:
            sys.exit("backup.py: %s is damaged (checksum)" % name)
    return manifest


def restore(args):
    uri, path = settings(args)
    folder = getattr(args, 'from')
    manifest = load_manifest(folder)
    with connect(uri, 'postgres') as conn:
        exists = conn.execute('SELECT 1 FROM pg_database WHERE datname = %s',
            (args.database,)).fetchone()
        if exists:
            sys.exit("backup.py: database %s exists; restore into a new "
                "one" % args.database)
        conn.execute('CREATE DATABASE "%s"' % args.database.replace(
                '"', '""'))
    run(['pg_restore', '--no-owner', '--no-privileges', '--exit-on-error',
            '--dbname', database_uri(uri, args.database),
            os.path.join(folder, DUMP)])
    if path:
        store = os.path.join(path, args.database)
        if os.path.exists(store) and os.listdir(store):
            sys.exit("backup.py: file store %s is not empty" % store)
        os.makedirs(store, exist_ok=True)
        with tarfile.open(os.path.join(folder, FILESTORE), 'r:gz') as tar:
            tar.extractall(store, filter='data')
    return verify(args, manifest)


def verify(args, manifest=None):
    "Compare the database (and file store) with the manifest"
    uri, path = settings(args)
    folder = getattr(args, 'from')
    manifest = manifest or load_manifest(folder)
    problems = []
    tables = table_state(uri, args.database)
    for table, expected in sorted(manifest['tables'].items()):
        found = tables.get(table)
        if found != expected:
            problems.append('table %s: expected %s, found %s' % (
                    table, expected, found))
    if path:
        files = filestore_state(os.path.join(path, args.database))
        if files != manifest['filestore']:
            problems.append('file store differs: %d files expected, %d '
                'found' % (len(manifest['filestore']), len(files)))
    out = io.StringIO()
    for problem in problems:
        print(problem, file=out)
    if problems:
        sys.stderr.write(out.getvalue())
        print('FAILED: %d differences' % len(problems))
        return 1
    print('OK: %d tables (%d checksummed), %d files match %s' % (
            len(tables), len(manifest['key_tables']),
            len(manifest['filestore']), folder))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-c', '--config', help="trytond configuration file")
    parser.add_argument('--uri', help="postgresql://user@host:port/")
    parser.add_argument('--filestore',
        help="file store root ([database] path)")
    commands = parser.add_subparsers(dest='command', required=True)
    command = commands.add_parser('backup', help="write a dated backup")
    command.add_argument('-d', '--database', required=True)
    command.add_argument('--dest', required=True, help="backup folder")
    command.add_argument('--keep', type=int, default=14,
        help="remove this database's backups older than KEEP days "
        "(0: keep all; default 14)")
    for name in ['restore', 'verify']:
        command = commands.add_parser(name,
            help="restore into a new database" if name == 'restore'
            else "compare a database with a backup's manifest")
        command.add_argument('--from', required=True, help="backup folder")
        command.add_argument('-d', '--database', required=True)
    args = parser.parse_args(argv)
    if args.command == 'backup':
        backup(args)
        return 0
    if args.command == 'restore':
        return restore(args)
    return verify(args)


if __name__ == '__main__':
    sys.exit(main())
