"""The most-used pages (benchmarks/pages.py, issue 15: ≤ 300 ms on the demo) keep a fixed number of database queries:
an upper bound per page on the demo data, so a list that starts asking the database once per row (N+1: a missing
select_related / prefetch, a due date or a grade looked up per declaration) fails here instead of slowing the page.
Counts, not timings: tests assert behaviour, benchmarks measure time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _pages() -> list[tuple[str, str | None, Callable[[], str], int]]:
    """(label, demo user, path, most queries allowed). The bounds are the counts on the demo (2026-12-03) plus 8:
    room for a feature that adds a constant lookup or two to a page, while a per-row query (one per declaration,
    record, entry or task of the page) adds tens on these lists and fails. Raise a bound when a page gains a
    section, with the new count in the commit message; never for a query per row."""
    from airgrade.platform.accounts.models import User
    from airgrade.platform.declarations.models import Declaration, OnsiteCheck
    from airgrade.platform.emergency.models import ListEntry

    def enterprise_id() -> int:
        return int(User.objects.get(username="enterprise").enterprise_id)

    def declaration(state: str, region: str) -> Callable[[], str]:
        def path() -> str:
            row = Declaration.objects.filter(state=state, region__code__startswith=region).order_by("pk").first()
            assert row is not None, f"the demo has no declaration in state {state} under {region}"
            return f"/declarations/{row.pk}/"

        return path

    def own_declaration() -> str:
        return f"/declarations/{Declaration.objects.filter(enterprise_id=enterprise_id()).latest('pk').pk}/"

    def entry() -> str:
        return f"/emergency/entries/{ListEntry.objects.filter(site__region_id='410181').earliest('pk').pk}/"

    def expert_check() -> str:
        row = OnsiteCheck.objects.filter(experts__user__username="expert").order_by("signed_at", "pk").first()
        assert row is not None
        return f"/declarations/{row.declaration_id}/"

    return [
        ("enterprise home", "enterprise", lambda: "/", 23),
        ("own declaration", "enterprise", own_declaration, 26),
        ("360° page", "enterprise", lambda: f"/enterprises/{enterprise_id()}/overview/", 20),
        ("county home", "county", lambda: "/", 24),
        ("declaration list", "county", lambda: "/declarations/", 20),
        ("county review page", "county", declaration("county_review", "4101"), 28),
        ("registry list", "county", lambda: "/enterprises/", 15),
        ("list entry", "county", entry, 17),
        ("city home", "city", lambda: "/", 23),
        ("city emergency list", "city", lambda: "/emergency/", 17),
        ("city dashboard", "city", lambda: "/emergency/dashboard/", 21),
        ("objections", "city", lambda: "/objections/", 14),
        ("audit log", "city", lambda: "/audit/", 24),
        ("province home", "province", lambda: "/", 21),
        ("province dashboard", "province", lambda: "/emergency/dashboard/", 21),
        ("grade registry", "province", lambda: "/grades/", 14),
        ("monthly report", "province", lambda: "/public/monthly-report/", 26),
        ("expert home", "expert", lambda: "/", 18),
        ("expert's check", "expert", expert_check, 29),
        ("public grades", None, lambda: "/public/grades/", 11),
    ]


@pytest.fixture
def demo(db: Any) -> None:
    from airgrade.platform.demo import load_demo

    load_demo(enterprise_count=40, seed=7)


def test_most_used_pages_ask_the_database_a_bounded_number_of_times(demo: None) -> None:
    from airgrade.platform.accounts.models import User

    clients: dict[str | None, Client] = {None: Client()}
    over = []
    for label, username, path_of, bound in _pages():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        client, path = clients[username], path_of()
        assert client.get(path).status_code == 200, (label, path)  # warm: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (label, path)
        if len(queries) > bound:
            over.append(f"{label} {path}: {len(queries)} queries > {bound}")
    assert not over, "\n".join(over)
