"""An emergency-list import end to end in headless chromium: template download → upload with one bad row →
dry-run errors named by row and column → fix → upload → commit → the entry is on the list page, the enterprise and
its site in the registry, the lines on the entry's page (issue 10 "Done when")."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from tests.e2e.browser import submit

from airgrade.core.credit_code import make as make_credit_code
from airgrade.platform.emergency.models import ListEntry
from airgrade.platform.enterprises.models import Enterprise

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CODE = make_credit_code("91410181666666666")
SHOTS = os.environ.get("AIRGRADE_SCREENSHOTS", "")


def _work() -> None:
    """What `airgrade serve`'s worker does between two polls of the page."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _filled(template: bytes, industry: str) -> bytes:
    book = load_workbook(io.BytesIO(template))
    sheet = book["应急减排清单"]
    titles = {}
    for column in range(1, sheet.max_column + 1):
        titles[sheet.cell(2, column).value or sheet.cell(1, column).value] = column
    for row, (key, name, line_industry) in enumerate((("L1", "1号线", "水泥"), ("L2", "2号线", industry)), start=3):
        values = {
            "清单年度": 2025,
            "统一社会信用代码": CODE,
            "企业名称": "浏览器导入水泥厂",
            "所在县（市、区）": "巩义市",
            "行业类别": line_industry,
            "绩效等级": "C",
            "生产线编号": key,
            "名称": name,
            "运行状态": "正常运行",
            "产能单位": "t/d",
            "环评批复产能": 3000,
            "氮氧化物（吨/天）": 1.2,
            "黄色预警": "限产30%",
        }
        for title, value in values.items():
            sheet.cell(row, titles[title], value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(page: Any, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    page.goto("/workbooks/")
    page.set_input_files("#file-emergency_list", str(path))
    page.click("#upload-emergency_list")
    page.wait_for_url("**/jobs/*/")
    _work()
    page.wait_for_selector("#import-report")  # htmx polls the progress and reloads the page when the job ends


def test_import_with_one_bad_row_end_to_end(page: Any, login: Any, users: dict[str, Any], tmp_path: Path) -> None:
    page.set_default_timeout(60000)  # the worker runs in this process between polls; a busy CI machine is slow
    login("county")
    page.goto("/workbooks/")
    assert "未公开发布" in page.locator(".template-note").first.inner_text()
    _shot(page, "workbooks-index")
    with page.expect_download() as download:
        page.click("#template-emergency_list")
    template = Path(download.value.path()).read_bytes()

    _upload(page, tmp_path, "清单.xlsx", _filled(template, "不存在的行业"))
    _shot(page, "workbooks-dry-run-errors")
    errors = page.locator("#import-errors").inner_text()
    assert "4" in errors and "行业类别" in errors and "不存在的行业" in errors and "未知的重点行业" in errors
    assert page.locator("#count-refused").inner_text() == "1"
    assert page.locator("#commit-import").count() == 0
    with page.expect_download() as download:
        page.click("#download-errors")
    error_sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert error_sheet.cell(1, error_sheet.max_column).value == "错误说明"

    _upload(page, tmp_path, "清单-已修正.xlsx", _filled(template, "水泥"))
    assert page.locator("#count-new").inner_text() == "1"
    submit(page, "#commit-import")  # the dry run's page is a job page too: wait for the commit job's
    _work()
    page.wait_for_selector("text=导入结果")
    _shot(page, "workbooks-committed")
    entry = ListEntry.objects.get(enterprise__credit_code=CODE, year=2025)
    assert sorted(entry.lines.values_list("key", flat=True)) == ["L1", "L2"]
    page.click("text=查看应急减排清单")
    assert "浏览器导入水泥厂" in page.locator("#entries").inner_text()

    # The registry has the enterprise and its site with the industry; the entry's page lists both lines.
    enterprise = Enterprise.objects.get(credit_code=CODE)
    page.goto(f"/enterprises/{enterprise.pk}/")
    registry = page.locator("main").inner_text()
    assert "浏览器导入水泥厂" in registry and "主厂区" in registry and "水泥" in registry
    _shot(page, "workbooks-imported-enterprise")
    page.goto(f"/emergency/entries/{entry.pk}/")
    detail = page.locator("main").inner_text()
    assert "1号线" in detail and "2号线" in detail
    _shot(page, "workbooks-imported-entry")


def _download(page: Any, selector: str) -> Any:
    with page.expect_download() as download:
        page.click(selector)
    return load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))


def test_official_tables_download_from_their_pages(page: Any, login: Any, users: dict[str, Any]) -> None:
    """Each official table is a link on the page that shows its data, and the file opens with its headers."""
    import datetime as dt

    from tests.platform.declarations.workflow_helpers import province_verified

    from airgrade.io.excel import layouts
    from airgrade.platform.grades import services as grades
    from airgrade.platform.grades.models import GradeRecord

    province_verified(users)
    record = GradeRecord.objects.get(enterprise=users["own_enterprise"])
    today = dt.date.today()
    round_ = grades.start_lookback(
        users["city"],
        region_code="410100",
        year=today.year,
        qualification_due=today + dt.timedelta(days=5),
        onsite_due=today + dt.timedelta(days=9),
    )
    login("city")

    def headers(book: Any, layout: Any) -> list[Any]:
        sheet = book[layout.sheet]
        return [sheet.cell(3, column).value for column in range(1, len(layout.columns) + 1)]

    page.goto(f"/declarations/campaigns/{record.campaign_id}/")
    _shot(page, "official-campaign-page")
    book = _download(page, "#export-application-list")
    assert headers(book, layouts.APPLICATION_LIST) == [c.title for c in layouts.APPLICATION_LIST.columns]
    book = _download(page, "#export-ab-list")
    assert headers(book, layouts.AB_LIST) == [c.title for c in layouts.AB_LIST.columns]
    assert book[layouts.AB_LIST.sheet].cell(4, 4).value == record.enterprise.credit_code

    page.goto(f"/grades/lookbacks/{round_.pk}/")
    _shot(page, "official-lookback-page")
    for selector, layout in (
        ("#export-lookback-qualification", layouts.LOOKBACK_QUALIFICATION),
        ("#export-lookback-problems", layouts.LOOKBACK_PROBLEMS),
        (".export-lookback-onsite", layouts.LOOKBACK_ONSITE),
    ):
        assert headers(_download(page, selector), layout) == [c.title for c in layout.columns], selector

    page.goto("/emergency/")
    book = _download(page, "#export-guarantee-review")
    assert headers(book, layouts.GUARANTEE_REVIEW) == [c.title for c in layouts.GUARANTEE_REVIEW.columns]
    page.goto("/enterprises/")
    book = _download(page, "#export-registry")
    assert headers(book, layouts.REGISTRY) == [c.title for c in layouts.REGISTRY.columns]
    page.goto("/workbooks/")
    assert "非官方正式模板" in page.locator("#official-tables").inner_text()
    _shot(page, "official-workbooks-index")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/declarations/campaigns/{record.campaign_id}/")
    _shot(page, "official-campaign-page-phone")
