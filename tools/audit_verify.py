#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Verify the audit log's hash chain; report the first broken link.

Usage::

    tools/audit_verify.py -c CONF -d DB [--expect ID:HASH ...]

Exit status 0 when the chain is whole from the anchor (the hash of the last
row purged after the retention) to the newest row, 1 when a row was
changed, removed or inserted behind the application's back, or when the
anchor was moved without a purge entry saying so.

Every run prints the chain's head (newest row id and hash).  Keep it
outside the database (the daily backup report, a mail to the city): given
back with ``--expect``, it proves the chain was not recomputed from
scratch by someone with direct database access since then.
"""
import argparse
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--expect', action='append', default=[],
        metavar='ID:HASH', type=head_arg,
        help="a head printed by an earlier run that must still be there")
    return parser.parse_args(argv)


def head_arg(value):
    id_, _, hash_ = value.partition(':')
    if not id_.isdigit() or len(hash_) != 64:
        raise argparse.ArgumentTypeError(
            "ID:HASH の形式で指定してください（例 1234:%s）" % ('0' * 64))
    return int(id_), hash_


def verify(database, expected=()):
    """Return (rows checked, first broken id or None, reason or None,
    head)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    if database not in Pool.database_list():
        pool.init()
    with Transaction().start(database, 0, readonly=True):
        Log = pool.get('audit.log')
        count, broken, reason = Log.verify()
        if broken is None:
            rewritten = Log.rewritten(expected)
            if rewritten:
                broken, reason = rewritten[0], 'rewritten'
        return count, broken, reason, Log.head()


def main(argv=None):
    args = parse_args(argv)
    import trytond.config as config
    config.update_etc(args.config)
    count, broken, reason, (head_id, head_hash) = verify(
        args.database, args.expect)
    if broken is None:
        print("監査ログの連鎖は正常です: %d 件を確認しました" % count)
        if head_id:
            print("最新の行（控えておいてください）: %d:%s"
                % (head_id, head_hash))
        return 0
    what = {
        'hash': "行の内容が書き換えられています",
        'prev_hash': "直前の行が削除・挿入・書き換えられています",
        'anchor': "保存期間による削除の記録がないまま古い行が"
        "削除され、起点が動かされています",
        'rewritten': "以前に控えた行が失われているか、連鎖全体が"
        "計算し直されています",
        }.get(reason, reason)
    print("監査ログの連鎖が壊れています: 最初の不整合は ID %d (%s)。"
        "%d 件目で検出しました" % (broken, what, count))
    return 1


if __name__ == '__main__':
    sys.exit(main())
