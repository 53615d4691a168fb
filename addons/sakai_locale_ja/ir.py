# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Load our translations of Tryton's own modules.

No Japanese ships with Tryton, so this suite carries translations of the
base screens staff see under ``locale/tryton/<module>.<lang>.po``.  They are
imported whenever this module's own translations are loaded (module update
with the language activated, or the language's "Load translations" button).
"""
import os
from glob import glob

from trytond.pool import Pool, PoolMeta

TRYTON_LOCALE = os.path.join(os.path.dirname(__file__), 'locale', 'tryton')


def tryton_translations(lang):
    "Yield (module, path) of the base-module translations shipped for lang"
    for path in sorted(glob(os.path.join(TRYTON_LOCALE, f'*.{lang}.po'))):
        module = os.path.basename(path).split('.', 1)[0]
        yield module, path


class Translation(metaclass=PoolMeta):
    __name__ = 'ir.translation'

    @classmethod
    def translation_import(cls, lang, module, po_path):
        count = super().translation_import(lang, module, po_path)
        if module == 'sakai_locale_ja':
            Module = Pool().get('ir.module')
            activated = {m.name for m in Module.search(
                        [('state', '=', 'activated')])} | {'ir', 'res'}
            for base_module, path in tryton_translations(lang):
                if base_module in activated:
                    count += super().translation_import(
                        lang, base_module, [path])
        return count

