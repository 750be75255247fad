"""Benchmark: alert verification on PostgreSQL (issue 12) — import rate of monitoring and electricity readings through
the feed path, and verdicts for every task of a 3-day alert.

Run: `uv run python benchmarks/alert_verify.py [--enterprises 200] [--days 40]`
It uses the PostgreSQL database `airgrade_verify_bench` on 127.0.0.1:5432 (override with AIRGRADE_DATABASE_URL), which
it drops and recreates, migrates and fills with cement enterprises of one county (registry, emergency list, a lifted
orange alert through the real services). Each enterprise gets `--days` of hourly SO2 and NOx rates at one outlet and
15-minute electricity at one meter (144 rows a day); a tenth of them do not cut.

- Import: `verification.services.import_rows` (the API's feed path: row checks, scope, duplicate and stored-value
  comparison, one prepared INSERT with executemany, audit) in batches of 50,000 rows; rows/s over all batches.
- Re-import: the same batches again (idempotent: nothing written), rows/s.
- Verify: `verification.services.verify_event` over every task (readings of the window and the lookback, core
  verdict, evidence series, cases), tasks/s.
- Memory: the process's peak resident set size (ru_maxrss).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time

from pg_fixture import fresh_postgres, peak_mib

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_verify_bench"
BATCH = 50_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200)
    parser.add_argument("--days", type=int, default=40)
    args = parser.parse_args()

    if fresh_postgres(DEFAULT_URL) is None:
        return 2

    from airgrade.core.credit_code import make
    from airgrade.core.types import Role
    from airgrade.platform.accounts.models import User
    from airgrade.platform.emergency import services as emergency
    from airgrade.platform.enterprises import services as registry
    from airgrade.platform.verification import services

    clerk = User.objects.create(username="bench-province", role=Role.PROVINCE.value, region_id="410000")
    county = User.objects.create(username="bench-county", role=Role.COUNTY.value, region_id="410181")
    city = User.objects.create(username="bench-city", role=Role.CITY.value, region_id="410100")

    began = time.perf_counter()
    codes = []
    for number in range(1, args.enterprises + 1):
        code = make(f"91410181{number:09d}")
        enterprise = registry.create_enterprise(
            clerk, {"credit_code": code, "name": f"核查基准企业{number}", "region": "410181"}
        )
        site = registry.add_site(clerk, enterprise.pk, {"name": "主厂区"})
        registry.set_site_industries(clerk, site.pk, [{"industry_code": "cement"}])
        emergency.save_entry(
            county,
            site.pk,
            2026,
            {
                "industries": [{"industry_code": "cement", "grade": "C"}],
                "lines": [
                    {
                        "key": "L1",
                        "name": "1号熟料线",
                        "capacity_unit": "t/d",
                        "eia_capacity": 4000,
                        "permit_capacity": 4000,
                        "actual_output": 3800,
                        "emissions": {"SO2": 0.5, "NOx": 2.0, "PM": 0.2},
                    },
                    {
                        "key": "L2",
                        "name": "2号熟料线",
                        "capacity_unit": "t/d",
                        "eia_capacity": 2500,
                        "permit_capacity": 2500,
                        "actual_output": 2400,
                        "emissions": {"SO2": 0.3, "NOx": 1.2, "PM": 0.1},
                    },
                ],
            },
        )
        codes.append(code)
    end_day = dt.date(2026, 11, 30)
    start = dt.datetime.combine(end_day - dt.timedelta(days=3), dt.time())
    end = start + dt.timedelta(days=3)
    event = emergency.issue_alert(
        city,
        {
            "region_codes": ["410181"],
            "level": "orange",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    setup_seconds = time.perf_counter() - began

    rng = random.Random(12)
    first = end - dt.timedelta(days=args.days)
    rows: list[dict[str, object]] = []
    for index, code in enumerate(codes):
        keeps_going = index % 10 == 0
        hour = first
        while hour < end:
            factor = 1.0 if keeps_going or not start <= hour < end else 0.05  # the C grade stops its lines
            for pollutant, rate in (("SO2", 20.0), ("NOx", 80.0)):
                rows.append(
                    {
                        "credit_code": code,
                        "point": "DA001",
                        "at": hour,
                        "pollutant": pollutant,
                        "value": round(rate * factor * rng.uniform(0.95, 1.05), 3),
                    }
                )
            for quarter in range(4):
                rows.append(
                    {
                        "credit_code": code,
                        "point": "M1",
                        "at": hour + dt.timedelta(minutes=15 * quarter),
                        "minutes": 15,
                        "value": round(400 * factor * rng.uniform(0.95, 1.05), 2),
                    }
                )
            hour += dt.timedelta(hours=1)
    monitoring = [row for row in rows if "pollutant" in row]
    electricity = [row for row in rows if "pollutant" not in row]
    del rows

    def load(kind: str, batch_rows: list[dict[str, object]]) -> tuple[int, float]:
        t0 = time.perf_counter()
        written = 0
        for i in range(0, len(batch_rows), BATCH):
            report = services.import_rows(county, kind, batch_rows[i : i + BATCH])  # type: ignore[arg-type]
            if not report.ok:
                print("refused:", report.messages(3), file=sys.stderr)
                sys.exit(1)
            written += report.new
        return written, time.perf_counter() - t0

    written_m, seconds_m = load("monitoring", monitoring)
    written_e, seconds_e = load("electricity", electricity)
    total_rows = len(monitoring) + len(electricity)
    import_seconds = seconds_m + seconds_e
    _, again_m = load("monitoring", monitoring)
    _, again_e = load("electricity", electricity)

    t0 = time.perf_counter()
    counts = services.verify_event(city, event.pk)
    verify_seconds = time.perf_counter() - t0

    print(f"setup: {args.enterprises} enterprises, list entries and the alert in {setup_seconds:.1f} s")
    print(
        f"import: {total_rows:,} rows ({written_m:,} monitoring, {written_e:,} electricity) in {import_seconds:.1f} s "
        f"= {total_rows / import_seconds:,.0f} rows/s"
    )
    print(f"re-import (nothing written): {total_rows / (again_m + again_e):,.0f} rows/s")
    print(
        f"verify: {sum(counts.values())} tasks in {verify_seconds:.2f} s = {sum(counts.values()) / verify_seconds:.1f} "
        f"tasks/s; {counts}"
    )
    print(f"peak memory: {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
