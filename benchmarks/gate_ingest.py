"""Benchmark: gate-ledger ingest rate (API and bulk paths), figures over six months, and chain verification, on
PostgreSQL (issue 11).

Run: `uv run python benchmarks/gate_ingest.py [--api-records 100000] [--bulk-records 1000000]`
It uses the PostgreSQL database `airgrade_gates_bench` on 127.0.0.1:5432 (override with AIRGRADE_DATABASE_URL), which
it drops and recreates, migrates and fills with one cement enterprise per measured site. Every record goes through the
real ingest service (parse, flags, register lookup, hash chain, daily counts, audit), so the ledger it builds verifies.

- API path: `POST /api/gates/ingest` through Django's full request stack (device credential, JSON parse, service) in
  batches of 500, sustained over `--api-records`.
- Bulk path: the same service called directly with batches of 5,000 (what `airgrade gates ingest FILE` and the file
  upload do), filling one site with `--bulk-records` over six months.
- Figures: clean share, stage mix and daily counts of that site over six months (`services.site_figures`), p50 / max
  of 20 calls.
- Verify: one walk of that site's chain (`airgrade gates verify`).
- Memory: the process's peak resident set size (ru_maxrss).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time

from pg_fixture import fresh_postgres, peak_mib

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_gates_bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-records", type=int, default=100_000)
    parser.add_argument("--bulk-records", type=int, default=1_000_000)
    args = parser.parse_args()

    if fresh_postgres(DEFAULT_URL) is None:
        return 2
    from django.test import Client

    from airgrade.core.credit_code import make
    from airgrade.core.types import Role
    from airgrade.platform.accounts.models import User
    from airgrade.platform.enterprises import services as registry
    from airgrade.platform.gates import services
    from airgrade.platform.gates import simulate as sim

    clerk = User.objects.create(username="bench-province", role=Role.PROVINCE.value, region_id="410000")
    county = User.objects.create(username="bench-county", role=Role.COUNTY.value, region_id="410181")

    def new_site(number: int) -> object:
        enterprise = registry.create_enterprise(
            clerk, {"credit_code": make(f"91410181{number:09d}"), "name": f"门禁基准企业{number}", "region": "410181"}
        )
        site = registry.add_site(clerk, enterprise.pk, {"name": "主厂区"})
        registry.set_site_industries(clerk, site.pk, [{"industry_code": "cement"}])
        return site

    trucks = sim.fleet(400, 1)
    end = dt.date(2026, 11, 30)
    start = end - dt.timedelta(days=181)
    until = dt.datetime.combine(end, dt.time(23, 59), sim.BEIJING)

    def register(site: object) -> None:
        from airgrade.platform.gates.models import Vehicle

        services.load_registers_unchecked(
            site,  # type: ignore[arg-type]
            [Vehicle(site=site, kind="road", plate=t.plate, fuel=t.fuel, stage=t.stage) for t in trucks],
            "基准测试",
        )

    # ---------------------------------------------------------------- API path
    api_site = new_site(1)
    register(api_site)
    _, token = services.register_device(county, api_site.pk, {"code": "API-1", "entrance": "东门"})  # type: ignore[attr-defined]
    per_day = max(2, args.api_records // 182 + 2)
    records = list(sim.passages(trucks, start, 182, per_day, 2, until=until))[: args.api_records]
    client = Client()
    batches = [records[i : i + 500] for i in range(0, len(records), 500)]
    latencies = []
    began = time.perf_counter()
    for batch in batches:
        body = json.dumps({"records": batch}, ensure_ascii=False)
        t0 = time.perf_counter()
        answer = client.post(
            "/api/gates/ingest", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        latencies.append(time.perf_counter() - t0)
        if answer.status_code != 200:
            print("API refused a batch:", answer.status_code, answer.content[:300], file=sys.stderr)
            return 1
    api_seconds = time.perf_counter() - began
    replay_t0 = time.perf_counter()
    replay = client.post(
        "/api/gates/ingest",
        json.dumps({"records": batches[0]}, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    replay_ms = (time.perf_counter() - replay_t0) * 1000
    assert replay.json()["accepted"] == 0
    print(f"API path: {len(records):,} records in {len(batches)} batches of 500: {api_seconds:.1f} s, "
          f"{len(records) / api_seconds:,.0f} records/s; batch p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms; a replayed batch {replay_ms:.0f} ms (nothing written)")  # fmt: skip

    # ---------------------------------------------------------------- bulk path, one site with 10^6 records
    bulk_site = new_site(2)
    register(bulk_site)
    devices = [
        services.create_device_unchecked(bulk_site, f"BULK-{n}", f"{n}号门", actor="基准测试")  # type: ignore[arg-type]
        for n in range(1, 5)
    ]
    per_device = args.bulk_records // len(devices)
    per_day = per_device // 182 + 2
    total, bulk_seconds, generated_seconds = 0, 0.0, 0.0
    for index, device in enumerate(devices):
        g0 = time.perf_counter()
        records = list(sim.passages(trucks, start, 182, per_day, 10 + index, until=until))[:per_device]
        generated_seconds += time.perf_counter() - g0
        t0 = time.perf_counter()
        for begin in range(0, len(records), 5000):
            total += services.ingest(device, records[begin : begin + 5000], actor="基准测试").accepted
        bulk_seconds += time.perf_counter() - t0
        del records
    print(f"bulk path: {total:,} records (4 devices, 182 days) in batches of 5,000: {bulk_seconds:.1f} s, "
          f"{total / bulk_seconds:,.0f} records/s (record generation {generated_seconds:.1f} s not counted)")  # fmt: skip

    # ---------------------------------------------------------------- figures and verification
    timings = []
    for _ in range(20):
        t0 = time.perf_counter()
        figures = services.site_figures(bulk_site, start, end)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - t0)
    print(f"figures over 6 months of {total:,} records: p50 {statistics.median(timings) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms (clean share {figures['clean_share']} %, {figures['trips']:,} entries)")  # fmt: skip
    t0 = time.perf_counter()
    report = services.verify(bulk_site)  # type: ignore[arg-type]
    verify_seconds = time.perf_counter() - t0
    print(f"verify: {report.checked:,} records in {verify_seconds:.1f} s "
          f"({report.checked / verify_seconds:,.0f} records/s), ok={report.ok}")  # fmt: skip
    print(f"peak resident memory of the process: {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
