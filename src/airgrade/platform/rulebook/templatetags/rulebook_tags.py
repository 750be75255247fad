"""Template helpers of the rule book pages."""

import re
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """mapping[key] in a template, '' when absent."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


_REQ_CITATION = re.compile(r"\s*[（(]REQ [^）)]*[）)]|[;；,，]?\s*REQ [A-Z]+\d*-\d+(?:\s*,\s*[A-Z]+\d*-\d+)*")


@register.filter
def without_requirement_ids(text: Any) -> str:
    """Requirement ids (REQ LC-6 …) belong in code and docs, not in what a citizen reads."""
    return _REQ_CITATION.sub("", str(text or "")).strip()


@register.filter
def indicator_label(indicator_id: Any, aspects: Any) -> str:
    """The Chinese label of an indicator id among the industry's aspects (an `applies_if` fact), never the id."""
    for aspect in aspects or []:
        for indicator in aspect.get("indicators", []):
            if indicator.get("id") == indicator_id:
                return str(indicator.get("label_zh") or "相关条件")
    return "相关条件"
