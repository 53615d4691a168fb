# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The modules' packaging (addons/*/pyproject.toml): `make demo` once
printed hundreds of setuptools warnings from it (「Package would be
ignored」 for view/, locale/…, a deprecated licence table), burying the
logins a newcomer needs.

Each module declares every subfolder that holds files as a package with
its files as package data, and its licence as an SPDX expression; one
module is really built (in a copy, with pip, as `make install` does) and
the build must print no warning of ours and ship every file.
"""
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unittest
import zipfile

from tests.tools import OUR_MODULES as MODULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, 'addons')
# Not part of a module: build and editable-install leftovers
SKIP = {'__pycache__', 'build', 'dist'}
# What setuptools says when the packaging is wrong
WARNINGS = ['would be ignored', 'deprecated', 'SetuptoolsWarning',
    'BuildBackendWarning']


def module_files(module):
    "The files of module that must ship, relative to its folder"
    top = os.path.join(ADDONS, module)
    files = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames
            if d not in SKIP and not d.endswith('.egg-info')]
        for filename in filenames:
            if filename.endswith(('.pyc', '.toml')) or filename == 'README.md':
                continue
            files.append(os.path.relpath(
                    os.path.join(dirpath, filename), top))
    return sorted(files)


def read(module):
    with open(os.path.join(ADDONS, module, 'pyproject.toml'), 'rb') as fp:
        return tomllib.load(fp)


class PackagingTestCase(unittest.TestCase):
    "Packaging of the modules"

    def test_declared(self):
        "Every file is in a declared package, code or package data"
        for module in MODULES:
            with self.subTest(module=module):
                project = read(module)
                self.assertIsInstance(project['project']['license'], str,
                    "the licence is an SPDX expression, not a table")
                setup = project['tool']['setuptools']
                packages = set(setup['packages'])
                data = setup.get('package-data', {})
                for path in module_files(module):
                    folder, name = os.path.split(path)
                    package = '.'.join([module] + (
                            folder.split(os.sep) if folder else []))
                    self.assertIn(package, packages,
                        "%s is in no declared package" % path)
                    if name.endswith('.py'):
                        continue
                    self.assertTrue(any(fnmatch.fnmatch(name, pattern)
                            for pattern in data.get(package, [])),
                        "%s is not package data of %s" % (path, package))

    def test_build(self):
        "A module builds without a warning of ours and ships every file"
        module = 'sakai_counseling'
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, module)
            shutil.copytree(os.path.join(ADDONS, module), source,
                ignore=shutil.ignore_patterns(
                    '*.egg-info', '__pycache__', 'build', 'dist'))
            out = os.path.join(tmp, 'out')
            result = subprocess.run([sys.executable, '-m', 'pip', 'wheel',
                    '--verbose', '--no-deps', '--disable-pip-version-check',
                    '--wheel-dir', out, source],
                capture_output=True, text=True, timeout=600)
            output = result.stdout + result.stderr
            self.assertEqual(result.returncode, 0, output[-3000:])
            for warning in WARNINGS:
                self.assertNotIn(warning.lower(), output.lower(),
                    "setuptools warns: %s" % warning)
            wheel, = os.listdir(out)
            with zipfile.ZipFile(os.path.join(out, wheel)) as archive:
                shipped = set(archive.namelist())
            for path in module_files(module):
                self.assertIn('/'.join([module] + path.split(os.sep)),
                    shipped)
