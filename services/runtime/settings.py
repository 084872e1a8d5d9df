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
