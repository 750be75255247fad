"""Official tables (issue 10): each downloads from its page as an .xlsx that opens with the documented headers, holds
the rows in the caller's scope only, says it is a derived layout, and writes hostile text as text
(REQ H21-4, SJZ-2, H23-1, H23-5)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.platform.declarations.workflow_helpers import province_verified
from tests.platform.page_client import client_for, text

from airgrade.io.excel import layouts
from airgrade.platform.emergency.models import ListEntry
from airgrade.platform.enterprises.models import Enterprise
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord, LookbackItem

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://evil.example","点此")'


def _sheet(response: Any, layout: layouts.Layout) -> tuple[list[Any], list[list[Any]], str]:
    """Headers, data rows and the subtitle of a downloaded table, opened as Excel would open it."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[layout.sheet]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == layout.title
    headers = rows[2][: len(layout.columns)]
    assert headers == [column.title for column in layout.columns]  # the documented headers, in order
    assert "未公开发布" in " ".join(str(c) for row in book["填写说明"].iter_rows(values_only=True) for c in row if c)
    return headers, [row for row in rows[3:] if any(c is not None for c in row)], str(rows[1][0])


def _column(layout: layouts.Layout, key: str) -> int:
    return [column.key for column in layout.columns].index(key)


@pytest.fixture
def graded(users: dict[str, Any]) -> GradeRecord:
    """The home enterprise's cement grade B, decided in a campaign and verified by the province (巩义, 郑州)."""
    province_verified(users)
    enterprise = users["own_enterprise"]
    Enterprise.objects.filter(pk=enterprise.pk).update(name=HOSTILE)
    return GradeRecord.objects.get(enterprise=enterprise)


def test_ab_list_and_application_list_of_a_campaign(users: dict[str, Any], graded: GradeRecord) -> None:
    campaign = graded.campaign
    assert campaign is not None
    city = client_for(users["city"])
    page = text(city.get(f"/declarations/campaigns/{campaign.pk}/"))
    assert 'id="export-application-list"' in page and "非官方正式模板" in page

    layout = layouts.AB_LIST
    _, rows, subtitle = _sheet(city.get(f"/workbooks/export/ab-list.xlsx?campaign={campaign.pk}"), layout)
    assert campaign.name in subtitle and "非官方正式模板" in subtitle
    [row] = rows
    assert row[_column(layout, "number")] == 1
    assert row[_column(layout, "credit_code")] == graded.enterprise.credit_code
    assert row[_column(layout, "enterprise_name")] == "'" + HOSTILE  # text, never a formula
    assert row[_column(layout, "grade")] == "B" and row[_column(layout, "industry")] == "水泥"
    assert row[_column(layout, "county")] == "巩义市" and row[_column(layout, "city")] == "郑州市"

    layout = layouts.APPLICATION_LIST
    _, rows, _ = _sheet(city.get(f"/workbooks/export/application-list.xlsx?campaign={campaign.pk}"), layout)
    [row] = rows
    assert row[_column(layout, "target_grade")] == "B" and row[_column(layout, "declaration")]

    # Scope: a county sees its own rows; another city's staff find no such campaign; enterprises get no reports.
    county_rows = _sheet(
        client_for(users["county"]).get(f"/workbooks/export/ab-list.xlsx?campaign={campaign.pk}"), layouts.AB_LIST
    )[1]
    assert len(county_rows) == 1
    other_county = _sheet(
        client_for(users["other_county"]).get(f"/workbooks/export/ab-list.xlsx?campaign={campaign.pk}"), layouts.AB_LIST
    )[1]
    assert other_county == []  # the campaign is the city's; the neighbour county has no rows in it
    assert (
        client_for(users["other_city"]).get(f"/workbooks/export/ab-list.xlsx?campaign={campaign.pk}").status_code == 404
    )
    assert client_for(users["enterprise"]).get(
        f"/workbooks/export/application-list.xlsx?campaign={campaign.pk}"
    ).status_code in (403, 404)
    # Bad input is a 400 naming the field, never a 500.
    bad = city.get("/workbooks/export/ab-list.xlsx?campaign=abc")
    assert bad.status_code == 400 and "评级批次" in text(bad)
    assert city.get("/workbooks/export/ab-list.xlsx").status_code == 400
    assert city.get(f"/workbooks/export/ab-list.xlsx?campaign={campaign.pk}&batch=999999").status_code == 404
    assert city.get("/workbooks/export/no-such-table.xlsx").status_code == 404


def test_lookback_tables(users: dict[str, Any], graded: GradeRecord) -> None:
    import datetime as dt

    today = dt.date.today()
    round_ = grades.start_lookback(
        users["city"],
        region_code="410100",
        year=today.year,
        qualification_due=today + dt.timedelta(days=5),
        onsite_due=today + dt.timedelta(days=9),
    )
    item = LookbackItem.objects.get(round=round_)
    grades.record_lookback_result(users["city"], item.pk, stage="onsite", result="serious", note="-治理设施未运行+1")
    city = client_for(users["city"])
    page = text(city.get(f"/grades/lookbacks/{round_.pk}/"))
    assert 'id="export-lookback-qualification"' in page and "export-lookback-onsite" in page

    layout = layouts.LOOKBACK_QUALIFICATION
    [row] = _sheet(city.get(f"/workbooks/export/lookback-qualification.xlsx?round={round_.pk}"), layout)[1]
    assert row[_column(layout, "result")] == "未开展" and row[_column(layout, "grade")] == "B"

    layout = layouts.LOOKBACK_PROBLEMS
    [row] = _sheet(city.get(f"/workbooks/export/lookback-problems.xlsx?round={round_.pk}"), layout)[1]
    assert row[_column(layout, "onsite")] == "问题严重：-治理设施未运行+1"
    assert row[_column(layout, "severity")] == "问题严重" and row[_column(layout, "outcome")] == "未处理"

    layout = layouts.LOOKBACK_ONSITE
    _, rows, subtitle = _sheet(city.get(f"/workbooks/export/lookback-onsite.xlsx?item={item.pk}"), layout)
    assert graded.enterprise.credit_code in subtitle
    by_item = {row[_column(layout, "item")]: row for row in rows}
    assert by_item["现场核查回头看"][_column(layout, "result")] == "问题严重"
    assert by_item["现场核查回头看"][_column(layout, "note")] == "'-治理设施未运行+1"  # leading minus: neutralised
    assert by_item["处理结果"][_column(layout, "result")] == "未处理"

    for who in ("county", "other_city", "enterprise"):  # 回头看 is the city's and the province's
        response = client_for(users[who]).get(f"/workbooks/export/lookback-problems.xlsx?round={round_.pk}")
        assert response.status_code == 404, who
        assert client_for(users[who]).get(f"/workbooks/export/lookback-onsite.xlsx?item={item.pk}").status_code == 404


def test_guarantee_review_and_registry(users: dict[str, Any]) -> None:
    own, other = users["own_enterprise"], users["other_enterprise"]
    for enterprise, task in ((own, "居民供暖"), (other, "邻县供暖")):
        site = enterprise.sites.first()
        ListEntry.objects.create(
            site=site,
            enterprise=enterprise,
            region=site.region,
            year=2025,
            guarantee_category="residential_power_heat",
            guarantee_task=task,
            guaranteed_daily_output=300,
            normal_daily_output=1000,
            guarantee_status=ListEntry.GuaranteeStatus.APPLIED,
            guarantee_note="@SUM(1)",
        )
    county = client_for(users["county"])
    assert 'id="export-guarantee-review"' in text(county.get("/emergency/"))
    layout = layouts.GUARANTEE_REVIEW
    _, rows, subtitle = _sheet(county.get("/workbooks/export/guarantee-review.xlsx?year=2025"), layout)
    assert "2025" in subtitle
    [row] = rows  # the neighbour county's entry is not in the county's file
    assert row[_column(layout, "task")] == "居民供暖" and row[_column(layout, "share")] == "30%"
    assert row[_column(layout, "status")] == "已申请" and row[_column(layout, "note")] == "'@SUM(1)"
    assert len(_sheet(client_for(users["city"]).get("/workbooks/export/guarantee-review.xlsx"), layout)[1]) == 2
    assert county.get("/workbooks/export/guarantee-review.xlsx?year=1900").status_code == 400

    layout = layouts.REGISTRY
    assert 'id="export-registry"' in text(county.get("/enterprises/"))
    rows = _sheet(county.get("/workbooks/export/registry.xlsx"), layout)[1]
    codes = {row[_column(layout, "credit_code")] for row in rows}
    assert own.credit_code in codes and other.credit_code not in codes
    assert client_for(users["enterprise"]).get("/workbooks/export/registry.xlsx").status_code in (403, 404)
    assert 'id="export-registry"' not in text(client_for(users["enterprise"]).get("/enterprises/"))
