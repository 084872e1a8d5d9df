"""Run the classify worker: ``python -m services.classify``."""

from __future__ import annotations

from services.classify.agent import create_app
from services.runtime.kafka import ensure_topics
from services.runtime.logging import configure_logging
from services.runtime.settings import get_settings
from services.runtime.worker import run_worker


def main() -> None:
    """Create topics if needed, then run the faust worker until SIGINT/SIGTERM."""
    settings = get_settings()
    configure_logging("classify", settings.log_level)
    ensure_topics(settings)
    run_worker(create_app(settings))


if __name__ == "__main__":
    main()
