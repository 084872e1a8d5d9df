"""Run a notify process: ``python -m services.notify api`` or ``python -m services.notify worker``."""

from __future__ import annotations

import sys

import uvicorn

from services.runtime.kafka import ensure_topics
from services.runtime.logging import configure_logging
from services.runtime.settings import get_settings
from services.runtime.worker import run_worker

USAGE = "usage: python -m services.notify {api|worker}"


def main() -> None:
    """Start the subscription API (port 8003) or the match/deliver worker (port 8004)."""
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    settings = get_settings()
    if role == "api":
        from services.notify.api import create_app

        configure_logging("notify-api", settings.log_level)
        uvicorn.run(create_app(settings), host=settings.host, port=settings.notify_port, log_config=None)
    elif role == "worker":
        from services.notify.worker import create_app as create_worker

        configure_logging("notify-worker", settings.log_level)
        ensure_topics(settings)
        sys.argv = sys.argv[:1]
        run_worker(create_worker(settings))
    else:
        print(USAGE, file=sys.stderr)
        raise SystemExit(2)


if __name__ == "__main__":
    main()
