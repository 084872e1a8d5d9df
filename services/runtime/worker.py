"""Run a faust app as a worker process, keeping Herald's JSON logging."""

from __future__ import annotations

from typing import Any

import faust


def run_worker(app: Any) -> None:
    """Block running ``app`` until SIGINT/SIGTERM; faust stops agents and commits on the way out."""
    worker = faust.Worker(app, loglevel="WARN", override_logging=False, quiet=True)
    worker.execute_from_commandline()
