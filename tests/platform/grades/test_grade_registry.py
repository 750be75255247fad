"""Grade registry: as-of queries, history, downgrades with ban and integrity file, upgrade rule, adjustment
window, rectification to closure and the 回头看 (REQ LC-5, LC-12, LC-8, H21-6, H23-1, SJZ-3, SJZ-5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.platform.declarations.workflow_helpers import act, force_state, make_campaign, ready_declaration

from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.grades import services
from airgrade.platform.grades.models import (
    ApplicationBan,
    GradeRecord,
    IntegrityEntry,
    LookbackItem,
    RectificationOrder,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _verified(users: dict[str, Any], grade: str = "B") -> Any:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade=grade), "province_verification", users["county"]
    )
    return act(users["province"], declaration, "declaration.province_verify")


def test_grade_on_date_and_full_history(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.first()
    county = users["county"]
    services.record_grade(
        actor=county,
        site=site,
        industry_code="cement",
        grade=services.Grade.D,
        valid_from=D(2024, 1, 1),
        source="default_lowest",
    )
    services.record_grade(
        actor=county,
        site=site,
        industry_code="cement",
        grade=services.Grade.C,
        valid_from=D(2024, 9, 1),
        source="campaign",
    )
    assert services.grade_on(site, "cement", D(2023, 12, 31)) is None
    assert services.grade_on(site, "cement", D(2024, 8, 31)).grade == "D"
    assert services.grade_on(site, "cement", D(2024, 9, 1)).grade == "C"
    assert services.grade_on(site, "cement", D(2030, 1, 1)).grade == "C"
    history = services.history(users["city"], users["own_enterprise"].pk)
    assert [(r.grade, r.valid_from, r.valid_until) for r in history] == [
        ("D", D(2024, 1, 1), D(2024, 9, 1)),
        ("C", D(2024, 9, 1), None),
    ]
    with pytest.raises(NotFound):  # out of scope is not found (issue 8 defect 6)
        services.history(users["other_city"], users["own_enterprise"].pk)


def test_overall_grade_is_the_worst_industry(users: dict[str, Any]) -> None:
    from airgrade.platform.enterprises import services as registry

    site = users["own_enterprise"].sites.first()
    registry.set_site_industries(
        users["province"], site.pk, [{"industry_code": "cement"}, {"industry_code": "industrial_coating"}]
    )
    county = users["county"]
    services.record_grade(
        actor=county,
        site=site,
        industry_code="cement",
        grade=services.Grade.C,
        valid_from=D(2024, 1, 1),
        source="campaign",
    )
    services.record_grade(
        actor=county,
        site=site,
        industry_code="industrial_coating",
        grade=services.Grade.D,
        valid_from=D(2024, 3, 1),
        source="campaign",
    )
    assert services.enterprise_grade_on(users["own_enterprise"], D(2024, 2, 1)).value == "C"
    assert services.enterprise_grade_on(users["own_enterprise"], D(2024, 3, 1)).value == "D"


def test_upgrade_to_top_tier_needs_province_verification(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.first()
    with pytest.raises(ServiceError, match="省级核定"):
        services.record_grade(
            actor=users["city"],
            site=site,
            industry_code="cement",
            grade=services.Grade.B,
            valid_from=D(2024, 1, 1),
            source="review",
        )
    assert not GradeRecord.objects.exists()
    _verified(users, "B")
    assert services.grade_on(site, "cement", services.today()).grade == "B"


def test_violation_downgrade_needs_a_worse_grade_and_a_reason(users: dict[str, Any]) -> None:
    _verified(users, "B")
    site = users["own_enterprise"].sites.first()
    with pytest.raises(ServiceError, match="未知的降级原因"):
        services.downgrade(
            users["county"], site_id=site.pk, industry_code="cement", reason_code="other", description="x", to_grade="C"
        )
    with pytest.raises(ServiceError, match="低于当前等级"):
        services.downgrade(
            users["county"],
            site_id=site.pk,
            industry_code="cement",
            reason_code="excess_emission",
            description="在线监测超标",
            to_grade="A",
        )
    with pytest.raises(NotFound):  # out of scope is "not found" (issue 8 defect 6)
        services.downgrade(
            users["other_county"],
            site_id=site.pk,
            industry_code="cement",
            reason_code="excess_emission",
            description="在线监测超标",
            to_grade="C",
        )
    entry = services.downgrade(
        users["county"],
        site_id=site.pk,
        industry_code="cement",
        reason_code="excess_emission",
        description="在线监测NOx超标",
        to_grade="C",
    )
    assert (entry.from_grade, entry.to_grade) == ("B", "C")
    assert not ApplicationBan.objects.exists() and not IntegrityEntry.objects.exists()


@pytest.mark.parametrize("reason", ["false_material", "gate_data_tampered"])
def test_falsification_means_lowest_grade_one_year_ban_and_integrity_file(users: dict[str, Any], reason: str) -> None:
    _verified(users, "B")
    site = users["own_enterprise"].sites.first()
    effective = services.today()
    entry = services.downgrade(
        users["city"],
        site_id=site.pk,
        industry_code="cement",
        reason_code=reason,
        description="删除门禁视频、篡改车辆排放阶段",
        to_grade="C",
    )
    assert entry.to_grade == "D"  # the industry's lowest grade, whatever was asked
    ban = ApplicationBan.objects.get(enterprise=users["own_enterprise"])
    assert (ban.starts, ban.ends) == (effective, effective + dt.timedelta(days=365))
    assert services.active_ban(users["own_enterprise"], effective + dt.timedelta(days=364)) == ban
    assert services.active_ban(users["own_enterprise"], effective + dt.timedelta(days=365)) is None
    assert IntegrityEntry.objects.get(enterprise=users["own_enterprise"]).kind == reason
    assert services.grade_on(site, "cement", effective).grade == "D"


def test_one_adjustment_window_per_period(users: dict[str, Any]) -> None:
    services.open_adjustment_window(
        users["city"], region_code="410100", period=2026, opens=D(2026, 10, 1), closes=D(2026, 10, 31)
    )
    with pytest.raises(ServiceError, match="只能开展一次"):
        services.open_adjustment_window(
            users["city"], region_code="410100", period=2026, opens=D(2026, 12, 1), closes=D(2026, 12, 10)
        )
    with pytest.raises(AccessDenied):
        services.open_adjustment_window(
            users["county"], region_code="410181", period=2026, opens=D(2026, 12, 1), closes=D(2026, 12, 10)
        )
    assert services.window_open("410181", D(2026, 10, 15)) is not None
    assert services.window_open("410181", D(2026, 11, 15)) is None
    assert services.window_open("410381", D(2026, 10, 15)) is None


def test_rectification_is_followed_to_closure(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.first()
    deadline = services.today() + dt.timedelta(days=30)
    order = services.order_rectification(users["county"], site_id=site.pk, problem="料棚未全封闭", deadline=deadline)
    with pytest.raises(ServiceError, match="尚未报告"):
        services.close_rectification(users["county"], order.pk, "已核查")
    with pytest.raises(NotFound):  # out of scope is "not found" (issue 8 defect 6)
        services.report_rectification(users["other_enterprise_user"], order.pk, "已完成")
    services.report_rectification(users["enterprise"], order.pk, "已完成料棚封闭改造")
    assert not services.is_overdue(order)
    assert services.is_overdue(order, deadline + dt.timedelta(days=1))
    closed = services.close_rectification(users["county"], order.pk, "现场核查已整改到位")
    assert closed.status == RectificationOrder.Status.CLOSED
    assert not services.is_overdue(closed, deadline + dt.timedelta(days=1))


def test_lookback_selects_top_tier_and_settles_problems(users: dict[str, Any], make_enterprise: Any) -> None:
    _verified(users, "B")
    low = make_enterprise("410181", "C级企业")
    services.record_grade(
        actor=users["county"],
        site=low.sites.first(),
        industry_code="cement",
        grade=services.Grade.C,
        valid_from=services.today(),
        source="campaign",
    )
    year = services.today().year
    with pytest.raises(AccessDenied):
        services.start_lookback(
            users["county"],
            region_code="410181",
            year=year,
            qualification_due=D(year, 6, 30),
            onsite_due=D(year, 7, 31),
        )
    round_ = services.start_lookback(
        users["city"], region_code="410100", year=year, qualification_due=D(year, 6, 30), onsite_due=D(year, 7, 31)
    )
    items = list(round_.items.select_related("grade_record"))
    assert [i.grade_record.enterprise_id for i in items] == [users["own_enterprise"].pk]
    item = items[0]
    with pytest.raises(ServiceError, match="写明问题"):
        services.record_lookback_result(users["city"], item.pk, stage="onsite", result="serious")
    services.record_lookback_result(users["city"], item.pk, stage="qualification", result="pass")
    services.record_lookback_result(users["city"], item.pk, stage="onsite", result="serious", note="治理设施未运行")
    assert list(services.problem_items(round_)) == [item]
    services.settle_lookback_item(users["city"], item.pk, outcome="downgrade", to_grade="C", note="回头看不合格")
    site = users["own_enterprise"].sites.first()
    assert services.grade_on(site, "cement", services.today()).grade == "C"
    assert LookbackItem.objects.get(pk=item.pk).outcome == "downgrade"
    assert users["own_enterprise"].downgrades.get().reason_code == "lookback_failed"


@pytest.mark.parametrize("who", ["other_city", "other_enterprise_user", "expert", None])
def test_grade_api_refuses_out_of_scope_callers_and_changes_nothing(users: dict[str, Any], who: str | None) -> None:
    import json

    from django.test import Client

    from airgrade.platform.audit.models import AuditRecord

    _verified(users, "B")
    year = services.today().year
    round_ = services.start_lookback(
        users["city"], region_code="410100", year=year, qualification_due=D(year, 6, 30), onsite_due=D(year, 7, 31)
    )
    item = round_.items.get()
    site = users["own_enterprise"].sites.first()
    order = services.order_rectification(
        users["county"], site_id=site.pk, problem="料棚未全封闭", deadline=services.today() + dt.timedelta(days=30)
    )
    client = Client()
    if who is not None:
        client.force_login(users[who])
    audits = AuditRecord.objects.count()
    calls = [
        ("get", f"/api/grades/lookbacks/{round_.pk}/problems", None),
        ("get", f"/api/grades/enterprises/{users['own_enterprise'].pk}", None),
        ("post", f"/api/grades/rectifications/{order.pk}/report", {"text": "已完成"}),
        ("post", f"/api/grades/rectifications/{order.pk}/close", {"text": "已核查"}),
        (
            "post",
            f"/api/grades/lookbacks/items/{item.pk}/result",
            {"stage": "qualification", "result": "serious", "note": "x"},
        ),
        ("post", f"/api/grades/lookbacks/items/{item.pk}/settle", {"outcome": "downgrade", "to_grade": "D"}),
    ]
    for method, url, body in calls:
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, data=json.dumps(body), content_type="application/json")
        expected = (401,) if who is None else (403, 404)
        assert response.status_code in expected, (url, response.status_code, response.content[:200])
    assert AuditRecord.objects.count() == audits
    assert RectificationOrder.objects.get(pk=order.pk).status == RectificationOrder.Status.OPEN
    assert LookbackItem.objects.get(pk=item.pk).qualification_result == item.qualification_result
    if who is None:
        return
    listed = client.get("/api/grades/").json()
    assert users["own_enterprise"].pk not in {row["enterprise_id"] for row in listed}
