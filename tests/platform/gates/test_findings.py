"""Tamper findings feed the downgrade path (issue 11 §3; REQ SJZ-5, H23-6): a failed verification is recorded as a
finding; the county or city confirms it with a reason (→ the grade registry's downgrade: the lowest grade, the
one-year application ban, the integrity file) or dismisses it; nothing happens to a grade without that decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from airgrade.core.types import Grade
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.gates import services
from airgrade.platform.gates.models import LedgerFinding, Passage
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import ApplicationBan, Downgrade, IntegrityEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def tampered(users: dict[str, Any]) -> dict[str, Any]:
    """A graded (C) cement site whose ledger has an altered record and a sequence gap."""
    site = users["own_enterprise"].sites.get()
    with transaction.atomic():
        grades.record_grade(
            actor=users["county"],
            site=site,
            industry_code="cement",
            grade=Grade.C,
            valid_from=grades.today() - dt.timedelta(days=30),
            source="campaign",
        )
    services.save_vehicle(
        users["enterprise"], site.pk, {"kind": "road", "plate": "豫A44444", "stage": "国四", "fuel": "diesel"}
    )
    device, _ = services.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    services.ingest(
        device,
        [{"seq": n, "plate": "豫A44444", "direction": "in", "time": f"2026-05-04T08:0{n}"} for n in (1, 2, 3, 6)],
    )
    Passage.objects.filter(site=site, position=2).update(stage="国六")  # 国四 turned into 国六 behind the chain's back
    return {**users, "site": site}


def test_a_failed_verification_is_a_finding_once(tampered: dict[str, Any]) -> None:
    site = tampered["site"]
    _, report = services.record_check(tampered["county"], site.pk)
    assert not report.ok
    [finding] = services.open_findings(site)
    assert set(finding.kinds) == {"altered", "gap"}
    assert "台账第 2 条记录" in finding.summary and "序号 4–5 缺失" in finding.summary
    services.record_check(tampered["city"], site.pk)  # the same problems again: no second finding
    assert services.open_findings(site).count() == 1
    assert list(services.findings_in(tampered["county"], "open")) == [finding]
    assert list(services.findings_in(tampered["other_county"])) == []
    assert list(services.findings_in(tampered["enterprise"])) == [finding]
    # No grade moves on a finding alone.
    assert grades.grade_on(site, "cement", grades.today()).grade == "C"


def test_a_decided_finding_is_not_recorded_again_by_the_next_check(tampered: dict[str, Any]) -> None:
    site = tampered["site"]
    services.record_check(tampered["county"], site.pk)
    [finding] = services.open_findings(site)
    services.decide_finding(tampered["county"], finding.pk, confirm=False, reason="设备断电，有供电公司证明")
    services.record_check(tampered["city"], site.pk)  # the same gap and edit, already decided
    assert services.open_findings(site).count() == 0
    assert LedgerFinding.objects.filter(site=site).count() == 1
    # A new problem is a new finding.
    Passage.objects.filter(site=site, position=3).update(plate="豫A00000")
    services.record_check(tampered["city"], site.pk)
    assert services.open_findings(site).count() == 1


def test_confirming_downgrades_to_the_lowest_grade_and_bans_for_a_year(tampered: dict[str, Any]) -> None:
    site = tampered["site"]
    services.record_check(tampered["county"], site.pk)
    [finding] = services.open_findings(site)
    page = _client(tampered["county"]).get(f"/gates/sites/{site.pk}/").content.decode()
    assert "核验发现" in page and "确认（降级）" in page and "不予认定" in page
    answer = _client(tampered["county"]).post(
        f"/gates/sites/{site.pk}/act/",
        {"op": "finding", "finding": finding.pk, "decision": "confirm", "reason": "现场核对车辆登记，确认篡改"},
        follow=True,
    )
    text = answer.content.decode()
    assert "已确认：1 个行业降为最低等级，一年内不得申报" in text
    finding.refresh_from_db()
    assert finding.status == LedgerFinding.Status.CONFIRMED and finding.decided_by == tampered["county"]
    [downgrade] = finding.downgrades.all()
    assert downgrade.reason_code == Downgrade.Reason.GATE_DATA_TAMPERED.value
    assert grades.grade_on(site, "cement", grades.today()).grade == "D"
    ban = ApplicationBan.objects.get(enterprise=site.enterprise)
    assert (ban.ends - ban.starts).days == 365
    assert IntegrityEntry.objects.filter(enterprise=site.enterprise, kind="gate_data_tampered").exists()
    with pytest.raises(ServiceError, match="已确认"):
        services.decide_finding(tampered["county"], finding.pk, confirm=False, reason="再次处理")


def test_dismissing_needs_a_reason_and_changes_no_grade(tampered: dict[str, Any]) -> None:
    site = tampered["site"]
    services.record_check(tampered["county"], site.pk)
    [finding] = services.open_findings(site)
    with pytest.raises(ServiceError, match="须写明处理意见"):
        services.decide_finding(tampered["city"], finding.pk, confirm=False, reason="  ")
    services.decide_finding(tampered["city"], finding.pk, confirm=False, reason="设备故障导致，厂家已出具说明")
    finding.refresh_from_db()
    assert finding.status == LedgerFinding.Status.DISMISSED
    assert grades.grade_on(site, "cement", grades.today()).grade == "C"
    assert not ApplicationBan.objects.filter(enterprise=site.enterprise).exists()
    assert services.open_findings(site).count() == 0


def test_only_the_county_or_city_in_scope_decides(tampered: dict[str, Any]) -> None:
    site = tampered["site"]
    services.record_check(tampered["county"], site.pk)
    [finding] = services.open_findings(site)
    with pytest.raises(AccessDenied):
        services.decide_finding(tampered["enterprise"], finding.pk, confirm=False, reason="不是我改的")
    with pytest.raises(NotFound):
        services.decide_finding(tampered["other_county"], finding.pk, confirm=True, reason="越权")
    post = {"op": "finding", "finding": finding.pk, "decision": "confirm", "reason": "越权"}
    assert _client(tampered["other_county"]).post(f"/gates/sites/{site.pk}/act/", post).status_code == 404
    own = _client(tampered["enterprise"]).get(f"/gates/sites/{site.pk}/").content.decode()
    assert "待县级或市级处理" in own and "提交处理意见" not in own
    bad = (
        _client(tampered["county"])
        .post(f"/gates/sites/{site.pk}/act/", {**post, "decision": "maybe"}, follow=True)
        .content.decode()
    )
    assert "处理结论" in bad
    finding.refresh_from_db()
    assert finding.status == LedgerFinding.Status.OPEN
