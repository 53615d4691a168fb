# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The follow-up milestones and check-in settings of the programme.

Sakai 7(2)④(イ) asks for support on the first day of work, after one week,
one month, three months and six months.  These are settings, not code: the
module ships the five milestones (初日, 1週間後, 1か月後, 3か月後, 6か月後)
and a city with another plan changes them in 就業支援 › 設定 › 定着支援の
節目.  A placement plans one follow-up per active milestone.
"""
import datetime as dt

from dateutil.relativedelta import relativedelta

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import PoolMeta


class Milestone(sequence_ordered(), DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'job.follow_up.milestone'
    __string__ = "Follow-up Milestone"

    name = fields.Char("Name", required=True, translate=True)
    offset_months = fields.Integer("Months after Start", required=True,
        domain=[('offset_months', '>=', 0)])
    offset_days = fields.Integer("Days after Start", required=True,
        domain=[('offset_days', '>=', 0)],
        help="Added to the months: 0 months 0 days is the first day of "
        "work, 0 months 7 days one week later.")
    check_in = fields.Boolean("Check-in on LINE",
        help="The person is asked on LINE how the work is going on the "
        "day.")
    decides_retention = fields.Boolean("Six-Month Milestone",
        help="The follow-up that finds out whether the person is still in "
        "work six months after the start (半年定着).")

    @classmethod
    def default_offset_months(cls):
        return 0

    @classmethod
    def default_offset_days(cls):
        return 0

    @classmethod
    def default_check_in(cls):
        return True

    def due_date(self, start_date):
        "The day of the milestone for work starting on start_date"
        return start_date + relativedelta(
            months=self.offset_months, days=self.offset_days)


class Programme(metaclass=PoolMeta):
    __name__ = 'support.programme'

    check_in_time = fields.Time("Check-in At", required=True,
        help="The time of day the follow-up check-in is sent on LINE on a "
        "milestone day (not earlier; none is sent after 21:00).")
    check_in_call_days = fields.Integer("Call after (days)", required=True,
        domain=[('check_in_call_days', '>=', 0)],
        help="Days without an answer to the check-in after which the "
        "follow-up is due for a call.")

    @classmethod
    def default_check_in_time(cls):
        # Lunch break: people at work look at their phone then
        return dt.time(12, 15)

    @classmethod
    def default_check_in_call_days(cls):
        return 3
