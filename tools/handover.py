#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""End of contract: hand the data over to the next operator, then erase.

Usage::

    tools/handover.py export -c CONF -d DB -o bundle.zip
    tools/handover.py import -c CONF -d DB -i bundle.zip     (empty DB only)
    tools/handover.py erase -c CONF -d DB --confirm DB [--by NAME]
        [--report erasure-report.html]
    tools/handover.py import-csv -c CONF -d DB --kind registrants|employers
        -i file.csv [--dry-run]

See docs/handover.md.
"""
import argparse
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)

    def common(p):
        p.add_argument('-c', '--config', required=True)
        p.add_argument('-d', '--database', required=True)
    p = sub.add_parser('export', help="write the handover bundle")
    common(p)
    p.add_argument('-o', '--output', required=True)
    p = sub.add_parser('import', help="load a bundle into an empty database")
    common(p)
    p.add_argument('-i', '--input', required=True)
    p = sub.add_parser('erase', help="erase personal data irreversibly")
    common(p)
    p.add_argument('--confirm', required=True,
        help="the database name again, to confirm")
    p.add_argument('--by', default='', help="who runs the erasure")
    p.add_argument('--report', help="write the erasure report (HTML) here")
    p = sub.add_parser('import-csv',
        help="import the previous operator's registrant or employer list")
    common(p)
    p.add_argument('--kind', required=True,
        choices=['registrants', 'employers'])
    p.add_argument('-i', '--input', required=True)
    p.add_argument('--dry-run', action='store_true',
        help="check and report only, import nothing")
    p.add_argument('--errors', help="write the rows with errors here (CSV)")
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
    from sakai_line import handover

    if args.command == 'export':
        def export():
            with open(args.output, 'wb') as fp:
                return handover.write_bundle(fp, args.database)
        counts = run(args.database, export)
        print("引継ぎデータを出力しました: %s" % args.output)
        for name, count in counts.items():
            print("  %-40s %6d" % (name, count))
        return 0
    elif args.command == 'import':
        def load():
            with open(args.input, 'rb') as fp:
                return handover.load_bundle(fp)
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
        return import_csv(args)
    elif args.command == 'erase':
        if args.confirm != args.database:
            print("--confirm にデータベース名 %r を指定してください。"
                "消去は元に戻せません。" % args.database, file=sys.stderr)
            return 2
        from sakai_line import erasure

        def erase():
            return erasure.erase_all(args.database, args.by)
        report = run(args.database, erase)
        if args.report:
            with open(args.report, 'w', encoding='utf-8') as fp:
                fp.write(report)
            print("消去報告書を書き出しました: %s" % args.report)
        print("個人情報を消去しました（データベース %s）。" % args.database)
        return 0


def import_csv(args):
    """The previous operator's list, as the back-office wizard imports it:
    the same per-row report; exit 1 when a row has errors, 2 when the file
    cannot be read"""
    import os
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from sakai_line.csv_import import CSVImportError
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
            with open(args.errors, 'wb') as fp:
                fp.write(importer.errors_file())
            print("誤りのある行を書き出しました: %s" % args.errors)
        if args.dry_run:
            transaction.rollback()
        else:
            transaction.commit()
        return 1 if importer.bad_rows else 0


if __name__ == '__main__':
    sys.exit(main())
