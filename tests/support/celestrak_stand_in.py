"""A real HTTP server on 127.0.0.1 that answers CelesTrak GP requests with what a test sets."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class CelestrakStandIn:
    """A real HTTP server on 127.0.0.1 that answers GP requests with what a test sets."""

    def __init__(self):
        self.status, self.body, self.headers, self.delay_s, self.requests = 200, b"[]", {}, 0.0, []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                stand_in.requests.append({
                    "path": urlsplit(self.path).path,
                    "query": {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                    "user_agent": self.headers.get("User-Agent"),
                    "headers": {name.lower(): value for name, value in self.headers.items()},
                })
                time.sleep(stand_in.delay_s)
                self.send_response(stand_in.status)
                for name, value in stand_in.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(stand_in.body)))
                self.end_headers()
                self.wfile.write(stand_in.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, body: bytes, headers: dict | None = None, delay_s: float = 0.0) -> None:
        self.status, self.body, self.headers, self.delay_s = status, body, headers or {}, delay_s

    @property
    def connection_json(self) -> str:
        return self.connection(timeout_s=10)

    def connection(self, timeout_s: float, connect_retries: int = 0) -> str:
        """Return the ``celestrak`` connection (JSON) of this stand-in, with its extras."""
        extra = {"timeout": timeout_s, "connect_retries": connect_retries}
        return json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": self.port, "schema": "http",
                           "extra": extra})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
