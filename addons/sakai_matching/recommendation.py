# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Job recommendations: what the engine picked for whom, why, when it was
sent and what the person did with it.

One recommendation per client and job order (a unique constraint): a job
is never recommended twice.  The daily run (``Recommendation.run_daily``,
scheduled hourly, acting once a day at the configured hour and never at
night) matches every client who opted in on LINE against the open job
orders in memory (numpy; see engine.py), creates the recommendations in
one insert and queues one push per person on the outbound queue.  The
nightly fit (``Configuration.fit``) refits the weights from the feedback.
"""
import datetime as dt
import json

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSingleton, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from sakai_programme.programme import to_local, utcnow

from . import engine
from .exceptions import MatchingConfigurationError

FEEDBACK = [
    (None, ""),
    ('opened', "Opened"),
    ('interest', "Interested"),
    ('declined', "Declined"),
    ('introduced', "Introduced"),
    ('placed', "Placed"),
    ]
DECLINE_REASONS = [
    (None, ""),
    ('hours', "Hours Do Not Fit"),
    ('commute', "Too Far"),
    ('work', "Not the Work Wished"),
    ('conditions', "Wage or Conditions"),
    ('other', "Other"),
    ]
POSITIVE = {'interest', 'introduced', 'placed'}
# The feedback an introduction's stage gives the recommendation it came
# from, and which feedback says more (a later one never says less)
STAGE_FEEDBACK = {'applied': 'introduced', 'interview': 'introduced',
    'offer': 'introduced', 'placed': 'placed'}
FEEDBACK_ORDER = [None, 'opened', 'declined', 'interest', 'introduced',
    'placed']
# Night: nothing is pushed before 8:00 or from 21:00, whatever the setting
EARLIEST, LATEST = dt.time(8), dt.time(21)
PER_DAY = 3
# People matched, created and planned at a time
CHUNK = 100
PER_WEEK = 5


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'job.matching.configuration'
    __string__ = "Matching Configuration"

    send_time = fields.Time("Send Recommendations At", required=True,
        help="Local time of the daily LINE recommendations "
        "(between 8:00 and 21:00).")
    weekly_day = fields.Selection([
            ('0', "Monday"), ('1', "Tuesday"), ('2', "Wednesday"),
            ('3', "Thursday"), ('4', "Friday"), ('5', "Saturday"),
            ('6', "Sunday")], "Weekly Recommendations On", required=True,
        sort=False)
    per_day = fields.Integer("Jobs per Daily Message", required=True,
        domain=[('per_day', '>=', 1), ('per_day', '<=', 10)])
    enabled = fields.Boolean("Send Daily",
        help="Off until the coordinator has checked the monthly cost below.")
    last_run = fields.Date("Last Sent On", readonly=True)
    hand_weights = fields.Text("Hand-set Weights", required=True,
        help="JSON: the weight of each feature while there is too little "
        "feedback to learn from.")
    learned_weights = fields.Text("Learned Weights", readonly=True)
    learned_at = fields.DateTime("Learned At", readonly=True)
    learned_samples = fields.Integer("Feedback Learnt From", readonly=True)
    opted_in = fields.Function(fields.Integer("People Opted In"),
        'get_estimate')
    pushes_per_month = fields.Function(fields.Integer(
            "Estimated Pushes per Month",
            help="One push per person and send: daily people about 30 a "
            "month, weekly ones about 4. Pushes count against LINE's "
            "monthly quota; replies are free."), 'get_estimate')
    quota_left = fields.Function(fields.Integer("Monthly Quota Left"),
        'get_estimate')

    @classmethod
    def default_send_time(cls):
        return dt.time(8, 30)

    @classmethod
    def default_weekly_day(cls):
        return '0'

    @classmethod
    def default_per_day(cls):
        return PER_DAY

    @classmethod
    def default_enabled(cls):
        return False

    @classmethod
    def default_hand_weights(cls):
        return json.dumps(engine.HAND_WEIGHTS, indent=1)

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for configuration in configurations:
            if not EARLIEST <= configuration.send_time < LATEST:
                raise MatchingConfigurationError(gettext(
                        'sakai_matching.msg_send_time_night',
                        time=configuration.send_time.strftime('%H:%M')))
            try:
                weights = json.loads(configuration.hand_weights)
                assert isinstance(weights, dict)
                assert all(k in engine.FEATURES
                    and isinstance(v, (int, float))
                    for k, v in weights.items())
            except (ValueError, AssertionError):
                raise MatchingConfigurationError(gettext(
                        'sakai_matching.msg_hand_weights',
                        features=', '.join(engine.FEATURES)))

    @classmethod
    def get_estimate(cls, configurations, names):
        pool = Pool()
        Party = pool.get('party.party')
        LineConfiguration = pool.get('line.configuration')
        daily = Party.search_count([
                ('matching_frequency', '=', 'daily'),
                ('line_user.state', '=', 'following'),
                ])
        weekly = Party.search_count([
                ('matching_frequency', '=', 'weekly'),
                ('line_user.state', '=', 'following'),
                ])
        line = LineConfiguration(1)
        left = None
        if line.quota_limit is not None:
            left = line.quota_limit - (line.quota_used or 0)
        values = {'opted_in': daily + weekly,
            'pushes_per_month': daily * 30 + weekly * 4,
            'quota_left': left}
        return {n: {c.id: values[n] for c in configurations} for n in names}

    def weights(self):
        "The learned weights when there are any, else the hand-set ones"
        if self.learned_weights:
            return json.loads(self.learned_weights)
        return json.loads(self.hand_weights)

    @classmethod
    def fit(cls):
        "Scheduled nightly: refit the weights from the feedback"
        Recommendation = Pool().get('job.recommendation')
        configuration = cls(1)
        samples = Recommendation.training_samples()
        weights = engine.fit(samples,
            baseline=json.loads(configuration.hand_weights))
        cls.write([configuration], {
                'learned_weights': (json.dumps(weights)
                    if weights else None),
                'learned_at': utcnow() if weights else None,
                'learned_samples': len(samples) if weights else None,
                })
        return weights


class Recommendation(ModelSQL, ModelView):
    __name__ = 'job.recommendation'
    __string__ = "Job Recommendation"

    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='CASCADE', readonly=True)
    job_order = fields.Many2One('job.order', "Job Order", required=True,
        ondelete='CASCADE', readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    score = fields.Float("Score", digits=(16, 3), readonly=True)
    reasons = fields.Text("Reasons", readonly=True,
        help="The reasons' keys and values, as JSON.")
    reason_text = fields.Function(fields.Text("Reasons Shown"),
        'get_reason_text')
    features = fields.Text("Features", readonly=True,
        help="The feature values the engine saw, to learn from feedback.")
    sent_at = fields.DateTime("Sent At", readonly=True)
    feedback = fields.Selection(FEEDBACK, "Feedback", readonly=True,
        sort=False)
    feedback_at = fields.DateTime("Feedback At", readonly=True)
    decline_reason = fields.Selection(DECLINE_REASONS, "Reason Declined",
        readonly=True, sort=False)
    introduction = fields.Many2One('job.introduction', "Introduction",
        readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('client_job_unique', Unique(t, t.client, t.job_order),
                'sakai_matching.msg_recommendation_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('score', 'DESC'), ('id', 'DESC')]

    def get_rec_name(self, name):
        return '%s: %s' % (self.client.rec_name, self.job_order.rec_name)

    @classmethod
    def training_samples(cls):
        "[(feature row, 1 or 0)] of the recommendations with an outcome"
        samples = []
        today = Pool().get('ir.date').today()
        for recommendation in cls.search([
                    ['OR',
                        ('feedback', 'in', list(POSITIVE | {'declined'})),
                        # Shown a week ago and left alone: not wanted
                        ('date', '<', today - dt.timedelta(days=7)),
                        ],
                    ('features', '!=', None),
                    ]):
            features = json.loads(recommendation.features)
            samples.append((
                    [features.get(f, 0) for f in engine.FEATURES],
                    int(recommendation.feedback in POSITIVE)))
        return samples

    @classmethod
    def follow_introductions(cls, introductions):
        "The recommendations of introductions get their stage as feedback"
        for recommendation in cls.search([
                    ('introduction', 'in', [i.id for i in introductions]),
                    ]):
            feedback = STAGE_FEEDBACK.get(recommendation.introduction.state)
            if (feedback and FEEDBACK_ORDER.index(feedback)
                    > FEEDBACK_ORDER.index(recommendation.feedback or None)):
                # The service notes it, whoever moved the introduction
                with without_check_access():
                    cls.write([recommendation], {
                            'feedback': feedback,
                            'feedback_at': utcnow(),
                            })

    @classmethod
    def exclusions(cls, client_ids):
        "{client id: job order ids} already recommended or introduced"
        pool = Pool()
        Introduction = pool.get('job.introduction')
        excluded = {c: set() for c in client_ids}
        cursor = Transaction().connection.cursor()
        for Model in [cls, Introduction]:
            table = Model.__table__()
            for sub in map(list, grouped_slice(client_ids)):
                cursor.execute(*table.select(table.client, table.job_order,
                        where=table.client.in_(sub)))
                for client, job in cursor:
                    excluded[client].add(job)
        return excluded

    @classmethod
    def open_jobs(cls):
        "The open job orders and the engine's Jobs of them"
        JobOrder = Pool().get('job.order')
        today = Pool().get('ir.date').today()
        orders = []
        # Read in chunks: records browsed by the thousand cost the square
        open_ids = search_ids(JobOrder, [('state', '=', 'open')])
        for sub in map(list, grouped_slice(open_ids)):
            orders += JobOrder.browse(sub)
        return orders, engine.Jobs([o.matching_row(today) for o in orders])

    @classmethod
    def match(cls, clients, limit=PER_DAY, wishes=None, open_jobs=None):
        """{client: [(job order's card, score, reasons, features)]} of the
        best new jobs for each client, and {client: failing filters} of
        those for whom no open job passes the hard filters"""
        Configuration = Pool().get('job.matching.configuration')
        weights = Configuration(1).weights()
        orders, jobs = open_jobs or cls.open_jobs()
        excluded = cls.exclusions([c.id for c in clients])
        if wishes is None:
            wishes = Pool().get('party.party').matching_wishes_many(clients)
        all_wishes = wishes
        result, unmet = {}, {}
        for client in clients:
            wishes = all_wishes[client]
            picks = engine.rank(wishes, jobs, weights,
                exclude=excluded[client.id], limit=limit)
            result[client] = [(jobs.rows[i]['card'], s, engine.reasons(
                        wishes, jobs.rows[i], f), f) for i, s, f in picks]
            if not picks and len(jobs):
                mask = engine.allowed(wishes, jobs)
                if not mask.any():
                    unmet[client] = blocking(wishes, jobs)
        return result, unmet

    @classmethod
    def run_daily(cls):
        "Scheduled hourly: send the day's recommendations once, at the hour"
        pool = Pool()
        Configuration = pool.get('job.matching.configuration')
        configuration = Configuration(1)
        now = to_local(utcnow())
        today = now.date()
        if (not configuration.enabled
                or (configuration.last_run and configuration.last_run >= today)
                or not (max(configuration.send_time, EARLIEST) <= now.time()
                    < LATEST)):
            return []
        # Marked first: a run that fails half-way is not repeated the same
        # day (nothing is sent twice), the coordinator sees the error
        Configuration.write([configuration], {'last_run': today})
        return cls.send(today, weekly=str(today.weekday())
            == configuration.weekly_day)

    @classmethod
    def send(cls, today, weekly=False):
        pool = Pool()
        Party = pool.get('party.party')
        Event = pool.get('line.event')
        Gap = pool.get('job.matching.gap')
        Configuration = pool.get('job.matching.configuration')
        frequencies = ['daily'] + (['weekly'] if weekly else [])
        client_ids = search_ids(Party, [
                ('matching_frequency', 'in', frequencies),
                ('line_user.state', '=', 'following'),
                ])
        per_day = Configuration(1).per_day
        open_jobs = cls.open_jobs()
        recommendations, empty = [], []
        # By chunks of people: a day's run for ten thousand people
        for sub in map(list, grouped_slice(client_ids, CHUNK)):
            clients = Party.browse(sub)
            # Consent is checked again now: a person may have stopped
            # while the send was being planned
            consenting = Party.matching_consents(clients)
            clients = [c for c in clients if c.id in consenting]
            wishes = Party.matching_wishes_many(clients)
            empty += [c for c in clients if wishes[c].empty()]
            clients = [c for c in clients if not wishes[c].empty()]
            matches, unmet = cls.match(clients, limit=per_day, wishes=wishes,
                open_jobs=open_jobs)
            # Those matched today are off the list of unmet wishes
            Gap.record(unmet, clients)
            recommendations += cls._send(today, matches)
        Event.prompt_wishes(empty, today)
        return recommendations

    @classmethod
    def _send(cls, today, matches):
        "Create the recommendations of matches and queue their pushes"
        Event = Pool().get('line.event')
        now = utcnow()
        vlist = []
        for client, picks in matches.items():
            for card, score, reasons, features in picks:
                vlist.append({
                        'client': client.id, 'job_order': card.id,
                        'date': today, 'score': round(score, 3),
                        'sent_at': now,
                        'reasons': json.dumps(reasons, ensure_ascii=False),
                        'features': json.dumps(dict(zip(engine.FEATURES,
                                    (round(float(x), 3) for x in features)))),
                        })
        recommendations = cls.create(vlist)
        ids = {(v['client'], v['job_order']): r.id
            for v, r in zip(vlist, recommendations)}
        # The cards are built from what matching loaded, not by reading
        # the new records again
        Event.push_recommendations({
                client: [(ids[client.id, card.id], card, reasons)
                    for card, _, reasons, _ in picks]
                for client, picks in matches.items() if picks})
        return recommendations

    def get_reason_text(self, name):
        "The reasons as the person read them, one a line"
        return '\n'.join(
            gettext('sakai_matching.msg_reason_%s' % key, **values)
            for key, values in json.loads(self.reasons or '[]'))

    @classmethod
    def give_feedback(cls, recommendations, feedback, reason=None):
        values = {'feedback': feedback, 'feedback_at': utcnow()}
        if reason:
            values['decline_reason'] = reason
        cls.write(recommendations, values)

    @classmethod
    def learn_decline(cls, recommendation, reason):
        """Tighten the person's filters after 「見送る」 so that the next
        recommendations avoid what they declined"""
        Party = Pool().get('party.party')
        client = recommendation.client
        order = recommendation.job_order
        values = {}
        if reason == 'hours' and order.end_time:
            if (not client.matching_end_before
                    or order.end_time < client.matching_end_before):
                values['matching_end_before'] = order.end_time
        elif reason == 'commute':
            row = order.matching_row(Pool().get('ir.date').today())
            minutes = engine.travel_minutes(client.home_area, row['area'])
            if (not client.matching_commute_below
                    or minutes < client.matching_commute_below):
                values['matching_commute_below'] = minutes
        elif reason == 'conditions':
            wage = engine.monthly(order.wage_max or order.wage_min,
                order.wage_type)
            values['matching_wage_above'] = max(
                wage, client.matching_wage_above or 0)
        elif reason == 'work' and order.employer.industry:
            avoid = set(filter(None, (client.matching_avoid or '').split(',')))
            avoid.add(order.employer.industry)
            values['matching_avoid'] = ','.join(sorted(avoid))
        if values:
            with Transaction().set_context(matching_system=True):
                Party.write([client], values)


def blocking(wishes, jobs):
    """The wishes that alone leave out the most open jobs: the filters
    each of which removes every job that the others let through, else the
    one that removes most"""
    fails = engine.failures(wishes, jobs)
    active = {k: v for k, v in fails.items() if v.any()}
    found = []
    for name, fail in active.items():
        others = [v for k, v in active.items() if k != name]
        passing_others = ~(sum(others).astype(bool)) if others else (
            fail | ~fail)
        if passing_others.any() and fail[passing_others].all():
            found.append(name)
    if not found and active:
        found = [max(active, key=lambda k: active[k].sum())]
    return found


def search_ids(Model, domain):
    "The ids of the records of domain, without browsing them"
    cursor = Transaction().connection.cursor()
    cursor.execute(*Model.search(domain, order=[('id', 'ASC')], query=True))
    return [i for i, in cursor]


