# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Handover bundle: export every record the next operator needs, import it
into an empty database.

The bundle is a zip of one JSON file per model (``data/<model>.json``),
``schema.json`` (fields, types, meanings, relations), ``checksums.sha256``
and ``README.txt`` (Japanese, for the next operator).  Its entries are
encrypted with AES-256 under the passphrase the administrator sets
(``archive``; 7-Zip opens it); only demo mode writes it without one.

Each module declares its models by extending ``sakai.handover`` with
``PoolMeta`` and adding ``(model, options)`` to ``handover_models()`` in
import order.  Options:

- ``natural``: fields whose values identify the record across databases
  (matched on import instead of inserting a duplicate);
- ``fields``: only these fields are handed over;
- ``exclude``: fields never handed over (secrets, caches).

References are written as external keys: ``xml:<module>.<id>`` for records
defined by the modules' XML data, ``<model>:nat:<values>`` for natural
keys and ``<model>:<source id>`` otherwise; the import maps them to the new
ids.  Rows are written with SQL (no business rules run again), so dates,
states and numbers come over exactly as they were.
"""
import base64
import datetime as dt
import decimal
import hashlib
import json

from trytond.model import Model, ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from . import archive
from sakai_programme.programme import demo_mode

FORMAT = 'sakai-handover/1'
META_FIELDS = {'id', 'create_uid', 'write_uid', 'rec_name'}

README = """\
堺市 シングルマザー等就業支援 LINE システム 引継ぎデータ
=====================================================

この zip は、前の受託事業者のシステムから次の受託事業者へ引き継ぐ
全データです。個人情報を含みます。中のファイルは AES-256 で暗号化され、
別途伝えるパスワードで開けます（7-Zip など）。展開したファイルも
パスワード付きの保管場所に置き、不要になったら判読不可能な方法で
消去してください（仕様書 11(10)）。

内容
- data/<モデル名>.json : レコード種別ごとのデータ（JSON 配列）。
  各レコードの "_key" は引継ぎ用の外部キーです。参照項目の値も
  同じ外部キー（"<モデル名>:<番号>"、"xml:<モジュール>.<ID>" など）で
  書かれています。
- schema.json : 各ファイルの項目名・型・意味・参照先の説明。
- checksums.sha256 : 各ファイルの SHA-256（`sha256sum -c` で検証可）。
- README.txt : この説明。

取込み
  tools/handover.py import -c <設定ファイル> -d <空のデータベース> -i <zip>
  取込み先は新規に作成した空のデータベースであること。取込み前に
  チェックサムを検証します。

出力元データベース: {database}
出力日時 (UTC): {date}
"""


class Handover(Model):
    __name__ = 'sakai.handover'
    __string__ = "Handover"

    @classmethod
    def handover_models(cls):
        "Return the list of (model, options) to hand over, in import order"
        return [
            ('res.user', {
                    'natural': ('login',),
                    'fields': ['login', 'name', 'email', 'active'],
                    'meaning': "職員（ログイン名と氏名のみ。"
                    "パスワード・権限は引き継がない）"}),
            ('country.country', {
                    'natural': ('code',), 'meaning': "国"}),
            ('country.subdivision', {
                    'natural': ('code',), 'meaning': "都道府県等"}),
            ('party.category', {'meaning': "取引先の分類"}),
            ('party.party', {'meaning': "当事者（利用者・事業所・関係機関）"}),
            ('party.address', {'meaning': "住所"}),
            ('party.contact_mechanism', {'meaning': "連絡先（電話・メール等）"}),
            ('party.identifier', {'meaning': "当事者の識別番号"}),
            ]

    @classmethod
    def declared(cls):
        "The declared models that exist in this database's pool"
        pool = Pool()
        result = []
        for name, options in cls.handover_models():
            try:
                Model_ = pool.get(name)
            except KeyError:
                continue
            if (not issubclass(Model_, ModelSQL)
                    or callable(Model_.table_query)):
                continue
            result.append((name, Model_, dict(options)))
        return result

    @classmethod
    def handover_fields(cls, Model_, options):
        "Return the names of the stored fields handed over for Model_"
        names = []
        declared = {n for n, _, _ in cls.declared()}
        for name, field in sorted(Model_._fields.items()):
            if name in META_FIELDS or name in options.get('exclude', ()):
                continue
            if options.get('fields') and name not in options['fields']:
                continue
            if isinstance(field, fields.Function) or not field.sql_type():
                if not isinstance(field, fields.Many2Many):
                    continue
            if isinstance(field, fields.Many2Many):
                # stored by its own relation model when that one is declared
                if (field.relation_name in declared
                        or isinstance(field, fields.Function)):
                    continue
            names.append(name)
        return names


def _model_of(field):
    if isinstance(field, (fields.Many2One, fields.One2One)):
        return field.model_name
    if isinstance(field, fields.Many2Many):
        return field.target and Pool().get(field.relation_name)._fields[
            field.target].model_name
    return None


class Keys:
    "Map record ids to external keys and back"

    def __init__(self, declared):
        self.declared = {n: o for n, _, o in declared}
        self._xml = {}
        self._cache = {}
        ModelData = Pool().get('ir.model.data')
        for data in ModelData.search([]):
            self._xml[(data.model, data.db_id)] = (
                'xml:%s.%s' % (data.module, data.fs_id))

    def key(self, model, id_):
        if id_ is None:
            return None
        if (model, id_) in self._cache:
            return self._cache[(model, id_)]
        key = self._xml.get((model, id_))
        if not key and model in self.declared:
            natural = self.declared[model].get('natural')
            if natural:
                record = Pool().get(model)(id_)
                key = '%s:nat:%s' % (model, '|'.join(
                        str(getattr(record, n)) for n in natural))
            else:
                key = '%s:%s' % (model, id_)
        self._cache[(model, id_)] = key
        return key


def _jsonable(field, value):
    if value is None:
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode('ascii')
    return value


def _python(field, value):
    if value is None:
        return None
    if isinstance(field, fields.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, fields.Date):
        return dt.date.fromisoformat(value)
    if isinstance(field, fields.Time):
        return dt.time.fromisoformat(value)
    if isinstance(field, fields.TimeDelta):
        return dt.timedelta(seconds=value)
    if isinstance(field, fields.Numeric):
        return decimal.Decimal(value)
    if isinstance(field, fields.Binary):
        return base64.b64decode(value)
    return value


def _type(field):
    type_ = field._type
    info = {'type': type_, 'string': str(field.string)}
    if field.help:
        info['help'] = str(field.help)
    if getattr(field, 'required', False):
        info['required'] = True
    target = _model_of(field)
    if target:
        info['relation'] = target
    if isinstance(field, (fields.Selection, fields.MultiSelection)):
        selection = field.selection
        if isinstance(selection, (list, tuple)):
            info['selection'] = {
                k: str(v) for k, v in selection if k is not None}
    return info


def export_data():
    """Return {model: [records]} and the schema of the handed-over data"""
    pool = Pool()
    Handover = pool.get('sakai.handover')
    declared = Handover.declared()
    keys = Keys(declared)
    data, schema = {}, {'format': FORMAT, 'models': []}
    with Transaction().set_context(active_test=False, language=None,
            _check_access=False):
        for name, Model_, options in declared:
            names = Handover.handover_fields(Model_, options)
            records = []
            ids = [r.id for r in Model_.search([], order=[('id', 'ASC')])]
            for i in range(0, len(ids), 500):
                # read() keeps the database's order (on PostgreSQL the
                # heap's, which updates change): sort by id
                rows = sorted(Model_.read(ids[i:i + 500],
                        names + ['create_date', 'write_date']),
                    key=lambda r: r['id'])
                for row in rows:
                    record = {'_key': keys.key(name, row['id'])}
                    for fname in names + ['create_date', 'write_date']:
                        field = Model_._fields[fname]
                        value = row[fname]
                        if isinstance(field, fields.Many2One):
                            value = keys.key(field.model_name, value)
                        elif isinstance(field, fields.Reference):
                            if value and isinstance(value, str):
                                rmodel, rid = value.split(',')
                                rid = int(rid) if rid.lstrip('-').isdigit() \
                                    else None
                                value = rid is not None and rid >= 0 and \
                                    keys.key(rmodel, rid) or None
                        elif isinstance(field, fields.Many2Many):
                            value = sorted(
                                keys.key(_model_of(field), v)
                                for v in (value or []))
                        else:
                            value = _jsonable(field, value)
                        record[fname] = value
                    records.append(record)
            data[name] = records
            schema['models'].append({
                    'model': name,
                    'file': 'data/%s.json' % name,
                    'string': Model_.__string__ or name,
                    'meaning': options.get('meaning', ''),
                    'natural_key': list(options.get('natural', ())),
                    'count': len(records),
                    'fields': {n: _type(Model_._fields[n])
                        for n in names + ['create_date', 'write_date']},
                    })
    return data, schema


def write_bundle(fileobj, database_name='', passphrase=None):
    """Write the handover zip to fileobj, encrypted with passphrase;
    return {model: count}.  Without a passphrase only in demo mode"""
    archive.require(passphrase, demo_mode(), "引継ぎデータ")
    data, schema = export_data()
    now = dt.datetime.utcnow().replace(microsecond=0)
    schema['database'] = database_name
    schema['exported_at'] = now.isoformat()
    files = {}
    for name, records in data.items():
        files['data/%s.json' % name] = json.dumps(
            records, ensure_ascii=False, indent=1, sort_keys=True).encode()
    files['schema.json'] = json.dumps(
        schema, ensure_ascii=False, indent=1).encode()
    files['README.txt'] = README.format(
        database=database_name, date=now.isoformat()).encode()
    checksums = ''.join('%s  %s\n' % (hashlib.sha256(c).hexdigest(), n)
        for n, c in sorted(files.items()))
    with archive.writer(fileobj, passphrase) as bundle:
        for name, content in sorted(files.items()):
            bundle.writestr(name, content)
        bundle.writestr('checksums.sha256', checksums)
    return {n: len(r) for n, r in data.items()}


class BundleError(Exception):
    pass


def read_bundle(fileobj, passphrase=None):
    "Return (data, schema) of a bundle after verifying its checksums"
    try:
        bundle = archive.reader(fileobj, passphrase)
    except archive.pyzipper.BadZipFile:
        raise BundleError("zip ファイルではありません。")

    def read(name):
        try:
            return archive.read_entry(bundle, name)
        except archive.PassphraseError as exception:
            raise BundleError(str(exception))
        except archive.pyzipper.BadZipFile:
            raise BundleError(
                "ファイル %s が壊れているか改変されています。" % name)
    with bundle:
        names = set(bundle.namelist())
        if 'checksums.sha256' not in names or 'schema.json' not in names:
            raise BundleError(
                "引継ぎデータではありません（checksums.sha256 または "
                "schema.json がありません）。")
        listed = set()
        for line in read('checksums.sha256').decode().splitlines():
            if not line.strip():
                continue
            digest, name = line.split(None, 1)
            name = name.strip().lstrip('*')
            listed.add(name)
            if name not in names:
                raise BundleError("ファイル %s がありません。" % name)
            if hashlib.sha256(read(name)).hexdigest() != digest:
                raise BundleError(
                    "ファイル %s のチェックサムが一致しません。"
                    "データが壊れているか改変されています。" % name)
        unlisted = names - listed - {'checksums.sha256'}
        if unlisted:
            raise BundleError("チェックサムのないファイルがあります: %s"
                % ', '.join(sorted(unlisted)))
        schema = json.loads(read('schema.json'))
        if schema.get('format') != FORMAT:
            raise BundleError("対応していない形式です: %s"
                % schema.get('format'))
        data = {}
        for model in schema['models']:
            data[model['model']] = json.loads(read(model['file']))
    return data, schema


def non_empty_models():
    "Return {model: count} of records not created by the modules' data"
    pool = Pool()
    Handover = pool.get('sakai.handover')
    ModelData = pool.get('ir.model.data')
    result = {}
    with Transaction().set_context(active_test=False, _check_access=False):
        for name, Model_, options in Handover.declared():
            if options.get('natural'):
                # users, countries: may exist before (admin, setup data)
                continue
            xml_ids = {d.db_id for d in ModelData.search(
                    [('model', '=', name)])}
            count = len([r for r in Model_.search([])
                    if r.id not in xml_ids])
            if count:
                result[name] = count
    return result


def missing_defaults(Model_, record):
    """[(field name, SQL value)] of the required fields record lacks (a
    bundle of an earlier version), from their defaults: as Tryton fills a
    new required column of the rows already there"""
    for fname, field in Model_._fields.items():
        if (fname in record or not field.required
                or isinstance(field, (fields.Function, fields.One2Many,
                        fields.Many2Many))
                or not hasattr(Model_, 'default_' + fname)):
            continue
        value = getattr(Model_, 'default_' + fname)()
        if value is not None:
            yield fname, field.sql_format(value)


def import_data(data, schema):
    "Load data into the current (empty) database; return {model: count}"
    pool = Pool()
    Handover = pool.get('sakai.handover')
    ModelData = pool.get('ir.model.data')
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    database = transaction.database
    declared = {n: (M, o) for n, M, o in Handover.declared()}
    mapping = {}
    for record in ModelData.search([]):
        mapping['xml:%s.%s' % (record.module, record.fs_id)] = record.db_id
    mapping.update(split_keys(ModelData.search([])))
    deferred = []
    counts = {}

    def resolve(value):
        return mapping.get(value)

    with transaction.set_context(active_test=False, _check_access=False):
        for info in schema['models']:
            name = info['model']
            if name not in declared:
                raise BundleError(
                    "このデータベースにないモデルです: %s" % name)
            Model_, options = declared[name]
            table = Model_.__table__()
            natural = options.get('natural')
            m2m = {}
            counts[name] = 0
            for record in data[name]:
                key = record['_key']
                columns, values, later = [], [], []
                for fname, value in record.items():
                    if fname == '_key' or fname not in Model_._fields:
                        continue
                    field = Model_._fields[fname]
                    if isinstance(field, fields.Many2Many):
                        m2m.setdefault(fname, []).append((key, value))
                        continue
                    if isinstance(field, fields.Many2One):
                        if value is not None:
                            target = resolve(value)
                            if target is None:
                                later.append((fname, value))
                                if not field.required:
                                    continue
                                raise BundleError(
                                    "%s の %s の参照先 %s が見つかりません。"
                                    % (name, fname, value))
                            value = target
                    elif isinstance(field, fields.Reference):
                        if value is not None:
                            target = resolve(value)
                            if target is None:
                                later.append((fname, value))
                                continue
                            value = '%s,%s' % (value.rsplit(':', 1)[0]
                                if not value.startswith('xml:')
                                else _xml_model(value), target)
                    else:
                        value = field.sql_format(_python(field, value))
                    columns.append(getattr(table, fname))
                    values.append(value)
                existing = mapping.get(key)
                if existing is None:
                    for fname, value in missing_defaults(Model_, record):
                        columns.append(getattr(table, fname))
                        values.append(value)
                if existing is None and natural:
                    found = Model_.search([
                            (n, '=', record.get(n)) for n in natural])
                    if found:
                        existing = found[0].id
                if existing is not None:
                    if not natural:
                        cursor.execute(*table.update(
                                columns, values,
                                where=table.id == existing))
                    mapping[key] = existing
                else:
                    columns += [table.create_uid]
                    values += [0]
                    if database.has_returning():
                        cursor.execute(*table.insert(columns, [values],
                                returning=[table.id]))
                        new_id, = cursor.fetchone()
                    else:
                        cursor.execute(*table.insert(columns, [values]))
                        new_id = database.lastid(cursor)
                    mapping[key] = new_id
                    counts[name] += 1
                for fname, value in later:
                    deferred.append((Model_, mapping[key], fname, value))
            for fname, pairs in m2m.items():
                field = Model_._fields[fname]
                Relation = pool.get(field.relation_name)
                rtable = Relation.__table__()
                for key, targets in pairs:
                    for target in targets or []:
                        if resolve(target) is None:
                            continue
                        cursor.execute(*rtable.insert(
                                [getattr(rtable, field.origin),
                                    getattr(rtable, field.target),
                                    rtable.create_uid],
                                [[mapping[key], resolve(target), 0]]))
        for Model_, id_, fname, value in deferred:
            target = resolve(value)
            if target is None:
                continue
            field = Model_._fields[fname]
            if isinstance(field, fields.Reference):
                target = '%s,%s' % (value.rsplit(':', 1)[0], target)
            table = Model_.__table__()
            cursor.execute(*table.update([getattr(table, fname)], [target],
                    where=table.id == id_))
    return counts


# Bundles written before the base module was split into modules of their
# own (sakai_programme, sakai_line, sakai_questionnaire…) name all its
# records under this module
SPLIT_MODULE = 'sakai_line'


def split_keys(records):
    """{xml:sakai_line.<id>: db_id} of the records whose id is unique to one
    module, for the keys of bundles from before the split"""
    by_id = {}
    for record in records:
        by_id.setdefault(record.fs_id, []).append(record)
    return {'xml:%s.%s' % (SPLIT_MODULE, fs_id): found[0].db_id
        for fs_id, found in by_id.items()
        if len(found) == 1 and found[0].module != SPLIT_MODULE}


def _xml_model(key):
    module, fs_id = key[4:].split('.', 1)
    ModelData = Pool().get('ir.model.data')
    found = ModelData.search([('module', '=', module), ('fs_id', '=', fs_id)])
    if not found and module == SPLIT_MODULE:
        found = ModelData.search([('fs_id', '=', fs_id)])
    data, = found
    return data.model


def load_bundle(fileobj, force=False, passphrase=None):
    "Verify and import a bundle into the current database"
    data, schema = read_bundle(fileobj, passphrase)
    if not force:
        existing = non_empty_models()
        if existing:
            raise BundleError(
                "取込み先のデータベースが空ではありません（%s）。"
                "新しく作成した空のデータベースに取り込んでください。"
                % '、'.join('%s %d 件' % i for i in existing.items()))
    return import_data(data, schema)


def normalise(data):
    """Return data with the source ids in keys replaced by the position of
    the record in its model, to compare two bundles of different
    databases"""
    position = {}
    for name, records in data.items():
        for i, record in enumerate(records):
            key = record['_key']
            if key.startswith(name + ':') and ':nat:' not in key:
                position[key] = '%s#%d' % (name, i)

    def convert(value):
        if isinstance(value, str):
            return position.get(value, value)
        if isinstance(value, list):
            return sorted(convert(v) for v in value)
        return value
    result = {}
    for name, records in data.items():
        result[name] = [{k: convert(v) for k, v in r.items()
                if k not in {'create_date', 'write_date'}}
            for r in records]
    return result


