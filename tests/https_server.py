"""A real HTTPS server on 127.0.0.1 for the outgoing client's tests: a `trustme` certificate
authority signs a certificate for 127.0.0.1, ::1 and localhost; the server answers each path from
a table of (status, headers, body), so that a test can serve a lens, a redirect or a huge body."""

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import trustme

Route = tuple[int, dict[str, str], bytes]


@dataclass
class HttpsServer:
    """A running server: `url(path)` on 127.0.0.1, `routes` to change what it answers, `ca_file`
    for the client to trust, `requests` the paths asked for, in order."""

    port: int
    ca_file: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"https://{host}:{self.port}{path}"


@contextmanager
def https_server(
    tmp_path, routes: dict[str, Route] | None = None, *, host: str = "127.0.0.1"
) -> Iterator[HttpsServer]:
    """Serve over HTTPS on an ephemeral port of `host` until the block ends."""
    authority = trustme.CA()
    certificate = authority.issue_cert(host, "127.0.0.1", "::1", "localhost")
    ca_file = tmp_path / "outgoing-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    state = HttpsServer(port=0, ca_file=str(ca_file), routes=dict(routes or {}))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            state.requests.append(self.path)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not here"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
