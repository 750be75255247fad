"""Registry import (issue 10): enterprises, sites, industries (type + branch), lines with capacities and outlets from
a workbook — dry run, commit through the registry services, re-import and export round trip unchanged, another
county's enterprise refused, a bad cell named by row and column."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from airgrade.core.credit_code import make as make_credit_code
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.enterprises.models import Enterprise
from airgrade.platform.jobs.models import Job
from airgrade.platform.workbooks import official, services

pytestmark = pytest.mark.django_db(transaction=True)
CODE = make_credit_code("91410181555555555")
HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "县区",
    "联系人",
    "厂区",
    "行业类型",
    "行业分支",
    "生产线名称",
    "类别",
    "产能（t/d）",
    "运行状态",
]


def _book(rows: list[list[Any]], outlets: list[list[Any]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "企业档案"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    if outlets is not None:
        extra = book.create_sheet("排放口")
        extra.append(["统一社会信用代码", "厂区", "排放口编号", "排放口名称", "污染物"])
        for row in outlets:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows(industry: str = "水泥") -> list[list[Any]]:
    return [
        [CODE, "档案导入建材有限公司", "巩义市", "王工", "一厂", industry, "熟料", "1号窑", "生产线", 5000, "运行"],
        [CODE, "档案导入建材有限公司", "巩义市", "王工", "一厂", industry, "熟料", "2号窑", "生产线", 3000, "备用"],
    ]


def _work() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def _run(user: Any, data: bytes, commit: bool = False) -> Job:
    job = services.start_import(user, "registry", "档案.xlsx", data)
    _work()
    job.refresh_from_db()
    if commit:
        assert job.report["error_total"] == 0, job.report["errors"]
        job = services.commit_import(user, job.pk)
        _work()
        job.refresh_from_db()
    return job


def test_registry_import_creates_then_changes_nothing_and_round_trips(users: dict[str, Any]) -> None:
    county = users["county"]
    data = _book(_rows(), outlets=[[CODE, "一厂", "DA001", "窑尾", "SO2、氮氧化物、颗粒物"]])
    dry = _run(county, data)
    assert dry.state == Job.State.SUCCEEDED, dry.message
    assert dry.report["counts"] == {"new": 1, "changed": 0, "unchanged": 0, "refused": 0}
    assert not Enterprise.objects.filter(credit_code=CODE).exists()
    done = _run(county, data, commit=True)
    assert done.state == Job.State.SUCCEEDED, done.message
    enterprise = Enterprise.objects.get(credit_code=CODE)
    assert enterprise.region_id == "410181" and enterprise.contact_name == "王工"
    site = enterprise.sites.get()
    assert site.name == "一厂"
    assert list(site.industries.values_list("industry_code", "branch")) == [("cement", "熟料")]
    lines = {line.name: line for line in site.lines.all()}
    assert lines["1号窑"].capacity == 5000 and lines["1号窑"].capacity_unit == "t/d"
    assert lines["2号窑"].status == "backup"
    assert site.outlets.get().pollutants == ["SO2", "NOx", "PM"]
    assert AuditRecord.objects.filter(action="line.create").count() >= 2

    assert _run(county, data).report["counts"]["unchanged"] == 1  # a second import changes nothing
    changed = _rows()
    changed[0][9] = 5500
    assert _run(county, _book(changed)).report["counts"]["changed"] == 1

    exported, _ = official.export(county, "registry", {})
    again = _run(county, exported)
    assert again.state == Job.State.SUCCEEDED, again.message
    assert again.report["error_total"] == 0, again.report["errors"]
    assert again.report["counts"]["new"] == 0 and again.report["counts"]["changed"] == 0


def test_registry_import_refuses_other_counties_and_names_bad_cells(users: dict[str, Any]) -> None:
    county = users["county"]
    neighbour = users["other_enterprise"]  # 荥阳
    rows = [
        *_rows(industry="不存在的行业"),
        [neighbour.credit_code, neighbour.name, "", "", "", "水泥", "", "", "", "", ""],
    ]
    dry = _run(county, _book(rows))
    assert dry.report["counts"]["refused"] == 2
    by_row = {error["row"]: error for error in dry.report["errors"]}
    assert by_row[2]["column"] == "行业类型" and "未知的重点行业" in by_row[2]["reason"]
    assert "管辖范围" in by_row[4]["reason"]
    assert not Enterprise.objects.filter(credit_code=CODE).exists()
