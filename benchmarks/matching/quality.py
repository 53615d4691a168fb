#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Offline evaluation of the matching engine against three baselines.

A generator draws people and job orders with a hidden preference
structure the engine does not know: each person has true hard limits
(finishing time, weekdays, commute) of which they state only some, and
a true utility over jobs with weights of their own (wage, full-time,
closeness, a few liked industries, family-friendly conditions) plus
noise.  The stated wishes, experience and interests are noisy glimpses
of it.  A job is relevant when it meets the true limits and its utility
is in the person's top 5 % of open jobs; NDCG uses the utility as gain.

Then one round of feedback is simulated on the engine's hand-weighted
recommendations (interest when the utility is high), the logistic model
is fitted on it and evaluated on fresh people.

    python benchmarks/matching/quality.py [--people 1000] [--jobs 2000]
"""
import argparse
import os
import random
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
                os.path.dirname(os.path.abspath(__file__)))), 'addons'))
from sakai_matching import engine  # noqa: E402

TYPES = ['full_time', 'full_time_track', 'contract', 'part_time',
    'dispatch']


def make_jobs(rng, n):
    rows = []
    for i in range(n):
        type_ = rng.choices(TYPES, [3, 2, 1, 4, 1])[0]
        start = rng.choice([8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60 + 30,
                10 * 60, 13 * 60])
        length = rng.choice([4, 5, 6, 7, 8, 8, 9]) * 60
        rows.append({
            'id': i + 1, 'employment_type': type_,
            'wage': int(rng.gauss(230000 if type_ in engine.FULL_TIME
                    else 140000, 30000)),
            'start': start, 'end': min(start + length, 22 * 60),
            'weekend': rng.random() < 0.35,
            'short_hours': rng.random() < 0.3,
            'no_overtime': rng.random() < 0.4,
            'remote': rng.random() < 0.08,
            'area': rng.choice(engine.AREAS[:8]),
            'industry': rng.choice(engine.INDUSTRIES),
            'single_parent': rng.random() < 0.4,
            'age': rng.randrange(0, 60),
            })
    return rows


def make_person(rng):
    "(stated Wishes, true limits, true utility weights, liked industries)"
    end = rng.choice([15, 16, 17, 18, 19, 22]) * 60
    weekdays = rng.random() < 0.5
    area = rng.choice(engine.AREAS[:8])
    commute = rng.choice([20, 30, 40, 60])
    liked = set(rng.sample(engine.INDUSTRIES, 2))
    young = rng.random() < 0.6
    true = {'wage': rng.uniform(0.5, 2), 'full_time': rng.uniform(0, 2),
        'close': rng.uniform(0.2, 1.5), 'liked': rng.uniform(0.5, 2.5),
        'family': rng.uniform(0.5, 2) if young else rng.uniform(0, 0.5),
        'fresh': rng.uniform(0, 0.3)}
    codes = [c for c, inds in engine.INTEREST_INDUSTRIES.items()
        if inds & liked]
    wishes = engine.Wishes(
        employment=rng.choice(['full_time_preferred', 'any', None]),
        end_by=end if rng.random() < 0.85 else None,
        weekdays_only=weekdays and rng.random() < 0.85,
        area=area,
        commute=commute if rng.random() < 0.7 else None,
        experience=(rng.choice(sorted(liked)) if rng.random() < 0.6
            else rng.choice(engine.INDUSTRIES)),
        young_children=young,
        interests=tuple(rng.sample(codes, min(2, len(codes))))
        if codes and rng.random() < 0.5 else (),
        wage=rng.choice([0, 0, 150000, 180000]),
        )
    limits = {'end': end, 'weekdays': weekdays, 'area': area,
        'commute': commute}
    return wishes, limits, true, liked


def utility(rows, jobs, limits, true, liked, rng):
    minutes = engine.TRAVEL[engine.AREAS.index(limits['area'])][jobs.area]
    ok = (jobs.end <= limits['end']) & ~(jobs.weekend & limits['weekdays'])
    ok &= (minutes <= limits['commute']) | jobs.remote
    u = (true['wage'] * np.clip((jobs.wage - 120000) / 150000, 0, 1.5)
        + true['full_time'] * jobs.full_time
        + true['close'] * np.clip((60 - minutes) / 50, 0, 1)
        + true['liked'] * np.isin(jobs.industry, list(liked))
        + true['family'] * (jobs.short_hours | jobs.no_overtime
            | jobs.single_parent) * 0.7
        + true['fresh'] * np.clip(1 - jobs.age / 60, 0, 1)
        + np.array([rng.gauss(0, 0.3) for _ in rows]))
    return np.where(ok, u, 0.0), ok


def metrics(picks, u, relevant):
    p5 = sum(relevant[i] for i in picks[:5]) / 5
    gains = [u[i] for i in picks[:10]]
    dcg = sum(g / np.log2(k + 2) for k, g in enumerate(gains))
    ideal = sorted(u, reverse=True)[:10]
    idcg = sum(g / np.log2(k + 2) for k, g in enumerate(ideal))
    return p5, (dcg / idcg if idcg else 0)


def evaluate(people, rows, jobs, rng, weights):
    methods = ['random', 'newest', 'hard_filters', 'engine_hand']
    if weights:
        methods.append('engine_learned')
    result = {m: [0, 0, 0] for m in methods}
    order_newest = np.argsort(jobs.age, kind='stable')
    for wishes, limits, true, liked in people:
        u, ok = utility(rows, jobs, limits, true, liked, rng)
        threshold = np.quantile(u[ok], 0.95) if ok.any() else np.inf
        relevant = (u >= threshold) & ok
        allowed = engine.allowed(wishes, jobs)
        for method in methods:
            if method == 'random':
                picks = rng.sample(range(len(rows)), 10)
            elif method == 'newest':
                picks = list(order_newest[:10])
            elif method == 'hard_filters':
                candidates = list(np.nonzero(allowed)[0])
                picks = rng.sample(candidates, min(10, len(candidates)))
            else:
                w = weights if method == 'engine_learned' else None
                picks = [i for i, _, _ in engine.rank(wishes, jobs, w,
                        limit=10)]
            p5, ndcg = metrics(picks, u, relevant)
            violations = sum(1 for i in picks if not allowed[i])
            result[method][0] += p5
            result[method][1] += ndcg
            result[method][2] += violations
    n = len(people)
    return {m: (v[0] / n, v[1] / n, v[2]) for m, v in result.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--people', type=int, default=1000)
    parser.add_argument('--jobs', type=int, default=2000)
    parser.add_argument('--seed', type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = make_jobs(rng, args.jobs)
    jobs = engine.Jobs(rows)
    # Feedback on a first group of people: interest when the job is
    # among their better ones, else 見送る (or ignored)
    samples = []
    for _ in range(args.people):
        wishes, limits, true, liked = make_person(rng)
        u, ok = utility(rows, jobs, limits, true, liked, rng)
        good = np.quantile(u[ok], 0.8) if ok.any() else np.inf
        for i, _, f in engine.rank(wishes, jobs, limit=5):
            samples.append((list(f), int(u[i] >= good)))
    started = time.perf_counter()
    # What the nightly fit keeps: the hand-set weights corrected by the
    # feedback, when that ranks held-out answers better (else None)
    weights = kept = engine.fit(samples)
    fit_seconds = time.perf_counter() - started
    people = [make_person(rng) for _ in range(args.people)]
    started = time.perf_counter()
    result = evaluate(people, rows, jobs, rng, weights)
    seconds = time.perf_counter() - started
    print('people %d, jobs %d, feedback samples %d (positive %d), '
        'fit %.2f s, evaluation %.1f s; nightly fit keeps: %s' % (
            args.people, args.jobs, len(samples),
            sum(s[1] for s in samples), fit_seconds, seconds,
            'learned weights' if kept else 'hand-set weights'))
    print('| method | precision@5 | NDCG@10 | hard-filter violations |')
    print('|---|---|---|---|')
    for method, (p5, ndcg, violations) in result.items():
        print('| %s | %.3f | %.3f | %d |' % (method, p5, ndcg, violations))
    if weights:
        print('learned weights:', weights)


if __name__ == '__main__':
    main()
