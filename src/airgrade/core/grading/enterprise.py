"""Grade whole enterprises: every industry / process graded, the worst overall (REQ G-4, LC-5), then the caps.

The caps are rule data (`common/policy.yaml`, dated and cited, read through `RuleBook.policy`), applied after the
rules and each named in the result: e.g. violations in the year before → no A, B, B- or 引领性; falsified or
concealed material, bribery, tampered gate data or video → the industry's lowest grade; not declared by the
deadline → the industry's lowest grade.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from airgrade.core.errors import AirgradeError
from airgrade.core.grading.engine import FactsError, IndustryResult, grade_normalised
from airgrade.core.grading.facts import normalise_facts
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import RuleBook, RuleLookupError, default_rulebook
from airgrade.core.types import Grade, worst_grade


class PriorYearViolation(StrEnum):
    """Violations in the year before that bar A, B(B-) and 引领性 (REQ LC-13; guide-facts §2)."""

    UNAPPROVED_CONSTRUCTION = "unapproved_construction"  # 未批先建
    OVER_PERMIT_EMISSIONS = "over_permit_emissions"  # 超过许可浓度或总量排放
    TREATMENT_DEADLINE_MISSED = "treatment_deadline_missed"  # 无故逾期未完成治理
    NO_AUTO_MONITORING = "no_auto_monitoring"  # 未安装或未正常使用自动监控

    @property
    def label_zh(self) -> str:
        return {
            "unapproved_construction": "未批先建",
            "over_permit_emissions": "超过许可浓度或总量排放",
            "treatment_deadline_missed": "无故逾期未完成治理",
            "no_auto_monitoring": "未安装或未正常使用自动监控",
        }[self.value]


class Flags(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    falsified: bool = False  # 弄虚作假
    concealed: bool = False  # 隐瞒有关情况
    bribery: bool = False  # 行贿
    tampered_gate_data: bool = False  # 删除视频、篡改车辆数据 (SJZ-5)
    prior_year_violations: list[PriorYearViolation] = []


class IndustryInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    industry: str
    process: str | None = None
    facts: dict[str, Any] = {}


class EnterpriseInput(BaseModel):
    """One enterprise of `airgrade grade` / `POST /api/grading/evaluate` (docs/grading-io.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    name: str = ""
    region: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    declared: bool = True
    flags: Flags = Flags()
    industries: list[IndustryInput] = Field(min_length=1)


@dataclass(frozen=True)
class Cap:
    code: str
    label_zh: str
    requirements: tuple[str, ...]  # REQ ids
    detail: str
    effect: str  # "no_top_tier" | "lowest_grade"
    changed: bool  # whether it lowered the grade the rules gave


@dataclass(frozen=True)
class GradingProblem:
    """Why one enterprise could not be graded (a record, not an exception: `EnterpriseGradingError` carries a list of
    them): names enterprise, industry and key (Chinese message)."""

    enterprise_id: str
    industry: str | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = " / ".join(part for part in (self.enterprise_id, self.industry, self.key) if part)
        return f"{where}: {self.message}"


class EnterpriseGradingError(AirgradeError, ValueError):
    def __init__(self, errors: list[GradingProblem]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


@dataclass(frozen=True)
class EnterpriseResult:
    id: str
    name: str
    region: str | None
    grade: Grade  # after caps, worst of the industries
    rules_grade: Grade  # before caps
    caps: tuple[Cap, ...]
    industries: tuple[IndustryResult, ...]
    as_of: dt.date
    rules_version: str

    @property
    def uses_provisional(self) -> bool:
        return any(result.uses_provisional for result in self.industries)


def grade_enterprise(enterprise: EnterpriseInput, as_of: dt.date, book: RuleBook | None = None) -> EnterpriseResult:
    """Every industry graded, caps applied, the worst overall; EnterpriseGradingError on bad input."""
    book = book or default_rulebook()
    errors: list[GradingProblem] = []
    results: list[IndustryResult] = []
    for item in enterprise.industries:
        try:
            rules = book.rules_for(item.industry, as_of, enterprise.region)
        except RuleLookupError as error:
            errors.append(GradingProblem(enterprise.id, item.industry, None, str(error)))
            continue
        values, fact_errors = normalise_facts(item.facts, rules.facts, book.units)
        errors.extend(GradingProblem(enterprise.id, item.industry, e.key, e.message) for e in fact_errors)
        if not fact_errors:
            results.append(grade_normalised(values, rules, process=item.process))
    if errors:
        raise EnterpriseGradingError(errors)
    try:
        policy = book.policy(as_of)
    except RuleLookupError as error:
        raise EnterpriseGradingError([GradingProblem(enterprise.id, None, None, str(error))]) from None
    caps = _caps(enterprise, policy)
    capped = tuple(_apply_caps(result, caps) for result in results)
    final_caps = tuple(
        replace(cap, changed=any(_limit(cap, result) > _position(result) for result in results)) for cap in caps
    )
    return EnterpriseResult(
        id=enterprise.id,
        name=enterprise.name,
        region=enterprise.region,
        grade=worst_grade([result.grade for result in capped]),
        rules_grade=worst_grade([result.rules_grade for result in capped]),
        caps=final_caps,
        industries=capped,
        as_of=as_of,
        rules_version=book.version,
    )


def _caps(enterprise: EnterpriseInput, policy: s.PolicyEntry) -> list[Cap]:
    flags = enterprise.flags
    barred = [v for v in flags.prior_year_violations if v.value in policy.prior_year_violations.reasons]
    triggered = {
        "not_declared": not enterprise.declared,
        "falsified": flags.falsified,
        "concealed": flags.concealed,
        "bribery": flags.bribery,
        "tampered_gate_data": flags.tampered_gate_data,
        "prior_year_violations": bool(barred),
    }
    caps: list[Cap] = []
    for rule in policy.caps:
        if not triggered[rule.when]:
            continue
        detail = rule.detail_zh
        if rule.when == "prior_year_violations":
            detail = f"{'、'.join(violation.label_zh for violation in barred)}：{detail}"
        caps.append(Cap(rule.code, rule.label_zh, tuple(rule.requirements), detail, rule.effect, False))
    return caps


def _position(result: IndustryResult) -> int:
    return result.scale.grades.index(result.rules_grade)


def _limit(cap: Cap, result: IndustryResult) -> int:
    """The best position in the industry's scale the cap allows."""
    scale = result.scale.grades
    if cap.effect == "lowest_grade":
        return len(scale) - 1
    return next(position for position, grade_ in enumerate(scale) if not grade_.is_top_tier)


def _apply_caps(result: IndustryResult, caps: list[Cap]) -> IndustryResult:
    index = max([_position(result), *(_limit(cap, result) for cap in caps)])
    return replace(result, grade=result.scale.grades[index], caps=tuple(cap.code for cap in caps))


def parse_enterprises(data: Any) -> tuple[list[EnterpriseInput], list[GradingProblem]]:
    """Validate `{enterprises: [...]}`; a bad enterprise is reported by id (or position) and the rest kept."""
    if not isinstance(data, dict) or not isinstance(data.get("enterprises"), list):
        return [], [GradingProblem("(文件)", None, "enterprises", "须为 {enterprises: [...]} (expected a list)")]
    extra = set(data) - {"enterprises", "as_of"}
    errors: list[GradingProblem] = []
    if extra:
        errors.append(GradingProblem("(文件)", None, ", ".join(sorted(extra)), "未知的键 (unknown key)"))
    parsed: list[EnterpriseInput] = []
    for position, item in enumerate(data["enterprises"], start=1):
        ident = str(item.get("id")) if isinstance(item, dict) and item.get("id") is not None else f"第{position}个企业"
        try:
            parsed.append(EnterpriseInput.model_validate(item))
        except ValidationError as error:
            for detail in error.errors():
                loc = detail["loc"]
                industry = None
                if len(loc) >= 2 and loc[0] == "industries" and isinstance(loc[1], int):
                    industries = item.get("industries") if isinstance(item, dict) else None
                    if isinstance(industries, list) and loc[1] < len(industries):
                        entry = industries[loc[1]]
                        industry = str(entry.get("industry")) if isinstance(entry, dict) else None
                key = ".".join(str(part) for part in loc)
                errors.append(GradingProblem(ident, industry, key, _message(detail)))
    return parsed, errors


def _message(detail: Any) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden":
        return "未知的键 (unknown key)"
    if kind == "missing":
        return "缺少必填的键 (missing key)"
    return str(detail["msg"])


def grade_enterprises(
    enterprises: list[EnterpriseInput], as_of: dt.date, book: RuleBook | None = None
) -> tuple[list[EnterpriseResult], list[GradingProblem]]:
    """Grade each enterprise; one that fails is reported and the rest are still graded."""
    book = book or default_rulebook()
    results: list[EnterpriseResult] = []
    errors: list[GradingProblem] = []
    for enterprise in enterprises:
        try:
            results.append(grade_enterprise(enterprise, as_of, book))
        except EnterpriseGradingError as error:
            errors.extend(error.errors)
    return results, errors


__all__ = [
    "Cap",
    "EnterpriseGradingError",
    "EnterpriseInput",
    "EnterpriseResult",
    "FactsError",
    "Flags",
    "GradingProblem",
    "IndustryInput",
    "PriorYearViolation",
    "grade_enterprise",
    "grade_enterprises",
    "parse_enterprises",
]
