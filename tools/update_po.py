#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Refresh addons/<module>/locale/ja.po from a database.

Exports every translatable string of our modules (fields, selections,
help texts, views, buttons, messages, menus, actions) and keeps the
Japanese already written.  Prints how many entries still lack Japanese.

    tools/update_po.py -c trytond.conf -d DATABASE [module ...]
"""
import argparse
import os
import sys

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, 'addons')
sys.path.insert(0, ROOT)
from tests.tools import OUR_MODULES as MODULES  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('modules', nargs='*', default=MODULES)
    args = parser.parse_args()

    import trytond.config as config
    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(args.database)
    pool.init()
    with Transaction().start(args.database, 0) as transaction:
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        session_id, _, _ = TranslationSet.create()
        TranslationSet(session_id).transition_set_()
        # Forget what the code no longer has (a renamed field's old label)
        TranslationClean = pool.get('ir.translation.clean', type='wizard')
        session_id, _, _ = TranslationClean.create()
        TranslationClean(session_id).transition_clean()
        Translation = pool.get('ir.translation')
        for module in args.modules:
            content = Translation.translation_export('en', module)
            # None: the module has nothing to translate
            exported = polib.pofile(
                content.decode('utf-8') if content else '')
            path = os.path.join(ADDONS, module, 'locale', 'ja.po')
            known = {}
            if os.path.exists(path):
                known = {(e.msgctxt, e.msgid): e.msgstr
                    for e in polib.pofile(path)}
            po = polib.POFile(wrapwidth=78)
            po.metadata = {
                'Content-Type': 'text/plain; charset=utf-8',
                'Language': 'ja',
                'Plural-Forms': 'nplurals=1; plural=0;',
                }
            missing = 0
            for entry in exported:
                entry.msgstr = known.get((entry.msgctxt, entry.msgid), '')
                entry.flags = [f for f in entry.flags if f != 'fuzzy']
                missing += not entry.msgstr
                po.append(entry)
            po.sort()
            po.save(path)
            print(f'{module}: {len(po)} entries, {missing} without Japanese')
        transaction.rollback()


if __name__ == '__main__':
    main()
