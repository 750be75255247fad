"""Template helpers for registry values shown to people: industry codes as their Chinese names."""

from __future__ import annotations

from django import template

from airgrade.core.industries import industry_by_code

register = template.Library()


@register.filter
def industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code
