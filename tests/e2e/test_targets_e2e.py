"""The leaders' dashboards render in a browser (REQ H21-1): the province sees every city against its target with
ECharts drawn, drills down to a city and its counties; a phone keeps the page inside 390 px (headless chromium)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.targets import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _grade(enterprise: Any, grade: str) -> None:
    site = enterprise.sites.first()
    GradeRecord.objects.create(
        enterprise=enterprise, site=site, region_id=site.region_id, industry_code="cement", grade=grade,
        valid_from=dt.date(2025, 1, 1), source=GradeRecord.Source.CAMPAIGN,
    )  # fmt: skip


def _charts_drawn(page: Any) -> int:
    """How many ECharts instances have drawn a canvas (the JS registers them on window.airgradeCharts)."""
    page.wait_for_function("window.airgradeCharts && window.airgradeCharts.length > 0")
    return int(page.evaluate("document.querySelectorAll('.chart canvas').length"))


def test_province_and_city_dashboards_render(page: Any, login: Any, users: dict[str, Any], tmp_path: Any) -> None:
    services.forget_counts()
    _grade(users["own_enterprise"], "B")
    _grade(users["other_enterprise"], "C")
    _grade(users["far_enterprise"], "D")
    login("province")
    page.click("nav >> text=分级管理")
    page.click("nav >> text=提升目标")
    page.wait_for_selector("#headline")
    page.wait_for_selector("#chart-history[data-drawn='1']")  # the month ends arrive from the API apart
    assert _charts_drawn(page) >= 4  # cities, families, grade mix, history
    row = page.locator("#parts-table tr:has-text('郑州市')")
    cells = row.locator("td").all_inner_texts()
    assert cells[1:6] == ["2", "1", "50.0%", "≥25%", "已达标"]
    assert "≥25%" in page.locator("#parts-table tr:has-text('洛阳市')").inner_text()
    assert page.locator("#parts-table tbody tr").count() == 18  # every city of Henan, 济源 included
    page.screenshot(path=str(tmp_path / "targets-province.png"), full_page=True)
    row.locator("text=看板").click()
    page.wait_for_selector("#headline")
    assert "郑州市 绩效分级提升目标" in page.content()
    assert _charts_drawn(page) >= 3
    counties = page.locator("#parts-table tbody").inner_text()
    assert "巩义市" in counties and "荥阳市" in counties and "洛阳" not in counties
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#headline")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_city_cannot_open_another_citys_dashboard(page: Any, login: Any, users: dict[str, Any]) -> None:
    login("city")
    response = page.goto("/targets/?region=410300")
    assert response.status == 404
    assert "洛阳" not in page.locator("main").inner_text() if page.locator("main").count() else True
