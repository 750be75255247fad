"""Benchmark: a month's cross-checks over a province on PostgreSQL (issue 12 item 4) — `crosscheck.run_month` on N
enterprises × one month of hourly monitoring and 15-minute electricity.

Run: `uv run python benchmarks/crosscheck.py [--enterprises 10000] [--refill]`
It keeps the PostgreSQL database `airgrade_xcheck_bench` on 127.0.0.1:5432 (override with AIRGRADE_DATABASE_URL)
between runs and fills it once (or with `--refill`, or when `--enterprises` changes), inside PostgreSQL:

- registry by COPY (synthetic measurement data, not platform writes): `--enterprises` cement enterprises over the
  counties of Zhengzhou (410100), one site each, graded C since 2024 (`GradeRecord`), one line each with its status
  history (`LineStatusChange`: running since 2024; every tenth line stopped on 2026-11-15 12:00), two outlet
  monitors (DA001 SO2, DA002 NOx) and one electricity meter linked to the line;
- November 2026 of hourly monitoring (one row per outlet, pollutant and hour, with the converted concentration) and
  15-minute electricity (four rows per meter and hour) by `INSERT … SELECT … generate_series`; 0.5 % of monitoring
  hours flagged 数据缺失; every 50th enterprise's SO2 at 150 mg/m³ (limit 100) for 30 hours, every 40th enterprise's
  DA001 silent for 30 hours, every 25th enterprise's meter at zero for four days, and the stopped lines' meters at zero
  after the stop (declared: not judged);
- the rollup `ChannelDay` by `series.rebuild_channel_days` (the import keeps it from then on).

Then it measures `verification.crosscheck.run_month` for 2026-11 over 410100 as the city, twice (the first run opens
the findings, the second finds them again and updates them), and each check's drafts apart — (a) exceedance, (b)
silence, (c) idle line — with the peak resident memory of this process, CPU time and the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time

from pg_fixture import copy_registry_and_list, copy_rows, kept_postgres, peak_mib, zhengzhou_counties

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_xcheck_bench"
MONTH = dt.date(2026, 11, 1)
MONTH_START = "2026-11-01 00:00:00+08"
MONTH_END = "2026-12-01 00:00:00+08"
STOP_AT = "2026-11-15 12:00:00+08"
REGISTERED = "2024-01-01 00:00:00+08"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fill_registry(enterprises: int) -> None:
    from django.db import connection

    from airgrade.core.credit_code import make

    counties = zhengzhou_counties()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE verification_finding, verification_crosscheckrun, verification_channelday, "
            "verification_reading, verification_monitoringpoint, grades_graderecord, enterprises_linestatuschange, "
            "enterprises_productionline, enterprises_enterprise, enterprises_site RESTART IDENTITY CASCADE"
        )
    now = "2026-01-01 00:00:00+00"
    enterprise_rows, site_rows, grade_rows, line_rows, history_rows, point_rows = [], [], [], [], [], []
    for number in range(1, enterprises + 1):
        county = counties[number % len(counties)]
        enterprise_rows.append(
            (number, make(f"91{county}{number:09d}"), f"核查企业{number:05d}", county, "operating", now, now)
        )
        site_rows.append((number, number, "主厂区", county))
        grade_rows.append((number, number, county, "cement", "C", "2024-01-01", "campaign", "", "", now))
        stopped = number % 10 == 5
        line_rows.append(
            (
                number,
                number,
                "cement",
                "1#熟料线",
                "line",
                "",
                4000,
                "t/d",
                "",
                "stopped" if stopped else "running",
                "f",
            )
        )
        history_rows.append((number, "running", REGISTERED, "登记", now))
        if stopped:
            history_rows.append((number, "stopped", STOP_AT, "停产检修", now))
        for code in ("DA001", "DA002"):
            point_rows.append((number, number, county, "outlet", code, now, "t", None))
        point_rows.append((number, number, county, "meter", "M1", now, "t", number))
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        copy_registry_and_list(django_cursor, cursor, enterprise_rows, site_rows, [], [], [])
        copy_rows(
            cursor,
            "grades_graderecord",
            (
                "enterprise_id", "site_id", "region_id", "industry_code", "grade", "valid_from", "source",
                "rules_version", "reason", "recorded_at",
            ),
            grade_rows,
        )  # fmt: skip
        copy_rows(
            cursor,
            "enterprises_productionline",
            (
                "id", "site_id", "industry_code", "name", "kind", "process_type", "capacity", "capacity_unit",
                "energy_type", "status", "non_interruptible",
            ),
            line_rows,
        )  # fmt: skip
        copy_rows(
            cursor,
            "enterprises_linestatuschange",
            ("line_id", "status", "since", "reason", "recorded_at"),
            history_rows,
        )
        copy_rows(
            cursor,
            "verification_monitoringpoint",
            ("site_id", "enterprise_id", "region_id", "kind", "code", "created_at", "registered", "line_id"),
            point_rows,
        )
        for table in ("enterprises_enterprise", "enterprises_site", "enterprises_productionline"):
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )


MONITORING_SQL = """
INSERT INTO verification_reading (point_id, pollutant, at, minutes, value, concentration, status)
SELECT p.id, m.pollutant, t, 60,
       CASE WHEN miss THEN NULL ELSE m.rate END,
       CASE WHEN miss THEN NULL
            WHEN m.pollutant = 'SO2' AND p.site_id %% 50 = 7 AND n BETWEEN 200 AND 229 THEN 150.0
            ELSE round((m.base * (0.9 + (mod(abs(hashint8(p.id * 7919 + n)::bigint), 1000)) / 5000.0))::numeric, 2)::float8
       END,
       CASE WHEN miss THEN 'missing' ELSE 'normal' END
FROM verification_monitoringpoint p
JOIN (VALUES ('DA001', 'SO2', 2.0, 40.0), ('DA002', 'NOx', 6.0, 120.0)) AS m(code, pollutant, rate, base)
     ON m.code = p.code
CROSS JOIN LATERAL (
    SELECT t, n, mod(abs(hashint8(p.id * 104729 + n)::bigint), 200) = 0 AS miss
    FROM generate_series(%(t0)s::timestamptz, %(t1)s::timestamptz - interval '1 hour', interval '1 hour')
         WITH ORDINALITY AS g(t, n)
) g
WHERE p.kind = 'outlet' AND NOT (p.code = 'DA001' AND p.site_id %% 40 = 11 AND n BETWEEN 100 AND 129)
"""
ELECTRICITY_SQL = """
INSERT INTO verification_reading (point_id, pollutant, at, minutes, value, status)
SELECT p.id, '', t, 15,
       CASE WHEN (p.site_id %% 25 = 3 AND t >= '2026-11-20 00:00+08' AND t < '2026-11-24 00:00+08')
                 OR (p.site_id %% 10 = 5 AND t >= %(stop)s) THEN 0.0
            ELSE round((100.0 * (0.95 + (mod(abs(hashint8(p.id * 7919 + n)::bigint), 1000)) / 10000.0))::numeric, 2)::float8
       END,
       'normal'
FROM verification_monitoringpoint p
CROSS JOIN generate_series(%(t0)s::timestamptz, %(t1)s::timestamptz - interval '15 minutes', interval '15 minutes')
     WITH ORDINALITY AS g(t, n)
WHERE p.kind = 'meter'
"""


def fill(enterprises: int) -> None:
    from django.db import connection, transaction

    from airgrade.core.types import Role
    from airgrade.platform.accounts.models import User
    from airgrade.platform.verification import series

    began = time.perf_counter()
    fill_registry(enterprises)
    print(f"  registry, grades, lines and points in {time.perf_counter() - began:.0f} s", flush=True)
    began = time.perf_counter()
    params = {"t0": MONTH_START, "t1": MONTH_END, "stop": STOP_AT}
    with connection.cursor() as cursor:
        cursor.execute(MONITORING_SQL, params)
        monitoring = cursor.rowcount
        cursor.execute(ELECTRICITY_SQL, params)
        electricity = cursor.rowcount
    print(
        f"  readings: {monitoring:,} monitoring + {electricity:,} electricity in {time.perf_counter() - began:.0f} s "
        f"(load {load()})",
        flush=True,
    )
    began = time.perf_counter()
    with transaction.atomic():
        rows = series.rebuild_channel_days()
    print(f"  rollup: {rows:,} channel-days in {time.perf_counter() - began:.0f} s (load {load()})", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    User.objects.get_or_create(username="bench-city", defaults={"role": Role.CITY.value, "region_id": "410100"})


def checks_apart(region: str) -> str:
    """Each monthly check's drafts on their own (nothing stored), timed."""
    from django.utils import timezone

    from airgrade.core import crosscheck as core
    from airgrade.core.verification import hour_of
    from airgrade.platform.permissions import within
    from airgrade.platform.verification import crosscheck
    from airgrade.platform.verification.models import MonitoringPoint
    from airgrade.platform.verification.services import local

    start, end = core.month_bounds(MONTH)
    end = min(end, hour_of(local(timezone.now())))
    rules = crosscheck.cross_rules(MONTH)
    began = time.perf_counter()
    points = {
        p.pk: p for p in MonitoringPoint.objects.filter(within(region)).select_related("site", "enterprise", "line")
    }
    events = crosscheck._month_events(start, end)
    parts = [f"points {time.perf_counter() - began:.2f} s"]
    for label, check in (
        (
            "(a) exceedance",
            lambda: crosscheck._exceedances(points, start, end, MONTH, rules, crosscheck.RunReport(MONTH, region)),
        ),
        ("(b) silence", lambda: crosscheck._silences(points, start, end, MONTH, rules, events)),
        ("(c) idle line", lambda: crosscheck._idle_lines(points, start, end, MONTH, rules, events)),
    ):
        began = time.perf_counter()
        drafts = check()
        parts.append(f"{label} {len(drafts)} in {time.perf_counter() - began:.2f} s")
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()

    if kept_postgres(DEFAULT_URL) is None:
        return 2
    from airgrade.platform.accounts.models import User
    from airgrade.platform.enterprises.models import Enterprise
    from airgrade.platform.verification import crosscheck
    from airgrade.platform.verification.models import ChannelDay, Reading

    if args.refill or Enterprise.objects.count() != args.enterprises or not ChannelDay.objects.exists():
        print(f"filling {args.enterprises:,} enterprises × one month (load {load()})", flush=True)
        began = time.perf_counter()
        fill(args.enterprises)
        print(f"filled in {time.perf_counter() - began:.0f} s", flush=True)
    print(
        f"fixture: {args.enterprises:,} enterprises, {Reading.objects.count():,} readings, "
        f"{ChannelDay.objects.count():,} rollup rows",
        flush=True,
    )
    city = User.objects.get(username="bench-city")
    for attempt in (1, 2):
        cpu, began = cpu_seconds(), time.perf_counter()
        report = crosscheck.run_month(city, MONTH, "410100", ledgers=False)
        seconds = time.perf_counter() - began
        counts = {kind: n for kind, n in report.counts.items() if n}
        print(
            f"run_month #{attempt}: {seconds:.2f} s (CPU {cpu_seconds() - cpu:.2f} s); opened {report.opened}, "
            f"updated {report.updated}, withdrawn {report.withdrawn}; open {counts}; load {load()}",
            flush=True,
        )
    print(f"checks apart: {checks_apart('410100')}", flush=True)
    print(f"peak memory {peak_mib():.0f} MiB; load {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
