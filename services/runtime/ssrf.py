"""SSRF guard, shared by webhooks (notify) and feeds (ingest): may this URL, and what it resolves to, be called?"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

# Cloud metadata endpoints that are not covered by the link-local check.
_METADATA = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeURL(ValueError):
    """The URL may not be called: wrong scheme, or it points at a non-public address."""


def check_scheme(url: str) -> str:
    """Return the host of an http(s) URL; raise UnsafeURL for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(f"scheme {parts.scheme!r} is not allowed; use http or https")
    if not parts.hostname:
        raise UnsafeURL("URL has no host")
    if parts.username or parts.password:
        raise UnsafeURL("credentials in the URL are not allowed")
    return parts.hostname


def is_public(address: str) -> bool:
    """True when the IP address is globally routable and not a metadata endpoint."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in _METADATA:
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_addresses(host: str, addresses: Iterable[str], allow_private: bool) -> None:
    """Raise UnsafeURL when any resolved address is not public (unless private hosts are allowed)."""
    resolved = list(addresses)
    if not resolved:
        raise UnsafeURL(f"host {host!r} does not resolve")
    if allow_private:
        return
    for address in resolved:
        if not is_public(address):
            raise UnsafeURL(f"host {host!r} resolves to non-public address {address}")


async def guard_url(url: str, allow_private: bool) -> None:
    """Resolve the URL's host now and refuse it unless every address is public (DNS rebinding safe
    when called right before each request)."""
    import asyncio
    import socket

    host = check_scheme(url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeURL(f"host {host!r} does not resolve: {exc.strerror}") from exc
    check_addresses(host, {str(info[4][0]) for info in infos}, allow_private)
