# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Webhook events: stored as received, processed asynchronously, once.

The payload holds what the person wrote or tapped: it is kept only as long
as processing needs it (pending, failed and to be tried again) and read
by the server alone (no group reads it, field access).  Once processed
the payload is reduced to what identifies the event (its type, ids and
times, the kind of message), without text, postback data or tokens.  One
exception, for 「該当なし・担当者につなぐ」 after FAQ choices: the text of
the question stays (``text_kept``) until the person writes again, is
handed over to staff, or a day has passed."""
import datetime as dt
import json
import logging
import threading
import traceback

from sql import Conflict
from sql.conditionals import Coalesce

from trytond import backend
from trytond.config import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .builders import text_message
from .configuration import citizen_language, to_local, utcnow
from .retry import EVENTS

logger = logging.getLogger(__name__)

# An event still pending this long after it came has lost its queue task
# (it died on a lock, or the server stopped): the scheduler's sweep takes it
LEFT_BEHIND_AFTER = dt.timedelta(minutes=3)
# SQLite (the demo) lets one writer in at a time: the others wait this
# long (seconds, [sakai_line] sqlite_busy_timeout) before they fail
SQLITE_BUSY_TIMEOUT = 120
# LINE: a reply holds at most 5 messages
MAX_REPLY_MESSAGES = 5
# The rich menu's and recommendations' buttons: menu=<key>
MENU = 'menu='
# A question answered with FAQ choices waits this long for 「該当なし」
KEEP_TEXT_FOR = dt.timedelta(days=1)
# What stays of a processed event's payload (LINE's webhook fields)
KEPT_KEYS = ('type', 'mode', 'timestamp', 'webhookEventId',
    'deliveryContext')
KEPT_SOURCE_KEYS = ('type', 'userId')
KEPT_MESSAGE_KEYS = ('type', 'id')


def wait_for_writers():
    """On SQLite, wait for the other writers of the database rather than
    fail at once with 'database is locked' (Python's default is 5 s: a
    burst of webhook calls queues longer than that)"""
    if backend.name == 'sqlite':
        seconds = config.getint('sakai_line', 'sqlite_busy_timeout',
            default=SQLITE_BUSY_TIMEOUT)
        Transaction().connection.cursor().execute(
            'PRAGMA busy_timeout = %d' % (seconds * 1000))


# What processing learns of the event in hand, per thread (model instances
# take no attributes of their own)
_processing = threading.local()


def noted(name, default=None):
    "What processing noted of the event in hand under name"
    return (getattr(_processing, 'notes', None) or {}).get(name, default)


def note(name, value):
    "Note value under name for the rest of the event's processing"
    notes = getattr(_processing, 'notes', None)
    if notes is not None:
        notes[name] = value


def reduce_payload(data, keep_text=False):
    """The event without what the person wrote or tapped: its type, ids,
    times and the kind of message; with keep_text the text of a text
    message stays"""
    if not isinstance(data, dict):
        return {}
    reduced = {k: data[k] for k in KEPT_KEYS if k in data}
    source = data.get('source')
    if isinstance(source, dict):
        reduced['source'] = {
            k: source[k] for k in KEPT_SOURCE_KEYS if k in source}
    message = data.get('message')
    if isinstance(message, dict):
        reduced['message'] = {
            k: message[k] for k in KEPT_MESSAGE_KEYS if k in message}
        if keep_text and message.get('type') == 'text':
            reduced['message']['text'] = message.get('text')
    return reduced


def postback_id(value):
    """The record id a postback names, or None when it names none (the
    data of a postback is the person's to forge)"""
    value = (value or '').strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def from_line_timestamp(milliseconds):
    """LINE gives milliseconds since the epoch; Tryton stores naive UTC to
    the second.  The fraction is dropped here as Tryton drops it when it
    writes: PostgreSQL would round it, and a person's message at 10.6 s
    then came after a staff answer written at 10.9 s"""
    return dt.datetime.fromtimestamp(
        milliseconds // 1000, dt.UTC).replace(tzinfo=None)


class Event(ModelSQL, ModelView):
    __name__ = 'line.event'
    __string__ = "LINE Webhook Event"
    _rec_name = 'webhook_event_id'

    webhook_event_id = fields.Char("Webhook Event ID", required=True,
        readonly=True)
    # LINE's webhook event types, labelled for staff (a type LINE adds
    # later is still stored: the row is written by SQL)
    type = fields.Selection([
            (None, ""),
            ('message', "Message"),
            ('follow', "Friend Added"),
            ('unfollow', "Blocked"),
            ('postback', "Button Tapped"),
            ('join', "Joined Group"),
            ('leave', "Left Group"),
            ('memberJoined', "Member Joined"),
            ('memberLeft', "Member Left"),
            ('unsend', "Message Unsent"),
            ('videoPlayComplete', "Video Watched"),
            ('beacon', "Beacon"),
            ('accountLink', "Account Linked"),
            ('things', "LINE Things"),
            ('membership', "Membership"),
            ('module', "Module"),
            ('activated', "Channel Activated"),
            ('deactivated', "Channel Deactivated"),
            ('botSuspended', "Bot Suspended"),
            ('botResumed', "Bot Resumed"),
            ('delivery', "Delivery Completed"),
            ], "Type", readonly=True)
    line_id = fields.Char("LINE User ID", readonly=True)
    line_user = fields.Many2One('line.user', "LINE User", readonly=True,
        ondelete='SET NULL')
    occurred_at = fields.DateTime("Occurred At", readonly=True)
    received_at = fields.DateTime("Received At", readonly=True)
    redelivery = fields.Boolean("Redelivery", readonly=True)
    # loading lazy: read by nobody but the server (field access)
    payload = fields.Text("Payload", readonly=True, loading='lazy',
        help="The event as LINE sent it, until it is processed; then only "
        "its type and ids.")
    text_kept = fields.Boolean("Text Kept", readonly=True,
        help="The person's question is kept for a hand-over to staff "
        "after FAQ choices, until they write again or a day has passed.")
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('ignored', "Ignored"),
            ('failed', "Failed"),
            ], "State", required=True, readonly=True, sort=False)
    attempts = fields.Integer("Attempts", readonly=True)
    next_attempt_at = fields.DateTime("Next Attempt At", readonly=True,
        states={'invisible': Eval('state') != 'failed'})
    error = fields.Text("Error", readonly=True,
        states={'invisible': ~Eval('error')})
    processed_at = fields.DateTime("Processed At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('webhook_event_id_unique', Unique(t, t.webhook_event_id),
                'sakai_line.msg_event_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality())),
                Index(t, (t.received_at, Index.Range())),
                })
        cls._order.insert(0, ('received_at', 'DESC'))
        cls._buttons.update({
                'retry': {
                    'invisible': ~Eval('state').in_(['pending', 'failed']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def default_text_kept(cls):
        return False

    @classmethod
    def receive(cls, events):
        """Store the raw events of one webhook call and queue them.

        An event whose webhookEventId is already stored is skipped in the
        database itself (ON CONFLICT DO NOTHING), so concurrent deliveries
        of the same event store and process it once.
        Return the number of new events.
        """
        wait_for_writers()
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        now = utcnow()
        user = Transaction().user
        ids = []
        for raw in events:
            source = raw.get('source') or {}
            values = [
                raw['webhookEventId'], raw.get('type'), source.get('userId'),
                from_line_timestamp(raw['timestamp']), now,
                bool((raw.get('deliveryContext') or {}).get('isRedelivery')),
                json.dumps(raw, ensure_ascii=False), 'pending', 0, now, user]
            cursor.execute(*table.insert(
                    [table.webhook_event_id, table.type, table.line_id,
                        table.occurred_at, table.received_at,
                        table.redelivery, table.payload, table.state,
                        table.attempts, table.create_date, table.create_uid],
                    [values],
                    on_conflict=Conflict(
                        table, indexed_columns=[table.webhook_event_id])))
            if cursor.rowcount:
                cursor.execute(*table.select(table.id,
                        where=table.webhook_event_id
                        == raw['webhookEventId']))
                ids.extend(r[0] for r in cursor)
        if ids:
            cls.__queue__.process(cls.browse(ids))
        return len(ids)

    @property
    def data(self):
        return json.loads(self.payload)

    @classmethod
    def process(cls, events):
        """Process each pending or failed event in its own savepoint, once.

        A lock or a serialization failure is no fault of the event: it is
        raised, so that the whole task is tried again as trytond retries
        transactions ([database] retry); an event still pending after that
        is taken by the scheduler's sweep (retry_failed)."""
        wait_for_writers()
        # What citizens read is in the programme's language
        with Transaction().set_context(language=citizen_language()):
            cls._process_events(events)

    @classmethod
    def _process_events(cls, events):
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        for event in cls.browse(events):
            if not event._claim():
                continue
            # Read it again as claimed (its attempts counted); only its
            # own cache entry goes: the caller's records keep theirs
            for cache in transaction.cache.values():
                cache.get(cls.__name__, {}).pop(event.id, None)
            event = cls(event.id)
            cursor.execute('SAVEPOINT line_event')
            _processing.notes = {}
            try:
                handled = event._process()
            except backend.DatabaseOperationalError:
                raise
            except Exception:
                cursor.execute('ROLLBACK TO SAVEPOINT line_event')
                Transaction().cache.clear()
                logger.warning(
                    "LINE event %s failed", event.webhook_event_id,
                    exc_info=True)
                event = cls(event.id)
                event._fail(traceback.format_exc(limit=5))
            else:
                cursor.execute('RELEASE SAVEPOINT line_event')
                keep = noted('keep_text', False)
                event.state = 'done' if handled else 'ignored'
                event.error = None
                event.next_attempt_at = None
                event.processed_at = utcnow()
                # What the person wrote is no longer needed here
                event.payload = json.dumps(
                    reduce_payload(event.data, keep_text=keep),
                    ensure_ascii=False)
                event.text_kept = keep
                event.save()
            _processing.notes = None

    def _claim(self):
        """Take the event for this transaction by counting the attempt, or
        return False if another transaction processed it first (a late
        queue task and the sweep, 再処理 pressed twice).  This is the first
        write: on SQLite it waits for the database's writer lock (a write
        after reads in a savepoint would fail at once), on PostgreSQL for
        the row's; either way the state it tests is the latest."""
        table = self.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.attempts], [Coalesce(table.attempts, 0) + 1],
                where=(table.id == self.id)
                & table.state.in_(['pending', 'failed'])))
        return cursor.rowcount == 1

    def _fail(self, error):
        """Keep the error and plan the next attempt (the claim counted it)
        as retry.EVENTS says, if any"""
        self.state = 'failed'
        self.error = error
        self.next_attempt_at = EVENTS.next_attempt(self.attempts, utcnow())
        self.save()

    def _process(self):
        "Dispatch to _process_<type>; return False for types we ignore"
        method = getattr(self, '_process_%s' % self.type, None)
        if method is None or not self.line_id:
            # Only people's 1:1 events are handled (found by fuzzing: a
            # signed event without a user ID failed and was retried)
            return False
        data = self.data
        if not isinstance(data.get(self.type, {}), dict):
            data[self.type] = {}
        return method(data) is not False

    def _get_line_user(self):
        pool = Pool()
        LineUser = pool.get('line.user')
        if not self.line_id:
            return None
        users = LineUser.search([('line_id', '=', self.line_id)], limit=1)
        if users:
            user, = users
        else:
            user = LineUser(line_id=self.line_id, state='blocked')
            user.save()
        self.line_user = user
        return user

    def _process_follow(self, data):
        user = self._get_line_user()
        unblocked = bool((data.get('follow') or {}).get('isUnblocked'))
        follow = user.record_follow(self, unblocked)
        Pool().get('line.source.visit').attribute_follow(follow)
        if user.rich_menu and user.state == 'following':
            # A returning friend gets the menu chosen for them back
            user.link_rich_menu([user], user.rich_menu)
        if self.redelivery:
            return
        messages = self._greeting(unblocked)
        if follow.action == 'follow':
            messages += self._welcome(user)
        self._reply(user, data, messages,
            gettext('sakai_line.msg_description_welcome_back'
                if unblocked else 'sakai_line.msg_description_greeting'))

    def _greeting(self, unblocked):
        Configuration = Pool().get('line.configuration')
        configuration = Configuration(1)
        text = (configuration.welcome_back if unblocked
            else configuration.greeting)
        return [{'type': 'text', 'text': text}] if text else []

    def _welcome(self, user):
        "What a new friend is sent after the greeting: modules add theirs"
        return []

    def _sensitive_reply(self):
        """Is what we answer now health data, to be read by counselors
        only?  Modules that ask about health say so."""
        return False

    def _reply(self, user, data, messages, description=None):
        """Answer with the free reply token (at most 5 messages), the rest
        by push"""
        Message = Pool().get('line.message')
        if not messages:
            return
        description = description or gettext(
            'sakai_line.msg_description_conversation')
        sensitive = self._sensitive_reply()
        Message.compose([user], messages[:MAX_REPLY_MESSAGES],
            description=description,
            reply_token=data.get('replyToken'),
            reply_received_at=self.occurred_at, deliver=True,
            conversation=True, sensitive=sensitive)
        for i in range(MAX_REPLY_MESSAGES, len(messages), MAX_REPLY_MESSAGES):
            Message.compose([user], messages[i:i + MAX_REPLY_MESSAGES],
                description=description, deliver=True, conversation=True,
                sensitive=sensitive)

    def _process_unfollow(self, data):
        user = self._get_line_user()
        user.record_block(self)

    def _process_message(self, data):
        user = self._get_line_user()
        message = data.get('message') or {}
        if message.get('type') != 'text':
            self._reply(user, data, self._handle_other(user, message))
            return
        text = message.get('text') or ''
        # A new question: the one kept for 「該当なし」 is no longer needed
        self._forget_texts(user)
        self._reply(user, data, self._handle_text(user, text))

    def _handle_other(self, user, message):
        """A sticker, an image, a location…: the messages that answer it, or
        None when no module does"""
        return None

    def _handle_text(self, user, text):
        """What the person wrote: the messages that answer it, or None when
        no module does.  Modules answer through super(): the one above
        decides first whether to answer or leave the text to those below
        (a questionnaire waiting for its answer, the inbox, the FAQ)."""
        return None

    def _kept_texts(self, user):
        "The person's events whose text is kept, the latest first"
        return self.search([
                ('line_user', '=', user.id),
                ('text_kept', '=', True),
                ('id', '!=', self.id),
                ], order=[('occurred_at', 'DESC'), ('id', 'DESC')])

    def _last_text(self, user):
        "What the person last asked, kept for a hand-over after FAQ choices"
        for event in self._kept_texts(user):
            message = event.data.get('message') or {}
            if message.get('type') == 'text' and message.get('text'):
                return message.get('text')
        return None

    def _forget_texts(self, user):
        "Reduce the kept texts of the person's earlier events"
        self.forget([e for e in self._kept_texts(user)
                if not self.id or e.id < self.id])

    @classmethod
    def forget(cls, events):
        "Reduce the payload of processed events to what identifies them"
        for event in events:
            event.payload = json.dumps(
                reduce_payload(event.data), ensure_ascii=False)
            event.text_kept = False
        cls.save(events)

    def _process_postback(self, data):
        user = self._get_line_user()
        postback = data.get('postback') or {}
        messages = self._route_postback(
            user, postback.get('data') or '', postback.get('params'))
        if messages is None:
            return False
        self._reply(user, data, messages)

    @classmethod
    def _postback_routes(cls):
        """The postbacks understood, as [(prefix, method name)]: data that
        is the prefix, or starts with it when it ends with "=", ":" or
        "?", goes to the method with the rest of the data and LINE's
        params; the method returns the messages that answer, or None for
        data it does not know.  Modules add their prefixes."""
        return [(MENU, '_postback_menu')]

    def _route_postback(self, user, data, params):
        for prefix, name in self._postback_routes():
            if prefix[-1:] in ('=', ':', '?'):
                if not data.startswith(prefix):
                    continue
            elif data != prefix:
                continue
            return getattr(self, name)(user, data[len(prefix):], params)
        return None

    def _postback_menu(self, user, key, params):
        return self._menu(user, key)

    def _menu(self, user, key):
        """A rich menu or recommendation button: its _menu_<key> method
        answers (modules add theirs), after the conversation in progress
        is paused; others are announced as coming"""
        method = getattr(self, '_menu_%s' % key, self._menu_unavailable)
        messages = method(user)
        return self._pause_conversations(user) + messages

    def _pause_conversations(self, user):
        """Pause what the person was in the middle of, as another feature
        starts; return what tells them how to go on"""
        return []

    def _menu_unavailable(self, user):
        return [{'type': 'text',
                'text': gettext('sakai_line.msg_menu_unavailable')}]

    def _menu_mypage(self, user):
        "What we know of the person, and what they can do next"
        lines = [gettext('sakai_line.msg_mypage_title')]
        if user.followed_at:
            lines.append(gettext('sakai_line.msg_mypage_since',
                    date=to_local(user.followed_at).strftime('%Y/%m/%d')))
        items = []
        cards = self._mypage_cards(user, lines, items)
        return cards + [text_message('\n'.join(lines), items)]

    def _mypage_cards(self, user, lines, items):
        """Modules add what they hold for the person: lines of the summary,
        quick replies, and the messages (cards) shown above it"""
        return []

    @classmethod
    @ModelView.button
    def retry(cls, events):
        cls.process(events)

    @classmethod
    def retry_failed(cls):
        """Scheduled: queue again the failed events that are due and the
        events left pending (their queue task died on a lock or with the
        server), each in a task of its own: a lock then delays one event
        only, and the claim keeps a late task from processing it twice"""
        now = utcnow()
        events = cls.search(['OR', [
                    ('state', '=', 'failed'),
                    ('next_attempt_at', '!=', None),
                    ('next_attempt_at', '<=', now),
                    ], [
                    ('state', '=', 'pending'),
                    ('received_at', '<=', now - LEFT_BEHIND_AFTER),
                    ]], order=[('received_at', 'ASC'), ('id', 'ASC')])
        for event in events:
            cls.__queue__.process([event])
        # Questions kept for 「該当なし」 that nobody handed over
        cls.forget(cls.search([
                    ('text_kept', '=', True),
                    ('processed_at', '<', now - KEEP_TEXT_FOR),
                    ]))
