"""附件3 improvement list: rows for the caller's scope from the registry and the declared facts; Excel and CLI."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.platform.grades import services
from airgrade.platform.grades.models import GradeRecord

pytestmark = pytest.mark.django_db


def _grade(enterprise: Any, grade: str) -> None:
    site = enterprise.sites.get()
    GradeRecord.objects.create(
        enterprise=enterprise, site=site, region_id=site.region_id, industry_code="cement", grade=grade,
        valid_from=dt.date(2020, 1, 1), source=GradeRecord.Source.CAMPAIGN,
    )  # fmt: skip


@pytest.fixture
def graded(users: dict[str, Any]) -> dict[str, Any]:
    _grade(users["own_enterprise"], "C")
    _grade(users["other_enterprise"], "A")  # top grade: nothing to improve
    _grade(users["far_enterprise"], "D")
    return users


def test_rows_follow_scope_and_grades(graded: dict[str, Any]) -> None:
    city_rows = [row.as_dict() for row in services.improvement_rows(graded["city"])]
    assert [(r["企业名称"], r["绩效现状"], r["绩效提升目标"], r["省辖市"], r["县(市、区)"]) for r in city_rows] == [
        ("本县企业", "C", "B", "郑州市", "巩义市")
    ]
    assert city_rows[0]["差异化指标"] == "待对标"  # no declared facts yet
    province = {r.as_dict()["企业名称"] for r in services.improvement_rows(graded["province"])}
    assert province == {"本县企业", "外市企业"}
    own = [r.as_dict()["企业名称"] for r in services.improvement_rows(graded["enterprise"])]
    assert own == ["本县企业"]


def test_workbook_download_has_the_official_layout_and_refuses_experts(graded: dict[str, Any]) -> None:
    client = Client()
    assert client.get("/grades/improvement-list.xlsx").status_code == 302  # login first
    client.force_login(graded["county"])
    response = client.get("/grades/improvement-list.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "重点行业绩效分级提升企业清单"
    assert [c.value for c in sheet[3]][:8] == [
        "序号",
        "省辖市",
        "县(市、区)",
        "企业名称",
        "重点行业类型",
        "重点行业分支",
        "绩效现状",
        "绩效提升目标",
    ]
    assert [c.value for c in sheet[4]][:8] == [1, "郑州市", "巩义市", "本县企业", "水泥", None, "C", "B"]
    assert sheet.max_row == 4
    expert = Client()
    expert.force_login(graded["expert"])
    assert expert.get("/grades/improvement-list.xlsx").status_code == 403


def test_cli_export(graded: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "list.xlsx"
    result = CliRunner().invoke(app, ["export", "improvement-list", "--as", "province", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert load_workbook(target).active.max_row == 5  # title, date, header + 2 rows
