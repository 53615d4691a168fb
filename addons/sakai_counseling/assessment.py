# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The result sheet of a self-assessment: one printable page for the
counselor who talks the result through with the person (Kyoto
specification 4(3)イ and オ)."""
from trytond.pool import Pool, PoolMeta
from trytond.report import Report
from trytond.transaction import check_access

from sakai_programme.programme import to_local, utcnow
from sakai_questionnaire.questionnaire import render


def number(value):
    "A score as people write it: 70, not 70.0"
    if value is None:
        return ''
    return str(int(value)) if value == int(value) else '%.1f' % value


def scale_range(response, scale):
    """(lowest, highest) score the scale could take with the items the
    person answered, or None"""
    low = high = 0
    found = False
    for answer in response.answers:
        question = answer.question
        if question.scale != scale or answer.score is None:
            continue
        if question.type == 'scale':
            low += question.scale_min
            high += question.scale_max
        else:
            scores = [c.score for c in question.choices if c.score is not None]
            low += min(scores)
            high += max(scores)
        found = True
    for part in scale.parts:
        part_range = scale_range(response, part)
        if part_range is None:
            return None
        low += part_range[0]
        high += part_range[1]
        found = True
    return (low, high) if found else None


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    def _responses(self):
        """The client's responses the user may read: those to a
        questionnaire of health data only for counselors (the record rules
        of questionnaire.response, which function fields do not apply)"""
        pool = Pool()
        Response = pool.get('questionnaire.response')
        ModelAccess = pool.get('ir.model.access')
        responses = super()._responses()
        with check_access():
            if not ModelAccess.check(
                    'questionnaire.response', 'read', raise_exception=False):
                return []
            readable = set(Response.search(
                    [('id', 'in', [r.id for r in responses])]))
        return [r for r in responses if r in readable]


class AssessmentResult(Report):
    __name__ = 'questionnaire.response.assessment_result'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['sheet'] = cls.sheet
        context['printed_at'] = to_local(utcnow()).strftime('%Y/%m/%d %H:%M')
        return context

    @classmethod
    def sheet(cls, response):
        "What the sheet shows of response, ready to print"
        pool = Pool()
        Response = pool.get('questionnaire.response')
        # The record of the report is a stand-in that reads in the
        # report's language: compute on the record itself
        response = Response(response.id)
        questionnaire = response.questionnaire
        shown = response.shown_scores()
        told = {s.id for s in shown}
        scores = []
        for score in response.scores:
            scale_limits = scale_range(response, score.scale)
            scores.append({
                    'scale': score.scale.name,
                    'value': number(score.value),
                    'range': ('%s–%s' % scale_limits) if scale_limits else '',
                    'items': score.items,
                    'band': score.band.name if score.band else '',
                    'text': render(score.band.text) if score.band else '',
                    'told': (bool(questionnaire.show_top)
                        and score.id in told),
                    })
        outcomes = []
        if response.state == 'done':
            outcomes = [{
                    'title': rule.title,
                    'rule': rule.name,
                    'message': rule.display == 'message',
                    } for rule in response.applying_rules()]
        when = response.finished_at or response.started_at
        if response.party:
            person = response.party.rec_name
        elif response.line_user:
            person = response.line_user.rec_name
        else:
            person = ''
        return {
            'title': questionnaire.name,
            'person': person,
            'client': bool(response.party),
            'date': to_local(when).strftime('%Y/%m/%d %H:%M') if when else '',
            'done': response.state == 'done',
            'sensitive': questionnaire.sensitive,
            'scores': scores,
            'top': questionnaire.show_top,
            # The highest scales, highest first (e.g. a Holland code)
            'ranking': ' > '.join(s.scale.name for s in shown)
            if questionnaire.show_top else '',
            'outcomes': outcomes,
            'attribution': questionnaire.attribution or '',
            }
