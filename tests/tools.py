# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Helpers shared by the suite's own tests (tests/test_*.py)."""
import configparser
import http.server
import os
import struct
import threading
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, 'addons')


def _depends(module):
    "The modules module depends on, as its tryton.cfg says"
    config = configparser.ConfigParser()
    config.read(os.path.join(ADDONS, module, 'tryton.cfg'))
    return config.get('tryton', 'depends', fallback='').split()


# Every module of the suite is a folder of addons/ with a tryton.cfg: adding
# one is all it takes for the tests, the translations and the packaging
OUR_MODULES = sorted(name for name in os.listdir(ADDONS)
    if os.path.exists(os.path.join(ADDONS, name, 'tryton.cfg')))
# The tops of its dependency tree: activating them activates every module
ALL_MODULES = [m for m in OUR_MODULES
    if not any(m in _depends(o) for o in OUR_MODULES)]


def striped_png(width, height, colors):
    "A PNG of vertical stripes, one per colour (a rich menu's areas)."
    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    row = bytearray(b'\x00')
    for x in range(width):
        row += bytes(colors[x * len(colors) // width])
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
        + chunk(b'IDAT', zlib.compress(bytes(row) * height, 9))
        + chunk(b'IEND', b''))


class LocalServer:
    """An HTTP server on a free port of 127.0.0.1, in a thread of its own:
    each request of the method is answered by respond(request) (status,
    headers) with an empty body; nothing is logged"""

    def __init__(self, respond, method):
        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                status, headers = respond(self)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *args):
                pass

        setattr(Handler, 'do_' + method, Handler.answer)
        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
