# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Questionnaires on LINE: a new friend starts the registration
diagnosis; the menu starts a questionnaire; while one is in progress what
the person writes or taps answers it; 「再開」 goes on with a paused one; a
survey invitation's button starts the survey."""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from sakai_line.builders import quick_postback
from sakai_line.event import note, noted

from .campaign import PREFIX as SURVEY
from .response import PREFIX, RESUME_WORDS, normalize

# The questionnaire new friends answer first
REGISTRATION = 'registration'
QUESTIONNAIRE_MENU = 'questionnaire:'
# Menu keys that start a questionnaire, by its code
QUESTIONNAIRE_KEYS = {'diagnosis': REGISTRATION}
RESUME = 'resume'


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    def _process(self):
        note('health_before', self._health_answers())
        return super()._process()

    def _health_answers(self):
        """{id: (state, turn)} of the person's answers to health
        questionnaires, read from the database"""
        Response = Pool().get('questionnaire.response')
        if not self.line_id:
            return {}
        return {r['id']: (r['state'], r['turn'])
            for r in Response.search_read([
                    ('line_user.line_id', '=', self.line_id),
                    ('questionnaire.sensitive', '=', True),
                    ], fields_names=['state', 'turn'])}

    def _sensitive_reply(self):
        """Questions, echoed choices and results of a stress check are
        health data, read by counselors only as the answers are: does what
        we answer now come from a health questionnaire, one in progress or
        one this event moved (answered, paused, finished)?"""
        after = self._health_answers()
        before = noted('health_before', {})
        return (super()._sensitive_reply() or after != before
            or any(state == 'in_progress' for state, _ in after.values()))

    def _welcome(self, user):
        # A new friend starts the registration diagnosis at once
        return super()._welcome(user) + (
            self._start_questionnaire(user, REGISTRATION) or [])

    def _start_questionnaire(self, user, code):
        """Start (or go on with) the questionnaire of code; None if there
        is no such questionnaire to ask"""
        pool = Pool()
        Questionnaire = pool.get('questionnaire')
        Response = pool.get('questionnaire.response')
        questionnaire = Questionnaire.get_by_code(code)
        if not questionnaire or not questionnaire.questions:
            return None
        return Response.start(questionnaire, user)

    def _handle_other(self, user, message):
        Response = Pool().get('questionnaire.response')
        response = Response.active_for(user)
        if response:
            return response.ask(hint=gettext(
                    'sakai_questionnaire.msg_response_use_buttons'))
        return super()._handle_other(user, message)

    def _handle_text(self, user, text):
        Response = Pool().get('questionnaire.response')
        response = Response.active_for(user)
        if response:
            return response.handle_text(text)
        if normalize(text) in RESUME_WORDS:
            paused = Response.active_for(user, states=('paused',))
            if paused:
                return paused.resume()
        return super()._handle_text(user, text)

    def _pause_conversations(self, user):
        Response = Pool().get('questionnaire.response')
        return (Response.pause_others(user)
            + super()._pause_conversations(user))

    @classmethod
    def _postback_routes(cls):
        return super()._postback_routes() + [
            (PREFIX + ':', '_postback_answer'),
            (RESUME, '_postback_resume'),
            (SURVEY, '_postback_survey'),
            ]

    def _postback_answer(self, user, value, params):
        Response = Pool().get('questionnaire.response')
        return Response.handle_postback(user, PREFIX + ':' + value, params)

    def _postback_resume(self, user, value, params):
        Response = Pool().get('questionnaire.response')
        paused = Response.active_for(user, states=('paused',))
        return paused.resume() if paused else []

    def _postback_survey(self, user, value, params):
        Campaign = Pool().get('questionnaire.campaign')
        Response = Pool().get('questionnaire.response')
        if not value.isdigit():
            return None
        campaigns = Campaign.search([('id', '=', int(value))])
        if campaigns and campaigns[0].invited(user):
            campaign, = campaigns
            return Response.start(
                campaign.questionnaire, user, campaign=campaign)
        return [{'type': 'text', 'text': gettext(
                    'sakai_questionnaire.msg_response_invalid')}]

    def _menu(self, user, key):
        # A questionnaire starts (or goes on) without pausing itself
        if key in QUESTIONNAIRE_KEYS:
            code = QUESTIONNAIRE_KEYS[key]
        elif key.startswith(QUESTIONNAIRE_MENU):
            # e.g. menu=questionnaire:stress_check starts that questionnaire
            code = key[len(QUESTIONNAIRE_MENU):]
        else:
            code = None
        if code:
            messages = self._start_questionnaire(user, code)
            if messages is not None:
                return messages
        return super()._menu(user, key)

    def _mypage_cards(self, user, lines, items):
        "My page: the latest diagnosis' advice, a questionnaire to go on with"
        Response = Pool().get('questionnaire.response')
        cards = super()._mypage_cards(user, lines, items)
        done = Response.search([
                ('line_user', '=', user.id),
                ('state', '=', 'done'),
                ('questionnaire.kind', '=', 'diagnosis'),
                ], order=[('finished_at', 'DESC')], limit=1)
        if done and done[0].recommendations:
            lines.append(gettext('sakai_questionnaire.msg_mypage_recommended',
                    recommendations=done[0].recommendations))
        items.append(quick_postback(
                gettext('sakai_questionnaire.msg_mypage_retake'),
                'menu=diagnosis'))
        paused = Response.active_for(user, states=('paused',))
        if paused:
            lines.append(gettext('sakai_questionnaire.msg_mypage_paused',
                    questionnaire=paused.questionnaire.rec_name))
            items.insert(0, quick_postback(
                    gettext('sakai_questionnaire.msg_mypage_resume'),
                    RESUME))
        return cards

