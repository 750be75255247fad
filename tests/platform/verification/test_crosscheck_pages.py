"""Cross-check pages (issue 12 items 1, 2, 4): the county runs a month, sees findings by kind with the evidence, and
confirms one into the grade registry; the meter register page registers a meter and its file import refuses bad rows
with 400 and saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.platform.verification.test_crosscheck_services import grade_c, last_month, load, monitoring, month_hours

from airgrade.platform.grades.models import Downgrade
from airgrade.platform.verification.models import Finding, MonitoringPoint

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_county_runs_a_month_and_confirms_a_finding(users: dict[str, Any]) -> None:
    grade_c(users)
    load(
        users["county"],
        "monitoring",
        monitoring(users["own_enterprise"].credit_code, month_hours(last_month()), high=60),
    )
    county = _client(users["county"])
    page = county.get("/verification/findings/")
    assert page.status_code == 200 and "按月核查" in page.content.decode()
    response = county.post("/verification/findings/run/", {"month": f"{last_month():%Y-%m}"}, follow=True)
    text = response.content.decode()
    assert "交叉核查完成：新发现 1 项" in text and "超过绩效等级排放限值" in text
    finding = Finding.objects.get()
    detail = county.get(f"/verification/findings/{finding.pk}/").content.decode()
    assert "证据曲线" in detail
    assert "规则库“窑尾二氧化硫排放浓度”C级" in detail and "提交核实结论" in detail
    # The enterprise sees its finding, without the decision form; the city sees it too and cannot decide.
    assert (
        "提交核实结论" not in _client(users["enterprise"]).get(f"/verification/findings/{finding.pk}/").content.decode()
    )
    assert "提交核实结论" not in _client(users["city"]).get(f"/verification/findings/{finding.pk}/").content.decode()
    assert _client(users["other_county"]).get(f"/verification/findings/{finding.pk}/").status_code == 404
    bad = county.post(
        f"/verification/findings/{finding.pk}/decide/", {"decision": "confirm", "reason": ""}, follow=True
    )
    assert "核实意见" in bad.content.decode() and Finding.objects.get().status == "open"
    done = county.post(
        f"/verification/findings/{finding.pk}/decide/",
        {"decision": "confirm", "reason": "复核在线监测属实", "downgrade": "on"},
        follow=True,
    )
    assert "已确认属实，关联降级 1 项" in done.content.decode()
    assert Downgrade.objects.get().get_reason_code_display() == "超标排放"
    registry = county.get("/grades/").content.decode()
    assert "超标排放" in registry or users["own_enterprise"].name in registry
    assert "待核实" in county.get("/verification/cases/").content.decode()


def test_meter_register_page_and_file(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.get()
    line = site.lines.get()
    enterprise = _client(users["enterprise"])
    assert enterprise.get("/verification/meters/").status_code == 200
    missing_line = enterprise.post("/verification/meters/", {"site": site.pk, "kind": "meter", "code": "M1"})
    assert missing_line.status_code == 400 and "电表须关联档案中的生产线" in missing_line.content.decode()
    ok = enterprise.post(
        "/verification/meters/", {"site": site.pk, "kind": "meter", "code": "M1", "line": line.pk}, follow=True
    )
    assert "已登记 电表 M1" in ok.content.decode() and MonitoringPoint.objects.get().line == line
    code = users["own_enterprise"].credit_code
    bad = b"\xef\xbb\xbf" + f"统一社会信用代码,类别,编号,生产线\n{code},电表,M2,没有这条线\n".encode()
    response = _client(users["county"]).post(
        "/verification/meters/import/", {"commit": "on", "file": SimpleUploadedFile("电表.csv", bad)}
    )
    text = response.content.decode()
    assert (
        response.status_code == 400 and "第 2 行" not in text and "没有这条线" in text and "档案中没有此生产线" in text
    )
    assert MonitoringPoint.objects.count() == 1
