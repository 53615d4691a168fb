# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Importing the previous operator's employer list (CSV).

The employers the previous operator developed come as a spreadsheet.  The
coordinator chooses the file (事業者 › 前事業者の事業者リストを取込む), reads
the check, imports the good rows and downloads the bad ones to fix; rows of
employers already registered (same 法人番号, or same name and phone number,
or the same name when the row has neither) are skipped.
``tools/handover.py import-csv --kind employers`` does the same from the
command line.  The columns are listed in ``docs/handover.md``.
"""
import re

from stdnum.jp import cn as corporate_number

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.wizard import Wizard

from sakai_handover import csv_import
from sakai_handover.csv_import import CellError, Column

# The 法人番号 in the notes, when the party configuration does not offer
# the identifier type jp_cn
NOTE_NUMBER = re.compile(r'法人番号: ?(\d{13})')
INDUSTRY_SYNONYMS = {
    "医療": 'care', "福祉": 'care', "介護": 'care', "医療・福祉": 'care',
    "小売": 'retail', "卸売": 'retail', "小売業": 'retail',
    "飲食": 'food', "宿泊": 'food', "飲食業": 'food',
    "製造": 'manufacturing', "製造業": 'manufacturing',
    "事務": 'office', "IT": 'office', "情報通信": 'office',
    "物流": 'logistics', "運輸": 'logistics',
    "教育": 'education', "保育": 'education',
    "建設": 'construction', "不動産": 'construction',
    "公務": 'public',
    }


def parse_corporate_number(value):
    number = corporate_number.compact(csv_import.normalize(value))
    if not corporate_number.is_valid(number):
        raise CellError(gettext(
                'sakai_jobs.msg_employer_import_corporate_number',
                value=value))
    return number


class EmployerImporter(csv_import.Importer):
    "Employers with their contacts and who developed them"
    kind = 'employers'
    model = 'party.party'
    domain = [('is_employer', '=', True)]
    list_message = 'sakai_jobs.msg_employer_import_list'

    def columns(self):
        Party = Pool().get('party.party')
        return [
            Column('name', "事業者名", csv_import.parse_line,
                ["企業名", "会社名", "名称", "法人名", "事業所名", "事業者"],
                required=True),
            Column('corporate_number', "法人番号", parse_corporate_number),
            Column('industry', "業種",
                csv_import.selection_parser(
                    Party, 'industry', INDUSTRY_SYNONYMS),
                ["業種分類"]),
            Column('employees', "従業員数", csv_import.parse_count,
                ["従業員", "社員数"]),
            *self.contact_columns(
                phone_synonyms=["代表電話"], street_synonyms=["所在地"]),
            Column('developed_by', "開拓者",
                csv_import.user_parser('group_coordinator'),
                ["開拓担当者", "開拓担当", "担当者"]),
            Column('developed_on', "開拓日", csv_import.parse_past_date,
                ["開拓年月日"]),
            Column('single_parent_friendly', "ひとり親への理解",
                csv_import.parse_boolean,
                ["ひとり親理解", "ひとり親に理解あり", "ひとり親歓迎"]),
            Column('employer_note', "備考", csv_import.parse_text,
                ["メモ", "特記事項"]),
            ]

    def record_keys(self, party):
        yield from self.party_keys(party)
        for identifier in party.identifiers:
            if identifier.type == 'jp_cn':
                yield ('cn', identifier.code)
        for number in NOTE_NUMBER.findall(party.employer_note or ''):
            yield ('cn', number)

    def keys(self, row):
        """Same 法人番号, or same name and phone; by the name alone when the
        row has neither"""
        values = row.values
        name = csv_import.name_key(values['name'])
        keys = []
        if values.get('corporate_number'):
            keys.append((('cn', values['corporate_number']),
                    gettext('sakai_jobs.msg_employer_import_key_cn')))
        if values.get('phone'):
            keys.append((('phone', name, values['phone'][2]),
                    gettext('sakai_jobs.msg_employer_import_key_phone')))
        if not keys:
            keys.append((('name', name),
                    gettext('sakai_jobs.msg_employer_import_key_name')))
        return keys

    def values(self, row):
        pool = Pool()
        values = row.values
        party_values = {
            'name': values['name'],
            'is_employer': True,
            'single_parent_friendly': bool(
                values.get('single_parent_friendly')),
            **self.contact_values(values),
            }
        for name in ['industry', 'employees', 'developed_by', 'developed_on',
                'employer_note']:
            if values.get(name) is not None:
                party_values[name] = values[name]
        if values.get('corporate_number'):
            Identifier = pool.get('party.identifier')
            types = {k for k, _ in Identifier.get_types()}
            if 'jp_cn' in types:
                party_values['identifiers'] = [('create', [{
                                'type': 'jp_cn',
                                'code': values['corporate_number'],
                                }])]
            else:
                # Kept in the notes where the configuration does not offer
                # Japanese corporate numbers as identifiers
                party_values['employer_note'] = '\n'.join(filter(None, [
                            '法人番号: %s' % values['corporate_number'],
                            party_values.get('employer_note')]))
        return party_values


class Import(csv_import.ImportWizardMixin, Wizard):
    __name__ = 'party.employer.import'
    importer = EmployerImporter
