"""What credo reads from a request that other apps share: htmx's details, and who is asking (the client's address).

The client's address keys every rate limit (sign-in through allauth's adapter, the
verify throttle, information-session sign-ups). It is read here and nowhere else,
so a spoofed header cannot buy an attacker a fresh limit on one page and not on another.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from ninja.throttling import SimpleRateThrottle

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@lru_cache(maxsize=8)
def trusted_proxy_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``CREDO_TRUSTED_PROXIES`` parsed: each entry an address (``10.0.0.5``) or a network (``10.0.0.0/8``)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"CREDO_TRUSTED_PROXIES must list addresses or networks (e.g. 10.0.0.0/8); got {entry!r}."
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:10.0.0.5 is the proxy 10.0.0.5 on a dual-stack socket
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of whoever sent ``request``: the peer, unless the peer is a trusted proxy.

    ``X-Forwarded-For`` is a list any client can start ("spoofed, 10.0.0.1"); each proxy appends the
    address it saw. So it is read only when the peer is in ``CREDO_TRUSTED_PROXIES``, and from the right:
    entries added by trusted proxies are skipped, and the first one that is not a trusted proxy is the
    client. By default no proxy is trusted and the header is ignored: the peer (``REMOTE_ADDR``) is the client.
    An entry that is not an address (a proxy that writes "unknown") ends the walk at the proxy before it.
    """
    peer = str(request.META.get("REMOTE_ADDR", "")).strip()
    networks = trusted_proxy_networks(tuple(settings.CREDO_TRUSTED_PROXIES))
    if not networks or not _is_trusted(_address(peer), networks):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    client = peer
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        address = _address(hop)
        if address is None:
            break
        client = str(address)
        if not _is_trusted(address, networks):
            break
    return client


def rate_limits_enabled() -> bool:
    """``CREDO_RATE_LIMITS``: off only for load tests (the bench), where one address signs in thousands of times."""
    return bool(settings.CREDO_RATE_LIMITS)


class ClientRateThrottle(SimpleRateThrottle):
    """django-ninja's throttle, counted per client as ``client_address`` reads it, off with ``CREDO_RATE_LIMITS``.

    ninja's own ``get_ident`` believes the whole ``X-Forwarded-For`` of any peer (unless ``NINJA_NUM_PROXIES``
    is set), so a client naming a new address in each request had a fresh limit each time. The counts live
    in the default cache, which every web process shares (``CACHE_URL``).
    """

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)

    def allow_request(self, request: HttpRequest) -> bool:
        if not rate_limits_enabled():
            return True
        return super().allow_request(request)
