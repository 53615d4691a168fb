# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Erasure at the end of the contract (Sakai spec §11(10)).

Every free-text, name and contact column of the personal models declared
by the modules (``sakai.handover.erasure_models()``) is overwritten with
SQL: emptied, or replaced by a fixed mark when the column is required.
LINE user IDs become irreversible tokens (SHA-256 with a random salt that
is never stored), so they stay unique.  Dates, kinds, states, households
and the links between records are kept: monthly statistics still count.
The report is returned (HTML, Japanese) and stored in
``sakai.erasure.report``.
"""
import datetime as dt
import hashlib
import html
import secrets

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.transaction import Transaction

ERASED = '消去済み'
TEXT_TYPES = ('char', 'text', 'binary', 'dict', 'full_text')


class Handover(metaclass=PoolMeta):
    __name__ = 'sakai.handover'

    @classmethod
    def erasure_models(cls):
        """Return {model: {'keep': [fields], 'token': [fields],
        'meaning': str}}: text fields are erased except those kept;
        'token' fields get an irreversible unique token"""
        return {
            'party.party': {'keep': ['code'], 'meaning': "当事者"},
            'party.address': {'meaning': "住所"},
            'party.contact_mechanism': {'meaning': "連絡先"},
            'party.identifier': {'meaning': "識別番号"},
            'line.user': {'token': ['line_id'], 'meaning': "LINE 利用者"},
            'line.user.history': {'meaning': "友だち追加・ブロック履歴"},
            'line.source.visit': {'token': ['line_id'],
                'meaning': "友だち追加経路の訪問"},
            'questionnaire.response': {'meaning': "アンケート回答"},
            'questionnaire.response.answer': {'meaning': "設問ごとの回答"},
            'line.inquiry': {'meaning': "問合せ"},
            'line.inquiry.message': {'meaning': "問合せのメッセージ"},
            'line.event': {'keep': ['kind', 'type', 'event_type', 'state'],
                'meaning': "LINE 受信イベント"},
            'line.message.recipient': {'meaning': "配信先"},
            }


class ErasureReport(ModelSQL, ModelView):
    "Erasure Report"
    __name__ = 'sakai.erasure.report'

    date = fields.DateTime("Date", readonly=True)
    database = fields.Char("Database", readonly=True)
    erased_by = fields.Char("Erased By", readonly=True)
    content = fields.Text("Report", readonly=True)
    summary = fields.Text("Records", readonly=True,
        help="The number of records per kind whose personal data was erased.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('date', 'DESC'))
        # Written by the erasure only (command line), never through RPC
        for method in ['create', 'write', 'delete']:
            cls.__rpc__.pop(method, None)


class ErasureReportPrint(Report):
    "Erasure Report"
    __name__ = 'sakai.erasure.report.print'

    @classmethod
    def _execute(cls, records, header, data, action):
        "The report as it was written at the erasure"
        return 'html', '\n'.join(r.content or '' for r in records)


def _token(salt, value):
    return 'X' + hashlib.sha256(salt + value.encode()).hexdigest()[:32]


def erase_all(database_name, erased_by=''):
    "Erase personal data of the current database; return the report"
    pool = Pool()
    Handover = pool.get('sakai.handover')
    Report = pool.get('sakai.erasure.report')
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    salt = secrets.token_bytes(32)
    now = dt.datetime.utcnow().replace(microsecond=0)
    rows = []
    for name, spec in Handover.erasure_models().items():
        try:
            Model_ = pool.get(name)
        except KeyError:
            continue
        if not issubclass(Model_, ModelSQL) or callable(Model_.table_query):
            continue
        table = Model_.__table__()
        keep = set(spec.get('keep', ()))
        token = set(spec.get('token', ()))
        erased, marked, tokens = [], [], []
        for fname, field in sorted(Model_._fields.items()):
            if (isinstance(field, fields.Function) or fname in keep
                    or field._type not in TEXT_TYPES
                    or isinstance(field, fields.Selection)
                    or fname in {'create_uid', 'write_uid'}):
                continue
            if fname in token:
                tokens.append(fname)
            elif getattr(field, 'required', False):
                marked.append(fname)
            else:
                erased.append(fname)
        cursor.execute(*table.select(table.id))
        ids = [r[0] for r in cursor]
        if erased or marked:
            columns = [getattr(table, f) for f in erased + marked]
            values = [None] * len(erased) + [ERASED] * len(marked)
            cursor.execute(*table.update(columns, values))
        for fname in tokens:
            column = getattr(table, fname)
            cursor.execute(*table.select(table.id, column,
                    where=column != None))  # noqa: E711
            for id_, value in list(cursor):
                cursor.execute(*table.update([column],
                        [_token(salt, value)], where=table.id == id_))
        rows.append((name, str(Model_.__doc__ or name),
                spec.get('meaning', ''), len(ids),
                erased + marked, tokens))
    report = render_report(database_name, erased_by, now, rows)
    summary = '\n'.join('%s (%s): %d' % (meaning or string, name, count)
        for name, string, meaning, count, _, _ in rows)
    Report.create([{'date': now, 'database': database_name,
                'erased_by': erased_by, 'content': report,
                'summary': summary}])
    return report


def render_report(database_name, erased_by, now, rows):
    e = html.escape
    jst = now + dt.timedelta(hours=9)
    lines = [
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
        '<title>個人情報消去報告書</title>',
        '<style>body{font-family:sans-serif}table{border-collapse:collapse}'
        'td,th{border:1px solid #444;padding:4px 8px}</style></head><body>',
        '<h1>個人情報消去報告書</h1>',
        '<p>堺市 シングルマザー等就業支援事業 LINE システム<br>'
        '仕様書 11 個人情報保護 (10) に基づき、契約終了に伴い保有する'
        '個人情報を判読不可能な方法で消去したことを報告します。</p>',
        '<table>',
        '<tr><th>データベース</th><td>%s</td></tr>' % e(database_name),
        '<tr><th>消去日時</th><td>%s（日本時間）</td></tr>'
        % jst.strftime('%Y年%m月%d日 %H:%M'),
        '<tr><th>実施者</th><td>%s</td></tr>' % e(erased_by or '（未記入）'),
        '</table>',
        '<h2>消去の方法</h2>',
        '<ul><li>氏名・フリガナ・連絡先・住所・メモ・自由記述・問合せ本文・'
        '紹介理由などの文字項目を、データベース上で空欄または「%s」に'
        '上書きしました（元に戻せません）。</li>' % ERASED,
        '<li>LINE ユーザー ID は、保存しない乱数を加えた SHA-256 による'
        '不可逆のトークンに置き換えました。</li>',
        '<li>日付・種別・状態・世帯区分・件数は統計のため残しています。'
        '</li>',
        '<li>引継ぎデータ（zip）・バックアップは別途、判読不可能な方法で'
        '消去してください。</li></ul>',
        '<h2>レコード種別ごとの件数と消去項目</h2>',
        '<table><tr><th>種別</th><th>モデル</th><th>件数</th>'
        '<th>消去した項目</th><th>トークン化した項目</th></tr>',
        ]
    for name, string, meaning, count, erased, tokens in rows:
        lines.append('<tr><td>%s</td><td>%s</td><td>%d</td><td>%s</td>'
            '<td>%s</td></tr>' % (e(meaning or string), e(name), count,
                e(', '.join(erased)), e(', '.join(tokens))))
    lines += ['</table>',
        '<p>報告者署名: ____________________</p>', '</body></html>', '']
    return '\n'.join(lines)
