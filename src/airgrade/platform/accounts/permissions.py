"""Moved to `airgrade.platform.permissions` (a kernel module, so audit need not import accounts); kept for callers in
flight. New code imports `airgrade.platform.permissions`."""

from airgrade.platform.permissions import (
    PUBLIC_ACTOR,
    actor_of,
    permissions_for,
    region_filter,
    require,
    scoped,
)

__all__ = ["PUBLIC_ACTOR", "actor_of", "permissions_for", "region_filter", "require", "scoped"]
