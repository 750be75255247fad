"""Measure sets: a grade's measures compiled to numbers, compared for strictness, and told in plain Chinese.

An enterprise may propose stricter measures than its grade's minimum, never weaker (REQ G-5, H23-4).
Strictness is compared per dimension: the share of production removed, the share of lines stopped (C and D
stop rather than curtail — Henan's 以停代限), and the transport rules.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from airgrade.core.measures import (
    Curtail,
    Measure,
    SelfDetermined,
    StopLineShare,
    StopProduction,
    StopRoadTransport,
    StopVehicles,
    production_cut_share,
)
from airgrade.core.types import EmissionStage

_EPSILON = 1e-9


@dataclass(frozen=True)
class MeasureSet:
    """One enterprise-industry's measures at one level, in the numbers the engine needs."""

    measures: tuple[Measure, ...]
    self_determined: bool
    stop_all: bool
    line_share: float
    curtail_percent: float
    vehicle_stage_rank: int  # stop vehicles at or below this stage rank; -1 = no vehicle rule
    vehicles_include_gas: bool
    stop_road_transport: bool

    @property
    def production_share(self) -> float:
        return production_cut_share(list(self.measures))

    @property
    def stop_share(self) -> float:
        return 1.0 if self.stop_all else self.line_share

    @property
    def acts_on_lines(self) -> bool:
        return self.stop_all or self.line_share > 0 or self.curtail_percent > 0

    @property
    def signature(self) -> str:
        """Canonical text of the measures without their notes: equal signatures mean equal measures."""
        items = sorted(
            json.dumps(m.model_dump(mode="json", exclude={"note_zh"}), sort_keys=True, ensure_ascii=False)
            for m in self.measures
        )
        return "[" + ",".join(items) + "]"

    def describe_zh(self) -> list[str]:
        return [describe_measure(m) for m in self.measures] or ["无减排措施要求"]


def compile_measures(measures: Sequence[Measure]) -> MeasureSet:
    stop_all = False
    line_share = 0.0
    curtail_percent = 0.0
    vehicle_rank = -1
    includes_gas = False
    stop_road = False
    self_determined = False
    for measure in measures:
        if isinstance(measure, SelfDetermined):
            self_determined = True
        elif isinstance(measure, StopProduction):
            stop_all = True
        elif isinstance(measure, StopLineShare):
            line_share = max(line_share, measure.share)
        elif isinstance(measure, Curtail):
            curtail_percent = max(curtail_percent, measure.percent)
        elif isinstance(measure, StopVehicles):
            if measure.at_or_below.rank > vehicle_rank:
                vehicle_rank = measure.at_or_below.rank
                includes_gas = measure.includes_gas
            elif measure.at_or_below.rank == vehicle_rank:
                includes_gas = includes_gas or measure.includes_gas
        elif isinstance(measure, StopRoadTransport):
            stop_road = True
    # A set with any real measure is not "self-determined only": self_determined stays only as a label.
    return MeasureSet(
        measures=tuple(measures),
        self_determined=self_determined
        and not (stop_all or line_share or curtail_percent or stop_road)
        and vehicle_rank < 0,
        stop_all=stop_all,
        line_share=line_share,
        curtail_percent=curtail_percent,
        vehicle_stage_rank=vehicle_rank,
        vehicles_include_gas=includes_gas,
        stop_road_transport=stop_road,
    )


def weaker_reasons(proposed: MeasureSet, minimum: MeasureSet) -> list[str]:
    """Why `proposed` is weaker than `minimum` (empty when it is as strict or stricter)."""
    reasons: list[str] = []
    if proposed.production_share + _EPSILON < minimum.production_share:
        reasons.append(f"停限产比例 {proposed.production_share:.0%} 低于本等级最低要求 {minimum.production_share:.0%}")
    if proposed.stop_share + _EPSILON < minimum.stop_share:
        reasons.append(
            f"停产生产线比例 {proposed.stop_share:.0%} 低于本等级最低要求 {minimum.stop_share:.0%}"
            "（以停代限，不能以限产代替停产）"
        )
    if minimum.stop_road_transport and not proposed.stop_road_transport:
        reasons.append("本等级要求停止公路运输，所报措施未停止")
    elif minimum.vehicle_stage_rank >= 0 and not proposed.stop_road_transport:
        stage = list(EmissionStage)[minimum.vehicle_stage_rank].value
        if proposed.vehicle_stage_rank < minimum.vehicle_stage_rank:
            reasons.append(f"本等级要求禁止{stage}及以下重型车辆运输，所报措施未达到")
        elif (
            proposed.vehicle_stage_rank == minimum.vehicle_stage_rank
            and minimum.vehicles_include_gas
            and not proposed.vehicles_include_gas
        ):
            reasons.append(f"本等级禁止的{stage}及以下车辆包括燃气车辆，所报措施未包括")
    return reasons


def describe_measure(measure: Measure) -> str:
    """One measure in the words of the lists."""
    if isinstance(measure, SelfDetermined):
        text = "自主采取减排措施"
    elif isinstance(measure, StopProduction):
        text = "停产"
    elif isinstance(measure, StopLineShare):
        text = f"停产 {measure.share:.0%} 的生产线（以生产线计，向上取整）"
    elif isinstance(measure, Curtail):
        text = f"限产 {measure.percent:g}%（以环评批复产能、排污许可产能、上年度实际产量三者日均最小值为基准）"
    elif isinstance(measure, StopVehicles):
        gas = "（含燃气）" if measure.includes_gas else ""
        text = f"停止使用{measure.at_or_below.value}及以下重型载货车辆{gas}进行运输"
    else:
        text = "停止公路运输"
    return f"{text}；{measure.note_zh}" if measure.note_zh else text


def vehicle_rule_zh(stage_rank: int, includes_gas: bool, stop_road: bool) -> str:
    """The transport rule an enterprise must follow, '' when there is none."""
    if stop_road:
        return "停止公路运输（物料公路运输全部停止）"
    if stage_rank < 0:
        return ""
    stage = list(EmissionStage)[stage_rank].value
    gas = "（含燃气）" if includes_gas else ""
    return f"禁止{stage}及以下重型载货车辆{gas}进出厂区运输"
