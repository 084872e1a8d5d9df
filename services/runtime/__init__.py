"""What every Herald service shares: settings, Kafka, Redis, logging, health endpoints."""
