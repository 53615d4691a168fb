# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Outbound LINE messages: one model and one queue for everything we send.

A message goes to one or many LINE users.  It is split into batches: a
reply while the reply token is fresh (free), else a push for one person or
multicasts of at most 500 people.  Each push or multicast batch keeps the
X-Line-Retry-Key it was first sent with, so sending it again after a crash
or a time-out is answered by LINE with 409 and never delivered twice.

Messages are written by the service's own code only (answers in a
conversation, staff replies from the inbox, surveys, reminders): no staff
group creates or sends one by hand, and the queue retries by itself.  The
content copies what it answers; a message written from answers to a
health questionnaire (stress check) is marked ``sensitive`` and, like its
source, read by counselors only; the system administrator who operates the
channel sees states, batches and errors but no content (field access).
"""
import datetime as dt
import json
import threading
import time
import uuid

from sql import Null

from linebot.v3.messaging import (
    MessagingApi, MulticastRequest, PushMessageRequest, ReplyMessageRequest)
from linebot.v3.messaging.exceptions import ApiException

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .configuration import utcnow
from .exceptions import MessageValidationError
from .retry import LINE_CALLS, is_retryable, lower_keys, retry_after

MULTICAST_SIZE = 500
MAX_MESSAGES = 5
# A reply token lives about a minute; keep a margin for the round trip
REPLY_TOKEN_LIFETIME = dt.timedelta(seconds=50)
# LINE's rate limits per channel (requests per second); linking rich
# menus, one person or up to 500, is among LINE's "other endpoints"
RATE_LIMITS = {'push': 2000, 'multicast': 200, 'reply': 2000,
    'link': 2000, 'unlink': 2000, 'bulk_link': 2000, 'bulk_unlink': 2000}
# Retries (quick ones within the call, then later ones by the scheduler)
# follow retry.LINE_CALLS; a call never tried is left this long to the
# queue task before the scheduler takes it
QUEUE_GRACE = dt.timedelta(minutes=2)
CHUNK = 1000
REQUEST_TIMEOUT = 10


class RateLimiter:
    "Space the calls of this process so as not to exceed a rate"

    def __init__(self, rates):
        self._intervals = {k: 1 / v for k, v in rates.items()}
        self._next = {}
        self._lock = threading.Lock()

    def wait(self, method):
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next.get(method, now))
            self._next[method] = at + self._intervals[method]
        if at > now:
            time.sleep(at - now)


rate_limiter = RateLimiter(RATE_LIMITS)


class Message(Workflow, ModelSQL, ModelView):
    __name__ = 'line.message'
    __string__ = "LINE Message"

    _states = {'readonly': Eval('state') != 'draft'}

    description = fields.Char("Description", states=_states,
        help="What the message is about, for the staff.")
    # loading lazy: not read by every group (field access)
    content = fields.Text("Content", required=True, states=_states,
        loading='lazy',
        help="The LINE message objects as JSON (at most 5).")
    recipients = fields.One2Many('line.message.recipient', 'message',
        "Recipients", states=_states)
    conversation = fields.Boolean("Conversation", readonly=True,
        help="Sent in answer to what the person did on LINE.")
    reply_token = fields.Char("Reply Token", readonly=True, loading='lazy')
    reply_token_expires_at = fields.DateTime("Reply Token Expires At",
        readonly=True)
    batches = fields.One2Many('line.message.batch', 'message', "Batches",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('queued', "Queued"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    sent_at = fields.DateTime("Sent At", readonly=True)
    sensitive = fields.Boolean("Health Data", readonly=True,
        help="Written from answers to a health questionnaire: "
        "read by counselors only.")

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))
        cls._order.insert(0, ('create_date', 'DESC'))
        cls._transitions |= {
            ('draft', 'queued'),
            ('queued', 'sent'),
            ('queued', 'failed'),
            ('failed', 'queued'),
            }
        cls._buttons.update({
                'send': {
                    'invisible': ~Eval('state').in_(['draft', 'failed']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_sensitive(cls):
        return False

    @property
    def line_messages(self):
        return json.loads(self.content)

    @classmethod
    def validate_fields(cls, messages, field_names):
        super().validate_fields(messages, field_names)
        for message in messages:
            try:
                objects = message.line_messages
            except ValueError:
                objects = None
            if (not isinstance(objects, list)
                    or not 1 <= len(objects) <= MAX_MESSAGES):
                raise MessageValidationError(gettext(
                        'sakai_line.msg_message_content',
                        maximum=MAX_MESSAGES))

    @classmethod
    def compose(cls, line_users, messages, description=None,
            reply_token=None, reply_received_at=None, deliver=False,
            conversation=False, sensitive=False):
        """Create a queued message to line_users with LINE message objects

        deliver sends it at once, for callers already running in the queue;
        sensitive marks content written from health data.
        """
        message = cls(
            description=description, conversation=conversation,
            content=json.dumps(messages, ensure_ascii=False),
            sensitive=bool(sensitive))
        if reply_token and len(line_users) == 1:
            message.reply_token = reply_token
            message.reply_token_expires_at = (
                reply_received_at or utcnow()) + REPLY_TOKEN_LIFETIME
        message.save()
        Pool().get('line.message.recipient').add(message, line_users)
        cls.send([message])
        if deliver:
            cls.deliver([message])
        return message

    @classmethod
    @ModelView.button
    @Workflow.transition('queued')
    def send(cls, messages):
        "Plan the batches and queue the delivery"
        Batch = Pool().get('line.message.batch')
        failed = [b for m in messages for b in m.batches
            if b.state == 'failed']
        if failed:
            # Sent again by hand: a fresh series of attempts
            Batch.write(failed, {
                    'state': 'pending', 'attempts': 0,
                    'first_attempt_at': None, 'next_attempt_at': None})
        for message in messages:
            message._plan_batches()
        cls.__queue__.deliver(messages)

    def _plan_batches(self):
        "Skip blocked friends and group the others into batches"
        pool = Pool()
        Batch = pool.get('line.message.batch')
        Recipient = pool.get('line.message.recipient')
        pending = Recipient.unplanned(self)
        if not pending:
            return []
        if (len(pending) == 1 and self.reply_token
                and not self.batches
                and utcnow() < self.reply_token_expires_at):
            groups, method = [pending], 'reply'
        elif len(pending) == 1:
            groups, method = [pending], 'push'
        else:
            groups = [pending[i:i + MULTICAST_SIZE]
                for i in range(0, len(pending), MULTICAST_SIZE)]
            method = 'multicast'
        batches = Batch.create([{
                    'message': self.id,
                    'method': method,
                    'retry_key': (
                        str(uuid.uuid4()) if method != 'reply' else None),
                    } for _ in groups])
        for batch, ids in zip(batches, groups):
            Recipient.assign(batch, ids)
        return batches

    @classmethod
    def deliver(cls, messages):
        "Send the due batches of messages"
        Batch = Pool().get('line.message.batch')
        messages = cls.browse(messages)
        batches = Batch.due([b for m in messages for b in m.batches])
        Batch.deliver(batches)
        cls.update_state(messages)

    @classmethod
    def update_state(cls, messages):
        sent, failed = [], []
        for message in cls.browse(messages):
            if message.state != 'queued':
                continue
            states = {b.state for b in message.batches}
            if 'pending' in states:
                continue
            if 'failed' in states:
                failed.append(message)
            else:
                sent.append(message)
        if sent:
            cls.write(sent, {'sent_at': utcnow()})
            cls.mark_sent(sent)
        if failed:
            cls.mark_failed(failed)

    @classmethod
    @Workflow.transition('sent')
    def mark_sent(cls, messages):
        pass

    @classmethod
    @Workflow.transition('failed')
    def mark_failed(cls, messages):
        pass

    @classmethod
    def deliver_due(cls):
        """Scheduled: make the calls to LINE waiting for a retry: the
        messages' batches, then the rich-menu links"""
        pool = Pool()
        Batch = pool.get('line.message.batch')
        Link = pool.get('line.rich_menu.link')
        batches = Batch.search(Batch.due_domain())
        cls.deliver(list({b.message for b in batches}))
        Link.deliver(Link.search(Link.due_domain()))


class Recipient(ModelSQL, ModelView):
    __name__ = 'line.message.recipient'
    __string__ = "LINE Message Recipient"

    message = fields.Many2One('line.message', "Message", required=True,
        ondelete='CASCADE', readonly=True)
    line_user = fields.Many2One('line.user', "LINE User", required=True,
        ondelete='CASCADE')
    batch = fields.Many2One('line.message.batch', "Batch", readonly=True,
        ondelete='SET NULL')
    state = fields.Selection([
            ('pending', "Pending"),
            ('skipped', "Skipped (Blocked)"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('message')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.line_user, Index.Equality())))

    @classmethod
    def default_state(cls):
        return 'pending'

    # Broadcasts reach tens of thousands: these work in SQL, not records

    @classmethod
    def add(cls, message, line_users):
        "Add line_users (records or ids) as recipients of message"
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        ids = [int(u) for u in line_users]
        now = utcnow()
        for i in range(0, len(ids), CHUNK):
            cursor.execute(*table.insert(
                    [table.message, table.line_user, table.state,
                        table.create_uid, table.create_date],
                    [[message.id, u, 'pending', transaction.user, now]
                        for u in ids[i:i + CHUNK]]))

    @classmethod
    def unplanned(cls, message):
        """Mark the blocked recipients of message skipped and return the ids
        of the others not yet in a batch"""
        pool = Pool()
        LineUser = pool.get('line.user')
        table = cls.__table__()
        user = LineUser.__table__()
        cursor = Transaction().connection.cursor()
        unplanned = ((table.message == message.id)
            & (table.state == 'pending') & (table.batch == Null))
        cursor.execute(*table.update([table.state], ['skipped'],
                where=unplanned & table.line_user.in_(
                    user.select(user.id, where=user.state == 'blocked'))))
        cursor.execute(*table.select(table.id, where=unplanned,
                order_by=[table.id]))
        return [i for i, in cursor]

    @classmethod
    def assign(cls, batch, ids):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for i in range(0, len(ids), CHUNK):
            cursor.execute(*table.update([table.batch], [batch.id],
                    where=table.id.in_(ids[i:i + CHUNK])))

    @classmethod
    def set_batch_state(cls, batch, state):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.state], [state],
                where=table.batch == batch.id))

    @classmethod
    def line_ids(cls, batch):
        pool = Pool()
        LineUser = pool.get('line.user')
        table = cls.__table__()
        user = LineUser.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.join(user,
                condition=table.line_user == user.id).select(
                user.line_id, where=table.batch == batch.id,
                order_by=[table.id]))
        return [i for i, in cursor]


class OutboundCall:
    """A call to LINE made by the outbound queue: its state, and its tries
    as retry.LINE_CALLS plans them (quick ones within the call, later ones
    by the scheduler, deliver_due), spaced to LINE's rate limits"""
    __slots__ = ()

    state = fields.Selection([
            ('pending', "Pending"),
            ('sent', "Sent"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    first_attempt_at = fields.DateTime("First Attempt At", readonly=True)
    next_attempt_at = fields.DateTime("Next Attempt At", readonly=True)
    sent_at = fields.DateTime("Sent At", readonly=True)
    request_id = fields.Char("LINE Request ID", readonly=True)
    error = fields.Text("Error", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def due_domain(cls):
        "The calls waiting for the scheduler"
        now = utcnow()
        return [
            ('state', '=', 'pending'),
            ['OR',
                # Never tried: left over by a lost queue task; give the
                # queue its chance first
                [('next_attempt_at', '=', None),
                    ('create_date', '<=', now - QUEUE_GRACE)],
                ('next_attempt_at', '<=', now),
                ],
            ]

    @classmethod
    def due(cls, records):
        "The records whose call is to be made now"
        now = utcnow()
        return [r for r in records if r.state == 'pending'
            and (not r.next_attempt_at or r.next_attempt_at <= now)]

    @classmethod
    def _call(cls, records, method, request, settle=None):
        """Make the call request() for records (one call to LINE for them
        all), counted against LINE's rate limit for method, with the
        policy's quick retries; then mark them sent, failed, or to be
        tried again later.  settle(exception) may settle an error in its
        own way (return True)."""
        now = utcnow()
        for record in records:
            if not record.first_attempt_at:
                record.first_attempt_at = now
        for planned in LINE_CALLS.pauses():
            for record in records:
                record.attempts = (record.attempts or 0) + 1
            try:
                rate_limiter.wait(method)
                response = request()
            except Exception as exception:
                if settle and settle(exception):
                    return
                if not is_retryable(exception):
                    return cls._failed(records, exception)
                wait = retry_after(exception)
                pause = LINE_CALLS.quick_pause(planned, wait)
                if pause is not None:
                    time.sleep(pause)
                    continue
                return cls._postponed(records, exception, wait)
            else:
                return cls._sent(records, response.headers)

    @classmethod
    def _sent(cls, records, headers):
        headers = lower_keys(headers)
        request_id = (headers.get('x-line-request-id')
            or headers.get('x-line-accepted-request-id'))
        for record in records:
            record.state = 'sent'
            record.sent_at = utcnow()
            record.next_attempt_at = None
            record.error = None
            record.request_id = request_id
        cls.save(records)

    @classmethod
    def _failed(cls, records, exception):
        for record in records:
            record.state = 'failed'
            record.next_attempt_at = None
            record.error = describe(exception)
        cls.save(records)

    @classmethod
    def _postponed(cls, records, exception, wait=None):
        "Plan the next attempt, or give up as the policy says"
        now = utcnow()
        for record in records:
            record.next_attempt_at = LINE_CALLS.next_attempt(
                record.attempts, now, record.first_attempt_at, wait)
        given_up = [r for r in records if not r.next_attempt_at]
        if given_up:
            cls._failed(given_up, exception)
        later = [r for r in records if r.next_attempt_at]
        for record in later:
            record.error = describe(exception)
        cls.save(later)


class Batch(OutboundCall, ModelSQL, ModelView):
    __name__ = 'line.message.batch'
    __string__ = "LINE Message Batch"

    message = fields.Many2One('line.message', "Message", required=True,
        ondelete='CASCADE', readonly=True)
    method = fields.Selection([
            ('reply', "Reply"),
            ('push', "Push"),
            ('multicast', "Multicast"),
            ], "Method", required=True, readonly=True)
    recipients = fields.One2Many('line.message.recipient', 'batch',
        "Recipients", readonly=True)
    retry_key = fields.Char("Retry Key", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('message')

    @classmethod
    def deliver(cls, batches):
        Configuration = Pool().get('line.configuration')
        if not batches:
            return
        with Configuration.api_client() as client:
            api = MessagingApi(client)
            for batch in batches:
                batch._deliver(api)

    def _request(self, api):
        Recipient = Pool().get('line.message.recipient')
        messages = self.message.line_messages
        to = Recipient.line_ids(self)
        options = {'_request_timeout': REQUEST_TIMEOUT}
        if self.method == 'reply':
            return api.reply_message_with_http_info(
                ReplyMessageRequest.from_dict({
                        'replyToken': self.message.reply_token,
                        'messages': messages}), **options)
        elif self.method == 'push':
            return api.push_message_with_http_info(
                PushMessageRequest.from_dict({
                        'to': to[0], 'messages': messages}),
                x_line_retry_key=self.retry_key, **options)
        return api.multicast_with_http_info(
            MulticastRequest.from_dict({'to': to, 'messages': messages}),
            x_line_retry_key=self.retry_key, **options)

    def _deliver(self, api):
        def settle(exception):
            if not isinstance(exception, ApiException):
                return False
            if exception.status == 409 and self.method != 'reply':
                # LINE already accepted this retry key: it was sent
                self._sent([self], exception.headers)
                return True
            if self.method == 'reply' and exception.status == 400:
                # The reply token expired or was used: push instead
                self._fall_back_to_push(api)
                return True
            return False
        self._call([self], self.method, lambda: self._request(api), settle)

    @classmethod
    def _sent(cls, batches, headers):
        Recipient = Pool().get('line.message.recipient')
        super()._sent(batches, headers)
        for batch in batches:
            Recipient.set_batch_state(batch, 'sent')

    @classmethod
    def _failed(cls, batches, exception):
        Recipient = Pool().get('line.message.recipient')
        super()._failed(batches, exception)
        for batch in batches:
            Recipient.set_batch_state(batch, 'failed')

    def _fall_back_to_push(self, api):
        self.method = 'push'
        self.retry_key = str(uuid.uuid4())
        self.save()
        return self._deliver(api)


def describe(exception):
    if isinstance(exception, ApiException):
        body = exception.body
        if isinstance(body, bytes):
            body = body.decode('utf-8', 'replace')
        return '%s %s' % (exception.status, body or exception.reason)
    return '%s: %s' % (exception.__class__.__name__, exception)
