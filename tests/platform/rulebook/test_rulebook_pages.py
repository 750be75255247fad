"""Rule browser (public) and self-assessment page (login): values, sources, provenance; grade, trace, gaps."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_browser_is_public_and_lists_industries_by_family() -> None:
    response = Client().get("/rules/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "水泥" in text and "建材类" in text and "涉VOCs类" in text
    assert "企业自评" not in text  # the assessment link is for logged-in users


def test_industry_page_shows_aspects_values_sources_and_badges() -> None:
    response = Client().get("/rules/cement/", {"as_of": "2021-01-01"})
    assert response.status_code == 200
    text = response.content.decode()
    for fragment in (
        "运输方式",
        "排放限值",
        "环办大气函〔2020〕340号",
        "prov-secondary",
        "prov-provisional",
        "限产 20%",
        "≤ 5 mg/m³</td>",
    ):
        assert fragment in text, fragment
    assert "mg/m3 mg/m3" not in text and "mg/m³ mg/m" not in text  # the unit once, as its symbol


def test_industry_page_unknown_code_is_a_friendly_404() -> None:
    response = Client().get("/rules/nope/")
    assert response.status_code == 404
    assert "未知的行业代码" in response.content.decode()


def test_assess_requires_login() -> None:
    response = Client().get("/rules/assess/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_assess_form_then_result_with_trace_and_gaps(users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["enterprise"])
    form = client.get("/rules/assess/", {"industry": "cement", "as_of": "2021-06-01"})
    assert form.status_code == 200
    assert 'name="fact_road_truck_clean_share"' in form.content.decode()
    facts = {
        "road_truck_clean_share": "85",
        "road_truck_worst_stage": "国四",
        "inplant_vehicle_worst_stage": "国五",
        "nonroad_worst_stage": "国三",
        "gate_system": "yes",
        "ammonia_slip": "4.2",
        "pm_concentration": "9.5",
        "so2_concentration": "30",
        "nox_concentration": "95",
        "materials_closed_storage": "yes",
        "dust_points_captured": "yes",
        "cems_online": "yes",
    }
    data = {"industry": "cement", "as_of": "2021-06-01", **{f"fact_{k}": v for k, v in facts.items()}}
    response = client.post("/rules/assess/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="assess-grade">B<' in text
    assert "距 A级的差距" in text and "运输方式：物料公路运输车辆" in text
    assert 'id="assess-trace"' in text and "含暂定值" in text

    capped = client.post("/rules/assess/", {**data, "violation_no_auto_monitoring": "1"}).content.decode()
    assert 'id="assess-grade">C<' in capped and "上一年度存在违法行为" in capped


def test_assess_bad_number_names_the_fact(users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["county"])
    response = client.post(
        "/rules/assess/", {"industry": "cement", "as_of": "2021-06-01", "fact_pm_concentration": "低"}
    )
    text = response.content.decode()
    assert "填写有误" in text and "pm_concentration" in text and "须为数字" in text


def test_assess_reads_its_input_through_the_form(users: dict[str, Any]) -> None:
    """rulebook/forms.py: a fact refused by the form (a NUL character) counts as not entered, never a 500; ticked
    violations still cap the grade."""
    client = Client()
    client.force_login(users["enterprise"])
    data = {"industry": " cement ", "as_of": "2021-06-01", "fact_ammonia_slip": "4\x002", "violation_bribery": ""}
    response = client.post("/rules/assess/", data)
    assert response.status_code == 200
    assert 'name="fact_ammonia_slip"' in response.content.decode()
