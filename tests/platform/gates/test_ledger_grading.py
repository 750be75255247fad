"""Figures from the gate ledger become the declaration's grading facts (issue 11 §4; REQ SJZ-5, H23-6): over the rule
book's period before submission, when the ledger covers enough of it, the ledger's clean share and worst stages are
graded instead of the self-declared ones, with the source `门禁台账 <period>` shown next to the declared value; no
ledger, or too little of one, leaves the self-declared values and says why."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.platform.declarations.workflow_helpers import act, force_state, make_campaign, ready_declaration

from airgrade.platform.declarations import review
from airgrade.platform.declarations import services as declarations
from airgrade.platform.declarations.models import Declaration
from airgrade.platform.gates import services

pytestmark = pytest.mark.django_db(transaction=True)

BJ = dt.timezone(dt.timedelta(hours=8))
# Cement facts that reach B when self-declared (85 % clean trucks, the rest 国四).
FACTS = {
    "road_truck_clean_share": 85.0,
    "road_truck_worst_stage": "国四",
    "inplant_vehicle_worst_stage": "国五",
    "nonroad_worst_stage": "国三",
    "gate_system": True,
    "ammonia_slip": 4.5,
    "pm_concentration": 8.0,
    "so2_concentration": 30.0,
    "nox_concentration": 100.0,
    "materials_closed_storage": True,
    "dust_points_captured": True,
    "cems_online": True,
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def declared(users: dict[str, Any]) -> dict[str, Any]:
    site = users["own_enterprise"].sites.get()
    for plate, stage in (("豫A12345", "国六"), ("豫A44444", "国四")):
        services.save_vehicle(
            users["enterprise"], site.pk, {"kind": "road", "plate": plate, "stage": stage, "fuel": "diesel"}
        )
    device, _ = services.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    declaration = ready_declaration(users["enterprise"], make_campaign(users["city"]))
    declaration.items.update(facts=FACTS)
    return {**users, "site": site, "device": device, "declaration": declaration}


def _ledger(device: Any, days: int) -> None:
    """One truck a day on each of the last `days` days, alternately 国六 and 国四: a 50 % clean share."""
    today = timezone.localdate()
    records = []
    for n in range(1, days + 1):
        moment = dt.datetime.combine(today - dt.timedelta(days=n), dt.time(9), BJ)
        plate = "豫A12345" if n % 2 else "豫A44444"
        records.append({"seq": n, "plate": plate, "direction": "in", "time": moment.isoformat()})
    services.ingest(device, records)


def _fresh(declaration: Declaration) -> Declaration:
    return Declaration.objects.get(pk=declaration.pk)


def test_a_ledger_covering_the_period_is_graded_instead_of_the_declared_share(declared: dict[str, Any]) -> None:
    _ledger(declared["device"], 170)  # 170 of the 180 days: above the 80 % the rule book asks
    declaration = _fresh(declared["declaration"])
    [item] = review.review_items(declaration)
    assert item.engine_grade == "C"  # 50 % clean trucks: B needs 80 %
    [share] = [f for f in item.fact_sources if f.label.startswith("公路运输中国五")]
    assert (share.declared, share.other, share.used, share.differs) == ("85%", "50%", True, True)
    assert share.graded_source.startswith("门禁台账 ") and "至" in share.graded_source
    [row] = [r for r in item.rows if r.indicator_id == "road_transport"]
    assert row.fact_source.startswith("门禁台账 ") and "85%（企业自报）" in row.fact_other

    [check] = declarations.self_check(declared["enterprise"], declaration.pk)
    assert check["grade"] == "C"
    assert {f["key"]: f["graded_source"][:4] for f in check["fact_sources"]}["road_truck_clean_share"] == "门禁台账"

    page = _text(_client(declared["county"]).get(f"/declarations/{declaration.pk}/").content.decode())
    assert "数据来源核对" in page and "与自报不一致" in page
    assert "运输指标采用门禁台账数据" in page and "85%" in page and "50%" in page

    # Submitting seals the engine's verdict on the ledger's figure with the sources (REQ G-7).
    act(declared["enterprise"], declaration, "declaration.submit")
    sealed = _fresh(declaration).items.get().self_check
    assert sealed["grade"] == "C"
    assert any(f["key"] == "road_truck_clean_share" and f["used"] for f in sealed["fact_sources"])

    # The county's grading step shows both values and offers nothing better than the ledger's C.
    force_state(_fresh(declaration), "county_review", declared["county"], checks=True)
    confirm = _client(declared["county"]).get(
        f"/declarations/{declaration.pk}/confirm/?action=declaration.county_grade"
    )
    html = confirm.content.decode()
    assert "运输指标按门禁台账数据评定" in _text(html) and "与自报不一致" in _text(html)
    select = html.split('name="grade_cement"')[1].split("</select>")[0]
    assert 'value="C"' in select and 'value="B"' not in select


def test_without_a_ledger_the_self_declared_facts_stay(declared: dict[str, Any]) -> None:
    declaration = _fresh(declared["declaration"])
    [item] = review.review_items(declaration)
    assert item.engine_grade == "B" and item.fact_sources == []
    page = _text(_client(declared["county"]).get(f"/declarations/{declaration.pk}/").content.decode())
    assert "数据来源核对" not in page and "运输指标采用门禁台账数据" not in page


def test_a_ledger_with_too_little_coverage_is_not_used_and_says_so(declared: dict[str, Any]) -> None:
    _ledger(declared["device"], 10)
    declaration = _fresh(declared["declaration"])
    [item] = review.review_items(declaration)
    assert item.engine_grade == "B"
    [share] = [f for f in item.fact_sources if f.label.startswith("公路运输中国五")]
    assert (share.used, share.graded_source) == (False, "企业自报")
    assert "仅覆盖 10/180 天" in share.note and "仍按企业自报值评定" in share.note
    page = _text(_client(declared["county"]).get(f"/declarations/{declaration.pk}/").content.decode())
    assert "仅覆盖 10/180 天" in page
    force_state(declaration, "county_review", declared["county"])
    confirm = _client(declared["county"]).get(
        f"/declarations/{declaration.pk}/confirm/?action=declaration.county_grade"
    )
    confirm_text = _text(confirm.content.decode())
    assert "门禁台账数据未采用" in confirm_text and "仅覆盖 10/180 天" in confirm_text


def test_the_period_and_the_minimum_coverage_are_rule_data_with_their_source() -> None:
    policy = services.rules(dt.date(2026, 12, 1)).ledger_facts
    assert policy.precedence == "ledger" and policy.period_days == 180 and policy.min_coverage_percent == 80
    assert policy.source.provenance.value == "provisional" and "SJZ-5" in policy.source.note
