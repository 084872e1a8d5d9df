"""``herald up``: the embedded broker and Redis, then every service as its own process."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from herald.local import LaunchError, Managed, port_in_use, service_env, start_redis, start_tansu, wait_for_port
from services.runtime.kafka import BrokerUnavailable, ensure_topics
from services.runtime.settings import Settings

EMBEDDED_KAFKA_PORT = 9092
EMBEDDED_REDIS_PORT = 6389
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM if the launcher dies, even by SIGKILL, so nothing is orphaned.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


SERVICES: tuple[tuple[str, list[str], str], ...] = (
    ("ingest", ["-m", "services.ingest"], "ingest_port"),
    ("classify", ["-m", "services.classify"], "classify_port"),
    ("notify-api", ["-m", "services.notify", "api"], "notify_port"),
    ("notify-worker", ["-m", "services.notify", "worker"], "notify_worker_port"),
)


def _spawner(command: list[str], env: dict[str, str], log_path: Path) -> Callable[[], subprocess.Popen[bytes]]:
    def spawn() -> subprocess.Popen[bytes]:
        with open(log_path, "ab") as log:
            return subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    return spawn


class System:
    """Everything ``herald up`` started, stopped in reverse order."""

    def __init__(self) -> None:
        self.children: list[Managed] = []
        self.env: dict[str, str] = {}

    def stop(self) -> None:
        """Stop services first, then Redis and the broker, so workers can commit on the way out."""
        for child in reversed(self.children):
            child.stop()
        self.children.clear()

    def child(self, name: str) -> Managed:
        """The process called ``name`` (e.g. ``classify``, ``notify-worker``)."""
        for child in self.children:
            if child.name == name:
                return child
        raise KeyError(name)


def start_system(
    settings: Settings,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    quiet: bool = False,
) -> System:
    """Start infrastructure (unless configured elsewhere) and the four service processes."""
    system = System()
    overrides: dict[str, str] = dict(extra_env or {})
    say: Callable[[str], None] = (lambda _m: None) if quiet else (lambda m: print(m, flush=True))
    log_dir = log_dir or data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        if "HERALD_KAFKA_BOOTSTRAP" not in os.environ and "kafka_bootstrap" not in overrides:
            broker = start_tansu(EMBEDDED_KAFKA_PORT, log_dir / "tansu.log")
            system.children.append(broker)
            overrides["kafka_bootstrap"] = f"127.0.0.1:{broker.port}"
            say(f"kafka    tansu (embedded)   127.0.0.1:{broker.port}")
        if "HERALD_REDIS_URL" not in os.environ and "redis_url" not in overrides:
            redis = start_redis(EMBEDDED_REDIS_PORT, data_dir / "redis")
            system.children.append(redis)
            overrides["redis_url"] = f"redis://127.0.0.1:{redis.port}/0"
            say(f"redis    redis-server (AOF) 127.0.0.1:{redis.port}   data in {data_dir / 'redis'}")
        # Overrides are environment strings; lists and tuples come as JSON, as the services read them.
        known = {k: json.loads(v) if v[:1] in "[{" else v for k, v in overrides.items() if k in Settings.model_fields}
        effective = Settings.model_validate(settings.model_dump() | known)
        ensure_topics(effective)
        env = service_env(**overrides, data_dir=str(data_dir))
        system.env = env
        for name, args, port_field in SERVICES:
            port = int(getattr(effective, port_field))
            if port_in_use(port, effective.host):
                raise LaunchError(
                    f"port {port} for {name} is taken; stop what uses it or set HERALD_{port_field.upper()}"
                )
            spawn = _spawner([sys.executable, *args], env, log_dir / f"{name}.log")
            system.children.append(Managed(name, spawn(), port, spawn))
        for child in system.children[-len(SERVICES) :]:
            wait_for_port(child.port, child.proc, f"{child.name} (log: {log_dir / (child.name + '.log')})", 60)
            say(f"{child.name:<14} http://{effective.host}:{child.port}   (/healthz /metrics)")
    except (LaunchError, BrokerUnavailable):
        system.stop()
        raise
    return system


def run_until_signal(system: System, on_ready: Callable[[], None] | None = None) -> int:
    """Block until SIGINT/SIGTERM or a child dies; then stop everything. Returns the exit code."""
    stopping = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    code = 0
    try:
        if on_ready is not None:
            threading.Thread(target=on_ready, daemon=True).start()
        while not stopping.wait(0.5):
            dead = [c for c in system.children if c.proc.poll() is not None]
            if dead:
                print(f"error: {dead[0].name} exited with code {dead[0].proc.returncode}; stopping", file=sys.stderr)
                code = 1
                break
    finally:
        print("stopping...", flush=True)
        system.stop()
    print("stopped", flush=True)
    return code


def wait_ready(url: str, timeout_s: float = 60.0) -> None:
    """Poll a /readyz URL until it answers 200."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise LaunchError(f"{url} not ready within {timeout_s:.0f}s")


__all__ = ["System", "run_until_signal", "start_system", "wait_for_port", "wait_ready"]
