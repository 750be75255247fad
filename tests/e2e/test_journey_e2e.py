"""One declaration through every role's pages in headless Debian chromium: the enterprise declares its facts →
the county reviews with the facts in view → the assigned expert records findings per aspect and signs → the
county signs the check and passes → the city samples and passes → the province verifies → the public page shows
the grade → a citizen files an objection → the city answers it → the public sees the answer (REQ LC-2, LC-3, LC-14, SJZ-7, H23-3).

Every page visited is saved as a screenshot under test-results/journey/ (gitignored) for people to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.e2e.browser import sign_in, submit

from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Declaration, SampleDraw
from airgrade.platform.grades.models import GradeRecord

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "journey"

# Cement facts meeting B (PM 15 mg/m³ misses A's 10): what the enterprise types into the form.
TYPED = {
    "road_truck_clean_share": "85",
    "road_truck_worst_stage": "国四",
    "inplant_vehicle_worst_stage": "国五",
    "nonroad_worst_stage": "国三",
    "gate_system": "yes",
    "ammonia_slip": "4.5",
    "pm_concentration": "15",
    "so2_concentration": "30",
    "nox_concentration": "150",
    "materials_closed_storage": "yes",
    "dust_points_captured": "yes",
    "cems_online": "yes",
}


class Journey:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        # The live server's first request imports every view module and the rule book: slow on a busy machine.
        page.set_default_timeout(60_000)
        page.goto("/accounts/login/", timeout=180_000)

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(SHOTS / f"{self.count:02d}-{name}.png"), full_page=True)

    def sign_in(self, username: str) -> None:
        self.page.context.clear_cookies()
        sign_in(self.page, username)

    def act(self, action: str, name: str, opinion: str = "", grade: str = "") -> str:
        """Open the action's confirmation step, screenshot it, confirm; returns the consequences shown."""
        page = self.page
        page.click(f"#actions a[data-action='{action}']")
        page.wait_for_selector("#confirm-form")
        if opinion:
            page.fill("#opinion", opinion)
        if grade:
            page.select_option("#confirm-form select", grade)
        consequences = page.locator("ul.consequences").inner_text()
        self.shot(name)
        submit(page, "#confirm-action")
        page.wait_for_selector(".messages .success")
        return str(consequences)

    def sign_check(self, name: str) -> None:
        page = self.page
        page.select_option(".sign-form select[name=conclusion]", "consistent")
        page.fill("input.signature", name)
        submit(page, "button.sign-check")
        page.wait_for_selector("text=现场核查已签字")


def test_every_role_does_its_part_in_the_browser(page: Any, users: dict[str, Any]) -> None:
    campaign = services.create_campaign(
        users["city"],
        name="2026年郑州市重点行业绩效分级",
        region_code="410100",
        application_deadline=timezone.now() + dt.timedelta(days=20),
        template_code="henan-2021",
    )
    expert = services.register_expert(users["city"], expert_user_id=users["expert"].pk, region_code="410100")
    journey = Journey(page)

    # Enterprise: declares B for cement, types its facts (a typo first), signs, generates the report, submits.
    journey.sign_in("ent")
    page.click("nav >> text=分级管理")  # the header groups pages into menus
    page.click("nav >> text=绩效分级申报")
    page.click("#new-declaration")
    page.select_option("#campaign", str(campaign.pk))
    page.select_option("#grade_cement", "B")
    journey.shot("enterprise-new-declaration")
    page.click("#new-form button[type=submit]")
    page.wait_for_selector("text=已创建申报")
    declaration = Declaration.objects.get(campaign=campaign)
    item = declaration.items.get()
    for key, value in TYPED.items():
        field = f"#fact__{item.pk}__{key}"
        if page.locator(f"select{field}").count():
            page.select_option(field, value)
        else:
            page.fill(field, "1e400" if key == "pm_concentration" else value)
    page.click("#save-facts")
    page.wait_for_selector(".field-error")
    assert "科学计数法" in page.locator("#facts-form").inner_text()
    assert page.input_value(f"#fact__{item.pk}__so2_concentration") == "30"  # kept as typed
    journey.shot("enterprise-facts-error")
    page.fill(f"#fact__{item.pk}__pm_concentration", TYPED["pm_concentration"])
    page.click("#save-facts")
    page.wait_for_selector("text=已保存申报数据")
    assert "达到 A级需要" in page.locator("#self-check").inner_text()
    journey.shot("enterprise-self-check")
    page.fill("#signer_name", "张伟")
    page.click("#sign-commitment")
    page.wait_for_selector("text=承诺书已签署")
    page.click("#generate-document")
    page.wait_for_selector("text=已生成申请文件")
    assert "申请报告（DOCX）" in page.content()
    said = journey.act("declaration.submit", "enterprise-confirm-submit")
    assert "提交后不能再修改" in said
    assert page.locator("#state").inner_text() == "已提交"
    detail = f"/declarations/{declaration.pk}/"

    # County: the facts next to the engine's grade; accepts, opens the check and assigns the expert.
    journey.sign_in("county")
    page.click("nav >> text=分级管理")  # the header groups pages into menus
    page.click("nav >> text=绩效分级申报")
    page.click(f"#work-queue >> text={declaration.number}")
    review = page.locator(".review-item").inner_text()
    assert "窑尾/窑头颗粒物排放浓度" in review and "15 mg/m³" in review and "暂定值" in review
    journey.act("declaration.county_accept", "county-confirm-accept")
    assert "县级现场核查已完成" in page.locator("#actions").inner_text()  # why grading is not offered yet
    page.click("#open-check")
    page.wait_for_selector("#assign-expert")
    page.select_option(".filters select[name=expert]", str(expert.pk))
    page.click("#assign-expert")
    page.wait_for_selector("text=已分配专家")
    journey.shot("county-review-facts")

    # Expert: the assigned check from the work queue, findings per aspect, signature.
    journey.sign_in("expert")
    page.goto("/declarations/")
    page.click(f"#work-queue a[href='{detail}']")
    for form in page.locator("form.findings-form").all():
        for select in form.locator("select").all():
            select.select_option("met")
        submit(page, form.locator("button.save-findings"))  # the page shows the last form's success already
        page.wait_for_selector(".messages .success")
    page.fill("#expert-opinion", "八个方面与申报一致")
    page.fill("#expert-signature", "赵专家")
    submit(page, "#expert-sign")
    page.wait_for_selector("text=专家签字：赵专家")
    journey.shot("expert-findings-signed")

    # County: signs the check, passes.
    journey.sign_in("county")
    page.goto(detail)
    journey.sign_check("李县核查")
    journey.act("declaration.county_pass", "county-confirm-pass", "材料真实完整，现场与申报一致")
    assert page.locator("#state").inner_text() == "县级初审通过"

    # City: accepts, draws the B sample with a recorded seed, checks on site, passes, reports.
    journey.sign_in("city")
    page.goto(detail)
    journey.act("declaration.city_accept", "city-confirm-accept")
    page.goto(f"/declarations/campaigns/{campaign.pk}/")
    page.fill("input[name=seed]", "20260817")
    page.click("#draw-sample")
    page.wait_for_selector("text=已完成B级抽样")
    journey.shot("city-sample")
    assert "种子 20260817" in page.content()
    assert SampleDraw.objects.get(campaign=campaign).drawn == [declaration.number]
    page.goto(detail)
    page.click("#open-check")
    page.wait_for_selector("input.signature")
    journey.sign_check("王市核查")
    journey.act("declaration.city_pass", "city-confirm-pass", "八个方面审核通过")
    journey.act("declaration.report_to_province", "city-confirm-report")

    # Province: the confirmation says what verifying does; verifies.
    journey.sign_in("province")
    page.goto(detail)
    said = journey.act("declaration.province_verify", "province-confirm-verify")
    assert "记入等级登记" in said and "公布" in said
    assert page.locator("#decided-grade").inner_text() == "B"
    assert "签章链校验通过" in page.locator("#history").inner_text()
    journey.shot("province-verified")

    # The public, signed out, finds the grade; a citizen files an objection.
    page.context.clear_cookies()
    page.goto("/public/grades/")
    page.fill("#q", "本县企业")
    page.click("button:has-text('查询')")
    row = page.locator("#public-grades tbody tr", has_text="本县企业")
    assert row.locator("td.grade").inner_text() == "B"
    assert users["own_enterprise"].credit_code in row.inner_text()
    journey.shot("public-grade")
    assert GradeRecord.objects.get(enterprise=users["own_enterprise"]).grade == "B"
    page.goto(f"/public/objections/new/{users['own_enterprise'].pk}/")
    page.fill("#content", "该企业夜间物料露天堆放，与公示的B级要求不符。")
    question = page.locator("label[for=captcha_answer]").inner_text()
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.fill("#captcha_answer", str(a + b))
    journey.shot("public-objection")
    submit(page, "main form button[type=submit]")  # the form's own address is under /public/objections/ too
    page.wait_for_url("**/public/objections/**")
    journey.shot("public-objection-status")
    status_url = page.url
    assert "已受理" in page.locator("main").inner_text()

    # The city finds the objection in its work queue, closes it with a public result (an empty result is refused
    # and what was typed stays); the public status page then shows the answer.
    journey.sign_in("city")
    page.click("#home-queue a:has-text('举报')")
    page.wait_for_selector("#objection")
    journey.shot("city-objection")
    page.click("#objection-close")
    page.fill("#f-investigation", "已派员现场核查，物料堆场已部分苫盖。")
    page.click("#confirm-action")
    assert "办结须填写公开的处理结果" in page.locator("#error-result").inner_text()
    assert page.locator("#f-investigation").input_value() == "已派员现场核查，物料堆场已部分苫盖。"
    page.fill("#f-result", "经核查情况属实，已责令企业限期完成物料堆场全封闭。")
    journey.shot("city-objection-close")
    page.click("#confirm-action")
    page.wait_for_selector(".messages .success")
    assert page.locator("#objection-status").inner_text() == "已办结"
    page.context.clear_cookies()
    page.goto(status_url)
    answer = page.locator("main").inner_text()
    assert "已办结" in answer and "已责令企业限期完成物料堆场全封闭" in answer and "部分苫盖" not in answer
    journey.shot("public-objection-answered")
