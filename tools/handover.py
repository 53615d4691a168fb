#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""End of contract: hand the data over to the next operator, then erase.

Usage::

    tools/handover.py export -c CONF -d DB -o bundle.zip --approval N
    tools/handover.py import -c CONF -d DB -i bundle.zip     (empty DB only)
    tools/handover.py erase -c CONF -d DB --confirm DB --approval N
        [--by NAME] [--report erasure-report.html]
        [--backups /var/backups/sakai]
    tools/handover.py vacuum -c CONF -d DB     (after an erasure, again)
    tools/handover.py import-csv -c CONF -d DB --kind registrants|employers
        -i file.csv [--dry-run]

The bundle and the file of bad CSV rows are AES-256 password zips: the
passphrase is read from the file given with --passphrase-file, else from
the environment variable SAKAI_HANDOVER_PASSPHRASE, never from the command
line.  Without one they are written only in demo mode ([sakai_line] demo).

The export and the erasure need a second person's approval: the system
administrator requests it in the back office (就業支援 › 承認依頼), an
auditor approves it, and its number is given with --approval; it is used
up (one approval, one run, within 7 days of the approval).  Only a demo
database ([sakai_line] demo = True) runs them with --without-approval.

See docs/handover.md.
"""
import argparse
import os
import sys

PASSPHRASE_ENV = 'SAKAI_HANDOVER_PASSPHRASE'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)

    def common(p):
        p.add_argument('-c', '--config', required=True)
        p.add_argument('-d', '--database', required=True)
    def passphrase(p):
        p.add_argument('--passphrase-file',
            help="file whose first line is the passphrase (else the "
            "environment variable %s)" % PASSPHRASE_ENV)

    def approval(p):
        p.add_argument('--approval', type=int,
            help="the number of the request an auditor approved "
            "(Employment Support > Approvals)")
        p.add_argument('--without-approval', action='store_true',
            help="demo databases only ([sakai_line] demo = True)")
    p = sub.add_parser('export', help="write the handover bundle")
    common(p)
    passphrase(p)
    approval(p)
    p.add_argument('-o', '--output', required=True)
    p = sub.add_parser('import', help="load a bundle into an empty database")
    common(p)
    passphrase(p)
    p.add_argument('-i', '--input', required=True)
    p = sub.add_parser('erase', help="erase personal data irreversibly")
    common(p)
    p.add_argument('--confirm', required=True,
        help="the database name again, to confirm")
    approval(p)
    p.add_argument('--by', default='', help="who runs the erasure")
    p.add_argument('--report', help="write the erasure report (HTML) here")
    p.add_argument('--backups',
        help="the backup folder (tools/backup.py --dest) whose backups the "
        "report lists for destruction; default [sakai_line] backup_dir")
    p = sub.add_parser('vacuum', help="rewrite the erased tables without "
        "their old row versions (when the erasure's own VACUUM did not)")
    common(p)
    p = sub.add_parser('import-csv',
        help="import the previous operator's registrant or employer list")
    common(p)
    p.add_argument('--kind', required=True,
        choices=['registrants', 'employers'])
    p.add_argument('-i', '--input', required=True)
    p.add_argument('--dry-run', action='store_true',
        help="check and report only, import nothing")
    passphrase(p)
    p.add_argument('--errors', help="write the rows with errors here "
        "(a password zip of the CSV)")
    return parser.parse_args(argv)


def run(database, function, user=0):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, user, context={
                'language': 'ja', 'active_test': False}) as transaction:
        result = function()
        transaction.commit()
    return result


def main(argv=None):
    args = parse_args(argv)
    import trytond.config as config
    config.update_etc(args.config)
    from trytond.pool import Pool  # noqa: F401 (after the configuration)
    from sakai_handover import archive, handover
    from sakai_programme.programme import demo_mode
    try:
        passphrase = archive.read_passphrase(
            PASSPHRASE_ENV, getattr(args, 'passphrase_file', None))
    except (OSError, archive.PassphraseError) as exception:
        print("パスワードを読めません: %s" % exception, file=sys.stderr)
        return 2

    if args.command in {'export', 'erase'}:
        refused = check_approval(args, demo_mode())
        if refused:
            print(refused, file=sys.stderr)
            return 2

    if args.command == 'export':
        try:
            archive.require(passphrase, demo_mode(), "引継ぎデータ")
        except archive.PassphraseError as exception:
            print("%s\n（%s またはパスワードファイル --passphrase-file）"
                % (exception, PASSPHRASE_ENV), file=sys.stderr)
            return 2
        from trytond.exceptions import UserError
        from sakai_handover.handover_wizard import export_bundle

        # written beside, and named as asked once the approval's use is
        # committed: no bundle without a used approval
        partial = args.output + '.part'

        def export():
            with open(partial, 'wb') as fp:
                os.chmod(partial, 0o600)
                return export_bundle(fp, args.database, passphrase,
                    args.approval, 'tools/handover.py export',
                    demo=args.without_approval)
        try:
            counts = run(args.database, export)
        except BaseException as exception:
            if os.path.exists(partial):
                os.remove(partial)
            if not isinstance(exception, UserError):
                raise
            print("出力を中止しました: %s" % exception.message,
                file=sys.stderr)
            return 2
        os.replace(partial, args.output)
        print("引継ぎデータを出力しました: %s（%s）" % (args.output,
                "AES-256 パスワード付き zip" if passphrase
                else "暗号化なし: デモ用"))
        for name, count in counts.items():
            print("  %-40s %6d" % (name, count))
        return 0
    elif args.command == 'import':
        def load():
            with open(args.input, 'rb') as fp:
                return handover.load_bundle(fp, passphrase=passphrase)
        try:
            counts = run(args.database, load)
        except handover.BundleError as exception:
            print("取込みを中止しました: %s" % exception, file=sys.stderr)
            return 2
        print("引継ぎデータを取り込みました: %s" % args.input)
        for name, count in counts.items():
            print("  %-40s %6d" % (name, count))
        return 0
    elif args.command == 'import-csv':
        return import_csv(args, passphrase)
    elif args.command == 'vacuum':
        from sakai_handover import erasure
        return 0 if vacuum(args, run(args.database, erasure.erased_tables)) \
            else 1
    elif args.command == 'erase':
        if args.confirm != args.database:
            print("--confirm にデータベース名 %r を指定してください。"
                "消去は元に戻せません。" % args.database, file=sys.stderr)
            return 2
        from trytond.exceptions import UserError
        from sakai_handover import erasure

        def erase():
            return (erasure.erase_approved(args.database, args.approval,
                    args.by, args.backups, demo=args.without_approval),
                erasure.erased_tables())
        try:
            report, tables = run(args.database, erase)
        except UserError as exception:
            print("消去を中止しました: %s" % exception.message,
                file=sys.stderr)
            return 2
        # After the commit: the old values are still in dead row versions
        # (and SQLite's free pages) until the tables are rewritten
        if not vacuum(args, tables):
            return 1
        for path, database, created in erasure.backups(args.backups):
            print("  消去が必要なバックアップ: %s" % path)
        if args.report:
            with open(args.report, 'w', encoding='utf-8') as fp:
                fp.write(report)
            print("消去報告書を書き出しました: %s" % args.report)
        print("個人情報を消去しました（データベース %s）。" % args.database)
        return 0


def vacuum(args, tables):
    "Rewrite the erased tables; False (and why, printed) if it failed"
    from sakai_handover import erasure
    again = ("消去は確定しています（報告書は 就業支援 › 消去報告書）。"
        "tools/handover.py vacuum -c %s -d %s を実行してください。"
        % (args.config, args.database))
    try:
        left = erasure.vacuum(args.database, tables)
    except Exception as exception:
        print("VACUUM に失敗しました: %s\n古い値がデータベースファイルに"
            "残っています。%s" % (exception, again), file=sys.stderr)
        return False
    dead = {t: n for t, n in left.items() if n}
    if dead:
        print("VACUUM 後も古い行が残っています: %s\n%s" % (dead, again),
            file=sys.stderr)
        return False
    print("VACUUM で上書き前の値を取り除きました（%d 表）。" % len(tables))
    return True


def check_approval(args, demo):
    """Why the command cannot run as asked (None if it can): an approval
    number is needed, --without-approval only on a demo database"""
    if args.without_approval:
        if args.approval:
            return "--approval と --without-approval は同時に指定できません。"
        if not demo:
            return ("--without-approval はデモ用のデータベース"
                "（[sakai_line] demo = True）でだけ使えます。")
        return None
    if not args.approval:
        what = "引継ぎデータの出力" if args.command == 'export' else "消去"
        return ("%sには監査担当の承認が必要です。管理画面の 就業支援 › "
            "承認依頼 で依頼し、承認された承認番号を --approval で指定して"
            "ください。" % what)
    return None


def import_csv(args, passphrase=None):
    """The previous operator's list, as the back-office wizard imports it:
    the same per-row report; exit 1 when a row has errors, 2 when the file
    cannot be read"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from sakai_handover.csv_import import CSVImportError
    if args.kind == 'registrants':
        from sakai_counseling.client_import import ClientImporter as Importer
    else:
        from sakai_jobs.employer_import import EmployerImporter as Importer
    with open(args.input, 'rb') as fp:
        data = fp.read()
    pool = Pool(args.database)
    if args.database not in Pool.database_list():
        pool.init()
    with Transaction().start(args.database, 0, context={
                'language': 'ja'}) as transaction:
        try:
            importer = Importer(data, os.path.basename(args.input))
            if args.dry_run:
                importer.check()
            else:
                importer.import_()
        except CSVImportError as exception:
            print("取込みを中止しました: %s" % exception.message,
                file=sys.stderr)
            return 2
        print(importer.report(done=not args.dry_run))
        if args.dry_run:
            print("（確認のみ: --dry-run のため何も登録していません）")
        if args.errors and importer.errors_file():
            from sakai_handover import archive
            from sakai_programme.programme import demo_mode
            try:
                content, name = importer.errors_download(
                    passphrase, demo_mode())
            except archive.PassphraseError as exception:
                print("%s\n（%s またはパスワードファイル "
                    "--passphrase-file）" % (exception, PASSPHRASE_ENV),
                    file=sys.stderr)
            else:
                with open(args.errors, 'wb') as fp:
                    os.chmod(args.errors, 0o600)
                    fp.write(content)
                print("誤りのある行を書き出しました: %s（%s）" % (
                        args.errors, name))
        if args.dry_run:
            transaction.rollback()
        else:
            transaction.commit()
        return 1 if importer.bad_rows else 0


if __name__ == '__main__':
    sys.exit(main())
