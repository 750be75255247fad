"""Template helpers that show an audit record as the fields it changed, old value → new value."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def changes(record: Any) -> list[tuple[str, Any, Any]]:
    before = record.before or {}
    after = record.after or {}
    return [(key, before.get(key, ""), after.get(key, "")) for key in after if before.get(key) != after.get(key)] + [
        (key, before[key], "") for key in before if key not in after
    ]


@register.filter
def action_name(code: str) -> str:
    from airgrade.platform.audit.labels import action_label

    return action_label(code)
