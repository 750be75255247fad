"""Benchmark: response time of the ten most-used pages on the demo database (issue 15: target ≤ 300 ms).

Runs the real Django stack in-process (middleware, sessions, templates, the demo's SQLite or whatever
AIRGRADE_DATABASE_URL names) with Django's test client, signed in as each demo user. Each page is requested once to
warm the process (rule book, templates), then `--repeat` times; the median and the worst are printed. Load the demo
first: `uv run airgrade demo`. Run: `uv run python benchmarks/pages.py [--repeat 7]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import django

TARGET_MS = 300.0


def _pages() -> list[tuple[str, str | None, Callable[[], str]]]:
    from airgrade.platform.declarations.models import Declaration
    from airgrade.platform.emergency.models import ListEntry

    def declaration(state: str, region: str = "410181") -> Callable[[], str]:
        def path() -> str:
            row = Declaration.objects.filter(state=state, region_id=region).order_by("pk").first()
            if row is None:
                raise SystemExit(f"the demo has no declaration in state {state}: run `uv run airgrade demo`")
            return f"/declarations/{row.pk}/"

        return path

    def own_declaration() -> str:
        from airgrade.platform.accounts.models import User

        enterprise = User.objects.get(username="enterprise").enterprise
        return f"/declarations/{Declaration.objects.filter(enterprise=enterprise).order_by('-pk').first().pk}/"

    def entry() -> str:
        row = ListEntry.objects.filter(site__region_id="410181").order_by("pk").first()
        return f"/emergency/entries/{row.pk}/" if row else "/emergency/"

    return [
        ("工作台（县级）", "county", lambda: "/"),
        ("申报列表（县级）", "county", lambda: "/declarations/"),
        ("申报审核页（县级，初审中）", "county", declaration("county_review")),
        ("申报审核页（省级，核定中）", "province", declaration("province_verification")),
        ("本企业申报（企业，退回修改）", "enterprise", own_declaration),
        ("企业档案列表（县级）", "county", lambda: "/enterprises/"),
        ("应急减排清单（市级）", "city", lambda: "/emergency/"),
        ("一家企业的清单（县级）", "county", entry),
        ("等级公开（公众）", None, lambda: "/public/grades/"),
        ("审计日志（市级）", "city", lambda: "/audit/"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "airgrade.platform.settings")
    django.setup()
    from django.test import Client

    from airgrade.platform.accounts.models import User

    clients: dict[str | None, Any] = {None: Client()}
    print(f"{'页面':<28}{'路径':<34}{'中位数 ms':>10}{'最慢 ms':>10}")
    over = 0
    for label, username, path_of in _pages():
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        client, path = clients[username], path_of()
        response = client.get(path)  # warm-up: rule book, templates, caches
        if response.status_code != 200:
            print(f"{label}: {path} answered {response.status_code}", file=sys.stderr)
            return 1
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        median, worst = statistics.median(times), max(times)
        over += median > TARGET_MS
        print(f"{label:<28}{path:<34}{median:>10.0f}{worst:>10.0f}")
    print(f"目标：中位数 ≤ {TARGET_MS:.0f} ms；超出目标的页面 {over} 个")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
