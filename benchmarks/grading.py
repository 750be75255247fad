"""Benchmark: batch grading of synthetic enterprise-industry fact sets, and single-enterprise latency with trace.

    uv run python benchmarks/grading.py [--total 1000000] [--seed 7]

Batch: `--total` fact sets spread evenly over every industry (national and local), values drawn around each
industry's thresholds with ~5 % missing; graded with the compiled NumPy checks (airgrade.core.grading.vector),
keeping every indicator's reached grade (the failing indicators). Generation is not timed. Reports throughput on
one core (NumPy here runs single-threaded element-wise kernels) and the peak memory traced by tracemalloc.

Single: one enterprise with two industries graded by the scalar engine with caps, full trace, gaps and the JSON
dict of docs/grading-io.md; reports median and 99th percentile latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import resource
import statistics
import time
import tracemalloc
from typing import Any

import numpy as np

from airgrade.core.grading import EnterpriseInput, grade_enterprise
from airgrade.core.grading.serialise import enterprise_dict
from airgrade.core.grading.vector import Column, CompiledIndustry
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import IndustryRules, default_rulebook
from airgrade.core.types import EmissionStage

AS_OF = dt.date(2021, 6, 1)


def synthetic_columns(rules: IndustryRules, size: int, rng: np.random.Generator) -> dict[str, Column]:
    """Columns of facts: numbers scattered around the industry's thresholds, 5 % missing."""
    thresholds: dict[str, list[float]] = {}
    for indicator in rules.indicators:
        for requirement in indicator.requirements.values():
            value = requirement.value
            pairs = value.items() if isinstance(value, dict) else [("", value)]
            facts = {part.id: part.fact for part in indicator.parts} or {"": indicator.fact}
            for part_id, item in pairs:
                if isinstance(item, int | float) and not isinstance(item, bool):
                    thresholds.setdefault(str(facts[part_id]), []).append(float(item))
    compiled = CompiledIndustry(rules)
    columns: dict[str, Column] = {}
    for key in compiled.fact_keys:
        fact = rules.facts[key]
        missing = rng.random(size) < 0.05
        if fact.type in (s.FactType.NUMBER, s.FactType.SHARE):
            centres = np.array(thresholds.get(key, [50.0]))
            values = rng.choice(centres, size) * rng.uniform(0.6, 1.4, size)
            if fact.type is s.FactType.SHARE:
                values = np.clip(values, 0, 100)
            values[missing] = np.nan
            columns[key] = values
        elif fact.type is s.FactType.BOOL:
            column = (rng.random(size) < 0.85).astype(np.int8)
            column[missing] = -1
            columns[key] = column
        elif fact.type is s.FactType.STAGE:
            column = rng.integers(2, len(EmissionStage), size, dtype=np.int8)
            column[missing] = -1
            columns[key] = column
        else:
            category_column = rng.integers(0, len(fact.categories), size, dtype=np.int16)
            category_column[missing] = -1
            columns[key] = category_column
    return columns


def batch(total: int, seed: int) -> None:
    book = default_rulebook()
    rng = np.random.default_rng(seed)
    industries = []
    for entry in book.catalogue:
        region = None if entry.jurisdiction == "national" else entry.jurisdiction
        industries.append(book.rules_for(entry.code, AS_OF, region))
    per_industry = total // len(industries)
    remainder = total - per_industry * len(industries)
    prepared = []
    for position, rules in enumerate(industries):
        size = per_industry + (1 if position < remainder else 0)
        prepared.append((CompiledIndustry(rules), synthetic_columns(rules, size, rng), size))
    indicators = sum(len(compiled.rules.indicators) * size for compiled, _, size in prepared)
    input_bytes = sum(column.nbytes for _, columns, _ in prepared for column in columns.values())

    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    graded = 0
    distribution: dict[str, int] = {}
    kept_reached_bytes = 0
    results = []
    for compiled, columns, size in prepared:
        result = compiled.grade_columns(columns)
        results.append(result)  # keep every result: the failing indicators stay available
        graded += size
        kept_reached_bytes += result.reached.nbytes
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    for result in results:
        counts = np.bincount(result.grade_index, minlength=len(result.grades))
        for grade, count in zip(result.grades, counts, strict=True):
            distribution[grade.value] = distribution.get(grade.value, 0) + int(count)

    print(f"rules version            {book.version}  (as of {AS_OF})")
    print(f"industries               {len(industries)}")
    print(f"fact sets graded         {graded:,}  ({indicators:,} indicator evaluations, failing ones kept)")
    print(f"time                     {elapsed:.3f} s")
    print(f"throughput               {graded / elapsed:,.0f} fact sets / s")
    print(
        f"peak traced memory       {peak / 2**20:.1f} MiB during grading "
        f"(results kept: {kept_reached_bytes / 2**20:.1f} MiB)"
    )
    print(f"input fact columns       {input_bytes / 2**20:.1f} MiB (built before timing)")
    print(f"process max RSS          {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("grade distribution       " + ", ".join(f"{k} {v:,}" for k, v in sorted(distribution.items())))


SINGLE: dict[str, Any] = {
    "id": "bench",
    "name": "基准企业",
    "region": "410181",
    "flags": {"prior_year_violations": []},
    "industries": [
        {
            "industry": "cement",
            "facts": {
                "road_truck_clean_share": 85,
                "road_truck_worst_stage": "国四",
                "inplant_vehicle_worst_stage": "国五",
                "nonroad_worst_stage": "国三",
                "gate_system": True,
                "ammonia_slip": 4.5,
                "pm_concentration": {"value": 9.5, "unit": "mg/m3"},
                "so2_concentration": 30,
                "nox_concentration": 150,
                "materials_closed_storage": True,
                "dust_points_captured": True,
                "cems_online": True,
            },
        },
        {"industry": "industrial_coating", "facts": {"low_voc_material_share": 60, "vocs_treatment": "rco"}},
    ],
}


def single(repeats: int) -> None:
    book = default_rulebook()
    enterprise = EnterpriseInput.model_validate(SINGLE)
    enterprise_dict(grade_enterprise(enterprise, AS_OF, book))  # warm the as-of cache
    timings = []
    cpu_started = time.process_time()
    for _ in range(repeats):
        started = time.perf_counter()
        enterprise_dict(grade_enterprise(enterprise, AS_OF, book))
        timings.append(time.perf_counter() - started)
    cpu_per_run = (time.process_time() - cpu_started) / repeats
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"single enterprise (2 industries, caps, full trace, gaps, JSON dict), {repeats} runs:")
    print(
        f"  wall median {statistics.median(timings) * 1e3:.3f} ms   p99 {p99 * 1e3:.3f} ms   "
        f"CPU mean {cpu_per_run * 1e3:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=2000)
    arguments = parser.parse_args()
    batch(arguments.total, arguments.seed)
    single(arguments.repeats)


if __name__ == "__main__":
    main()
