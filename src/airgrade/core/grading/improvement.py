"""The improvement-enterprise list (绩效提升企业清单, seed 000 附件3; REQ H21-2, H21-3): one row per enterprise ×
industry below its scale's top grade, with the indicators that block its target grade and what they require."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airgrade.core.grading.engine import grade
from airgrade.core.industries import all_industries, industry_by_code
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import RuleBook, default_rulebook
from airgrade.core.types import Grade

# 附件3's columns, in its order and with its exact headings.
COLUMNS: tuple[str, ...] = (
    "序号", "省辖市", "县(市、区)", "企业名称", "重点行业类型", "重点行业分支", "绩效现状", "绩效提升目标",
    "差异化指标", "存在问题", "改造措施", "拟完成时间", "备注",
)  # fmt: skip

# H21-3 names the kinds of work (设备更新, 技术改造, 治理升级); which kind answers which aspect is our reading of the
# guide's aspects, offered as a suggestion the enterprise replaces with its own plan.
SUGGESTED_WORK: dict[s.Aspect, str] = {
    s.Aspect.ENERGY: "技术改造：清洁能源替代",
    s.Aspect.EQUIPMENT: "设备更新/技术改造：装备与工艺升级",
    s.Aspect.MATERIALS: "技术改造：低（无）VOCs原辅材料替代",
    s.Aspect.TREATMENT: "治理升级：污染治理设施改造",
    s.Aspect.EMISSION_LIMITS: "治理升级：提标改造",
    s.Aspect.FUGITIVE: "治理升级：无组织排放封闭收集",
    s.Aspect.MONITORING: "完善监测监控：自动监测与联网",
    s.Aspect.MANAGEMENT: "完善环境管理：制度与台账",
    s.Aspect.TRANSPORT_MODE: "运输结构调整：清洁运输",
    s.Aspect.TRANSPORT_SUPERVISION: "完善运输监管：门禁、视频与电子台账",
}


@dataclass(frozen=True)
class Candidate:
    """One enterprise × industry with its grade in force and the facts it last declared (None: never declared)."""

    city_name: str
    county_name: str
    county_code: str
    enterprise_name: str
    industry_code: str
    branch: str
    current: Grade
    facts: Mapping[str, Any] | None
    other_industries: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    values: tuple[str, ...]  # in COLUMNS order

    def as_dict(self) -> dict[str, str]:
        return dict(zip(COLUMNS, self.values, strict=True))


def target_grade(scale: tuple[Grade, ...], current: Grade) -> Grade | None:
    """The next better grade on the industry's scale; None at the top. B- aims at B, D at C, 非引领性 at 引领性."""
    if current not in scale:
        return scale[-2] if len(scale) > 1 else None
    position = scale.index(current)
    return scale[position - 1] if position > 0 else None


def improvement_rows(candidates: Iterable[Candidate], as_of: dt.date, book: RuleBook | None = None) -> list[Row]:
    """The rows of 附件3, sorted as its note 3 asks: by county, industry type, target grade, differentiated indicator."""
    book = book or default_rulebook()
    order = {industry.code: index for index, industry in enumerate(all_industries())}
    keyed: list[tuple[tuple[Any, ...], tuple[str, ...]]] = []
    for candidate in candidates:
        rules = book.rules_for(candidate.industry_code, as_of, candidate.county_code)
        target = target_grade(rules.grades, candidate.current)
        if target is None:
            continue
        indicators, problems, work = _gaps(candidate, target, as_of)
        others = "、".join(_name(code) for code in candidate.other_industries)
        values = (
            candidate.city_name, candidate.county_name, candidate.enterprise_name, _name(candidate.industry_code),
            candidate.branch, candidate.current.value, target.value, indicators, problems, work, "",
            f"同时涉及：{others}" if others else "",
        )  # fmt: skip
        key = (candidate.county_code, order.get(candidate.industry_code, len(order)), target.rank, indicators)
        keyed.append((key, values))
    keyed.sort(key=lambda item: item[0])
    return [Row((str(number), *values)) for number, (_, values) in enumerate(keyed, start=1)]


def _gaps(candidate: Candidate, target: Grade, as_of: dt.date) -> tuple[str, str, str]:
    if candidate.facts is None:
        return "待对标", "尚无申报数据，须对照A级标杆企业逐项对标后填报（REQ H21-3）", ""
    try:
        result = grade(candidate.facts, candidate.industry_code, as_of, region_code=candidate.county_code)
    except (LookupError, ValueError) as exc:
        return "待对标", f"申报数据不能评定：{exc}", ""
    gaps = result.gaps.get(target, ())
    if not gaps:
        # The facts already reach the target: the grade in force is older than the facts (or was capped).
        return "—", f"按最近申报数据已达到{target.value}级，待评定确认", ""
    work = dict.fromkeys(SUGGESTED_WORK[gap.aspect] for gap in gaps)
    return (
        "；".join(gap.differentiated_indicator_zh for gap in gaps),
        "；".join(gap.problem_zh for gap in gaps),
        "；".join(work),
    )


def _name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code
