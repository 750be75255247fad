"""Small and micro air-emitting enterprises (小微涉气企业, REQ SJZ-11): flagged by rule, county-certified.

The seed defines who qualifies; it does not say what such enterprises do during alerts, so the engine only
flags them and keeps them in the totals. Certification is the county's act (the platform records it).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import SmallMicroFacts

ANNUAL_LIMIT_KG = 100.0  # 污染物年排放总量 100 千克以下
SEASONAL_DAILY_LIMIT_KG = 0.3  # 季节性或阶段性生产企业 0.3 千克/天


@dataclass(frozen=True)
class SmallMicroResult:
    qualifies: bool
    reasons: tuple[str, ...]  # why not, one per failed condition


def assess_small_micro(facts: SmallMicroFacts) -> SmallMicroResult:
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
        elif facts.daily_emissions_kg >= SEASONAL_DAILY_LIMIT_KG:
            reasons.append(f"日排放量 {facts.daily_emissions_kg:g} kg 不低于 {SEASONAL_DAILY_LIMIT_KG:g} kg/天")
    elif facts.annual_emissions_kg >= ANNUAL_LIMIT_KG:
        reasons.append(f"年排放总量 {facts.annual_emissions_kg:g} kg 不低于 {ANNUAL_LIMIT_KG:g} kg")
    return SmallMicroResult(not reasons, tuple(reasons))
