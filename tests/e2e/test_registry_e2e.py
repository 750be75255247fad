"""A county reviewer finds an enterprise, edits a production line and sees the audit entry (headless chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.e2e.browser import submit

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.enterprises.models import ProductionLine

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_reviewer_edits_a_line_and_sees_the_audit_entry(
    page: Any, login: Any, users: dict[str, Any], tmp_path: Any
) -> None:
    login("county")
    assert "县级审核工作台" in page.content()
    page.click("nav >> text=分级管理")  # the header groups pages into menus
    page.click("nav >> text=企业档案")
    page.fill("#q", "本县")
    page.click("button:has-text('查询')")
    rows = page.locator("#enterprise-table tbody tr")
    assert rows.count() == 1
    page.click("#enterprise-table >> text=本县企业")
    page.click("tr:has-text('1#熟料线') >> text=编辑")
    page.fill("#id_capacity", "-3")
    page.click("button:has-text('保存')")
    # An edit of a registered line needs its reason for the audit log before anything else is checked.
    assert page.locator(".errors").inner_text().strip() == "修改已登记的信息须填写修改原因（记入审计日志）"
    page.fill("#id_reason", "技改扩能备案")
    submit(page, "button:has-text('保存')")  # the old page already shows an error: read the new page's
    assert page.locator(".errors").inner_text().strip() == "产能不能为负数"
    assert page.input_value("#id_reason") == "技改扩能备案"  # what was typed is kept
    page.fill("#id_capacity", "4800")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已保存")
    history = page.locator("#audit-history").inner_text()
    assert "修改生产线" in history and "技改扩能备案" in history and "4800.000" in history
    page.screenshot(path=str(tmp_path / "enterprise-detail.png"), full_page=True)
    line = ProductionLine.objects.get(site__enterprise=users["own_enterprise"])
    assert str(line.capacity) == "4800.000"
    assert AuditRecord.objects.filter(action="line.update", object_id=str(line.pk)).count() == 1


def test_county_reviewer_cannot_open_another_countys_enterprise(page: Any, login: Any, users: dict[str, Any]) -> None:
    login("county")
    response = page.goto(f"/enterprises/{users['other_enterprise'].pk}/edit/")
    # Out of scope looks exactly like a missing enterprise (404), so a reviewer cannot probe which ids exist.
    assert response.status == 404
    assert "不存在" in page.content() and users["other_enterprise"].name not in page.content()
