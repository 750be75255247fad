"""Benchmark: `airgrade alert simulate --region 410000 --level orange` reading the emergency lists from PostgreSQL
(issue 13, province scale): 100,000 list entries with 500,000 lines over Henan's cities.

Run: `uv run python benchmarks/alert_simulate_db.py [--entries 100000] [--lines 500000] [--repeat 2] [--refill]`
It creates (once) the PostgreSQL database `airgrade_bench_alert_db` on 127.0.0.1:5432 (override with
AIRGRADE_DATABASE_URL) and fills it by COPY with synthetic data (measurement data, not platform writes, so no audit
records): one enterprise and one site per entry spread over Henan's counties, one list entry per site for 2026
(10 % with a second industry), 500,000 lines with capacities and daily emissions, 1 % listed 保障类 entries, 1 % of
entries with an orange proposal, city-approved plans for non-interruptible processes. Later runs reuse it.
Then it times each step in-process — the database read (`region_list_for_simulation`), `build_table`, `simulate`,
the JSON report — and the whole CLI command as a subprocess (`--json`, output discarded). Target: ≤ 5 s end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

from pg_fixture import copy_registry_and_list, kept_postgres

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_bench_alert_db"
YEAR = 2026
AS_OF = "2026-11-30"


def fill(entries: int, lines: int) -> None:
    from django.db import connection

    from airgrade.core.credit_code import make
    from airgrade.core.rules.rulebook import default_rulebook
    from airgrade.platform.accounts.models import User
    from airgrade.platform.emergency.models import NonInterruptiblePlan
    from airgrade.platform.regions.models import Region

    rng = random.Random(13)
    book = default_rulebook()
    counties = list(Region.objects.filter(code__startswith="41", level="county").values_list("code", flat=True))
    cities = sorted({code[:4] + "00" for code in counties})
    industries = [i.code for i in book.industries("410000")]
    scales = {code: list(book.rules[code].scale.scale.grades) for code in industries}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE emergency_listline, emergency_listindustry, emergency_listentry, "
            "emergency_noninterruptibleplan, enterprises_enterprise, enterprises_site RESTART IDENTITY CASCADE"
        )
    now = "2026-01-01 00:00:00+00"
    enterprise_rows, site_rows, entry_rows, industry_rows, line_rows = [], [], [], [], []
    # Lines per entry: every entry has at least one, the rest spread at random (about 5 on average).
    per_entry = [1] * entries
    for _ in range(lines - entries):
        per_entry[rng.randrange(entries)] += 1
    line_id = 0
    for number in range(1, entries + 1):
        county = counties[number % len(counties)]
        name = f"合成企业{number:06d}{rng.choice('甲乙丙丁戊己庚辛')}有限公司"
        enterprise_rows.append((number, make(f"91{county}{number:09d}"), name, county, "operating", now, now))
        site_rows.append((number, number, "主厂区", county))
        codes = [rng.choice(industries)]
        if rng.random() < 0.10:
            codes.append(rng.choice([code for code in industries if code != codes[0]]))
        grades = []
        for code in codes:
            scale = scales[code]
            weights = [1] * len(scale)
            weights[-1] = 3
            if len(scale) > 2:
                weights[-2] = 5
            grades.append(rng.choices(scale, weights)[0])
            industry_rows.append((number, code, grades[-1], "declared"))
        guarantee = ("", "", None, None, "")
        if all(grade in ("A", "B", "引领性") for grade in grades) and rng.random() < 0.05:
            normal = rng.randint(500, 5000)
            guarantee = ("export", "外贸出口订单", round(normal * 0.4), normal, "listed")
        proposals = "{}"
        if rng.random() < 0.01:  # an orange proposal: stop production and road transport (stricter than most)
            stop = [{"kind": "stop_production"}, {"kind": "stop_road_transport"}]
            proposals = json.dumps({"orange": {codes[0]: stop}}, ensure_ascii=False)
        entry_rows.append(
            (
                number, number, number, county, YEAR, "t" if rng.random() < 0.6 else "f", "公路", "", *guarantee, "",
                "", proposals, now, now, round(rng.uniform(1e4, 2e6), -2), "t",
            )
        )  # fmt: skip
        for position in range(per_entry[number - 1]):
            line_id += 1
            code = codes[position % len(codes)]
            permit = round(rng.uniform(100, 5000), 3)
            status = "running"
            if position > 0 and rng.random() < 0.1:
                status = rng.choice(["backup", "stopped_last_year"])
            actual = None if rng.random() < 0.05 else round(permit * rng.uniform(0.6, 1.1), 3)
            line_rows.append(
                (
                    number, f"L{position + 1}", f"生产线{position + 1}", code, "line", status, "t/d",
                    round(permit * rng.uniform(0.9, 1.3), 3), permit, actual,
                    *(round(permit * rng.uniform(0.00005, 0.0008), 5) for _ in range(4)),
                    "t" if rng.random() < 0.02 else "f", "",
                )
            )  # fmt: skip
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor if hasattr(django_cursor, "cursor") else django_cursor
        copy_registry_and_list(django_cursor, cursor, enterprise_rows, site_rows, entry_rows, industry_rows, line_rows)
        for table in ("enterprises_enterprise", "enterprises_site", "emergency_listentry"):
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
    approver, _ = User.objects.get_or_create(username="bench-city", defaults={"role": "city", "region_id": "410100"})
    NonInterruptiblePlan.objects.bulk_create(
        NonInterruptiblePlan(
            industry_code=code, region_id=city, yellow_percent=10, orange_percent=20, red_percent=30,
            note="合成方案", approved_by=approver,
        )
        for code in industries[:10]
        for city in cities[::2]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"filled {len(entry_rows):,} list entries, {len(industry_rows):,} entry industries, {len(line_rows):,} lines "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()

    if kept_postgres(DEFAULT_URL) is None:
        return 2
    from django.db import connection, reset_queries

    from airgrade.core.emergency.engine import simulate
    from airgrade.core.emergency.report import simulation_report
    from airgrade.core.emergency.table import build_table
    from airgrade.core.rules.rulebook import default_rulebook
    from airgrade.core.types import AlertLevel
    from airgrade.platform.emergency.models import ListEntry, ListLine
    from airgrade.platform.emergency.services import gc_paused, region_list_for_simulation

    if args.refill or ListEntry.objects.count() != args.entries or ListLine.objects.count() != args.lines:
        fill(args.entries, args.lines)
    print(f"PostgreSQL: {ListEntry.objects.count():,} list entries, {ListLine.objects.count():,} lines")

    import datetime as dt

    as_of = dt.date.fromisoformat(AS_OF)
    book = default_rulebook()
    steps: dict[str, list[float]] = {}
    queries = 0
    for _ in range(args.repeat):
        connection.force_debug_cursor = True
        reset_queries()
        started = time.perf_counter()
        entries, plans = region_list_for_simulation("410000")
        steps.setdefault("database read (region_list_for_simulation)", []).append(time.perf_counter() - started)
        queries = len(connection.queries)
        connection.force_debug_cursor = False
        with gc_paused():  # as the CLI does for a big list: table, simulation and report
            started = time.perf_counter()
            table, issues = build_table(
                entries, plans, lowest_grade=book.floor, small_micro_limits=book.policy(as_of).small_micro
            )
            steps.setdefault("build_table", []).append(time.perf_counter() - started)
            started = time.perf_counter()
            result = simulate(table, AlertLevel.ORANGE, as_of, book.measures, book.regional_reduction_percent)
            steps.setdefault("simulate (orange)", []).append(time.perf_counter() - started)
            started = time.perf_counter()
            report = simulation_report(result, "410000", {}, str(book.version), "database", issues)
            json.dumps(report, ensure_ascii=False, indent=2)
            steps.setdefault("report + JSON", []).append(time.perf_counter() - started)
        del entries, table, result
    command = [
        os.path.join(os.path.dirname(sys.executable), "airgrade"), "alert", "simulate", "--region", "410000", "--level", "orange",
        "--as-of", AS_OF, "--json",
    ]  # fmt: skip
    for _ in range(args.repeat):
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=False)
        steps.setdefault("whole CLI command (subprocess, --json)", []).append(time.perf_counter() - started)
        if completed.returncode != 0:
            print(completed.stderr[-2000:], file=sys.stderr)
            return 1
        cli_report = json.loads(completed.stdout)
    total = cli_report["total"]
    print(
        f"orange over 410000: {cli_report['counts']['enterprises']:,} enterprises, {cli_report['counts']['lines']:,} "
        f"lines, NOx cut {total['reduction_t_per_day']['NOx']:,.0f} of {total['base_t_per_day']['NOx']:,.0f} t/d; "
        f"database read issued {queries} queries"
    )
    print(f"{'step':<48} {'best':>8} {'median':>8}")
    for name, values in steps.items():
        print(f"{name:<48} {min(values):7.2f}s {statistics.median(values):7.2f}s")
    whole = min(steps["whole CLI command (subprocess, --json)"])
    print(f"target ≤ 5 s end to end: {'met' if whole <= 5 else 'NOT met'} ({whole:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
