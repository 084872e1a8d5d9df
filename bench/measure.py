"""What the benchmarks read about processes: memory from /proc (Linux)."""

from __future__ import annotations

from pathlib import Path


def proc_mib(field: str = "VmRSS", pid: int | str = "self") -> float:
    """A memory line of /proc/<pid>/status (VmRSS now, VmHWM peak) in MiB; 0.0 where unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
