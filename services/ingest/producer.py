"""Publish articles to ``articles.raw`` and report success only once the broker acknowledged.

The kafka-python producer is thread-safe and shared by every request. After a failure it
is thrown away and a fresh one is made on the next call: a producer that lost its broker
can keep stale metadata or a wedged connection, and idempotence state (producer id,
sequence numbers) must not outlive a batch we reported as failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from kafka import KafkaProducer
from kafka.errors import KafkaError

from schemas.models import Article
from services.ingest.metrics import IngestMetrics
from services.runtime.kafka import BrokerUnavailable, make_producer
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

_RECONNECT_PAUSE_S = 1.0


class ArticlePublisher:
    """A kafka-python producer (acks=all, idempotent, compressed) keyed by article id; blocking calls."""

    def __init__(self, settings: Settings, metrics: IngestMetrics) -> None:
        self._settings = settings
        self._metrics = metrics
        self._topic = settings.topic_articles_raw
        self._ack_timeout_s = settings.ingest_ack_timeout_seconds
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()
        self._create_failed_at = float("-inf")

    def _get(self) -> KafkaProducer:
        # Created lazily so the API can start (and answer 503) while the broker is down.
        with self._lock:
            # While the broker is down, each request would wait out a full bootstrap behind
            # this lock; for a second after a failed attempt, fail fast instead.
            if self._producer is None and time.monotonic() - self._create_failed_at < _RECONNECT_PAUSE_S:
                raise BrokerUnavailable("broker unreachable (last connection attempt failed just now)")
            if self._producer is None:
                timeout_ms = int(self._ack_timeout_s * 1000)
                try:
                    self._producer = make_producer(
                        self._settings,
                        # kafka-python waits 30 s for a first broker by default: a 503 must come sooner.
                        bootstrap_timeout_ms=min(5_000, timeout_ms),
                        max_block_ms=min(5_000, timeout_ms),
                        request_timeout_ms=min(10_000, timeout_ms),
                        delivery_timeout_ms=max(timeout_ms, min(10_000, timeout_ms) + 5),
                    )
                except BrokerUnavailable:
                    self._create_failed_at = time.monotonic()
                    raise
            return self._producer

    def _discard(self, broken: KafkaProducer) -> None:
        """Close a producer that failed (without waiting for its buffer) unless already replaced."""
        with self._lock:
            if id(self._producer) != id(broken):  # a newer producer replaced it already
                return
            self._producer = None
        try:
            broken.close(timeout=0)
        except Exception as exc:  # closing a broken client must never mask the original failure
            log.debug("closing a failed producer raised", extra={"error": str(exc)})

    def publish(self, articles: Sequence[Article], via: str) -> None:
        """Send every article and wait for all acknowledgements; raise BrokerUnavailable otherwise."""
        if not articles:
            return
        started = time.perf_counter()
        deadline = time.monotonic() + self._ack_timeout_s
        producer: KafkaProducer | None = None
        try:
            producer = self._get()
            futures = [
                producer.send(self._topic, key=a.id.encode(), value=a.model_dump_json().encode()) for a in articles
            ]
            for future in futures:
                future.get(timeout=max(0.001, deadline - time.monotonic()))
        except (KafkaError, BrokerUnavailable) as exc:
            log.warning("publish failed", extra={"count": len(articles), "via": via, "error": repr(exc)})
            self._metrics.produce_failures.labels(via).inc()
            if producer is not None:
                self._discard(producer)
            raise BrokerUnavailable(str(exc) or exc.__class__.__name__) from exc
        self._metrics.produce_seconds.observe(time.perf_counter() - started)
        self._metrics.published.labels(via).inc(len(articles))

    def close(self) -> None:
        """Flush what is buffered and close the connection (on shutdown)."""
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.flush(timeout=self._ack_timeout_s)
            finally:
                producer.close(timeout=self._ack_timeout_s)
