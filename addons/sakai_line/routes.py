# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""The LINE webhook: POST /<database>/line/webhook.

Order of checks: the database and module exist (404), the body is not too
large (413), the signature is LINE's (403, nothing stored), the body is
LINE's JSON (400); then the events are stored and queued in the same
transaction as the acknowledgement.
"""
import json
import logging
from http import HTTPStatus

from linebot.v3.webhook import SignatureValidator
from werkzeug.exceptions import abort

from trytond.protocols.wrappers import (
    Response, with_pool, with_transaction)
from trytond.wsgi import app

logger = logging.getLogger(__name__)

# LINE's bodies are small; a redelivery burst stays well under this
MAX_BODY_SIZE = 1024 * 1024
EVENT_KEYS = {'type', 'timestamp', 'mode', 'webhookEventId',
    'deliveryContext'}


def parse_body(body):
    "Return the events of a LINE webhook body or None if it is not one"
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    if (not isinstance(data, dict)
            or not isinstance(data.get('destination'), str)
            or not isinstance(data.get('events'), list)):
        return None
    for event in data['events']:
        if (not isinstance(event, dict)
                or not EVENT_KEYS <= event.keys()
                or not isinstance(event['webhookEventId'], str)
                or not event['webhookEventId']
                or len(event['webhookEventId']) > 64
                or not isinstance(event['type'], str)
                or not isinstance(event['timestamp'], int)
                or isinstance(event['timestamp'], bool)
                or not isinstance(event['deliveryContext'], dict)
                or not isinstance(event.get('source', {}), dict)):
            return None
        user_id = event.get('source', {}).get('userId')
        if user_id is not None and not isinstance(user_id, str):
            return None
    return data['events']


@app.route('/<database_name>/line/webhook', methods={'POST'})
@with_pool
@with_transaction()
def webhook(request, pool):
    try:
        Configuration = pool.get('line.configuration')
        Event = pool.get('line.event')
    except KeyError:
        abort(HTTPStatus.NOT_FOUND)
    if (request.content_length or 0) > MAX_BODY_SIZE:
        abort(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    # Cached: the transaction may be retried and read it again
    body = request.get_data()
    if len(body) > MAX_BODY_SIZE:
        abort(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    secret, _ = Configuration.credentials()
    if not secret:
        logger.error("LINE webhook called but no channel secret is set")
        abort(HTTPStatus.SERVICE_UNAVAILABLE)
    signature = request.headers.get('X-Line-Signature', '')
    if not signature or not SignatureValidator(secret).validate(
            body.decode('utf-8', 'replace'), signature):
        abort(HTTPStatus.FORBIDDEN)

    events = parse_body(body)
    if events is None:
        abort(HTTPStatus.BAD_REQUEST)
    Event.receive(events)
    return Response(status=HTTPStatus.OK)


@app.route('/<database_name>/line/ping', methods={'GET', 'POST'})
@with_pool
def ping(request, pool):
    "Bare route: answers 200 without a transaction (benchmark baseline)"
    return Response(status=HTTPStatus.OK)
