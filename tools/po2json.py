#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Turn the web client's ja.po into the JSON sao loads (locale/ja.json)."""
import json
import sys

import polib


def convert(po_path, json_path):
    po = polib.pofile(po_path)
    data = {'': {
            'language': 'ja',
            'content-type': 'text/plain; charset=utf-8',
            'plural-forms': 'nplurals=1; plural=0;',
            }}
    for entry in po:
        if entry.obsolete or entry.msgid == '':
            continue
        if entry.msgid_plural:
            data[entry.msgid] = [entry.msgid_plural] + [
                entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
        else:
            data[entry.msgid] = [None, entry.msgstr]
    with open(json_path, 'w', encoding='utf-8') as fp:
        json.dump(data, fp, ensure_ascii=False)


if __name__ == '__main__':
    convert(*sys.argv[1:3])
