"""A tour of issue 15's pages on the demo, role by role, in headless Debian chromium: every page the issue asks for
is opened as the role that uses it, checked for the words that show its bullet, and saved as a screenshot under
test-results/tour/ (gitignored) — the list of paths a person looks through to see each bullet on the demo.
Public and enterprise pages are also saved at 390 px (phone), one page in print media (the print stylesheet).

The journey (test_journey_e2e.py) walks one declaration through every role; this tour shows the standing pages
around it: registry, history, rectifications, 回头看, adjustment, objections, experts, alerts, dashboards, lists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.e2e.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "tour"
PASSWORD = "airgrade-demo-2026"


class Tour:
    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.count = 0
        self.saved: list[str] = []
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()
        self.context: Any = None
        self.page: Any = None

    def open(self, username: str | None, *, width: int = 1280) -> Any:
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": 900}, base_url=self.base_url
        )
        self.page = self.context.new_page()
        # The live server's first request imports every view module and the rule book: slow on a busy machine.
        self.page.set_default_timeout(60_000)
        if username:
            sign_in(self.page, username, PASSWORD, first_load_timeout=180_000)
        return self.page

    def visit(self, url: str, name: str, *expected: str, status: int = 200) -> str:
        """Open the page, check its status and the words that show the bullet, save a screenshot."""
        response = self.page.goto(url)
        assert response is not None and response.status == status, (url, response and response.status)
        text = str(self.page.locator("body").inner_text())
        self.shot(name)  # before the check: a failing page is worth looking at
        missing = [words for words in expected if words not in text]
        assert not missing, (url, missing)
        return text

    def shot(self, name: str) -> None:
        self.count += 1
        path = SHOTS / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.saved.append(str(path.relative_to(SHOTS.parents[1])))
        if self.page.viewport_size["width"] < 600:  # a phone page: also the first screen, readable at full size
            top = SHOTS / f"{self.count:02d}-{name}-first-screen.png"
            self.page.screenshot(path=str(top))
            self.saved.append(str(top.relative_to(SHOTS.parents[1])))

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
        (SHOTS / "index.txt").write_text("\n".join(self.saved) + "\n", encoding="utf-8")


def test_every_page_of_the_issue_as_its_role(browser: Any, live_server: Any) -> None:
    from airgrade.platform.accounts.models import User
    from airgrade.platform.declarations.models import Declaration, OnsiteCheck
    from airgrade.platform.demo import ACTIVE_ALERT_TITLE, load_demo
    from airgrade.platform.disclosure.models import Objection
    from airgrade.platform.emergency.models import AlertEvent, ListEntry
    from airgrade.platform.grades.models import Downgrade, LookbackRound, RectificationOrder

    load_demo(enterprise_count=40, seed=7)
    enterprise_id = User.objects.get(username="enterprise").enterprise_id
    own = Declaration.objects.filter(enterprise_id=enterprise_id).order_by("-pk").first()
    county_review = Declaration.objects.filter(state="county_review", region_id="410181").order_by("pk").first()
    verification = Declaration.objects.filter(state="province_verification").order_by("pk").first()
    check = OnsiteCheck.objects.filter(experts__user__username="expert", signed_at__isnull=True).first()
    entry = ListEntry.objects.filter(enterprise_id=enterprise_id).order_by("-year").first()
    event = AlertEvent.objects.get(title=ACTIVE_ALERT_TITLE, status=AlertEvent.Status.ACTIVE)
    round_ = LookbackRound.objects.order_by("pk").first()
    order = RectificationOrder.objects.order_by("pk").first()
    downgrade = Downgrade.objects.order_by("pk").first()
    objection = Objection.objects.order_by("pk").first()
    assert own and county_review and verification and check and entry and order and round_ and downgrade
    assert objection is not None

    tour = Tour(browser, live_server.url)
    try:
        # Enterprise: alert banner and task, 360° page, its declaration (facts form, self-check table), new
        # declaration (open campaigns only), its list entry and the structured list editor, the task report.
        tour.open("enterprise")
        tour.visit("/", "enterprise-home-alert-banner", "重污染天气预警进行中", "未签收")
        tour.visit(f"/enterprises/{enterprise_id}/overview/", "enterprise-360", "预警任务", "整改")
        tour.visit(f"/declarations/{own.pk}/", "enterprise-declaration-facts-self-check", "提交前自评", "我的数值")
        tour.visit("/declarations/new/", "enterprise-new-declaration", "评级批次")
        tour.visit(f"/emergency/entries/{entry.pk}/", "enterprise-list-entry", "橙色预警")
        tour.visit(f"/emergency/sites/{entry.site_id}/{entry.year}/edit/", "enterprise-list-editor", "自报措施")
        tour.visit(f"/emergency/alerts/{event.pk}/", "enterprise-alert-task-report", "二氧化硫", "氮氧化物")
        tour.open("enterprise", width=390)
        tour.visit("/", "phone-enterprise-home", "重污染天气预警进行中")
        tour.visit(f"/declarations/{own.pk}/", "phone-enterprise-declaration")

        # County: the work queue with links, the declaration list with filters and export, the review page with the
        # facts in view, a confirmation step, the audit log in Chinese, the alert with its acknowledgement count.
        tour.open("county")
        tour.visit("/", "county-home-queue", "我的待办")
        tour.visit("/declarations/", "county-declaration-list", "导出 CSV", "查询")
        tour.visit(f"/declarations/{county_review.pk}/", "county-review-facts", "申报", "现场核查")
        tour.visit(
            f"/declarations/{county_review.pk}/confirm/?action=declaration.county_return",
            "county-confirm-return",
            "确认",
        )
        tour.visit(f"/emergency/alerts/{event.pk}/", "county-alert-tasks", "已签收", "导出 CSV")
        tour.visit("/emergency/", "county-emergency-list", "导出 CSV")
        tour.visit("/audit/", "county-audit-log", "导出 CSV")
        tour.visit("/declarations/?state=nonsense", "county-refused-filter", "筛选条件有误", status=400)

        # City: registry and history, rectifications, 回头看 (round, 问题企业汇总表), adjustment with downgrades,
        # objections, experts, the dashboard by county, the alert editor.
        tour.open("city")
        tour.visit("/", "city-home-queue", "我的待办")
        tour.visit("/grades/", "city-grade-registry", "有效日期", "导出 Excel")
        tour.visit(f"/grades/sites/{downgrade.site_id}/", "city-site-history", "动态降级")
        tour.visit("/grades/rectifications/", "city-rectifications", "整改时限")
        tour.visit(f"/grades/rectifications/{order.pk}/", "city-rectification-order", "整改")
        tour.visit("/grades/lookbacks/", "city-lookbacks", "回头看")
        tour.visit(f"/grades/lookbacks/{round_.pk}/", "city-lookback-round", "资格审查", "现场核查")
        tour.visit(f"/grades/lookbacks/{round_.pk}/problems/", "city-lookback-problems", "问题严重", "导出 CSV")
        tour.visit("/grades/adjustment/", "city-adjustment-downgrades", "降级记录", "超标排放")
        tour.visit("/objections/", "city-objections", "导出 CSV")
        tour.visit(f"/objections/{objection.pk}/", "city-objection", "举报")
        tour.visit("/declarations/experts/", "city-experts", "专家库", "黑名单")
        tour.visit("/emergency/dashboard/", "city-dashboard-by-county", "巩义市")
        tour.visit("/emergency/alerts/", "city-alerts", "橙色预警")

        # Province: verification with its confirmation, the dashboard by city, the monthly report.
        tour.open("province")
        tour.visit(f"/declarations/{verification.pk}/", "province-verification", "核定")
        tour.visit(
            f"/declarations/{verification.pk}/confirm/?action=declaration.province_verify",
            "province-confirm-verify",
            "等级登记",
        )
        tour.visit("/emergency/dashboard/", "province-dashboard-by-city", "郑州市")
        tour.visit("/public/monthly-report/", "province-monthly-report", "月报")

        # Expert: the assigned checks and one check's findings per aspect with the signature.
        tour.open("expert")
        tour.visit("/", "expert-home-checks", "现场核查")
        tour.visit(f"/declarations/{check.declaration_id}/", "expert-check-findings", "现场核查")

        # The public: the grade catalogue, notices, the objection form; at 390 px; a page in print media.
        tour.open(None)
        tour.visit("/public/grades/", "public-grades", "举报")
        tour.visit("/public/notices/", "public-notices")
        tour.visit(f"/public/objections/new/{objection.enterprise_id}/", "public-objection-form", "验证")
        tour.open(None, width=390)
        tour.visit("/public/grades/", "phone-public-grades", "举报")
        tour.open("county")
        tour.page.emulate_media(media="print")
        tour.visit(f"/declarations/{county_review.pk}/", "print-review-page")
    finally:
        tour.close()
    assert tour.count >= 40
