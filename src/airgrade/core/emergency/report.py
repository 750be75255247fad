"""The simulation report: one JSON-ready shape shared by the CLI (`--json`), the API and the dashboard.

Documented field by field in docs/emergency.md; change both together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from airgrade.core.regions import RegionLevel, city_of, level_of

from .engine import Simulation
from .plan import enterprise_plan
from .table import POLLUTANTS, Issue

REPORT_VERSION = 1


def simulation_report(
    simulation: Simulation,
    region_code: str,
    region_names: Mapping[str, str] | None = None,
    rules_version: str = "",
    source: str = "",
    load_issues: list[Issue] | None = None,
    with_enterprises: bool = False,
    breakdown: bool = False,
) -> dict[str, Any]:
    """Per-city totals, required cuts and shortfalls per pollutant, every issue and outlier; optionally every
    enterprise's task list."""
    names = region_names or {}
    table = simulation.table
    entries_per_city = np.bincount(simulation.entry_city, minlength=len(simulation.city_codes))
    cities = []
    for index, row in enumerate(simulation.city_rows()):
        city = row.as_dict()
        city["name"] = names.get(row.region_code, "")
        city["enterprises"] = int(entries_per_city[index])
        cities.append(city)
    total = simulation.total(region_code).as_dict()
    total["name"] = names.get(region_code, "")
    total["enterprises"] = table.entry_count
    issues = [issue.as_dict() for issue in (load_issues or [])] + [issue.as_dict() for issue in simulation.issues]
    shortfalls = [
        {"region": city["region"], "name": city["name"], "pollutant": pollutant, "shortfall_t_per_day": value}
        for city in cities
        for pollutant, value in city["shortfall_t_per_day"].items()  # type: ignore[attr-defined]
        if value > 0
    ]
    report: dict[str, Any] = {
        "report_version": REPORT_VERSION,
        "region": {"code": region_code, "name": names.get(region_code, "")},
        "level": simulation.level.value,
        "level_zh": simulation.level.label_zh,
        "response": simulation.level.response,
        "as_of": simulation.as_of.isoformat(),
        "rules_version": rules_version,
        "source": source,
        "required_share": simulation.required_share(region_code),
        "counts": {
            "enterprises": table.entry_count,
            "lines": table.line_count,
            "lines_in_base": int(np.count_nonzero(table.line_in_base)),
            "guaranteed": int(np.count_nonzero(~np.isnan(table.entry_guarantee_share))),
            "small_micro_flagged": int(np.count_nonzero(table.entry_small_micro)),
            "small_micro_certified": int(np.count_nonzero(table.entry_small_micro_certified)),
            "errors": sum(1 for issue in issues if issue["severity"] == "error"),
            "warnings": sum(1 for issue in issues if issue["severity"] == "warning"),
            "outliers": len(simulation.outliers),
        },
        "total": total,
        "cities": cities,
        "shortfalls": shortfalls,
        "meets_requirement": all(city["meets_requirement"] for city in cities),
        "issues": issues,
        "outliers": [outlier.as_dict() for outlier in simulation.outliers],
    }
    if breakdown:
        report["subregions"] = subregion_breakdown(simulation, region_code, names)
    if with_enterprises:
        report["enterprises"] = [enterprise_plan(simulation, index).as_dict() for index in range(table.entry_count)]
    return report


def subregion_breakdown(
    simulation: Simulation, region_code: str, region_names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The region's base and cut one level down: a province by city, a city by county (entries registered at the
    city itself form the city's own row), a county as itself. Shares are of each part's own base."""
    names = region_names or {}
    level = level_of(region_code)
    table = simulation.table
    pollutants = [pollutant.value for pollutant in POLLUTANTS]

    def part_of(code: str) -> str:
        if level is RegionLevel.PROVINCE:
            return city_of(code)
        if level is RegionLevel.CITY:
            return code
        return region_code

    parts: dict[str, int] = {}
    entry_part = np.zeros(table.entry_count, dtype=np.int32)
    for index in range(table.entry_count):
        code = part_of(table.region_codes[int(table.entry_region[index])])
        entry_part[index] = parts.setdefault(code, len(parts))
    count = len(parts)
    base = np.zeros((count, len(pollutants)))
    reduction = np.zeros((count, len(pollutants)))
    if table.entry_count:
        np.add.at(base, entry_part, simulation.entry_base)
        np.add.at(reduction, entry_part, simulation.entry_reduction)
    enterprises = np.bincount(entry_part, minlength=count) if table.entry_count else np.zeros(count, dtype=int)
    rows = []
    for code, index in sorted(parts.items()):
        rows.append(
            {
                "region": code,
                "name": names.get(code, "") or code,
                "enterprises": int(enterprises[index]),
                "base_t_per_day": {p: round(float(base[index, k]), 6) for k, p in enumerate(pollutants)},
                "reduction_t_per_day": {p: round(float(reduction[index, k]), 6) for k, p in enumerate(pollutants)},
                "achieved_share": {
                    p: (float(reduction[index, k] / base[index, k]) if base[index, k] > 0 else None)
                    for k, p in enumerate(pollutants)
                },
            }
        )
    return rows
