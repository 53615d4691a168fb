# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Closures: when no counseling is held (the year-end holidays) or the
office does not receive people (a temporary closure)."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import without_check_access

from sakai_programme.programme import to_local, utcnow

from .exceptions import ClosureError


def same_time_in(value, year):
    "value moved to year (29 February becomes 28)"
    try:
        return value.replace(year=year)
    except ValueError:
        return value.replace(year=year, day=28)


class Closure(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'counseling.closure'

    name = fields.Char("Name", required=True, translate=True)
    start = fields.DateTime("From", required=True)
    end = fields.DateTime("Until", required=True)
    yearly = fields.Boolean("Every Year",
        help="The same dates every year, e.g. the year-end holidays.")
    scope = fields.Selection([
            ('all', "All Counseling"),
            ('face_to_face', "Face-to-Face Only"),
            ], "Closes", required=True, sort=False,
        help="A temporary office closure stops face-to-face counseling "
        "only; chat, phone and video go on.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('start', 'ASC'))

    @classmethod
    def default_scope(cls):
        return 'all'

    @classmethod
    def validate_fields(cls, closures, field_names):
        super().validate_fields(closures, field_names)
        for closure in closures:
            if closure.end <= closure.start:
                raise ClosureError(gettext(
                        'sakai_counseling.msg_closure_dates',
                        closure=closure.rec_name))
            if closure.yearly and (
                    closure.end - closure.start) > dt.timedelta(days=300):
                raise ClosureError(gettext(
                        'sakai_counseling.msg_closure_yearly_too_long',
                        closure=closure.rec_name))
            if closure.active:
                closure.check_bookings()

    def check_bookings(self):
        """Refuse a closure over people's coming bookings: they are moved
        or cancelled first, and told so, not left in a closed office"""
        Booking = Pool().get('counseling.booking')
        # Told by their times only: whoever keeps closures may not read
        # bookings (the system administrator)
        with without_check_access():
            bookings = [b for b in Booking.search([
                        ('state', '=', 'booked'),
                        ('start', '>=', utcnow()),
                        ], order=[('start', 'ASC')])
                if self.overlaps(b.start, b.end) and self.closes(b.method)]
            times = [to_local(b.start).strftime('%Y-%m-%d %H:%M')
                for b in bookings[:5]]
        if bookings:
            raise ClosureError(gettext(
                    'sakai_counseling.msg_closure_bookings',
                    closure=self.rec_name, count=len(bookings),
                    times='、'.join(times)))

    def periods(self, around):
        "The (start, end) occurrences of the closure near the datetime around"
        if not self.yearly:
            return [(self.start, self.end)]
        length = self.end - self.start
        periods = []
        for year in (around.year - 1, around.year, around.year + 1):
            start = same_time_in(self.start, year)
            periods.append((start, start + length))
        return periods

    def overlaps(self, start, end):
        return any(s < end and start < e for s, e in self.periods(start))

    def closes(self, method):
        "Whether the closure stops counseling by method"
        return self.scope == 'all' or method == 'face_to_face'

    @classmethod
    def covering(cls, start, end):
        "The closures during [start, end) (naive UTC)"
        closures = cls.search(['OR',
                ('yearly', '=', True),
                [('start', '<', end), ('end', '>', start)],
                ])
        return [c for c in closures if c.overlaps(start, end)]
