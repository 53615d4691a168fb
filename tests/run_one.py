#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Run some tests by name, configured as tests/run.py configures the suite.

    tests/run_one.py sakai_inbox.tests.test_inbox
    tests/run_one.py sakai_inbox.tests.test_inbox.InboxTestCase.test_reply
    tests/run_one.py tests.test_browser

Module tests are named from addons/ (sakai_line.tests...), the suite's own
tests from the repository root (tests.test_...).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def main():
    run.configure()
    sys.path.insert(0, run.ROOT)
    sys.path.insert(0, run.ADDONS)
    tests = unittest.TestLoader().loadTestsFromNames(sys.argv[1:])
    result = unittest.TextTestRunner(verbosity=2).run(tests)
    return 0 if result.wasSuccessful() and result.testsRun else 1


if __name__ == '__main__':
    sys.exit(main())
