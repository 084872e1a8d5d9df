"""Find and run promtool; a missing promtool fails the test with instructions, never skips it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

INSTALL_HINT = (
    "promtool not found (looked in the virtualenv's bin/ and on PATH). `make install` unpacks it "
    "from the Debian package 'prometheus' into .venv/bin (deploy/install-promtool.sh); or install it "
    "with `apt-get install prometheus`, or put a promtool binary from a Prometheus release on PATH."
)


def promtool() -> str:
    """Path of promtool: the virtualenv's copy first, then PATH."""
    local = Path(sys.prefix) / "bin" / "promtool"
    if local.exists():
        return str(local)
    found = shutil.which("promtool")
    if found is None:
        pytest.fail(INSTALL_HINT)
    return found


def run_promtool(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``promtool args...``, capturing text output."""
    return subprocess.run(
        [promtool(), *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
