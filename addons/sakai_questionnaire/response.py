# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Responses: one person answering one questionnaire, as a LINE chat.

Each question goes out as a text with quick replies (choices, scale
points, a date picker, 「前の質問に戻る」 and 「中断」) and the person
answers by tapping or typing.  Buttons carry signed postback data
(``q:<response>:<turn>:<value>:<signature>``): the signature is an HMAC with
a secret of the response and the sender's LINE user ID, and the turn must
be the current one, so nobody can answer for someone else, replay an old
button or jump ahead to the results.
"""
import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import unicodedata

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from sakai_programme.programme import utcnow
from sakai_line.builders import carousel, quick_postback, text_message

from .questionnaire import render

PREFIX = 'q'
MAX_QUICK_REPLY = 13
BACK_WORDS = {'戻る', 'もどる', '前の質問に戻る', '前に戻る'}
PAUSE_WORDS = {'中断', 'ちゅうだん', 'やめる', '中止'}
RESUME_WORDS = {'再開', 'さいかい', '続き', 'つづき', '続きから'}
SKIP_WORDS = {'スキップ', 'とばす', '飛ばす', 'なし'}
DONE_WORDS = {'決定', 'これで決定', 'おわり', '終わり'}
DATE_PATTERNS = [
    re.compile(r'^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$'),
    re.compile(r'^(\d{4})年(\d{1,2})月(\d{1,2})日?$'),
    re.compile(r'^(\d{4})(\d{2})(\d{2})$'),
    ]


def normalize(text):
    "Full-width digits and letters to half-width, spaces removed"
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', text or ''))


def parse_number(text):
    text = normalize(text).replace(',', '')
    match = re.match(r'^-?\d+(\.\d+)?', text)
    return float(match.group(0)) if match else None


def parse_date(text):
    text = normalize(text)
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                return None
    return None


class Response(ModelSQL, ModelView):
    __name__ = 'questionnaire.response'

    questionnaire = fields.Many2One('questionnaire', "Questionnaire",
        required=True, readonly=True, ondelete='RESTRICT')
    line_user = fields.Many2One('line.user', "LINE User", readonly=True,
        ondelete='SET NULL')
    party = fields.Many2One('party.party', "Client", readonly=True,
        ondelete='SET NULL')
    campaign = fields.Many2One('questionnaire.campaign', "Send",
        readonly=True, ondelete='SET NULL')
    state = fields.Selection([
            ('in_progress', "In Progress"),
            ('paused', "Paused"),
            ('done', "Done"),
            ('abandoned', "Abandoned"),
            ], "State", required=True, readonly=True, sort=False)
    current_question = fields.Many2One('questionnaire.question',
        "Current Question", readonly=True, ondelete='SET NULL',
        states={'invisible': Eval('state') == 'done'})
    turn = fields.Integer("Turn", readonly=True)
    path = fields.Text("Path", readonly=True)
    pending = fields.Text("Choices So Far", readonly=True)
    secret = fields.Char("Secret", readonly=True, loading='lazy')
    last_data = fields.Char("Last Button", readonly=True, loading='lazy')
    started_at = fields.DateTime("Started At", readonly=True)
    finished_at = fields.DateTime("Finished At", readonly=True)
    answers = fields.One2Many('questionnaire.response.answer', 'response',
        "Answers", readonly=True)
    scores = fields.One2Many('questionnaire.response.score', 'response',
        "Scores", readonly=True)
    recommendations = fields.Text("Recommendations", readonly=True)
    rich_menu = fields.Many2One('line.rich_menu', "Rich Menu Chosen",
        readonly=True, ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.line_user, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.campaign, Index.Equality())),
                })
        cls._order.insert(0, ('started_at', 'DESC'))

    @classmethod
    def default_state(cls):
        return 'in_progress'

    @classmethod
    def default_turn(cls):
        return 0

    def get_rec_name(self, name):
        return '%s (%s)' % (self.questionnaire.rec_name,
            self.started_at.date() if self.started_at else '')

    # -- finding a person's response ----------------------------------------

    @classmethod
    def active_for(cls, user, states=('in_progress',)):
        "The person's latest response in one of states, or None"
        responses = cls.search([
                ('line_user', '=', user.id),
                ('state', 'in', list(states)),
                ], order=[('started_at', 'DESC'), ('id', 'DESC')], limit=1)
        return responses[0] if responses else None

    # -- starting, pausing, resuming ----------------------------------------

    @classmethod
    def start(cls, questionnaire, user, campaign=None):
        """Start (or resume) questionnaire for user; return the messages
        to send"""
        same = cls.search([
                ('line_user', '=', user.id),
                ('questionnaire', '=', questionnaire.id),
                ('state', 'in', ['in_progress', 'paused']),
                ] + ([('campaign', '=', campaign.id)] if campaign else []),
            order=[('started_at', 'DESC')], limit=1)
        messages = cls.pause_others(user, keep=same[0] if same else None)
        if same:
            return messages + same[0].resume()
        response = cls(questionnaire=questionnaire, line_user=user,
            party=user.client(), campaign=campaign,
            state='in_progress', started_at=utcnow(),
            secret=secrets.token_urlsafe(24), path='[]', turn=0,
            current_question=questionnaire.first_question())
        response.save()
        if questionnaire.intro:
            messages.append(text_message(render(questionnaire.intro)))
        return messages + response.ask()

    @classmethod
    def pause_others(cls, user, keep=None):
        "Pause the person's conversation in progress; return the notice"
        current = cls.active_for(user)
        if not current or current == keep:
            return []
        current.state = 'paused'
        current.save()
        return [text_message(gettext('sakai_questionnaire.msg_response_paused',
                    questionnaire=current.questionnaire.rec_name))]

    def pause(self):
        self.state = 'paused'
        self.save()
        return [text_message(gettext('sakai_questionnaire.msg_response_paused',
                    questionnaire=self.questionnaire.rec_name))]

    def resume(self):
        self.state = 'in_progress'
        self.save()
        return [text_message(gettext('sakai_questionnaire.msg_response_resumed',
                    questionnaire=self.questionnaire.rec_name))] + self.ask()

    # -- asking ---------------------------------------------------------------

    def sign(self, value):
        key = (self.secret or '').encode()
        message = '%s:%s:%s:%s' % (
            self.id, self.turn, value, self.line_user.line_id)
        digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest)[:16].decode()

    def data(self, value):
        "Signed postback data for an answer to the current question"
        return '%s:%s:%s:%s:%s' % (
            PREFIX, self.id, self.turn, value, self.sign(value))

    @property
    def position(self):
        return len(json.loads(self.path or '[]')) + 1

    @property
    def total(self):
        """The questions on the person's way: those answered, the current
        one and those after it as long as no answer branches (a branch
        taken later changes the total)"""
        answered = len(json.loads(self.path or '[]'))
        if not self.current_question:
            return answered
        return answered + len(
            self.questionnaire.path_from(self.current_question))

    @property
    def chosen_so_far(self):
        return json.loads(self.pending or '[]')

    def ask(self, hint=None):
        "The current question as a LINE message with its quick replies"
        question = self.current_question
        if question.type in {'single', 'multiple'} and not question.choices:
            # Being written by staff: nothing to choose, so go on
            return self.record(question)
        lines = []
        if hint:
            lines.append(hint)
        lines.append('（%s/%s）' % (self.position, self.total))
        lines.append(question.text)
        items = []
        if question.type in {'single', 'multiple'}:
            chosen = self.chosen_so_far
            if chosen:
                lines.append(gettext('sakai_questionnaire.msg_response_chosen',
                        choices='、'.join(c.label for c in question.choices
                            if c.id in chosen)))
            for choice in question.choices:
                if choice.id not in chosen:
                    items.append(quick_postback(
                            choice.label, self.data('c%s' % choice.id)))
            if question.type == 'multiple':
                lines.append(gettext('sakai_questionnaire.msg_response_multiple'))
                if chosen:
                    items.insert(0, quick_postback(
                            gettext('sakai_questionnaire.msg_response_done_label'),
                            self.data('ok')))
        elif question.type == 'scale':
            labelled = [(v, l) for v, l in question.points if l]
            if labelled:
                lines.append('　'.join('%s：%s' % (v, l)
                        for v, l in question.points if l))
            for value, label in question.points:
                items.append(quick_postback(
                        ('%s %s' % (value, label)).strip(),
                        self.data('v%s' % value)))
        elif question.type == 'date':
            lines.append(gettext('sakai_questionnaire.msg_response_date_hint'))
            items.append({'type': 'action', 'action': {
                        'type': 'datetimepicker',
                        'label': gettext('sakai_questionnaire.msg_response_pick_date'),
                        'data': self.data('d'), 'mode': 'date'}})
        elif question.type == 'number':
            lines.append(gettext('sakai_questionnaire.msg_response_number_hint',
                    unit=question.unit or ''))
        else:
            lines.append(gettext('sakai_questionnaire.msg_response_text_hint'))
        if not question.required:
            items.append(quick_postback(
                    gettext('sakai_questionnaire.msg_response_skip_label'),
                    self.data('skip')))
        extras = []
        if self.position > 1:
            extras.append(quick_postback(
                    gettext('sakai_questionnaire.msg_response_back_label'),
                    self.data('back')))
        extras.append(quick_postback(
                gettext('sakai_questionnaire.msg_response_pause_label'),
                self.data('pause')))
        if len(items) + len(extras) <= MAX_QUICK_REPLY:
            items += extras
        return [text_message('\n'.join(lines), items)]

    # -- receiving ------------------------------------------------------------

    @classmethod
    def handle_postback(cls, user, data, params=None):
        """Answer a tap on one of our buttons; a forged, foreign or stale
        button gets a hint and the person's current question again"""
        parts = data.split(':')
        response = None
        if len(parts) == 5 and parts[0] == PREFIX and parts[1].isdigit():
            found = cls.search([('id', '=', int(parts[1]))])
            response = found[0] if found else None
        if (response is None or response.line_user != user
                or not hmac.compare_digest(
                    response.sign_for(parts[2], parts[3]), parts[4])):
            return cls._not_yours(user)
        if response.state == 'done':
            return [text_message(gettext('sakai_questionnaire.msg_response_finished',
                        questionnaire=response.questionnaire.rec_name))]
        if data == response.last_data:
            # The same button tapped twice: already answered, say nothing
            return []
        if str(response.turn) != parts[2] or not response.claim():
            return response._stale()
        response.last_data = data
        if response.state != 'in_progress':
            cls.pause_others(user, keep=response)
            response.state = 'in_progress'
            response.save()
        return response.receive(parts[3], (params or {}).get('date'))

    def claim(self):
        """Take the current turn, or return False if another event (a
        double tap processed at the same time) took it first"""
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        # Waits for a concurrent claim to commit, then sees its turn
        cursor.execute(*table.update([table.turn], [table.turn + 1],
                where=(table.id == self.id) & (table.turn == self.turn)))
        if cursor.rowcount != 1:
            return False
        self.turn += 1
        return True

    def sign_for(self, turn, value):
        "The signature the button of turn and value would carry"
        saved, self.turn = self.turn, turn
        try:
            return self.sign(value)
        finally:
            self.turn = saved

    @classmethod
    def _not_yours(cls, user):
        current = cls.active_for(user)
        hint = gettext('sakai_questionnaire.msg_response_invalid')
        if current:
            return current.ask(hint=hint)
        return [text_message(hint)]

    def _stale(self):
        return self.ask(hint=gettext('sakai_questionnaire.msg_response_stale'))

    def receive(self, value, date=None):
        "A tapped button: its value for the current question"
        question = self.current_question
        if value == 'pause':
            return self.pause()
        if value == 'back':
            return self.back()
        if value == 'skip' and not question.required:
            return self.record(question)
        if value == 'ok' and question.type == 'multiple':
            chosen = self.chosen_so_far
            if chosen:
                return self.record(question, choice_ids=chosen)
        if value.startswith('c') and value[1:].isdigit():
            choice = next((c for c in question.choices
                    if c.id == int(value[1:])), None)
            if choice is not None:
                return self.choose(choice)
        if value.startswith('v') and question.type == 'scale':
            number = parse_number(value[1:])
            if (number is not None and number == int(number)
                    and question.scale_min <= number <= question.scale_max):
                return self.record(question, number=number)
        if value == 'd' and question.type == 'date' and date:
            return self.answer_date(date)
        return self._stale()

    def handle_text(self, text):
        "A typed message while the person is answering"
        if not self.claim():
            return self._stale()
        question = self.current_question
        word = normalize(text)
        if word in PAUSE_WORDS:
            return self.pause()
        if word in BACK_WORDS and self.position > 1:
            return self.back()
        if word in SKIP_WORDS and not question.required:
            return self.record(question)
        if question.type in {'single', 'multiple'}:
            if question.type == 'multiple' and word in DONE_WORDS:
                if self.chosen_so_far:
                    return self.record(
                        question, choice_ids=self.chosen_so_far)
            for choice in question.choices:
                if normalize(choice.label) == word:
                    return self.choose(choice)
            return self.ask(hint=gettext('sakai_questionnaire.msg_response_use_buttons'))
        if question.type == 'scale':
            number = parse_number(text)
            if (number is not None and number == int(number)
                    and question.scale_min <= number <= question.scale_max):
                return self.record(question, number=number)
            for value, label in question.points:
                if label and normalize(label) == word:
                    return self.record(question, number=value)
            return self.ask(hint=gettext('sakai_questionnaire.msg_response_use_buttons'))
        if question.type == 'number':
            number = parse_number(text)
            if number is None or (question.number_min is not None
                    and number < question.number_min) or (
                    question.number_max is not None
                    and number > question.number_max):
                return self.ask(hint=gettext(
                        'sakai_questionnaire.msg_response_bad_number'))
            return self.record(question, number=number)
        if question.type == 'date':
            return self.answer_date(text)
        if not word:
            return self.ask(hint=gettext('sakai_questionnaire.msg_response_empty'))
        return self.record(question, text=text.strip()[:2000])

    def answer_date(self, text):
        date = parse_date(text)
        if date is None:
            return self.ask(hint=gettext('sakai_questionnaire.msg_response_bad_date'))
        return self.record(self.current_question, date=date)

    def choose(self, choice):
        question = self.current_question
        if question.type == 'single' or choice.exclusive:
            return self.record(question, choice_ids=[choice.id])
        chosen = self.chosen_so_far
        if choice.id not in chosen:
            chosen.append(choice.id)
        self.pending = json.dumps(chosen)
        self.turn += 1
        self.save()
        return self.ask()

    def back(self):
        path = json.loads(self.path or '[]')
        if not path:
            return self.ask()
        pool = Pool()
        Question = pool.get('questionnaire.question')
        Answer = pool.get('questionnaire.response.answer')
        self.current_question = Question(path.pop())
        self.path = json.dumps(path)
        # Answers beyond the way back no longer count (a branch may change)
        Answer.delete([a for a in self.answers
                if a.question.id not in path])
        self.pending = None
        self.turn += 1
        self.save()
        return self.ask()

    def record(self, question, choice_ids=(), number=None, date=None,
            text=None):
        "Store the answer to question and go on to the next one"
        pool = Pool()
        Answer = pool.get('questionnaire.response.answer')
        Choice = pool.get('questionnaire.choice')
        Answer.delete([a for a in self.answers if a.question == question])
        choices = Choice.browse(choice_ids)
        skipped = not (choice_ids or number is not None or date or text)
        Answer.create([{
                    'response': self.id,
                    'question': question.id,
                    'choice': choices[0].id if len(choices) == 1 else None,
                    'choices': [('add', [c.id for c in choices])],
                    'number': number,
                    'date': date,
                    'text': text,
                    'skipped': skipped,
                    'score': question.score_of(
                        number, choices[0] if len(choices) == 1 else None),
                    'answered_at': utcnow(),
                    }])
        path = json.loads(self.path or '[]')
        path.append(question.id)
        self.path = json.dumps(path)
        self.pending = None
        self.turn += 1
        self.current_question = self.questionnaire.next_question(
            question, choices)
        self.save()
        if self.current_question is None:
            return self.finish()
        return self.ask()

    # -- finishing ------------------------------------------------------------

    def answer_to(self, question):
        for answer in self.answers:
            if answer.question == question:
                return answer
        return None

    def score_value(self, scale):
        for score in self.scores:
            if score.scale == scale:
                return score.value
        return None

    def finish(self):
        "Score, recommend, switch the rich menu; return the closing messages"
        pool = Pool()
        LineUser = pool.get('line.user')
        questionnaire = self.questionnaire
        self.state = 'done'
        self.finished_at = utcnow()
        self.current_question = None
        self.save()
        self.compute_scores()
        messages = []
        if questionnaire.outro:
            messages.append(text_message(render(questionnaire.outro)))
        if questionnaire.show_scores:
            summary = self.score_summary()
            if summary:
                messages.append(text_message(summary))
        rules = self.applying_rules()
        if rules:
            self.recommendations = '\n'.join(r.title for r in rules)
            menu = next((r.rich_menu for r in rules if r.rich_menu), None)
            if menu and self.line_user:
                LineUser.link_rich_menu([self.line_user], menu)
                self.rich_menu = menu
            self.save()
            messages.extend(r.as_message() for r in rules
                if r.display == 'message')
            cards = [r for r in rules if r.display != 'message']
            if cards:
                messages.append(recommendation_message(cards))
        return messages

    def compute_scores(self):
        """Each scale's score: the sum of its items' points and of the
        scores of the scales it adds up; none without items or with a part
        that has none"""
        Score = Pool().get('questionnaire.response.score')
        Score.delete(list(self.scores))
        scales = list(self.questionnaire.scales)
        values = {}
        for scale in scales:
            if scale.parts:
                continue
            items = [a.score for a in self.answers
                if a.question.scale == scale and a.score is not None]
            if items:
                values[scale] = (float(sum(items)), len(items))
        # Scales of scales, once the scales they add up are scored
        pending = [s for s in scales if s.parts]
        while pending:
            ready = [s for s in pending
                if not any(p in pending for p in s.parts)]
            if not ready:
                # A cycle, which validation refuses
                break
            for scale in ready:
                pending.remove(scale)
                if not all(p in values for p in scale.parts):
                    continue
                items = [a.score for a in self.answers
                    if a.question.scale == scale and a.score is not None]
                values[scale] = (
                    float(sum(items)) + sum(values[p][0] for p in scale.parts),
                    len(items) + sum(values[p][1] for p in scale.parts))
        scores = []
        for scale in scales:
            if scale not in values:
                continue
            value, count = values[scale]
            band = scale.band_of(value)
            scores.append({'response': self.id, 'scale': scale.id,
                    'value': value, 'items': count,
                    'band': band.id if band else None})
        Score.create(scores)

    def shown_scores(self):
        """The scores told to the person: those with a band text, only the
        highest ones (and ties) when the questionnaire says so"""
        scores = [s for s in self.scores if s.band and s.band.text]
        top = self.questionnaire.show_top
        if top and len(scores) > top:
            ranked = sorted(scores, key=lambda s: -s.value)
            least = ranked[top - 1].value
            scores = [s for s in ranked if s.value >= least]
        return scores

    def score_summary(self):
        "The scores told to the person as one text"
        return '\n\n'.join('【%s】%s\n%s' % (
                score.scale.name, score.band.name, render(score.band.text))
            for score in self.shown_scores())

    def applying_rules(self):
        "The rules that apply, at most one per feature, in their order"
        rules, features = [], set()
        for rule in self.questionnaire.rules:
            if rule.feature in features or not rule.applies(self):
                continue
            rules.append(rule)
            features.add(rule.feature)
            if rule.stop:
                break
        return rules[:10]

    @classmethod
    def abandon_stale(cls, days=30):
        "Scheduled: responses left unfinished for days are abandoned"
        stale = cls.search([
                ('state', 'in', ['in_progress', 'paused']),
                ('write_date', '<', utcnow() - dt.timedelta(days=days)),
                ])
        cls.write(stale, {'state': 'abandoned'})


def recommendation_message(rules):
    return carousel(
        gettext('sakai_questionnaire.msg_response_recommendations'),
        [r.as_bubble() for r in rules])


class Answer(ModelSQL, ModelView):
    __name__ = 'questionnaire.response.answer'
    __string__ = "Questionnaire Answer"

    response = fields.Many2One('questionnaire.response', "Response",
        required=True, readonly=True, ondelete='CASCADE')
    question = fields.Many2One('questionnaire.question', "Question",
        required=True, readonly=True, ondelete='RESTRICT')
    choice = fields.Many2One('questionnaire.choice', "Choice", readonly=True,
        ondelete='SET NULL')
    choices = fields.Many2Many('questionnaire.response.answer-choice',
        'answer', 'choice', "Choices", readonly=True)
    number = fields.Float("Number", readonly=True)
    date = fields.Date("Date", readonly=True)
    text = fields.Text("Text", readonly=True)
    skipped = fields.Boolean("Skipped", readonly=True)
    score = fields.Integer("Score", readonly=True)
    answered_at = fields.DateTime("Answered At", readonly=True)
    answer = fields.Function(fields.Char("Answer"), 'get_answer')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('response')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.question, Index.Equality())))
        cls._order.insert(0, ('answered_at', 'ASC'))

    def chosen_ids(self):
        return [c.id for c in self.choices]

    def get_answer(self, name):
        "The answer as staff read it"
        if self.skipped:
            return gettext('sakai_questionnaire.msg_response_skipped')
        if self.choices:
            return '、'.join(c.label for c in self.choices)
        if self.number is not None:
            value = (int(self.number) if self.number == int(self.number)
                else self.number)
            unit = self.question.unit or ''
            return '%s%s' % (value, unit)
        if self.date:
            return self.date.strftime('%Y/%m/%d')
        return self.text


class AnswerChoice(ModelSQL):
    __name__ = 'questionnaire.response.answer-choice'
    __string__ = "Questionnaire Answer - Choice"

    answer = fields.Many2One('questionnaire.response.answer', "Answer",
        required=True, ondelete='CASCADE')
    choice = fields.Many2One('questionnaire.choice', "Choice",
        required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Who may read the answer may read its choices (record rules)
        cls.__access__.add('answer')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.choice, Index.Equality())))


class Score(ModelSQL, ModelView):
    __name__ = 'questionnaire.response.score'
    __string__ = "Questionnaire Score"

    response = fields.Many2One('questionnaire.response', "Response",
        required=True, readonly=True, ondelete='CASCADE')
    scale = fields.Many2One('questionnaire.scale', "Scale", required=True,
        readonly=True, ondelete='RESTRICT')
    value = fields.Float("Score", readonly=True)
    items = fields.Integer("Items Answered", readonly=True)
    band = fields.Many2One('questionnaire.band', "Band", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('response')
