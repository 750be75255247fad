"""One enterprise's task list for one alert level: what each named line does, vehicle rules, reductions.

This is what an enterprise receives when an alert is issued and what the 一厂一策 plan prints (REQ LC-11).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from airgrade.core.types import AlertLevel, Grade

from .engine import LineAction, Simulation
from .table import GRADES, POLLUTANTS


@dataclass(frozen=True)
class LineTask:
    line_key: str
    line_name: str
    industry_code: str
    action: LineAction
    base_capacity: float | None  # min of the three, per day
    allowed_output: float | None  # per day during the alert; None = no cap
    capacity_unit: str
    curtail_percent: float
    base_emissions: dict[str, float]
    reduction: dict[str, float]

    @property
    def instruction_zh(self) -> str:
        """The order as an inspector would check it on site."""
        if self.action is LineAction.STOP:
            return f"{self.line_name}：停产"
        if self.action in (LineAction.CURTAIL, LineAction.PLAN_CURTAIL) and self.allowed_output is not None:
            plan = "按不可中断工序限产方案" if self.action is LineAction.PLAN_CURTAIL else ""
            return (
                f"{self.line_name}：{plan}限产 {self.curtail_percent:g}%，"
                f"日产量不超过 {self.allowed_output:.4g}"
                f" {self.capacity_unit}（基数 {self.base_capacity:.4g} {self.capacity_unit}）"
            )
        if self.action is LineAction.GUARANTEE_CAP and self.allowed_output is not None:
            return f"{self.line_name}：以量定产，日产量不超过 {self.allowed_output:.4g} {self.capacity_unit}"
        return f"{self.line_name}：{self.action.label_zh}"

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line_key,
            "name": self.line_name,
            "industry": self.industry_code,
            "action": self.action.name.lower(),
            "action_zh": self.action.label_zh,
            "instruction_zh": self.instruction_zh,
            "base_capacity_per_day": self.base_capacity,
            "allowed_output_per_day": self.allowed_output,
            "capacity_unit": self.capacity_unit,
            "curtail_percent": self.curtail_percent,
            "base_t_per_day": self.base_emissions,
            "reduction_t_per_day": self.reduction,
        }


@dataclass(frozen=True)
class IndustryMeasures:
    industry_code: str
    grade: Grade
    measures_zh: list[str]
    minimum_zh: list[str]
    proposed: bool


@dataclass(frozen=True)
class EnterprisePlan:
    entry_key: str
    enterprise_name: str
    region_code: str
    level: AlertLevel
    industries: list[IndustryMeasures]
    lines: list[LineTask]
    vehicle_rule_zh: str
    base: dict[str, float]
    reduction: dict[str, float]
    guaranteed: bool
    small_micro: bool
    vehicle_rule: dict[str, object] = field(default_factory=dict)

    @property
    def reduction_share(self) -> dict[str, float | None]:
        return {key: (self.reduction[key] / value if value > 0 else None) for key, value in self.base.items()}

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry_key,
            "enterprise": self.enterprise_name,
            "region": self.region_code,
            "level": self.level.value,
            "industries": [
                {
                    "industry": item.industry_code,
                    "grade": item.grade.value,
                    "measures": item.measures_zh,
                    "minimum": item.minimum_zh,
                    "proposed": item.proposed,
                }
                for item in self.industries
            ],
            "lines": [line.as_dict() for line in self.lines],
            "vehicle_rule_zh": self.vehicle_rule_zh,
            "vehicle_rule": self.vehicle_rule,
            "base_t_per_day": self.base,
            "reduction_t_per_day": self.reduction,
            "reduction_share": {k: (None if v is None else round(v, 4)) for k, v in self.reduction_share.items()},
            "guaranteed": self.guaranteed,
            "small_micro": self.small_micro,
        }


def _pollutant_dict(values: object) -> dict[str, float]:
    return {pollutant.value: float(value) for pollutant, value in zip(POLLUTANTS, values, strict=True)}  # type: ignore[call-overload]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def enterprise_plan(simulation: Simulation, entry_index: int) -> EnterprisePlan:
    """The task list of the entry at `entry_index` in the simulated table."""
    table = simulation.table
    start, end = table.line_range(entry_index)
    tasks: list[LineTask] = []
    for line in range(start, end):
        group = int(table.line_group[line])
        action = LineAction(int(simulation.line_action[line]))
        base_capacity = _number(float(simulation.line_base_capacity[line]))
        allowed: float | None = None
        if base_capacity is not None and action in (LineAction.CURTAIL, LineAction.PLAN_CURTAIL):
            allowed = base_capacity * (1 - float(simulation.line_curtail_percent[line]) / 100)
        elif action is LineAction.GUARANTEE_CAP:
            reference = _number(float(table.line_actual[line])) or base_capacity
            if reference is not None:
                allowed = reference * float(simulation.line_remaining[line])
        in_base = action is not LineAction.NOT_IN_BASE
        tasks.append(
            LineTask(
                line_key=table.line_keys[line],
                line_name=table.line_names[line],
                industry_code=table.industry_codes[int(table.group_industry[group])],
                action=action,
                base_capacity=base_capacity,
                allowed_output=allowed,
                capacity_unit=table.daily_units[int(table.line_unit[line])],
                curtail_percent=float(simulation.line_curtail_percent[line]),
                base_emissions=_pollutant_dict(table.line_emissions[line] * in_base),
                reduction=_pollutant_dict(simulation.line_reduction[line]),
            )
        )
    industries: list[IndustryMeasures] = []
    for group in range(*table.group_range(entry_index)):
        chosen = simulation.sets[int(simulation.group_set[group])]
        minimum = simulation.sets[int(simulation.group_minimum_set[group])]
        industries.append(
            IndustryMeasures(
                industry_code=table.industry_codes[int(table.group_industry[group])],
                grade=GRADES[int(table.group_grade[group])],
                measures_zh=chosen.describe_zh(),
                minimum_zh=minimum.describe_zh(),
                proposed=int(simulation.group_set[group]) != int(simulation.group_minimum_set[group]),
            )
        )
    return EnterprisePlan(
        entry_key=table.entry_keys[entry_index],
        enterprise_name=table.entry_names[entry_index],
        region_code=table.region_codes[int(table.entry_region[entry_index])],
        level=simulation.level,
        industries=industries,
        lines=tasks,
        vehicle_rule_zh=simulation.vehicle_rule_zh(entry_index),
        base=_pollutant_dict(simulation.entry_base[entry_index]),
        reduction=_pollutant_dict(simulation.entry_reduction[entry_index]),
        guaranteed=not math.isnan(float(table.entry_guarantee_share[entry_index])),
        small_micro=bool(table.entry_small_micro[entry_index]),
        vehicle_rule=simulation.vehicle_rule(entry_index),
    )
