"""Where measures and regional shares come from: injected lookups, so the engine does not depend on the rule book's
storage."""

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


class ReductionLookup(Protocol):
    """The minimum cut of a region's total emissions per pollutant code, in %, at an alert level on a date (REQ G-6).

    `RuleBook.regional_reduction_percent` fits (national shares, province and city overlays applied). Raise
    LookupError when the rule book has no share in force on that date.
    """

    def __call__(self, level: AlertLevel, as_of: date, region_code: str | None = None) -> Mapping[str, float]: ...
