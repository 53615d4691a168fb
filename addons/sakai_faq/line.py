# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The FAQ answers free text before it is handed to staff: one sure
answer, or the closest questions with 「該当なし・担当者につなぐ」 (the
question is kept for that hand-over); the menu's よくある質問 lists the
questions by category."""
from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

from sakai_inbox.line import HANDOVER
from sakai_line.builders import quick_postback, text_message
from sakai_line.event import note

FAQ = 'faq='


def faq_answer(entry):
    """The FAQ's answer, with a button to each feature it names (the
    person's menu may not have it) and a way to a person if it does not
    help"""
    items = [quick_postback(label, data) for label, data in entry.shortcuts()]
    items.append(quick_postback(
            gettext('sakai_faq.msg_faq_talk_to_staff'), HANDOVER))
    return text_message(entry.answer_text, items)


def faq_choices(entries):
    "Not sure: the closest questions, and 「該当なし・担当者につなぐ」"
    items = [quick_postback(e.question, FAQ + str(e.id), e.question)
        for e in entries[:3]]
    items.append(quick_postback(
            gettext('sakai_faq.msg_faq_none_of_these'), HANDOVER))
    lines = [gettext('sakai_faq.msg_faq_did_you_mean')]
    lines += ['・' + e.question for e in entries[:3]]
    return text_message('\n'.join(lines), items)


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    def _answer_text(self, user, text, reason=None):
        Entry = Pool().get('faq.entry')
        kind, entries, why = Entry.decide(text)
        if kind == 'answer':
            return [faq_answer(entries[0])]
        if kind == 'choices':
            # kept for 「該当なし・担当者につなぐ」 (see _postback_handover)
            note('keep_text', True)
            return [faq_choices(entries)]
        return super()._answer_text(user, text, reason=why or reason)

    @classmethod
    def _postback_routes(cls):
        return super()._postback_routes() + [(FAQ, '_postback_faq')]

    def _postback_faq(self, user, value, params):
        Entry = Pool().get('faq.entry')
        if not value.isdigit():
            return None
        entries = Entry.search([('id', '=', int(value))])
        return [faq_answer(entries[0])] if entries else []

    def _menu_faq(self, user):
        "よくある質問: the questions by category, and the question box"
        Entry = Pool().get('faq.entry')
        carousel = Entry.line_carousel()
        invitation = text_message(gettext('sakai_faq.msg_faq_menu'))
        return [invitation, carousel] if carousel else [invitation]
