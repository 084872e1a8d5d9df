"""Default Kafka topic names; each can be overridden through settings."""

ARTICLES_RAW = "articles.raw"
ARTICLES_CLASSIFIED = "articles.classified"
ARTICLES_DLQ = "articles.dlq"
ALERTS = "alerts"
ALERTS_DLQ = "alerts.dlq"

ALL_TOPICS = (ARTICLES_RAW, ARTICLES_CLASSIFIED, ARTICLES_DLQ, ALERTS, ALERTS_DLQ)
