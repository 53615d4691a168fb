#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Create the rich menus on LINE again and link people to them.

Run it after moving to another LINE channel; `make start` runs it for the
demo because the local LINE stand-in forgets everything when it stops, and
tells the stand-in's chat simulator the service's name for its header
(``--simulator``), as LINE shows the official account's name.

    tools/line_sync.py -c trytond.conf -d DATABASE [--simulator URL]
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


def name_simulator(url, name):
    "Show name in the header of the simulator at url"
    response = requests.post(url.rstrip('/') + '/api/config',
        json={'accountName': name}, timeout=10)
    response.raise_for_status()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--wait', metavar='URL',
        help="wait for this address to answer first")
    parser.add_argument('--simulator', metavar='URL',
        help="the LINE stand-in's chat simulator (e.g. "
        "http://127.0.0.1:8931/simulator/): wait for it and show the "
        "programme's name in its header")
    args = parser.parse_args()
    for url in filter(None, [args.wait, args.simulator]):
        if not wait_for(url):
            print("%s does not answer" % url, file=sys.stderr)
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
        name = pool.get('support.programme')(1).name
    if args.simulator and name:
        name_simulator(args.simulator, name)
    return 0


if __name__ == '__main__':
    sys.exit(main())
