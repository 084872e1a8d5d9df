"""Helpers of the ingest integration tests: read back what reached Kafka, serve files over HTTP."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from herald.local import free_port
from schemas.models import Article
from services.runtime.settings import Settings


def read_topic(settings: Settings, at_least: int = 0, wait_s: float = 10.0) -> list[Article]:
    """Every article in the raw topic (no consumer group: partitions are assigned directly).

    Reads until the end offsets are reached; waits up to ``wait_s`` for ``at_least`` records.
    """
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    try:
        topic = settings.topic_articles_raw
        partitions = [TopicPartition(topic, p) for p in range(settings.kafka_partitions)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        found: list[Article] = []
        deadline = time.monotonic() + wait_s
        while True:
            for records in consumer.poll(timeout_ms=300).values():
                found.extend(Article.model_validate_json(r.value) for r in records)
            caught_up = all(
                consumer.position(p) >= consumer.highwater(p) for p in partitions if consumer.highwater(p) is not None
            )
            known = all(consumer.highwater(p) is not None for p in partitions)
            if len(found) >= at_least and known and caught_up:
                return found
            if time.monotonic() > deadline:
                return found
    finally:
        consumer.close()


@dataclass
class Served:
    """One request the feed server saw."""

    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """A real HTTP server on 127.0.0.1; ``routes`` maps a path to a handler returning (status, headers, body)."""

    routes: dict[str, Callable[[Served], tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)
    requests: list[Served] = field(default_factory=list)
    streamed: dict[str, tuple[bytes, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.port = free_port()
        self.aborted = threading.Event()
        self.completed = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen = Served(self.path, {k.lower(): v for k, v in self.headers.items()})
                outer.requests.append(seen)
                if self.path in outer.streamed:
                    self._stream(*outer.streamed[self.path])
                    return
                route = outer.routes.get(self.path)
                status, headers, body = route(seen) if route else (404, {}, b"not found")
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304 and "content-length" not in {k.lower() for k in headers}:
                    self.send_header("content-length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def _stream(self, chunk: bytes, times: int) -> None:
                self.send_response(200)
                self.send_header("content-type", "application/rss+xml")
                self.send_header("connection", "close")
                self.end_headers()
                try:
                    for _ in range(times):
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    outer.aborted.set()
                    return
                outer.completed.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def endless(self, path: str, chunk: bytes, times: int) -> None:
        """Serve ``chunk`` ``times`` times at ``path`` with no Content-Length; ``aborted`` records a reader hang-up."""
        self.streamed[path] = (chunk, times)

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


class ServiceThread:
    """An ASGI app served by uvicorn on a real socket, in a thread of the test process."""

    def __init__(self, app: Any, port: int) -> None:
        import uvicorn

        self.url = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("ingest app did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Shut down (runs the app's lifespan shutdown: poller stopped, producer flushed)."""
        self._server.should_exit = True
        self._thread.join(20)


def wait_until(check: Callable[[], bool], timeout_s: float = 20.0) -> bool:
    """Poll ``check`` until it is true or the timeout passes; the result of the last check."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
