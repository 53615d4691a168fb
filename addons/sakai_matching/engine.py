# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The matching engine, free of Tryton so that the benchmarks run it as
the server does.

A person's wishes (``Wishes``) are matched against all open job orders at
once (``Jobs``, one numpy array per attribute).  Hard filters remove what
the person cannot take; each remaining job gets a vector of features in
[0, 1], each of which has a plain reason (``reasons``); the score is the
features weighted by hand, corrected by a logistic regression fitted on
what people did with earlier recommendations once there is enough of it
and the correction ranks held-out answers better (``fit``).
Full-time and path-to-full-time jobs come first where the wishes allow.
"""
import math
from dataclasses import dataclass, field

import numpy as np

EMPLOYMENT_TYPES = ['full_time', 'full_time_track', 'contract', 'part_time',
    'dispatch']
FULL_TIME = {'full_time', 'full_time_track'}
AREAS = ['sakai', 'kita', 'naka', 'higashi', 'nishi', 'minami', 'mihara',
    'osaka', 'other']
# Rough centres of Sakai's wards and of Osaka city (km, east and north of
# Sakai ward's office): travel is estimated, not routed
_CENTRES = {
    'sakai': (0, 0), 'kita': (3, 1.5), 'naka': (4, -3), 'higashi': (7, -1),
    'nishi': (-1, -4), 'minami': (4, -8), 'mihara': (10, 0),
    'osaka': (2, 9),
    }
UNKNOWN_MINUTES = 90
INDUSTRIES = ['care', 'retail', 'food', 'manufacturing', 'office',
    'logistics', 'education', 'construction', 'public', 'other']
# Holland types to the industries whose work they usually like
INTEREST_INDUSTRIES = {
    'R': {'manufacturing', 'logistics', 'construction'},
    'I': {'office', 'care'},
    'A': {'food', 'education'},
    'S': {'care', 'education', 'public'},
    'E': {'retail', 'food'},
    'C': {'office', 'public', 'logistics'},
    }
WAGE_MONTHS = {'monthly': 1, 'hourly': 130, 'annual': 1 / 12}

FEATURES = ['full_time', 'wage', 'hours', 'short_hours', 'no_overtime',
    'remote', 'commute', 'single_parent', 'experience', 'interest',
    'values', 'fresh']
HAND_WEIGHTS = {
    'full_time': 1.0, 'wage': 1.0, 'hours': 0.8, 'short_hours': 0.8,
    'no_overtime': 0.6, 'remote': 0.6, 'commute': 1.0,
    'single_parent': 0.8, 'experience': 0.7, 'interest': 0.7,
    'values': 0.5, 'fresh': 0.3,
    }
# Hard filters, in the order the coordinator's list names them
FILTERS = ['employment', 'wage', 'start', 'end', 'days', 'short_hours',
    'no_overtime', 'commute', 'industry']
# Full-time first: added to the score of full-time jobs when allowed
FULL_TIME_TIER = 100.0
# The feedback corrects the hand weights only with this much of it
MIN_SAMPLES = 100
MIN_CLASS = 10


def travel_minutes(origin, destination):
    "Estimated minutes from one area to another (public transport)"
    if origin not in _CENTRES or destination not in _CENTRES:
        return UNKNOWN_MINUTES
    (x1, y1), (x2, y2) = _CENTRES[origin], _CENTRES[destination]
    distance = math.hypot(x1 - x2, y1 - y2)
    return int(round((10 + 3.5 * distance) / 5) * 5)


TRAVEL = np.array([[travel_minutes(a, b) for b in AREAS] for a in AREAS]
    + [[UNKNOWN_MINUTES] * len(AREAS)])


def monthly(amount, wage_type):
    "A wage as a monthly equivalent (hourly: 130 hours a month)"
    if not amount:
        return 0
    return int(amount * WAGE_MONTHS.get(wage_type, 1))


@dataclass
class Wishes:
    "What a person wishes and can take; times in minutes after midnight"
    employment: str = None     # full_time, full_time_preferred, any, part_time
    wage: int = 0              # monthly equivalent, yen
    start_from: int = None
    end_by: int = None
    weekdays_only: bool = False
    short_hours: bool = False
    no_overtime: bool = False
    remote: bool = False
    area: str = None
    commute: int = None        # minutes
    experience: str = None     # an industry
    young_children: bool = False
    interests: tuple = ()      # Holland codes, strongest first
    values: tuple = ()         # work values, strongest first
    # Tightened by 「見送る」 answers
    end_before: int = None
    commute_below: int = None
    wage_above: int = 0
    avoid_industries: frozenset = field(default_factory=frozenset)

    def empty(self):
        "Whether nothing was said at all"
        return not any([self.employment, self.wage,
                self.start_from is not None, self.end_by is not None,
                self.weekdays_only,
                self.short_hours, self.no_overtime, self.remote,
                self.area, self.commute])

    @property
    def full_time_allowed(self):
        return self.employment != 'part_time'


class Jobs:
    """Open job orders as arrays; rows are dicts with the keys below
    (times in minutes after midnight, None when unknown)"""

    KEYS = ['id', 'employment_type', 'wage', 'start', 'end', 'weekend',
        'short_hours', 'no_overtime', 'remote', 'area', 'industry',
        'single_parent', 'age']

    def __init__(self, rows):
        self.rows = rows
        n = len(rows)
        get = lambda k, d=None: [r.get(k, d) for r in rows]  # noqa: E731
        self.ids = np.array(get('id'), dtype=np.int64).reshape(n)
        types = get('employment_type')
        self.full_time = np.array([t in FULL_TIME for t in types], dtype=bool)
        self.track = np.array([t == 'full_time_track' for t in types],
            dtype=bool)
        self.wage = np.array([w or 0 for w in get('wage', 0)], dtype=float)
        self.start = np.array([-1 if v is None else v
                for v in get('start')], dtype=float)
        self.end = np.array([-1 if v is None else v for v in get('end')],
            dtype=float)
        for name in ['weekend', 'short_hours', 'no_overtime', 'remote',
                'single_parent']:
            setattr(self, name, np.array([bool(v) for v in get(name, False)],
                    dtype=bool))
        index = {a: i for i, a in enumerate(AREAS)}
        self.area = np.array([index.get(a, len(AREAS)) for a in get('area')],
            dtype=np.int64)
        self.industry = np.array(get('industry'), dtype=object)
        self.age = np.array([a or 0 for a in get('age', 0)], dtype=float)

    def __len__(self):
        return len(self.ids)


def failures(w, jobs):
    "{filter: boolean array of the jobs it removes}"
    n = len(jobs)
    none = np.zeros(n, dtype=bool)
    fails = {}
    fails['employment'] = (~jobs.full_time if w.employment == 'full_time'
        else none)
    wage = max(w.wage or 0, (w.wage_above or 0) + 1 if w.wage_above else 0)
    fails['wage'] = jobs.wage < wage if wage else none
    fails['start'] = ((jobs.start < 0) | (jobs.start < w.start_from)
        if w.start_from is not None else none)
    end = fails['end'] = none
    if w.end_by is not None:
        end = (jobs.end < 0) | (jobs.end > w.end_by)
    if w.end_before is not None:
        end = end | (jobs.end < 0) | (jobs.end >= w.end_before)
    fails['end'] = end
    fails['days'] = jobs.weekend if w.weekdays_only else none
    fails['short_hours'] = ~jobs.short_hours if w.short_hours else none
    fails['no_overtime'] = ~jobs.no_overtime if w.no_overtime else none
    minutes = commute_minutes(w, jobs)
    limit = w.commute
    if w.commute_below is not None:
        limit = min(limit or 10 ** 6, w.commute_below - 1)
    fails['commute'] = ((minutes > limit) & ~jobs.remote
        if limit is not None else none)
    fails['industry'] = (np.isin(jobs.industry, list(w.avoid_industries))
        if w.avoid_industries else none)
    return fails


def commute_minutes(w, jobs):
    origin = AREAS.index(w.area) if w.area in AREAS else len(AREAS)
    return TRAVEL[origin][jobs.area]


def allowed(w, jobs):
    "The jobs no hard filter removes"
    mask = np.ones(len(jobs), dtype=bool)
    for fail in failures(w, jobs).values():
        mask &= ~fail
    return mask


def features(w, jobs):
    "The feature matrix (jobs × FEATURES), each in [0, 1]"
    n = len(jobs)
    F = np.zeros((n, len(FEATURES)))
    col = {f: i for i, f in enumerate(FEATURES)}
    if w.employment != 'part_time':
        F[:, col['full_time']] = np.where(jobs.full_time & ~jobs.track, 1.0,
            np.where(jobs.track, 0.8, 0.0))
    if w.wage:
        F[:, col['wage']] = np.clip((jobs.wage - w.wage) / max(w.wage, 1)
            * 4 + 0.5, 0, 1)
    else:
        F[:, col['wage']] = np.clip((jobs.wage - 150000) / 150000, 0, 1)
    if w.end_by is not None or w.start_from is not None:
        known = (jobs.end >= 0) & (jobs.start >= 0)
        slack = np.zeros(n)
        if w.end_by is not None:
            slack += np.clip((w.end_by - jobs.end) / 120, 0, 1) * 0.5 + 0.5
        else:
            slack += 1
        F[:, col['hours']] = np.where(known, np.clip(slack, 0, 1), 0)
    if w.short_hours or w.young_children:
        F[:, col['short_hours']] = jobs.short_hours
    if w.no_overtime or w.young_children:
        F[:, col['no_overtime']] = jobs.no_overtime
    if w.remote:
        F[:, col['remote']] = jobs.remote
    minutes = np.where(jobs.remote, 0, commute_minutes(w, jobs))
    if w.area:
        F[:, col['commute']] = np.clip((60 - minutes) / 45, 0, 1)
    if w.young_children:
        F[:, col['single_parent']] = jobs.single_parent
    else:
        F[:, col['single_parent']] = jobs.single_parent * 0.5
    if w.experience:
        F[:, col['experience']] = jobs.industry == w.experience
    if w.interests:
        liked = set()
        for code in w.interests[:2]:
            liked |= INTEREST_INDUSTRIES.get(code, set())
        F[:, col['interest']] = np.isin(jobs.industry, list(liked))
    if w.values:
        top = w.values[0]
        value = {
            'income': np.clip((jobs.wage - 180000) / 100000, 0, 1),
            'family': (jobs.no_overtime | jobs.short_hours).astype(float),
            'growth': jobs.track.astype(float) + jobs.full_time * 0.5,
            'autonomy': jobs.remote.astype(float),
            'contribution': np.isin(jobs.industry,
                ['care', 'education', 'public']).astype(float),
            'relations': jobs.single_parent.astype(float),
            }.get(top)
        if value is not None:
            F[:, col['values']] = np.clip(value, 0, 1)
    F[:, col['fresh']] = np.clip(1 - jobs.age / 30, 0, 1)
    return F


def weight_vector(weights):
    return np.array([weights.get(f, 0.0) for f in FEATURES])


def scores(w, jobs, F, weights):
    "The ranking score of each job (full-time first where allowed)"
    s = F @ weight_vector(weights)
    if w.full_time_allowed:
        s = s + jobs.full_time * FULL_TIME_TIER
    return s


def rank(w, jobs, weights=None, exclude=(), limit=5):
    """[(row index, score, feature row)] of the best jobs for w, at most
    limit, leaving out job ids in exclude"""
    if not len(jobs):
        return []
    weights = weights or HAND_WEIGHTS
    mask = allowed(w, jobs)
    if exclude:
        mask &= ~np.isin(jobs.ids, list(exclude))
    candidates = np.nonzero(mask)[0]
    if not len(candidates):
        return []
    sub = Jobs.__new__(Jobs)
    for name in ['ids', 'full_time', 'track', 'wage', 'start', 'end',
            'weekend', 'short_hours', 'no_overtime', 'remote',
            'single_parent', 'area', 'industry', 'age']:
        setattr(sub, name, getattr(jobs, name)[candidates])
    sub.rows = None
    F = features(w, sub)
    s = scores(w, sub, F, weights)
    # Ties (same features) go to the newest job
    order = np.lexsort((sub.age, -s))[:limit]
    return [(int(candidates[i]), float(s[i]), F[i]) for i in order]


def reasons(w, job, f, limit=3):
    """The strongest plain reasons for a job: [(key, values)] with job a
    dict row and f its feature row; keys name messages"""
    col = {n: i for i, n in enumerate(FEATURES)}
    found = []

    def add(key, strength, **values):
        found.append((strength, key, values))
    if job['employment_type'] == 'full_time' and f[col['full_time']]:
        add('full_time', 3)
    elif job['employment_type'] == 'full_time_track' and f[col['full_time']]:
        add('full_time_track', 3)
    if (w.end_by is not None or w.start_from is not None) and f[col['hours']]:
        add('hours', 2.5,
            start=clock(w.start_from),
            end=clock(w.end_by))
    if w.wage and f[col['wage']] >= 0.5:
        add('wage', 2, wage='{:,}'.format(w.wage // 10000))
    if w.short_hours and f[col['short_hours']]:
        add('short_hours', 2.2)
    if w.no_overtime and f[col['no_overtime']]:
        add('no_overtime', 2.1)
    if w.remote and f[col['remote']]:
        add('remote', 2)
    if w.area and f[col['commute']] > 0.3:
        add('commute', 1.8,
            minutes=travel_minutes(w.area, job.get('area')))
    if job.get('single_parent') and (w.young_children
            or f[col['single_parent']]):
        add('single_parent', 1.9 if w.young_children else 1.2)
    if f[col['experience']]:
        add('experience', 1.7)
    if f[col['interest']]:
        add('interest', 1.5)
    if f[col['values']] >= 0.5 and w.values:
        add('values_%s' % w.values[0], 1.4)
    if (w.young_children and not w.short_hours
            and (job.get('short_hours') or job.get('no_overtime'))):
        add('children', 1.3)
    found.sort(key=lambda r: -r[0])
    reasons = [(k, v) for _, k, v in found[:limit]]
    if len(reasons) < 2:
        # Every job shown passed the hard filters: say so
        reasons.append(('no_conflict', {}))
    return reasons


def clock(minutes):
    if minutes is None or minutes < 0:
        return ''
    return '%d:%02d' % divmod(int(minutes), 60)


def fit(samples, baseline=None, iterations=400, rate=0.5, l2=0.01):
    """The weights learnt from [(feature row, 1 if the person was
    interested, else 0)]: a logistic regression by gradient descent that
    corrects the baseline weights (the hand-set ones: the feedback only
    covers jobs the engine already chose, so it refines the prior rather
    than replaces it).  None when there is too little feedback to trust,
    or when on a held-out fifth the result ranks the answers no better
    than the baseline."""
    baseline = baseline or HAND_WEIGHTS
    if len(samples) < MIN_SAMPLES:
        return None
    X = np.array([s[0] for s in samples], dtype=float)
    y = np.array([s[1] for s in samples], dtype=float)
    if y.sum() < MIN_CLASS or (len(y) - y.sum()) < MIN_CLASS:
        return None
    prior = weight_vector(baseline)
    # Every fifth answer is held out to check the result
    held = np.arange(len(y)) % 5 == 0
    beta = _fit(X[~held], y[~held], prior, iterations, rate, l2)
    if len(set(y[held])) == 2 and (auc(X[held] @ (prior + beta), y[held])
            <= auc(X[held] @ prior, y[held])):
        return None
    beta = _fit(X, y, prior, iterations, rate, l2)
    return {f: round(float(w), 4) for f, w in zip(FEATURES, prior + beta)}


def _fit(X, y, prior, iterations, rate, l2):
    "The correction to prior of a logistic regression with X @ prior as offset"
    offset = X @ prior
    X1 = np.hstack([X, np.ones((len(X), 1))])
    beta = np.zeros(X1.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(offset + X1 @ beta)))
        gradient = X1.T @ (p - y) / len(y) + l2 * np.r_[beta[:-1], 0]
        beta -= rate * gradient
    # The intercept does not change a ranking
    return beta[:-1]


def auc(scores, labels):
    "Area under the ROC curve: how often a positive outranks a negative"
    order = np.argsort(scores, kind='stable')
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    positive = labels == 1
    n_pos, n_neg = positive.sum(), (~positive).sum()
    if not n_pos or not n_neg:
        return 0.5
    return (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
