"""Page scan (issue 15): every page of the URL map, as each role, on demo-like data.

- Django's test client renders each GET page (sample ids in the caller's scope from a small demo) and the visible
  text must hold no raw code: no snake_case identifier, no "object (N)", no "REQ " citation, and no number in
  exponent notation.
- One headless chromium page, at 390 px, opens the public pages and the enterprise's pages: nothing may be wider
  than the screen (a wide table scrolls inside its own box).

Runs in well under two minutes on a 2-core machine: one demo load per test, one browser, one reused page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Model, Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from tests.e2e.browser import sign_in

pytestmark = pytest.mark.django_db

PASSWORD = "airgrade-demo-2026"
ROLES = ["anonymous", "enterprise", "county", "city", "province", "expert"]
# Not pages: signing out, switching language, admin and the JSON API (its own tests check the schema).
SKIP_NAMES = {"logout", "set_language"}
SKIP_PREFIXES = ("admin/", "api/", "static/", "media/")

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
GENERIC_OBJECT = re.compile(r"\bobject \(\d+\)")
REQ = re.compile(r"\bREQ\s")
# 1.9037e+06, 1e400; not a hash prefix cut with "…" (6017e2230851…) or inside a hex digest (1015e3f91cf8).
EXPONENT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+-]?\d+(?![\w…])")
# Text a person reads: drop scripts, styles, JSON islands, comments and tags; attributes are not read.
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def visible_text(page: str) -> str:
    return html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page)))


HEX_DIGEST = re.compile(r"[0-9a-f]{8,}")


def raw_codes(text: str) -> list[str]:
    found = []
    for pattern in (SNAKE, GENERIC_OBJECT, REQ, EXPONENT):
        found += [match.group(0) for match in pattern.finditer(text)]
    # A seal or hash prefix (531823036e52) is a digest people compare, not a number in exponent notation.
    return [code for code in found if not HEX_DIGEST.fullmatch(code)]


def routes() -> Iterator[tuple[str, str, list[str]]]:
    """(route, name, path parameters) of every page in the URL map."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str, list[str]]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith(SKIP_PREFIXES) or pattern.name in SKIP_NAMES:
                    continue
                yield route, pattern.name or "", re.findall(r"<(?:\w+:)?(\w+)>", route)

    return walk(get_resolver().url_patterns, "")


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    """A small demo (the real services: workflow, registry, lists) plus one active alert with its tasks."""
    from airgrade.platform.accounts.models import User
    from airgrade.platform.demo import load_demo
    from airgrade.platform.emergency import services as emergency

    load_demo(enterprise_count=24, seed=7)
    city = User.objects.get(username="city")
    emergency.issue_alert(
        city, {"region_codes": ["410100"], "level": "orange", "starts_at": "2026-12-01T20:00", "title": ""}, "会商"
    )
    return {}


def _user(role: str) -> Any:
    from airgrade.platform.accounts.models import User

    return None if role == "anonymous" else User.objects.get(username=role)


def _scoped(model: type[Model], user: Any, region: str, enterprise: str | None) -> Model | None:
    """One row the user may see: inside the user's region, or of the user's enterprise."""
    from airgrade.platform.permissions import within

    queryset = model._default_manager.order_by("-pk")
    if user is None:
        return queryset.first()
    if user.enterprise_id is not None and enterprise:
        return queryset.filter(Q(**{enterprise: user.enterprise_id})).first()
    if user.region_id and region:
        return queryset.filter(within(user.region_id, region)).first()
    return queryset.first()


def sample_ids(user: Any) -> dict[str, Any]:
    from airgrade.platform.declarations.models import Campaign, ExpertProfile
    from airgrade.platform.declarations.services import visible_declarations
    from airgrade.platform.disclosure.models import Objection
    from airgrade.platform.emergency.models import AlertEvent, AlertTask, ListEntry
    from airgrade.platform.enterprises.models import Enterprise, ProductionLine, Site
    from airgrade.platform.grades.models import LookbackItem, LookbackRound, RectificationOrder
    from airgrade.platform.jobs.models import Job

    def pk(obj: Model | None) -> Any:
        return None if obj is None else obj.pk

    from airgrade.platform.scorecards import services as scorecards

    declaration = visible_declarations(user).order_by("-pk").first() if user is not None else None
    score_round = scorecards.visible_rounds(user).first() if user is not None else None
    scorecard = (
        scorecards.visible_scorecards(user, score_round).order_by("-declared_at", "pk").first() if score_round else None
    )
    entry = _scoped(ListEntry, user, "region", "enterprise_id")
    objection = _scoped(Objection, user, "city", "enterprise_id")
    return {
        "enterprise_id": pk(_scoped(Enterprise, user, "region", "id")),
        "site_id": entry.site_id if entry is not None else pk(_scoped(Site, user, "region", "enterprise_id")),
        "year": entry.year if entry is not None else 2026,
        "line_id": pk(_scoped(ProductionLine, user, "site__region", "site__enterprise_id")),
        "order_id": pk(_scoped(RectificationOrder, user, "region", "enterprise_id")),
        "round_id": pk(_scoped(LookbackRound, user, "region", None)),
        "item_id": pk(LookbackItem.objects.order_by("-pk").first()),
        "declaration_id": pk(declaration),
        "evidence_id": pk(declaration.evidence.first()) if declaration is not None else None,
        "expert_id": pk(ExpertProfile.objects.order_by("pk").first()),
        "campaign_id": pk(_scoped(Campaign, user, "region", None)),
        "objection_id": pk(objection),
        "reference": objection.reference if objection is not None else None,
        "entry_id": pk(entry),
        "event_id": pk(AlertEvent.objects.order_by("-pk").first()),
        "task_id": pk(_scoped(AlertTask, user, "region", "enterprise_id")),
        "code": "cement",
        "job_id": pk(Job.objects.order_by("-pk").first()),
        "score_round_id": pk(score_round),
        "scorecard_id": pk(scorecard),
        "step": "report",
        "kind": "enterprise",
        "fmt": "docx",
    }


def _url(route: str, ids: dict[str, Any]) -> str | None:
    path = route
    for full, name in re.findall(r"(<(?:\w+:)?(\w+)>)", route):
        if ids.get(name) is None:
            return None
        path = path.replace(full, str(ids[name]))
    return "/" + path


def test_no_raw_codes_on_any_page_for_any_role(demo: dict[str, Any]) -> None:
    problems: list[str] = []
    pages = 0
    for role in ROLES:
        user = _user(role)
        client = Client()
        if user is not None:
            client.force_login(user)
        ids = sample_ids(user)
        for route, name, _params in routes():
            url = _url(route, ids)
            if url is None:
                continue
            response = client.get(url)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            codes = raw_codes(visible_text(response.content.decode()))
            if codes:
                problems.append(f"{role} {url} ({name}): {sorted(set(codes))[:8]}")
    assert pages > 60, pages
    assert not problems, "raw codes on pages:\n" + "\n".join(problems)


def test_scan_patterns() -> None:
    text = visible_text(
        "<p>industrial_coating AlertTask object (1) REQ LC-14 1.9037e+06</p><script>a_b = 1</script><b title='x_y'>ok</b>"
    )
    assert raw_codes(text) == ["industrial_coating", "object (1)", "REQ ", "1.9037e+06"]
    assert (
        raw_codes(visible_text("<p>水泥 B级 1,903,700 吨 SO2 NOx PM2.5 GB 4915-2013 6017e2230851… 531823036e52</p>"))
        == []
    )
    assert raw_codes("保存了 1e400") == ["1e400"]


# ---------------------------------------------------------------- 390 px: public and enterprise pages

PHONE_PAGES_PUBLIC = ["/public/grades/", "/public/notices/", "/public/monthly-report/", "/rules/", "/rules/cement/"]
PHONE_PAGES_ENTERPRISE = [
    "/",
    "/declarations/",
    "/enterprises/{enterprise_id}/",
    "/enterprises/{enterprise_id}/overview/",
    "/declarations/{declaration_id}/",
    "/emergency/",
    "/emergency/entries/{entry_id}/",
    "/emergency/sites/{site_id}/{year}/edit/",
    "/emergency/alerts/",
    "/emergency/alerts/{event_id}/",
    "/grades/",
    "/scorecards/",
    "/scorecards/{scorecard_id}/",
]


@pytest.mark.django_db(transaction=True)
def test_public_and_enterprise_pages_fit_a_390px_screen(browser: Any, live_server: Any) -> None:
    from airgrade.platform.accounts.models import User
    from airgrade.platform.demo import load_demo
    from airgrade.platform.emergency import services as emergency

    load_demo(enterprise_count=12, seed=7)
    emergency.issue_alert(
        User.objects.get(username="city"),
        {"region_codes": ["410100"], "level": "orange", "starts_at": "2026-12-01T20:00", "title": ""},
        "会商",
    )
    user = User.objects.get(username="enterprise")
    ids = sample_ids(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    too_wide = []
    checked = []

    def check(url: str) -> None:
        response = page.goto(url)
        if response is None or response.status != 200:
            return
        checked.append(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            culprit = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-scroll, .card'))
                .slice(0, 3).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).join(', ')"""
            )
            too_wide.append(f"{url}: {width}px ({culprit})")

    try:
        for url in PHONE_PAGES_PUBLIC:
            check(url)
        sign_in(page, "enterprise", PASSWORD)
        for template in PHONE_PAGES_ENTERPRISE:
            url = template.format(**{k: v for k, v in ids.items() if v is not None}) if "{" in template else template
            if "{" not in url:
                check(url)
    finally:
        context.close()
    assert len(checked) >= 12, checked
    assert not too_wide, "wider than a 390 px screen:\n" + "\n".join(too_wide)
