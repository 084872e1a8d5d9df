"""Every process's /metrics passes `promtool check metrics`, and the numbers tell the truth:
end-to-end latency is observed once per delivery, consumer lag comes from fetch
high-watermarks, every metric the alerts and dashboard use exists, logs hold no secrets."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from herald.launcher import System
from services.runtime.settings import Settings
from tests.conftest import unique_settings
from tests.integration.ops.promtool import run_promtool
from tests.support.receiver import WebhookReceiver
from tests.support.system import start_services

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
API_KEY = "hk_ops_metrics_test_key_0123456789"

MATCHING = {
    "title": "Armies swap 120 prisoners of war in Turkish-brokered exchange",
    "body": (
        "The two armies exchanged 120 prisoners of war on Tuesday at the border, in a swap "
        "mediated by Turkey, officials on both sides said. Families waited at the crossing."
    ),
    "source": "Herald Ops Wire",
}
NOT_MATCHING = {
    "title": "Thousands evacuated as wildfire nears coastal villages",
    "body": (
        "Firefighters evacuated more than 4,000 residents from three coastal villages overnight "
        "as a wildfire driven by strong winds advanced toward the sea, the civil protection agency said."
    ),
    "source": "Herald Ops Wire",
}


@dataclass
class Running:
    settings: Settings
    system: System
    logs: Path
    secret: str
    elapsed_s: float
    """Wall time from just before posting the articles to just after the webhook arrived."""

    def url(self, port: int, path: str) -> str:
        return f"http://{self.settings.host}:{port}{path}"

    def ports(self) -> dict[str, int]:
        s = self.settings
        return {
            "ingest": s.ingest_port,
            "classify": s.classify_port,
            "notify-api": s.notify_port,
            "notify-worker": s.notify_worker_port,
        }

    def metrics(self, service: str) -> str:
        response = httpx.get(self.url(self.ports()[service], "/metrics"), timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return response.text


@pytest.fixture(scope="module")
def running(kafka_bootstrap: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The four services as processes, one delivered alert and one article that matched nothing."""
    data_dir = tmp_path_factory.mktemp("ops")
    settings = unique_settings(kafka_bootstrap, redis_url, data_dir)
    receiver = WebhookReceiver()
    system = start_services(settings, data_dir, API_KEY)
    try:
        sub = httpx.post(
            f"http://{settings.host}:{settings.notify_port}/v1/subscriptions",
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"name": "ops", "topics": ["prisoner_exchange"], "channel": {"type": "webhook", "url": receiver.url}},
            timeout=10,
        )
        assert sub.status_code == 201, sub.text
        started = time.time()
        posted = httpx.post(
            f"http://{settings.host}:{settings.ingest_port}/v1/articles", json=[MATCHING, NOT_MATCHING], timeout=30
        )
        assert posted.status_code == 202, posted.text
        got = receiver.wait_for(1, timeout_s=60)
        elapsed = time.time() - started
        assert len(got) == 1, f"no webhook delivered; logs in {data_dir / 'logs'}"
        yield Running(settings, system, data_dir / "logs", sub.json()["secret"], elapsed)
    finally:
        system.stop()
        receiver.close()


def families(exposition: str) -> set[str]:
    """Every metric and sample name in a Prometheus text exposition (histograms with their series)."""
    names: set[str] = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
            if kind == "counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def samples(exposition: str, name: str, **labels: str) -> list[float]:
    """Values of ``name`` whose labels include ``labels``."""
    out = []
    for line in exposition.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match is None:
            continue
        have = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(1) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            out.append(float(match.group(2)))
    return out


@pytest.mark.parametrize("service", ["ingest", "classify", "notify-api", "notify-worker"])
def test_promtool_check_metrics_passes(running: Running, service: str) -> None:
    exposition = running.metrics(service)
    assert "herald_" in exposition
    result = run_promtool("check", "metrics", stdin=exposition.encode())
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), (
        f"promtool check metrics on {service}:\n{result.stdout}{result.stderr}"
    )


@pytest.mark.parametrize("service", ["ingest", "classify", "notify-api", "notify-worker"])
def test_health_and_readiness(running: Running, service: str) -> None:
    port = running.ports()[service]
    assert httpx.get(running.url(port, "/healthz"), timeout=10).json()["status"] == "ok"
    ready = httpx.get(running.url(port, "/readyz"), timeout=10)
    assert ready.status_code == 200, ready.text
    assert all(v == "ok" for v in ready.json()["checks"].values()), ready.json()


def test_end_to_end_latency_is_observed_once_per_delivery(running: Running) -> None:
    text = running.metrics("notify-worker")
    assert samples(text, "herald_end_to_end_seconds_count") == [1.0]
    assert samples(text, "herald_notify_deliveries_total", channel="webhook", outcome="delivered") == [1.0]
    (observed,) = samples(text, "herald_end_to_end_seconds_sum")
    # From ingest receipt to delivery: inside the window the test itself measured around it.
    assert 0 < observed <= running.elapsed_s


def lag_view(text: str, topic: str) -> tuple[float, float, int]:
    """(sum of high-watermarks, sum of lag, partitions reported) for ``topic``."""
    highwaters = samples(text, "herald_consumer_highwater_offset", topic=topic)
    return sum(highwaters), sum(samples(text, "herald_consumer_lag_messages", topic=topic)), len(highwaters)


def test_consumer_lag_comes_from_fetch_highwaters_and_drains(running: Running) -> None:
    s = running.settings
    # Two articles were published; one matched a subscription. Workers commit every few
    # seconds, so wait (bounded) until the committed offsets caught up with the highwaters.
    expected = {
        ("classify", s.topic_articles_raw): 2,
        ("notify-worker", s.topic_articles_classified): 2,
        ("notify-worker", s.topic_alerts): 1,
    }
    deadline = time.monotonic() + 60
    while True:
        views = {(svc, topic): lag_view(running.metrics(svc), topic) for svc, topic in expected}
        if all(views[k] == (n, 0, s.kafka_partitions) for k, n in expected.items()) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for (svc, topic), n in expected.items():
        assert views[(svc, topic)] == (n, 0, s.kafka_partitions), (
            f"{svc} on {topic}: (highwater sum, lag sum, partitions) = {views[(svc, topic)]}, "
            f"expected ({n}, 0, {s.kafka_partitions})"
        )
    group = samples(running.metrics("classify"), "herald_consumer_lag_messages", group=f"{s.group_prefix}-classify")
    assert len(group) == s.kafka_partitions


def metric_names_used() -> dict[str, set[str]]:
    """Metric names referenced by the alert rules and the Grafana dashboards, by file."""
    used: dict[str, set[str]] = {}
    sources = [*(ROOT / "deploy" / "prometheus" / "rules").glob("*.yml")]
    sources += [*(ROOT / "deploy" / "grafana" / "dashboards").glob("*.json")]
    for path in sources:
        text = path.read_text()
        if path.suffix == ".json":  # only the queries, not titles or descriptions
            text = "\n".join(re.findall(r'"expr":\s*"((?:[^"\\]|\\.)*)"', text))
        used[str(path.relative_to(ROOT))] = set(re.findall(r"\bherald_[a-z0-9_]+", text))
    return used


def test_every_metric_used_by_alerts_and_dashboards_exists(running: Running) -> None:
    exported: set[str] = set()
    for service in running.ports():
        exported |= families(running.metrics(service))
    used = metric_names_used()
    assert any(path.endswith(".json") for path in used), "no Grafana dashboard found"
    missing = {path: sorted(names - exported) for path, names in used.items() if names - exported}
    assert missing == {}, f"metrics used but exported by no service: {json.dumps(missing, indent=1)}"


def test_logs_never_hold_secrets(running: Running) -> None:
    logs = {p.name: p.read_text(errors="replace") for p in running.logs.glob("*.log")}
    assert {"ingest.log", "classify.log", "notify-api.log", "notify-worker.log"} <= set(logs)
    for name, text in logs.items():
        assert API_KEY not in text, f"API key in {name}"
        assert running.secret not in text, f"signing secret in {name}"
        assert "whsec_" not in text, f"a signing secret in {name}"
