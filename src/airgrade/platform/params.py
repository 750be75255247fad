"""Query-string and form parameters shared by pages and the API: a region code, a year, a month.

Every service that takes one of these from a caller parses it here, once, so a letter, a short code or month 13
becomes a Chinese refusal naming the parameter (400) instead of reaching a code-range helper, the database or
`datetime` as junk and ending in a 500.
"""

from __future__ import annotations

from typing import Any

from airgrade.core.regions import level_of
from airgrade.platform.errors import ServiceError, form_int

# The platform's working years. Grading began in 2019 and lists are kept year by year; a year outside this
# window is a typo, not a period anyone manages. (An input sanity bound, not a rule of the seeds.)
YEAR_MIN, YEAR_MAX = 2000, 2100


def region_code(raw: object, *, field: str = "region", label: str = "行政区划", required: bool = False) -> str:
    """A six-digit region code that exists in the region table; '' when empty and not required."""
    from airgrade.platform.regions.models import Region

    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ServiceError(f"请填写{label}代码", field=field)
        return ""
    try:
        level_of(text)
    except ValueError:
        raise ServiceError(f"{label}代码须为六位数字，收到 {text[:20]!r}", field=field) from None
    if not Region.objects.filter(code=text).exists():
        raise ServiceError(f"{label}代码 {text} 不存在", field=field)
    return text


def year(raw: object, *, field: str = "year", label: str = "年份") -> int:
    value = form_int(raw, field=field, label=label)
    if value is None or not YEAR_MIN <= value <= YEAR_MAX:
        raise ServiceError(f"{label}须在 {YEAR_MIN} 至 {YEAR_MAX} 之间，收到 {value}", field=field)
    return value


def month(raw: object, *, field: str = "month", label: str = "月份") -> int:
    value = form_int(raw, field=field, label=label)
    if value is None or not 1 <= value <= 12:
        raise ServiceError(f"{label}须在 1 至 12 之间，收到 {value}", field=field)
    return value


class RefuseNulMiddleware:
    """PostgreSQL text cannot hold a NUL character: a path or query string carrying one is refused with 400 at the
    edge, before any view can pass it to a query (found by the fuzz suite: `/api/public/objections/%00`)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.http import HttpResponseBadRequest

        raw = request.path + request.META.get("QUERY_STRING", "")
        if "\x00" in raw or "%00" in raw:
            return HttpResponseBadRequest("请求中含有不允许的空字符（NUL）。", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
