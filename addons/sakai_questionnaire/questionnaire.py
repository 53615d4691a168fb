# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Questionnaires: questions staff write as data, asked on LINE.

One engine serves the registration diagnosis, the monthly survey, seminar
surveys and self-assessments: ordered questions of six types, optional
branching from a choice to a later question, and optional scoring (scales
of items, reverse-keyed items, scales that add up other scales, bands with
a text for each range).  Answers to a questionnaire marked as health data
are read by counselors only (record rules in questionnaire.xml).
"""

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .exceptions import QuestionnaireValidationError

# LINE: a quick reply holds 13 items; two are 「前の質問に戻る」「中断」
MAX_QUICK_CHOICES = 11
# LINE: the label of a quick reply or button
MAX_LABEL = 20


def render(text):
    """text with the programme's ${…} placeholders replaced; a line with a
    placeholder that has no value is left out"""
    return Pool().get('support.programme').render(text, skip_empty=True)


def check_placeholders(text, record):
    "Raise if text uses a placeholder render() does not replace"
    Pool().get('support.programme').check_placeholders(
        text, record, error=QuestionnaireValidationError)


class Questionnaire(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'questionnaire'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code",
        help="Used by the programme to find it, e.g. 'registration' for "
        "the registration diagnosis, 'monthly' for the monthly survey.")
    kind = fields.Selection([
            ('diagnosis', "Diagnosis"),
            ('survey', "Survey"),
            ('assessment', "Self-Assessment"),
            ], "Kind", required=True, sort=False)
    description = fields.Text("Description", translate=True,
        help="A sentence or two shown where the person chooses it, "
        "e.g. in the list of self-assessments.")
    intro = fields.Text("Introduction", translate=True,
        help="Sent before the first question.")
    outro = fields.Text("Closing Message", translate=True,
        help="Sent after the last answer.")
    questions = fields.One2Many('questionnaire.question', 'questionnaire',
        "Questions")
    scales = fields.One2Many('questionnaire.scale', 'questionnaire',
        "Scales")
    rules = fields.One2Many('questionnaire.rule', 'questionnaire',
        "Recommendation Rules")
    attribution = fields.Text("Source and Licence",
        help="Where the items come from and on what terms, "
        "e.g. 「出典：厚生労働省」.")
    show_scores = fields.Boolean("Show Results to the Person",
        help="Send each scale's band text when the person finishes.")
    show_top = fields.Integer("Only the Highest",
        domain=[If(Eval('show_top'), [('show_top', '>=', 1)], [])],
        states={'invisible': ~Eval('show_scores', False)},
        help="Tell only this many scales with the highest scores "
        "(and those tied with the last), e.g. the three strongest interest "
        "types (empty: every scale).")
    sensitive = fields.Boolean("Health Data",
        help="The answers are health data: responses, answers and scores "
        "are read by counselors only, and tallies show them to counselors "
        "only.")
    schedule_day = fields.Integer("Send on Day of Month",
        domain=[If(Eval('schedule_day'),
                [('schedule_day', '>=', 1), ('schedule_day', '<=', 28)],
                [])],
        help="Sent to every friend on this day each month "
        "(empty: not sent by schedule).")
    reminder_days = fields.Integer("Reminder After (days)",
        domain=[If(Eval('reminder_days'),
                [('reminder_days', '>=', 1)], [])],
        help="One reminder to those who have not answered.")
    invitation = fields.Text("Invitation", translate=True,
        help="The message that asks people to answer a scheduled send.")
    campaigns = fields.One2Many('questionnaire.campaign', 'questionnaire',
        "Sends", readonly=True)
    question_count = fields.Function(
        fields.Integer("Questions"), 'get_question_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.code),
                'sakai_questionnaire.msg_questionnaire_code_unique'),
            ]

    @classmethod
    def default_kind(cls):
        return 'survey'

    @classmethod
    def default_sensitive(cls):
        return False

    def get_question_count(self, name):
        return len(self.questions)

    @classmethod
    def get_by_code(cls, code):
        records = cls.search([('code', '=', code)], limit=1)
        return records[0] if records else None

    def first_question(self):
        return self.questions[0] if self.questions else None

    def next_question(self, question, choices=()):
        """The question after question: a branch of the chosen choice, the
        question's own next, or the following one in order"""
        for choice in choices:
            if choice.next_question:
                return choice.next_question
        if question.next_question:
            return question.next_question
        questions = list(self.questions)
        index = questions.index(question)
        if index + 1 < len(questions):
            return questions[index + 1]
        return None

    def path_from(self, question):
        """The questions asked from question on (itself included) when no
        later answer branches: what a progress counter can count on"""
        path = []
        while question is not None:
            path.append(question)
            question = self.next_question(question)
        return path

    def path_length(self):
        "How many questions someone is asked when no answer branches"
        first = self.first_question()
        return len(self.path_from(first)) if first else 0

    @classmethod
    def validate(cls, questionnaires):
        super().validate(questionnaires)
        for questionnaire in questionnaires:
            questionnaire.check_branches()

    @classmethod
    def validate_fields(cls, questionnaires, field_names):
        super().validate_fields(questionnaires, field_names)
        if field_names is None or field_names & {'intro', 'outro'}:
            for questionnaire in questionnaires:
                check_placeholders(questionnaire.intro, questionnaire)
                check_placeholders(questionnaire.outro, questionnaire)

    def check_branches(self):
        "Branches go forward only, so every conversation ends"
        order = {q.id: i for i, q in enumerate(self.questions)}
        for question in self.questions:
            targets = [question.next_question] + [
                c.next_question for c in question.choices]
            for target in filter(None, targets):
                if order.get(target.id, -1) <= order[question.id]:
                    raise QuestionnaireValidationError(gettext(
                            'sakai_questionnaire.msg_questionnaire_branch_backwards',
                            question=question.rec_name,
                            target=target.rec_name))


class Question(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'questionnaire.question'
    __string__ = "Question"

    questionnaire = fields.Many2One('questionnaire', "Questionnaire",
        required=True, ondelete='CASCADE')
    code = fields.Char("Code", help="A short name for reports.")
    text = fields.Text("Question", required=True, translate=True)
    type = fields.Selection([
            ('single', "Single Choice"),
            ('multiple', "Multiple Choice"),
            ('scale', "Scale"),
            ('number', "Number"),
            ('date', "Date"),
            ('text', "Free Text"),
            ], "Type", required=True, sort=False)
    required = fields.Boolean("Required",
        help="Without it, the person can skip the question.")
    choices = fields.One2Many('questionnaire.choice', 'question', "Choices",
        states={
            'invisible': ~Eval('type').in_(['single', 'multiple']),
            })
    scale_min = fields.Integer("From",
        states={
            'invisible': Eval('type') != 'scale',
            'required': Eval('type') == 'scale',
            })
    scale_max = fields.Integer("To",
        domain=[If(Eval('type') == 'scale',
                [('scale_max', '>', Eval('scale_min', 0))], [])],
        states={
            'invisible': Eval('type') != 'scale',
            'required': Eval('type') == 'scale',
            })
    scale_labels = fields.Char("Scale Labels", translate=True,
        states={'invisible': Eval('type') != 'scale'},
        help="The meaning of each point from the lowest, separated by "
        "'/', e.g. 'そうだ/まあそうだ/ややちがう/ちがう'.")
    number_min = fields.Float("Minimum",
        states={'invisible': Eval('type') != 'number'})
    number_max = fields.Float("Maximum",
        states={'invisible': Eval('type') != 'number'})
    unit = fields.Char("Unit", translate=True,
        states={'invisible': Eval('type') != 'number'},
        help="e.g. 人, 歳, 時間")
    scale = fields.Many2One('questionnaire.scale', "Scored On",
        domain=[('questionnaire', '=', Eval('questionnaire', -1))],
        states={'invisible': ~Eval('type').in_(['scale', 'single'])},
        help="The scale this item adds to.")
    reverse = fields.Boolean("Reverse-Keyed",
        states={'invisible': Eval('type') != 'scale'},
        help="Scored from the other end (lowest point counts highest).")
    next_question = fields.Many2One('questionnaire.question', "Then Go To",
        domain=[('questionnaire', '=', Eval('questionnaire', -1))],
        help="Skip ahead to this question (empty: the next one).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('questionnaire')

    @classmethod
    def default_type(cls):
        return 'single'

    @classmethod
    def default_required(cls):
        return True

    def get_rec_name(self, name):
        text = (self.text or '').replace('\n', ' ')
        return text if len(text) <= 30 else text[:29] + '…'

    @property
    def points(self):
        "The points of a scale question with their labels"
        labels = [l.strip() for l in (self.scale_labels or '').split('/')]
        points = []
        for i, value in enumerate(range(self.scale_min, self.scale_max + 1)):
            label = labels[i] if i < len(labels) and labels[i] else ''
            points.append((value, label))
        return points

    def point_labels(self):
        "The labels of the buttons of a scale question"
        return [('%s %s' % (value, label)).strip()
            for value, label in self.points]

    def score_of(self, number=None, choice=None):
        "The item's contribution to its scale, or None"
        if self.type == 'scale' and number is not None:
            value = int(number)
            if self.reverse:
                value = self.scale_min + self.scale_max - value
            return value
        if self.type == 'single' and choice and choice.score is not None:
            return choice.score
        return None

    @classmethod
    def validate(cls, questions):
        super().validate(questions)
        for questionnaire in {q.questionnaire for q in questions}:
            questionnaire.check_branches()

    @classmethod
    def validate_fields(cls, questions, field_names):
        super().validate_fields(questions, field_names)
        for question in questions:
            if (question.type in {'single', 'multiple'}
                    and len(question.choices) > 12):
                raise QuestionnaireValidationError(gettext(
                        'sakai_questionnaire.msg_question_choices',
                        question=question.rec_name))
            if (question.type == 'scale' and question.scale_min is not None
                    and question.scale_max is not None
                    and question.scale_max - question.scale_min + 1
                    > MAX_QUICK_CHOICES):
                raise QuestionnaireValidationError(gettext(
                        'sakai_questionnaire.msg_question_scale_points',
                        question=question.rec_name,
                        maximum=MAX_QUICK_CHOICES))
            if (question.type == 'scale' and question.scale_min is not None
                    and question.scale_max is not None
                    and question.scale_max >= question.scale_min):
                for label in question.point_labels():
                    if len(label) > MAX_LABEL:
                        raise QuestionnaireValidationError(gettext(
                                'sakai_questionnaire.msg_question_scale_label',
                                question=question.rec_name,
                                label=label, maximum=MAX_LABEL))


class Choice(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'questionnaire.choice'
    __string__ = "Choice"

    question = fields.Many2One('questionnaire.question', "Question",
        required=True, ondelete='CASCADE')
    label = fields.Char("Label", required=True, translate=True,
        help="Shown on the button (at most 20 characters).")
    code = fields.Char("Code", help="A short name for reports and rules.")
    score = fields.Integer("Score",
        help="Added to the question's scale when chosen.")
    exclusive = fields.Boolean("Exclusive",
        help="For multiple choice: choosing it ends the question "
        "(e.g. 「特になし」).")
    next_question = fields.Many2One('questionnaire.question', "Then Go To",
        help="Branch: after this choice, go on with that question.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('question')

    def get_rec_name(self, name):
        return self.label

    @classmethod
    def validate(cls, choices):
        super().validate(choices)
        for questionnaire in {c.question.questionnaire for c in choices}:
            questionnaire.check_branches()

    @classmethod
    def validate_fields(cls, choices, field_names):
        super().validate_fields(choices, field_names)
        for choice in choices:
            if len(choice.label or '') > MAX_LABEL:
                raise QuestionnaireValidationError(gettext(
                        'sakai_questionnaire.msg_choice_label',
                        label=choice.label, maximum=MAX_LABEL))


class Scale(ModelSQL, ModelView):
    __name__ = 'questionnaire.scale'

    questionnaire = fields.Many2One('questionnaire', "Questionnaire",
        required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code")
    bands = fields.One2Many('questionnaire.band', 'scale', "Bands")
    parts = fields.Many2Many('questionnaire.scale.part', 'scale', 'part',
        "Sum Of",
        domain=[
            ('questionnaire', '=', Eval('questionnaire', -1)),
            ('id', '!=', Eval('id', -1)),
            ],
        help="Scales whose scores this scale adds up (e.g. A+C of the "
        "stress check), besides any items scored on it.\n"
        "It has a score only when each of them has one.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('questionnaire')

    @classmethod
    def validate(cls, scales):
        super().validate(scales)
        for scale in scales:
            scale.check_parts()

    def check_parts(self):
        "A scale is not, even through others, a part of itself"
        seen, todo = set(), list(self.parts)
        while todo:
            part = todo.pop()
            if part == self:
                raise QuestionnaireValidationError(gettext(
                        'sakai_questionnaire.msg_scale_parts_cycle',
                        scale=self.rec_name))
            if part.id not in seen:
                seen.add(part.id)
                todo.extend(part.parts)

    def band_of(self, value):
        for band in self.bands:
            if ((band.minimum is None or value >= band.minimum)
                    and (band.maximum is None or value <= band.maximum)):
                return band
        return None


class ScalePart(ModelSQL):
    __name__ = 'questionnaire.scale.part'
    __string__ = "Questionnaire Scale - Part"

    scale = fields.Many2One('questionnaire.scale', "Scale", required=True,
        ondelete='CASCADE')
    part = fields.Many2One('questionnaire.scale', "Part", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('scale')


class Band(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'questionnaire.band'
    __string__ = "Questionnaire Scale Band"

    scale = fields.Many2One('questionnaire.scale', "Scale", required=True,
        ondelete='CASCADE')
    minimum = fields.Float("From", help="Empty: no lower bound.")
    maximum = fields.Float("To", help="Empty: no upper bound.")
    name = fields.Char("Name", required=True, translate=True)
    text = fields.Text("Text", translate=True,
        help="Told to the person whose score falls in the band.\n"
        "${office_phone}, ${office_address}, ${name} (of the programme) and "
        "${municipality} are replaced with the programme's settings; "
        "a line with a placeholder that has no value is left out.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('scale')

    @classmethod
    def validate_fields(cls, bands, field_names):
        super().validate_fields(bands, field_names)
        if field_names is None or 'text' in field_names:
            for band in bands:
                check_placeholders(band.text, band)
