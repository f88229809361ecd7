"""Django's development server, reading chunked request bodies as gunicorn does.

Django's server (django.core.servers.basehttp) reads a body by its Content-Length only: a chunked
one reached MLWA as an empty body, and its bytes were then read as the next request on the
connection. So an oversized chunked upload under `make run` was answered 400 (not a lens), where
gunicorn answers 413 (issue 14). Here a chunked body is de-chunked as it is read, the environ says
so as gunicorn's does (`wsgi.input_terminated`, which mlwa.middleware.RequestBodyLimitMiddleware
reads up to the cap), and the connection is closed after the response instead of reading the rest
of the body, however large. Bodies with a Content-Length are Django's, unchanged.

`manage.py runserver` uses it (mlwa/management/commands/runserver.py).
"""

import io
import re
from wsgiref import simple_server

from django.core.exceptions import BadRequest
from django.core.servers import basehttp

_MAX_LINE = 4096
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


class ChunkedBody(io.RawIOBase):
    """A request body in HTTP/1.1's chunked coding (RFC 9112, 7.1), read from the connection's
    `rfile` and de-chunked as it is read. Malformed framing is a BadRequest (400)."""

    def __init__(self, rfile):
        self.rfile = rfile
        self.left = 0  # bytes left in the current chunk
        self.done = False

    def readable(self) -> bool:
        return True

    def _line(self) -> bytes:
        line = self.rfile.readline(_MAX_LINE + 1)
        if not line.endswith(b"\n") or len(line) > _MAX_LINE:
            raise BadRequest("Malformed chunked request body.")
        return line.rstrip(b"\r\n")

    def _next_chunk(self) -> None:
        size = self._line().split(b";", 1)[0].strip()  # chunk extensions are ignored
        if not _CHUNK_SIZE.fullmatch(size):
            raise BadRequest("Malformed chunked request body.")
        self.left = int(size, 16)
        if self.left == 0:
            while self._line():  # the trailer section, up to its empty line
                pass
            self.done = True

    def readinto(self, buffer) -> int:
        if not self.done and self.left == 0:
            self._next_chunk()
        if self.done:
            return 0
        data = self.rfile.read(min(len(buffer), self.left))
        if not data:
            raise BadRequest("The chunked request body ended early.")
        buffer[: len(data)] = data
        self.left -= len(data)
        if self.left == 0 and self._line():  # each chunk's data ends with CRLF
            raise BadRequest("Malformed chunked request body.")
        return len(data)


def _chunked(environ) -> bool:
    return environ.get("HTTP_TRANSFER_ENCODING", "").strip().lower() == "chunked"


class ServerHandler(basehttp.ServerHandler):
    """Django's, with a chunked body de-chunked and its connection closed after the response."""

    def __init__(self, stdin, stdout, stderr, environ, **kwargs):
        self.chunked = _chunked(environ)
        if not self.chunked:
            super().__init__(stdin, stdout, stderr, environ, **kwargs)
            return
        # The chunks frame the body, not a Content-Length (a request with both is refused by
        # proxies as smuggling; here the chunks win, as RFC 9112 says).
        environ = {key: value for key, value in environ.items() if key != "CONTENT_LENGTH"}
        environ["wsgi.input_terminated"] = True
        # Django's __init__ only limits stdin to the Content-Length: wsgiref's, with the de-chunker.
        simple_server.ServerHandler.__init__(
            self, io.BufferedReader(ChunkedBody(stdin)), stdout, stderr, environ, **kwargs
        )

    def cleanup_headers(self):
        if self.chunked:  # the rest of the body may be unread: the connection carries no more
            self.headers["Connection"] = "close"
        super().cleanup_headers()

    def close(self):
        if self.chunked:  # not Django's, which reads the rest of the body first, however large
            simple_server.ServerHandler.close(self)
        else:
            super().close()


class RequestHandler(basehttp.WSGIRequestHandler):
    """Django's, with the ServerHandler above."""

    def handle_one_request(self):
        # Django's own, which names its ServerHandler directly.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():  # an error code has been sent
            return
        handler = ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self  # for logging and closing the connection
        handler.run(self.server.get_app())


class DevServer(basehttp.WSGIServer):
    """runserver's server class (Command.server_cls), with the RequestHandler above."""

    def __init__(self, server_address, _handler_class, *args, **kwargs):
        super().__init__(server_address, RequestHandler, *args, **kwargs)
