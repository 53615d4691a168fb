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
        backup.zip        AES-256 password zip (7-Zip opens it) of
          database.dump     pg_dump --format=custom
          filestore.tar.gz  the Tryton file store of the database
                            ([database] path/<database>: attachments)
        manifest.json     row counts of every table, a SHA-256 of the
                          content of the key tables, of every stored file,
                          of the zip and of the two files inside it

The backup holds personal data (Sakai spec §11(10)): the passphrase comes
from --passphrase-file, else the environment variable
SAKAI_BACKUP_PASSPHRASE, else the file named by [sakai_line]
backup_passphrase_file — never from the command line.  Without one,
`backup` refuses, except in demo mode ([sakai_line] demo = True), which
writes database.dump and filestore.tar.gz unencrypted beside the manifest.
The dump is streamed into the zip and out of it on restore: no
unencrypted copy is written to disk.  --dest defaults to [sakai_line]
backup_dir (the folder the erasure report lists backups from).

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
ARCHIVE = 'backup.zip'
FORMAT = 2
PASSPHRASE_ENV = 'SAKAI_BACKUP_PASSPHRASE'
MIN_PASSPHRASE = 12
CHUNK = 1 << 20


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


def read_config(args):
    config = configparser.ConfigParser(interpolation=None)
    if getattr(args, 'config', None):
        config.read(args.config, encoding='utf-8')
    return config


def passphrase(args):
    """The passphrase (--passphrase-file, SAKAI_BACKUP_PASSPHRASE or
    [sakai_line] backup_passphrase_file), or None"""
    config = read_config(args)
    path = (getattr(args, 'passphrase_file', None)
        or (None if os.environ.get(PASSPHRASE_ENV) else config.get(
                'sakai_line', 'backup_passphrase_file', fallback=None)))
    if path:
        with open(path, encoding='utf-8') as f:
            value = f.readline().rstrip('\r\n')
    else:
        value = os.environ.get(PASSPHRASE_ENV) or None
    if value is not None and len(value) < MIN_PASSPHRASE:
        sys.exit("backup.py: the passphrase must have at least %d "
            "characters" % MIN_PASSPHRASE)
    return value


def demo_mode(args):
    return read_config(args).getboolean('sakai_line', 'demo', fallback=False)


def settings(args):
    "(server URI, file store root) from options, environment, config"
    config = read_config(args)
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


class Hashing:
    "A file object that hashes what is written through it"

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.digest = hashlib.sha256()

    def write(self, data):
        self.digest.update(data)
        return self.fileobj.write(data)

    def flush(self):
        self.fileobj.flush()

    def hexdigest(self):
        return self.digest.hexdigest()


def write_archive(work, uri, database, store, secret):
    """Stream the dump and the file store into an AES-256 zip; return the
    SHA-256 of each of the two inner files"""
    import pyzipper
    contents = {}
    with pyzipper.AESZipFile(os.path.join(work, ARCHIVE), 'w',
            compression=pyzipper.ZIP_DEFLATED,
            encryption=pyzipper.WZ_AES) as archive:
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.setpassword(secret.encode('utf-8'))
        with archive.open(DUMP, 'w', force_zip64=True) as entry:
            target = Hashing(entry)
            dump = subprocess.Popen(['pg_dump', '--format=custom',
                    '--no-owner', '--no-privileges',
                    database_uri(uri, database)], stdout=subprocess.PIPE)
            for chunk in iter(lambda: dump.stdout.read(CHUNK), b''):
                target.write(chunk)
            if dump.wait():
                sys.exit("backup.py: pg_dump failed (%d)" % dump.returncode)
            contents[DUMP] = target.hexdigest()
        with archive.open(FILESTORE, 'w', force_zip64=True) as entry:
            target = Hashing(entry)
            with tarfile.open(fileobj=target, mode='w|gz') as tar:
                if store and os.path.isdir(store):
                    tar.add(store, arcname='.')
            contents[FILESTORE] = target.hexdigest()
    return contents


def backup(args):
    uri, path = settings(args)
    secret = passphrase(args)
    if not secret and not demo_mode(args):
        sys.exit("backup.py: a backup holds personal data and is written "
            "only encrypted (spec 11(10)): set the passphrase with "
            "--passphrase-file, %s or [sakai_line] backup_passphrase_file"
            % PASSPHRASE_ENV)
    dest = args.dest or read_config(args).get(
        'sakai_line', 'backup_dir', fallback=None)
    if not dest:
        sys.exit("backup.py: --dest or [sakai_line] backup_dir is needed")
    now = dt.datetime.now(dt.timezone.utc)
    name = '%s-%s' % (args.database, now.strftime('%Y%m%d-%H%M%S'))
    os.makedirs(dest, exist_ok=True)
    final = os.path.join(dest, name)
    work = final + '.partial'
    os.makedirs(work, mode=0o700)
    # Counts first, then the dump: a write in between shows as a
    # difference in the restore drill, never as a silent loss
    tables = table_state(uri, args.database)
    store = os.path.join(path, args.database) if path else None
    files = filestore_state(store)
    if secret:
        contents = write_archive(work, uri, args.database, store, secret)
        written = [ARCHIVE]
    else:
        contents = None
        run(['pg_dump', '--format=custom', '--no-owner', '--no-privileges',
                '--file', os.path.join(work, DUMP),
                database_uri(uri, args.database)])
        with tarfile.open(os.path.join(work, FILESTORE), 'w:gz') as tar:
            if store and os.path.isdir(store):
                tar.add(store, arcname='.')
        written = [DUMP, FILESTORE]
    manifest = {
        'format': FORMAT,
        'encrypted': bool(secret),
        'contents': contents,
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
        'files': {n: sha256_file(os.path.join(work, n)) for n in written},
        }
    with open(os.path.join(work, MANIFEST), 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    os.rename(work, final)
    if args.keep:
        prune(dest, args.database, args.keep, now)
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
    restore_command = ['pg_restore', '--no-owner', '--no-privileges',
        '--exit-on-error', '--dbname', database_uri(uri, args.database)]
    store = os.path.join(path, args.database) if path else None
    if store and os.path.exists(store) and os.listdir(store):
        sys.exit("backup.py: file store %s is not empty" % store)
    if manifest.get('encrypted'):
        restore_archive(folder, manifest, restore_command, store,
            passphrase(args))
    else:
        run(restore_command + [os.path.join(folder, DUMP)])
        if store:
            os.makedirs(store, exist_ok=True)
            with tarfile.open(os.path.join(folder, FILESTORE),
                    'r:gz') as tar:
                tar.extractall(store, filter='data')
    return verify(args, manifest)


class Reading:
    "A file object that hashes what is read through it"

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.fileobj.read(size)
        self.digest.update(data)
        return data


def restore_archive(folder, manifest, restore_command, store, secret):
    """Stream the dump out of the password zip into pg_restore and the
    file store into its folder: nothing unencrypted on disk but the
    restored database"""
    import pyzipper
    if not secret:
        sys.exit("backup.py: the backup is encrypted: give the passphrase "
            "(--passphrase-file or %s)" % PASSPHRASE_ENV)
    with pyzipper.AESZipFile(os.path.join(folder, ARCHIVE)) as archive:
        archive.setpassword(secret.encode('utf-8'))
        try:
            entry = archive.open(DUMP)
        except RuntimeError:
            sys.exit("backup.py: wrong passphrase for %s" % ARCHIVE)
        with entry:
            source = Reading(entry)
            restore = subprocess.Popen(restore_command,
                stdin=subprocess.PIPE)
            for chunk in iter(lambda: source.read(CHUNK), b''):
                restore.stdin.write(chunk)
            restore.stdin.close()
            if restore.wait():
                sys.exit("backup.py: pg_restore failed (%d)"
                    % restore.returncode)
        if source.digest.hexdigest() != manifest['contents'][DUMP]:
            sys.exit("backup.py: %s is damaged (checksum)" % DUMP)
        if store:
            os.makedirs(store, exist_ok=True)
            with archive.open(FILESTORE) as entry:
                source = Reading(entry)
                with tarfile.open(fileobj=source, mode='r|gz') as tar:
                    tar.extractall(store, filter='data')
                source.read()
            if source.digest.hexdigest() != manifest['contents'][FILESTORE]:
                sys.exit("backup.py: %s is damaged (checksum)" % FILESTORE)


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
    parser.add_argument('--passphrase-file',
        help="file whose first line is the passphrase (else the "
        "environment variable %s)" % PASSPHRASE_ENV)
    commands = parser.add_subparsers(dest='command', required=True)
    command = commands.add_parser('backup', help="write a dated backup")
    command.add_argument('-d', '--database', required=True)
    command.add_argument('--dest',
        help="backup folder (default [sakai_line] backup_dir)")
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
