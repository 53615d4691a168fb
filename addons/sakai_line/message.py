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
from email.utils import parsedate_to_datetime

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

MULTICAST_SIZE = 500
MAX_MESSAGES = 5
# A reply token lives about a minute; keep a margin for the round trip
REPLY_TOKEN_LIFETIME = dt.timedelta(seconds=50)
# LINE's rate limits per channel (requests per second)
RATE_LIMITS = {'push': 2000, 'multicast': 200, 'reply': 2000}
# Retries: quick ones within the call, then later ones by the scheduler
QUICK_RETRIES = (0.5, 1, 2)
GIVE_UP_AFTER = dt.timedelta(hours=12)
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


def lower_keys(headers):
    "HTTP headers with lower-case names (the SDK keeps LINE's case)"
    return {k.lower(): v for k, v in (headers or {}).items()}


def retry_after(exception):
    "Seconds LINE asks to wait, from a Retry-After header if any"
    value = lower_keys(exception.headers).get('retry-after')
    if not value:
        return None
    try:
        return max(0, float(value))
    except ValueError:
        try:
            return max(0, (parsedate_to_datetime(value)
                    - dt.datetime.now(dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def is_retryable(exception):
    if isinstance(exception, ApiException):
        return exception.status == 429 or exception.status >= 500
    # Time-outs and connection errors from urllib3
    return True


class Message(Workflow, ModelSQL, ModelView):
    "LINE Message"
    __name__ = 'line.message'

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
        now = utcnow()
        batches = [b for m in messages for b in m.batches
            if b.state == 'pending'
            and (not b.next_attempt_at or b.next_attempt_at <= now)]
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
        "Scheduled: send batches waiting for a retry"
        Batch = Pool().get('line.message.batch')
        now = utcnow()
        batches = Batch.search([
                ('state', '=', 'pending'),
                ['OR',
                    # Never tried: left over by a lost queue task; give the
                    # queue its chance first
                    [('next_attempt_at', '=', None),
                        ('create_date', '<=', now - QUEUE_GRACE)],
                    ('next_attempt_at', '<=', now),
                    ],
                ])
        cls.deliver(list({b.message for b in batches}))


class Recipient(ModelSQL, ModelView):
    "LINE Message Recipient"
    __name__ = 'line.message.recipient'

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


class Batch(ModelSQL, ModelView):
    "LINE Message Batch"
    __name__ = 'line.message.batch'

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
        cls.__access__.add('message')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_attempts(cls):
        return 0

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
        rate_limiter.wait(self.method)
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
        now = utcnow()
        if not self.first_attempt_at:
            self.first_attempt_at = now
        for pause in QUICK_RETRIES + (None,):
            self.attempts = (self.attempts or 0) + 1
            try:
                response = self._request(api)
            except Exception as exception:
                if (isinstance(exception, ApiException)
                        and exception.status == 409
                        and self.method != 'reply'):
                    # LINE already accepted this retry key: it was sent
                    return self._succeed(exception.headers)
                if (self.method == 'reply'
                        and isinstance(exception, ApiException)
                        and exception.status == 400):
                    # The reply token expired or was used: push instead
                    return self._fall_back_to_push(api)
                if not is_retryable(exception):
                    return self._fail(exception)
                wait = retry_after(exception) if isinstance(
                    exception, ApiException) else None
                if pause is not None and (wait or pause) <= 5:
                    time.sleep(wait or pause)
                    continue
                return self._postpone(exception, wait)
            else:
                return self._succeed(response.headers)

    def _succeed(self, headers):
        Recipient = Pool().get('line.message.recipient')
        headers = lower_keys(headers)
        self.state = 'sent'
        self.sent_at = utcnow()
        self.next_attempt_at = None
        self.error = None
        self.request_id = (headers.get('x-line-request-id')
            or headers.get('x-line-accepted-request-id'))
        self.save()
        Recipient.set_batch_state(self, 'sent')

    def _fail(self, exception):
        Recipient = Pool().get('line.message.recipient')
        self.state = 'failed'
        self.next_attempt_at = None
        self.error = describe(exception)
        self.save()
        Recipient.set_batch_state(self, 'failed')

    def _postpone(self, exception, wait=None):
        now = utcnow()
        if now - self.first_attempt_at >= GIVE_UP_AFTER:
            return self._fail(exception)
        delay = max(wait or 0, 60 * 2 ** min(self.attempts // 4, 8))
        self.next_attempt_at = now + dt.timedelta(seconds=delay)
        self.error = describe(exception)
        self.save()

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
