# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""End to end: a counselor logs in to the web client and sees clients.

Builds a demo database as `make demo` does, starts the server on a free
port and drives sao in headless Chromium (playwright-core from npm).
SCREENSHOT_DIR=docs/screenshots keeps the picture for the README.
"""
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from tests.tools import OUR_MODULES as MODULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
PASSWORD = 'demo-password-2026'
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
PLAYWRIGHT = os.path.join(ROOT, 'node_modules', 'playwright-core')
SAO = os.path.join(ROOT, 'node_modules', 'tryton-sao')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def demo_cache():
    """Where the demo database built from these modules, this loader and
    today's date is kept: each test copies it instead of building it again
    (about two minutes each)"""
    sys.path.insert(0, os.path.join(ROOT, 'tests'))
    import run
    digest = hashlib.sha256(run.addons_digest().encode())
    # The loader, its loaders and their tables (demo/loaders/*.csv)
    for folder, folders, names in os.walk(os.path.join(ROOT, 'demo')):
        folders.sort()
        for name in sorted(names):
            if name.endswith(('.py', '.csv')):
                with open(os.path.join(folder, name), 'rb') as fp:
                    digest.update(fp.read())
    digest.update(dt.date.today().isoformat().encode())
    return os.path.join(
        ROOT, 'var', 'cache', f'demo-{digest.hexdigest()[:12]}')


def build_demo(tmp, port, conf_extra='', env_extra=None):
    """Build the demo database in tmp as `make demo` does (or copy the one
    built already); return the configuration file and the environment to
    run trytond with"""
    passfile = os.path.join(tmp, 'password')
    with open(passfile, 'w') as fp:
        fp.write(PASSWORD)
    env = dict(os.environ, TRYTONPASSFILE=passfile, **(env_extra or {}))
    env.pop('TRYTOND_DATABASE_URI', None)
    env.pop('DB_NAME', None)
    cache = demo_cache()
    if not os.path.isdir(cache):
        built = tempfile.mkdtemp(dir=os.path.dirname(cache))
        load_demo(built, env)
        try:
            os.rename(built, cache)
        except OSError:
            # Built meanwhile by another run
            shutil.rmtree(built, ignore_errors=True)
    shutil.copytree(cache, tmp, dirs_exist_ok=True)
    conf = os.path.join(tmp, 'trytond.conf')
    with open(conf, 'w') as fp:
        fp.write(f'[database]\nuri = sqlite://\npath = {tmp}\n'
            f'[web]\nlisten = 127.0.0.1:{port}\nroot = {SAO}\n'
            + conf_extra)
    return conf, env


def load_demo(path, env):
    "Create the demo database in path and load the demo data"
    conf = os.path.join(path, 'build.conf')
    with open(conf, 'w') as fp:
        fp.write(f'[database]\nuri = sqlite://\npath = {path}\n')
    open(os.path.join(path, 'demo.sqlite'), 'w').close()
    admin = [os.path.join(BIN, 'trytond-admin'), '-c', conf, '-d', 'demo']
    run = dict(env=env, check=True, capture_output=True)
    subprocess.run(admin + ['--all', '-l', 'ja',
            '--email', 'admin@example.com'], **run)
    subprocess.run(admin + ['-u'] + MODULES
        + ['--activate-dependencies', '-l', 'ja'], **run)
    subprocess.run([sys.executable,
            os.path.join(ROOT, 'demo', 'load_demo.py'),
            '-c', conf, '-d', 'demo'], **run)
    os.remove(conf)


def demo_folder(cls):
    """A temporary folder and a free port for the demo server of the test
    class (cls.tmp, cls.port); the folder is removed once the class is done"""
    cls.tmp = tempfile.mkdtemp()
    cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
    cls.port = free_port()


def serve_demo(cls):
    """Start trytond on the demo database of the test class (cls.conf,
    cls.env) as cls.server at cls.url, stopped once the class is done"""
    cls.server, cls.url = start_server(cls.conf, cls.port, cls.env)
    cls.addClassCleanup(cls.server.wait, 10)
    cls.addClassCleanup(cls.server.terminate)


def start_server(conf, port, env):
    "Start trytond on the demo database; return the process and its URL"
    server = subprocess.Popen(
        [os.path.join(BIN, 'trytond'), '-c', conf, '-d', 'demo'],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f'http://127.0.0.1:{port}'
    for _ in range(120):
        try:
            urllib.request.urlopen(url + '/', timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    return server, url


@unittest.skipIf(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    "the browser test runs the SQLite demo; it runs with `make test`")
@unittest.skipUnless(
    os.environ.get('CI') or (
        os.path.exists(CHROMIUM) and os.path.isdir(PLAYWRIGHT)),
    "needs chromium and `npm ci` (make test installs them)")
class BrowserTestCase(unittest.TestCase):
    "The back office in a browser"

    @classmethod
    def setUpClass(cls):
        demo_folder(cls)
        cls.conf, cls.env = build_demo(cls.tmp, cls.port)
        serve_demo(cls)

    def test_counselor_sees_japanese_client_list(self):
        "A counselor logs in and sees the client list in Japanese"
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp),
            'counselor-clients.png')
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser',
                    'counselor_clients.mjs'),
                self.url, 'demo', 'counselor1', PASSWORD, screenshot],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(result.returncode, 0, result.stderr)
        page = json.loads(result.stdout.strip().splitlines()[-1])
        # Our menus and Tryton's own, in Japanese
        self.assertIn("就業支援", page['menu'])
        self.assertIn("相談者", page['menu'])
        self.assertNotIn("Administration", page['menu'])
        self.assertIn("相談者", page['tab'])
        # The demo clients, with their households in Japanese
        self.assertGreaterEqual(len(page['rows']), 10)
        self.assertTrue(any("シングルマザー" in r for r in page['rows']))
        self.assertTrue(os.path.exists(screenshot))

    def test_coordinator_sees_overdue_follow_ups(self):
        "A coordinator sees the overdue follow-ups in Japanese (定着支援)"
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp),
            'follow-ups-overdue.png')
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser',
                    'follow_ups_overdue.mjs'),
                self.url, 'demo', 'coordinator1', PASSWORD, screenshot],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(result.returncode, 0, result.stderr)
        page = json.loads(result.stdout.strip().splitlines()[-1])
        for tab in ["今日", "期限超過", "電話が必要", "自分の担当", "今後"]:
            self.assertTrue(any(tab in t for t in page['tabs']), page['tabs'])
        for header in ["予定日", "節目", "利用者", "担当者", "状態"]:
            self.assertTrue(any(header in h for h in page['headers']),
                page['headers'])
        # The demo's week-one follow-up nobody answered: due for a call
        self.assertTrue(any("1週間後" in r and "電話が必要" in r
                for r in page['rows']), page['rows'])
        self.assertTrue(os.path.exists(screenshot))

    def test_auditor_finds_who_opened_a_file(self):
        "監査担当 finds who opened a client's file and what was downloaded"
        from tests.test_line_e2e import JsonRpc
        client = "鈴木 理恵"
        # The coordinator exports three clients with their phone numbers
        # through the API
        rpc = JsonRpc(f'{self.url}/demo/rpc/', 'coordinator1', PASSWORD)
        ids = rpc('model.party.party.search',
            [('is_client', '=', True)], 0, 3, None)
        rpc('model.party.party.export_data', ids,
            ['name', 'contact_mechanisms/value'], True)
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp), 'audit-log.png')
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', 'auditor.mjs'),
                self.url, 'demo', PASSWORD, client,
                "コーディネーター 藤田 健", screenshot],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        page = json.loads(result.stdout.strip().splitlines()[-1])
        # Who opened the file: the counselor, from the back office (the
        # kind is the tab's: 閲覧), the file itself, by name; besides the
        # auditor's own reads of the client's name in the log's 利用者 column
        self.assertTrue(any("相談員 青木 美咲" in r and client in r
                and " 画面 " in r for r in page['opened']), page['opened'])
        self.assertTrue(all("相談員 青木 美咲" in r or "監査担当" in r
                for r in page['opened']), page['opened'])
        # What the coordinator downloaded: three client files, by the API
        download, = page['downloads']
        self.assertIn("関係者", download)
        self.assertIn("API", download)
        self.assertIn(" 3 ", f" {download} ")
        self.assertTrue(os.path.exists(screenshot))

    def test_coordinator_imports_previous_list(self):
        "A coordinator imports the previous operator's list, bad rows shown"
        from tests.test_line_e2e import JsonRpc
        with open(os.path.join(ROOT, 'demo', 'handover',
                    'registrants-sample.csv'), encoding='utf-8-sig') as fp:
            lines = fp.read().splitlines()
        # a row with a phone number missing a digit, saved by Excel
        lines.append(lines[1].replace('見本 花子', '見本 次郎')
            .replace('090-1234-0001', '090-1234-001'))
        path = os.path.join(self.tmp, '名簿.csv')
        with open(path, 'w', encoding='cp932', newline='') as fp:
            fp.write('\r\n'.join(lines) + '\r\n')
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp), 'client-import.png')
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', 'client_import.mjs'),
                self.url, 'demo', 'coordinator1', PASSWORD, path,
                screenshot],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        page = json.loads(result.stdout.strip().splitlines()[-1])
        # the bad row by its number as the spreadsheet shows it (header = 1)
        self.assertIn("5行目「電話番号」: 「090-1234-001」は電話番号として"
            "正しくありません。", page['check'])
        self.assertIn("取り込める行 3", page['check'])
        # the good rows are in, the bad one offered back as a file
        self.assertIn("誤りのある行のファイル", page['done'])
        self.assertIn("3", page['done'])
        rpc = JsonRpc(f'{self.url}/demo/rpc/', 'counselor1', PASSWORD)
        self.assertEqual(len(rpc('model.party.party.search',
                    [('name', 'in', ["見本 花子", "見本 太郎"])],
                    0, None, None)), 2)
        self.assertFalse(rpc('model.party.party.search',
                [('name', '=', "見本 次郎")], 0, None, None))
        self.assertTrue(os.path.exists(screenshot))

    def test_sysadmin_exports_handover_bundle(self):
        "The system administrator downloads the handover bundle"
        screenshot = os.path.join(
            os.environ.get('SCREENSHOT_DIR', self.tmp), 'handover-export.png')
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', 'handover_export.mjs'),
                self.url, 'demo', 'sysadmin1', PASSWORD, screenshot],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        page = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertIn("個人情報", page['start'])
        self.assertIn("種別ごとの件数", page['result'])
        self.assertRegex(page['result'], r'handover-demo-\d{8}\.zip')
        self.assertRegex(page['result'], r'\(party\.party\): \d+')

    # Tryton's model log reads the name of every logged record, bookings
    # included, which the system administrator may not read: an access
    # error, not a label (open: see the report)
    KNOWN_FINDINGS = {
        ('sysadmin1', "システム管理 / モデル / モデル / ログ", 'error dialog'),
        }

    def test_staff_screens_read_japanese(self):
        "Every menu entry of every staff group reads in Japanese"
        staff = ['counselor1', 'coordinator1', 'manager1', 'sysadmin1',
            'auditor1']
        result = subprocess.run(['node',
                os.path.join(ROOT, 'tests', 'browser', 'menu_walk.mjs'),
                self.url, 'demo', PASSWORD] + staff,
            capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        walk = json.loads(result.stdout.strip().splitlines()[-1])
        for login in staff:
            with self.subTest(login=login):
                report = walk[login]
                self.assertGreater(report['menus'], 5)
                self.assertGreater(report['records'], 0)
                # The title bar names the service; no "[JPY]" after names
                self.assertIn("就業支援", report['header']['title'])
                self.assertNotIn("Tryton", report['header']['title'])
                self.assertTrue(report['csv_bom'])
                # Headings, labels, tabs, buttons, graph axes and values
                # in Japanese: one line per thing a person would notice
                findings = sorted({
                        f"{f['menu']} [{f['view']}/{f['what']}] "
                        f"{f['text'][:60]!r}: {f['rule']}"
                        for f in report['findings']
                        if (login, f['menu'], f['rule'])
                        not in self.KNOWN_FINDINGS})
                self.assertEqual(findings, [], '\n'.join(findings))
