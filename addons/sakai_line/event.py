# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Webhook events: stored as received, processed asynchronously, once."""
import datetime as dt
import json
import logging
import traceback

from sql import Conflict

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .configuration import utcnow

logger = logging.getLogger(__name__)

# Failed events are tried again after 1, 2, 4 … minutes, at most this often
MAX_ATTEMPTS = 8


def from_line_timestamp(milliseconds):
    "LINE gives milliseconds since the epoch; Tryton stores naive UTC"
    return dt.datetime.fromtimestamp(
        milliseconds / 1000, dt.UTC).replace(tzinfo=None)


class Event(ModelSQL, ModelView):
    "LINE Webhook Event"
    __name__ = 'line.event'
    _rec_name = 'webhook_event_id'

    webhook_event_id = fields.Char("Webhook Event ID", required=True,
        readonly=True)
    type = fields.Char("Type", readonly=True)
    line_id = fields.Char("LINE User ID", readonly=True)
    line_user = fields.Many2One('line.user', "LINE User", readonly=True,
        ondelete='SET NULL')
    occurred_at = fields.DateTime("Occurred At", readonly=True)
    received_at = fields.DateTime("Received At", readonly=True)
    redelivery = fields.Boolean("Redelivery", readonly=True)
    payload = fields.Text("Payload", readonly=True)
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
                    'invisible': Eval('state') != 'failed',
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
    def receive(cls, events):
        """Store the raw events of one webhook call and queue them.

        An event whose webhookEventId is already stored is skipped in the
        database itself (ON CONFLICT DO NOTHING), so concurrent deliveries
        of the same event store and process it once.
        Return the number of new events.
        """
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
        "Process each pending or failed event in its own savepoint"
        cursor = Transaction().connection.cursor()
        for event in cls.browse(events):
            if event.state not in {'pending', 'failed'}:
                continue
            cursor.execute('SAVEPOINT line_event')
            try:
                handled = event._process()
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
                event.state = 'done' if handled else 'ignored'
                event.error = None
                event.next_attempt_at = None
                event.processed_at = utcnow()
                event.attempts = (event.attempts or 0) + 1
                event.save()

    def _fail(self, error):
        self.attempts = (self.attempts or 0) + 1
        self.state = 'failed'
        self.error = error
        if self.attempts < MAX_ATTEMPTS:
            self.next_attempt_at = utcnow() + dt.timedelta(
                minutes=2 ** (self.attempts - 1))
        else:
            self.next_attempt_at = None
        self.save()

    def _process(self):
        "Dispatch to _process_<type>; return False for types we ignore"
        method = getattr(self, '_process_%s' % self.type, None)
        if method is None:
            return False
        return method(self.data) is not False

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
        self._greet(user, data, unblocked)

    def _greet(self, user, data, unblocked):
        "Answer a new or returning friend with the reply token (free)"
        pool = Pool()
        Configuration = pool.get('line.configuration')
        Message = pool.get('line.message')
        configuration = Configuration(1)
        text = (configuration.welcome_back if unblocked
            else configuration.greeting)
        if not text or self.redelivery:
            return
        Message.compose([user], [{'type': 'text', 'text': text}],
            description=gettext('sakai_line.msg_description_welcome_back'
                if unblocked else 'sakai_line.msg_description_greeting'),
            reply_token=data.get('replyToken'),
            reply_received_at=self.occurred_at, deliver=True)

    def _process_unfollow(self, data):
        user = self._get_line_user()
        user.record_block(self)

    def _process_message(self, data):
        # Conversations are handled by later steps; the event is kept
        self._get_line_user()

    def _process_postback(self, data):
        self._get_line_user()

    @classmethod
    @ModelView.button
    def retry(cls, events):
        cls.process(events)

    @classmethod
    def retry_failed(cls):
        "Scheduled: process again the failed events that are due"
        events = cls.search([
                ('state', '=', 'failed'),
                ('next_attempt_at', '!=', None),
                ('next_attempt_at', '<=', utcnow()),
                ])
        cls.process(events)
