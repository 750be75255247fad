"""Every Chinese sentence about a rule, in one place (issue 9): measures and transport rules (REQ G-5), what a
grade requires of an indicator, what a fact was observed as, and the gaps to a better grade (REQ H21-2, H21-3).

The emergency lists, the command line, the rule browser, the self-check and the declaration pages all call these
functions; none of them words a rule on its own. Pure: no I/O, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from airgrade.core.measures import (
    Curtail,
    Measure,
    SelfDetermined,
    StopLineShare,
    StopProduction,
    StopVehicles,
)
from airgrade.core.rules import schema as s
from airgrade.core.types import EmissionStage, Grade

NO_MEASURES_ZH = "无减排措施要求"
MISSING_ZH = "未填报"
NOT_APPLICABLE_ZH = "不适用"

# ------------------------------------------------------------------ numbers


def number_zh(value: object, decimals: int = 4) -> str:
    """A number as rules write it: 80 → '80', 1.2 → '1.2', 6000 → '6000', never 1e-05; at most `decimals` places."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    number = Decimal(str(value))
    if not number.is_finite():
        return str(value)
    text = f"{number:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ------------------------------------------------------------------ measures (REQ G-5)


def vehicles_zh(stage: EmissionStage, includes_gas: bool) -> str:
    """The vehicles a transport rule names: '国四及以下重型载货车辆（含燃气）'."""
    return f"{stage.value}及以下重型载货车辆{'（含燃气）' if includes_gas else ''}"


def measure_zh(measure: Measure) -> str:
    """One measure in the words of the emergency lists, its note in brackets."""
    if isinstance(measure, SelfDetermined):
        text = "自主采取减排措施"
    elif isinstance(measure, StopProduction):
        text = "停产"
    elif isinstance(measure, StopLineShare):
        text = f"停产 {number_zh(measure.share * 100, 1)}% 的生产线（以生产线计，向上取整）"
    elif isinstance(measure, Curtail):
        text = f"限产 {number_zh(measure.percent)}%（以环评批复产能、排污许可产能、上年度实际产量三者日均最小值为基准）"
    elif isinstance(measure, StopVehicles):
        text = f"停止使用{vehicles_zh(measure.at_or_below, measure.includes_gas)}进行运输"
    else:
        text = "停止公路运输"
    return f"{text}（{measure.note_zh}）" if measure.note_zh else text


# The kinds of measure an enterprise may choose when it proposes its own (the closed vocabulary of core.measures),
# by the names a form shows; the sentence of a chosen measure is still `measure_zh`.
MEASURE_KIND_CHOICES_ZH: tuple[tuple[str, str], ...] = (
    ("curtail", "限产（按比例）"),
    ("stop_line_share", "停产部分生产线（按比例）"),
    ("stop_production", "全部停产"),
    ("stop_vehicles", "停用某排放阶段及以下重型车辆运输"),
    ("stop_road_transport", "停止公路运输"),
    ("self_determined", "自主采取减排措施"),
)


def measures_zh(measures: Iterable[Measure]) -> list[str]:
    """Each measure's sentence; a level that requires nothing says so."""
    return [measure_zh(measure) for measure in measures] or [NO_MEASURES_ZH]


def measures_line_zh(measures: Iterable[Measure]) -> str:
    """The measures of one grade at one alert level on one line, '；'-separated."""
    return "；".join(measures_zh(measures))


def vehicle_rule_zh(stage: EmissionStage | None, includes_gas: bool, stop_road: bool) -> str:
    """The transport rule an enterprise follows during an alert, '' when there is none."""
    if stop_road:
        return "停止公路运输（物料公路运输全部停止）"
    if stage is None:
        return ""
    return f"禁止{vehicles_zh(stage, includes_gas)}进出厂区运输"


def weaker_production_zh(proposed: float, minimum: float) -> str:
    return f"停限产比例 {proposed:.0%} 低于本等级最低要求 {minimum:.0%}"


def weaker_stop_share_zh(proposed: float, minimum: float) -> str:
    return f"停产生产线比例 {proposed:.0%} 低于本等级最低要求 {minimum:.0%}（以停代限，不能以限产代替停产）"


def weaker_road_transport_zh() -> str:
    return "本等级要求停止公路运输，所报措施未停止"


def weaker_vehicles_zh(stage: EmissionStage, includes_gas: bool) -> str:
    return f"本等级要求停止使用{vehicles_zh(stage, includes_gas)}进行运输，所报措施未达到"


def weaker_gas_zh(stage: EmissionStage) -> str:
    return f"本等级停止使用的{vehicles_zh(stage, True)}包括燃气车辆，所报措施未包括"


# ------------------------------------------------------------------ requirements and observed values


def requirement_zh(
    check: s.CheckKind,
    value: s.RequiredValue,
    unit_symbol: str | None = None,
    parts: Sequence[s.IndicatorPart] = (),
) -> str:
    """What one grade requires of an indicator: '≤ 10 mg/m³', '国五及以上', '是', '为以下之一：…',
    composites as 'part ≥ 80%且part 国四及以上' (all_of) or '…或…' (any_of)."""
    if check in s.COMPOSITE_CHECKS:
        assert isinstance(value, dict)
        joiner = "且" if check is s.CheckKind.ALL_OF else "或"
        named = {part.id: part for part in parts}
        return joiner.join(
            f"{named[part_id].label_zh or part_id} {requirement_zh(named[part_id].check, part_value)}"
            for part_id, part_value in value.items()
        )
    if check is s.CheckKind.TRUE:
        return "是"
    if check is s.CheckKind.STAGE_AT_LEAST:
        return f"{value}及以上"
    if check is s.CheckKind.IN_SET and isinstance(value, list):
        return "为以下之一：" + "、".join(s.category_label(item) for item in value)
    symbol = "≤" if check is s.CheckKind.MAX else "≥"
    suffix = "%" if check is s.CheckKind.AT_LEAST_SHARE else (f" {unit_symbol}" if unit_symbol else "")
    return f"{symbol} {number_zh(value)}{suffix}"


def value_zh(value: object, unit_symbol: str | None = None) -> str:
    """One observed fact: 是/否, the stage, the category's Chinese name, or the number with its unit."""
    if value is None or value == "":
        return MISSING_ZH
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, EmissionStage):
        return value.value
    if isinstance(value, int | float | Decimal):
        if unit_symbol == "%":
            return number_zh(value) + "%"
        return number_zh(value) + (f" {unit_symbol}" if unit_symbol else "")
    return s.category_label(value)


# ------------------------------------------------------------------ gaps (REQ H21-2 差异化指标 / 存在问题)


def failed_requirements_zh(target: Grade, failed: Sequence[tuple[Grade, str]]) -> str:
    """The requirements an indicator misses on the way to `target`: the target's alone, or each with its grade."""
    if len(failed) == 1 and failed[0][0] == target:
        return failed[0][1]
    return "；".join(f"{grade}级 {text}" for grade, text in failed)


def gap_indicator_zh(aspect: s.Aspect, label_zh: str) -> str:
    """The 差异化指标 column: '运输方式：物料公路运输车辆'."""
    return f"{aspect.label_zh}：{label_zh}"


def gap_problem_zh(label_zh: str, grade: Grade, observed_zh: str, required_zh: str, missing: Sequence[str]) -> str:
    """The 存在问题 column: what was observed against what the grade requires."""
    if missing:
        return f"{label_zh}未填报（{'、'.join(missing)}），{grade}级要求 {required_zh}"
    return f"{label_zh}现状 {observed_zh}，{grade}级要求 {required_zh}"


def gap_distance_zh(check: s.CheckKind, observed: object, required: object, unit_symbol: str | None) -> str:
    """How far an observed value is from one requirement it misses: '需降低 5 mg/m³', '还差 3 个百分点';
    '' when it is met; for checks without a distance, '未达到要求'."""
    numeric = (s.CheckKind.MAX, s.CheckKind.MIN, s.CheckKind.AT_LEAST_SHARE)
    if observed is None:
        return "未填报，按不达标计"
    if check in numeric and isinstance(observed, int | float) and isinstance(required, int | float):
        here, there = Decimal(str(observed)), Decimal(str(required))
        if check is s.CheckKind.MAX:
            return f"需降低 {number_zh(here - there)} {unit_symbol or ''}".strip() if here > there else ""
        if here >= there:
            return ""
        if check is s.CheckKind.AT_LEAST_SHARE:
            return f"还差 {number_zh(there - here)} 个百分点"
        return f"需提高 {number_zh(there - here)} {unit_symbol or ''}".strip()
    return "未达到要求"
