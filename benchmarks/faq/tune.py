#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Choose the e5 weight and the decision thresholds on the TUNING split.

Usage::

    .venv/bin/python benchmarks/faq/tune.py [--set benchmarks/faq/tuning.json]

Prints, per backend, the weight (fusion) that ranks the tuning questions
best and the thresholds that score best under a utility that makes a
wrong direct answer cost much more than a list of choices or a hand-over;
copy them into E5_WEIGHT and THRESHOLDS of faq_search.py.  Never run it on
heldout.json.
"""
import argparse
import itertools
import os

from evaluate import HERE, load_entries, load_faq_search, load_set

# What a decision is worth (per message)
GAIN = {
    ('in', 'answer_ok'): 1.0,
    ('in', 'answer_wrong'): -3.0,
    ('in', 'choices_ok'): 0.5,
    ('in', 'choices_wrong'): -0.5,
    ('in', 'handover'): 0.0,
    ('out', 'answer'): -3.0,
    ('out', 'choices'): -0.3,
    ('out', 'handover'): 0.5,
    # a vague message: choices to pick from are best
    ('vague', 'choices_ok'): 1.0,
    ('vague', 'choices_wrong'): -0.5,
    ('vague', 'answer_ok'): 0.3,
    ('vague', 'answer_wrong'): -1.0,
    ('vague', 'handover'): 0.0,
    }


def frange(start, stop, step):
    values, value = [], start
    while value <= stop + 1e-9:
        values.append(round(value, 4))
        value += step
    return values


def is_short(fs, text):
    "Too short to be answered directly (decide() offers choices at most)"
    return len(fs.normalize(text)) < fs.MIN_ANSWER_LENGTH


def precompute(fs, index, in_scope, out_of_scope, vague):
    "Top-3 hits of each message that reaches the search (rules pass)"
    rows = []
    for text, acceptable in vague:
        if fs.guard(text):
            continue
        rows.append(('vague', set(acceptable), index.search(text, limit=3),
                is_short(fs, text)))
    for text, expected in in_scope:
        if fs.guard(text):
            continue
        rows.append(('in', expected, index.search(text, limit=3),
                is_short(fs, text)))
    for text, _ in out_of_scope:
        if fs.guard(text):
            continue
        rows.append(('out', None, index.search(text, limit=3),
                is_short(fs, text)))
    return rows


def utility(rows, answer, margin, choices):
    total = 0.0
    out_answered = 0
    n_out = 0
    for side, expected, hits, short in rows:
        top = hits[0][1]
        second = hits[1][1] if len(hits) > 1 else 0.0
        if top < choices:
            kind = 'handover'
        elif top >= answer and top - second >= margin and not short:
            kind = 'answer'
        else:
            kind = 'choices'
        if side in ('in', 'vague'):
            ids = [h[0] for h in hits]
            fitting = expected if side == 'vague' else {expected}
            if kind == 'answer':
                kind += '_ok' if ids[0] in fitting else '_wrong'
            elif kind == 'choices':
                kind += '_ok' if fitting & set(ids) else '_wrong'
        else:
            n_out += 1
            out_answered += kind == 'answer'
        total += GAIN[side, kind]
    return total, out_answered / (n_out or 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--set', default=os.path.join(HERE, 'tuning.json'))
    args = parser.parse_args()
    assert 'heldout' not in os.path.basename(args.set), "tune on tuning only"
    fs = load_faq_search()
    entries = load_entries()
    in_scope, out_of_scope, _, vague = load_set(args.set)

    backends = list(fs.BACKENDS) if fs.embeddings_available() else [fs.NGRAM]
    for backend in backends:
        weights = frange(0.0, 1.0, 0.1) if backend == fs.FUSION else [None]
        best = None
        for weight in weights:
            index = fs.Index(entries, backend=backend, e5_weight=weight)
            top1 = sum(index.search(t, 1)[0][0] == e for t, e in in_scope)
            rows = precompute(fs, index, in_scope, out_of_scope, vague)
            value, thresholds = best_thresholds(rows)
            if weight is not None:
                print('  %s weight %.1f: top-1 %d/%d, utility %.1f' % (
                        backend, weight, top1, len(in_scope), value))
            if best is None or (top1, value) > best[:2]:
                best = (top1, value, weight, thresholds)
        top1, value, weight, (answer, margin, choices) = best
        print('%s: weight=%s top-1 %d/%d; Thresholds(answer=%.3f, '
            'margin=%.3f, choices=%.3f) utility %.1f' % (
                backend, weight, top1, len(in_scope),
                answer, margin, choices, value))


def median(values):
    values = sorted(values)
    return values[(len(values) - 1) // 2]


def best_thresholds(rows):
    """The best utility and the middle of the thresholds that reach it
    (the middle of a plateau, not its edge, to hold on new messages)"""
    scores = [hits[0][1] for _, _, hits, _ in rows]
    low, high = min(scores), max(scores)
    step = (high - low) / 40 or 0.01
    grid = frange(low, high, step)
    margins = frange(0.0, max(0.2, step * 4), step / 2)
    best, combos = None, []
    for answer, choices in itertools.product(grid, grid):
        if choices > answer:
            continue
        for margin in margins:
            value, out_answered = utility(rows, answer, margin, choices)
            if out_answered > 0.05:
                continue
            value = round(value, 6)
            if best is None or value > best:
                best, combos = value, []
            if value == best:
                combos.append((answer, margin, choices))
    answer = median([c[0] for c in combos])
    combos = [c for c in combos if c[0] == answer]
    choices = median([c[2] for c in combos])
    combos = [c for c in combos if c[2] == choices]
    margin = median([c[1] for c in combos])
    return best, (answer, margin, choices)


if __name__ == '__main__':
    main()
