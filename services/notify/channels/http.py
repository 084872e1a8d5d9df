"""One guarded HTTP POST for the HTTP channels: SSRF check pinned to the checked address, no
redirects, bounded response read, library errors translated into delivery errors."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from services.notify.exceptions import PermanentDeliveryError, RetryableDeliveryError
from services.runtime.ssrf import UnsafeURL, check_addresses, check_scheme

RETRYABLE_STATUS = {408, 429}


@dataclass(frozen=True)
class Response:
    """What Herald keeps of a receiver's answer."""

    status_code: int
    retry_after: str | None
    body: bytes


def classify_status(status: int, retry_after: str | None) -> None:
    """Raise the right error for a non-2xx status: 5xx, 408 and 429 retry; 3xx and other 4xx are permanent."""
    if 200 <= status < 300:
        return
    delay = retry_after_seconds(retry_after)
    if status >= 500 or status in RETRYABLE_STATUS:
        raise RetryableDeliveryError(f"receiver answered {status}", status, delay)
    raise PermanentDeliveryError(f"receiver answered {status}", status)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header in its delta-seconds form; None if absent or unreadable."""
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


MAX_ADDRESSES = 3


async def resolve_checked(url: str, allow_private: bool) -> tuple[str, list[str]]:
    """(host, addresses to connect to) after the SSRF rules; raises PermanentDeliveryError if refused."""
    try:
        host = check_scheme(url)
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                # DNS trouble may pass; retry rather than drop the alert.
                raise RetryableDeliveryError(f"host {host!r} does not resolve: {exc.strerror}") from exc
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        check_addresses(host, addresses, allow_private)
    except UnsafeURL as exc:
        raise PermanentDeliveryError(f"refused URL: {exc}") from exc
    return host, addresses[:MAX_ADDRESSES]


def _pinned(url: str, address: str) -> str:
    parts = urlsplit(url)
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    netloc = f"[{ip}]" if ip.version == 6 else str(ip)
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


async def guarded_post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    timeout_s: float,
    max_bytes: int,
) -> Response:
    """POST ``body``; connect only to the address that passed the SSRF check (no DNS rebinding)."""
    host, addresses = await resolve_checked(url, allow_private)
    parts = urlsplit(url)
    sent_headers = dict(headers)
    sent_headers["host"] = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    for n, address in enumerate(addresses, start=1):
        request = client.build_request(
            "POST", _pinned(url, address), content=body, headers=sent_headers, extensions=extensions
        )
        try:
            return await _send(client, request, timeout_s, max_bytes)
        except httpx.ConnectError as exc:
            # Nothing was sent: the next checked address (IPv4 after IPv6, say) may answer.
            if n == len(addresses):
                raise RetryableDeliveryError(f"connection error: {exc.__class__.__name__}: {exc}"[:500]) from exc
    raise RetryableDeliveryError("no address to connect to")


async def _send(client: httpx.AsyncClient, request: httpx.Request, timeout_s: float, max_bytes: int) -> Response:
    try:
        async with asyncio.timeout(timeout_s * 2):
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                kept = bytearray()
                async for chunk in response.aiter_raw():
                    kept.extend(chunk[: max_bytes - len(kept)])
                    if len(kept) >= max_bytes:
                        break
            finally:
                await response.aclose()
    except httpx.ConnectError:
        raise
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise RetryableDeliveryError(f"timeout: {exc.__class__.__name__}") from exc
    except httpx.TransportError as exc:
        raise RetryableDeliveryError(f"connection error: {exc.__class__.__name__}: {exc}"[:500]) from exc
    return Response(response.status_code, response.headers.get("retry-after"), bytes(kept))
