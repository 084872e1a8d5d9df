"""Run the ingest HTTP service: ``python -m services.ingest``."""

from __future__ import annotations

import uvicorn

from services.ingest.api import create_app
from services.runtime.kafka import ensure_topics
from services.runtime.logging import configure_logging
from services.runtime.settings import get_settings


def main() -> None:
    """Create topics if needed, then serve the API until SIGINT/SIGTERM."""
    settings = get_settings()
    configure_logging("ingest", settings.log_level)
    ensure_topics(settings)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.ingest_port, log_config=None)


if __name__ == "__main__":
    main()
