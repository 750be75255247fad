"""Where measures come from: an injected lookup, so the core does not depend on the rule book's storage."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Protocol

from airgrade.core.measures import Measure
from airgrade.core.types import AlertLevel, Grade


class MeasureLookup(Protocol):
    """The rule book's measures for industry × grade × alert level on a date (`RuleBook.measures` fits).

    Raise LookupError (KeyError) when the rule book has nothing for the combination; the engine reports it.
    """

    def __call__(
        self, industry_code: str, grade: Grade, level: AlertLevel, as_of: date, region_code: str | None = None
    ) -> list[Measure]: ...


class TableLookup:
    """A lookup from a fixed table {(industry, grade, level): measures}; for tests and benchmarks."""

    def __init__(self, table: Mapping[tuple[str, Grade, AlertLevel], list[Measure]]):
        self._table = dict(table)

    def __call__(
        self, industry_code: str, grade: Grade, level: AlertLevel, as_of: date, region_code: str | None = None
    ) -> list[Measure]:
        return list(self._table[(industry_code, grade, level)])
