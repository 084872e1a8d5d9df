"""End-to-end benchmark: ingest -> classify -> notify -> webhook, against the broker's own ceiling.

Starts its own Tansu broker, Redis and the four services as processes (like ``herald up``),
subscribes K receivers per topic, then:
  1. ceiling: kafka-python produces N messages of the articles' size and consumes them back;
  2. throughput: posts N articles as fast as ingest takes them, until every expected alert arrived;
  3. latency: posts at a fixed rate (default 500/s) and measures receipt -> delivery per alert;
and reports each worker's peak memory (VmHWM).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import articles
from bench.measure import proc_mib
from bench.receiver import Receiver
from herald.launcher import System, start_system, wait_ready
from herald.local import free_port, start_redis, start_tansu
from services.classify.classifier import Classifier
from services.runtime.kafka import ensure_topics, make_consumer, make_producer
from services.runtime.settings import Settings


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def ceiling(settings: Settings, count: int, size: int) -> dict[str, float]:
    """Raw broker round trip: produce ``count`` messages of ``size`` bytes, consume them all back."""
    topic = f"bench.ceiling.{uuid.uuid4().hex[:6]}"
    ensure_topics(settings, (topic,))
    payload = b"x" * size
    producer = make_producer(settings, linger_ms=5)
    consumer = make_consumer(settings, topic, group=f"bench-{uuid.uuid4().hex[:6]}", fetch_max_bytes=50 * 1024 * 1024)
    deadline = time.monotonic() + 60
    while not consumer.assignment() and time.monotonic() < deadline:  # join the group before timing
        consumer.poll(timeout_ms=200)
    started = time.perf_counter()
    for i in range(count):
        producer.send(topic, key=str(i).encode(), value=payload)
    producer.flush()
    produced = time.perf_counter()
    seen = 0
    while seen < count and time.perf_counter() - started < 120:
        for records in consumer.poll(timeout_ms=500, max_records=5000).values():
            seen += len(records)
    done = time.perf_counter()
    producer.close()
    consumer.close()
    return {
        "messages": count,
        "message_bytes": size,
        "produce_per_s": count / (produced - started),
        "round_trip_per_s": seen / (done - started),
        "consumed": seen,
    }


@dataclass
class Posted:
    """One accepted batch: when it was sent, and each article's id and story id."""

    sent: float
    ids: list[str]
    stories: list[str]
    items: list[dict[str, Any]]


def _post(client: httpx.Client, url: str, batch: list[dict[str, Any]]) -> Posted:
    sent = time.time()
    response = client.post(url, json=batch, timeout=60)
    response.raise_for_status()
    body = response.json()
    return Posted(sent, body["ids"], body["story_ids"], batch)


def _expected(classifier: Classifier, posted: list[Posted], per_topic: int) -> int:
    """Alerts due: one per (subscription, story); ingest folds near-duplicates into one story,
    whose alert comes from its first article."""
    first: dict[str, dict[str, Any]] = {}
    for batch in posted:
        for story, item in zip(batch.stories, batch.items, strict=True):
            first.setdefault(story, item)
    return sum(len(classifier.classify(a["title"], a["body"]).topics) * per_topic for a in first.values())


def _paced(
    client: httpx.Client,
    url: str,
    receiver: Receiver,
    classifier: Classifier,
    rate: float,
    seconds: float,
    per_topic: int,
    seed: int,
) -> dict[str, float]:
    """Post at ``rate`` articles/s for ``seconds`` (a batch every 50 ms); latency receipt -> delivery."""
    receiver.arrivals.clear()
    total = max(1, int(rate * seconds))
    items = articles(total, seed=seed)
    per_tick = max(1, int(rate / 20))
    posted: list[Posted] = []
    started = tick = time.time()
    for i in range(0, total, per_tick):
        posted.append(_post(client, url, items[i : i + per_tick]))
        tick += per_tick / rate
        time.sleep(max(0.0, tick - time.time()))
    achieved = total / (time.time() - started)
    expected = _expected(classifier, posted, per_topic)
    _wait_for(receiver, expected, 300)
    sent_at = {aid: batch.sent for batch in posted for aid in batch.ids}
    latencies = [a.at - sent_at[a.article_id] for a in receiver.arrivals if a.article_id in sent_at]
    return {
        "offered_per_s": rate,
        "achieved_post_per_s": achieved,
        "articles": total,
        "expected_alerts": expected,
        "delivered_alerts": len(receiver.arrivals),
        "p50_ms": 1000 * _percentile(latencies, 0.50),
        "p95_ms": 1000 * _percentile(latencies, 0.95),
        "p99_ms": 1000 * _percentile(latencies, 0.99),
        "mean_ms": 1000 * statistics.fmean(latencies) if latencies else float("nan"),
    }


def _wait_for(receiver: Receiver, count: int, timeout_s: float, idle_s: float = 20.0) -> float:
    """Until ``count`` alerts arrived, or none arrived for ``idle_s``; returns the last arrival time."""
    deadline = time.time() + timeout_s
    last_change, seen = time.time(), 0
    while len(receiver.arrivals) < count and time.time() < deadline and time.time() - last_change < idle_s:
        if len(receiver.arrivals) != seen:
            seen, last_change = len(receiver.arrivals), time.time()
        time.sleep(0.05)
    return receiver.arrivals[-1].at if receiver.arrivals else time.time()


def _peak_memory_mb(system: System) -> dict[str, float]:
    return {child.name: round(proc_mib("VmHWM", child.proc.pid), 1) for child in system.children}


def run(report: dict[str, Any]) -> None:
    """Run all three phases and add ``report["e2e"]``; prints a table."""
    n = int(os.environ.get("HERALD_BENCH_ARTICLES", "3000"))
    rate = float(os.environ.get("HERALD_BENCH_RATE", "500"))
    low_rate = float(os.environ.get("HERALD_BENCH_LOW_RATE", "20"))
    seconds = float(os.environ.get("HERALD_BENCH_SECONDS", "6"))
    per_topic = int(os.environ.get("HERALD_BENCH_SUBS_PER_TOPIC", "2"))
    classifier = Classifier.default()
    data_dir = Path(tempfile.mkdtemp(prefix="herald-bench-"))
    broker = start_tansu(free_port(), data_dir / "tansu.log")
    redis = start_redis(free_port(), data_dir / "redis", persist=False)
    key = "hk_bench_" + uuid.uuid4().hex
    settings = Settings(
        kafka_bootstrap=f"127.0.0.1:{broker.port}",
        redis_url=f"redis://127.0.0.1:{redis.port}/0",
        ingest_port=free_port(),
        classify_port=free_port(),
        notify_port=free_port(),
        notify_worker_port=free_port(),
        data_dir=str(data_dir),
    )
    env = {
        f: str(getattr(settings, f))
        for f in ("kafka_bootstrap", "redis_url", "ingest_port", "classify_port", "notify_port", "notify_worker_port")
    }
    env.update(bootstrap_api_key=key, allow_private_urls="true", log_level="WARNING")
    receiver = Receiver(free_port())
    receiver.start()
    sample = articles(1)[0]
    size = len(json.dumps(sample)) + 300  # plus the fields ingest adds (ids, timestamps)
    result: dict[str, Any] = {"machine": f"{os.cpu_count()} cores", "articles": n, "rate": rate}
    system: System | None = None
    try:
        result["ceiling"] = ceiling(settings, n, size)
        system = start_system(settings, data_dir, env, quiet=True)
        for port in (settings.ingest_port, settings.notify_port, settings.classify_port, settings.notify_worker_port):
            wait_ready(f"http://127.0.0.1:{port}/readyz")
        notify = f"http://127.0.0.1:{settings.notify_port}"
        ingest = f"http://127.0.0.1:{settings.ingest_port}/v1/articles"
        with httpx.Client() as client:
            for topic in classifier.topic_ids:
                for k in range(per_topic):
                    client.post(
                        f"{notify}/v1/subscriptions",
                        headers={"Authorization": f"Bearer {key}"},
                        json={
                            "name": f"bench {topic} {k}",
                            "topics": [topic],
                            "channel": {"type": "webhook", "url": f"http://127.0.0.1:{receiver.port}/{topic}/{k}"},
                        },
                    ).raise_for_status()
            # Warm-up: workers join their groups and the first alert flows.
            warm = _post(client, ingest, articles(20, seed=1))
            _wait_for(receiver, _expected(classifier, [warm], per_topic), 90)
            receiver.arrivals.clear()

            # Phase 2: throughput.
            batch = articles(n, seed=2)
            started = time.time()
            with ThreadPoolExecutor(4) as pool:
                posted = list(
                    pool.map(lambda b: _post(client, ingest, b), [batch[i : i + 100] for i in range(0, n, 100)])
                )
            accepted = time.time()
            expected = _expected(classifier, posted, per_topic)
            finished = _wait_for(receiver, expected, 300)
            got = len(receiver.arrivals)
            ids = [a.webhook_id for a in receiver.arrivals]
            result["throughput"] = {
                "articles": n,
                "expected_alerts": expected,
                "delivered_alerts": got,
                "duplicates": len(ids) - len(set(ids)),
                "ingest_accept_per_s": n / (accepted - started),
                "articles_per_s": n / (finished - started),
                "alerts_per_s": got / (finished - started),
            }

            # Phase 3: latency at a rate the pipeline sustains, then at the goal rate.
            result["latency"] = [
                _paced(client, ingest, receiver, classifier, low_rate, seconds, per_topic, seed=3),
                _paced(client, ingest, receiver, classifier, rate, seconds, per_topic, seed=4),
            ]
        result["peak_memory_mb"] = _peak_memory_mb(system)
    finally:
        if system is not None:
            system.stop()
        receiver.stop()
        redis.stop()
        broker.stop()
    ceil = result["ceiling"]["round_trip_per_s"]
    result["pipeline_over_ceiling"] = result["throughput"]["articles_per_s"] / ceil
    report["e2e"] = result
    _print(result)


def _print(r: dict[str, Any]) -> None:
    t, c = r["throughput"], r["ceiling"]
    rows = [
        ("broker ceiling (produce+consume)", f"{c['round_trip_per_s']:.0f} msg/s of {c['message_bytes']} B"),
        ("pipeline throughput", f"{t['articles_per_s']:.0f} articles/s, {t['alerts_per_s']:.0f} alerts/s"),
        ("pipeline / ceiling", f"{r['pipeline_over_ceiling']:.1%}"),
        ("ingest accept rate (acks=all)", f"{t['ingest_accept_per_s']:.0f} articles/s"),
        (
            "alerts delivered / expected",
            f"{t['delivered_alerts']} / {t['expected_alerts']} (duplicates {t['duplicates']})",
        ),
    ]
    for lat in r["latency"]:
        rows.append(
            (
                f"latency at {lat['offered_per_s']:.0f}/s offered",
                f"p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms "
                f"({lat['achieved_post_per_s']:.0f}/s posted, "
                f"{lat['delivered_alerts']}/{lat['expected_alerts']} alerts)",
            )
        )
    rows += [(f"peak memory {name}", f"{mb:.0f} MB") for name, mb in r["peak_memory_mb"].items()]
    width = max(len(k) for k, _ in rows)
    print("\nend to end")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
