# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""People whose wishes no open job meets, by the wish that fails: where
new job openings should be developed (Sakai 7(2)③(ウ))."""
from sql.aggregate import Count, Max, Min

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from sakai_programme.programme import utcnow

from . import engine

FILTERS = [
    ('employment', "Full-time Only"),
    ('wage', "Income"),
    ('start', "Start Time"),
    ('end', "Finishing Time"),
    ('days', "Weekdays Only"),
    ('short_hours', "Short Hours"),
    ('no_overtime', "No Overtime"),
    ('commute', "Commuting Time"),
    ('industry', "Kinds of Work Declined"),
    ]


class Gap(ModelSQL, ModelView):
    __name__ = 'job.matching.gap'
    __string__ = "Unmet Wish"

    client = fields.Many2One('party.party', "Client", required=True,
        readonly=True, ondelete='CASCADE')
    wish = fields.Selection(FILTERS, "Wish No Open Job Meets",
        readonly=True, sort=False)
    detail = fields.Char("Wished", readonly=True)
    found_at = fields.DateTime("Found At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('wish', 'ASC'), ('client', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({'refresh': {}})

    @classmethod
    def record(cls, unmet, clients=None):
        """Replace the gaps of clients (by default those of unmet) by those
        of unmet {client: [filters]}"""
        clients = [c.id for c in (clients if clients is not None else unmet)]
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for i in range(0, len(clients), 1000):
            cursor.execute(*table.delete(
                    where=table.client.in_(clients[i:i + 1000])))
        now = utcnow()
        cls.create([{'client': c.id, 'wish': w, 'detail': detail(c, w),
                    'found_at': now}
                for c, wishes in unmet.items() for w in wishes])

    @classmethod
    @ModelView.button
    def refresh(cls, gaps):
        cls.find_all()

    @classmethod
    def find_all(cls):
        "Scheduled: look at every client with wishes against the open jobs"
        pool = Pool()
        Party = pool.get('party.party')
        Recommendation = pool.get('job.recommendation')
        from .recommendation import blocking
        table = cls.__table__()
        Transaction().connection.cursor().execute(*table.delete())
        _, jobs = Recommendation.open_jobs()
        unmet = {}
        if not len(jobs):
            return
        for client in Party.search([('is_client', '=', True)]):
            wishes = client.matching_wishes(assessments={})
            if wishes.empty():
                continue
            if not engine.allowed(wishes, jobs).any():
                unmet[client] = blocking(wishes, jobs)
        cls.record(unmet)


def detail(client, wish):
    "What the client wished, in a few characters"
    if wish == 'end':
        times = [t for t in [client.wish_end_by, client.matching_end_before]
            if t]
        return '〜%s' % min(times).strftime('%H:%M') if times else ''
    if wish == 'start' and client.wish_start_from:
        return '%s〜' % client.wish_start_from.strftime('%H:%M')
    if wish == 'wage':
        wage = max(client.wish_wage or 0, client.matching_wage_above or 0)
        return '{:,}'.format(wage)
    if wish == 'commute' and client.wish_commute:
        return '%s' % client.wish_commute
    if wish == 'industry':
        return client.matching_avoid or ''
    return ''


class GapSummary(ModelSQL, ModelView):
    __name__ = 'job.matching.gap.summary'
    __string__ = "Unmet Wishes"

    wish = fields.Selection(FILTERS, "Wish No Open Job Meets", sort=False)
    clients = fields.Integer("People")
    found_at = fields.DateTime("Found At")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('clients', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        gap = Pool().get('job.matching.gap').__table__()
        return gap.select(
            Min(gap.id).as_('id'),
            gap.wish.as_('wish'),
            Count(gap.client, distinct=True).as_('clients'),
            Max(gap.found_at).as_('found_at'),
            group_by=[gap.wish])
