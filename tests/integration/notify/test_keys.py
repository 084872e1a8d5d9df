"""``herald keys create --tenant NAME`` prints a key once; the key works for that tenant only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from herald.local import service_env
from services.notify.api import create_app
from services.runtime.settings import Settings
from tests.integration.notify.harness import env_of, fast

pytestmark = pytest.mark.integration


async def test_created_key_authenticates_as_its_tenant(settings: Settings) -> None:
    settings = fast(settings)
    env = service_env(**env_of(settings))
    herald = str(Path(sys.executable).parent / "herald")
    done = subprocess.run(
        [herald, "keys", "create", "--tenant", "acme"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    assert key.startswith("hk_") and "acme" in done.stderr and key not in done.stderr

    bad = subprocess.run(
        [herald, "keys", "create", "--tenant", "bad name!"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert bad.returncode == 2 and "--tenant" in bad.stderr

    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://n") as client:
        mine = {"Authorization": f"Bearer {key}"}
        body = {"name": "a", "topics": ["evacuation"], "channel": {"type": "stream"}}
        created = await client.post("/v1/subscriptions", json=body, headers=mine)
        assert created.status_code == 201 and created.json()["tenant"] == "acme"
        default = {"Authorization": f"Bearer {settings.bootstrap_api_key.get_secret_value()}"}  # type: ignore[union-attr]
        assert (await client.get(f"/v1/subscriptions/{created.json()['id']}", headers=default)).status_code == 404
