"""Run the LINE Messaging API stand-in in the foreground, with the chat
simulator for people at ``/simulator/`` on the same port.

    python -m line_standin --port 8931 \
        --webhook http://127.0.0.1:8000/sakai/line/webhook \
        --secret demo-channel-secret

Point the app at it with ``Configuration(host='http://127.0.0.1:8931',
access_token=...)``; LINE Login (``/oauth2/v2.1/authorize``, ``token``,
``verify``) is on the same port (``--login-channel ID=SECRET`` to accept
only that channel).  Each request is logged on one line: method, path,
status, valid / invalid (with the errors) / fail / rate-limit, operation;
each simulator event as ``SIMULATOR <kind> <user> -> webhook <status>``.
"""
import argparse
import signal
import sys
import threading

from .server import StandIn
from .simulator import Simulator

DEFAULT_WEBHOOK = 'http://127.0.0.1:8000/sakai/line/webhook'
DEFAULT_SECRET = 'demo-channel-secret'


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m line_standin',
        description='Local stand-in for the LINE Messaging API.')
    parser.add_argument('--host', default='127.0.0.1',
        help='address to listen on (default 127.0.0.1)')
    parser.add_argument('--port', type=int, default=8931,
        help='port (default 8931; 0 picks a free one)')
    parser.add_argument('--access-token', action='append',
        dest='access_tokens', metavar='TOKEN',
        help='accept only this channel access token (repeatable); '
        'by default any Bearer token is accepted')
    parser.add_argument('--rate-limit', action='append', default=[],
        metavar='PATH_PREFIX=PER_SECOND',
        help='e.g. /v2/bot/message/multicast=200 (repeatable)')
    parser.add_argument('--login-channel', action='append',
        dest='login_channels', metavar='CHANNEL_ID=SECRET',
        help='accept only this LINE Login channel (repeatable); by default '
        'any client_id / client_secret is accepted')
    group = parser.add_argument_group('simulator',
        'a LINE chat for people at http://HOST:PORT/simulator/')
    group.add_argument('--webhook', default=DEFAULT_WEBHOOK,
        metavar='URL', help='where the simulator POSTs webhook events '
        f'(default {DEFAULT_WEBHOOK}, `make demo`)')
    group.add_argument('--secret', default=DEFAULT_SECRET,
        help='channel secret the events are signed with '
        f'(default {DEFAULT_SECRET}, the demo mode secret)')
    group.add_argument('--account-name', default='公式アカウント',
        help='name shown in the chat header')
    group.add_argument('--no-simulator', action='store_true',
        help='serve the API only')
    args = parser.parse_args(argv)

    rate_limits = {}
    for item in args.rate_limit:
        prefix, _, limit = item.partition('=')
        if not limit.isdigit():
            parser.error(f'bad --rate-limit {item!r}')
        rate_limits[prefix] = int(limit)
    login_channels = None
    for item in args.login_channels or []:
        channel_id, _, secret = item.partition('=')
        if not channel_id or not secret:
            parser.error(f'bad --login-channel {item!r}')
        login_channels = dict(login_channels or {}, **{channel_id: secret})

    def log(line):
        print(line, flush=True)

    simulator = None
    if not args.no_simulator:
        simulator = Simulator(args.webhook, args.secret,
            account_name=args.account_name)
    standin = StandIn(args.host, args.port, rate_limits=rate_limits,
        access_tokens=args.access_tokens, log=log, simulator=simulator,
        login_channels=login_channels)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with standin:
        # one line: the stand-in's URL comes first
        line = f'LINE stand-in listening on {standin.url}'
        if simulator is not None:
            line += (f' (simulator: {standin.url}/simulator/ -> webhook '
                f'{args.webhook})')
        print(line, flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
