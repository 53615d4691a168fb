# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Importing the previous operator's registrant list (CSV).

A city that changes operators gets the registrants (clients) as a
spreadsheet.  The coordinator chooses the file (相談者 › 前事業者の名簿を取込む),
reads the check (rows fine, rows already registered, each bad row with its
row number, column and what is expected), imports the good rows and
downloads the bad ones, with an error column, to fix and import again.
``tools/handover.py import-csv --kind registrants`` does the same from the
command line.  The columns are listed in ``docs/handover.md``.

Client files are kept by counselors (record rules); the import is a
coordinator's one-off task, so the wizard, open to coordinators only,
creates the clients and their consent lines without those checks, each
consent line recorded by the coordinator with channel "paper" and a note
naming the file.
"""
import datetime as dt

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.wizard import Wizard

from sakai_handover import csv_import
from sakai_programme.programme import to_utc
from sakai_handover.csv_import import CellError, Column

from .party import KANA, normalize_kana

# Consent columns: purpose code, header, synonyms
CONSENTS = [
    ('statistics', "統計への利用の同意", ["同意:統計", "統計利用の同意"]),
    ('employer_sharing', "事業者へのプロフィール提供の同意",
        ["同意:事業者への提供", "事業者への情報提供の同意"]),
    ('employer_feedback', "就職後の事業者への状況共有の同意",
        ["同意:就職後の状況共有", "事業者との状況共有の同意"]),
    ('agency_sharing', "関係機関への情報提供の同意",
        ["同意:関係機関", "関係機関への提供の同意"]),
    ]
HOUSEHOLD_SYNONYMS = {
    "母子": 'single_mother', "母子家庭": 'single_mother',
    "ひとり親(母)": 'single_mother',
    "父子": 'single_father', "父子家庭": 'single_father',
    "ひとり親(父)": 'single_father',
    "離婚検討中": 'considering_divorce',
    }
CURRENT_WORK_SYNONYMS = {
    "無職": 'none', "未就労": 'none', "なし": 'none',
    "パート": 'part_time', "アルバイト": 'part_time',
    "パート・アルバイト": 'part_time',
    "契約社員": 'contract', "派遣": 'dispatch', "派遣社員": 'dispatch',
    "正社員": 'full_time', "自営": 'self_employed', "自営業": 'self_employed',
    }
WISH_SYNONYMS = {
    "就職": 'find', "転職": 'change', "収入アップ": 'increase',
    "増収": 'increase', "未定": 'undecided',
    }
CHILD_SEPARATORS = str.maketrans({c: ';' for c in ',、，;；\n'})


def parse_kana(value):
    kana = normalize_kana(value)
    if not KANA.match(kana):
        raise CellError(gettext(
                'sakai_counseling.msg_client_import_kana', value=value))
    return kana


def parse_children(value):
    "Birth dates separated by ; (or 、 or ,): one child each"
    today = Pool().get('ir.date').today()
    dates = []
    for part in value.translate(CHILD_SEPARATORS).split(';'):
        if not part.strip():
            continue
        date = csv_import.parse_date(part)
        if not (today - dt.timedelta(days=366 * 30) <= date <= today):
            raise CellError(gettext(
                    'sakai_counseling.msg_client_import_child_date',
                    value=part.strip()))
        dates.append(date)
    return dates


class ClientImporter(csv_import.Importer):
    "Registrants: clients with their children, contacts and consents"
    kind = 'registrants'
    model = 'party.party'
    domain = [('is_client', '=', True)]
    list_message = 'sakai_counseling.msg_client_import_list'

    def columns(self):
        Party = Pool().get('party.party')
        return [
            Column('name', "氏名", csv_import.parse_line,
                ["名前", "氏名(漢字)", "お名前"], required=True),
            Column('name_kana', "フリガナ", parse_kana,
                ["ふりがな", "氏名カナ", "カナ", "よみがな", "氏名(フリガナ)",
                    "氏名(カナ)"]),
            Column('registered_on', "登録日", csv_import.parse_past_date,
                ["登録年月日", "利用登録日"], required=True),
            Column('household', "世帯",
                csv_import.selection_parser(
                    Party, 'household', HOUSEHOLD_SYNONYMS),
                ["世帯区分", "世帯類型", "世帯の状況"], required=True),
            *self.contact_columns(
                phone_synonyms=["携帯電話", "携帯", "携帯番号", "連絡先"],
                street_synonyms=["住所(町名・番地)"]),
            Column('children', "子どもの生年月日", parse_children,
                ["子の生年月日", "子供の生年月日", "こどもの生年月日",
                    "お子さんの生年月日"]),
            Column('counselor', "担当相談員",
                csv_import.user_parser('group_counselor'),
                ["担当相談員ログイン", "担当者", "相談員"]),
            Column('current_work', "現在の就労",
                csv_import.selection_parser(
                    Party, 'current_work', CURRENT_WORK_SYNONYMS),
                ["就労状況", "現在の就労状況", "就業状況"]),
            Column('current_work_note', "就労の詳細", csv_import.parse_line,
                ["就労状況の詳細", "勤務先・仕事内容", "仕事内容"]),
            Column('employment_wish', "希望",
                csv_import.selection_parser(
                    Party, 'employment_wish', WISH_SYNONYMS),
                ["就労希望", "希望内容", "就労の希望"]),
            *(Column('consent_' + code, header, csv_import.parse_boolean,
                    synonyms)
                for code, header, synonyms in CONSENTS),
            Column('consent_date', "同意日", csv_import.parse_past_date,
                ["同意年月日"]),
            ]

    def record_keys(self, party):
        yield from self.party_keys(party)
        if party.name_kana:
            yield ('kana', csv_import.name_key(party.name),
                csv_import.name_key(party.name_kana))

    def keys(self, row):
        """Same name and same phone, e-mail or reading; by the name alone
        when the row has none of these"""
        values = row.values
        name = csv_import.name_key(values['name'])
        keys = []
        if values.get('phone'):
            keys.append((('phone', name, values['phone'][2]),
                    gettext('sakai_counseling.msg_client_import_key_phone')))
        if values.get('email'):
            keys.append((('email', name, values['email'].lower()),
                    gettext('sakai_counseling.msg_client_import_key_email')))
        if values.get('name_kana'):
            keys.append((
                    ('kana', name, csv_import.name_key(values['name_kana'])),
                    gettext('sakai_counseling.msg_client_import_key_kana')))
        if not keys:
            keys.append((('name', name),
                    gettext('sakai_counseling.msg_client_import_key_name')))
        return keys

    def values(self, row):
        values = row.values
        party_values = {
            'name': values['name'],
            'is_client': True,
            'registered_on': values['registered_on'],
            'household': values['household'],
            **self.contact_values(values),
            }
        for name in ['name_kana', 'counselor', 'current_work',
                'current_work_note', 'employment_wish']:
            if values.get(name):
                party_values[name] = values[name]
        if values.get('children'):
            party_values['children'] = [('create', [
                        {'birth_date': d} for d in values['children']])]
        return party_values

    def create(self, row):
        "The client, and the consents the row gives, on paper"
        pool = Pool()
        Consent = pool.get('party.consent')
        Purpose = pool.get('party.consent.purpose')
        party = super().create(row)
        values = row.values
        date = values.get('consent_date') or values['registered_on']
        at = to_utc(dt.datetime.combine(date, dt.time()))
        lines = []
        for code, _, _ in CONSENTS:
            if values.get('consent_' + code):
                purpose = Purpose.get(code)
                if purpose:
                    lines.append({
                            'party': party.id,
                            'purpose': purpose.id,
                            'action': 'given',
                            'at': at,
                            'channel': 'paper',
                            'note': gettext(
                                'sakai_counseling.msg_client_import_consent',
                                file=self.filename),
                            })
        if lines:
            Consent.create(lines)
        return party


class Import(csv_import.ImportWizardMixin, Wizard):
    __name__ = 'party.client.import'
    importer = ClientImporter
