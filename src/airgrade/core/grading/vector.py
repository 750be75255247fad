"""Batch grading: one industry's rules compiled into NumPy checks over columns of facts (same results as engine).

Used for bulk work (province-wide re-grading, what-if over every enterprise, the benchmark). Every indicator's
reached grade is kept (`reached`, one column per indicator), so failing indicators are known without a re-run.

Column encoding (`encode_facts` builds it from fact dicts): number/share → float64 with NaN for missing;
bool → int8 1/0, -1 missing; stage → int8 EmissionStage.rank, -1 missing; category → int16 index into the fact's
categories, -1 missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from airgrade.core.grading.facts import FactValue
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import IndustryRules, ResolvedIndicator
from airgrade.core.types import EmissionStage, Grade

Column = npt.NDArray[Any]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class BatchResult:
    grades: tuple[Grade, ...]  # the industry's scale, best first
    grade_index: npt.NDArray[np.int8]  # per row: index into `grades`
    reached: npt.NDArray[np.int8]  # per row × indicator: index of the grade the indicator reaches
    indicator_ids: tuple[str, ...]

    def grade_of(self, row: int) -> Grade:
        return self.grades[int(self.grade_index[row])]

    def failing(self, row: int, target: Grade) -> list[str]:
        """The indicators that keep row `row` from `target` (the blocking list of the engine)."""
        position = self.grades.index(target)
        return [
            ident for ident, reached in zip(self.indicator_ids, self.reached[row], strict=True) if reached > position
        ]


def empty_column(fact: s.FactDefinition, size: int) -> Column:
    if fact.type in (s.FactType.NUMBER, s.FactType.SHARE):
        return np.full(size, np.nan)
    if fact.type is s.FactType.CATEGORY:
        return np.full(size, -1, dtype=np.int16)
    return np.full(size, -1, dtype=np.int8)


def encode_facts(rules: IndustryRules, rows: Sequence[Mapping[str, FactValue]]) -> dict[str, Column]:
    """Columns for the facts the industry's indicators use, from normalised fact dicts."""
    columns: dict[str, Column] = {}
    for key in _used_facts(rules):
        fact = rules.facts[key]
        column = empty_column(fact, len(rows))
        for index, row in enumerate(rows):
            value = row.get(key)
            if value is not None:
                column[index] = encode_value(fact, value)
        columns[key] = column
    return columns


def encode_value(fact: s.FactDefinition, value: FactValue) -> float | int:
    if fact.type in (s.FactType.NUMBER, s.FactType.SHARE):
        assert isinstance(value, int | float)
        return float(value)
    if fact.type is s.FactType.BOOL:
        return 1 if value is True else 0
    if fact.type is s.FactType.STAGE:
        return EmissionStage(str(value)).rank
    return fact.categories.index(str(value))


def _used_facts(rules: IndustryRules) -> list[str]:
    keys: list[str] = []
    for indicator in rules.indicators:
        for key in (*indicator.fact_keys, *([indicator.applies_if] if indicator.applies_if else [])):
            if key not in keys:
                keys.append(key)
    return keys


class CompiledIndustry:
    """An industry's rules on one date, ready to grade columns of facts."""

    def __init__(self, rules: IndustryRules) -> None:
        self.rules = rules
        self.grades = rules.grades
        self.fact_keys = tuple(_used_facts(rules))
        self.indicator_ids = tuple(indicator.id for indicator in rules.indicators)

    def grade_columns(self, columns: Mapping[str, Column]) -> BatchResult:
        size = len(next(iter(columns.values()))) if columns else 0
        for key in self.fact_keys:
            if key not in columns:
                raise KeyError(f"缺少事实列 {key!r} (missing column)")
        floor = len(self.grades) - 1
        reached = np.empty((size, len(self.rules.indicators)), dtype=np.int8)
        for position, indicator in enumerate(self.rules.indicators):
            reached[:, position] = self._reached(indicator, columns, size, floor)
        grade_index = reached.max(axis=1) if reached.shape[1] else np.zeros(size, dtype=np.int8)
        return BatchResult(self.grades, grade_index.astype(np.int8), reached, self.indicator_ids)

    def _reached(self, indicator: ResolvedIndicator, columns: Mapping[str, Column], size: int, floor: int) -> Column:
        result = np.full(size, floor, dtype=np.int8)
        ok = np.ones(size, dtype=bool)
        applies: Mask | None = None
        not_applicable: Mask | None = None
        if indicator.applies_if is not None:
            condition = columns[indicator.applies_if]
            applies, not_applicable = condition == 1, condition == 0
        for index in range(floor - 1, -1, -1):
            grade_ = self.grades[index]
            if grade_ in indicator.requirements:
                met = self._met(indicator, indicator.requirements[grade_].value, columns)
                if applies is not None and not_applicable is not None:
                    met = (met & applies) | not_applicable
                ok &= met
            result[ok] = index
        return result

    def _met(self, indicator: ResolvedIndicator, value: s.RequiredValue, columns: Mapping[str, Column]) -> Mask:
        if indicator.fact is not None:
            return _simple(indicator.check, columns[indicator.fact], value, self.rules.facts[indicator.fact])
        assert isinstance(value, dict)
        masks = [
            _simple(part.check, columns[part.fact], value[part.id], self.rules.facts[part.fact])
            for part in indicator.parts
            if part.id in value
        ]
        combined = masks[0].copy()
        for mask in masks[1:]:
            if indicator.check is s.CheckKind.ALL_OF:
                combined &= mask
            else:
                combined |= mask
        return combined


def _simple(kind: s.CheckKind, column: Column, value: object, fact: s.FactDefinition) -> Mask:
    result: Mask
    if kind is s.CheckKind.MAX:
        assert isinstance(value, int | float)
        result = np.asarray(column <= float(value), dtype=bool)
    elif kind in (s.CheckKind.MIN, s.CheckKind.AT_LEAST_SHARE):
        assert isinstance(value, int | float)
        result = np.asarray(column >= float(value), dtype=bool)
    elif kind is s.CheckKind.TRUE:
        result = np.asarray(column == 1, dtype=bool)
    elif kind is s.CheckKind.STAGE_AT_LEAST:
        assert isinstance(value, EmissionStage)
        result = np.asarray(column >= value.rank, dtype=bool)
    else:
        assert isinstance(value, list)
        codes = np.array([fact.categories.index(item) for item in value], dtype=np.int16)
        result = np.isin(column, codes)
    return result
