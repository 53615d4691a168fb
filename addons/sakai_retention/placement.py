# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Placements with their follow-ups, their end and six-month retention.

Six-month retention (半年定着, Sakai 7(2)④(エ) and the monthly report of
Sakai 8(2)) is decided here, in ``Placement.retention``:

    Rule — the Ministry of Health, Labour and Welfare's definition of a
    retained person (就労定着): six continuous months in work from the first
    hire; a change of job counts as continuous when the new job starts
    within one month of leaving the previous one.
    Source: 厚生労働省's definition of 定着 (6か月定着) as the employment
    support programmes it funds report it; recorded in the project's notes
    (shared/NOTES.md, "Employment-support facts") and asked for by issue 15.

Applied to the records:

- the six months run from the start date of the first hire to the same day
  six months later (``six_months_on``, as sakai_jobs counts it);
- the work is continuous up to the end date of the last placement of a
  chain, where a next placement of the same client starting at most one
  month (calendar) after an end date continues the chain
  (``continuous_until``);
- **left**: the chain ends before the six months, and no next job started
  within a month (or the month is over);
- **retained**: the chain reaches the six-month day, *and* a record shows
  the person in work on or after that day: a follow-up done or a check-in
  answered (other than "left") on or after it, or an end date on or after
  it;
- **unknown**: the six months are over, nothing says the person left, but
  no record shows them in work on or after the day.  Unknown is work to do
  (the six-month follow-up) and is never counted as retained;
- **not yet**: the six months (or the month to find the next job) are not
  over.

A placement that continues a chain (a job change within a month) is not a
first hire: it is counted under the first placement of its chain.
"""
from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from . import clock
from .exceptions import FollowUpError
from .follow_up import METHODS

RETENTION = [
    ('not_yet', "Not Yet"),
    ('retained', "Retained"),
    ('left', "Left"),
    ('unknown', "Unknown: Follow Up"),
    ]
CONTINUOUS_WITHIN = relativedelta(months=1)


class Placement(metaclass=PoolMeta):
    __name__ = 'job.placement'

    follow_up_method = fields.Selection(METHODS, "Follow-up Method",
        required=True, sort=False,
        help="How the person prefers to be contacted after placement.")
    follow_ups = fields.One2Many('job.follow_up', 'placement', "Follow-ups",
        readonly=True)
    job_changes = fields.One2Many('job.change', 'previous_placement',
        "Job Changes", readonly=True)
    retention = fields.Function(fields.Selection(RETENTION,
            "Six-Month Retention",
            help="Retained, left or unknown six months after the start "
            "(MHLW definition: six continuous months in work from the "
            "first hire, a job change within a month counting as "
            "continuous)."), 'get_retention')

    @classmethod
    def default_follow_up_method(cls):
        return 'line'

    @classmethod
    def create(cls, vlist):
        FollowUp = Pool().get('job.follow_up')
        placements = super().create(vlist)
        FollowUp.plan(placements)
        return placements

    @classmethod
    def write(cls, *args):
        FollowUp = Pool().get('job.follow_up')
        moved, ended = [], []
        actions = iter(args)
        for placements, values in zip(actions, actions):
            if 'start_date' in values:
                moved.extend(placements)
            if values.get('end_date'):
                ended.extend(placements)
        super().write(*args)
        if moved:
            FollowUp.move_with_start(cls.browse(moved))
        if ended:
            FollowUp.cancel_open(cls.browse(ended))

    @classmethod
    def copy(cls, placements, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('follow_ups', None)
        default.setdefault('job_changes', None)
        return super().copy(placements, default=default)

    @classmethod
    def end_placement(cls, placement, date, reason):
        """The person left on date: the placement ends with its reason
        (once: a placement already ended is refused)"""
        if placement.end_date:
            raise FollowUpError(gettext(
                    'sakai_retention.msg_placement_ended_already',
                    placement=placement.rec_name,
                    date=placement.end_date.strftime('%Y/%m/%d')))
        # The person's word ends it, whoever records it
        with Transaction().set_context(_check_access=False):
            cls.write([placement], {
                    'end_date': date,
                    'end_reason': reason or 'resigned',
                    })

    # -- six-month retention (the rule is in the module docstring) ----------

    def next_in_chain(self):
        "The client's job that continues this one (starts within a month)"
        if not self.end_date:
            return None
        placements = self.search([
                ('client', '=', self.client.id),
                ('id', '!=', self.id),
                ('start_date', '>=', self.end_date),
                ('start_date', '<=', self.end_date + CONTINUOUS_WITHIN),
                ], order=[('start_date', 'ASC'), ('id', 'ASC')], limit=1)
        return placements[0] if placements else None

    def previous_in_chain(self):
        "The client's job this one continues, or None for a first hire"
        placements = self.search([
                ('client', '=', self.client.id),
                ('id', '!=', self.id),
                ('end_date', '!=', None),
                ('end_date', '<=', self.start_date),
                ('end_date', '>=', self.start_date - CONTINUOUS_WITHIN),
                ], limit=1)
        return placements[0] if placements else None

    def chain(self):
        "This placement and the jobs that continue it, in order"
        chain = [self]
        while len(chain) < 20:
            following = chain[-1].next_in_chain()
            if not following or following in chain:
                break
            chain.append(following)
        return chain

    def continuous_until(self, chain=None):
        "The last day of continuous work from the start (None: in work)"
        return (chain or self.chain())[-1].end_date

    def in_work_on(self, date, chain=None):
        "Whether the records show continuous work from the start to date"
        until = self.continuous_until(chain)
        return until is None or until >= date

    def get_retention(self, name=None, on=None):
        "Retained, left, unknown or not yet (see the module docstring)"
        on = on or clock.today()
        six = self.six_months_on
        chain = self.chain()
        until = self.continuous_until(chain)
        if until is not None and until < six:
            if on <= until + CONTINUOUS_WITHIN:
                return 'not_yet'
            return 'left'
        if on < six:
            return 'not_yet'
        if until is not None:
            return 'retained'
        for placement in chain:
            for follow_up in placement.follow_ups:
                evidence = follow_up.evidence_on()
                if evidence and evidence >= six:
                    return 'retained'
        return 'unknown'
