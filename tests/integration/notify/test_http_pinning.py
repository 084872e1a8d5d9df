"""The guarded POST connects to the address it checked, keeps the host name for Host and TLS
(certificate verified against the name, not the IP), refuses private targets, follows no
redirects and reads a bounded response."""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from herald.local import free_port
from services.notify.channels.http import guarded_post
from services.notify.exceptions import PermanentDeliveryError

pytestmark = pytest.mark.integration

SEEN: list[dict[str, str]] = []


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        SEEN.append({k.lower(): v for k, v in self.headers.items()})
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("location", "http://169.254.169.254/")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        body = b"x" * 100_000
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield port, cert
    server.shutdown()
    server.server_close()


async def test_https_by_name_is_pinned_and_verified(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    trust = ssl.create_default_context(cafile=str(cert))
    async with httpx.AsyncClient(verify=trust) as client:
        response = await guarded_post(
            client,
            f"https://localhost:{port}/hook",
            b"{}",
            {"content-type": "application/json"},
            allow_private=True,
            timeout_s=5,
            max_bytes=1_000,
        )
    assert response.status_code == 200
    assert len(response.body) == 1_000  # bounded read of a 100 kB answer
    assert SEEN[-1]["host"] == f"localhost:{port}"


async def test_private_target_refused_before_connecting() -> None:
    async with httpx.AsyncClient() as client:
        for url in ("http://localhost:9/x", "http://127.0.0.1:9/x", "http://[::1]:9/x", "http://169.254.169.254/"):
            with pytest.raises(PermanentDeliveryError, match="refused URL"):
                await guarded_post(client, url, b"{}", {}, allow_private=False, timeout_s=1, max_bytes=10)


async def test_redirects_are_not_followed(tls_server: tuple[int, Path]) -> None:
    port, cert = tls_server
    async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(cert))) as client:
        response = await guarded_post(
            client, f"https://localhost:{port}/redirect", b"{}", {}, allow_private=True, timeout_s=5, max_bytes=10
        )
    assert response.status_code == 302
