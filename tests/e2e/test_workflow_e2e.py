"""One enterprise walks through apply → county pass → city sampling and pass → province verification, then the
public page shows its grade (headless Debian chromium against the live server, REQ LC-2, LC-14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Declaration, SampleDraw
from airgrade.platform.grades.models import GradeRecord

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _as(page: Any, login: Any, username: str) -> None:
    # Signs in through the real form. The shared `login` fixture clicks the page's first submit button, which
    # since the language switcher landed in the header is that switcher; this clicks the form's own button.
    from tests.conftest import PASSWORD

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _act(page: Any, action: str, opinion: str = "") -> None:
    # Every action opens its confirmation step (consequences, opinion) before anything happens.
    page.click(f"#actions a[data-action='{action}']")
    page.wait_for_selector("#confirm-form")
    if opinion:
        page.fill("#opinion", opinion)
    page.click("#confirm-action")
    page.wait_for_selector(".messages .success")


def _sign_check(page: Any, name: str) -> None:
    page.click("#open-check")
    page.wait_for_selector("input.signature")
    page.select_option(".sign-form select[name=conclusion]", "consistent")
    page.fill("input.signature", name)
    page.click("button.sign-check")
    page.wait_for_selector("text=现场核查已签字")


def test_enterprise_walks_to_province_verification_and_the_public_sees_its_grade(
    page: Any, login: Any, users: dict[str, Any], tmp_path: Any
) -> None:
    campaign = services.create_campaign(
        users["city"],
        name="2026年郑州市重点行业绩效分级",
        region_code="410100",
        application_deadline=timezone.now() + dt.timedelta(days=20),
        template_code="henan-2021",
    )

    # The enterprise applies for B, signs the commitment, generates the report and submits.
    _as(page, login, "ent")
    page.click("text=绩效分级申报")
    page.click("#new-declaration")
    page.select_option("#campaign", str(campaign.pk))
    page.select_option("#grade_cement", "B")
    page.click("#new-form button[type=submit]")
    page.wait_for_selector("text=已创建申报")
    page.fill("#signer_name", "张伟")
    page.click("#sign-commitment")
    page.wait_for_selector("text=承诺书已签署")
    page.click("#generate-document")
    page.wait_for_selector("text=已生成申请文件")
    assert "申请报告（DOCX）" in page.content()
    _act(page, "declaration.submit")
    assert page.locator("#state").inner_text() == "已提交"
    declaration = Declaration.objects.get(campaign=campaign)
    detail = f"/declarations/{declaration.pk}/"

    # County: accept, check on site, pass.
    _as(page, login, "county")
    page.click("text=绩效分级申报")
    page.click(f"#work-queue >> text={declaration.number}")
    _act(page, "declaration.county_accept")
    _sign_check(page, "李县核查")
    _act(page, "declaration.county_pass", "材料真实完整，现场与申报一致")
    assert page.locator("#state").inner_text() == "县级初审通过"

    # City: accept, draw the B sample with a recorded seed, check on site, pass, report to the province.
    _as(page, login, "city")
    page.goto(detail)
    _act(page, "declaration.city_accept")
    page.goto(f"/declarations/campaigns/{campaign.pk}/")
    page.fill("input[name=seed]", "20260817")
    page.click("#draw-sample")
    page.wait_for_selector("text=已完成B级抽样")
    assert "种子 20260817" in page.content()
    draw = SampleDraw.objects.get(campaign=campaign)
    assert draw.drawn == [declaration.number]  # one candidate at 1/5 → ceil gives one
    page.goto(detail)
    assert page.locator("#sampled").inner_text() == "抽中"
    _sign_check(page, "王市核查")
    _act(page, "declaration.city_pass", "八个方面审核通过")
    _act(page, "declaration.report_to_province")
    assert page.locator("#state").inner_text() == "省级核定中"

    # Province: verify.
    _as(page, login, "province")
    page.goto(detail)
    _act(page, "declaration.province_verify")
    assert page.locator("#state").inner_text() == "省级核定通过"
    assert page.locator("#decided-grade").inner_text() == "B"
    history = page.locator("#history").inner_text()
    assert "签章链校验通过" in history and "八个方面审核通过" in history
    page.screenshot(path=str(tmp_path / "declaration.png"), full_page=True)

    # The public, signed out, finds the enterprise and its grade.
    page.context.clear_cookies()
    page.goto("/public/grades/")
    page.fill("#q", "本县企业")
    page.click("button:has-text('查询')")
    row = page.locator("#public-grades tbody tr", has_text="本县企业")
    assert row.locator("td.grade").inner_text() == "B"
    assert users["own_enterprise"].credit_code in row.inner_text()
    page.screenshot(path=str(tmp_path / "public.png"), full_page=True)
    assert GradeRecord.objects.get(enterprise=users["own_enterprise"]).grade == "B"
