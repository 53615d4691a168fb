# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Helpers shared by the suite's own tests (tests/test_*.py)."""
import http.server
import struct
import threading
import zlib

# Every module of the suite: the tops of its dependency tree
ALL_MODULES = ['sakai_reports', 'sakai_faq', 'sakai_health', 'sakai_matching',
    'sakai_retention']


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
