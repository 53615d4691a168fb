# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Reading the previous operator's lists from CSV: the one import wizard.

The importers of ``sakai_counseling`` (registrants) and ``sakai_jobs``
(employers) describe their columns, the records already there and how a
good row is saved, and register a wizard of ``ImportWizardMixin`` with
their importer; the wizard's screens (``sakai.csv_import.start`` and
``.result``) and their views are this module's.  It reads the file in the
encodings Japanese offices produce (UTF-8 with or without BOM,
Shift_JIS/cp932, the UTF-16 of Excel's "Unicode text"), finds the columns
by their Japanese headers (and a few synonyms), reads dates (2026/4/1,
2026-04-01, 2026年4月1日, 令和8年4月1日, R8.4.1), phone numbers
(``phonenumbers``, the programme's region), e-mail addresses, choices by
their Japanese labels, check marks and counts, and reports per row: the
row number as the spreadsheet shows it (header = row 1), the column and
what is wrong and expected.  Rows already registered are skipped and
reported, so importing a file twice creates nothing new; bad rows are
written back, with an extra error column, to a CSV to fix and import
again.
"""
import csv
import datetime as dt
import io
import re
import unicodedata

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView

from . import archive
from .exceptions import CSVImportError
from sakai_programme.programme import demo_mode
from sakai_programme.programme import format_phone, parse_phone

ENCODINGS = [('utf-8-sig', 'UTF-8'), ('cp932', 'Shift_JIS')]
# Era: first day, and the year before its first year
ERAS = {
    '令和': (dt.date(2019, 5, 1), 2018),
    '平成': (dt.date(1989, 1, 8), 1988),
    '昭和': (dt.date(1926, 12, 25), 1925),
    }
ERA_LETTERS = {'R': '令和', 'H': '平成', 'S': '昭和'}
ERA_ENDS = {
    '平成': dt.date(2019, 4, 30),
    '昭和': dt.date(1989, 1, 7),
    }
DATE_WESTERN = re.compile(
    r'(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?')
DATE_COMPACT = re.compile(r'(\d{4})(\d{2})(\d{2})')
DATE_ERA = re.compile(
    r'(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)\s*[年/.\-]\s*(\d{1,2})\s*'
    r'[月/.\-]\s*(\d{1,2})\s*日?')
# A time Excel adds to a date ("2026/04/01 0:00")
TRAILING_TIME = re.compile(r'\s+\d{1,2}:\d{2}(:\d{2})?$')
EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')
TRUE = {'はい', '○', '〇', '◯', '●', '✓', '✔', 'レ', 'あり', '有', '有り',
    '済', '同意', '同意あり', '1', 'y', 'yes', 'true', 'x'}
FALSE = {'いいえ', '×', '✕', 'なし', '無', '無し', '未', '不同意', '同意なし',
    '0', 'n', 'no', 'false', '-', '－', 'ー'}
SPACES = re.compile(r'\s+')
HEADER_NOISE = re.compile(r'\((必須|任意)\)|[*※]')


class CellError(Exception):
    "What is wrong with a cell, in the user's language"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def normalize(value):
    "NFKC (full-width digits and letters, half-width kana), spaces collapsed"
    return SPACES.sub(' ', unicodedata.normalize('NFKC', value or '')).strip()


def header_key(value):
    "A header compared without spaces, case, marks like (必須) or *"
    value = HEADER_NOISE.sub('', normalize(value))
    return SPACES.sub('', value).lower()


def name_key(value):
    "A name compared without spaces and case (for duplicates)"
    return SPACES.sub('', normalize(value)).lower()


def decode(data):
    "Return (text, encoding label) of the file's bytes"
    if isinstance(data, str):
        return data, 'UTF-8'
    data = bytes(data)
    if data.startswith((b'\xff\xfe', b'\xfe\xff')):
        try:
            return data.decode('utf-16'), 'UTF-16'
        except UnicodeDecodeError:
            pass
    for encoding, label in ENCODINGS:
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise CSVImportError(gettext('sakai_handover.msg_csv_encoding'))


def python_encoding(label):
    return {'UTF-8': 'utf-8-sig', 'Shift_JIS': 'cp932', 'UTF-16': 'utf-16'
        }.get(label, 'utf-8-sig')


def parse_date(value):
    """Return the date written in value or raise CellError: 2026/4/1,
    2026-04-01, 2026.4.1, 2026年4月1日, 20260401, 令和8年4月1日, R8.4.1,
    平成, 昭和 (元年 too)"""
    text = TRAILING_TIME.sub('', normalize(value))
    try:
        if match := DATE_WESTERN.fullmatch(text):
            return dt.date(*map(int, match.groups()))
        if match := DATE_COMPACT.fullmatch(text):
            return dt.date(*map(int, match.groups()))
        if match := DATE_ERA.fullmatch(text.upper()
                if text[:1].isascii() else text):
            era, year, month, day = match.groups()
            era = ERA_LETTERS.get(era, era)
            first, offset = ERAS[era]
            year = 1 if year == '元' else int(year)
            date = dt.date(offset + year, int(month), int(day))
            if year >= 1 and first <= date <= ERA_ENDS.get(era, date):
                return date
    except ValueError:
        pass
    raise CellError(gettext('sakai_handover.msg_csv_date', value=value))


def parse_past_date(value):
    "A date not after today"
    date = parse_date(value)
    today = Pool().get('ir.date').today()
    if date > today:
        raise CellError(gettext('sakai_handover.msg_csv_date_future',
                value=value, today=today.strftime('%Y/%m/%d')))
    return date


def parse_phone_cell(value):
    """Return (formatted, type, E.164) of a phone number, read in the
    programme's region; type is 'mobile' for mobile numbers"""
    import phonenumbers
    Programme = Pool().get('support.programme')
    region = Programme.phone_region_default()
    number = parse_phone(normalize(value), region)
    if not number:
        raise CellError(gettext('sakai_handover.msg_csv_phone', value=value))
    type_ = ('mobile' if phonenumbers.number_type(number)
        == phonenumbers.PhoneNumberType.MOBILE else 'phone')
    return (format_phone(number, region), type_, phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164))


def parse_email(value):
    value = normalize(value)
    if not EMAIL.match(value):
        raise CellError(gettext('sakai_handover.msg_csv_email', value=value))
    return value


def parse_boolean(value):
    key = normalize(value).lower()
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise CellError(gettext('sakai_handover.msg_csv_boolean', value=value))


def parse_count(value):
    text = normalize(value).replace(',', '').removesuffix('人').strip()
    if not text.isdigit():
        raise CellError(gettext('sakai_handover.msg_csv_integer', value=value))
    return int(text)


def parse_text(value):
    return value.strip()


def parse_line(value):
    "One line of text: spaces (full-width too) collapsed"
    return SPACES.sub(' ', value.replace('\u3000', ' ')).strip()


def selection_parser(Model, field, synonyms=None):
    """A parser of the field's choices by their Japanese label (as the
    Japanese translation shows them), their English label or key, or a
    synonym ({text: key})"""
    labels = {}
    for language in ['en', 'ja']:
        with Transaction().set_context(language=language):
            selection = Model.fields_get([field])[field]['selection']
        for key, label in selection:
            if key:
                labels[name_key(label)] = key
                labels[name_key(key)] = key
    for text, key in (synonyms or {}).items():
        labels[name_key(text)] = key
    allowed = '、'.join(label for key, label in selection if key)

    def parse(value):
        try:
            return labels[name_key(value)]
        except KeyError:
            raise CellError(gettext('sakai_handover.msg_csv_selection',
                    value=value, labels=allowed))
    return parse


def user_parser(group_xml_id):
    "A parser of the login of a user of the group (sakai_programme.group_...)"
    def parse(value):
        pool = Pool()
        User = pool.get('res.user')
        Group = pool.get('res.group')
        ModelData = pool.get('ir.model.data')
        group_id = ModelData.get_id('sakai_programme', group_xml_id)
        with without_check_access():
            users = User.search([
                    ('login', '=', normalize(value)),
                    ('groups', '=', group_id),
                    ], limit=1)
            if not users:
                raise CellError(gettext('sakai_handover.msg_csv_user',
                        value=value, group=Group(group_id).rec_name))
        return users[0].id
    return parse


class Column:
    "A column of the file: name (key of the values), canonical header"

    def __init__(self, name, header, parser=parse_text, synonyms=(),
            required=False):
        self.name = name
        self.header = header
        self.parser = parser
        self.synonyms = synonyms
        self.required = required

    @property
    def keys(self):
        return {header_key(h) for h in [self.header, *self.synonyms]}


class Row:
    "A row of the file: its spreadsheet number, cells, values and errors"

    def __init__(self, number, cells):
        self.number = number
        self.cells = cells
        self.values = {}
        self.errors = []  # (header or '', message)
        self.skipped = None  # why it is not imported (already there)
        self.created = None  # the record created

    def error(self, column, message):
        self.errors.append((column, message))

    @property
    def good(self):
        return not self.errors and not self.skipped


class Importer:
    """Read a file, check its rows, import the good ones.

    Subclasses set the ``model`` and ``domain`` of the records a row
    makes and ``list_message``, the message that names the list (e.g.
    "registrant list") on the wizard's first screen, and define
    ``columns`` (a method returning the Column list, as parsers may need
    the pool), ``validate_row``, ``record_keys`` (of a record already
    there), ``keys`` (of a row) and ``values`` (to create the record of
    a row) or ``create``."""
    kind = ''
    model = None
    domain = []
    list_message = None

    def __init__(self, data, filename=''):
        self.filename = filename or 'import.csv'
        self.text, self.encoding = decode(data)
        self.header = []
        self.ignored = []
        self.rows = []
        self.checked = False

    @classmethod
    def list_name(cls):
        "What the file is, as the wizard's first screen names it"
        return gettext(cls.list_message)

    def columns(self):
        return []

    @staticmethod
    def contact_columns(phone_synonyms=(), street_synonyms=()):
        """The columns of a party's contacts and address, the synonyms
        given added to the usual ones"""
        return [
            Column('phone', "電話番号", parse_phone_cell,
                ["電話", "TEL", *phone_synonyms]),
            Column('email', "メールアドレス", parse_email,
                ["メール", "Eメール", "E-mail", "email", "mail"]),
            Column('postal_code', "郵便番号", parse_line, ["〒"]),
            Column('city', "市区町村", parse_line, ["市町村", "市区"]),
            Column('street', "住所", parse_text,
                ["町名番地", "番地", "町名・番地", *street_synonyms]),
            ]

    @staticmethod
    def party_keys(party):
        """The keys of a registered party: its name, and its name with each
        phone number and e-mail address"""
        name = name_key(party.name)
        yield ('name', name)
        for mechanism in party.contact_mechanisms:
            if mechanism.type in {'phone', 'mobile'}:
                yield ('phone', name, mechanism.value_compact)
            elif mechanism.type == 'email':
                yield ('email', name, (mechanism.value or '').lower())

    @staticmethod
    def contact_values(values):
        """The contact mechanisms and the address (in Japan) of the
        contact_columns of a row, as values of Party.create"""
        Country = Pool().get('country.country')
        result = {'contact_mechanisms': [], 'addresses': []}
        mechanisms = []
        if values.get('phone'):
            value, type_, _ = values['phone']
            mechanisms.append({'type': type_, 'value': value})
        if values.get('email'):
            mechanisms.append({'type': 'email', 'value': values['email']})
        if mechanisms:
            result['contact_mechanisms'] = [('create', mechanisms)]
        address = {k: values[k] for k in ['postal_code', 'city', 'street']
            if values.get(k)}
        if address:
            countries = Country.search([('code', '=', 'JP')], limit=1)
            if countries:
                address['country'] = countries[0].id
            result['addresses'] = [('create', [address])]
        return result

    def read(self):
        text = self.text
        first = text.split('\n', 1)[0]
        delimiter = '\t' if '\t' in first and ',' not in first else ','
        records = list(csv.reader(io.StringIO(text, newline=''),
                delimiter=delimiter))
        if not records or not any(c.strip() for c in records[0]):
            raise CSVImportError(gettext('sakai_handover.msg_csv_empty'))
        self.header = records[0]
        columns = self.columns()
        found = {}
        for index, title in enumerate(self.header):
            key = header_key(title)
            if not key:
                continue
            for column in columns:
                if key in column.keys:
                    if column.name in found:
                        raise CSVImportError(gettext(
                                'sakai_handover.msg_csv_duplicate_column',
                                column=column.header,
                                first=self.header[found[column.name]],
                                second=title))
                    found[column.name] = index
                    break
            else:
                self.ignored.append(title.strip())
        for column in columns:
            if column.required and column.name not in found:
                raise CSVImportError(gettext(
                        'sakai_handover.msg_csv_missing_column',
                        column=column.header,
                        headers='、'.join(c.header for c in columns)))
        self.rows = []
        for number, cells in enumerate(records[1:], start=2):
            if not any(c.strip() for c in cells):
                continue
            row = Row(number, cells)
            for column in columns:
                if column.name not in found:
                    continue
                index = found[column.name]
                value = cells[index].strip() if index < len(cells) else ''
                if not value:
                    if column.required:
                        row.error(column.header,
                            gettext('sakai_handover.msg_csv_required'))
                    continue
                try:
                    row.values[column.name] = column.parser(value)
                except CellError as exception:
                    row.error(column.header, exception.message)
            if not row.errors:
                self.validate_row(row)
            self.rows.append(row)

    def validate_row(self, row):
        "Check the values of a row together (add errors to row)"

    def existing(self):
        "{key: description} of the records already in the database"
        Model = Pool().get(self.model)
        keys = {}
        for record in Model.search(self.domain):
            for key in self.record_keys(record):
                keys.setdefault(key, record.rec_name)
        return keys

    def record_keys(self, record):
        "The keys of a record already there, as keys gives them of a row"
        return []

    def keys(self, row):
        "[(key, description)] that identify the row's record"
        return []

    def values(self, row):
        "The values of the record of a good row"
        raise NotImplementedError

    def create(self, row):
        "Create the record of a good row and return it"
        Model = Pool().get(self.model)
        record, = Model.create([self.values(row)])
        return record

    def check(self):
        "Read the file, check each row, find rows already registered"
        if self.checked:
            return self
        self.read()
        with without_check_access():
            existing = self.existing()
        seen = {}
        for row in self.rows:
            if row.errors:
                continue
            keys = self.keys(row)
            for key, description in keys:
                if key in existing:
                    row.skipped = gettext(
                        'sakai_handover.msg_csv_skipped_existing',
                        record=existing[key], key=description)
                    break
                if key in seen:
                    row.skipped = gettext(
                        'sakai_handover.msg_csv_skipped_in_file',
                        row=seen[key], key=description)
                    break
            if not row.skipped:
                for key, _ in keys:
                    seen.setdefault(key, row.number)
        self.checked = True
        return self

    def import_(self):
        """Create the records of the good rows, each in a savepoint: a row
        the database still refuses is reported as bad, the others go in"""
        self.check()
        cursor = Transaction().connection.cursor()
        for row in self.rows:
            if not row.good:
                continue
            cursor.execute('SAVEPOINT csv_import_row')
            try:
                with without_check_access():
                    row.created = self.create(row)
            except UserError as exception:
                cursor.execute('ROLLBACK TO SAVEPOINT csv_import_row')
                row.error('', exception.message)
            else:
                cursor.execute('RELEASE SAVEPOINT csv_import_row')
        return self

    # Report
    @property
    def good_rows(self):
        return [r for r in self.rows if r.good and not r.created]

    @property
    def bad_rows(self):
        return [r for r in self.rows if r.errors]

    @property
    def skipped_rows(self):
        return [r for r in self.rows if r.skipped and not r.errors]

    @property
    def created_rows(self):
        return [r for r in self.rows if r.created]

    def counts(self):
        return {
            'total': len(self.rows),
            'good': len(self.good_rows),
            'skipped': len(self.skipped_rows),
            'bad': len(self.bad_rows),
            'created': len(self.created_rows),
            }

    def summary(self, done=False):
        counts = self.counts()
        if done:
            return gettext('sakai_handover.msg_csv_summary_done',
                file=self.filename, encoding=self.encoding, **counts)
        return gettext('sakai_handover.msg_csv_summary',
            file=self.filename, encoding=self.encoding, **counts)

    def error_lines(self):
        "One line per error: row number, column, what is wrong"
        for row in self.bad_rows:
            for column, message in row.errors:
                if column:
                    yield gettext('sakai_handover.msg_csv_row_error',
                        row=row.number, column=column, message=message)
                else:
                    yield gettext('sakai_handover.msg_csv_row_message',
                        row=row.number, message=message)

    def skipped_lines(self):
        for row in self.skipped_rows:
            yield gettext('sakai_handover.msg_csv_row_message',
                row=row.number, message=row.skipped)

    def report(self, done=False):
        "The whole report as text"
        lines = [self.summary(done=done)]
        if self.ignored:
            lines.append(gettext('sakai_handover.msg_csv_ignored_columns',
                    columns='、'.join(self.ignored)))
        errors = list(self.error_lines())
        if errors:
            lines += ['', gettext('sakai_handover.msg_csv_errors_heading')]
            lines += errors
        skipped = list(self.skipped_lines())
        if skipped:
            lines += ['', gettext('sakai_handover.msg_csv_skipped_heading')]
            lines += skipped
        return '\n'.join(lines)

    def errors_file(self):
        """The bad rows as they were, with an error column, in the file's
        own encoding (None when every row is fine)"""
        rows = self.bad_rows
        if not rows:
            return None
        output = io.StringIO(newline='')
        writer = csv.writer(output, lineterminator='\r\n')
        error_header = gettext('sakai_handover.msg_csv_error_column')
        writer.writerow(list(self.header) + [error_header])
        width = len(self.header)
        for row in rows:
            cells = list(row.cells[:width])
            cells += [''] * (width - len(cells))
            writer.writerow(cells + [' / '.join(
                        '%s: %s' % (c, m) if c else m
                        for c, m in row.errors)])
        return output.getvalue().encode(
            python_encoding(self.encoding), errors='replace')

    def errors_filename(self):
        stem = self.filename.rsplit('.', 1)[0]
        return '%s-errors.csv' % stem

    def errors_download(self, passphrase, demo):
        """(content, file name) of the bad rows as they leave the server:
        a password zip holding the CSV, or the plain CSV in demo mode
        only (archive.PassphraseError otherwise)"""
        content = self.errors_file()
        if content is None:
            return None, None
        name = self.errors_filename()
        if not archive.require(passphrase, demo, name):
            return content, name
        return (archive.encrypted_zip({name: content}, passphrase),
            name.rsplit('.', 1)[0] + '.zip')


class ImportStart(ModelView):
    "The file to import: the first screen of every CSV import wizard"
    __name__ = 'sakai.csv_import.start'
    __string__ = "Import from CSV"

    explanation = fields.Text("Explanation", readonly=True)
    file = fields.Binary("File", required=True, filename='filename',
        help="The previous operator's list as CSV (UTF-8 or Shift_JIS), "
        "with the column headers in the first row.")
    filename = fields.Char("File Name")
    passphrase = fields.Char("Passphrase for the Rows with Errors",
        help="The rows with errors come back as a password zip (AES-256, "
        "opens with 7-Zip) with this passphrase, as they hold personal "
        "data. At least 12 characters.")


class ImportResult(ModelView):
    "The check before importing and the result after"
    __name__ = 'sakai.csv_import.result'
    __string__ = "CSV Import Result"

    summary = fields.Text("Summary", readonly=True)
    report = fields.Text("Report", readonly=True)
    errors_file = fields.Binary("Rows with Errors", readonly=True,
        filename='errors_filename',
        help="The rows with errors as they were, with an error column: "
        "fix them and import this file again.")
    errors_filename = fields.Char("File Name", readonly=True)


class ImportWizardMixin:
    """The CSV import wizard: choose the file, check it, import the good
    rows, report the rest, with the views of this module.  A module's
    wizard adds only its ``__name__`` and its Importer class as
    ``importer``."""
    __slots__ = ()
    importer = None

    start = StateView('sakai.csv_import.start',
        'sakai_handover.csv_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'check', 'tryton-forward', default=True),
            ])
    check = StateView('sakai.csv_import.result',
        'sakai_handover.csv_import_check_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Choose Another File", 'start', 'tryton-back'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('sakai.csv_import.result',
        'sakai_handover.csv_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        return {
            'explanation': gettext('sakai_handover.msg_csv_import_start',
                list=self.importer.list_name()),
            }

    def _importer(self):
        return self.importer(self.start.file, self.start.filename)

    def _values(self, importer, done=False):
        summary = importer.summary(done=done)
        passphrase = self.start.passphrase or None
        if passphrase and len(passphrase) < archive.MIN_LENGTH:
            raise UserError(gettext('sakai_handover.msg_archive_passphrase_short',
                    length=archive.MIN_LENGTH))
        try:
            content, name = importer.errors_download(passphrase, demo_mode())
        except archive.PassphraseError:
            # Personal data never leaves unencrypted: no file, and why
            content, name = None, None
            summary += '\n' + gettext(
                'sakai_handover.msg_csv_errors_file_passphrase')
        return {
            'summary': summary,
            'report': importer.report(done=done),
            'errors_file': content,
            'errors_filename': name,
            }

    def default_check(self, fields):
        return self._values(self._importer().check())

    def transition_import_(self):
        self._result = self._values(self._importer().import_(), done=True)
        # the wizard's session is stored: keep no passphrase in it
        self.start.passphrase = None
        return 'done'

    def default_done(self, fields):
        return getattr(self, '_result', {})
