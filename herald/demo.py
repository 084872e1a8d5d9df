"""The ``make run`` demo: a local webhook receiver, a subscription, sample articles, printed alerts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

import httpx

from herald.local import free_port
from services.notify import signing


def sample_articles() -> list[dict[str, Any]]:
    """The demo articles shipped with Herald (written for the project)."""
    text = resources.files("herald").joinpath("samples/articles.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class Receiver:
    """A webhook endpoint on 127.0.0.1 that verifies signatures and prints each alert."""

    def __init__(self) -> None:
        self.port = free_port()
        self.secret = ""
        self.received: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                expected = signing.sign(
                    receiver.secret, self.headers["webhook-id"], int(self.headers["webhook-timestamp"]), body
                )
                verified = expected == self.headers.get("webhook-signature")
                self.send_response(204 if verified else 401)
                self.end_headers()
                if verified:
                    receiver.show(json.loads(body))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        """Where Herald should POST."""
        return f"http://127.0.0.1:{self.port}/hook"

    def show(self, event: dict[str, Any]) -> None:
        """Print one alert the way a subscriber would want to read it."""
        self.received.append(event)
        data = event["data"]
        print(f"\n🔔 ALERT {data['alert_id']}  (signature verified)", flush=True)
        print(f"   {data['article']['title']}", flush=True)
        for tag in data["topics"]:
            mark = "*" if tag["topic"] in data["matched_topics"] else " "
            # The headline is printed above; show the body sentence behind the tag when there is one.
            body_evidence = [e for e in tag["evidence"] if e != data["article"]["title"]]
            evidence = (body_evidence or tag["evidence"] or [""])[0]
            print(f"   {mark} {tag['topic']:<24} {tag['score']:.2f}  “{evidence[:100]}”", flush=True)

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()


def run_demo(ingest_url: str, notify_url: str, api_key: str, receiver: Receiver) -> None:
    """Subscribe the receiver to every default topic, then post the sample articles."""
    auth = {"Authorization": f"Bearer {api_key}"}
    from services.classify.classifier import Classifier

    topics = list(Classifier.default().topic_ids)
    body = {"name": "demo subscriber", "topics": topics, "channel": {"type": "webhook", "url": receiver.url}}
    created = httpx.post(f"{notify_url}/v1/subscriptions", json=body, headers=auth, timeout=10)
    created.raise_for_status()
    receiver.secret = created.json()["secret"]
    print(f"\ndemo: subscription {created.json()['id']} -> {receiver.url}", flush=True)
    articles = sample_articles()
    posted = httpx.post(f"{ingest_url}/v1/articles", json=articles, timeout=30)
    posted.raise_for_status()
    print(f"demo: posted {len(articles)} sample articles; alerts follow (Ctrl-C to stop)", flush=True)
