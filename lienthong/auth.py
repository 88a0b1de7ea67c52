"""Authentication backends of the portal, and the client address every
throttle (log-in lock-out, public tracking) keys on."""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class AxesRequestBackend(AxesStandaloneBackend):
    """django-axes' throttling backend, except that authenticate() without a
    request (a shell, a test client's login()) has no client address to
    throttle and passes on to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


UNKNOWN_CLIENT = "0.0.0.0"


def client_address(request: HttpRequest) -> str:
    """The address of the client as the deployment sees it.

    Behind the load balancer of docs/deploy.md every request comes from the
    balancer; the balancer appends the address it saw to X-Forwarded-For.
    A client can put anything at the left of that header, so it is read from
    the right: hops added by trusted proxies (settings.TRUSTED_PROXIES) are
    skipped and the first untrusted hop is the client. Without a trusted peer
    the header is ignored and the peer (REMOTE_ADDR) is the client."""
    # A request without a peer address (a WSGI call made in-process) counts
    # as one unknown client, so its failures add up instead of each making a
    # fresh, never-locking attempt row.
    address = (request.META.get("REMOTE_ADDR") or "").strip() or UNKNOWN_CLIENT
    if not _trusted(address):
        return address
    hops = [hop.strip() for hop in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a malformed hop: the balancer is the best we know
        address = hop
    return address

