# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Tallies of finished responses: how many chose each choice, and the
number of answers and average of each question, for a questionnaire, a
scheduled send or a period.  Lists export to a spreadsheet as any list."""
import datetime as dt

from sql import Literal
from sql.aggregate import Avg, Count
from sql.conditionals import Coalesce

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction


class TallyContext(ModelView):
    __name__ = 'questionnaire.tally.context'

    questionnaire = fields.Many2One('questionnaire', "Questionnaire",
        required=True)
    campaign = fields.Many2One('questionnaire.campaign', "Send",
        domain=[('questionnaire', '=', Eval('questionnaire', -1))])
    from_date = fields.Date("From")
    to_date = fields.Date("To")

    @classmethod
    def default_questionnaire(cls):
        Questionnaire = Pool().get('questionnaire')
        questionnaire = Questionnaire.get_by_code('monthly')
        return questionnaire.id if questionnaire else None


def _done_responses(response):
    "Finished responses within the context's questionnaire, send and dates"
    context = Transaction().context
    where = (response.state == 'done') & (
        response.questionnaire == context.get('questionnaire', -1))
    if context.get('campaign'):
        where &= response.campaign == context['campaign']
    if context.get('from_date'):
        where &= response.finished_at >= context['from_date']
    if context.get('to_date'):
        # the whole last day
        where &= response.finished_at < context['to_date'] + dt.timedelta(days=1)
    return where


class ChoiceTally(ModelSQL, ModelView):
    __name__ = 'questionnaire.tally.choice'
    __string__ = "Questionnaire Choice Tally"

    question = fields.Many2One('questionnaire.question', "Question")
    choice = fields.Many2One('questionnaire.choice', "Choice")
    count = fields.Integer("Chosen")
    share = fields.Function(
        fields.Float("Share", digits=(1, 3)), 'get_share')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('question', 'ASC'), ('choice', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Response = pool.get('questionnaire.response')
        Answer = pool.get('questionnaire.response.answer')
        AnswerChoice = pool.get('questionnaire.response.answer-choice')
        Choice = pool.get('questionnaire.choice')
        Question = pool.get('questionnaire.question')
        response = Response.__table__()
        answer = Answer.__table__()
        chosen = AnswerChoice.__table__()
        choice = Choice.__table__()
        counted = (answer
            .join(response, condition=answer.response == response.id)
            .join(chosen, condition=chosen.answer == answer.id)
            .select(chosen.choice.as_('choice'), Count(answer.id).as_('n'),
                where=_done_responses(response),
                group_by=[chosen.choice]))
        question = Question.__table__()
        questionnaire = Transaction().context.get('questionnaire', -1)
        return (choice
            .join(question, condition=choice.question == question.id)
            .join(counted, 'LEFT', condition=counted.choice == choice.id)
            .select(
                choice.id.as_('id'),
                choice.question.as_('question'),
                choice.id.as_('choice'),
                Coalesce(counted.n, 0).as_('count'),
                where=question.questionnaire == questionnaire))

    @classmethod
    def get_share(cls, tallies, name):
        "Share of those who answered the question who picked the choice"
        pool = Pool()
        QuestionTally = pool.get('questionnaire.tally.question')
        answered = {t.id: t.answered for t in QuestionTally.browse(
                list({t.question.id for t in tallies}))}
        return {t.id: (t.count / answered[t.question.id]
                if answered.get(t.question.id) else None) for t in tallies}


class QuestionTally(ModelSQL, ModelView):
    __name__ = 'questionnaire.tally.question'
    __string__ = "Questionnaire Question Tally"

    question = fields.Many2One('questionnaire.question', "Question")
    type = fields.Function(fields.Selection('get_types', "Type"),
        'get_type')
    answered = fields.Integer("Answered")
    skipped = fields.Integer("Skipped")
    average = fields.Float("Average", digits=(16, 2),
        help="Of numbers and scale points.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('question', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_types(cls):
        Question = Pool().get('questionnaire.question')
        return Question.fields_get(['type'])['type']['selection']

    def get_type(self, name):
        return self.question.type

    @classmethod
    def table_query(cls):
        pool = Pool()
        Response = pool.get('questionnaire.response')
        Answer = pool.get('questionnaire.response.answer')
        Question = pool.get('questionnaire.question')
        response = Response.__table__()
        answer = Answer.__table__()
        question = Question.__table__()
        counted = (answer
            .join(response, condition=answer.response == response.id)
            .select(answer.question.as_('question'),
                Count(answer.id, filter_=answer.skipped != Literal(True)
                    ).as_('answered'),
                Count(answer.id, filter_=answer.skipped == Literal(True)
                    ).as_('skipped'),
                Avg(answer.number).as_('average'),
                where=_done_responses(response),
                group_by=[answer.question]))
        context = Transaction().context
        return (question
            .join(counted, 'LEFT', condition=counted.question == question.id)
            .select(
                question.id.as_('id'),
                question.id.as_('question'),
                Coalesce(counted.answered, 0).as_('answered'),
                Coalesce(counted.skipped, 0).as_('skipped'),
                counted.average.as_('average'),
                where=question.questionnaire
                == context.get('questionnaire', -1)))
