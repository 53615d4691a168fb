# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Handover round trip: export a database holding every kind of record,
import the bundle into a fresh database, export again and compare.

Runs on the backend of TRYTOND_DATABASE_URI (SQLite by default; PostgreSQL
with TRYTOND_DATABASE_URI=postgresql://...)."""
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from tests.tools import OUR_MODULES as MODULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
TOOL = os.path.join(ROOT, 'tools', 'handover.py')
PASSPHRASE = 'handover-bundle-2026'

# Run inside the source database after the demo loader: one record of each
# kind the demo does not make, holding personal text the erasure must remove
EXTRAS = r'''
import datetime as dt, sys
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
db = sys.argv[2]
pool = Pool(db); pool.init()
with Transaction().start(db, 0, context={'active_test': False,
            '_check_access': False}) as transaction:
    get = pool.get
    now = dt.datetime(2026, 10, 1, 3, 0)
    Party = get('party.party')
    client, = Party.search([('is_client', '=', True),
            ('line_user', '!=', None)], limit=1)
    user = client.line_user
    get('line.user.history').create([{'line_user': user.id,
                'action': 'follow', 'at': now}])
    source, = get('line.source').search([], limit=1)
    get('line.source.visit').create([{'source': source.id, 'at': now,
                'line_id': user.line_id}])
    get('party.category').create([{'name': 'ハンドオーバー試験分類'}])
    Questionnaire = get('questionnaire')
    questionnaire, = Questionnaire.search([], limit=1)
    question = questionnaire.questions[0]
    response, = get('questionnaire.response').create([{
                'questionnaire': questionnaire.id, 'state': 'done',
                'line_user': user.id}])
    answer, = get('questionnaire.response.answer').create([{
                'response': response.id, 'question': question.id,
                'text': '自由記述テスト回答ユニーク文字列'}])
    choices = get('questionnaire.choice').search([], limit=1)
    get('questionnaire.response.answer-choice').create([{
                'answer': answer.id, 'choice': choices[0].id}])
    scale, = get('questionnaire.scale').search([], limit=1)
    get('questionnaire.response.score').create([{
                'response': response.id, 'scale': scale.id}])
    get('questionnaire.campaign').create([{
                'questionnaire': questionnaire.id,
                'period': dt.date(2026, 10, 1)}])
    agency, = get('counseling.agency').search([], limit=1)
    counselor, = get('res.user').search([('login', '=', 'counselor1')])
    get('counseling.referral').create([{
                'client': client.id, 'agency': agency.id,
                'counselor': counselor.id, 'date': dt.date(2026, 10, 2),
                'method': 'introduction', 'state': 'draft',
                'reason': '紹介理由テストユニーク文字列'}])
    record, = get('counseling.record').search([('state', '=', 'done')],
        limit=1)
    get('counseling.record.amendment').create([{'record': record.id,
                'date': now, 'author': counselor.id,
                'reason': '追記理由テストユニーク文字列',
                'text': '追記訂正テストユニーク文字列'}])
    inquiry, = get('line.inquiry').search([], limit=1)
    label, = get('line.inquiry.label').search([], limit=1)
    Relation = get('line.inquiry-line.inquiry.label')
    if not Relation.search([]):
        Relation.create([{'inquiry': inquiry.id, 'label': label.id}])
    transaction.commit()
'''


# Run after EXTRAS: the database is used as the LINE simulator uses it:
# signed webhook events through the real handler (follows, answers,
# messages to a person, a booking), each processed into LINE events,
# messages, inquiries, answers and a booking.  Prints the LINE user IDs.
USE = r'''
import datetime as dt, json, os, sys
import trytond.config as config
config.update_etc(sys.argv[1])
db = sys.argv[2]
SECRET = 'handover-used-secret'
os.environ['SAKAI_LINE_CHANNEL_SECRET'] = SECRET
from unittest import mock
from werkzeug.test import Client
from line_standin import StandIn
from line_standin import webhook as line_webhook
from trytond.pool import Pool
from trytond.transaction import Transaction
pool = Pool(db); pool.init()
line = StandIn().start()
with Transaction().start(db, 0, context={'_check_access': False}) as t:
    Configuration = pool.get('line.configuration')
    c = Configuration(1)
    c.channel_access_token = 'token'
    c.endpoint = c.data_endpoint = line.url
    c.save()
    t.commit()
from trytond.wsgi import app

def post(event):
    body = line_webhook.body([event])
    r = Client(app).post('/%s/line/webhook' % db, data=body, headers={
            'X-Line-Signature': line_webhook.sign(body, SECRET),
            'Content-Type': 'application/json'})
    assert r.status_code == 200, r.status_code

def first_button(user_id):
    with Transaction().start(db, 0):
        Response = pool.get('questionnaire.response')
        rs = Response.search([('line_user.line_id', '=', user_id),
                ('state', '=', 'in_progress')])
        if not rs or not rs[0].current_question or not rs[0].current_question.choices:
            return None
        return rs[0].data('c%d' % rs[0].current_question.choices[0].id)

users = [line_webhook.random_user_id() for _ in range(3)]
texts = [['担当者と話したいです。使用済ユニーク%d 090-9999-00%02d' % (i, i),
        'よろしくお願いします 追記ユニーク%d' % i] for i in range(3)]
with mock.patch('sakai_line.message.time.sleep'):
    for i, user_id in enumerate(users):
        tok = lambda: line.issue_reply_token(user_id)
        post(line_webhook.follow_event(user_id, reply_token=tok()))
        for _ in range(3):
            data = first_button(user_id)
            if not data:
                break
            post(line_webhook.postback_event(user_id, data, reply_token=tok()))
        # pause the registration questions, then write to a person
        post(line_webhook.text_message_event(user_id, '中断',
                reply_token=tok()))
        for text in texts[i]:
            post(line_webhook.text_message_event(user_id, text,
                    reply_token=tok()))
    with Transaction().start(db, 0):
        Slot = pool.get('counseling.slot')
        slots = [s for s in Slot.search([('taken', '=', False),
                    ('start', '>', dt.datetime.utcnow() + dt.timedelta(days=2))],
                order=[('start', 'ASC')])
            if 'career' in (s.kinds or ()) and 'chat' in (s.methods or ())]
        slot = slots[0]
        data = 'bk?a=book&k=career&m=chat&t=%s&e=%s' % (
            slot.start.strftime('%Y%m%d%H%M'), slot.end.strftime('%Y%m%d%H%M'))
    post(line_webhook.postback_event(users[0], data,
            reply_token=line.issue_reply_token(users[0])))
line.stop()
with Transaction().start(db, 0, context={'active_test': False}):
    Event = pool.get('line.event')
    counts = {}
    for name in ['line.event', 'line.message', 'line.inquiry',
            'line.inquiry.message', 'questionnaire.response.answer',
            'counseling.booking']:
        try:
            counts[name] = pool.get(name).search_count([])
        except KeyError:
            pass
    counts['states'] = sorted({e.state for e in Event.search([])})
    Message = pool.get('line.inquiry.message')
    received = [m.text for m in Message.search([])]
print(json.dumps({'users': users, 'counts': counts,
            'texts': sum(texts, []), 'received': received},
        ensure_ascii=False))
'''


# Run in a database with the demo's staff: sysadmin1 requests approvals of
# the kinds given, auditor1 approves them, as they do in the back office
# (就業支援 › 承認依頼).  In a database filled by an import, whose staff came
# without their groups, the two are given theirs first.  Prints the ids.
APPROVE = r'''
import sys
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
db, kinds = sys.argv[2], sys.argv[3:]
pool = Pool(db); pool.init()
with Transaction().start(db, 0, context={'language': 'ja'}) as transaction:
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    Approval = pool.get('sakai.approval')
    def staff(login, group):
        user, = User.search([('login', '=', login)])
        group_id = ModelData.get_id('sakai_programme', group)
        if group_id not in [g.id for g in user.groups]:
            User.write([user], {'groups': [('add', [group_id])]})
        return user.id
    requester = staff('sysadmin1', 'group_sysadmin')
    approver = staff('auditor1', 'group_auditor')
    with transaction.set_user(requester):
        approvals = Approval.create([{'kind': kind,
                    'reason': '契約終了に伴う引継ぎ'} for kind in kinds])
    with transaction.set_user(approver):
        Approval.approve(approvals)
    transaction.commit()
print(' '.join(str(a.id) for a in approvals))
'''


COUNT = '''
import json, sys
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
pool = Pool(sys.argv[2])
pool.init()
counts = {}
with Transaction().start(sys.argv[2], 0, context={'active_test': False}):
    for key in json.loads(sys.argv[3]):
        model, _, field = key.partition(' ')
        domain = [(field, '!=', None)] if field else []
        counts[key] = pool.get(model).search_count(domain)
print(json.dumps(counts))
'''

def backend():
    return os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://').split(':')[0]


class Databases:
    "Make databases for the tools on the backend under test"

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix='handover-')
        self.conf = os.path.join(self.tmp, 'trytond.conf')
        uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
        if backend() == 'sqlite':
            uri = 'sqlite://'
        with open(self.conf, 'w') as fp:
            fp.write(f'[database]\nuri = {uri}\npath = {self.tmp}\n')
        passfile = os.path.join(self.tmp, 'password')
        with open(passfile, 'w') as fp:
            fp.write('handover-test-2026')
        self.env = dict(os.environ, TRYTONPASSFILE=passfile,
            SAKAI_HANDOVER_PASSPHRASE=PASSPHRASE,
            PYTHONPATH=os.pathsep.join(
                [ROOT] + os.environ.get('PYTHONPATH', '').split(os.pathsep)))
        self.env.pop('TRYTOND_DATABASE_URI', None)
        self.env.pop('DB_NAME', None)
        self.created = []
        self.prefix = 'test_ho_%d_' % os.getpid()

    def run(self, *args, check=True):
        return subprocess.run(list(args), env=self.env, check=check,
            capture_output=True, text=True)

    def create(self, name):
        "A database with every module activated, as the set-up makes it"
        return self.copy(shared().blank(), name)

    def install(self, name):
        name = self.prefix + name
        if backend() == 'sqlite':
            open(os.path.join(self.tmp, name + '.sqlite'), 'w').close()
        else:
            self.psql('CREATE DATABASE "%s"' % name)
        self.created.append(name)
        admin = [os.path.join(BIN, 'trytond-admin'), '-c', self.conf,
            '-d', name]
        self.run(*admin, '--all', '-l', 'ja', '--email',
            'admin@example.com')
        self.run(*admin, '-u', *MODULES, '--activate-dependencies',
            '-l', 'ja')
        return name

    def copy(self, source, name, origin=None):
        """A copy named name of the database source of origin (the shared
        databases by default), its stored files with it"""
        origin = origin or shared()
        name = self.prefix + name
        if backend() == 'sqlite':
            shutil.copyfile(os.path.join(origin.tmp, source + '.sqlite'),
                os.path.join(self.tmp, name + '.sqlite'))
        else:
            self.psql('CREATE DATABASE "%s" TEMPLATE "%s"' % (name, source))
        self.created.append(name)
        files = os.path.join(origin.tmp, source)
        if os.path.isdir(files):
            shutil.copytree(files, os.path.join(self.tmp, name))
        return name

    def psql(self, sql):
        import psycopg
        uri = os.environ['TRYTOND_DATABASE_URI']
        with psycopg.connect(uri.rstrip('/') + '/postgres',
                autocommit=True) as conn:
            conn.execute(sql)

    def tool(self, *args, check=True):
        return self.run(sys.executable, TOOL, *args, check=check)

    def approvals(self, database, *kinds):
        "Approved requests of kinds in database: their numbers as strings"
        result = self.run(sys.executable, '-c', APPROVE, self.conf,
            database, *kinds, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1].split()

    def cleanup(self):
        if backend() != 'sqlite':
            for name in self.created:
                try:
                    self.psql('DROP DATABASE IF EXISTS "%s"' % name)
                except Exception:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def build_source(dbs):
    """A copy of the database with the demo data and the extras, used
    through the webhook; dbs.used is {'users': LINE user IDs, 'counts':
    {model: n}}"""
    origin = shared()
    dbs.used = origin.used_source()
    return dbs.copy(origin.source, 'source')


class SharedDatabases(Databases):
    """The databases every test here starts from, made once per run and
    copied: activating every module takes a minute or more, a copy a
    second"""

    def __init__(self):
        super().__init__()
        self.prefix = 'test_ho_%d_shared_' % os.getpid()
        self._blank = self.source = None

    def blank(self):
        if not self._blank:
            self._blank = self.install('blank')
        return self._blank

    def used_source(self):
        "Make the source database once: its use through the webhook"
        import json
        if not self.source:
            source = self.copy(self.blank(), 'source', origin=self)
            self.run(sys.executable,
                os.path.join(ROOT, 'demo', 'load_demo.py'),
                '-c', self.conf, '-d', source)
            self.run(sys.executable, '-c', EXTRAS, self.conf, source)
            result = self.run(sys.executable, '-c', USE, self.conf, source,
                check=False)
            assert result.returncode == 0, result.stderr
            self.used = json.loads(result.stdout.strip().splitlines()[-1])
            self.source = source
        return self.used


_shared = None


def shared():
    global _shared
    if _shared is None:
        import atexit
        _shared = SharedDatabases()
        atexit.register(_shared.cleanup)
    return _shared


class HandoverTestCase(unittest.TestCase):
    "Handover bundle round trip"

    @classmethod
    def setUpClass(cls):
        cls.dbs = Databases()
        cls.source = build_source(cls.dbs)
        cls.approved = cls.dbs.approvals(cls.source, *['handover'] * 6)

    @classmethod
    def tearDownClass(cls):
        cls.dbs.cleanup()

    def approval(self):
        "An approved export request of the source database, unused"
        return self.approved.pop()

    def bundle(self, name):
        return os.path.join(self.dbs.tmp, name)

    def test_round_trip(self):
        "Export, import into a fresh database, export again: nothing lost"
        sys.path.insert(0, os.path.join(ROOT, 'addons'))
        from sakai_handover.handover import normalise, read_bundle
        dbs = self.dbs
        first = self.bundle('first.zip')
        dbs.tool('export', '-c', dbs.conf, '-d', self.source, '-o', first,
            '--approval', self.approval())
        data, schema = read_bundle(first, PASSPHRASE)
        # the users who wrote through the webhook are handed over
        self.assertLessEqual(set(dbs.used['users']),
            {u['line_id'] for u in data['line.user']})
        for model in [
                'party.party', 'party.party.child', 'party.address',
                'party.contact_mechanism', 'party.category',
                'line.user', 'line.user.history', 'line.source',
                'line.source.visit', 'party.consent',
                'counseling.slot', 'counseling.booking',
                'counseling.record', 'counseling.record.step',
                'counseling.record.amendment',
                'counseling.agency', 'counseling.referral',
                'questionnaire', 'questionnaire.response',
                'questionnaire.response.answer',
                'questionnaire.response.answer-choice',
                'questionnaire.response.score', 'questionnaire.campaign',
                'job.order', 'job.subsidy', 'job.development.contact',
                'job.development.contact-job.subsidy', 'job.introduction',
                'job.introduction.stage', 'job.application.support',
                'job.placement', 'job.recommendation', 'job.matching.gap',
                'job.matching.configuration',
                'job.placement', 'job.follow_up', 'job.follow_up.milestone',
                'job.change', 'job.employer.feedback',
                'seminar.seminar', 'seminar.session',
                'line.inquiry', 'line.inquiry.message',
                'line.inquiry-line.inquiry.label']:
            self.assertTrue(data.get(model), model)
        models = {m['model']: m for m in schema['models']}
        self.assertEqual(
            models['line.user']['fields']['source']['relation'],
            'line.source')

        target = dbs.create('target')
        result = dbs.tool('import', '-c', dbs.conf, '-d', target,
            '-i', first)
        self.assertIn('取り込みました', result.stdout)
        second = self.bundle('second.zip')
        approval, = dbs.approvals(target, 'handover')
        dbs.tool('export', '-c', dbs.conf, '-d', target, '-o', second,
            '--approval', approval)
        again, _ = read_bundle(second, PASSPHRASE)
        first_n, second_n = normalise(data), normalise(again)
        self.assertEqual(sorted(first_n), sorted(second_n))
        for model in first_n:
            self.assertEqual(len(first_n[model]), len(second_n[model]),
                model)
            for a, b in zip(first_n[model], second_n[model]):
                self.assertEqual(a, b, model)

        # A second import is refused: the database is no longer empty
        result = dbs.tool('import', '-c', dbs.conf, '-d', target,
            '-i', first, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('空ではありません', result.stderr)

    def test_bundle_from_before_split(self):
        """A bundle exported before the base module was split into modules
        of their own (tests/data/, the demo of 2026-12-05) imports whole"""
        sys.path.insert(0, os.path.join(ROOT, 'addons'))
        from sakai_handover.handover import read_bundle
        dbs = self.dbs
        bundle = os.path.join(ROOT, 'tests', 'data',
            'handover-before-split.zip')
        data, _ = read_bundle(bundle, PASSPHRASE)
        self.assertTrue(any(str(v).startswith('xml:sakai_line.')
                for rows in data.values() for row in rows
                for v in row.values()))
        target = dbs.create('before_split')
        result = dbs.tool('import', '-c', dbs.conf, '-d', target,
            '-i', bundle)
        self.assertIn('取り込みました', result.stdout)
        # every record, and every reference to the data the modules ship
        # (written xml:sakai_line.<id> then) still set
        expected = {}
        for model, rows in data.items():
            expected[model] = len(rows)
            for row in rows:
                for fname, value in row.items():
                    if (fname != '_key' and isinstance(value, str)
                            and value.startswith('xml:sakai_line.')):
                        key = '%s %s' % (model, fname)
                        expected[key] = expected.get(key, 0) + 1
        counts = dbs.run(sys.executable, '-c', COUNT, dbs.conf, target,
            json.dumps(sorted(expected)))
        found = json.loads(counts.stdout.strip().splitlines()[-1])
        self.assertGreater(len(expected), len(data))
        for key, count in expected.items():
            with self.subTest(key=key):
                self.assertGreaterEqual(found[key], count)

    def test_encrypted(self):
        """The bundle is an AES-256 password zip; without a passphrase it is
        written only in demo mode; the wrong passphrase is refused"""
        sys.path.insert(0, os.path.join(ROOT, 'addons'))
        from sakai_handover import archive
        dbs = self.dbs
        bundle = self.bundle('encrypted.zip')
        dbs.tool('export', '-c', dbs.conf, '-d', self.source, '-o', bundle,
            '--approval', self.approval())
        with open(bundle, 'rb') as fp:
            raw = fp.read()
        with archive.reader(bundle) as zipped:
            self.assertTrue(all(i.flag_bits & 1 for i in zipped.infolist()))
        # no personal string readable in the file
        for user_id in dbs.used['users']:
            self.assertNotIn(user_id.encode(), raw)
        seven = shutil.which('7zz') or shutil.which('7z')
        if seven:
            # as the next operator opens it
            out = os.path.join(dbs.tmp, '7z-out')
            subprocess.run([seven, 'x', '-p' + PASSPHRASE, '-o' + out,
                    bundle], check=True, capture_output=True)
            with open(os.path.join(out, 'data', 'line.user.json'),
                    encoding='utf-8') as fp:
                self.assertIn(dbs.used['users'][0], fp.read())

        # refused without a passphrase outside demo mode, nothing written
        env = dict(dbs.env)
        env.pop('SAKAI_HANDOVER_PASSPHRASE')
        plain = self.bundle('plain.zip')
        unused = self.approval()
        result = subprocess.run([sys.executable, TOOL, 'export', '-c',
                dbs.conf, '-d', self.source, '-o', plain,
                '--approval', unused], env=env,
            capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn('パスワードなしでは書き出せません', result.stderr)
        self.assertFalse(os.path.exists(plain))
        # in demo mode it may be plain
        demo_conf = os.path.join(dbs.tmp, 'demo.conf')
        with open(dbs.conf) as src, open(demo_conf, 'w') as dst:
            dst.write(src.read() + '\n[sakai_line]\ndemo = True\n')
        result = subprocess.run([sys.executable, TOOL, 'export', '-c',
                demo_conf, '-d', self.source, '-o', plain,
                '--without-approval'], env=env,
            capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        with archive.reader(plain) as zipped:
            self.assertFalse(archive.is_encrypted(zipped))

        # the import needs the right passphrase
        passfile = os.path.join(dbs.tmp, 'wrong-passphrase')
        with open(passfile, 'w') as fp:
            fp.write('not-the-passphrase\n')
        result = dbs.tool('import', '-c', dbs.conf, '-d', self.source,
            '-i', bundle, '--passphrase-file', passfile, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('パスワードが違います', result.stderr)

    def test_checksum(self):
        "A bundle whose data was altered is refused before anything"
        sys.path.insert(0, os.path.join(ROOT, 'addons'))
        from sakai_handover import archive
        dbs = self.dbs
        good = self.bundle('good.zip')
        dbs.tool('export', '-c', dbs.conf, '-d', self.source, '-o', good,
            '--approval', self.approval())
        bad = self.bundle('bad.zip')
        with archive.reader(good, PASSPHRASE) as src, \
                archive.writer(bad, PASSPHRASE) as dst:
            for item in src.infolist():
                content = src.read(item.filename)
                if item.filename == 'data/party.party.json':
                    content = content.replace(
                        '"name"'.encode(), '"name" '.encode(), 1)
                dst.writestr(item.filename, content)
        result = dbs.tool('import', '-c', dbs.conf, '-d', self.source,
            '-i', bad, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('チェックサム', result.stderr)
        with archive.reader(good) as bundle:
            names = bundle.namelist()
        for name in ['schema.json', 'checksums.sha256', 'README.txt',
                'data/line.user.json']:
            self.assertIn(name, names)

    def test_approval(self):
        """The export needs an auditor's approval, used once; only a demo
        database exports without one"""
        dbs = self.dbs
        bundle = self.bundle('approved.zip')
        result = dbs.tool('export', '-c', dbs.conf, '-d', self.source,
            '-o', bundle, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('監査担当の承認が必要', result.stderr)
        result = dbs.tool('export', '-c', dbs.conf, '-d', self.source,
            '-o', bundle, '--without-approval', check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('デモ用', result.stderr)
        self.assertFalse(os.path.exists(bundle))

        approval = self.approval()
        dbs.tool('export', '-c', dbs.conf, '-d', self.source, '-o', bundle,
            '--approval', approval)
        self.assertTrue(os.path.exists(bundle))
        again = self.bundle('again.zip')
        result = dbs.tool('export', '-c', dbs.conf, '-d', self.source,
            '-o', again, '--approval', approval, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn('使用済み', result.stderr)
        self.assertEqual(
            [n for n in os.listdir(dbs.tmp) if n.startswith('again')], [])
