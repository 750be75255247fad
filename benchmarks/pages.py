"""Benchmark: response time and query count of each role's most-used pages on the demo (issue 15: ≤ 300 ms).

Runs the real Django stack in-process (middleware, sessions, templates, the demo's SQLite or whatever
AIRGRADE_DATABASE_URL names) with Django's test client, signed in as each demo user. Each page is requested once to
warm the process (rule book, templates), then `--repeat` times; the median, the worst and the number of database
queries of one request are printed. Load the demo first: `uv run airgrade demo`.
Run: `uv run python benchmarks/pages.py [--repeat 7]`.

Which pages: per role, the pages of its daily work (benchmarks/README.md says why each); the ten marked ★ are the
issue's "ten most-used pages". The regression guard is tests/platform/test_page_queries.py (query counts, not time).
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


def _pages() -> list[tuple[bool, str, str | None, Callable[[], str]]]:
    """(one of the ten, label, demo user, path) per page, grouped by role."""
    from airgrade.platform.accounts.models import User
    from airgrade.platform.declarations.models import Declaration, OnsiteCheck
    from airgrade.platform.emergency.models import ListEntry

    def declaration(state: str, region: str = "410181") -> Callable[[], str]:
        def path() -> str:
            row = Declaration.objects.filter(state=state, region__code__startswith=region).order_by("pk").first()
            if row is None:
                raise SystemExit(f"the demo has no declaration in state {state}: run `uv run airgrade demo`")
            return f"/declarations/{row.pk}/"

        return path

    def enterprise_id() -> int:
        return int(User.objects.get(username="enterprise").enterprise_id)

    def own_declaration() -> str:
        row = Declaration.objects.filter(enterprise_id=enterprise_id()).order_by("-pk").first()
        return f"/declarations/{row.pk}/" if row else "/declarations/"

    def entry() -> str:
        row = ListEntry.objects.filter(site__region_id="410181").order_by("pk").first()
        return f"/emergency/entries/{row.pk}/" if row else "/emergency/"

    def own_entry() -> str:
        row = ListEntry.objects.filter(enterprise_id=enterprise_id()).order_by("-year").first()
        return f"/emergency/entries/{row.pk}/" if row else "/emergency/"

    def expert_check() -> str:
        row = OnsiteCheck.objects.filter(experts__user__username="expert").order_by("signed_at", "pk").first()
        return f"/declarations/{row.declaration_id}/" if row else "/declarations/"

    return [
        # enterprise: its home (tasks, alert banner), its declaration (facts form and self-check), its 360° page,
        # its emergency-list entry (measures per level).
        (False, "工作台（企业）", "enterprise", lambda: "/"),
        (True, "本企业申报（企业，退回修改）", "enterprise", own_declaration),
        (False, "企业全景（企业）", "enterprise", lambda: f"/enterprises/{enterprise_id()}/overview/"),
        (False, "本企业清单（企业）", "enterprise", own_entry),
        # county: work queue, declaration list, review page, registry, emergency list and one entry.
        (True, "工作台（县级）", "county", lambda: "/"),
        (True, "申报列表（县级）", "county", lambda: "/declarations/"),
        (True, "申报审核页（县级，初审中）", "county", declaration("county_review")),
        (True, "企业档案列表（县级）", "county", lambda: "/enterprises/"),
        (True, "一家企业的清单（县级）", "county", entry),
        # city: work queue, review page, emergency list, its dashboard by county, objections, the audit log.
        (False, "工作台（市级）", "city", lambda: "/"),
        (False, "申报审核页（市级，审核中）", "city", declaration("city_review", "4101")),
        (True, "应急减排清单（市级）", "city", lambda: "/emergency/"),
        (False, "减排看板（市级，分县）", "city", lambda: "/emergency/dashboard/"),
        (False, "举报办理（市级）", "city", lambda: "/objections/"),
        (True, "审计日志（市级）", "city", lambda: "/audit/"),
        # province: verification page, dashboard by city, grade registry, monthly report.
        (False, "工作台（省级）", "province", lambda: "/"),
        (True, "申报审核页（省级，核定中）", "province", declaration("province_verification", "41")),
        (False, "减排看板（省级，分市）", "province", lambda: "/emergency/dashboard/"),
        (False, "等级登记（省级）", "province", lambda: "/grades/"),
        (False, "月度报表（省级）", "province", lambda: "/public/monthly-report/"),
        # expert: the assigned checks (work queue) and one check's findings form.
        (False, "工作台（专家）", "expert", lambda: "/"),
        (False, "现场核查（专家）", "expert", expert_check),
        # public: the grade catalogue and notices.
        (True, "等级公开（公众）", None, lambda: "/public/grades/"),
        (False, "结果公告（公众）", None, lambda: "/public/notices/"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "airgrade.platform.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from airgrade.platform.accounts.models import User

    clients: dict[str | None, Any] = {None: Client()}
    print(f"{'':2}{'页面':<26}{'路径':<30}{'中位数 ms':>10}{'最慢 ms':>9}{'查询数':>7}")
    over = 0
    for ten, label, username, path_of in _pages():
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        client, path = clients[username], path_of()
        response = client.get(path)  # warm-up: rule book, templates, caches
        if response.status_code != 200:
            print(f"{label}: {path} answered {response.status_code}", file=sys.stderr)
            return 1
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        query_count = len(queries)  # now: the next request's start clears Django's query log
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        median, worst = statistics.median(times), max(times)
        over += median > TARGET_MS
        print(f"{'★' if ten else '':2}{label:<26}{path:<30}{median:>10.0f}{worst:>9.0f}{query_count:>7}")
    print(f"★ = 十个最常用页面。目标：中位数 ≤ {TARGET_MS:.0f} ms；超出目标的页面 {over} 个")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
