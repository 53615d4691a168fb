#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Verify the audit log's hash chain; report the first broken link.

Usage::

    tools/audit_verify.py -c CONF -d DB

Exit status 0 when the chain is whole from the anchor (the hash of the last
row purged after the retention) to the newest row, 1 when a row was
changed, removed or inserted behind the application's back.
"""
import argparse
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    return parser.parse_args(argv)


def verify(database):
    "Return (rows checked, first broken id or None, reason or None)"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    if database not in Pool.database_list():
        pool.init()
    with Transaction().start(database, 0, readonly=True):
        return pool.get('audit.log').verify()


def main(argv=None):
    args = parse_args(argv)
    import trytond.config as config
    config.update_etc(args.config)
    count, broken, reason = verify(args.database)
    if broken is None:
        print("監査ログの連鎖は正常です: %d 件を確認しました" % count)
        return 0
    what = {
        'hash': "行の内容が書き換えられています",
        'prev_hash': "直前の行が削除・挿入・書き換えられています",
        }.get(reason, reason)
    print("監査ログの連鎖が壊れています: 最初の不整合は ID %d (%s)。"
        "%d 件目で検出しました" % (broken, what, count))
    return 1


if __name__ == '__main__':
    sys.exit(main())
