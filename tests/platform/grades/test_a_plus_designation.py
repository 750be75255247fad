"""A+ end to end (REQ G-8, 环办大气〔2026〕2号): the province enters the ministry's decision on an A grade →
the grade registry holds A+ with its evidence → the public grades page shows it → the emergency list gives it at
least A's measures. Conditions and dates come from the rule book's framework layer."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from airgrade.core.rules.render import measure_zh
from airgrade.core.types import AlertLevel, Grade, Role
from airgrade.platform.accounts.models import User
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.emergency import services as emergency
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.grades.designations import designate
from airgrade.platform.grades.models import Designation, GradeRecord
from airgrade.platform.grades.services import grade_on

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emergency"))
from emergency_platform_builders import payload

DECIDED = dt.date(2026, 3, 1)


def _a_record(enterprise: Any, grade: str = "A") -> GradeRecord:
    site = enterprise.sites.get()
    return GradeRecord.objects.create(
        enterprise=enterprise,
        site=site,
        region_id=site.region_id,
        industry_code="cement",
        grade=grade,
        valid_from=dt.date(2025, 10, 1),
        source=GradeRecord.Source.CAMPAIGN,
        rules_version="test",
    )


def _designate(user: Any, record: GradeRecord, **overrides: Any) -> Designation:
    arguments = {
        "record_id": record.pk,
        "decision_document": "环办大气函〔2026〕15号",
        "decided_on": DECIDED,
        "technology": "窑尾SCR脱硝+高效袋除尘，国际领先",
        "stable_since": dt.date(2023, 6, 1),
        "evidence": "第三方评估报告；两年在线监测数据",
    } | overrides
    return designate(user, **arguments)


@pytest.mark.django_db(transaction=True)
def test_designation_to_registry_to_public_page_to_emergency_measures(users: dict[str, Any]) -> None:
    enterprise = users["own_enterprise"]
    base = _a_record(enterprise)
    designation = _designate(users["province"], base)
    site = enterprise.sites.get()
    record = grade_on(site, "cement", DECIDED)
    assert record is not None and record.grade == "A+" and record.source == "designation"
    assert designation.record == record and designation.framework == "opinion_2026"
    assert "环办大气〔2026〕2号" in record.reason and "环办大气函〔2026〕15号" in record.reason
    base.refresh_from_db()
    assert base.valid_until == DECIDED  # the A grade it sits on is closed, its history kept
    assert AuditRecord.objects.filter(action="grade.designate").count() == 1

    page = Client().get("/public/grades/", {"grade": "A+"}).content.decode()
    assert enterprise.name in page and "部级认定（环办大气函〔2026〕15号）" in page
    assert "<option selected>A+</option>" in page

    entry = emergency.save_entry(users["enterprise"], site.pk, 2026, payload(grade="A"))
    plans = emergency.entry_plans(entry, as_of=DECIDED)
    for level in AlertLevel:
        (industry,) = plans[level].industries
        assert industry.grade is Grade.A_PLUS
        a_measures = emergency.rulebook().measures("cement", Grade.A, level, DECIDED, site.region_id)
        assert industry.minimum_zh == [measure_zh(m) for m in a_measures]  # at least A's (self-determined)
        assert {line.action.name for line in plans[level].lines} <= {"RUN", "NOT_IN_BASE"}  # nothing stops


@pytest.mark.django_db(transaction=True)
def test_designation_is_refused_unless_the_framework_allows_it(users: dict[str, Any], make_enterprise: Any) -> None:
    enterprise = users["own_enterprise"]
    base = _a_record(enterprise)
    with pytest.raises(ServiceError, match="没有 A\\+ 这一等级"):
        _designate(users["province"], base, decided_on=dt.date(2025, 12, 31))
    with pytest.raises(ServiceError, match="须稳定运行 2 年以上"):
        _designate(users["province"], base, stable_since=dt.date(2024, 3, 2))
    with pytest.raises(ServiceError, match="部级认定文号"):
        _designate(users["province"], base, decision_document=" ")
    b_record = _a_record(make_enterprise("410181", "B级企业"), grade="B")
    with pytest.raises(ServiceError, match="只能从认定日在用的 A 级中认定"):
        _designate(users["province"], b_record)
    for role in ("city", "county", "enterprise"):
        with pytest.raises(AccessDenied):
            _designate(users[role], base)
    hebei = User.objects.create(username="hebei", role=Role.PROVINCE.value, region_id="130000")
    with pytest.raises((AccessDenied, NotFound)):
        _designate(hebei, base)
    with pytest.raises(NotFound):
        _designate(users["province"], base, record_id=10**9)
    assert not Designation.objects.exists() and not GradeRecord.objects.filter(grade="A+").exists()
    assert not AuditRecord.objects.filter(action__in=["grade.designate", "grade.record"]).exists()


@pytest.mark.django_db
def test_a_plus_cannot_be_recorded_by_any_other_path(users: dict[str, Any]) -> None:
    from airgrade.platform.grades.services import record_grade

    site = users["own_enterprise"].sites.get()
    with pytest.raises(ServiceError, match="只能由部级认定登记"):
        record_grade(
            actor=users["province"], site=site, industry_code="cement", grade=Grade.A_PLUS,
            valid_from=DECIDED, source=GradeRecord.Source.REVIEW,
        )  # fmt: skip
