"""Shared builders for emergency-core tests: the cement measures of the 2020 guide as a table lookup."""

from __future__ import annotations

from datetime import date
from typing import Any

from airgrade.core.emergency.model import ListEntry
from airgrade.core.measures import (
    Curtail,
    Measure,
    SelfDetermined,
    StopLineShare,
    StopProduction,
    StopRoadTransport,
    StopVehicles,
)
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import AlertLevel, EmissionStage, Grade

AS_OF = date(2024, 11, 1)
# The packaged rule book's regional shares (10 / 20 / 30 % of every pollutant, REQ G-6), national layer.
SHARES = default_rulebook().regional_reduction_percent
CHINA_4 = EmissionStage.CHINA_4


def cement_measures() -> dict[tuple[str, Grade, AlertLevel], list[Measure]]:
    """guide-facts §3 水泥 table, plus a foundry copy so multi-industry cases have a second industry."""
    trucks = StopVehicles(at_or_below=CHINA_4)
    table: dict[tuple[str, Grade, AlertLevel], list[Measure]] = {}
    for code in ("cement", "foundry"):
        for level in AlertLevel:
            table[(code, Grade.A, level)] = [SelfDetermined()]
            table[(code, Grade.LEADING, level)] = [SelfDetermined()]
            table[(code, Grade.D, level)] = [StopProduction(), StopRoadTransport()]
        table[(code, Grade.B, AlertLevel.YELLOW)] = [trucks]
        table[(code, Grade.B, AlertLevel.ORANGE)] = [Curtail(percent=20), trucks]
        table[(code, Grade.B, AlertLevel.RED)] = [StopProduction(), trucks]
        table[(code, Grade.B_MINUS, AlertLevel.YELLOW)] = [trucks]
        table[(code, Grade.B_MINUS, AlertLevel.ORANGE)] = [Curtail(percent=30), trucks]
        table[(code, Grade.B_MINUS, AlertLevel.RED)] = [StopProduction(), trucks]
        table[(code, Grade.C, AlertLevel.YELLOW)] = [StopLineShare(share=0.5), trucks]
        table[(code, Grade.C, AlertLevel.ORANGE)] = [StopProduction(), trucks]
        table[(code, Grade.C, AlertLevel.RED)] = [StopProduction(), trucks]
    return table


def line(key: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": key,
        "name": f"{key}号熟料生产线",
        "capacity_unit": "t/d",
        "eia_capacity": 5000,
        "permit_capacity": 5000,
        "actual_output": 5000,
        "emissions": {"SO2": 0.1, "NOx": 1.0, "PM": 0.05},
    }
    data.update(overrides)
    return data


def entry(
    key: str,
    grade: str | None = "B",
    region: str = "410102",
    lines: list[dict[str, Any]] | None = None,
    industries: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> ListEntry:
    data: dict[str, Any] = {
        "key": key,
        "enterprise_name": f"{key}水泥有限公司",
        "region_code": region,
        "industries": industries or [{"industry_code": "cement", "grade": grade}],
        "lines": lines if lines is not None else [line("1")],
    }
    data.update(overrides)
    return ListEntry.model_validate(data)
