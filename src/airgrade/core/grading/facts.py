"""Normalise the facts stated for one industry: types, units, categories; clear errors per key."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airgrade.core.rules import schema as s
from airgrade.core.types import EmissionStage

FactValue = float | bool | EmissionStage | str


@dataclass(frozen=True)
class FactProblem:
    """A fact that cannot be used (a record; `FactsError` is the exception carrying them): the key and the reason
    (Chinese, for users)."""

    key: str
    message: str


_STAGES = {stage.value: stage for stage in EmissionStage}
# Plain ASCII spellings people type in spreadsheets.
_STAGES.update({"china1": EmissionStage.CHINA_1, "china2": EmissionStage.CHINA_2, "china3": EmissionStage.CHINA_3})
_STAGES.update({"china4": EmissionStage.CHINA_4, "china5": EmissionStage.CHINA_5, "china6": EmissionStage.CHINA_6})
_STAGES.update({"new_energy": EmissionStage.NEW_ENERGY, "ne": EmissionStage.NEW_ENERGY})


def normalise_facts(
    raw: Mapping[str, Any],
    known: Mapping[str, s.FactDefinition],
    units: Mapping[str, s.UnitDefinition],
) -> tuple[dict[str, FactValue], list[FactProblem]]:
    """Typed facts (canonical units) and the errors found; a `None` value means 'not stated' (missing)."""
    values: dict[str, FactValue] = {}
    errors: list[FactProblem] = []
    for key, value in raw.items():
        definition = known.get(key)
        if definition is None:
            errors.append(FactProblem(key, f"未知的事实 {key!r}，本行业不使用 (unknown fact key)"))
            continue
        if value is None:
            continue
        try:
            values[key] = _convert(value, definition, units)
        except ValueError as error:
            errors.append(FactProblem(key, str(error)))
    return values, errors


def _convert(value: Any, definition: s.FactDefinition, units: Mapping[str, s.UnitDefinition]) -> FactValue:
    kind = definition.type
    if kind in (s.FactType.NUMBER, s.FactType.SHARE):
        unit_code = definition.unit
        if isinstance(value, Mapping):
            if set(value) - {"value", "unit"} or "value" not in value:
                raise ValueError("数值须写成数字或 {value: 数字, unit: 单位} (number or {value, unit})")
            number = _number(value["value"], definition)
            given = value.get("unit", unit_code)
            if given != unit_code:
                number = _convert_unit(number, str(given), str(unit_code), units)
        else:
            number = _number(value, definition)
        if kind is s.FactType.SHARE and not 0 <= number <= 100:
            raise ValueError(f"占比须在 0–100 (%) 之间，得到 {number} (share out of range)")
        if number < 0:
            raise ValueError(f"数值不能为负，得到 {number} (negative value)")
        return number
    if kind is s.FactType.BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("是", "yes", "true", "否", "no", "false"):
            return value.strip().lower() in ("是", "yes", "true")
        raise ValueError(f"须为是/否 (true/false)，得到 {value!r} (wrong type)")
    if kind is s.FactType.STAGE:
        if isinstance(value, EmissionStage):
            return value
        stage = _STAGES.get(str(value).strip().replace(" ", "").lower()) if isinstance(value, str) else None
        if stage is None:
            allowed = "、".join(stage.value for stage in EmissionStage)
            raise ValueError(f"排放阶段须为 {allowed} 之一，得到 {value!r} (wrong type)")
        return stage
    if not isinstance(value, str) or value not in definition.categories:
        raise ValueError(f"须为 {definition.categories} 之一，得到 {value!r} (unknown category)")
    return value


def _number(value: Any, definition: s.FactDefinition) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"须为数字（单位 {definition.unit}），得到 {value!r} (wrong type)")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):  # NaN, .inf, or an integer too large for a float
        raise ValueError(f"数值须为有限数，得到 {str(value)[:40]} (not a finite number)")
    return number


def _convert_unit(number: float, given: str, canonical: str, units: Mapping[str, s.UnitDefinition]) -> float:
    source, target = units.get(given), units.get(canonical)
    if source is None or target is None or source.dimension != target.dimension:
        raise ValueError(f"单位 {given!r} 不能换算为 {canonical!r} (wrong unit)")
    return number * source.factor / target.factor
