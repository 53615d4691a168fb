# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""When to try again what failed, and when to give up: one policy for the
channel's background work.

Two things are tried again: webhook events whose processing failed, and
calls to LINE (messages, rich-menu links) that LINE refused for no fault
of the call (5xx, 429, a time-out).  Both wait longer after each failed
round (an attempt and its quick retries): the first delay, then twice as
long each time, up to a longest delay; both stop after a number of rounds
or a time since the first attempt.  A call LINE refuses for a fault of
its own (any other 4xx) is never tried again.
"""
import datetime as dt
from email.utils import parsedate_to_datetime

from linebot.v3.messaging.exceptions import ApiException


class Backoff:
    """Quick retries within the attempt (pauses in seconds), then later
    rounds first_delay, 2 × first_delay, 4 × … after the failed one, at
    most max_delay; none after max_rounds rounds or give_up_after since
    the first attempt.  Waits the other side asks for (Retry-After) are
    kept: a quick retry when they are short, else at least as late."""

    def __init__(self, first_delay, max_delay=None, max_rounds=None,
            give_up_after=None, quick=(), longest_quick_pause=5):
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.max_rounds = max_rounds
        self.give_up_after = give_up_after
        self.quick = tuple(quick)
        self.longest_quick_pause = longest_quick_pause

    def pauses(self):
        """The planned pauses before each quick retry of a round, then None
        for its last try"""
        return self.quick + (None,)

    def quick_pause(self, planned, wait=None):
        """Seconds to pause before a quick retry planned after *planned*
        seconds (None: the round is over) when the other side asked to
        wait *wait* seconds; None: no quick retry, the round is over"""
        if planned is None:
            return None
        pause = wait or planned
        return pause if pause <= self.longest_quick_pause else None

    def rounds(self, attempts):
        "The rounds that *attempts* attempts make (a short one counts)"
        return -(-(attempts or 0) // (len(self.quick) + 1))

    def gives_up(self, attempts, now, first_attempt_at=None):
        "Is it time to give up after *attempts* failed attempts?"
        if (self.max_rounds is not None
                and self.rounds(attempts) >= self.max_rounds):
            return True
        return bool(self.give_up_after is not None and first_attempt_at
            and now - first_attempt_at >= self.give_up_after)

    def delay(self, attempts, wait=None):
        "How long to wait after *attempts* failed attempts"
        rounds = max(self.rounds(attempts), 1)
        delay = self.first_delay * 2 ** min(rounds - 1, 20)
        if self.max_delay is not None:
            delay = min(delay, self.max_delay)
        if wait:
            delay = max(delay, dt.timedelta(seconds=wait))
        return delay

    def next_attempt(self, attempts, now, first_attempt_at=None, wait=None):
        """When to try again after *attempts* failed attempts, or None to
        give up"""
        if self.gives_up(attempts, now, first_attempt_at):
            return None
        return now + self.delay(attempts, wait)


# Failed events: again after 1, 2, 4 … 64 minutes, 8 attempts in all
EVENTS = Backoff(first_delay=dt.timedelta(minutes=1), max_rounds=8)
# Calls to LINE: 3 quick retries within the call, then again after 2, 4,
# 8 … minutes, at most 4 h 16 min apart, for 12 hours
LINE_CALLS = Backoff(
    first_delay=dt.timedelta(minutes=2),
    max_delay=dt.timedelta(minutes=2 ** 8),
    give_up_after=dt.timedelta(hours=12),
    quick=(0.5, 1, 2))


def lower_keys(headers):
    "HTTP headers with lower-case names (the SDK keeps LINE's case)"
    return {k.lower(): v for k, v in (headers or {}).items()}


def retry_after(exception):
    "Seconds LINE asks to wait, from a Retry-After header if any"
    if not isinstance(exception, ApiException):
        return None
    value = lower_keys(exception.headers).get('retry-after')
    if not value:
        return None
    try:
        return max(0, float(value))
    except ValueError:
        try:
            return max(0, (parsedate_to_datetime(value)
                    - dt.datetime.now(dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def is_retryable(exception):
    """May a call that raised *exception* be tried again: LINE's 5xx and
    429, time-outs and connection errors; not LINE's other 4xx"""
    if isinstance(exception, ApiException):
        return exception.status == 429 or exception.status >= 500
    # Time-outs and connection errors from urllib3
    return True
