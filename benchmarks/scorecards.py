"""Benchmark: one Zhengzhou green-performance round scored in the pure core (issue 14, REQ ZZ-1 … ZZ-5).

    uv run python benchmarks/scorecards.py [--enterprises 1000 10000] [--seed 14]

Synthetic enterprises of the classified industries, each with a declared value for every indicator, department
figures for the two ranking indicators and an on-site value for a quarter of them, 2 % red lines and 3 % late.
It times `score_round` (sources resolved, ranks within each industry, points, classes, recommendation, control
ratios by class and rank) and prints the total, the time per enterprise and the class mix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections import Counter

from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.scoring import DataSource, EnterpriseValues, SourcedValue, indicators_of, score_round


def synthetic(card: s.ScorecardEntry, count: int, rng: random.Random) -> list[EnterpriseValues]:
    industries = card.classes.classified_industries
    moment = dt.datetime(2025, 6, 1)
    subjects = []
    for number in range(count):
        values = []
        for indicator_id, (_, ind) in indicators_of(card).items():
            value: bool | float | str
            if ind.input is s.ScoreInput.YES_NO:
                value = rng.random() < 0.7
            elif ind.input is s.ScoreInput.TIER:
                value = rng.choice([*(tier.code for tier in ind.tiers), "none"])
            elif ind.input is s.ScoreInput.ABOVE:
                value = round(rng.uniform(0, 100), 1)
            elif ind.input is s.ScoreInput.POINTS:
                value = round(rng.uniform(0, ind.points), 1)
            else:
                value = round(rng.uniform(1, 100), 1)
                values.append(SourcedValue(indicator_id, DataSource.DEPARTMENT, value, "部门", moment))
            values.append(SourcedValue(indicator_id, DataSource.DECLARED, value, "企业", moment))
        if number % 4 == 0:
            values.append(SourcedValue("env_fugitive", DataSource.ONSITE, round(rng.uniform(5, 10), 1), "专家", moment))
        subjects.append(
            EnterpriseValues(
                key=str(number),
                name=f"企业{number}",
                industry=rng.choice(industries),
                region="410181",
                values=tuple(values),
                reported=rng.random() > 0.03,
                red_lines=("department_list:演示",) if rng.random() < 0.02 else (),
                onsite_checked=number % 4 == 0,
            )
        )
    return subjects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    card = default_rulebook().scorecard("410100", dt.date(2025, 6, 1))
    for count in args.enterprises:
        subjects = synthetic(card, count, random.Random(args.seed))
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            sheets = score_round(card, subjects)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        mix = Counter(sheet.zz_class.value if sheet.zz_class else "—" for sheet in sheets)
        recommended = sum(1 for sheet in sheets if sheet.recommendation == "recommended")
        print(
            f"{count:>7} enterprises: median {median * 1000:8.1f} ms ({median / count * 1e6:6.1f} µs each), "
            f"worst {max(times) * 1000:8.1f} ms; classes {dict(sorted(mix.items()))}, recommended {recommended}"
        )


if __name__ == "__main__":
    main()
