"""Who is asking: the peer, unless the peer is a trusted proxy; a spoofed X-Forwarded-For buys nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from credo.core.http import client_address


def _request(peer: str, forwarded: str | None = None) -> Any:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.CREDO_TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),  # one proxy in front
        ("10.0.0.5", "spoofed-by-the-client, 1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client's own entries
        ("10.0.0.5", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies of ours: skip both
        ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),  # every hop ours: the first
        ("10.0.0.5", "", "10.0.0.5"),  # a proxy that adds nothing: itself
        ("10.0.0.5", "198.51.100.7, unknown", "10.0.0.5"),  # not an address: stop at the proxy
        ("::ffff:10.0.0.5", "198.51.100.7", "198.51.100.7"),  # the proxy on a dual-stack socket
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # not our proxy: the header is anyone's to write
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_a_trusted_proxys_header_is_read_from_the_right(settings: Any, peer: str, forwarded: str, client: str) -> None:
    settings.CREDO_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(_request(peer, forwarded)) == client


def test_a_mistyped_proxy_names_the_setting(settings: Any) -> None:
    settings.CREDO_TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="CREDO_TRUSTED_PROXIES"):
        client_address(_request("10.0.0.5"))
