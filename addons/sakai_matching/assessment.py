# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The assessment sheet (Kyoto specification 4(3)オ): one or two printed
pages a counselor reviews and talks through with the person — their
self-assessments in plain words, strengths, the kinds of work and the
employers that match and why, and what they could try next.  It supports
the conversation; it is not a judgement.  Printed only for a person who
currently consents to matching."""
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report

from sakai_programme.programme import to_local, utcnow

from . import engine
from .exceptions import SheetError

# Strengths read from the highest scales, by questionnaire and scale code
STRENGTH_KEYS = {
    'interests': 'interest', 'work_values': 'value', 'personality': 'trait'}
STRENGTHS = {
    'interest': {'R', 'I', 'A', 'S', 'E', 'C'},
    'value': {'income', 'family', 'growth', 'relations', 'contribution',
        'autonomy'},
    'trait': {'E', 'A', 'C', 'I'},
    }


def top_band(score):
    "Whether the score is in the highest band of its scale"
    bands = sorted(score.scale.bands,
        key=lambda b: (b.minimum is not None, b.minimum or 0))
    return bool(score.band and bands and score.band == bands[-1])


class AssessmentSheet(Report):
    __name__ = 'party.party.matching_sheet'

    @classmethod
    def execute(cls, ids, data):
        pool = Pool()
        Party = pool.get('party.party')
        Purpose = pool.get('party.consent.purpose')
        for party in Party.browse(ids):
            if not party.consents_to('matching'):
                raise SheetError(gettext(
                        'sakai_matching.msg_sheet_no_consent',
                        client=party.rec_name,
                        purpose=Purpose.get('matching').name))
        return super().execute(ids, data)

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['sheet'] = cls.sheet
        context['printed_at'] = to_local(utcnow()).strftime('%Y/%m/%d')
        return context

    @classmethod
    def sheet(cls, party):
        pool = Pool()
        Party = pool.get('party.party')
        Recommendation = pool.get('job.recommendation')
        JobOrder = pool.get('job.order')
        party = Party(party.id)
        profile = party.assessment_profile()
        results = []
        strengths = []
        for response in profile['responses']:
            code = response.questionnaire.code
            top = sorted((s for s in response.scores
                    if s.value is not None and not s.scale.parts),
                key=lambda s: -s.value)
            results.append({
                    'title': response.questionnaire.name,
                    'date': to_local(response.finished_at).strftime(
                        '%Y/%m/%d') if response.finished_at else '',
                    'scores': [{
                            'scale': s.scale.name,
                            'band': s.band.name if s.band else '',
                            'text': s.band.text if s.band else '',
                            } for s in top[:3]],
                    })
            key = STRENGTH_KEYS.get(code)
            for score in top[:2]:
                # A strength only where the result is in the scale's top
                # band: a middle or low result is not called a strength
                if (key and score.scale.code in STRENGTHS[key]
                        and top_band(score)):
                    strengths.append(gettext(
                            'sakai_matching.msg_strength_%s_%s' % (
                                key, score.scale.code)))
        wishes = party.matching_wishes(assessments=profile)
        orders, jobs = Recommendation.open_jobs()
        industries = JobOrder.fields_get(['employment_type'])
        Employer = pool.get('party.party')
        industry_names = dict(
            Employer.fields_get(['industry'])['industry']['selection'])
        kinds = []
        for code in wishes.interests[:2]:
            for industry in sorted(engine.INTEREST_INDUSTRIES.get(code, ())):
                name = industry_names.get(industry)
                if name and name not in kinds:
                    kinds.append(name)
        matches = []
        for i, score, f in engine.rank(wishes, jobs,
                exclude=(), limit=5):
            order = orders[i]
            matches.append({
                    'title': order.title,
                    'employer': order.employer.rec_name,
                    'reasons': [gettext('sakai_matching.msg_reason_%s' % k,
                            **v) for k, v in engine.reasons(
                            wishes, jobs.rows[i], f)],
                    })
        steps = []
        if wishes.empty():
            steps.append(gettext('sakai_matching.msg_step_wishes'))
        if not profile['responses']:
            steps.append(gettext('sakai_matching.msg_step_assessment'))
        if matches:
            steps.append(gettext('sakai_matching.msg_step_matches'))
        else:
            steps.append(gettext('sakai_matching.msg_step_no_matches'))
        steps.append(gettext('sakai_matching.msg_step_talk'))
        del industries
        return {
            'person': party.rec_name,
            'counselor': party.counselor.rec_name if party.counselor else '',
            'results': results,
            'strengths': strengths,
            'kinds': kinds,
            'matches': matches,
            'steps': steps,
            }
