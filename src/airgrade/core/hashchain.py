"""One hash chain for every tamper-evident log: each entry's hash is SHA-256 over the previous entry's hash followed
by the entry's canonical JSON (sorted keys, no spaces, UTF-8). The audit log and the sealed review events use it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

GENESIS = "0" * 64


class ChainFault(StrEnum):
    """Why an entry fails verification."""

    BROKEN_LINK = "broken_link"  # its previous-hash is not the hash of the entry before it (one was removed)
    ALTERED = "altered"  # its content no longer matches its own hash


def canonical_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_hash(previous_hash: str, payload: Mapping[str, Any]) -> str:
    """The hash of an entry whose predecessor's hash is `previous_hash`."""
    return hashlib.sha256((previous_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


def check_link(
    expected_previous: str, stored_previous: str, payload: Mapping[str, Any], stored_hash: str
) -> ChainFault | None:
    """Check one entry of a walk: it must point at the hash the walk expects, and its content must give its hash."""
    if stored_previous != expected_previous:
        return ChainFault.BROKEN_LINK
    if link_hash(stored_previous, payload) != stored_hash:
        return ChainFault.ALTERED
    return None
