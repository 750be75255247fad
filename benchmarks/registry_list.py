"""Benchmark: p50/p95 latency of the filtered, paginated enterprise-list API on PostgreSQL with 500,000 enterprises.

Run: `uv run python benchmarks/registry_list.py [--enterprises 500000] [--requests 300] [--refill]`
It creates (once) a PostgreSQL database `airgrade_bench` on 127.0.0.1:5432 (override with AIRGRADE_DATABASE_URL),
fills it with synthetic enterprises and industry assignments by bulk insert (synthetic measurement data, not platform
writes, so no audit records), then calls GET /api/enterprises/ through Django's full request stack as a province, a
city and a county user with a mix of filters and pages, and prints the latency distribution. Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from pg_fixture import kept_postgres

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--refill", action="store_true", help="drop and refill the synthetic registry")
    args = parser.parse_args()

    if kept_postgres(DEFAULT_URL) is None:
        return 2
    from django.db import connection, transaction
    from django.test import Client

    from airgrade.core.credit_code import make
    from airgrade.core.industries import all_industries
    from airgrade.platform.accounts.models import User
    from airgrade.platform.enterprises.models import (
        Enterprise,
        IndustryAssignment,
        IndustryListing,
        RegistryTally,
        Site,
    )
    from airgrade.platform.regions.models import Region

    rng = random.Random(7)
    counties = list(Region.objects.filter(code__startswith="41", level="county").values_list("code", flat=True))
    industries = [i.code for i in all_industries() if i.jurisdiction in ("national", "410000")]

    if args.refill or Enterprise.objects.count() != args.enterprises or not RegistryTally.objects.exists():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE enterprises_enterprise, enterprises_site, enterprises_industryassignment, enterprises_industrylisting, "
                "enterprises_registrytally, "
                "enterprises_productionline, enterprises_emissionoutlet RESTART IDENTITY CASCADE"
            )
        batch = 10_000
        for start in range(0, args.enterprises, batch):
            rows = []
            for number in range(start, min(start + batch, args.enterprises)):
                county = counties[number % len(counties)]
                rows.append(
                    Enterprise(
                        credit_code=make(f"91{county}{number:09d}"),
                        name=f"合成企业{number:06d}{rng.choice('甲乙丙丁戊己庚辛')}有限公司",
                        region_id=county,
                        status=rng.choice(["operating"] * 8 + ["suspended", "closed"]),
                    )
                )
            created = Enterprise.objects.bulk_create(rows)
            sites = Site.objects.bulk_create(Site(enterprise=e, name="主厂区", region_id=e.region_id) for e in created)
            assignments = []
            for site in sites:
                codes = {rng.choice(industries)}
                if rng.random() < 0.12:
                    codes.add("industrial_coating")
                assignments.extend(
                    IndustryAssignment(site=site, enterprise_id=site.enterprise_id, industry_code=c) for c in codes
                )
            IndustryAssignment.objects.bulk_create(assignments)
            by_id = {e.pk: e for e in created}
            IndustryListing.objects.bulk_create(
                IndustryListing(
                    enterprise_id=a.enterprise_id,
                    industry_code=a.industry_code,
                    region_code=by_id[a.enterprise_id].region_id,
                    name=by_id[a.enterprise_id].name,
                    status=by_id[a.enterprise_id].status,
                )
                for a in assignments
            )
            print(f"\rfilled {min(start + batch, args.enterprises):>7} enterprises", end="", flush=True)
        from airgrade.platform.enterprises.services import retally

        with transaction.atomic():
            retally(set(counties))
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"\nfill took {time.perf_counter() - started:.1f} s")

    def user(username: str, role: str, region: str) -> User:
        found, _ = User.objects.get_or_create(username=username, defaults={"role": role, "region_id": region})
        return found

    callers = {
        "province": user("bench-province", "province", "410000"),
        "city": user("bench-city", "city", "410100"),
        "county": user("bench-county", "county", "410181"),
    }
    clients = {}
    for name, caller in callers.items():
        clients[name] = Client()
        clients[name].force_login(caller)

    def random_query(caller: str) -> dict[str, str]:
        query: dict[str, str] = {"page_size": "20", "page": str(rng.choice([1, 1, 2, 3, 10, 50]))}
        if rng.random() < 0.7:
            query["industry"] = rng.choice(industries)
        if caller == "province" and rng.random() < 0.5:
            query["region"] = rng.choice(["410100", "410300", "410700", "411300", rng.choice(counties)])
        if rng.random() < 0.3:
            query["status"] = "operating"
        if rng.random() < 0.15:
            query["q"] = f"合成企业{rng.randint(0, args.enterprises // 10):05d}"
        return query

    for name, client in clients.items():  # warm-up: connections, caches, plans
        for _ in range(5):
            assert client.get("/api/enterprises/", random_query(name)).status_code == 200

    timings: dict[str, list[float]] = {name: [] for name in clients}
    slowest: list[tuple[float, str, dict[str, str]]] = []
    for number in range(args.requests):
        name = list(clients)[number % len(clients)]
        query = random_query(name)
        started = time.perf_counter()
        response = clients[name].get("/api/enterprises/", query)
        elapsed = (time.perf_counter() - started) * 1000
        timings[name].append(elapsed)
        slowest.append((elapsed, name, query))
        if response.status_code != 200:
            print(f"request failed: {query} → {response.status_code}", file=sys.stderr)
            return 1

    everything = sorted(t for values in timings.values() for t in values)

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]

    print(f"enterprises: {Enterprise.objects.count():,}; requests: {len(everything)} (page_size 20, mixed filters)")
    for name, values in timings.items():
        values.sort()
        print(f"  {name:<9} p50 {pct(values, 50):6.1f} ms  p95 {pct(values, 95):6.1f} ms  max {values[-1]:6.1f} ms")
    p95 = pct(everything, 95)
    print(
        f"  all       p50 {pct(everything, 50):6.1f} ms  p95 {p95:6.1f} ms  mean {statistics.mean(everything):.1f} ms"
    )
    print("slowest calls:")
    for elapsed, name, query in sorted(slowest, key=lambda item: item[0], reverse=True)[:5]:
        print(f"  {elapsed:6.1f} ms  {name:<9} {query}")
    print(f"target p95 ≤ 100 ms: {'met' if p95 <= 100 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
