"""Herald configuration: ``HERALD_*`` environment variables and ``.env``, read once."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas import topics

_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "dev", "test"}


class Settings(BaseSettings):
    """Every setting of every Herald service; each service reads the part it needs."""

    model_config = SettingsConfigDict(env_prefix="HERALD_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    log_level: str = "INFO"

    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_partitions: int = Field(default=3, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)
    # Tansu joins a group only after about half the session timeout: keep it short locally.
    kafka_session_timeout_ms: int = Field(default=6_000, ge=1_000)
    kafka_heartbeat_interval_ms: int = Field(default=1_000, ge=100)
    kafka_compression: Literal["gzip", "none"] = "gzip"
    # Longest time a faust worker's fetch waits for data (faust hard-codes 1,500 ms; against
    # Tansu, aiokafka then waits ~380 ms per hop even when data is there).
    kafka_fetch_max_wait_ms: int = Field(default=100, ge=1, le=10_000)

    redis_url: str = "redis://127.0.0.1:6379/0"
    # Every Redis key starts with this, so several deployments (or tests) can share one Redis.
    redis_prefix: str = "herald:"

    topic_articles_raw: str = topics.ARTICLES_RAW
    topic_articles_classified: str = topics.ARTICLES_CLASSIFIED
    topic_articles_dlq: str = topics.ARTICLES_DLQ
    topic_alerts: str = topics.ALERTS
    topic_alerts_dlq: str = topics.ALERTS_DLQ

    # Consumer groups; overriding them lets tests and parallel deployments stay apart.
    group_prefix: str = "herald"

    host: str = "127.0.0.1"
    ingest_port: int = 8001
    classify_port: int = 8002
    notify_port: int = 8003
    notify_worker_port: int = 8004

    bootstrap_api_key: SecretStr | None = None
    allow_private_urls: bool = False

    webhook_timeout_seconds: float = Field(default=10.0, gt=0)

    data_dir: str = ".herald-data"

    # --- classify (services/classify) ---------------------------------------------------
    # Edited copies of the shipped data files (services/classify/data/); unset = shipped ones.
    classify_taxonomy_file: str | None = None
    classify_gazetteer_file: str | None = None
    classify_actors_file: str | None = None

    # --- ingest (services/ingest) -------------------------------------------------------
    ingest_require_api_key: bool = Field(
        default=False, description="POST /v1/articles and /v1/feeds need a bearer key of any tenant"
    )
    ingest_max_batch: int = Field(default=500, ge=1, description="Most articles in one POST /v1/articles")
    ingest_max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="Largest request body")
    ingest_ack_timeout_seconds: float = Field(default=15.0, gt=0, description="Wait for broker acks at most")
    ingest_retry_after_seconds: int = Field(default=5, ge=1, description="Retry-After of a 503")
    ingest_dedupe_ttl_seconds: int = Field(default=30 * 86_400, ge=60, description="How long an id stays 'seen'")
    ingest_story_window_seconds: int = Field(default=3 * 86_400, ge=60, description="Near-duplicate index lifetime")
    ingest_near_duplicate_similarity: float = Field(
        default=0.6, gt=0, le=1, description="Estimated share of the shorter text's 3-grams found in the other"
    )
    ingest_feeds_enabled: bool = True
    ingest_feeds_file: str | None = None
    ingest_feed_default_interval_seconds: int = Field(default=300, ge=1)
    ingest_feed_min_interval_seconds: int = Field(default=30, ge=1)
    ingest_feed_timeout_seconds: float = Field(default=20.0, gt=0)
    ingest_feed_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    ingest_feed_max_backoff_seconds: int = Field(default=3_600, ge=1)
    ingest_feed_concurrency: int = Field(default=8, ge=1)
    ingest_feed_tick_seconds: float = Field(default=1.0, gt=0, description="How often due feeds are looked for")
    # --- end ingest -----------------------------------------------------------------------

    # --- notify (services/notify) -----------------------------------------------------------
    # Delay before each retry; the number of entries is the number of retries. The default
    # spreads 8 retries over about a day (Standard Webhooks style).
    notify_retry_schedule_seconds: tuple[float, ...] = (5, 60, 300, 1_800, 7_200, 18_000, 36_000, 36_000)
    notify_retry_jitter: float = Field(default=0.2, ge=0, le=1, description="+/- fraction of each delay")
    notify_retry_after_max_seconds: float = Field(default=3_600, gt=0, description="Cap on a receiver's Retry-After")
    notify_pause_after_failures: int = Field(default=5, ge=1, description="Consecutive failed alerts that pause")
    notify_delivery_concurrency: int = Field(default=64, ge=1, description="Sends in flight per worker")
    notify_inflight_per_subscription: int = Field(default=4, ge=1, description="Sends in flight per endpoint")
    notify_scheduler_poll_seconds: float = Field(default=0.5, gt=0, description="Longest idle wait for due work")
    notify_delivery_lease_seconds: float = Field(default=60, gt=0, description="A claimed send is re-driven after")
    notify_response_max_bytes: int = Field(default=4_096, ge=0, description="Receiver response read at most")
    notify_dedupe_ttl_seconds: int = Field(default=30 * 86_400, ge=60, description="How long an alert id is 'sent'")
    notify_max_subscriptions_per_tenant: int = Field(default=1_000, ge=1)
    notify_preview_articles: int = Field(default=500, ge=1, description="Recent articles kept for preview")
    notify_secret_grace_seconds: int = Field(default=86_400, ge=0, description="Old secret still signs after rotate")
    notify_stream_backlog: int = Field(default=1_000, ge=1, description="Events kept per SSE stream for replay")
    notify_delivery_log_length: int = Field(default=200, ge=1, description="Delivery records kept per subscription")
    # --- end notify -------------------------------------------------------------------------

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        key = self.bootstrap_api_key.get_secret_value() if self.bootstrap_api_key else None
        if self.environment == "production" and key is not None and (key.lower() in _PLACEHOLDERS or len(key) < 16):
            raise ValueError("HERALD_BOOTSTRAP_API_KEY is a placeholder or shorter than 16 characters")
        return self

    def topic_names(self) -> tuple[str, ...]:
        """All Kafka topics Herald uses, as configured."""
        return (
            self.topic_articles_raw,
            self.topic_articles_classified,
            self.topic_articles_dlq,
            self.topic_alerts,
            self.topic_alerts_dlq,
        )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
