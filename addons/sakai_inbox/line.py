# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""What people write reaches staff: words of crisis at once, whatever
else is going on (the contacts and an urgent inquiry); a conversation with
staff goes on; an answer to one of our pushes goes to staff; and what no
module answers is handed over.  「該当なし・担当者につなぐ」 hands over the
question last asked."""
import datetime as dt

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta

HANDOVER = 'handover'
# A message this soon after one of our pushes answers it
REPLY_TO_PUSH_WITHIN = dt.timedelta(hours=24)


class Event(metaclass=PoolMeta):
    __name__ = 'line.event'

    def _handle_text(self, user, text):
        pool = Pool()
        Inquiry = pool.get('line.inquiry')
        Response = pool.get('questionnaire.response')
        kinds = Inquiry.crisis_kinds(text)
        if kinds:
            # A questionnaire waits (「再開」 goes on): the contacts come
            # first and alone
            response = Response.active_for(user)
            if response:
                response.state = 'paused'
                response.save()
            return Inquiry.receive(user, text, 'distress', self, kinds=kinds)
        messages = super()._handle_text(user, text)
        if messages is not None:
            return messages
        if Inquiry.current(user) or self._replies_to_push(user):
            return Inquiry.receive(user, text, 'message', self)
        return self._answer_text(user, text)

    def _answer_text(self, user, text, reason=None):
        """Free text nobody else answered: modules may answer it (the FAQ)
        before it is handed over to staff for reason"""
        Inquiry = Pool().get('line.inquiry')
        return Inquiry.receive(user, text, reason or 'not_found', self)

    def _replies_to_push(self, user):
        """Did we push to the person (a broadcast, a survey, a staff
        message) since they last wrote, within a day?  Then what they
        write answers it and goes to staff."""
        Recipient = Pool().get('line.message.recipient')
        since = self.occurred_at - REPLY_TO_PUSH_WITHIN
        earlier = self.search([
                ('line_user', '=', user.id),
                ('type', '=', 'message'),
                ('id', '!=', self.id),
                ('occurred_at', '>=', since),
                ], order=[('occurred_at', 'DESC')], limit=1)
        if earlier:
            since = earlier[0].occurred_at
        return bool(Recipient.search([
                    ('line_user', '=', user.id),
                    ('state', '=', 'sent'),
                    ('message.conversation', '!=', True),
                    ('batch.method', 'in', ['push', 'multicast']),
                    ('batch.sent_at', '>=', since),
                    ], limit=1))

    @classmethod
    def _postback_routes(cls):
        return super()._postback_routes() + [(HANDOVER, '_postback_handover')]

    def _postback_handover(self, user, value, params):
        "「該当なし・担当者につなぐ」: the last question goes to a person"
        Inquiry = Pool().get('line.inquiry')
        text = self._last_text(user) or gettext(
            'sakai_inbox.msg_inquiry_handover_request')
        messages = Inquiry.receive(user, text, 'request', self)
        # with staff now (the inquiry holds it)
        self._forget_texts(user)
        return messages
