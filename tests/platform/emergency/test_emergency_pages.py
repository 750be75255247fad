"""Emergency pages: the list editor, entry detail with downloads and decisions, dashboard, alert pages; scope."""

from __future__ import annotations

import io
import json
import re

import docx
import pytest
from django.test import Client
from emergency_platform_builders import payload, site_of

from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import AlertEvent, ListEntry, ListLine

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def editor_form(**overrides):
    form = {
        "in_industrial_park": "on",
        "transport_mode": "公路",
        "transport_volume_t": "120000",
        "output_value_10k_yuan": "5200",
        "energy_use_tce": "18000",
        "annual_output": "1500000",
        "output_unit": "t",
        "industry_code": ["cement", ""],
        "grade": ["C", ""],
        "line_count": "2",
        "line-0-key": "L1",
        "line-0-name": "1号熟料线",
        "line-0-industry_code": "",
        "line-0-status": "running",
        "line-0-capacity_unit": "t/d",
        "line-0-eia_capacity": "5000",
        "line-0-permit_capacity": "4500",
        "line-0-actual_output": "4800",
        "line-0-SO2": "0.3",
        "line-0-NOx": "1.8",
        "line-0-PM": "0.2",
        "line-0-VOCs": "",
        "line-0-key_parameters": "窑头温度 ≤ 1100℃",
        "line-1-key": "L2",
        "line-1-name": "2号熟料线",
        "line-1-status": "backup",
        "line-1-capacity_unit": "t/d",
        "line-1-eia_capacity": "2500",
        "line-1-NOx": "0.9",
        "reason": "年度修订",
    }
    form.update(overrides)
    return form


def test_enterprise_fills_the_list_in_the_editor(users):
    site = site_of(users["own_enterprise"])
    client = client_for(users["enterprise"])
    page = client.get(f"/emergency/sites/{site.pk}/2024/edit/")
    assert page.status_code == 200 and "1#熟料线" in page.content.decode()  # starts from the registry's lines
    response = client.post(f"/emergency/sites/{site.pk}/2024/edit/", editor_form())
    entry = ListEntry.objects.get(site=site, year=2024)
    assert response.status_code == 302 and response["Location"] == f"/emergency/entries/{entry.pk}/"
    assert [(line.key, line.status, line.nox_t_per_day) for line in entry.lines.all()] == [
        ("L1", "running", 1.8),
        ("L2", "backup", 0.9),
    ]
    detail = client.get(f"/emergency/entries/{entry.pk}/").content.decode()
    assert "黄色预警（III级响应）" in detail and "红色预警（I级响应）" in detail
    assert "1号熟料线：停产" in detail  # C orange: stop
    assert "一厂一策 DOCX" in detail
    listing = client.get("/emergency/").content.decode()
    assert "本县企业" in listing


def test_editor_shows_the_reason_and_saves_nothing_on_bad_input(users):
    site = site_of(users["own_enterprise"])
    client = client_for(users["enterprise"])
    response = client.post(f"/emergency/sites/{site.pk}/2024/edit/", editor_form(**{"line-0-NOx": "-5"}))
    assert response.status_code == 200
    assert "NOx 排放量不能为负数" in response.content.decode()
    assert 'value="1号熟料线"' in response.content.decode()  # the user's input is kept
    assert not ListLine.objects.exists()
    weak = client.post(
        f"/emergency/sites/{site.pk}/2024/edit/",
        editor_form(**proposal_row(0, "yellow", "cement", "curtail", "10")),
    )
    assert "弱于本等级最低要求" in weak.content.decode()
    assert '<option value="curtail" selected>' in weak.content.decode()  # the row is kept as chosen
    assert not ListEntry.objects.exists()


def proposal_row(index, level, industry, kind, value="", stage="", note=""):
    return {
        "proposal_count": str(index + 1),
        f"proposal-{index}-level": level,
        f"proposal-{index}-industry": industry,
        f"proposal-{index}-kind": kind,
        f"proposal-{index}-value": value,
        f"proposal-{index}-stage": stage,
        f"proposal-{index}-note": note,
    }


def test_proposals_are_chosen_from_the_measure_kinds_not_typed_as_json(users):
    """自报措施 (REQ G-5, H23-4): level, industry and measure chosen from lists, a percentage or a vehicle stage;
    saved as the service's proposals and shown again as rows; a missing value is refused naming the row."""
    site = site_of(users["own_enterprise"])
    client = client_for(users["enterprise"])
    url = f"/emergency/sites/{site.pk}/2024/edit/"
    form = client.get(url).content.decode()
    assert "JSON" not in form and "docs/emergency.md" not in form and "限产（按比例）" in form
    missing = client.post(url, editor_form(**proposal_row(0, "orange", "cement", "curtail", "")))
    assert "自报措施第 1 行：限产（按比例）须填写比例（%）" in missing.content.decode()
    assert not ListEntry.objects.exists()
    rows = {
        **proposal_row(1, "orange", "cement", "stop_vehicles", stage="国五", note="厂内运输车辆"),
        **proposal_row(0, "orange", "cement", "stop_production", note="整厂停产"),
    }
    rows["proposal_count"] = "2"
    saved = client.post(url, editor_form(**rows))
    assert saved.status_code == 302, re.findall(r'id="form-error">([^<]*)', saved.content.decode())
    entry = ListEntry.objects.get(site=site, year=2024)
    orange = entry.proposals["orange"]["cement"]
    assert [m["kind"] for m in orange] == ["stop_production", "stop_vehicles"]
    assert orange[0]["note_zh"] == "整厂停产" and orange[1]["at_or_below"] == "国五"
    unexplained = client.post(url, editor_form(**{**rows, "reason": ""}))
    assert "修改已保存的清单须填写修改原因" in unexplained.content.decode()  # a revision says why
    assert '<option value="stop_vehicles" selected>' in unexplained.content.decode()
    again = client.get(url).content.decode()
    assert '<option value="stop_vehicles" selected>' in again and '<option value="国五" selected>' in again


def test_docx_download_from_the_page(users):
    entry = services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload())
    response = client_for(users["city"]).get(f"/emergency/entries/{entry.pk}/operation-plan.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "一厂一策" in text


def test_out_of_scope_pages_are_refused(users):
    entry = services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload())
    assert client_for(users["other_enterprise_user"]).get(f"/emergency/entries/{entry.pk}/").status_code == 404
    assert client_for(users["other_city"]).get(f"/emergency/entries/{entry.pk}/").status_code == 404
    assert client_for(users["other_city"]).get(f"/emergency/entries/{entry.pk}/operation-plan.docx").status_code == 404
    site = site_of(users["own_enterprise"])
    assert client_for(users["other_county"]).get(f"/emergency/sites/{site.pk}/2024/edit/").status_code == 404
    assert client_for(users["enterprise"]).get("/emergency/dashboard/?region=410181").status_code == 403
    assert client_for(users["other_city"]).get("/emergency/dashboard/?region=410100").status_code == 403
    assert Client().get("/emergency/").status_code == 302  # to the login page


def test_county_decides_guarantee_and_certifies_small_micro_on_the_detail_page(users):
    facts = {
        "burns_coal": False,
        "burns_oil": False,
        "pollutant_kinds": 1,
        "toxic_or_odorous": False,
        "annual_emissions_kg": 30,
    }
    guarantee = {"category": "export", "guaranteed_daily_output": 1000, "normal_daily_output": 4000, "output_unit": "t"}
    entry = services.save_entry(
        users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(guarantee=guarantee, small_micro=facts)
    )
    county = client_for(users["county"])
    page = county.get(f"/emergency/entries/{entry.pk}/").content.decode()
    assert "保障类审核" in page and "小微涉气企业认定" in page
    county.post(f"/emergency/entries/{entry.pk}/decide/", {"action": "guarantee_approve", "note": "出口订单"})
    county.post(f"/emergency/entries/{entry.pk}/decide/", {"action": "certify", "opinion": "现场核实"})
    entry.refresh_from_db()
    assert entry.guarantee_status == "listed" and entry.small_micro_status == "certified"
    assert "保障类审核" not in client_for(users["enterprise"]).get(f"/emergency/entries/{entry.pk}/").content.decode()


def test_dashboard_has_echarts_and_city_totals(users):
    services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="C"))
    page = client_for(users["city"]).get("/emergency/dashboard/?level=red").content.decode()
    assert "vendor/echarts.min.js" in page and 'id="chart-levels"' in page
    assert "巩义市" in page or "郑州市" in page
    data = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1)
    chart = json.loads(data)
    assert chart["pollutants"] == ["SO2", "NOx", "PM", "VOCs"]
    assert chart["levels"]["red"]["reduction"][1] == pytest.approx(2.0)
    assert chart["required_percent"] == {"SO2": 30, "NOx": 30, "PM": 30, "VOCs": 30}


def test_alert_pages_issue_acknowledge_report_and_evidence(users):
    services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="B"))
    city = client_for(users["city"])
    assert "发布预警" in city.get("/emergency/alerts/").content.decode()
    assert "发布预警" not in client_for(users["county"]).get("/emergency/alerts/").content.decode()
    refused = city.post(
        "/emergency/alerts/",
        {"region_codes": ["410100"], "level": "red", "starts_at": "", "title": "郑州红色预警", "reason": "会商"},
    ).content.decode()
    assert "时间不能为空" in refused and not AlertEvent.objects.exists()
    # The form keeps what was typed: the region, the level (not reset to yellow), the name and the reason.
    assert '<option value="red" selected>' in refused and '<option value="410100" selected>' in refused
    assert 'value="郑州红色预警"' in refused and 'value="会商"' in refused
    response = city.post(
        "/emergency/alerts/",
        {"region_codes": ["410100"], "level": "orange", "starts_at": "2024-12-01T20:00", "reason": "会商"},
    )
    event = AlertEvent.objects.get()
    assert response["Location"] == f"/emergency/alerts/{event.pk}/"
    page = city.get(f"/emergency/alerts/{event.pk}/").content.decode()
    assert "1号熟料生产线：限产 20%" in page and "未签收" in page
    task = event.tasks.get()
    enterprise = client_for(users["enterprise"])
    enterprise.post(f"/emergency/tasks/{task.pk}/act/", {"action": "acknowledge"})
    enterprise.post(
        f"/emergency/tasks/{task.pk}/act/", {"action": "report", "lines_done": ["L1"], "reported_nox": "0.7"}
    )
    client_for(users["county"]).post(
        f"/emergency/tasks/{task.pk}/act/",
        {"action": "evidence", "electricity_baseline_kwh": "1000", "electricity_alert_kwh": "650"},
    )
    task.refresh_from_db()
    assert task.acknowledged_at and task.reported_lines_done == ["L1"] and task.evidence_electricity_alert_kwh == 650
    assert "用电量下降 35%" in city.get(f"/emergency/alerts/{event.pk}/").content.decode()
    assert (
        client_for(users["other_enterprise_user"])
        .post(f"/emergency/tasks/{task.pk}/act/", {"action": "acknowledge"})
        .status_code
        == 404
    )
    city.post(f"/emergency/alerts/{event.pk}/change/", {"action": "level", "level": "red", "reason": "加重"})
    event.refresh_from_db()
    assert event.level == "red"
    city.post(f"/emergency/alerts/{event.pk}/change/", {"action": "lift"})
    event.refresh_from_db()
    assert event.status == "lifted"


@pytest.mark.parametrize("who", ["other_city", "other_enterprise_user", "expert"])
def test_out_of_scope_writes_and_alert_pages_change_nothing(users, who):
    from airgrade.platform.audit.models import AuditRecord

    site = site_of(users["own_enterprise"])
    entry = services.save_entry(users["enterprise"], site.pk, 2024, payload(grade="B"))
    client_for(users["city"]).post(
        "/emergency/alerts/",
        {"region_codes": ["410100"], "level": "orange", "starts_at": "2024-12-01T20:00", "reason": "会商"},
    )
    event = AlertEvent.objects.get()
    task = event.tasks.get()
    audits = AuditRecord.objects.count()
    client = client_for(users[who])
    assert client.get(f"/emergency/alerts/{event.pk}/").status_code == 404
    assert client.post(f"/emergency/alerts/{event.pk}/change/", {"action": "lift"}).status_code in (403, 404)
    assert client.post(f"/emergency/tasks/{task.pk}/act/", {"action": "acknowledge"}).status_code == 404
    assert client.post(f"/emergency/entries/{entry.pk}/decide/", {"action": "certify"}).status_code in (403, 404)
    assert client.post(f"/emergency/sites/{site.pk}/2024/edit/", editor_form()).status_code in (403, 404)
    assert client.get(f"/emergency/entries/{entry.pk}/operation-plan.pdf").status_code == 404
    assert f"/emergency/alerts/{event.pk}/" not in client.get("/emergency/alerts/").content.decode()
    assert AuditRecord.objects.count() == audits
    event.refresh_from_db()
    task.refresh_from_db()
    assert event.status == "active" and task.acknowledged_at is None


def test_editor_refuses_malformed_counts_without_a_trace(users):
    site = site_of(users["own_enterprise"])
    client = client_for(users["enterprise"])
    response = client.post(f"/emergency/sites/{site.pk}/2024/edit/", editor_form(line_count="2x"))
    assert response.status_code == 200 and "生产线行数须为整数" in response.content.decode()
    response = client.post(
        f"/emergency/sites/{site.pk}/2024/edit/", editor_form(small_micro="on", sm_pollutant_kinds="两种")
    )
    assert response.status_code == 200 and "污染物种类数须为整数" in response.content.decode()
    assert not ListEntry.objects.exists()


def test_list_page_offers_only_unlisted_sites_in_scope(users):
    assert "本县企业" in client_for(users["county"]).get("/emergency/").content.decode()
    assert "邻县企业" not in client_for(users["county"]).get("/emergency/").content.decode()
    own = client_for(users["enterprise"]).get("/emergency/").content.decode()
    assert "本县企业" in own and "邻县企业" not in own
    assert "本县企业" not in client_for(users["other_city"]).get("/emergency/").content.decode()
    assert "本县企业" not in client_for(users["expert"]).get("/emergency/").content.decode()
