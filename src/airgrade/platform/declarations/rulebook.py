"""The platform's one door to the rule book and grading engine (branch `rules`, issue 3).

Everything the workflow needs from the rules goes through here: an industry's lowest grade (for the cut-off,
REQ LC-6), its indicators (for facts and the on-site checklist, REQ LC-2) and the engine's grade with gaps (the
self-check). When the rule book is not installed yet, the answers say so instead of guessing: the floor falls
back to D marked `provisional`, the checklist is empty, and the self-check reports that no engine is available.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from airgrade.core.types import Grade
from airgrade.core.workflow.onsite import IndicatorRef


@dataclass(frozen=True)
class Floor:
    grade: Grade
    rules_version: str
    provisional: bool


def _rules_for(industry_code: str, as_of: dt.date, region_code: str | None) -> Any | None:
    try:
        from airgrade.core.rules.rulebook import default_rulebook
    except ImportError:
        return None
    try:
        return default_rulebook().rules_for(industry_code, as_of, region_code)
    except LookupError:
        return None


def industry_floor(industry_code: str, as_of: dt.date, region_code: str | None) -> Floor:
    """The lowest grade of the industry's scale in force on `as_of` (非引领性 for 引领性-scale industries)."""
    rules = _rules_for(industry_code, as_of, region_code)
    if rules is None:
        return Floor(Grade.D, "", provisional=True)
    return Floor(Grade(rules.floor), rules.rules_version, provisional=False)


def indicators(industry_code: str, as_of: dt.date, region_code: str | None) -> list[IndicatorRef]:
    rules = _rules_for(industry_code, as_of, region_code)
    if rules is None:
        return []
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
    """The engine's grade for these facts and the gaps to each better grade (engine: branch `rules`)."""
    try:
        from airgrade.core.grading import grade as engine_grade
    except ImportError:
        return SelfCheck(False, message="评级引擎尚未接入本平台，无法自评；请对照技术指南逐项核对")
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
            "message": f"{gap.label_zh}：现为 {gap.observed_text}，{gap.grade} 级要求 {gap.required_text}",
        }
        for gaps_for_grade in result.gaps.values()
        for gap in gaps_for_grade
    ]
    return SelfCheck(True, str(result.grade.value), result.rules_version, gaps)
