"""保障类 / 白名单 enterprises (REQ H23-5, LC-9): who may be listed, what they produce, when they leave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from airgrade.core.industries import industry_by_code
from airgrade.core.types import Grade

from .model import Guarantee, GuaranteeCategory, IndustryGrade

# B or better or 引领性 (REQ H23-5 "须达到 B 级及以上或绩效引领性水平", LC-9). The seeds do not say whether B-
# (a sub-level of B) qualifies; we read "B 级及以上" strictly and refuse B-. Change here if a province rules
# otherwise.
ELIGIBLE_GRADES = frozenset({Grade.A, Grade.B, Grade.LEADING})


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]


def guarantee_eligibility(guarantee: Guarantee, industries: Sequence[IndustryGrade]) -> Eligibility:
    """Whether a 保障类 / 白名单 application may be accepted. Key-industry enterprises need B or better or
    引领性 in every key industry they run (every industry's rules apply, H23-4)."""
    reasons: list[str] = []
    for item in industries:
        industry = industry_by_code(item.industry_code)
        if industry is None:
            continue  # not a key industry: H23-5 sets no grade condition
        if item.grade is None:
            reasons.append(f"{industry.name_zh}未评级，重点行业保障类企业须达到B级及以上或绩效引领性 (REQ H23-5, LC-9)")
        elif item.grade not in ELIGIBLE_GRADES:
            reasons.append(
                f"{industry.name_zh}绩效等级为{item.grade.value}，重点行业保障类企业须达到B级及以上或绩效引领性"
                " (REQ H23-5, LC-9)"
            )
    if guarantee.guaranteed_daily_output > guarantee.normal_daily_output:
        reasons.append("保障任务日产量不能超过正常生产日产量（以量定产，REQ H23-5）")
    return Eligibility(not reasons, tuple(reasons))


@dataclass(frozen=True)
class BreachDecision:
    breached: bool
    remove_from_list: bool
    reason: str


def check_guarantee_breach(guarantee: Guarantee, reported_daily_output: float) -> BreachDecision:
    """During an alert a guaranteed enterprise may produce only its guaranteed task (以量定产); producing more
    removes it from the list at once (REQ H23-5 "一经发现，应立即移出相应保障清单")."""
    if reported_daily_output < 0:
        raise ValueError("上报日产量不能为负数")
    if reported_daily_output > guarantee.guaranteed_daily_output * (1 + 1e-9):
        return BreachDecision(
            True,
            True,
            f"预警期间日产量 {reported_daily_output:g} {guarantee.output_unit} 超过保障任务允许的"
            f" {guarantee.guaranteed_daily_output:g} {guarantee.output_unit}，"
            f"应移出{_list_name(guarantee.category)} (REQ H23-5)",
        )
    return BreachDecision(False, False, "")


def _list_name(category: GuaranteeCategory) -> str:
    return "白名单" if category.is_whitelist else "保障类清单"
