# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Health endpoint for monitoring: GET /<database>/line/health.

No authentication: it answers only counts, ages in seconds and the names of
scheduled actions, never a record of a person.  HTTP 200 when healthy,
503 otherwise (database unreachable, queue stuck, a scheduled action
overdue, too many failed LINE events or messages in the last day).
"""
import datetime as dt
import json
import logging
from http import HTTPStatus

from sql.aggregate import Count, Max, Min

from werkzeug.exceptions import NotFound

from trytond.config import config
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.transaction import Transaction
from trytond.wsgi import app

logger = logging.getLogger(__name__)

SECTION = 'sakai_health'


def threshold(option, default):
    "An alert threshold from the [sakai_health] section of trytond.conf"
    return config.getint(SECTION, option, default=default)


def now():
    return dt.datetime.utcnow()


def age(since, at):
    return max(0, int((at - since).total_seconds())) if since else None


def queue_status(pool, at):
    "Pending ir.queue tasks: how many and the age of the oldest"
    Queue = pool.get('ir.queue')
    table = Queue.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(Count(table.id), Min(table.enqueued_at),
            where=table.dequeued_at == None))  # noqa: E711
    count, oldest = cursor.fetchone()
    oldest = _datetime(oldest)
    return {
        'pending': count or 0,
        'oldest_age': age(oldest, at),
        }


def _datetime(value):
    "SQLite answers aggregates of timestamps as text"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def failed_status(pool, at):
    "Failed LINE events and messages: in all and in the last 24 hours"
    since = at - dt.timedelta(days=1)
    cursor = Transaction().connection.cursor()
    result = {}
    for key, model, date_column in [
            ('events', 'line.event', 'write_date'),
            ('messages', 'line.message', 'write_date'),
            ('batches', 'line.message.batch', 'write_date'),
            ]:
        try:
            Model = pool.get(model)
        except KeyError:
            continue
        table = Model.__table__()
        date = getattr(table, date_column)
        cursor.execute(*table.select(Count(table.id),
                where=table.state == 'failed'))
        total, = cursor.fetchone()
        cursor.execute(*table.select(Count(table.id),
                where=(table.state == 'failed') & (
                    (date >= since) | ((date == None)  # noqa: E711
                        & (table.create_date >= since)))))
        recent, = cursor.fetchone()
        result[key] = {'failed': total or 0, 'failed_24h': recent or 0}
    return result


def cron_status(pool, at, overdue_after):
    "Each active scheduled action: its method, next call and last run"
    Cron = pool.get('ir.cron')
    Log = pool.get('ir.cron.log')
    cron = Cron.__table__()
    log = Log.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*cron.select(cron.id, cron.method, cron.next_call,
            where=cron.active == True,  # noqa: E712
            order_by=[cron.id]))
    crons = cursor.fetchall()
    last_runs = {}
    cursor.execute(*log.select(log.cron, Max(log.ended),
            group_by=[log.cron]))
    for cron_id, ended in cursor:
        last_runs[cron_id] = _datetime(ended)
    result = []
    for cron_id, method, next_call in crons:
        next_call = _datetime(next_call)
        last_run = last_runs.get(cron_id)
        overdue = age(next_call, at) if next_call and next_call < at else 0
        result.append({
                'method': method,
                'next_call': next_call.isoformat() + 'Z' if next_call else None,
                'last_run': last_run.isoformat() + 'Z' if last_run else None,
                'overdue': overdue,
                'ok': overdue <= overdue_after,
                })
    return result


def status(pool):
    "The health document and whether the service is healthy"
    at = now()
    queue = queue_status(pool, at)
    failed = failed_status(pool, at)
    crons = cron_status(pool, at, threshold('cron_overdue', 3600))
    problems = []
    if (queue['oldest_age'] or 0) > threshold('queue_age', 900):
        problems.append('queue')
    if any(not c['ok'] for c in crons):
        problems.append('cron')
    max_failed = threshold('failed_24h', 20)
    for key, counts in failed.items():
        if counts['failed_24h'] > max_failed:
            problems.append('failed_' + key)
    document = {
        'status': 'fail' if problems else 'ok',
        'problems': problems,
        'time': at.isoformat() + 'Z',
        'database': {'reachable': True},
        'queue': queue,
        'line': failed,
        'cron': crons,
        }
    return document, not problems


def json_response(document, healthy):
    return Response(json.dumps(document, sort_keys=True),
        status=HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE,
        content_type='application/json',
        headers={'Cache-Control': 'no-store'})


@app.route('/<database_name>/line/health', methods={'GET', 'HEAD'})
def health(request, database_name):
    "Monitoring: 200 when healthy, 503 otherwise; JSON body either way"
    try:
        return _health(request, database_name)
    except NotFound:
        logger.info("health check of an unknown database")
        return unreachable()
    except Exception:
        # An unreachable database (or any failure) is reported, not raised:
        # no traceback, no database detail in the answer
        logger.warning("health check failed", exc_info=True)
        return unreachable()


def unreachable():
    return json_response({
            'status': 'fail',
            'problems': ['database'],
            'time': now().isoformat() + 'Z',
            'database': {'reachable': False},
            }, False)


@with_pool
@with_transaction(readonly=True)
def _health(request, pool):
    try:
        pool.get('line.event')
    except KeyError:
        return json_response({
                'status': 'fail', 'problems': ['module'],
                'time': now().isoformat() + 'Z',
                'database': {'reachable': True},
                }, False)
    return json_response(*status(pool))
