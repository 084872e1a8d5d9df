"""Run notify for a test: the API in-process or as a process, the worker as a process that can be
killed; publish classified articles straight to the broker; a scriptable HTTP receiver."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from herald.launcher import wait_ready
from herald.local import Managed, free_port, service_env, wait_for_port
from schemas.models import Article, ClassifiedArticle, Entity, TopicTag
from services.runtime.kafka import ensure_topics, make_producer
from services.runtime.settings import Settings

API_KEY = "hk_notify_test_key_0123456789"

FAST: dict[str, Any] = {
    "notify_retry_schedule_seconds": (0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5),
    "notify_retry_jitter": 0.1,
    "notify_scheduler_poll_seconds": 0.05,
    "notify_delivery_lease_seconds": 1.0,
    "webhook_timeout_seconds": 2.0,
    "notify_pause_after_failures": 50,
    "kafka_session_timeout_ms": 3000,
    "kafka_heartbeat_interval_ms": 500,
}


def env_of(settings: Settings) -> dict[str, str]:
    """HERALD_* variables that reproduce ``settings`` in a child process."""
    out: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, list | tuple | dict):
            out[name] = json.dumps(value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = str(value)
    return out


def fast(settings: Settings, **overrides: Any) -> Settings:
    """Test settings with sub-second retry schedules (and any overrides)."""
    values = settings.model_dump() | FAST | {"bootstrap_api_key": API_KEY} | overrides
    return Settings.model_validate(values)


@dataclass
class Notify:
    """The notify API and worker as processes on one test's settings."""

    settings: Settings
    logs: Path
    worker: Managed | None = None
    api: Managed | None = None
    _starts: int = 0

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.notify_port}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {API_KEY}"}

    def _spawn(self, role: str, port: int) -> Managed:
        self._starts += 1
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"notify-{role}-{self._starts}.log", "ab")  # noqa: SIM115 - owned by the child
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.notify", role],
            env=service_env(**env_of(self.settings)),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        managed = Managed(f"notify-{role}", proc, port)
        wait_for_port(port, proc, f"notify {role} (logs in {self.logs})", 60)
        wait_ready(f"http://{self.settings.host}:{port}/readyz")
        return managed

    def start(self) -> Notify:
        ensure_topics(self.settings)
        self.api = self._spawn("api", self.settings.notify_port)
        self.start_worker()
        return self

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", self.settings.notify_worker_port)

    def kill_worker(self) -> None:
        """SIGKILL: no graceful shutdown, no offset commit."""
        assert self.worker is not None
        self.worker.proc.kill()
        self.worker.proc.wait(10)
        self.worker = None

    def stop(self) -> None:
        for child in (self.worker, self.api):
            if child is not None:
                child.stop()

    def subscribe(self, **body: Any) -> dict[str, Any]:
        body.setdefault("name", "test")
        body.setdefault("topics", ["prisoner_exchange"])
        r = httpx.post(f"{self.url}/v1/subscriptions", json=body, headers=self.auth, timeout=10)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def get(self, path: str) -> Any:
        r = httpx.get(f"{self.url}{path}", headers=self.auth, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def deliveries(self, sub_id: str) -> list[dict[str, Any]]:
        return list(self.get(f"/v1/subscriptions/{sub_id}/deliveries?limit=1000"))

    def wait_deliveries(self, sub_id: str, done: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 60) -> Any:
        deadline = time.monotonic() + timeout_s
        records = self.deliveries(sub_id)
        while not done(records) and time.monotonic() < deadline:
            time.sleep(0.1)
            records = self.deliveries(sub_id)
        return records


def classified(
    title: str = "Sides swap 40 prisoners of war",
    body: str = "The two armies exchanged 40 prisoners of war on Monday in a deal mediated by Turkey.",
    topics: dict[str, float] | None = None,
    story_id: str | None = None,
    article_id: str | None = None,
    source: str = "Test Wire",
    url: str | None = None,
    places: tuple[tuple[str, str], ...] = (),
) -> ClassifiedArticle:
    now = datetime.now(UTC)
    art = Article(
        id=article_id or "a_" + uuid.uuid4().hex[:12],
        story_id=story_id or "s_" + uuid.uuid4().hex[:12],
        title=title,
        body=body,
        url=url,
        source=source,
        language="en",
        received_at=now,
    )
    tags = tuple(
        TopicTag(topic=t, score=s, evidence=(f"evidence for {t}",))
        for t, s in (topics or {"prisoner_exchange": 0.9}).items()
    )
    ents = tuple(Entity(kind="place", id=i, name=n) for i, n in places)
    return ClassifiedArticle(article=art, topics=tags, entities=ents, classified_at=now)


def publish(settings: Settings, *articles: ClassifiedArticle, key: bytes | None = b"same-partition") -> None:
    """Produce to the classified topic; one key keeps them in order on one partition."""
    producer = make_producer(settings)
    try:
        for a in articles:
            producer.send(
                settings.topic_articles_classified, key=key or a.article.id.encode(), value=a.model_dump_json().encode()
            )
        producer.flush(30)
    finally:
        producer.close()


@dataclass(frozen=True)
class Hit:
    """One request the receiver answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1; ``respond(hit_number, body) -> (status, headers, body)``."""

    respond: Callable[[int, bytes], tuple[int, dict[str, str], bytes]] = lambda _n, _b: (204, {}, b"")
    delay_s: float = 0.0
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if outer.delay_s:
                    time.sleep(outer.delay_s)
                with outer._lock:
                    n = len(outer.hits) + 1
                    status, headers, out = outer.respond(n, body)
                    outer.hits.append(
                        Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status, time.time())
                    )
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def snapshot(self) -> list[Hit]:
        with self._lock:
            return list(self.hits)

    def wait(self, done: Callable[[list[Hit]], bool], timeout_s: float = 60) -> list[Hit]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            got = self.snapshot()
            if done(got):
                return got
            time.sleep(0.05)
        return self.snapshot()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
