"""Read-only services over the core rule book and grading engine: the one place API and pages call.

Nothing here writes: rules are public data (REQ SJZ-8: standards are published), and evaluation is a calculation
on the facts the caller sends, stored nowhere, so it leaves no audit record. Evaluation needs a logged-in user
(the API's session auth and the page's login_required).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airgrade.core.grading import grade_enterprises, parse_enterprises
from airgrade.core.grading.serialise import report_dict
from airgrade.core.regions import level_of
from airgrade.core.rules.export import catalogue_dicts, rules_dict, today
from airgrade.core.rules.rulebook import RuleBook, RuleLookupError, default_rulebook
from airgrade.platform.errors import NotFound, ServiceError


def book() -> RuleBook:
    return default_rulebook()


def parse_date(text: str | None, field: str = "as_of") -> dt.date:
    if not text:
        return today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ServiceError(f"日期无效 {text!r}，应为 YYYY-MM-DD", field=field) from None


def check_region(region: str | None) -> str | None:
    if not region:
        return None
    try:
        level_of(region)
    except ValueError:
        raise ServiceError(f"不是六位行政区划代码: {region!r}", field="region") from None
    return region


def industries(region: str | None = None) -> list[dict[str, Any]]:
    return catalogue_dicts(book(), check_region(region))


def industry_rules(code: str, as_of: str | None = None, region: str | None = None) -> dict[str, Any]:
    rule_book = book()
    try:
        rule_book.industry(code)
    except RuleLookupError as error:
        raise NotFound(str(error), field="code") from None
    try:
        return rules_dict(rule_book, rule_book.rules_for(code, parse_date(as_of), check_region(region)))
    except RuleLookupError as error:
        raise ServiceError(str(error), field="as_of") from None


def evaluate(payload: Any, as_of: str | None = None) -> dict[str, Any]:
    """Grade the enterprises of `payload` ({as_of?, enterprises: [...]}, docs/grading-io.md)."""
    if isinstance(payload, dict) and as_of is None and payload.get("as_of"):
        as_of = str(payload["as_of"])
    day = parse_date(as_of)
    enterprises, errors = parse_enterprises(payload)
    if not enterprises and errors:
        raise ServiceError(
            "没有可评级的企业：" + "；".join(str(error) for error in errors[:5]),
            errors=[{"field": error.key or "", "message": str(error)} for error in errors],
        )
    results, grading_errors = grade_enterprises(enterprises, day, book())
    return report_dict(results, errors + grading_errors, day, book().version)
