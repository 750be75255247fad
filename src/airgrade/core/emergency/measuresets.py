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
from airgrade.core.rules import render
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

    @property
    def vehicle_stage(self) -> EmissionStage | None:
        return list(EmissionStage)[self.vehicle_stage_rank] if self.vehicle_stage_rank >= 0 else None

    def describe_zh(self) -> list[str]:
        return render.measures_zh(self.measures)


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
    """Why `proposed` is weaker than `minimum` (empty when it is as strict or stricter), worded by `rules.render`."""
    reasons: list[str] = []
    if proposed.production_share + _EPSILON < minimum.production_share:
        reasons.append(render.weaker_production_zh(proposed.production_share, minimum.production_share))
    if proposed.stop_share + _EPSILON < minimum.stop_share:
        reasons.append(render.weaker_stop_share_zh(proposed.stop_share, minimum.stop_share))
    stage = minimum.vehicle_stage
    if minimum.stop_road_transport and not proposed.stop_road_transport:
        reasons.append(render.weaker_road_transport_zh())
    elif stage is not None and not proposed.stop_road_transport:
        if proposed.vehicle_stage_rank < minimum.vehicle_stage_rank:
            reasons.append(render.weaker_vehicles_zh(stage, minimum.vehicles_include_gas))
        elif (
            proposed.vehicle_stage_rank == minimum.vehicle_stage_rank
            and minimum.vehicles_include_gas
            and not proposed.vehicles_include_gas
        ):
            reasons.append(render.weaker_gas_zh(stage))
    return reasons


def vehicle_rule_zh(stage_rank: int, includes_gas: bool, stop_road: bool) -> str:
    """The transport rule an enterprise must follow, '' when there is none (worded by `rules.render`)."""
    stage = list(EmissionStage)[stage_rank] if stage_rank >= 0 else None
    return render.vehicle_rule_zh(stage, includes_gas, stop_road)
