"""Who is asking: the client's address, the same for the login lockout (django-axes calls
``peer_address``, ``AXES_CLIENT_IP_CALLABLE``) and for every rate limit.

A forwarded header is believed only from a proxy the installation names
(``REGISTRY_TRUSTED_PROXIES``: addresses or networks of its own reverse proxies). The
``X-Forwarded-For`` chain is read from the right, skipping those proxies; the first address that
is not one of them is the client. A client that talks to the app directly, or forges the header
in front of the proxy, gets its real address: nobody can choose whose counter a request lands on.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy)


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request) -> str:
    return peer_address(request) or "unknown"


def peer_address(request) -> str | None:
    """The client's address, or ``None`` for a request that has none (a login made in code);
    django-axes stores it in an address column, ``AXES_CLIENT_IP_CALLABLE``."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "REGISTRY_TRUSTED_PROXIES", ())))
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed hop: count the proxy, never a forged name
    return remote
