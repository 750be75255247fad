"""The declaration page as reviewers and the enterprise use it: declared facts in the rule book's labels and units
next to the engine's grade per indicator with the requirement's source and provenance; actions behind a
confirmation step that states the consequences; grade options limited by role and facts; the facts form and the
on-site findings form keep what was typed and say what is wrong in Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from tests.platform.declarations.workflow_helpers import PDF, force_state, make_campaign, ready_declaration

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Declaration, OnsiteCheck
from airgrade.platform.errors import ServiceError

pytestmark = pytest.mark.django_db(transaction=True)

# Cement facts that reach C: the PM concentration misses B's limit, everything else meets B.
FACTS = {
    "road_truck_clean_share": 85.0,
    "road_truck_worst_stage": "国四",
    "inplant_vehicle_worst_stage": "国五",
    "nonroad_worst_stage": "国三",
    "gate_system": True,
    "ammonia_slip": 4.5,
    "pm_concentration": 25.5,
    "so2_concentration": 30.0,
    "nox_concentration": 150.0,
    "materials_closed_storage": True,
    "dust_points_captured": True,
    "cems_online": True,
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(html: str) -> str:
    """What a person reads: the page without tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html)


def _declaration(
    users: dict[str, Any], state: str, *, grade: str = "B", checks: bool = False, **facts: Any
) -> Declaration:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade=grade)
    declaration.items.update(facts={**FACTS, **facts})
    return force_state(declaration, state, users["county"], checks=checks)


def test_reviewer_sees_declared_facts_with_labels_units_engine_grade_and_provenance(users: dict[str, Any]) -> None:
    declaration = _declaration(users, "county_review", nox_concentration=1903700.0)
    page = _text(_client(users["county"]).get(f"/declarations/{declaration.pk}/").content.decode())
    assert "窑尾氮氧化物排放浓度" in page and "1,903,700 mg/m³" in page
    assert "主要排放口自动监控联网" in page and " 是 " in page
    assert "暂定值" in page and "provisional" not in page
    assert "ammonia_slip" not in page and "pm_concentration" not in page and "e+06" not in page
    # The engine's grade on the declared facts is below the declared B and the page says so.
    assert "按申报数据评定" in page and "低于申报等级" in page
    # County grading waits for the signed county on-site check, and the page says so.
    assert "县级评定（C级及以下）”须先满足：县级现场核查已完成" in page


def test_action_needs_confirmation_states_consequences_and_limits_grades(users: dict[str, Any]) -> None:
    declaration = _declaration(users, "county_review", checks=True)
    client = _client(users["county"])
    d = declaration.pk
    confirm = client.get(f"/declarations/{d}/confirm/?action=declaration.county_grade").content.decode()
    assert "记入等级登记" in confirm and "签章记入审核记录" in confirm
    # County: C and below only; and the facts reach C, so nothing better than C; no preselected grade.
    select = confirm.split('name="grade_cement"')[1].split("</select>")[0]
    assert '<option value="">请选择</option>' in select and "selected" not in select
    assert '"C"' in select and '"D"' in select and '"A"' not in select and '"B"' not in select

    audits = AuditRecord.objects.count()
    posted = {"action": "declaration.county_grade", "expected_state": "county_review", "grade_cement": "C"}
    # Without the confirmation nothing happens: the confirmation step comes back with what was chosen.
    unconfirmed = client.post(f"/declarations/{d}/action/", {**posted, "opinion": "颗粒物超标"})
    assert unconfirmed.status_code == 200 and "确认县级评定" in unconfirmed.content.decode()
    assert AuditRecord.objects.count() == audits
    # A grade outside the options is refused with the reason; the typed opinion stays.
    refused = client.post(
        f"/declarations/{d}/action/", {**posted, "grade_cement": "A", "opinion": "我的意见", "confirmed": "1"}
    )
    assert refused.status_code == 400
    assert "不能选择 A级" in refused.content.decode() and "我的意见" in refused.content.decode()
    # A missing required opinion: the service's Chinese reason on the confirmation step, nothing written.
    missing = client.post(f"/declarations/{d}/action/", {**posted, "confirmed": "1"})
    assert missing.status_code == 400 and "须填写审核意见" in missing.content.decode()
    assert AuditRecord.objects.count() == audits
    done = client.post(f"/declarations/{d}/action/", {**posted, "opinion": "颗粒物超标", "confirmed": "1"})
    assert done.status_code == 302
    assert Declaration.objects.get(pk=d).decided_grade == "C"


def test_enterprise_edits_facts_with_chinese_field_errors_and_keeps_what_was_typed(users: dict[str, Any]) -> None:
    declaration = _declaration(users, "returned")
    client = _client(users["enterprise"])
    d, item = declaration.pk, declaration.items.get()
    page = client.get(f"/declarations/{d}/").content.decode()
    # The self-check is a table: my value, what the next grade needs, the gap.
    assert "达到 B级需要" in page and "需降低 5.5 mg/m³" in page
    prefix = f"fact__{item.pk}__"
    bad = client.post(
        f"/declarations/{d}/prepare/",
        {"step": "facts", prefix + "pm_concentration": "1e400", prefix + "ammonia_slip": "3.2"},
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and "科学计数法" in body
    assert 'value="1e400"' in body and 'value="3.2"' in body
    item.refresh_from_db()
    assert item.facts["pm_concentration"] == 25.5
    share = client.post(f"/declarations/{d}/prepare/", {"step": "facts", prefix + "ammonia_slip": "-1"})
    assert share.status_code == 400 and "不能为负" in share.content.decode()
    ok = client.post(
        f"/declarations/{d}/prepare/",
        {"step": "facts", prefix + "pm_concentration": "8.5", prefix + "cems_online": "no"},
    )
    assert ok.status_code == 302
    item = Declaration.objects.get(pk=d).items.get()  # items are replaced on save
    assert item.facts["pm_concentration"] == 8.5 and item.facts["cems_online"] is False
    assert "ammonia_slip" not in item.facts  # cleared field: not stated


def test_findings_per_aspect_all_or_nothing_with_the_reason_next_to_the_item(users: dict[str, Any]) -> None:
    declaration = _declaration(users, "county_review")
    services.open_onsite_check(users["county"], declaration.pk)
    check = OnsiteCheck.objects.get(declaration=declaration)
    section = next(s for s in check.checklist if s["section"] == "emission_limits")
    first, second = section["items"][0], section["items"][1]
    client = _client(users["county"])
    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert section["label"] in page and "保存本方面核查结果" in page
    ref = lambda it: f"{it['industry_code']}__{it['indicator_id']}"  # noqa: E731
    post = {
        "step": "findings",
        "check": check.pk,
        "section": "emission_limits",
        f"result__{ref(first)}": "met",
        f"result__{ref(second)}": "not_met",
        f"note__{ref(first)}": "在线数据一致",
    }
    refused = client.post(f"/declarations/{declaration.pk}/onsite/", post)
    assert refused.status_code == 400
    assert "不符合项须写明现场情况" in refused.content.decode() and "在线数据一致" in refused.content.decode()
    assert check.findings.count() == 0
    post[f"note__{ref(second)}"] = "现场监测超标"
    assert client.post(f"/declarations/{declaration.pk}/onsite/", post).status_code == 302
    assert {f.result for f in check.findings.all()} == {"met", "not_met"}


def test_application_report_uses_labels_units_yes_no_a4_page_numbers_and_a_signature_block(
    users: dict[str, Any],
) -> None:
    import io

    import docx

    declaration = _declaration(users, "draft", nox_concentration=1903700.0)
    services.upload_evidence(
        users["enterprise"], declaration.pk, filename="监测报告.pdf", content=PDF, indicator_id="emission_limits"
    )
    services.generate_document(users["enterprise"], declaration.pk)
    declaration.refresh_from_db()
    document = docx.Document(io.BytesIO(declaration.document.read()))
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "窑尾氮氧化物排放浓度" in cells and "1,903,700 mg/m³" in cells
    assert "主要排放口自动监控联网" in cells and "\n是\n" in f"\n{cells}\n"
    assert "ammonia_slip" not in cells and "True" not in cells and "e+0" not in cells
    assert "（盖章）" in cells and "承诺人" in cells
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "排放限值：监测报告.pdf" in text and "emission_limits" not in text  # evidence under its label
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "NUMPAGES" in section.footer._element.xml


def test_new_declaration_offers_only_open_campaigns_and_the_industrys_grades(users: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    from airgrade.platform.declarations.models import Campaign

    open_campaign = make_campaign(users["city"], name="开放中的批次")
    closed = make_campaign(users["city"], name="已截止的批次")
    Campaign.objects.filter(pk=closed.pk).update(application_deadline=timezone.now() - dt.timedelta(days=1))
    page = _client(users["enterprise"]).get("/declarations/new/").content.decode()
    assert open_campaign.name in page and closed.name not in page
    cement = page.split('name="grade_cement"')[1].split("</select>")[0]
    assert ">A<" in cement and ">D<" in cement and "引领性" not in cement and "B-" not in cement


def test_assigned_expert_records_findings_per_aspect_and_signs_only_when_every_item_is_checked(
    users: dict[str, Any],
) -> None:
    declaration = _declaration(users, "county_review")
    check = services.open_onsite_check(users["county"], declaration.pk)
    profile = services.register_expert(users["city"], expert_user_id=users["expert"].pk, region_code="410100")
    county = _client(users["county"])
    assert (
        county.post(
            f"/declarations/{declaration.pk}/onsite/", {"step": "assign", "check": check.pk, "expert": profile.pk}
        ).status_code
        == 302
    )
    assert check.experts.get() == profile
    expert = _client(users["expert"])
    page = expert.get(f"/declarations/{declaration.pk}/").content.decode()
    assert "保存本方面核查结果" in page and "签署核查意见" in page and "建立现场核查" not in page
    early = expert.post(
        f"/declarations/{declaration.pk}/onsite/",
        {"step": "expert_sign", "check": check.pk, "signature_name": "赵专家"},
        follow=True,
    )
    assert "项未核查" in early.content.decode() and not check.expert_signoffs.exists()
    for section in check.checklist:
        post = {"step": "findings", "check": check.pk, "section": section["section"]}
        for item in section["items"]:
            post[f"result__{item['industry_code']}__{item['indicator_id']}"] = "met"
        assert expert.post(f"/declarations/{declaration.pk}/onsite/", post).status_code == 302
    signed = expert.post(
        f"/declarations/{declaration.pk}/onsite/",
        {"step": "expert_sign", "check": check.pk, "signature_name": "赵专家", "opinion": "与申报一致"},
        follow=True,
    )
    assert "专家签字：赵专家" in signed.content.decode()
    assert "保存本方面核查结果" not in signed.content.decode()  # the signature closes the expert's findings
    item = next(i for section in check.checklist for i in section["items"])
    with pytest.raises(ServiceError):
        services.record_finding(
            users["expert"], check.pk, industry_code="cement", indicator_id=item["indicator_id"], result="met"
        )
    # The official still signs the check itself; the expert cannot.
    assert "sign-check" not in signed.content.decode()
    assert "专家签字：赵专家" in county.get(f"/declarations/{declaration.pk}/").content.decode()


def test_experts_have_no_registry_list(users: dict[str, Any]) -> None:
    assert _client(users["expert"]).get("/enterprises/").status_code == 404
    assert _client(users["county"]).get("/enterprises/").status_code == 200
    assert _client(users["enterprise"]).get("/enterprises/").status_code == 200


def test_enterprise_overview_shows_grades_declarations_and_is_not_for_experts(users: dict[str, Any]) -> None:
    declaration = _declaration(users, "draft")
    enterprise_id = users["own_enterprise"].pk
    page = _client(users["enterprise"]).get(f"/enterprises/{enterprise_id}/overview/").content.decode()
    for section in ("现行绩效等级", "等级历史", "绩效分级申报", "应急减排清单", "预警任务", "整改"):
        assert section in page
    assert declaration.number in page and "水泥" in page and "cement" not in _text(page)
    assert _client(users["county"]).get(f"/enterprises/{enterprise_id}/overview/").status_code == 200
    assert _client(users["expert"]).get(f"/enterprises/{enterprise_id}/overview/").status_code == 404
    assert _client(users["other_enterprise_user"]).get(f"/enterprises/{enterprise_id}/overview/").status_code == 404
