"""Small and micro air-emitting enterprises (小微涉气企业, REQ SJZ-11): flagged by rule, county-certified.

The seed defines who qualifies; it does not say what such enterprises do during alerts, so the engine only
flags them and keeps them in the totals. Certification is the county's act (the platform records it). The emission
limits are rule data (`RuleBook.policy(as_of).small_micro`, common/policy.yaml), passed in by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .model import SmallMicroFacts


class SmallMicroLimits(Protocol):
    """The limits of the rule book's `small_micro` rule (airgrade.core.rules.schema.SmallMicroRule)."""

    @property
    def annual_limit_kg(self) -> float: ...

    @property
    def seasonal_daily_limit_kg(self) -> float: ...


@dataclass(frozen=True)
class SmallMicroResult:
    qualifies: bool
    reasons: tuple[str, ...]  # why not, one per failed condition


def assess_small_micro(facts: SmallMicroFacts, limits: SmallMicroLimits) -> SmallMicroResult:
    """Apply the four SJZ-11 conditions; all must hold. Limits are strict ("以下": below)."""
    reasons: list[str] = []
    if facts.burns_coal:
        reasons.append("燃煤")
    if facts.burns_oil:
        reasons.append("燃油")
    if facts.pollutant_kinds != 1:
        reasons.append(f"污染物组分不单一（{facts.pollutant_kinds} 种）")
    if facts.toxic_or_odorous:
        reasons.append("排放有毒有害或恶臭气体")
    if facts.seasonal:
        if facts.daily_emissions_kg is None:
            reasons.append("季节性或阶段性生产企业须填报日排放量")
        elif facts.daily_emissions_kg >= limits.seasonal_daily_limit_kg:
            reasons.append(f"日排放量 {facts.daily_emissions_kg:g} kg 不低于 {limits.seasonal_daily_limit_kg:g} kg/天")
    elif facts.annual_emissions_kg >= limits.annual_limit_kg:
        reasons.append(f"年排放总量 {facts.annual_emissions_kg:g} kg 不低于 {limits.annual_limit_kg:g} kg")
    return SmallMicroResult(not reasons, tuple(reasons))
