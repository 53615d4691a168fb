#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Create the rich menus on LINE again and link people to them.

Run it after moving to another LINE channel; `make start` runs it for the
demo because the local LINE stand-in forgets everything when it stops.

    tools/line_sync.py -c trytond.conf -d DATABASE
"""
import argparse
import sys
import time

import requests


def wait_for(url, seconds=15):
    "Wait until LINE (or the stand-in) answers at url"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return True
        except requests.RequestException:
            time.sleep(0.2)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--wait', metavar='URL',
        help="wait for this address to answer first")
    args = parser.parse_args()
    if args.wait and not wait_for(args.wait):
        print("%s does not answer" % args.wait, file=sys.stderr)
        return 1

    from trytond import config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0, context={'language': 'ja'}
            ) as transaction:
        RichMenu = pool.get('line.rich_menu')
        RichMenu.resync()
        menus = RichMenu.search([('line_rich_menu_id', '!=', None)])
        transaction.commit()
        print("Rich menus on LINE: %s" % ', '.join(
                '%s%s' % (m.name, ' (default)' if m.is_default else '')
                for m in menus))
    return 0


if __name__ == '__main__':
    sys.exit(main())
