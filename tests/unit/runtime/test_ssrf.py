"""The SSRF guard refuses every non-public address class and odd URL, and allows public ones."""

from __future__ import annotations

import pytest

from services.runtime.ssrf import UnsafeURL, check_addresses, check_scheme, guard_url, is_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "100.64.0.1",
        "100.100.100.200",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "fd00:ec2::254",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public(address)
    with pytest.raises(UnsafeURL):
        check_addresses("example.test", [address], allow_private=False)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public(address)
    check_addresses("example.test", [address], allow_private=False)


def test_one_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(UnsafeURL, match=r"10\.0\.0\.1"):
        check_addresses("mixed.test", ["1.1.1.1", "10.0.0.1"], allow_private=False)


def test_operator_may_allow_private() -> None:
    check_addresses("localhost", ["127.0.0.1"], allow_private=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x", "http:///nohost", "https://u:p@example.com/"]
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_scheme(url)


async def test_guard_resolves_localhost_and_refuses_it() -> None:
    with pytest.raises(UnsafeURL, match="non-public"):
        await guard_url("http://localhost:8080/hook", allow_private=False)
    await guard_url("http://localhost:8080/hook", allow_private=True)
