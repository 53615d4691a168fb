# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Recommendation rules: from a person's answers to the features that fit.

Rules are data staff edit: each has conditions on the answers (choices
picked, a number or a scale score in a range) and recommends a feature
with a short explanation and a button that starts it; it may also switch
the person's rich menu.  A rule shown as a message instead tells a result
that is not an offer (e.g. a self-check's outcome with where to get help)
in a plain message of its own.
"""
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pyson import Eval

from sakai_line.builders import (
    postback_button, quick_postback, text_message)

from .questionnaire import check_placeholders, render


class Rule(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'questionnaire.rule'
    __string__ = "Recommendation Rule"

    questionnaire = fields.Many2One('questionnaire', "Questionnaire",
        required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True,
        help="For staff, e.g. 'Looking for work now'.")
    match = fields.Selection([
            ('all', "All Conditions"),
            ('any', "Any Condition"),
            ], "Applies When", required=True, sort=False)
    conditions = fields.One2Many('questionnaire.rule.condition', 'rule',
        "Conditions", help="Without conditions the rule always applies.")
    feature = fields.Char("Feature", required=True,
        help="What is recommended, e.g. counseling, job_introduction, "
        "seminar, exchange_meeting, aptitude.")
    display = fields.Selection([
            ('card', "Card"),
            ('message', "Message"),
            ], "Shown As", required=True, sort=False,
        help="Card: among the recommended features, with its button.\n"
        "Message: a plain message of its own, for a result that is not an "
        "offer (e.g. where to get help); the button, if any, becomes a "
        "quick reply.")
    title = fields.Char("Title", required=True, translate=True)
    explanation = fields.Text("Explanation", required=True, translate=True,
        help="${office_phone}, ${office_address}, ${name} (of the "
        "programme) and ${municipality} are replaced with the programme's "
        "settings; a line with a placeholder that has no value is left "
        "out.")
    button_label = fields.Char("Button", translate=True,
        states={'required': Eval('display') == 'card'},
        help="At most 20 characters.")
    action = fields.Char("Starts",
        states={'required': Eval('display') == 'card'},
        help="What the button starts, as a rich menu area does, "
        "e.g. menu=booking.")
    rich_menu = fields.Many2One('line.rich_menu', "Switch Rich Menu To",
        ondelete='SET NULL',
        help="The first applying rule with a menu chooses the person's menu.")
    stop = fields.Boolean("Stop Here",
        help="Later rules are not looked at when this one applies.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('questionnaire')

    @classmethod
    def default_match(cls):
        return 'all'

    @classmethod
    def default_display(cls):
        return 'card'

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        if field_names is None or 'explanation' in field_names:
            for rule in rules:
                check_placeholders(rule.explanation, rule)

    def applies(self, response):
        results = [c.holds(response) for c in self.conditions]
        if not results:
            return True
        return all(results) if self.match == 'all' else any(results)

    def as_bubble(self):
        "A Flex bubble: title, explanation and the button that starts it"
        return {
            'type': 'bubble',
            'size': 'kilo',
            'body': {
                'type': 'box', 'layout': 'vertical', 'spacing': 'sm',
                'contents': [
                    {'type': 'text', 'text': self.title, 'weight': 'bold',
                        'size': 'md', 'wrap': True, 'color': '#1f8f5f'},
                    {'type': 'text', 'text': render(self.explanation),
                        'size': 'sm', 'wrap': True, 'color': '#555555'},
                    ],
                },
            'footer': {
                'type': 'box', 'layout': 'vertical',
                'contents': [
                    postback_button(self.button_label, self.action)],
                },
            }

    def as_message(self):
        """A plain text message: title and explanation, the button as a
        quick reply"""
        items = None
        if self.button_label and self.action:
            items = [quick_postback(self.button_label, self.action)]
        return text_message(
            '%s\n%s' % (self.title, render(self.explanation)), items)


class Condition(ModelSQL, ModelView):
    __name__ = 'questionnaire.rule.condition'
    __string__ = "Recommendation Rule Condition"

    rule = fields.Many2One('questionnaire.rule', "Rule", required=True,
        ondelete='CASCADE')
    kind = fields.Selection([
            ('choice', "Answer Is One Of"),
            ('not_choice', "Answer Is None Of"),
            ('number', "Number Between"),
            ('score', "Score Between"),
            ], "Kind", required=True, sort=False)
    question = fields.Many2One('questionnaire.question', "Question",
        states={
            'invisible': Eval('kind') == 'score',
            'required': Eval('kind') != 'score',
            })
    choices = fields.Many2Many('questionnaire.rule.condition-choice',
        'condition', 'choice', "Choices",
        domain=[('question', '=', Eval('question', -1))],
        states={
            'invisible': ~Eval('kind').in_(['choice', 'not_choice']),
            })
    scale = fields.Many2One('questionnaire.scale', "Scale",
        states={
            'invisible': Eval('kind') != 'score',
            'required': Eval('kind') == 'score',
            })
    minimum = fields.Float("From",
        states={'invisible': ~Eval('kind').in_(['number', 'score'])})
    maximum = fields.Float("To",
        states={'invisible': ~Eval('kind').in_(['number', 'score'])})

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('rule')

    @classmethod
    def default_kind(cls):
        return 'choice'

    def holds(self, response):
        if self.kind == 'score':
            value = response.score_value(self.scale)
            return value is not None and self._between(value)
        answer = response.answer_to(self.question)
        if self.kind == 'number':
            return (answer is not None and answer.number is not None
                and self._between(answer.number))
        chosen = set(answer.chosen_ids()) if answer else set()
        wanted = {c.id for c in self.choices}
        if self.kind == 'choice':
            return bool(chosen & wanted)
        return (answer is not None and not answer.skipped
            and not (chosen & wanted))

    def _between(self, value):
        return ((self.minimum is None or value >= self.minimum)
            and (self.maximum is None or value <= self.maximum))


class ConditionChoice(ModelSQL):
    __name__ = 'questionnaire.rule.condition-choice'
    __string__ = "Recommendation Rule Condition - Choice"

    condition = fields.Many2One('questionnaire.rule.condition', "Condition",
        required=True, ondelete='CASCADE')
    choice = fields.Many2One('questionnaire.choice', "Choice",
        required=True, ondelete='CASCADE')
