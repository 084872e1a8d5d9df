"""A real webhook receiver on 127.0.0.1 that records every request and answers as scripted."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from herald.local import free_port


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Records POSTs; ``respond`` decides the status code of each (default 204)."""

    def __init__(self, respond: Callable[[Received], int] | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.requests: list[Received] = []
        self.respond = respond or (lambda _r: 204)
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                got = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with outer._lock:
                    outer.requests.append(got)
                self.send_response(outer.respond(got))
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """The URL to subscribe."""
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout_s: float) -> list[Received]:
        """Wait until at least ``count`` requests arrived; return them all (maybe fewer on timeout)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.05)
        with self._lock:
            return list(self.requests)

    def close(self) -> None:
        """Stop the server."""
        self._server.shutdown()
        self._server.server_close()
