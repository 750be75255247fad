"""The public browses the cement rules; an enterprise self-assesses and sees grade, gaps and trace (chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import PASSWORD
from tests.e2e.browser import submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_rule_browser_shows_sources_and_badges(page: Any) -> None:
    page.goto("/rules/")
    page.click("text=水泥")
    page.wait_for_selector("#measures")
    transport = page.locator("#aspect-transport_mode").inner_text()
    assert "物料公路运输车辆" in transport and "转载" in transport
    assert "暂定" in page.locator("#aspect-emission_limits").inner_text()
    assert "限产 20%" in page.locator("#measures").inner_text()


def test_enterprise_self_assessment(page: Any, users: dict[str, Any], tmp_path: Any) -> None:
    # Signing in through the redirect of the protected page. (The shared `login` fixture clicks the first submit
    # button of the page, which is the header's language switch, and its wait for "**/" matches the login URL.)
    page.goto("/rules/assess/")
    page.fill("#id_username", "ent")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("select[name=industry]")
    page.select_option("select[name=industry]", "cement")
    page.fill("input[name=as_of]", "2021-06-01")
    page.click("button:has-text('选择')")
    page.fill("#fact_road_truck_clean_share", "79.9")
    page.select_option("#fact_road_truck_worst_stage", "国四")
    page.select_option("#fact_inplant_vehicle_worst_stage", "国五")
    page.select_option("#fact_nonroad_worst_stage", "国三")
    page.select_option("#fact_gate_system", "yes")
    page.fill("#fact_ammonia_slip", "4")
    page.fill("#fact_pm_concentration", "9")
    page.fill("#fact_so2_concentration", "30")
    page.fill("#fact_nox_concentration", "90")
    page.select_option("#fact_materials_closed_storage", "yes")
    page.select_option("#fact_dust_points_captured", "yes")
    page.select_option("#fact_cems_online", "yes")
    page.click("button:has-text('计算等级')")
    page.wait_for_selector("#assess-result")
    assert page.locator("#assess-grade").inner_text() == "C"
    result = page.locator("#assess-result").inner_text()
    assert "距 B级的差距" in result and "79.9%" in result and "≥ 80%" in result
    assert page.locator("#assess-trace tbody tr").count() == 11
    # The entered values survive the round trip, so the enterprise can adjust and recompute.
    assert page.input_value("#fact_road_truck_clean_share") == "79.9"
    page.fill("#fact_road_truck_clean_share", "80")
    submit(page, "button:has-text('计算等级')")  # the old page already shows a result: wait for the new one
    page.wait_for_selector("#assess-result")
    assert page.locator("#assess-grade").inner_text() == "B"
    page.screenshot(path=str(tmp_path / "self-assessment.png"), full_page=True)
