# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The FAQ the LINE bot answers from (Sakai spec 7(1)③(イ)).

Staff keep the entries: a question, other ways people ask it, the answer
LINE sends.  ``faq.entry.decide(text)`` says what the bot does with a
message (faq_search.decide over an index of the active entries, rebuilt
when they change and kept once per process and database).
"""
import re
import threading

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from sakai_line.builders import carousel

from . import faq_search
from .exceptions import FAQValidationError

# ${name} in an answer is replaced with the programme's field of that name
# A label quoted in an answer: 「相談予約」 or 『相談予約』
QUOTED = re.compile(r'「([^「」]+)」|『([^『』]+)』')
# LINE: at most 13 quick replies; one is left for 「担当者に相談する」
MAX_SHORTCUTS = 12
# LINE: a text message holds at most 5,000 characters
MAX_ANSWER = 5000
# A bubble of more than about ten buttons no longer fits a phone's screen
QUESTIONS_PER_BUBBLE = 10
# The postback of an entry's button (line.FAQ: the bot answers it)
ENTRY_POSTBACK = 'faq=%s'

# database name → (key, faq_search.Index); the key is what the index was
# built from, so any edit, new entry or deactivation rebuilds it
_indexes = {}
_indexes_lock = threading.Lock()


class Category(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'faq.category'
    __string__ = "FAQ Category"

    name = fields.Char("Name", required=True)
    entries = fields.One2Many('faq.entry', 'category', "Entries")


class Entry(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'faq.entry'
    __string__ = "FAQ Entry"

    category = fields.Many2One('faq.category', "Category",
        ondelete='RESTRICT')
    question = fields.Char("Question", required=True,
        help="The usual wording of the question.\n"
        "At most 20 characters reads whole on a LINE button when the bot "
        "offers choices.")
    alternatives = fields.Text("Alternative Phrasings",
        help="Other ways people ask the same thing, one per line.\n"
        "The bot compares a message with the question and each line.")
    answer = fields.Text("Answer", required=True,
        help="The text LINE sends.\n"
        "${office_phone}, ${office_address}, ${name} (of the programme) and "
        "${municipality} are replaced with the programme's settings.")
    answer_text = fields.Function(fields.Text("Answer as Sent"),
        'get_answer_text')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Entries follow the order of their categories
        cls._order[0:0] = [
            ('category.sequence', 'ASC NULLS LAST'),
            ('category', 'ASC NULLS LAST'),
            ]

    def get_rec_name(self, name):
        return self.question

    def quoted(self):
        "The labels the answer quotes, in order"
        return [a or b for a, b in QUOTED.findall(self.answer or '')]

    def shortcuts(self):
        """[(label, postback data)] of the rich menu features the answer
        names: LINE shows them as buttons under the answer, as not every
        menu has every feature"""
        Area = Pool().get('line.rich_menu.area')
        labels = list(dict.fromkeys(self.quoted()))
        if not labels:
            return []
        areas = Area.search([
                ('label', 'in', labels),
                ('action', '=', 'postback'),
                ('menu.active', '=', True),
                ], order=[('menu', 'ASC'), ('sequence', 'ASC')])
        data = {}
        for area in areas:
            data.setdefault(area.label, area.data)
        return [(label, data[label]) for label in labels
            if label in data][:MAX_SHORTCUTS]

    @classmethod
    def line_carousel(cls):
        """The FAQ as LINE shows it from the rich menu: a Flex carousel,
        a bubble per category with its questions as buttons that answer;
        None when there is no entry"""
        groups, uncategorised = [], []
        for entry in cls.search([]):
            category = entry.category
            if not category or not category.active:
                uncategorised.append(entry)
            elif groups and groups[-1][0] == category:
                groups[-1][1].append(entry)
            else:
                groups.append((category, [entry]))
        groups = [(c.name, e) for c, e in groups]
        if uncategorised:
            groups.append((
                    gettext('sakai_faq.msg_faq_menu_other'), uncategorised))
        bubbles = []
        for title, entries in groups:
            for i in range(0, len(entries), QUESTIONS_PER_BUBBLE):
                bubbles.append(faq_bubble(
                        title, entries[i:i + QUESTIONS_PER_BUBBLE]))
        if not bubbles:
            return None
        return carousel(gettext('sakai_faq.msg_faq_menu_alt'), bubbles)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('question', operator, operand, *extra),
            ('alternatives', operator, operand, *extra),
            ]

    @property
    def texts(self):
        "What the bot matches messages against"
        return [self.question or ''] + [line.strip()
            for line in (self.alternatives or '').splitlines()
            if line.strip()]

    @classmethod
    def get_answer_text(cls, entries, name):
        values = Pool().get('support.programme').placeholder_values()
        return {e.id: cls.render(e.answer, values) for e in entries}

    @classmethod
    def render(cls, text, values=None):
        "text with the ${…} placeholders replaced"
        return Pool().get('support.programme').render(text, values)

    def render_answer(self):
        "The answer LINE sends, placeholders replaced"
        return self.render(self.answer)

    @classmethod
    def validate_fields(cls, entries, field_names):
        super().validate_fields(entries, field_names)
        if field_names is None or 'answer' in field_names:
            for entry in entries:
                entry.check_answer()

    def check_answer(self):
        Pool().get('support.programme').check_placeholders(
            self.answer, self, error=FAQValidationError)
        if len(self.render_answer()) > MAX_ANSWER:
            raise FAQValidationError(gettext(
                    'sakai_faq.msg_faq_entry_answer_too_long',
                    entry=self.rec_name, maximum=MAX_ANSWER))

    @classmethod
    def get_index(cls):
        "The search index over the active entries, built when they changed"
        entries = cls.search([], order=[('id', 'ASC')])
        documents = [(e.id, e.texts) for e in entries]
        key = (faq_search.default_backend(),
            tuple((i, tuple(t)) for i, t in documents))
        database = Transaction().database.name
        cached = _indexes.get(database)
        if cached and cached[0] == key:
            return cached[1]
        with _indexes_lock:
            cached = _indexes.get(database)
            if cached and cached[0] == key:
                return cached[1]
            index = faq_search.Index(documents, backend=key[0])
            _indexes[database] = (key, index)
            return index

    @classmethod
    def search_entries(cls, text, limit=3):
        "[(entry, score)] of the closest active entries, best first"
        hits = cls.get_index().search(text, limit=limit)
        entries = cls.browse([entry_id for entry_id, _ in hits])
        return [(e, score) for e, (_, score) in zip(entries, hits)]

    @classmethod
    def decide(cls, text):
        """What the LINE bot does with text: (kind, entries, reason).

        kind 'answer': entries holds the entry to answer with;
        'choices': the (up to 3) closest entries to offer;
        'handover': no entry; reason is 'request' (asked for a person),
        'distress' (add the emergency contacts), 'own_case' or
        'not_found'."""
        decision = faq_search.decide(text, cls.get_index())
        return decision.kind, cls.browse(decision.entries), decision.reason


def faq_bubble(title, entries):
    "A Flex bubble of a category: its title, a button per question"
    buttons = [{'type': 'button', 'style': 'link', 'height': 'sm',
            'action': {'type': 'postback', 'label': e.question[:40],
                'displayText': e.question[:300],
                'data': ENTRY_POSTBACK % e.id}}
        for e in entries]
    return {'type': 'bubble', 'size': 'mega',
        'header': {'type': 'box', 'layout': 'vertical', 'contents': [
                {'type': 'text', 'text': title, 'weight': 'bold',
                    'wrap': True, 'color': '#1f8f5f'}]},
        'body': {'type': 'box', 'layout': 'vertical', 'spacing': 'none',
            'contents': buttons}}


class TestStart(ModelView):
    __name__ = 'faq.test.start'
    __string__ = "Try the FAQ Bot"

    message = fields.Char("Message",
        help="Type a message as a citizen would write it on LINE.")
    decision = fields.Char("Decision", readonly=True)
    result = fields.Text("Closest Entries", readonly=True)

    @fields.depends('message')
    def on_change_message(self):
        Entry = Pool().get('faq.entry')
        self.decision = self.result = None
        if not self.message:
            return
        kind, entries, reason = Entry.decide(self.message)
        self.decision = '%s (%s)' % (kind, reason)
        if kind == 'answer':
            self.decision += ': %s' % entries[0].question
        index = Entry.get_index()
        lines = ['%.3f  %s' % (score, entry.question)
            for entry, score in Entry.search_entries(self.message, 5)]
        thresholds = index.thresholds
        lines.append('')
        lines.append(
            'backend %s; answer >= %.3f (and %.3f ahead), choices >= %.3f'
            % (index.backend, thresholds.answer, thresholds.margin,
                thresholds.choices))
        self.result = '\n'.join(lines)


class Test(Wizard):
    __name__ = 'faq.test'

    start = StateView('faq.test.start',
        'sakai_faq.faq_test_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])
