"""Readiness: every check reported, failures and hangs mean 503-worthy, no secrets echoed."""

from __future__ import annotations

import asyncio

from services.runtime.health import readiness, tcp_check


async def ok() -> None:
    return None


async def refused() -> None:
    raise ConnectionError("redis://default:hunter2pass@redis:6379/0 refused the connection")


async def hangs() -> None:
    await asyncio.Event().wait()


async def test_all_ok_is_ready() -> None:
    assert await readiness({"kafka": ok, "redis": ok}) == (True, {"kafka": "ok", "redis": "ok"})


async def test_a_failing_check_is_reported_without_its_password() -> None:
    ready, results = await readiness({"kafka": ok, "redis": refused})
    assert not ready
    assert results["kafka"] == "ok"
    assert results["redis"].startswith("error: ConnectionError: redis://default:")
    assert "hunter2pass" not in results["redis"]


async def test_a_hanging_check_is_not_ready_and_does_not_block_the_others() -> None:
    ready, results = await readiness({"kafka": hangs, "redis": ok}, timeout_s=0.05)
    assert not ready
    assert results == {"kafka": "error: no answer within 0.05s", "redis": "ok"}


async def test_tcp_check_fails_on_a_closed_port_and_passes_on_an_open_one() -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await tcp_check(f"127.0.0.1:1,127.0.0.1:{port}")()  # the first reachable address wins
    finally:
        server.close()
        await server.wait_closed()
    ready, results = await readiness({"kafka": tcp_check(f"127.0.0.1:{port}", timeout_s=1)})
    assert not ready and results["kafka"].startswith("error: ConnectionError: broker")
