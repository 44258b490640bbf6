"""A real HTTP server on 127.0.0.1 that answers CelesTrak GP requests with what a test (or `make replay`) sets."""

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
        self.content_type = "application/json"
        #: Answers of particular selections: {("GROUP", "oneweb"): (status, body)}.
        self.by_query: dict[tuple[str, str], tuple[int, bytes]] = {}
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                stand_in.requests.append({
                    "path": urlsplit(self.path).path,
                    "query": {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                    "user_agent": self.headers.get("User-Agent"),
                    "headers": {name.lower(): value for name, value in self.headers.items()},
                    "at": time.monotonic(),
                })
                time.sleep(stand_in.delay_s)
                status, body = stand_in.answer_of(stand_in.requests[-1]["query"])
                self.send_response(status)
                for name, value in stand_in.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", stand_in.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, status: int, body: bytes, headers: dict | None = None, delay_s: float = 0.0,
               content_type: str = "application/json") -> None:
        """Answer every request (but those of :meth:`answer_query`) with ``status`` and ``body``
        (also any other page a test needs on another port: ``content_type`` says what it is)."""
        self.status, self.body, self.headers, self.delay_s = status, body, headers or {}, delay_s
        self.content_type = content_type

    def answer_query(self, selection: str, value: str, status: int, body: bytes) -> None:
        """Answer the requests of one selection (``"GROUP", "oneweb"``) with ``status`` and ``body``."""
        self.by_query[(selection, value)] = (status, body)

    def answer_of(self, query: dict) -> tuple[int, bytes]:
        """Return (status, body) of a request's query parameters."""
        for (selection, value), answer in self.by_query.items():
            if query.get(selection) == value:
                return answer
        return self.status, self.body

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
