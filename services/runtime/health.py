"""``/healthz``, ``/readyz`` and ``/metrics`` for FastAPI services and faust workers alike."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from services.runtime.logging import redact

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises when a dependency (broker, Redis) is not reachable."""


CHECK_TIMEOUT_S = 3.0
"""A dependency slower than this counts as down: probes (Docker, Kubernetes) time out too."""


async def readiness(
    checks: dict[str, ReadinessCheck], timeout_s: float = CHECK_TIMEOUT_S
) -> tuple[bool, dict[str, str]]:
    """Run every check concurrently, each bounded by ``timeout_s``; report ``ok`` or the error text."""

    async def run(check: ReadinessCheck) -> str:
        try:
            await asyncio.wait_for(check(), timeout_s)
            return "ok"
        except TimeoutError:
            return f"error: no answer within {timeout_s:g}s"
        except Exception as exc:  # any failure means not ready, whatever raised it
            # The answer is unauthenticated: never echo a password from a connection URL.
            return redact(f"error: {exc.__class__.__name__}: {exc}")[:300]

    outcomes = await asyncio.gather(*(run(check) for check in checks.values()))
    results = dict(zip(checks, outcomes, strict=True))
    return all(v == "ok" for v in results.values()), results


def health_router(registry: CollectorRegistry, checks: dict[str, ReadinessCheck]) -> APIRouter:
    """Routes for a FastAPI app: liveness, readiness against ``checks``, Prometheus metrics."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(response: Response) -> dict[str, Any]:
        ok, results = await readiness(checks)
        response.status_code = 200 if ok else 503
        return {"status": "ok" if ok else "unavailable", "checks": results}

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def install_faust_pages(app: Any, registry: CollectorRegistry, checks: dict[str, ReadinessCheck]) -> None:
    """The same three endpoints on a faust worker's own web server."""

    @app.page("/healthz")  # type: ignore[untyped-decorator]
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")  # type: ignore[untyped-decorator]
    async def readyz(web: Any, request: Any) -> Any:
        ok, results = await readiness(checks)
        return web.json({"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503)

    @app.page("/metrics")  # type: ignore[untyped-decorator]
    async def metrics(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(registry), content_type=CONTENT_TYPE_LATEST.split(";")[0])


def tcp_check(bootstrap: str, timeout_s: float = 2.0) -> ReadinessCheck:
    """A readiness check that the first reachable ``host:port`` of a bootstrap list accepts TCP."""

    async def check() -> None:
        last: Exception | None = None
        for address in bootstrap.split(","):
            host, _, port = address.strip().rpartition(":")
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout_s)
                writer.close()
                return
            except (OSError, TimeoutError) as exc:
                last = exc
        raise ConnectionError(f"broker {bootstrap} unreachable: {last}")

    return check
