"""Template helpers that show an audit record for people: each change as 字段：旧值 → 新值 in Chinese, the object by a
readable name (`audit.labels.ChangeReader`)."""

from __future__ import annotations

from typing import Any

from django import template

from airgrade.platform.audit.labels import ChangeReader, action_label

register = template.Library()


@register.filter
def changes(record: Any) -> list[tuple[str, str, str]]:
    return [(c.field, c.old, c.new) for c in ChangeReader().changes(record)]


@register.filter
def object_name(record: Any) -> str:
    return ChangeReader().object_label(record)


@register.filter
def action_name(code: str) -> str:
    return action_label(code)
