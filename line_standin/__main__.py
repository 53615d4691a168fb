"""Run the LINE Messaging API stand-in in the foreground.

    python -m line_standin --port 8931

Point the app at it with ``Configuration(host='http://127.0.0.1:8931',
access_token=...)``.  Each request is logged on one line: method, path,
status, valid / invalid (with the errors) / fail / rate-limit, operation.
"""
import argparse
import signal
import sys
import threading

from .server import StandIn


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
    args = parser.parse_args(argv)

    rate_limits = {}
    for item in args.rate_limit:
        prefix, _, limit = item.partition('=')
        if not limit.isdigit():
            parser.error(f'bad --rate-limit {item!r}')
        rate_limits[prefix] = int(limit)

    def log(line):
        print(line, flush=True)

    standin = StandIn(args.host, args.port, rate_limits=rate_limits,
        access_tokens=args.access_tokens, log=log)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with standin:
        print(f'LINE stand-in listening on {standin.url}', flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
