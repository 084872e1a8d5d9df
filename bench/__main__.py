"""``make bench``: every benchmark, a table on stdout and bench/results/latest.json."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MODULES = ("bench.classifier", "bench.matcher", "bench.ingest", "bench.e2e")


def main() -> int:
    """Run the benchmarks named on the command line (default: all) and save the figures."""
    wanted = sys.argv[1:] or [m.split(".")[1] for m in MODULES]
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu": _cpu_model(),
        },
    }
    print(f"Herald benchmarks on {report['machine']['cpu']} x{os.cpu_count()}, Python {platform.python_version()}")
    failed = []
    for name in wanted:
        module = importlib.import_module(f"bench.{name}")
        try:
            module.run(report)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed.append(name)
            print(f"benchmark {name} failed: {exc!r}", file=sys.stderr)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nfigures saved to {out / 'latest.json'}")
    return 1 if failed else 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


if __name__ == "__main__":
    raise SystemExit(main())
