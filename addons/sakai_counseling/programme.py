# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The programme's booking rules: opening hours, the longest appointment,
face-to-face hours at the office, notice and how far ahead people book.

They are settings, not code: a city with other hours changes them in
就業支援 › 設定 › 事業設定.
"""
import datetime as dt

import jpholiday

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import PoolMeta

from .exceptions import BookingSettingsError


class Programme(metaclass=PoolMeta):
    __name__ = 'support.programme'

    booking_opens = fields.Time("Counseling From", required=True,
        help="When the counseling day starts, e.g. 06:00.")
    booking_closes = fields.Time("Counseling Until", required=True,
        help="When the counseling day ends; a time earlier than the start "
        "is on the next day (01:00 = 1 a.m. the next day).")
    booking_max_minutes = fields.Integer("Longest Appointment (minutes)",
        required=True)
    booking_notice_minutes = fields.Integer("Book at Least (minutes ahead)",
        required=True,
        help="How long before its start a slot can still be booked on LINE.")
    booking_days_ahead = fields.Integer("Book up to (days ahead)",
        required=True)
    face_to_face_opens = fields.Time("Face-to-Face From", required=True)
    face_to_face_closes = fields.Time("Face-to-Face Until", required=True)
    face_to_face_on_holidays = fields.Boolean(
        "Face-to-Face on Weekends and Holidays",
        help="Whether the office receives people on Saturdays, Sundays and "
        "national holidays.")
    reminder_time = fields.Time("Day-Before Reminder At", required=True,
        help="The time, the day before an appointment, its reminder is "
        "sent. Another reminder goes one hour before.")

    @classmethod
    def default_booking_opens(cls):
        return dt.time(6, 0)

    @classmethod
    def default_booking_closes(cls):
        return dt.time(1, 0)

    @classmethod
    def default_booking_max_minutes(cls):
        return 60

    @classmethod
    def default_booking_notice_minutes(cls):
        return 30

    @classmethod
    def default_booking_days_ahead(cls):
        return 14

    @classmethod
    def default_face_to_face_opens(cls):
        return dt.time(10, 0)

    @classmethod
    def default_face_to_face_closes(cls):
        return dt.time(17, 0)

    @classmethod
    def default_face_to_face_on_holidays(cls):
        return False

    @classmethod
    def default_reminder_time(cls):
        return dt.time(18, 0)

    @classmethod
    def validate_fields(cls, programmes, field_names):
        super().validate_fields(programmes, field_names)
        for programme in programmes:
            if not 0 < (programme.booking_max_minutes or 0) <= 24 * 60:
                raise BookingSettingsError(gettext(
                        'sakai_counseling.msg_booking_max_minutes'))
            if (programme.face_to_face_opens
                    and programme.face_to_face_closes
                    and programme.face_to_face_opens
                    >= programme.face_to_face_closes):
                raise BookingSettingsError(gettext(
                        'sakai_counseling.msg_face_to_face_hours'))

    # Local (Japan) naive datetimes from here on

    @property
    def _day_shift(self):
        "How far past midnight the counseling day runs"
        if self.booking_closes <= self.booking_opens:
            return dt.datetime.combine(dt.date.min, self.booking_closes) \
                - dt.datetime.min
        return dt.timedelta(0)

    def service_day(self, local):
        """The counseling day a local time belongs to: a slot starting after
        midnight but before closing belongs to the day before"""
        return (local - self._day_shift).date()

    def service_window(self, day):
        "The local start and end of the counseling day"
        start = dt.datetime.combine(day, self.booking_opens)
        end = dt.datetime.combine(day, self.booking_closes)
        if self.booking_closes <= self.booking_opens:
            end += dt.timedelta(days=1)
        return start, end

    def office_open_on(self, day):
        "Whether the office receives people face to face on day"
        if self.face_to_face_on_holidays:
            return True
        return day.weekday() < 5 and not jpholiday.is_holiday(day)

    def face_to_face_window(self, day):
        return (dt.datetime.combine(day, self.face_to_face_opens),
            dt.datetime.combine(day, self.face_to_face_closes))
