# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Self-assessments on LINE: 適職診断 in the rich menu (``menu=assessment``)
offers the active self-assessment questionnaires as a carousel; each card's
button starts one (``menu=questionnaire:<code>``) or goes on with it."""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from sakai_line.builders import carousel, postback_button
from sakai_questionnaire.line import QUESTIONNAIRE_MENU

# LINE: a carousel holds at most 12 bubbles
MAX_BUBBLES = 12
# About how long one question takes on LINE, in seconds
SECONDS_PER_QUESTION = 10


def minutes(questions):
    return max(1, round(questions * SECONDS_PER_QUESTION / 60))


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    def _menu_assessment(self, user):
        "The self-assessments to choose from"
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Response = pool.get('questionnaire.response')
        questionnaires = [q for q in Questionnaire.search([
                    ('kind', '=', 'assessment'),
                    ('code', '!=', None),
                    ], order=[('id', 'ASC')])
            if q.questions][:MAX_BUBBLES]
        if not questionnaires:
            return self._menu_unavailable(user)
        unfinished = {r.questionnaire.id for r in Response.search([
                    ('line_user', '=', user.id),
                    ('state', 'in', ['in_progress', 'paused']),
                    ('questionnaire', 'in', [q.id for q in questionnaires]),
                    ])}
        return [carousel(gettext('sakai_counseling.msg_assessment_alt'),
                [assessment_bubble(q, resume=q.id in unfinished)
                    for q in questionnaires])]


def assessment_bubble(questionnaire, resume=False):
    "A card: name, what it tells, how long it takes and its button"
    # The questions asked when no answer branches, as the counter counts
    count = questionnaire.path_length()
    contents = [
        {'type': 'text', 'text': questionnaire.name, 'weight': 'bold',
            'size': 'md', 'wrap': True, 'color': '#1f8f5f'},
        ]
    if questionnaire.description:
        contents.append({'type': 'text', 'text': questionnaire.description,
                'size': 'sm', 'wrap': True, 'color': '#555555'})
    contents.append({'type': 'text', 'size': 'xs', 'color': '#888888',
            'wrap': True, 'text': gettext(
                'sakai_counseling.msg_assessment_length',
                questions=count, minutes=minutes(count))})
    if questionnaire.sensitive:
        contents.append({'type': 'text', 'size': 'xs', 'color': '#888888',
                'wrap': True, 'text': gettext(
                    'sakai_counseling.msg_assessment_sensitive')})
    label = gettext('sakai_counseling.msg_assessment_resume' if resume
        else 'sakai_counseling.msg_assessment_start')
    return {
        'type': 'bubble',
        'size': 'kilo',
        'body': {
            'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
            'contents': contents,
            },
        'footer': {
            'type': 'box', 'layout': 'vertical',
            'contents': [postback_button(label,
                    'menu=%s%s' % (QUESTIONNAIRE_MENU, questionnaire.code),
                    questionnaire.name)],
            },
        }
