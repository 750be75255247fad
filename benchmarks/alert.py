"""Benchmark: one alert level over a synthetic province of 100,000 enterprises and 500,000 lines (issue 5).

Builds the list columns directly (no parsing), loads the real rule book, then times `simulate` (measures from the
rule book, line actions, reductions per pollutant, every list check) for each alert level, best of 3, and the
JSON report. Peak memory is measured in a separate run with tracemalloc (NumPy allocations included), and the
process's peak RSS is printed too. Run: `uv run python benchmarks/alert.py [--enterprises N] [--seed S]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
import tracemalloc

import numpy as np

from airgrade.core.emergency.engine import simulate
from airgrade.core.emergency.model import NonInterruptiblePlan
from airgrade.core.emergency.report import simulation_report
from airgrade.core.emergency.table import GRADES, ListTable
from airgrade.core.measures import Curtail, StopProduction, StopRoadTransport
from airgrade.core.rules.loader import load_rulebook
from airgrade.core.rules.rulebook import RuleBook
from airgrade.core.types import AlertLevel

AS_OF = dt.date(2024, 11, 1)


def synthetic_province(rulebook: RuleBook, enterprises: int, lines_per_enterprise: float, seed: int) -> ListTable:
    """Henan-like: 18 cities × 8 counties, every national and Henan industry, realistic grade mix."""
    rng = np.random.default_rng(seed)
    industries = [entry.code for entry in rulebook.industries("410000")]
    grades_of = {code: rulebook.rules_for(code, AS_OF, "410000").grades for code in industries}
    region_codes = [f"41{city:02d}{county:02d}" for city in range(1, 19) for county in range(2, 10)]

    # 10 % of enterprises span two industries (REQ LC-5).
    groups_per_entry = np.where(rng.random(enterprises) < 0.10, 2, 1)
    group_entry = np.repeat(np.arange(enterprises, dtype=np.int32), groups_per_entry)
    n_groups = group_entry.shape[0]
    group_industry = rng.integers(0, len(industries), n_groups).astype(np.int32)
    second = np.flatnonzero(np.r_[False, group_entry[1:] == group_entry[:-1]])
    group_industry[second] = (group_industry[second - 1] + 1) % len(industries)
    # Grade mix per the industry's scale: roughly Henan 2020 (few A / 引领性, most C / 非引领性).
    group_grade = np.empty(n_groups, dtype=np.int32)
    pick = rng.random(n_groups)
    for index, code in enumerate(industries):
        mask = group_industry == index
        scale = list(grades_of[code])
        weights = np.array([0.05, 0.2, 0.1, 0.5, 0.15][: len(scale)] if len(scale) > 2 else [0.15, 0.85][: len(scale)])
        cumulative = np.cumsum(weights / weights.sum())
        chosen = np.searchsorted(cumulative, pick[mask], side="right").clip(0, len(scale) - 1)
        group_grade[mask] = np.asarray([GRADES.index(scale[i]) for i in range(len(scale))], dtype=np.int32)[chosen]

    n_lines = int(enterprises * lines_per_enterprise)
    line_group = np.sort(rng.integers(0, n_groups, n_lines)).astype(np.int32)
    line_group[:n_groups] = np.arange(n_groups, dtype=np.int32)  # every group has at least one line
    line_group.sort()
    status = np.where(rng.random(n_lines) < 0.9, 0, rng.integers(1, 3, n_lines)).astype(np.int32)
    permit = rng.uniform(100, 5000, n_lines)
    eia = permit * rng.uniform(0.9, 1.3, n_lines)
    actual = permit * rng.uniform(0.6, 1.1, n_lines)
    actual[rng.random(n_lines) < 0.05] = np.nan
    emissions = rng.gamma(1.2, 0.02, (n_lines, 4)) * (permit[:, None] / 1000)
    non_interruptible = rng.random(n_lines) < 0.02
    guarantee = np.full(enterprises, np.nan)
    guaranteed = rng.random(enterprises) < 0.01
    guarantee[guaranteed] = rng.uniform(0.2, 0.8, int(guaranteed.sum()))

    proposals = {}
    for group in rng.choice(n_groups, n_groups // 100, replace=False).tolist():
        measures = (StopProduction(), StopRoadTransport()) if group % 3 else (Curtail(percent=5),)
        proposals[(group, AlertLevel.ORANGE)] = measures
    plans = tuple(
        NonInterruptiblePlan(
            industry_code=code,
            region_code=f"41{city:02d}00",
            curtail_percent={AlertLevel.YELLOW: 10, AlertLevel.ORANGE: 20, AlertLevel.RED: 30},
        )
        for code in industries[:10]
        for city in range(1, 19, 2)
    )
    return ListTable(
        entry_keys=[f"E{i}" for i in range(enterprises)],
        entry_names=[f"企业{i}" for i in range(enterprises)],
        entry_region=rng.integers(0, len(region_codes), enterprises).astype(np.int32),
        region_codes=region_codes,
        entry_guarantee_share=guarantee,
        entry_small_micro=rng.random(enterprises) < 0.03,
        entry_small_micro_certified=np.zeros(enterprises, dtype=np.bool_),
        group_entry=group_entry,
        group_industry=group_industry,
        group_grade=group_grade,
        industry_codes=industries,
        line_group=line_group,
        line_status=status,
        line_eia=eia,
        line_permit=permit,
        line_actual=actual,
        line_emissions=emissions,
        line_non_interruptible=non_interruptible,
        line_keys=[f"L{i}" for i in range(n_lines)],
        line_names=[f"生产线{i}" for i in range(n_lines)],
        line_unit=np.zeros(n_lines, dtype=np.int32),
        daily_units=["t/d"],
        proposals=proposals,
        plans=plans,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--lines-per-enterprise", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=20241101)
    args = parser.parse_args()

    rulebook = load_rulebook()
    started = time.perf_counter()
    table = synthetic_province(rulebook, args.enterprises, args.lines_per_enterprise, args.seed)
    print(
        f"synthetic province: {table.entry_count:,} enterprises, {table.group_entry.shape[0]:,} "
        f"enterprise×industry groups, {table.line_count:,} lines, {len(table.industry_codes)} industries, "
        f"{len(table.region_codes)} counties (built in {time.perf_counter() - started:.2f} s)"
    )
    lookup = rulebook.measures
    simulate(
        table, AlertLevel.YELLOW, AS_OF, lookup, rulebook.regional_reduction_percent
    )  # warm-up: NumPy first calls, rule-book caches

    for level in AlertLevel:
        timings = []
        for _ in range(3):
            tick = time.perf_counter()
            result = simulate(table, level, AS_OF, lookup, rulebook.regional_reduction_percent)
            timings.append(time.perf_counter() - tick)
        tick = time.perf_counter()
        report = simulation_report(result, "410000", rules_version=str(rulebook.version))
        report_seconds = time.perf_counter() - tick
        total = result.total("410000")
        print(
            f"{level.value:>6}: simulate best {min(timings):.3f} s (median {sorted(timings)[1]:.3f} s), "
            f"report {report_seconds:.3f} s ({len(report['cities'])} cities); NOx cut {total.reduction['NOx']:,.0f} of {total.base['NOx']:,.0f} t/d "
            f"({total.achieved_share['NOx']:.1%}); issues {len(result.issues):,}, outliers {len(result.outliers):,}, "
            f"cities short {sum(not row.meets_requirement for row in result.city_rows())}/{len(result.city_codes)}"
        )

    tracemalloc.start()
    simulate(table, AlertLevel.ORANGE, AS_OF, lookup, rulebook.regional_reduction_percent)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of one simulation (tracemalloc, above the loaded table): {peak / 2**20:.1f} MiB")
    print(
        f"process peak RSS (table + rule book + interpreter): "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
