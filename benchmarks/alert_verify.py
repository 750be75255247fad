"""Benchmark: alert verification on PostgreSQL at the issue's scale (issue 12) — verdicts for every task of a 3-day
alert, and the import rate of monitoring readings through the bulk path.

Run: `uv run python benchmarks/alert_verify.py [--enterprises 10000] [--days 90] [--import-rows 2000000] [--refill]`
It keeps the PostgreSQL database `airgrade_vspeed_bench` on 127.0.0.1:5432 (override with AIRGRADE_DATABASE_URL)
between runs and fills it once (or with `--refill`), inside PostgreSQL:

- registry and emergency list by COPY (synthetic measurement data, not platform writes): `--enterprises` cement
  enterprises (grade C, two lines) over the counties of Zhengzhou (410100), three outlets each (DA001 SO2, DA002 NOx,
  DA003 PM: `3 × --enterprises` outlets) and one electricity meter;
- `--days` of hourly monitoring (one row per outlet and hour) and 15-minute electricity (four rows per meter and
  hour) up to 2026-11-30 00:00, by `INSERT … SELECT … generate_series` with the indexes dropped and rebuilt after;
  0.5 % of monitoring hours flagged 数据缺失; a tenth of the enterprises do not cut during the alert;
- the alert (orange, 2026-11-26 00:00 – 2026-11-29 00:00) issued through `emergency.services.issue_alert` (one task
  per enterprise), and the verdict rollup generated from the readings' formula (`fill_rollup`; checked against the
  readings on a sample of sites every run; the import keeps it from then on).

Then it measures:
- verify: `verification.services.verify_event` over every task (rollup read, NumPy core, bulk write of verdicts,
  cases and audit records), twice (the second run replaces the first one's verdicts);
- import: through `verification.services.import_readings` (the service the CLI `airgrade alert readings FILE` and the
  upload page call), committed: the hour after the fixture for every outlet (as an hourly feed delivers it), then a
  CSV of `--import-rows` monitoring rows for the hours after that, then the same file again (nothing written), rows/s;
- peak resident memory of this process, CPU time, and the load average (`uptime`) beside the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time

from pg_fixture import copy_registry_and_list, copy_rows, kept_postgres, peak_mib, server_settings, zhengzhou_counties

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_vspeed_bench"
FIXTURE_END = dt.datetime(2026, 11, 30)  # local time: the fixture's readings end here, the import sample starts here
ALERT_START = dt.datetime(2026, 11, 26)
ALERT_END = dt.datetime(2026, 11, 29)
OUTLETS = (("DA001", "SO2", 20.0), ("DA002", "NOx", 80.0), ("DA003", "PM", 5.0))
METER_KWH_PER_QUARTER = 100.0
CUT = 0.05  # the cutters' share of normal output during the alert (their lines stop)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _local(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+08")


def fill_registry(enterprises: int) -> None:
    from django.db import connection

    from airgrade.core.credit_code import make

    counties = zhengzhou_counties()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE verification_channelday, verification_reading, verification_monitoringpoint, "
            "verification_taskverdict, verification_case, emergency_alerttask, emergency_alertchange, "
            "emergency_alertevent, emergency_listline, emergency_listindustry, emergency_listentry, "
            "enterprises_enterprise, enterprises_site RESTART IDENTITY CASCADE"
        )
    now = "2026-01-01 00:00:00+00"
    enterprise_rows, site_rows, entry_rows, industry_rows, line_rows, point_rows = [], [], [], [], [], []
    for number in range(1, enterprises + 1):
        county = counties[number % len(counties)]
        enterprise_rows.append(
            (number, make(f"91{county}{number:09d}"), f"核查企业{number:05d}", county, "operating", now, now)
        )
        site_rows.append((number, number, "主厂区", county))
        entry_rows.append(
            (
                number, number, number, county, 2026, "f", "公路", "", "", "", None, None, "", "", "", "{}", now, now,
                1e6, "t",
            )
        )  # fmt: skip
        industry_rows.append((number, "cement", "C", "declared"))
        for key, capacity, so2, nox, pm in (("L1", 4000, 0.5, 2.0, 0.2), ("L2", 2500, 0.3, 1.2, 0.1)):
            line_rows.append(
                (
                    number, key, f"{key}熟料线", "cement", "line", "running", "t/d", capacity, capacity,
                    capacity * 0.95, so2, nox, pm, 0.0, "f", "",
                )
            )  # fmt: skip
        for code, _, _ in OUTLETS:
            point_rows.append((number, number, county, "outlet", code, now, "f"))
        point_rows.append((number, number, county, "meter", "M1", now, "f"))
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        copy_registry_and_list(django_cursor, cursor, enterprise_rows, site_rows, entry_rows, industry_rows, line_rows)
        copy_rows(
            cursor,
            "verification_monitoringpoint",
            ("site_id", "enterprise_id", "region_id", "kind", "code", "created_at", "registered"),
            point_rows,
        )
        for table in ("enterprises_enterprise", "enterprises_site", "emergency_listentry"):
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )


MONITORING_SQL = """
INSERT INTO verification_reading (point_id, pollutant, at, minutes, value, status)
SELECT p.id, m.pollutant, t, 60,
       CASE WHEN miss THEN NULL
            ELSE round((m.rate * CASE WHEN p.site_id %% 10 <> 0 AND t >= %(a0)s AND t < %(a1)s THEN %(cut)s ELSE 1 END
                        * (0.95 + (mod(abs(hashint8(p.id * 7919 + n)::bigint), 1000)) / 10000.0))::numeric, 3)::float8 END,
       CASE WHEN miss THEN 'missing' ELSE 'normal' END
FROM verification_monitoringpoint p
JOIN (VALUES {outlets}) AS m(code, pollutant, rate) ON m.code = p.code
CROSS JOIN LATERAL (
    SELECT t, n, mod(abs(hashint8(p.id * 104729 + n)::bigint), 200) = 0 AS miss
    FROM generate_series(%(t0)s::timestamptz, %(t1)s::timestamptz - interval '1 hour', interval '1 hour')
         WITH ORDINALITY AS g(t, n)
) g
WHERE p.kind = 'outlet'
"""
ELECTRICITY_SQL = """
INSERT INTO verification_reading (point_id, pollutant, at, minutes, value, status)
SELECT p.id, '', t, 15,
       round((%(kwh)s * CASE WHEN p.site_id %% 10 <> 0 AND t >= %(a0)s AND t < %(a1)s THEN %(cut)s ELSE 1 END
              * (0.95 + (mod(abs(hashint8(p.id * 7919 + n)::bigint), 1000)) / 10000.0))::numeric, 2)::float8,
       'normal'
FROM verification_monitoringpoint p
CROSS JOIN generate_series(%(t0)s::timestamptz, %(t1)s::timestamptz - interval '15 minutes', interval '15 minutes')
     WITH ORDINALITY AS g(t, n)
WHERE p.kind = 'meter'
"""


ROLLUP_MONITORING_SQL = """
INSERT INTO verification_channelday (point_id, pollutant, day, hours)
SELECT p.id, m.pollutant, d::date,
       (SELECT string_agg(float8send(
                   CASE WHEN mod(abs(hashint8(p.id * 104729 + x.n)::bigint), 200) = 0 THEN 'NaN'::float8
                   ELSE round((m.rate * CASE WHEN p.site_id %% 10 <> 0 AND x.t >= %(a0)s AND x.t < %(a1)s
                                             THEN %(cut)s ELSE 1 END
                               * (0.95 + (mod(abs(hashint8(p.id * 7919 + x.n)::bigint), 1000)) / 10000.0))::numeric,
                              3)::float8 END), ''::bytea ORDER BY x.h)
        FROM (SELECT h, k %% 240 + 1 AS n, %(t0)s::timestamptz + k * interval '1 hour' AS t
              FROM generate_series(0, 23) AS h, LATERAL (SELECT (d::date - %(d0)s::date) * 24 + h AS k) AS kk) AS x)
FROM verification_monitoringpoint p
JOIN (VALUES {outlets}) AS m(code, pollutant, rate) ON m.code = p.code
CROSS JOIN generate_series(%(d0)s::date, %(d1)s::date, interval '1 day') AS d
WHERE p.kind = 'outlet'
"""
ROLLUP_ELECTRICITY_SQL = """
INSERT INTO verification_channelday (point_id, pollutant, day, hours)
SELECT p.id, '', d::date,
       (SELECT string_agg(float8send(v), ''::bytea ORDER BY h)
        FROM (SELECT x.h, sum(round((%(kwh)s * CASE WHEN p.site_id %% 10 <> 0 AND x.t >= %(a0)s AND x.t < %(a1)s
                                                    THEN %(cut)s ELSE 1 END
                                      * (0.95 + (mod(abs(hashint8(p.id * 7919 + x.n)::bigint), 1000)) / 10000.0)
                                     )::numeric, 2)::float8) AS v
              FROM (SELECT h, k %% 960 + 1 AS n, %(t0)s::timestamptz + k * interval '15 minutes' AS t
                    FROM generate_series(0, 23) AS h, generate_series(0, 3) AS q,
                         LATERAL (SELECT ((d::date - %(d0)s::date) * 24 + h) * 4 + q AS k) AS kk) AS x
              GROUP BY x.h) AS s)
FROM verification_monitoringpoint p
CROSS JOIN generate_series(%(d0)s::date, %(d1)s::date, interval '1 day') AS d
WHERE p.kind = 'meter'
"""


def fill_rollup(days: int) -> None:
    """The verdict rollup of the fixture, from the same formula as its readings (generated like them: the generic
    `series.rebuild_channel_days` sorts all 151 M readings at once, over 20 minutes on the shared machine). The
    benchmark checks a sample of sites against the readings (`series.from_readings`)."""
    from django.db import connection

    outlets = ", ".join(f"('{code}', '{pollutant}', {rate})" for code, pollutant, rate in OUTLETS)
    start = FIXTURE_END - dt.timedelta(days=days)
    params = {
        "t0": _local(start),
        "d0": start.date(),
        "d1": (FIXTURE_END - dt.timedelta(days=1)).date(),
        "a0": _local(ALERT_START),
        "a1": _local(ALERT_END),
        "cut": CUT,
        "kwh": METER_KWH_PER_QUARTER,
    }
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE verification_channelday")
        cursor.execute(ROLLUP_MONITORING_SQL.format(outlets=outlets), params)
        monitoring = cursor.rowcount
        cursor.execute(ROLLUP_ELECTRICITY_SQL, params)
        electricity = cursor.rowcount
        # What autovacuum does on a production server (the project machine's PostgreSQL runs with it off): the
        # visibility map lets the verdicts' channel check read the rollup's index without its rows.
        cursor.execute("VACUUM (ANALYZE) verification_channelday")
    print(
        f"  rollup: {monitoring + electricity:,} channel-days from the fixture's formula in "
        f"{time.perf_counter() - began:.0f} s (load {load()})",
        flush=True,
    )


def check_rollup(sample: int = 20) -> str:
    """The rollup against the readings for a sample of sites over the verification window."""
    import numpy as np

    from airgrade.platform.verification import series

    first = ALERT_START.date() - dt.timedelta(days=30)
    days = (FIXTURE_END.date() - first).days
    sites = list(range(1, sample + 1))
    rolled, direct = series.from_rollup(sites, first, days), series.from_readings(sites, first, days)
    worst = 0.0
    for key, values in direct.items():
        if key not in rolled or not np.array_equal(np.isnan(values), np.isnan(rolled[key])):
            return f"rollup differs from the readings at {key}"
        worst = max(worst, float(np.nanmax(np.abs(values - rolled[key]))))
    return f"rollup = readings for {len(direct)} signals of {sample} sites (largest difference {worst:.2g})"


def fill_readings(days: int) -> None:
    """The readings, generated inside PostgreSQL a few days at a time, with the reading table's indexes dropped
    while filling and rebuilt after (as a bulk load of a restore would)."""
    from django.db import connection

    outlets = ", ".join(f"('{code}', '{pollutant}', {rate})" for code, pollutant, rate in OUTLETS)
    start = FIXTURE_END - dt.timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'verification_reading' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'verification_reading'::regclass)"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'verification_reading'::regclass AND contype IN ('p', 'u', 'f')"
        )
        constraints = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE verification_reading DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    step = 10
    for offset in range(0, days, step):
        t0 = start + dt.timedelta(days=offset)
        t1 = min(t0 + dt.timedelta(days=step), FIXTURE_END)
        began = time.perf_counter()
        params = {
            "t0": _local(t0),
            "t1": _local(t1),
            "a0": _local(ALERT_START),
            "a1": _local(ALERT_END),
            "cut": CUT,
            "kwh": METER_KWH_PER_QUARTER,
        }
        with connection.cursor() as cursor:
            cursor.execute(MONITORING_SQL.format(outlets=outlets), params)
            monitoring = cursor.rowcount
            cursor.execute(ELECTRICITY_SQL, params)
            electricity = cursor.rowcount
        print(
            f"  readings {t0:%m-%d}..{t1:%m-%d}: {monitoring:,} monitoring + {electricity:,} electricity "
            f"in {time.perf_counter() - began:.0f} s (load {load()})",
            flush=True,
        )
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE verification_reading ADD CONSTRAINT "{name}" {definition}')
        existing = {row[0] for row in indexes}
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'verification_reading'")
        present = {row[0] for row in cursor.fetchall()}
        for name, definition in indexes:
            if name in existing and name not in present:
                cursor.execute(definition)
    print(f"  indexes and constraints rebuilt in {time.perf_counter() - began:.0f} s", flush=True)


def fill(enterprises: int, days: int) -> None:
    from django.db import connection

    from airgrade.core.types import Role
    from airgrade.platform.accounts.models import User
    from airgrade.platform.emergency import services as emergency

    began = time.perf_counter()
    fill_registry(enterprises)
    print(f"  registry, list and points in {time.perf_counter() - began:.0f} s", flush=True)
    fill_readings(days)
    city, _ = User.objects.get_or_create(
        username="bench-city", defaults={"role": Role.CITY.value, "region_id": "410100"}
    )
    began = time.perf_counter()
    emergency.issue_alert(
        city,
        {
            "region_codes": ["410100"],
            "level": "orange",
            "starts_at": ALERT_START.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": ALERT_END.strftime("%Y-%m-%dT%H:%M"),
            "title": "郑州市橙色预警（核查基准）",
        },
    )
    print(f"  alert issued ({enterprises:,} tasks) in {time.perf_counter() - began:.0f} s", flush=True)
    fill_rollup(days)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  analyzed in {time.perf_counter() - began:.0f} s", flush=True)


def import_sample(rows: int, codes: list[str], first_hour: dt.datetime = FIXTURE_END) -> bytes:
    """Monitoring rows for the hours from `first_hour` (after the fixture), every outlet of every enterprise, hour by
    hour."""
    lines = ["统一社会信用代码,排放口编号,监测时间,污染物,排放速率（kg/h）,状态标记"]
    hour = first_hour
    while len(lines) <= rows:
        stamp = hour.strftime("%Y-%m-%d %H:%M")
        for code in codes:
            for outlet, pollutant, rate in OUTLETS:
                lines.append(f"{code},{outlet},{stamp},{pollutant},{rate:.3f},正常")
        hour += dt.timedelta(hours=1)
    return ("\n".join(lines[: rows + 1]) + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--import-rows", type=int, default=2_000_000)
    parser.add_argument("--refill", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()

    if kept_postgres(DEFAULT_URL) is None:
        return 2
    from django.db import connection

    from airgrade.platform.emergency.models import AlertEvent
    from airgrade.platform.enterprises.models import Enterprise
    from airgrade.platform.verification import files, services
    from airgrade.platform.verification.models import ChannelDay, Reading

    expected_readings = args.enterprises * args.days * 24 * (len(OUTLETS) + 4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'verification_reading'")
        estimate = cursor.fetchone()[0]
    if (
        args.refill
        or Enterprise.objects.count() != args.enterprises
        or abs(estimate - expected_readings) > 0.05 * (expected_readings)
    ):
        print(f"filling {args.enterprises:,} enterprises × {args.days} days (load {load()})", flush=True)
        began = time.perf_counter()
        fill(args.enterprises, args.days)
        print(f"filled in {time.perf_counter() - began:.0f} s", flush=True)
    elif not ChannelDay.objects.filter(day__lt=FIXTURE_END.date()).exists():
        fill_rollup(args.days)
    else:
        # A previous run's import sample: back to the fixture (the import is measured on new rows).
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM verification_reading WHERE at >= %s", [_local(FIXTURE_END)])
            cursor.execute("DELETE FROM verification_channelday WHERE day >= %s", [FIXTURE_END.date()])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    readings = Reading.objects.filter(at__lt=FIXTURE_END.replace(tzinfo=dt.UTC) - dt.timedelta(hours=8))
    monitoring = readings.filter(point__kind="outlet").count()
    electricity = readings.filter(point__kind="meter").count()
    print(server_settings(), flush=True)
    print(
        f"fixture: {args.enterprises:,} enterprises, {3 * args.enterprises:,} outlets, {monitoring:,} monitoring + "
        f"{electricity:,} electricity readings, {ChannelDay.objects.count():,} rollup rows, database {size}"
    )

    from airgrade.platform.accounts.models import User

    print(check_rollup(), flush=True)
    city = User.objects.get(username="bench-city")
    event = AlertEvent.objects.latest("pk")
    for attempt in (1, 2):
        cpu, began = cpu_seconds(), time.perf_counter()
        counts = services.verify_event(city, event.pk)
        seconds = time.perf_counter() - began
        print(
            f"verify #{attempt}: {sum(counts.values()):,} tasks in {seconds:.2f} s (CPU {cpu_seconds() - cpu:.2f} s) "
            f"= {sum(counts.values()) / seconds:,.0f} tasks/s; {counts}; load {load()}",
            flush=True,
        )

    if not args.skip_import:
        codes = list(Enterprise.objects.order_by("pk").values_list("credit_code", flat=True))
        hour_rows = len(codes) * len(OUTLETS)
        samples = [
            # The hour after the fixture, the way an hourly feed arrives: it writes into each channel's last index
            # leaf, which the next import writes into again (a running feed's steady state).
            ("import of one hour (new rows, committed)", import_sample(hour_rows, codes)),
            (
                "import after it (new rows, committed)",
                import_sample(args.import_rows, codes, FIXTURE_END + dt.timedelta(hours=1)),
            ),
        ]
        content = samples[-1][1]
        samples.append(("re-import, same file (nothing written)", content))
        for label, content in samples:
            cpu, began = cpu_seconds(), time.perf_counter()
            report = services.import_readings(
                city, "monitoring", "bench.csv", content, commit=True, max_rows=files.BULK_MAX_ROWS
            )
            seconds = time.perf_counter() - began
            if not report.ok:
                print("refused:", report.messages(3), file=sys.stderr)
                return 1
            print(
                f"{label}: {report.rows:,} rows in {seconds:.1f} s (CPU {cpu_seconds() - cpu:.1f} s) = "
                f"{report.rows / seconds:,.0f} rows/s; new {report.new:,}, unchanged {report.unchanged:,}; "
                f"load {load()}",
                flush=True,
            )
    print(f"peak memory: {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
