"""A small HTTP server on 127.0.0.1 for the JWKS tests, run in a thread.

Each route maps a path to a callable returning ``(status, headers, body)``;
every request is recorded.  :func:`running` starts the server and always
stops it (and joins its thread) on the way out.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Route = Callable[[], "tuple[int, dict[str, str], bytes]"]


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append((self.path, dict(self.headers.items())))
                route = owner.routes.get(self.path)
                headers: dict[str, str]
                if route is None:
                    status, headers, body = 404, {}, b"not found"
                else:
                    status, headers, body = route()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"

    def json(self, path: str, *payloads: Any) -> None:
        """Serve ``payloads`` in turn at ``path`` (the last one repeats)."""
        queue = list(payloads)

        def route() -> tuple[int, dict[str, str], bytes]:
            payload = queue.pop(0) if len(queue) > 1 else queue[0]
            return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()

        self.routes[path] = route

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@contextlib.contextmanager
def running() -> Iterator[Server]:
    """A started :class:`Server`, shut down and joined at the end."""
    srv = Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        thread.join(timeout=5)
        assert not thread.is_alive()
