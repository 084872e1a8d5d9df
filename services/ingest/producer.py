"""Publish articles to ``articles.raw`` and report success only once the broker acknowledged."""

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


class ArticlePublisher:
    """A kafka-python producer (acks=all, idempotent) keyed by article id; blocking calls."""

    def __init__(self, settings: Settings, metrics: IngestMetrics, ack_timeout_s: float = 15.0) -> None:
        self._settings = settings
        self._metrics = metrics
        self._topic = settings.topic_articles_raw
        self._ack_timeout_s = ack_timeout_s
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _get(self) -> KafkaProducer:
        # Created lazily so the API can start (and answer 503) while the broker is down.
        with self._lock:
            if self._producer is None:
                self._producer = make_producer(self._settings)
            return self._producer

    def publish(self, articles: Sequence[Article], via: str) -> None:
        """Send every article and wait for all acknowledgements; raise BrokerUnavailable otherwise."""
        started = time.perf_counter()
        try:
            producer = self._get()
            futures = [
                producer.send(self._topic, key=a.id.encode(), value=a.model_dump_json().encode()) for a in articles
            ]
            producer.flush(timeout=self._ack_timeout_s)
            for future in futures:
                future.get(timeout=self._ack_timeout_s)
        except (KafkaError, BrokerUnavailable) as exc:
            log.warning("publish failed", extra={"count": len(articles), "error": str(exc)})
            raise BrokerUnavailable(str(exc)) from exc
        self._metrics.produce_seconds.observe(time.perf_counter() - started)
        self._metrics.published.labels(via).inc(len(articles))

    def close(self) -> None:
        """Flush what is buffered and close the connection."""
        with self._lock:
            if self._producer is not None:
                self._producer.flush(timeout=self._ack_timeout_s)
                self._producer.close(timeout=self._ack_timeout_s)
                self._producer = None
