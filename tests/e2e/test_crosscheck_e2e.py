"""Cross-check finding in headless chromium (issue 12 item 4): the county sees the evidence chart drawn and confirms the
finding; the downgrade shows with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from tests.platform.verification.test_crosscheck_services import (
    electricity,
    grade_c,
    last_month,
    load,
    monitoring,
    month_hours,
)

from airgrade.platform.verification import crosscheck
from airgrade.platform.verification.models import Finding

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_confirms_a_cross_check_finding(page: Any, login: Any, users: dict[str, Any]) -> None:
    grade_c(users)
    load(
        users["county"],
        "monitoring",
        monitoring(users["own_enterprise"].credit_code, month_hours(last_month()), high=40),
    )
    crosscheck.run_month(users["county"], last_month())
    finding = Finding.objects.get()
    login("county")
    page.goto("/verification/findings/")
    page.click(f"a[href='/verification/findings/{finding.pk}/']")
    page.wait_for_selector("#finding-chart canvas")
    page.select_option("#id_decision", "confirm")
    page.fill("#id_reason", "复核在线监测数据属实")
    page.click("form[action$='/decide/'] button[type=submit]")
    page.wait_for_selector("text=已确认属实，关联降级 1 项")
    assert "超标排放" in page.locator("#decision").inner_text()
    assert Finding.objects.get().status == "confirmed"


def test_a_silent_meter_finding_names_the_meter_and_draws_its_use(page: Any, login: Any, users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    hours = month_hours(last_month())
    m = crosscheck.cross_rules(last_month()).meter_silence_hours
    load(users["county"], "monitoring", monitoring(code, hours))
    load(users["county"], "electricity", electricity(code, hours, missing=range(100, 110 + m)))
    crosscheck.run_month(users["county"], last_month())
    finding = Finding.objects.get()
    login("county")
    page.goto("/verification/findings/")
    listed = page.locator("main").inner_text()
    assert "在线监测或电表长时间无有效数据" in listed and "电表 M1" in listed
    page.screenshot(path="/tmp/vfeed_findings.png", full_page=True)
    page.click(f"a[href='/verification/findings/{finding.pk}/']")
    page.wait_for_selector("#finding-chart canvas")
    text = page.locator("main").inner_text()
    assert f"电表 M1 最长连续 {m + 10} 小时无有效用电数据" in text and "meter" not in text
    page.screenshot(path="/tmp/vfeed_meter_finding.png", full_page=True)
