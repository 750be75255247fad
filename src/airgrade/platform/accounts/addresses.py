"""The client's address for throttling and rate limits: X-Forwarded-For is believed only from a configured proxy.

Behind a reverse proxy every request arrives from the proxy's address, so throttling on REMOTE_ADDR would put all
users in one bucket (one attacker could lock everybody out). Trusting X-Forwarded-For from anyone would let an
attacker pick a fresh address for every guess. So the header is read only when REMOTE_ADDR is one of the proxies
named in AIRGRADE_TRUSTED_PROXIES, and then from the right: the first address that is not itself a trusted proxy is
the one the nearest trusted proxy saw, whatever the client wrote further left.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: Any) -> str:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "") or ""
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") or ""
    for hop in reversed(forwarded.split(",")):
        address = _valid(hop)
        if address is None:
            return remote  # a malformed hop: nothing left of it can be believed
        if address not in trusted:
            return address
    return remote
