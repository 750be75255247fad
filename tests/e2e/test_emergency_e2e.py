"""Emergency pages in headless chromium: the ECharts dashboard draws, the list editor adds a line and saves."""

from __future__ import annotations

from typing import Any

import pytest

from airgrade.platform.emergency.models import ListEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enterprise_edits_list_and_city_sees_charts(page: Any, login: Any, users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.get()
    login("ent")
    page.goto(f"/emergency/sites/{site.pk}/2024/edit/")
    page.locator("select[name=grade]").first.select_option("C")
    page.fill("input[name=line-0-key]", "L1")
    page.fill("input[name=line-0-eia_capacity]", "4000")
    page.fill("input[name=line-0-NOx]", "1.5")
    before = page.locator("#lines tbody tr").count()
    page.click("#add-line")
    assert page.locator("#lines tbody tr").count() == before + 1
    page.click("button:has-text('保存清单')")
    page.wait_for_url("**/emergency/entries/*/")
    assert "1#熟料线：停产" in page.locator("#plan-orange").inner_text()
    assert ListEntry.objects.get(site=site).lines.get(key="L1").nox_t_per_day == 1.5

    page.click("text=退出")
    login("city")
    page.goto("/emergency/dashboard/?level=orange")
    page.wait_for_function("window.airgradeCharts && window.airgradeCharts.length === 2")
    assert page.locator("#chart-levels canvas").count() >= 1
    # A city's dashboard breaks down by county (its own one-bar city chart is gone).
    assert page.locator("#chart-parts canvas").count() >= 1
    assert "巩义市" in page.locator("#part-table").inner_text()
    assert "郑州市" in page.locator("#city-table").inner_text()
