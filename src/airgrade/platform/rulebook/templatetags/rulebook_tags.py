"""Template helpers of the rule book pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template, '' when absent."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
