# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The demo's seminar sessions fall on days the programme is open: a
`make demo` run in December once put one on 2 January, inside the
year-end closure.  Session dates follow the day the demo is loaded, so
every day of a year is tried."""
import datetime as dt
import importlib
import os
import sys
import unittest

import jpholiday

from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)

from tests.tools import ALL_MODULES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JST = dt.timedelta(hours=9)


def load_demo_module():
    "The loader of the demo's seminars (demo/loaders/seminars.py)"
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    return importlib.import_module('demo.loaders.seminars')


class DemoSeminarsTestCase(unittest.TestCase):
    "Demo seminar dates"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module(ALL_MODULES)
        cls.demo = load_demo_module()

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_sessions_avoid_closures(self):
        "No demo session inside a closure or on a national holiday"
        Closure = Pool().get('counseling.closure')
        self.assertTrue(Closure.search([('yearly', '=', True)]),
            "the year-end closure is shipped")
        closed = self.demo.closed_for_seminars(Pool())
        first = dt.date(2026, 4, 1)
        for days in range(366):
            today = first + dt.timedelta(days=days)
            for seminar in self.demo.SEMINARS:
                offsets, start_time, minutes, weekday = seminar[-4:]
                for offset in offsets:
                    start, end, day = self.demo.session_times(today, offset,
                        weekday, start_time, minutes, closed)
                    where = '%s (loaded on %s)' % (day, today)
                    self.assertEqual(day.weekday(), weekday, where)
                    self.assertEqual((start + JST).date(), day, where)
                    self.assertFalse(Closure.covering(start, end), where)
                    self.assertFalse(jpholiday.is_holiday(day), where)

    @with_transaction()
    def test_year_end(self):
        "Loaded on 9 December 2026, the session of day +24 is not on 2 January"
        closed = self.demo.closed_for_seminars(Pool())
        _, _, day = self.demo.session_times(
            dt.date(2026, 12, 9), 24, 5, (10, 0), 120, closed)
        self.assertNotEqual(day, dt.date(2027, 1, 2))
        self.assertEqual(day, dt.date(2027, 1, 9))
