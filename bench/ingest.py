"""Ingest figures: articles/s accepted with broker acks (batched and one per request), the cost
of reposting duplicates, and the per-article CPU cost of normalisation and MinHash.

``python -m bench ingest``; sizes from HERALD_BENCH_INGEST_ARTICLES (default 3000).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import articles
from herald.launcher import wait_ready
from herald.local import free_port, service_env, start_redis, start_tansu
from schemas.api import ArticleIn
from services.ingest import minhash
from services.ingest.normalize import html_to_text, normalize


def _post_all(url: str, batches: list[list[dict[str, Any]]], workers: int) -> tuple[float, list[float], int]:
    """Post every batch with ``workers`` clients; (seconds, per-request latencies, articles acknowledged)."""
    latencies: list[float] = []

    def post(batch: list[dict[str, Any]]) -> int:
        with httpx.Client(timeout=60) as client:
            started = time.perf_counter()
            response = client.post(url, json=batch)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            return len(response.json()["ids"])

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        accepted = sum(pool.map(post, batches))
    return time.perf_counter() - started, latencies, accepted


def _cpu_costs(items: list[dict[str, Any]]) -> dict[str, float]:
    parsed = [ArticleIn.model_validate(i) for i in items[:500]]
    started = time.perf_counter()
    normalised = [normalize(i) for i in parsed]
    normalize_us = (time.perf_counter() - started) / len(parsed) * 1e6
    started = time.perf_counter()
    for article in normalised:
        minhash.sketch(f"{article.title}\n{article.body}")
    sketch_us = (time.perf_counter() - started) / len(normalised) * 1e6
    page = (
        "<html><head><script>var a=1;</script></head><body><nav>menu</nav>"
        + "".join(f"<p>{i['body']}</p>" for i in items[:10])
        + "<footer>(c)</footer></body></html>"
    )
    started = time.perf_counter()
    for _ in range(50):
        html_to_text(page)
    html_ms = (time.perf_counter() - started) / 50 * 1e3
    return {
        "normalize_us_per_article": round(normalize_us, 1),
        "minhash_us_per_article": round(sketch_us, 1),
        "html_to_text_ms_per_page": round(html_ms, 2),
        "html_page_kb": round(len(page) / 1024, 1),
    }


def run(report: dict[str, Any]) -> None:
    """Start a broker, Redis and the ingest service; measure; add ``report["ingest"]``."""
    n = int(os.environ.get("HERALD_BENCH_INGEST_ARTICLES", "3000"))
    data_dir = Path(tempfile.mkdtemp(prefix="herald-bench-ingest-"))
    broker = start_tansu(free_port(), data_dir / "tansu.log")
    redis = start_redis(free_port(), data_dir / "redis", persist=False)
    port = free_port()
    env = service_env(
        kafka_bootstrap=f"127.0.0.1:{broker.port}",
        redis_url=f"redis://127.0.0.1:{redis.port}/0",
        ingest_port=str(port),
        ingest_feeds_enabled="false",
        log_level="WARNING",
    )
    log = open(data_dir / "ingest.log", "ab")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "services.ingest"], env=env, stdout=log, stderr=subprocess.STDOUT)
    result: dict[str, Any] = {"articles": n}
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz")
        url = f"http://127.0.0.1:{port}/v1/articles"
        items = articles(n, seed=11)
        batches = [items[i : i + 100] for i in range(0, n, 100)]
        seconds, latencies, accepted = _post_all(url, batches, workers=4)
        result["batched_100_x4_clients"] = {
            "articles_per_s": round(accepted / seconds),
            "request_p50_ms": round(statistics.median(latencies) * 1e3, 1),
        }
        seconds, latencies, accepted = _post_all(url, batches, workers=4)
        result["all_duplicates_batched"] = {"articles_per_s": round(accepted / seconds)}
        singles = [[i] for i in articles(min(n, 1000), seed=12)]
        seconds, latencies, accepted = _post_all(url, singles, workers=8)
        ordered = sorted(latencies)
        result["single_x8_clients"] = {
            "requests_per_s": round(accepted / seconds),
            "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 1),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1e3, 1),
        }
        result["cpu"] = _cpu_costs(items)
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
        redis.stop()
        broker.stop()
    report["ingest"] = result
    print("\ningest (one process, Tansu broker, acks=all)")
    for key, value in result.items():
        print(f"  {key}: {value}")
