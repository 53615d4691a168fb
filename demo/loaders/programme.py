# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The programme's settings, before any party with a phone number: phone
numbers are read as the programme's country's"""
from .tools import valid_phone

PROGRAMME = {
    'name': '堺市ひとり親×仕事サポートLINE',
    'municipality': '堺市',
    'target': (
        '堺市在住のシングルマザー等。ひとり親家庭のこども、'
        'シングルファーザー、離婚を検討している方も利用できます。'),
    'office_address': (
        '〒590-0000 大阪府堺市堺区（デモ）1-2-3 サンプルビル4階'),
    'office_phone': '072-200-0000',
    'emergency_contacts': (
        'DV相談ナビ #8008\n'
        'よりそいホットライン 0120-279-338\n'
        '緊急の場合は110番・119番'),
    }


def load(context):
    Programme = context.pool.get('support.programme')
    assert valid_phone(PROGRAMME['office_phone'])
    values = dict(PROGRAMME, country=context.japan.id)
    if Programme.get_singleton() is None:
        Programme.create([values])
        context.count('programme')
        return
    programme = Programme(1)
    current = {k: getattr(programme, k) for k in values}
    if current['country']:
        current['country'] = current['country'].id
    changes = {k: v for k, v in values.items() if current[k] != v}
    if changes:
        Programme.write([programme], changes)
