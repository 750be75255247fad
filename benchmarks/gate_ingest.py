"""Benchmark: gate-ledger ingest rate (API and bulk paths), figures over six months, and chain verification, on
PostgreSQL (issue 11).

Run: `uv run python benchmarks/gate_ingest.py [--api-records 100000] [--bulk-records 1000000] [--bulk-sites 2]`
It uses the PostgreSQL database `airgrade_gates_bench` on 127.0.0.1:5432 (override with AIRGRADE_DATABASE_URL), which
it drops and recreates, migrates and fills with one cement enterprise per measured site. Every record goes through the
real ingest service (parse, flags, register lookup, hash chain, daily counts, audit), so the ledger it builds verifies.

- API path: `POST /api/gates/ingest` through Django's full request stack (device credential, JSON parse, service) in
  batches of 500, sustained over `--api-records`.
- Bulk path: `services.ingest_file` (what `airgrade gates ingest FILE` and the file upload call: the whole file
  checked, then one transaction and one COPY stream), filling one site with `--bulk-records` from four device files
  over six months; then `--bulk-sites` further sites ingested at the same time by as many processes (a site's chain
  is sequential, different sites are independent), their aggregate rate.
- Figures: clean share, stage mix and daily counts of the 10⁶-record site over six months (`services.site_figures`),
  p50 / max of 20 calls.
- Verify: one walk of that site's chain (`airgrade gates verify`).
- Memory: the process's peak resident set size (ru_maxrss). CPU: this process's CPU time and, when the server runs on
  this machine, the PostgreSQL backend's (from /proc), per record — wall time on the shared machine depends on the
  other processes, CPU time much less. `uptime`'s load is printed with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from pg_fixture import fresh_postgres, peak_mib, server_settings

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_gates_bench"
END = dt.date(2026, 11, 30)
START = END - dt.timedelta(days=181)


def load() -> str:
    """The 1, 5 and 15-minute load averages (what `uptime` prints)."""
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "?"


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (None when it is not on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """Wall, process CPU and backend CPU over a measured stretch."""

    def __init__(self) -> None:
        self.wall, self.cpu, self.pg = time.perf_counter(), time.process_time(), backend_cpu()

    def per_record(self, records: int) -> str:
        cpu = (time.process_time() - self.cpu) / records * 1e6
        pg_now = backend_cpu()
        pg = f", PostgreSQL backend {(pg_now - self.pg) / records * 1e6:.0f} µs" if pg_now and self.pg else ""
        return f"CPU per record: Python {cpu:.0f} µs{pg}"

    def seconds(self) -> float:
        return time.perf_counter() - self.wall


def _trucks() -> Any:
    from airgrade.platform.gates import simulate as sim

    return sim.fleet(400, 1)


def _records(seed: int, count: int, per_day: int | None = None) -> list[dict[str, Any]]:
    from airgrade.platform.gates import simulate as sim

    until = dt.datetime.combine(END, dt.time(23, 59), sim.BEIJING)
    per_day = per_day or count // 182 + 2
    return list(sim.passages(_trucks(), START, 182, per_day, seed, until=until))[:count]


def _bulk_worker(args: tuple[int, int, int]) -> tuple[int, float]:
    """One process: one site's device file through the bulk path (its own connection)."""
    site_id, count, seed = args
    from django.db import connections

    connections.close_all()
    from airgrade.platform.gates import services
    from airgrade.platform.gates.models import GateDevice

    device = GateDevice.objects.select_related("site__enterprise").get(site_id=site_id)
    records = _records(seed, count)
    t0 = time.perf_counter()
    accepted = services.ingest_file(device, records, actor="基准测试").accepted
    return accepted, time.perf_counter() - t0


def _api_worker(token: str, seed: int, count: int, barrier: Any, results: Any) -> None:
    """One device posting its batches of 500 through Django's full request stack, in its own process and
    connection; it builds its bodies first, then waits for the others so the devices post at the same time."""
    from django.db import connections
    from django.test import Client

    connections.close_all()
    records = _records(seed, count, per_day=max(2, count // 182 + 2))
    bodies = [json.dumps({"records": records[i : i + 500]}, ensure_ascii=False) for i in range(0, len(records), 500)]
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    barrier.wait()
    t0 = time.perf_counter()
    accepted = 0
    for body in bodies:
        answer = client.post("/api/gates/ingest", body, content_type="application/json", **auth)
        if answer.status_code != 200:
            results.put((0, 0.0, f"refused: {answer.status_code} {answer.content[:200]!r}"))
            return
        accepted += answer.json()["accepted"]
    results.put((accepted, time.perf_counter() - t0, ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-records", type=int, default=100_000)
    parser.add_argument(
        "--api-devices", type=int, default=2, help="devices of different sites posting at once (0: none)"
    )
    parser.add_argument("--api-device-records", type=int, default=60_000)
    parser.add_argument("--bulk-records", type=int, default=1_000_000)
    parser.add_argument("--bulk-sites", type=int, default=2, help="sites ingested in parallel processes (0: none)")
    parser.add_argument("--bulk-site-records", type=int, default=250_000)
    args = parser.parse_args()

    if fresh_postgres(DEFAULT_URL) is None:
        return 2
    from django.db import connections
    from django.test import Client

    from airgrade.core.credit_code import make
    from airgrade.core.types import Role
    from airgrade.platform.accounts.models import User
    from airgrade.platform.enterprises import services as registry
    from airgrade.platform.gates import services
    from airgrade.platform.gates.models import Vehicle

    print(f"load average at start (1, 5, 15 min): {load()}; {server_settings()}")
    clerk = User.objects.create(username="bench-province", role=Role.PROVINCE.value, region_id="410000")
    county = User.objects.create(username="bench-county", role=Role.COUNTY.value, region_id="410181")
    trucks = _trucks()

    def new_site(number: int) -> Any:
        enterprise = registry.create_enterprise(
            clerk, {"credit_code": make(f"91410181{number:09d}"), "name": f"门禁基准企业{number}", "region": "410181"}
        )
        site = registry.add_site(clerk, enterprise.pk, {"name": "主厂区"})
        registry.set_site_industries(clerk, site.pk, [{"industry_code": "cement"}])
        services.load_registers_unchecked(
            site,
            [Vehicle(site=site, kind="road", plate=t.plate, fuel=t.fuel, stage=t.stage) for t in trucks],
            "基准测试",
        )
        return site

    services.rules()  # the rule book loads once per process; not part of a batch's cost

    # ---------------------------------------------------------------- API path
    api_site = new_site(1)
    _, token = services.register_device(county, api_site.pk, {"code": "API-1", "entrance": "东门"})
    records = _records(1, args.api_records, per_day=max(2, args.api_records // 182 + 2))
    client = Client()
    bodies = [json.dumps({"records": records[i : i + 500]}, ensure_ascii=False) for i in range(0, len(records), 500)]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    warm = client.post("/api/gates/ingest", bodies[0], content_type="application/json", **auth)  # URL conf import
    assert warm.status_code == 200, warm.content[:300]
    latencies = []
    meter = Meter()
    for body in bodies[1:]:
        t0 = time.perf_counter()
        answer = client.post("/api/gates/ingest", body, content_type="application/json", **auth)
        latencies.append(time.perf_counter() - t0)
        if answer.status_code != 200:
            print("API refused a batch:", answer.status_code, answer.content[:300], file=sys.stderr)
            return 1
    api_seconds = meter.seconds()
    api_records = len(records) - len(json.loads(bodies[0])["records"])
    api_cpu = meter.per_record(api_records)
    replay_t0 = time.perf_counter()
    replay = client.post("/api/gates/ingest", bodies[1], content_type="application/json", **auth)
    replay_ms = (time.perf_counter() - replay_t0) * 1000
    assert replay.json()["accepted"] == 0
    print(f"API path: {api_records:,} records in {len(latencies)} batches of 500: {api_seconds:.1f} s, "
          f"{api_records / api_seconds:,.0f} records/s; batch p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms; {api_cpu}; a replayed batch {replay_ms:.0f} ms (nothing written); "
          f"load {load()}")  # fmt: skip

    # ---------------------------------------------------------------- API path, devices of several sites at once
    if args.api_devices:
        tokens = []
        for number in range(args.api_devices):
            site = new_site(20 + number)
            tokens.append(services.register_device(county, site.pk, {"code": f"API-P{number}", "entrance": "东门"})[1])
        # The URL conf and the rule book were loaded by the single-device run above; the forked workers share them.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        barrier, results = context.Barrier(args.api_devices), context.Queue()
        workers = [
            context.Process(target=_api_worker, args=(token, 200 + n, args.api_device_records, barrier, results))
            for n, token in enumerate(tokens)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get() for _ in workers]
        for worker in workers:
            worker.join()
        refused = [text for _, _, text in outcomes if text]
        if refused:
            print("API refused a batch:", refused[0], file=sys.stderr)
            return 1
        accepted = sum(n for n, _, _ in outcomes)
        slowest = max(seconds for _, seconds, _ in outcomes)
        print(f"API path, {args.api_devices} devices of different sites posting at once (one process each, batches "
              f"of 500): {accepted:,} records, slowest device {slowest:.1f} s, aggregate {accepted / slowest:,.0f} "
              f"records/s (per device {', '.join(f'{n / s:,.0f}' for n, s, _ in outcomes)} records/s); "
              f"load {load()}")  # fmt: skip

    # ---------------------------------------------------------------- bulk path, one site with 10^6 records
    bulk_site = new_site(2)
    devices = [
        services.create_device_unchecked(bulk_site, f"BULK-{n}", f"{n}号门", actor="基准测试") for n in range(1, 5)
    ]
    per_device = args.bulk_records // len(devices)
    total, bulk_seconds, generated_seconds, bulk_cpu = 0, 0.0, 0.0, 0.0
    pg = backend_cpu()
    for index, device in enumerate(devices):
        g0 = time.perf_counter()
        records = _records(10 + index, per_device)
        generated_seconds += time.perf_counter() - g0
        t0, c0 = time.perf_counter(), time.process_time()
        total += services.ingest_file(device, records, actor="基准测试").accepted
        bulk_seconds += time.perf_counter() - t0
        bulk_cpu += time.process_time() - c0
        del records
    pg_after = backend_cpu()
    pg_text = f", PostgreSQL backend {(pg_after - pg) / total * 1e6:.0f} µs" if pg and pg_after else ""
    print(f"bulk path: {total:,} records (4 device files of {per_device:,}, 182 days), one transaction per file: "
          f"{bulk_seconds:.1f} s, {total / bulk_seconds:,.0f} records/s (record generation {generated_seconds:.1f} s "
          f"not counted); CPU per record: Python {bulk_cpu / total * 1e6:.0f} µs{pg_text}; load {load()}")  # fmt: skip

    # ---------------------------------------------------------------- bulk path, sites in parallel
    if args.bulk_sites:
        sites = []
        for number in range(args.bulk_sites):
            site = new_site(10 + number)
            services.create_device_unchecked(site, "PAR-1", "东门", actor="基准测试")
            sites.append(site.pk)
        connections.close_all()
        jobs = [(site_id, args.bulk_site_records, 100 + n) for n, site_id in enumerate(sites)]
        with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
            # Each worker generates its records first, then times only its ingest; the aggregate is the records over
            # the longest ingest (they start together within the generation time's spread).
            results = pool.map(_bulk_worker, jobs)
        accepted = sum(n for n, _ in results)
        slowest = max(seconds for _, seconds in results)
        print(f"bulk path, {len(jobs)} sites in parallel processes: {accepted:,} records, slowest site "
              f"{slowest:.1f} s, aggregate {accepted / slowest:,.0f} records/s "
              f"(per site {', '.join(f'{n / s:,.0f}' for n, s in results)} records/s); load {load()}")  # fmt: skip

    # ---------------------------------------------------------------- figures and verification
    timings = []
    for _ in range(20):
        t0 = time.perf_counter()
        figures = services.site_figures(bulk_site, START, END)
        timings.append(time.perf_counter() - t0)
    print(f"figures over 6 months of {total:,} records: p50 {statistics.median(timings) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms (clean share {figures['clean_share']} %, {figures['trips']:,} entries)")  # fmt: skip
    meter = Meter()
    report = services.verify(bulk_site)
    verify_seconds = meter.seconds()
    print(f"verify: {report.checked:,} records in {verify_seconds:.1f} s "
          f"({report.checked / verify_seconds:,.0f} records/s), ok={report.ok}; {meter.per_record(report.checked)}; "
          f"load {load()}")  # fmt: skip
    print(f"peak resident memory of the process: {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
