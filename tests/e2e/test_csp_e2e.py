"""The Content-Security-Policy in a real browser (issue 8, defect 10): chromium reports no blocked script or style on
the pages that run JavaScript — the ECharts dashboard, the list editor (htmx on every page), the declaration page —
and Swagger UI draws /api/docs from our own static files. AIRGRADE_SCREENSHOTS=DIR keeps a PNG of each page."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.platform.declarations.workflow_helpers import make_campaign, ready_declaration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch(page: Any) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on(
        "request",
        lambda r: (
            violations.append(f"outside request {r.url}")
            if not r.url.startswith(("http://localhost", "http://127.0.0.1", "data:"))
            else None
        ),
    )
    return violations


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("AIRGRADE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_pages_with_script_work_under_the_policy(page: Any, login: Any, users: dict[str, Any]) -> None:
    violations = _watch(page)
    declaration = ready_declaration(users["enterprise"], make_campaign(users["city"]))
    site = users["own_enterprise"].sites.get()
    login("ent")
    page.goto(f"/emergency/sites/{site.pk}/2024/edit/")
    before = page.locator("#lines tbody tr").count()
    page.click("#add-line")  # the editor's script, now a static file
    assert page.locator("#lines tbody tr").count() == before + 1
    _shot(page, "csp-emergency-edit")
    page.goto(f"/declarations/{declaration.pk}/")
    link = page.locator("a[href*='/evidence/']").first
    assert link.inner_text() == "监测报告.pdf"
    _shot(page, "csp-declaration-detail")
    page.click("text=退出")
    login("city")
    page.goto("/emergency/dashboard/?level=orange")
    page.wait_for_function("window.airgradeCharts && window.airgradeCharts.length === 2")
    assert page.locator("#chart-levels canvas").count() >= 1
    assert page.evaluate("typeof htmx") == "object"
    _shot(page, "csp-emergency-dashboard")
    page.goto("/api/docs")
    page.wait_for_selector("#swagger-ui .info .title", timeout=30000)
    assert "airgrade API" in page.locator("#swagger-ui .info").inner_text()
    assert page.locator("#swagger-ui .opblock").count() > 20  # the operations drawn from our openapi.json
    _shot(page, "csp-api-docs")
    assert violations == []
