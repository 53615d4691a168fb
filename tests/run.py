#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Run the whole suite: each module's tests and scenarios, then tests/.

SQLite by default; set TRYTOND_DATABASE_URI=postgresql://... and DB_NAME to
run on PostgreSQL.  Prints a closing line "N passed, N failed, N skipped".

    tests/run.py [--except] [NAME...]

A NAME is a module of addons/ (sakai_jobs), "tests" (the suite's own tests)
or one file of them (tests.test_handover); with --except, everything but
the names.  The CI runs a part of the PostgreSQL suite beside the rest.
"""
import glob
import hashlib
import os
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, 'addons')
sys.path.insert(0, ROOT)
from tests.tools import OUR_MODULES as MODULES  # noqa: E402


def addons_digest():
    "Digest of the modules' files: a changed module gets a fresh DB cache"
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(ADDONS)):
        dirnames.sort()
        for filename in sorted(filenames):
            if filename.endswith(('.py', '.xml', '.cfg', '.po')):
                path = os.path.join(dirpath, filename)
                digest.update(path.encode())
                with open(path, 'rb') as fp:
                    digest.update(fp.read())
    return digest.hexdigest()[:12]


def configure():
    uri = os.environ.setdefault('TRYTOND_DATABASE_URI', 'sqlite://')
    backend = uri.split(':', 1)[0]
    if backend == 'sqlite':
        os.environ.setdefault('DB_NAME', ':memory:')
    cache = os.path.join(ROOT, 'var', 'cache', f'{backend}-{addons_digest()}')
    os.makedirs(cache, exist_ok=True)
    os.environ.setdefault('DB_CACHE', cache)
    os.environ.setdefault('TRYTOND_EMAIL__URI', 'dummy://')
    # Tests must not depend on the machine's timezone
    os.environ.setdefault('TZ', 'UTC')
    os.environ.setdefault('TRYTOND_TEST_TMP', tempfile.mkdtemp())


def suite(names, exclude=False):
    def wanted(*keys):
        if not names:
            return True
        named = any(k in names for k in keys)
        return not named if exclude else named

    loader = unittest.TestLoader()
    tests = unittest.TestSuite()
    for module in MODULES:
        if wanted(module):
            tests.addTests(loader.discover(
                    os.path.join(ADDONS, module, 'tests'),
                    top_level_dir=ADDONS))
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'test_*.py'))):
        name = 'tests.' + os.path.basename(path)[:-len('.py')]
        if wanted('tests', name):
            tests.addTests(loader.loadTestsFromName(name))
    return tests


class TimedResult(unittest.TextTestResult):
    "Keeps how long each test took, class set-up included in its first"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.durations = []
        self._last = time.monotonic()

    def stopTest(self, test):
        super().stopTest(test)
        now = time.monotonic()
        self.durations.append((now - self._last, test.id()))
        self._last = now


def main():
    configure()
    # The LINE stand-in and the demo loader live at the repository root
    sys.path.insert(0, ROOT)
    runner = unittest.TextTestRunner(verbosity=2, resultclass=TimedResult)
    names = sys.argv[1:]
    exclude = '--except' in names
    names = [n for n in names if n != '--except']
    result = runner.run(suite(names, exclude))
    # Where the CI budget goes
    print('slowest tests (seconds, with their class set-up):')
    for seconds, name in sorted(result.durations, reverse=True)[:15]:
        print(f'  {seconds:7.1f}  {name}')
    failed = len(result.failures) + len(result.errors) + len(
        result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = max(0, result.testsRun - failed - skipped)
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == '__main__':
    sys.exit(main())
