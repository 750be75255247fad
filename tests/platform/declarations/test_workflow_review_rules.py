"""Review rules through the services: dynamic upgrades only inside the adjustment window (REQ LC-12, LC-8, H23-7),
保障类 need B or better (REQ H23-5, LC-9), and the city's lower recommended grade that the province verifies or
adjusts (REQ LC-2)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from workflow_helpers import act, force_state, make_campaign, ready_declaration

from airgrade.core.types import Grade
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Campaign, Declaration, ReviewEvent
from airgrade.platform.errors import AccessDenied, ServiceError
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord

pytestmark = pytest.mark.django_db


def _monthly(users: dict[str, Any]) -> Campaign:
    today = timezone.localdate()
    return services.create_monthly_campaign(users["city"], region_code="410100", year=today.year, month=today.month)


def _graded_c(users: dict[str, Any]) -> GradeRecord:
    """The site already holds C (e.g. from last year's campaign), so B / A is an upgrade."""
    site = users["own_enterprise"].sites.first()
    return grades.record_grade(
        actor=users["county"],
        site=site,
        industry_code="cement",
        grade=Grade.C,
        valid_from=timezone.localdate() - dt.timedelta(days=60),
        source=GradeRecord.Source.DEFAULT_LOWEST,
        reason="上年度评级",
    )


def _at_province(users: dict[str, Any], campaign: Campaign, grade: str = "B") -> Declaration:
    declaration = ready_declaration(users["enterprise"], campaign, grade=grade)
    return force_state(declaration, "province_verification", users["county"])


def _actions(user: Any, declaration: Declaration) -> set[str]:
    declaration.refresh_from_db()
    return {a["action"] for a in services.actions_for(user, declaration)}


# ------------------------------------------------------------ 1. dynamic upgrades only in the window


def test_monthly_upgrade_outside_the_window_is_refused_and_nothing_is_written(users: dict[str, Any]) -> None:
    previous = _graded_c(users)
    declaration = _at_province(users, _monthly(users))
    records, events, audits = GradeRecord.objects.count(), ReviewEvent.objects.count(), AuditRecord.objects.count()
    assert "declaration.province_verify" not in _actions(users["province"], declaration)
    with pytest.raises(AccessDenied, match="动态调整窗口未开放"):
        act(users["province"], declaration, "declaration.province_verify")
    # Adjusting to another top-tier grade is the same upgrade: refused, naming the (missing) window.
    with pytest.raises(ServiceError, match=f"本地区 {timezone.localdate().year} 年度尚未开启动态调整窗口"):
        act(users["province"], declaration, "declaration.province_adjust", opinion="核定为B-", grade="B-")
    declaration.refresh_from_db()
    assert declaration.state == "province_verification" and declaration.decided_grade == ""
    assert (GradeRecord.objects.count(), ReviewEvent.objects.count(), AuditRecord.objects.count()) == (
        records,
        events,
        audits,
    )
    assert grades.grade_on(previous.site, "cement", timezone.localdate()) == previous


def test_a_window_that_is_not_open_today_is_named_in_the_refusal(users: dict[str, Any]) -> None:
    _graded_c(users)
    declaration = _at_province(users, _monthly(users))
    today = timezone.localdate()
    opens, closes = today + dt.timedelta(days=5), today + dt.timedelta(days=20)
    grades.open_adjustment_window(
        users["province"], region_code="410000", period=today.year, opens=opens, closes=closes
    )
    with pytest.raises(ServiceError, match=f"动态调整窗口为 {opens:%Y-%m-%d} 至 {closes:%Y-%m-%d}"):
        act(users["province"], declaration, "declaration.province_adjust", opinion="核定为A", grade="A")


def test_monthly_upgrade_inside_the_window_is_verified_by_the_province(users: dict[str, Any]) -> None:
    _graded_c(users)
    declaration = _at_province(users, _monthly(users))
    today = timezone.localdate()
    # A city's own window covers its counties, as the province's would (REQ LC-8: the county adjusts, the city checks).
    grades.open_adjustment_window(
        users["city"],
        region_code="410100",
        period=today.year,
        opens=today - dt.timedelta(days=1),
        closes=today + dt.timedelta(days=10),
    )
    assert "declaration.province_verify" in _actions(users["province"], declaration)
    final = act(users["province"], declaration, "declaration.province_verify")
    assert final.state == "verified"
    assert grades.grade_on(final.site, "cement", today).grade == "B"


def test_downgrades_and_non_upgrades_need_no_window(users: dict[str, Any]) -> None:
    previous = _graded_c(users)
    declaration = _at_province(users, _monthly(users))
    # The province settles the monthly declaration at C (not an upgrade) without any window.
    final = act(users["province"], declaration, "declaration.province_adjust", opinion="达不到B级指标", grade="C")
    assert final.state == "adjusted" and final.decided_grade == "C"
    # Downgrades stay possible at any time (REQ H21-6, H23-6).
    entry = grades.downgrade(
        users["city"],
        site_id=previous.site_id,
        industry_code="cement",
        reason_code="excess_emission",
        description="在线监测超标",
        to_grade="D",
    )
    assert entry.to_grade == "D"


def test_annual_campaign_upgrades_and_first_gradings_need_no_window(users: dict[str, Any]) -> None:
    _graded_c(users)
    annual = _at_province(users, make_campaign(users["city"]))
    assert act(users["province"], annual, "declaration.province_verify").decided_grade == "B"


def test_first_grading_in_a_monthly_cycle_is_no_dynamic_adjustment(users: dict[str, Any]) -> None:
    # No grade yet (a new enterprise): H23-3 keeps declarations open all year; only province verification applies.
    declaration = _at_province(users, _monthly(users))
    assert act(users["province"], declaration, "declaration.province_verify").decided_grade == "B"


def test_the_registry_itself_refuses_a_dynamic_upgrade_outside_the_window(users: dict[str, Any]) -> None:
    previous = _graded_c(users)
    declaration = _at_province(users, _monthly(users))
    Declaration.objects.filter(pk=declaration.pk).update(state="verified")
    declaration.refresh_from_db()
    with pytest.raises(ServiceError, match="动态调整升级"):
        grades.record_grade(
            actor=users["province"],
            site=previous.site,
            industry_code="cement",
            grade=Grade.A,
            valid_from=timezone.localdate(),
            source=GradeRecord.Source.CAMPAIGN,
            declaration=declaration,
            campaign=declaration.campaign,
        )


# ------------------------------------------------------------ 2. 保障类 need B or better


def test_guarantee_declaration_below_b_cannot_be_submitted(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade="B-")
    declaration = services.update_declaration(users["enterprise"], declaration.pk, is_guarantee=True)
    audits = AuditRecord.objects.count()
    assert "declaration.submit" not in _actions(users["enterprise"], declaration)
    with pytest.raises(AccessDenied, match="保障类企业在重点行业的申报等级须达到B级及以上或绩效引领性（B-不满足"):
        act(users["enterprise"], declaration, "declaration.submit")
    assert Declaration.objects.get(pk=declaration.pk).state == "draft"
    assert AuditRecord.objects.count() == audits
    # Not 保障类: the same B- declaration may be submitted.
    services.update_declaration(users["enterprise"], declaration.pk, is_guarantee=False)
    assert act(users["enterprise"], declaration, "declaration.submit").state == "submitted"


def test_guarantee_declaration_at_b_is_submitted_and_resubmission_is_checked_too(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade="B")
    services.update_declaration(users["enterprise"], declaration.pk, is_guarantee=True)
    assert act(users["enterprise"], declaration, "declaration.submit").state == "submitted"
    returned = force_state(declaration, "returned", users["county"])
    returned.items.update(target_grade="C")
    with pytest.raises(AccessDenied, match="保障类"):
        act(users["enterprise"], returned, "declaration.resubmit")


def test_final_grade_below_b_ends_guarantee_status_on_the_record(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade="B")
    services.update_declaration(users["enterprise"], declaration.pk, is_guarantee=True)
    declaration = force_state(declaration, "province_verification", users["county"])
    final = act(users["province"], declaration, "declaration.province_adjust", opinion="有组织排放不达B级", grade="B-")
    assert final.decided_grade == "B-" and final.is_guarantee is False
    event = ReviewEvent.objects.get(declaration=final, action="declaration.province_adjust")
    assert event.opinion.startswith("有组织排放不达B级") and "已取消保障类企业标记" in event.opinion
    assert services.verify_seals(final)
    record = GradeRecord.objects.get(declaration=final)
    assert record.grade == "B-" and "取消保障类" in record.reason
    audit = AuditRecord.objects.filter(action="declaration.province_adjust").latest("id")
    assert audit.after["is_guarantee"] is False


def test_county_grading_a_guarantee_applicant_c_ends_guarantee_status(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade="A")
    services.update_declaration(users["enterprise"], declaration.pk, is_guarantee=True)
    declaration = force_state(declaration, "county_review", users["county"])
    final = act(users["county"], declaration, "declaration.county_grade", opinion="现场核查仅达C级", grade="C")
    assert final.is_guarantee is False
    assert "低于B级" in ReviewEvent.objects.get(declaration=final, action="declaration.county_grade").opinion


def test_guarantee_status_is_kept_at_b_or_better(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade="B")
    services.update_declaration(users["enterprise"], declaration.pk, is_guarantee=True)
    declaration = force_state(declaration, "province_verification", users["county"])
    final = act(users["province"], declaration, "declaration.province_verify")
    assert final.is_guarantee is True
    assert "保障类" not in ReviewEvent.objects.get(declaration=final, action="declaration.province_verify").opinion


# ------------------------------------------------------------ 3. the city's lower recommended grade


def test_city_passes_with_a_lower_grade_and_the_province_verifies_it(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade="A"), "city_review", users["county"]
    )
    assert "declaration.city_pass_lower" in _actions(users["city"], declaration)
    with pytest.raises(AccessDenied, match="须填写审核意见"):
        act(users["city"], declaration, "declaration.city_pass_lower", grade="B")
    with pytest.raises(ServiceError, match="须低于申报等级 A"):
        act(users["city"], declaration, "declaration.city_pass_lower", grade="A", opinion="同意")
    with pytest.raises(ServiceError, match="须给出低于申报等级的建议等级"):
        act(users["city"], declaration, "declaration.city_pass_lower", opinion="建议降级")
    with pytest.raises(ServiceError, match="申报中没有行业 glass"):
        act(users["city"], declaration, "declaration.city_pass_lower", opinion="x", item_grades={"glass": "C"})
    assert Declaration.objects.get(pk=declaration.pk).state == "city_review"

    passed = act(
        users["city"], declaration, "declaration.city_pass_lower", grade="B", opinion="无组织管控达不到A级，建议B级"
    )
    assert passed.state == "city_passed" and passed.decided_grade == ""
    assert passed.items.get().recommended_grade == "B"
    event = ReviewEvent.objects.get(declaration=passed, action="declaration.city_pass_lower")
    assert (event.grade, event.opinion, event.reviewer) == ("B", "无组织管控达不到A级，建议B级", users["city"])
    # A recommendation is no grade: nothing in the registry until the province decides (REQ LC-2, LC-12).
    assert not GradeRecord.objects.filter(declaration=passed).exists()
    act(users["city"], passed, "declaration.report_to_province")
    assert not GradeRecord.objects.filter(declaration=passed).exists()

    final = act(users["province"], passed, "declaration.province_verify", opinion="同意市级意见")
    assert final.state == "verified" and final.decided_grade == "B"
    assert list(GradeRecord.objects.filter(declaration=final).values_list("grade", flat=True)) == ["B"]
    assert services.verify_seals(final)


def test_province_may_overrule_the_city_recommendation(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade="A"), "city_review", users["county"]
    )
    act(users["city"], declaration, "declaration.city_pass_lower", grade="C", opinion="建议C级")
    act(users["city"], declaration, "declaration.report_to_province")
    final = act(users["province"], declaration, "declaration.province_adjust", grade="A", opinion="抽查复核达到A级")
    assert final.decided_grade == "A"
    assert list(GradeRecord.objects.filter(declaration=final).values_list("grade", flat=True)) == ["A"]


def test_city_lower_pass_through_the_api_and_refused_out_of_scope(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade="B"), "city_review", users["county"]
    )

    def post(user: Any) -> Any:
        client = Client()
        client.force_login(user)
        body = {
            "action": "declaration.city_pass_lower",
            "expected_state": "city_review",
            "grade": "B-",
            "opinion": "建议B-级",
        }
        return client.post(
            f"/api/declarations/{declaration.pk}/transitions", data=json.dumps(body), content_type="application/json"
        )

    assert post(users["other_city"]).status_code in (403, 404)
    assert Declaration.objects.get(pk=declaration.pk).state == "city_review"
    response = post(users["city"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "city_passed" and body["items"][0]["recommended_grade"] == "B-"
