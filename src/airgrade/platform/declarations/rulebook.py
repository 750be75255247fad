"""The platform's one door to the rule book and grading engine.

Everything the workflow needs from the rules goes through here: an industry's lowest grade (for the cut-off,
REQ LC-6), its indicators (for facts and the on-site checklist, REQ LC-2) and the engine's grade with gaps (the
self-check). There is no default grade: an unknown industry or a date before any rule of the industry is a
`ServiceError` naming both, never a guessed D.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from airgrade.core.grading import grade as engine_grade
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import IndustryRules, RuleLookupError, default_rulebook
from airgrade.core.types import Grade
from airgrade.core.workflow.onsite import IndicatorRef
from airgrade.platform.errors import ServiceError


@dataclass(frozen=True)
class Floor:
    grade: Grade
    rules_version: str


def _rules_for(industry_code: str, as_of: dt.date, region_code: str | None) -> IndustryRules:
    try:
        return default_rulebook().rules_for(industry_code, as_of, region_code)
    except RuleLookupError as exc:
        raise ServiceError(
            f"规则库无法给出行业 {industry_code} 在 {as_of} 的规则：{exc}", field="industry_code"
        ) from None


def rules_or_none(industry_code: str, as_of: dt.date, region_code: str | None) -> IndustryRules | None:
    """The industry's rules in force, or None when the rule book has none (the self-check then says why)."""
    try:
        return default_rulebook().rules_for(industry_code, as_of, region_code)
    except RuleLookupError:
        return None


def industry_floor(industry_code: str, as_of: dt.date, region_code: str | None) -> Floor:
    """The lowest grade of the industry's scale in force on `as_of` (非引领性 for 引领性-scale industries)."""
    rules = _rules_for(industry_code, as_of, region_code)
    return Floor(Grade(rules.floor), rules.rules_version)


def policy(as_of: dt.date) -> s.PolicyEntry:
    """The rule book's procedure rules in force on `as_of` (objection deadline, B sample, caps, ban)."""
    try:
        return default_rulebook().policy(as_of)
    except RuleLookupError as exc:
        raise ServiceError(str(exc), field="rules_as_of") from None


def indicators(industry_code: str, as_of: dt.date, region_code: str | None) -> list[IndicatorRef]:
    rules = _rules_for(industry_code, as_of, region_code)
    return [
        IndicatorRef(industry_code, indicator.id, indicator.label_zh, str(indicator.aspect.value))
        for indicator in rules.indicators
    ]


@dataclass(frozen=True)
class SelfCheck:
    available: bool
    grade: str = ""
    rules_version: str = ""
    gaps: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "grade": self.grade,
            "rules_version": self.rules_version,
            "gaps": self.gaps,
            "message": self.message,
        }


def self_check(
    industry_code: str, facts: dict[str, Any], as_of: dt.date, region_code: str | None, process: str = ""
) -> SelfCheck:
    """The engine's grade for these facts and the gaps to each better grade; `available` is false, with the
    engine's Chinese reason, when the facts or the date cannot be graded."""
    try:
        result = engine_grade(facts, industry_code, as_of, region_code=region_code, process=process or None)
    except (LookupError, ValueError) as exc:
        # RuleLookupError (nothing in force) and FactsError (bad facts) carry Chinese messages for users.
        return SelfCheck(False, message=str(exc))
    gaps = [
        {
            "grade": str(gap.grade),
            "indicator": gap.indicator_id,
            "aspect": str(gap.aspect.value),
            "message": gap.problem_zh,  # the engine's words (rules.render), not re-worded here
        }
        for gaps_for_grade in result.gaps.values()
        for gap in gaps_for_grade
    ]
    return SelfCheck(True, str(result.grade.value), result.rules_version, gaps)
