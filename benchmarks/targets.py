"""Benchmark: the leaders' view (issue 13) at province scale on PostgreSQL — 500,000 enterprises, 1,000,000 grade
records, declarations in review — and the province's enterprise list page (HTML).

Run: `uv run python benchmarks/targets.py [--enterprises 500000] [--records 1000000] [--requests 40] [--refill]`
It creates (once) the PostgreSQL database `airgrade_bench_targets` on 127.0.0.1:5432 (override with
AIRGRADE_DATABASE_URL) and fills it by COPY with synthetic data (measurement data, not platform writes, so no audit
records): enterprises spread over Henan's counties, one site each (10 % a second site), one industry (12 % a second),
grade records with each industry's own scale (about half with an earlier, closed record, so as-of dates matter),
5,000 declarations in review. It then prints, per step, the time the province dashboard takes cold (nothing cached)
and the p50 / p95 of GET /api/targets/410000/ and /targets/ through Django's full stack with the cache warm and
after every write (the cache is keyed by the latest audit record, so each call after a write is cold), and the p95
of the province's enterprise list page /enterprises/. Targets of issue 13: dashboard data p95 ≤ 300 ms, enterprise
list page p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time

from pg_fixture import copy_rows, kept_postgres

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_bench_targets"
ON = dt.date(2026, 11, 30)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def fill(enterprises: int, records: int) -> None:
    from django.db import connection, transaction

    from airgrade.core.credit_code import make
    from airgrade.core.rules.rulebook import default_rulebook
    from airgrade.platform.accounts.models import User
    from airgrade.platform.enterprises.services import retally
    from airgrade.platform.regions.models import Region

    rng = random.Random(13)
    book = default_rulebook()
    counties = list(Region.objects.filter(code__startswith="41", level="county").values_list("code", flat=True))
    industries = [i.code for i in book.industries("410000")]
    scales = {code: book.rules[code].scale.scale.grades for code in industries}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE grades_graderecord, declarations_declarationitem, declarations_declaration, "
            "declarations_campaign, enterprises_enterprise, enterprises_site, enterprises_industryassignment, "
            "enterprises_industrylisting, enterprises_registrytally RESTART IDENTITY CASCADE"
        )
    now = "2026-01-01 00:00:00+00"
    enterprise_rows, site_rows, assignment_rows, listing_rows, grade_rows = [], [], [], [], []
    site_id = 0
    # Aim at `records` grade records: each site × industry has one current record and ~40 % an earlier one.
    for number in range(1, enterprises + 1):
        county = counties[number % len(counties)]
        name = f"合成企业{number:06d}{rng.choice('甲乙丙丁戊己庚辛')}有限公司"
        enterprise_rows.append((number, make(f"91{county}{number:09d}"), name, county, "operating", now, now))
        codes = [rng.choice(industries)]
        if rng.random() < 0.12:
            codes.append(rng.choice(industries))
        codes = list(dict.fromkeys(codes))
        for code in codes:
            listing_rows.append((number, code, county, name, "operating"))
        for site_number in range(2 if rng.random() < 0.1 else 1):
            site_id += 1
            site_rows.append((site_id, number, "主厂区" if site_number == 0 else "二厂区", county))
            for code in codes:
                assignment_rows.append((site_id, number, code))
                scale = scales[code]
                weights = [1] * len(scale)
                weights[-1], weights[-2] = 4, 8  # most enterprises at the bottom two grades
                grade = rng.choices(scale, weights)[0]
                if rng.random() < 0.4:
                    earlier = rng.choices(scale, weights)[0]
                    grade_rows.append((number, site_id, county, code, earlier, "2024-09-30", "2025-10-31"))
                    grade_rows.append((number, site_id, county, code, grade, "2025-10-31", None))
                else:
                    grade_rows.append((number, site_id, county, code, grade, "2024-09-30", None))
    # Trim or pad to the asked number of records (padding: closed records of earlier years).
    while len(grade_rows) < records:
        row = rng.choice(grade_rows)
        grade_rows.append((*row[:4], rng.choice(scales[row[3]]), "2022-09-30", "2023-09-30"))
    grade_rows = grade_rows[:records]
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor if hasattr(django_cursor, "cursor") else django_cursor
        columns = ("id", "credit_code", "name", "region_id", "status", "created_at", "updated_at")
        for extra in ("address", "contact_name", "contact_phone"):
            django_cursor.execute(f"ALTER TABLE enterprises_enterprise ALTER COLUMN {extra} SET DEFAULT ''")
        django_cursor.execute("ALTER TABLE enterprises_site ALTER COLUMN address SET DEFAULT ''")
        django_cursor.execute("ALTER TABLE enterprises_industryassignment ALTER COLUMN branch SET DEFAULT ''")
        for table in ("grades_graderecord",):
            for column in ("rules_version", "reason"):
                django_cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT ''")
            django_cursor.execute(f"ALTER TABLE {table} ALTER COLUMN recorded_at SET DEFAULT now()")
            django_cursor.execute(f"ALTER TABLE {table} ALTER COLUMN source SET DEFAULT 'campaign'")
        copy_rows(cursor, "enterprises_enterprise", columns, enterprise_rows)
        copy_rows(cursor, "enterprises_site", ("id", "enterprise_id", "name", "region_id"), site_rows)
        copy_rows(
            cursor, "enterprises_industryassignment", ("site_id", "enterprise_id", "industry_code"), assignment_rows
        )
        copy_rows(
            cursor,
            "enterprises_industrylisting",
            ("enterprise_id", "industry_code", "region_code", "name", "status"),
            listing_rows,
        )
        copy_rows(
            cursor,
            "grades_graderecord",
            ("enterprise_id", "site_id", "region_id", "industry_code", "grade", "valid_from", "valid_until"),
            grade_rows,
        )
        for table in ("enterprises_enterprise", "enterprises_site"):
            django_cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
    with transaction.atomic():
        retally(set(counties))
    # 5,000 declarations in review (the pipeline), one item each, a tenth of them recommended by the city.
    from airgrade.platform.declarations.models import Campaign, Declaration, DeclarationItem

    clerk, _ = User.objects.get_or_create(username="bench-city", defaults={"role": "city", "region_id": "410100"})
    campaign = Campaign.objects.create(
        name="合成批次", region_id="410000", rules_as_of=ON, application_deadline=dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
        created_by=clerk,
    )  # fmt: skip
    sample = rng.sample(range(len(site_rows)), min(5000, len(site_rows) // 2))
    declarations = Declaration.objects.bulk_create(
        Declaration(
            number=f"BENCH-{n:05d}",
            campaign=campaign,
            site_id=site_rows[i][0],
            enterprise_id=site_rows[i][1],
            region_id=site_rows[i][3],
            state=rng.choice(["submitted", "county_review", "city_review", "province_verification"]),
        )
        for n, i in enumerate(sample)
    )
    codes_of = {}
    for site, _, code in assignment_rows:
        codes_of.setdefault(site, code)
    DeclarationItem.objects.bulk_create(
        DeclarationItem(
            declaration=d,
            industry_code=codes_of[d.site_id],
            target_grade=scales[codes_of[d.site_id]][1],
            recommended_grade=scales[codes_of[d.site_id]][1] if rng.random() < 0.1 else "",
        )
        for d in declarations
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"filled {len(enterprise_rows):,} enterprises, {len(site_rows):,} sites, {len(grade_rows):,} grade records, "
        f"{len(declarations):,} declarations in review in {time.perf_counter() - started:.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=500_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--refill", action="store_true")
    args = parser.parse_args()

    if kept_postgres(DEFAULT_URL) is None:
        return 2
    from django.db import transaction
    from django.test import Client

    from airgrade.platform.accounts.models import User
    from airgrade.platform.enterprises.models import Enterprise
    from airgrade.platform.grades.models import GradeRecord
    from airgrade.platform.targets import services

    if args.refill or Enterprise.objects.count() != args.enterprises or GradeRecord.objects.count() != args.records:
        fill(args.enterprises, args.records)
    print(f"PostgreSQL: {Enterprise.objects.count():,} enterprises, {GradeRecord.objects.count():,} grade records")

    # Cold, step by step (nothing cached): what the first call of a process, or the first after a grade is recorded
    # for a month end, waits for. The counts of a date cover every region, so the city reuses the province's.
    services.forget_counts()
    for region in ("410000", "410100"):
        steps: dict[str, float] = {}
        started = time.perf_counter()
        tally = services.tally_on(region, ON)
        steps["counts of the date (2 grouped queries, all regions)"] = time.perf_counter() - started
        started = time.perf_counter()
        entries = services.pipeline(region, ON)
        services.projected_tally(tally, entries, region)
        steps[f"pipeline ({len(entries):,} enterprises in review)"] = time.perf_counter() - started
        started = time.perf_counter()
        report = services.report(region, ON, history=False, with_planner=False)
        steps["attainment (counts and pipeline kept)"] = time.perf_counter() - started
        started = time.perf_counter()
        services.planner(region, ON, frozenset(report["targets"]["counted_grades"]))
        steps["planner"] = time.perf_counter() - started
        started = time.perf_counter()
        for month_end in services.month_ends(services._months_back(ON), ON):
            services.tally_on(region, month_end)
        steps["history (12 month ends)"] = time.perf_counter() - started
        started = time.perf_counter()
        services.report(region, ON)
        steps["whole report (counts kept)"] = time.perf_counter() - started
        started = time.perf_counter()
        services.report(region, ON)
        steps["whole report again (all kept)"] = time.perf_counter() - started
        print(f"{region}, per step:")
        for name, seconds in steps.items():
            print(f"  {name:<52} {seconds * 1000:8.0f} ms")
        total = report["total"]
        print(
            f"  share {total['share_percent']} % of {total['total']:,} graded, target {total['target_percent']}, "
            f"needed {total['needed']:,}"
        )

    province, _ = User.objects.get_or_create(
        username="bench-province", defaults={"role": "province", "region_id": "410000"}
    )
    client = Client()
    client.force_login(province)
    timings: dict[str, list[float]] = {}
    urls = {
        "api /api/targets/410000/ (warm)": f"/api/targets/410000/?as_of={ON}",
        "page /targets/ (warm)": f"/targets/?as_of={ON}",
        "api /api/targets/410100/ (warm)": f"/api/targets/410100/?as_of={ON}",
        "page /enterprises/ (province)": "/enterprises/",
    }
    rng = random.Random(5)
    for name, url_ in urls.items():
        assert client.get(url_).status_code == 200, url_  # warm-up
        values = []
        for _ in range(args.requests):
            target = url_ if "enterprises" not in url_ else f"/enterprises/?page={rng.choice([1, 2, 5, 50])}"
            started = time.perf_counter()
            response = client.get(target)
            values.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (target, response.status_code)
        timings[name] = values
    # After a grade is recorded (valid from the dashboard's date): that date's counts are taken again, the month
    # ends of the history stay valid. An audited write that records no grade changes nothing.
    after_write = []
    record = GradeRecord.objects.filter(valid_until__isnull=True).first()
    for _ in range(max(3, args.requests // 10)):
        with transaction.atomic():
            GradeRecord.objects.create(
                enterprise_id=record.enterprise_id, site_id=record.site_id, region_id=record.region_id,
                industry_code="bench_marker", grade="C", valid_from=ON, valid_until=ON + dt.timedelta(days=1),
                source="review",
            )  # fmt: skip
        started = time.perf_counter()
        assert client.get(urls["api /api/targets/410000/ (warm)"]).status_code == 200
        after_write.append((time.perf_counter() - started) * 1000)
    GradeRecord.objects.filter(industry_code="bench_marker").delete()
    timings["api /api/targets/410000/ (after a grade is recorded)"] = after_write
    print("through Django (session, scope, rendering):")
    for name, values in timings.items():
        print(
            f"  {name:<44} p50 {pct(values, 50):7.1f} ms  p95 {pct(values, 95):7.1f} ms  (n={len(values)}, mean {statistics.mean(values):.1f})"
        )
    dashboard_p95 = pct(timings["api /api/targets/410000/ (warm)"], 95)
    list_p95 = pct(timings["page /enterprises/ (province)"], 95)
    print(
        f"target dashboard data p95 ≤ 300 ms (warm): {'met' if dashboard_p95 <= 300 else 'NOT met'} ({dashboard_p95:.0f} ms)"
    )
    print(f"target enterprise list page p95 ≤ 150 ms: {'met' if list_p95 <= 150 else 'NOT met'} ({list_p95:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
