"""Verification pages (issue 12): the city sees who cut and who did not, the county confirms a case from the evidence
page, the import page reports bad rows with 400 and saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.platform.verification.builders import alert_with_tasks, monitoring_csv

from airgrade.platform.verification import services
from airgrade.platform.verification.models import Case, Reading

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_city_page_county_decision_and_enterprise_view(users: dict[str, Any], make_enterprise: Any) -> None:
    kept, cut = users["own_enterprise"], make_enterprise("410181", "减排企业")
    event = alert_with_tasks(users, [kept, cut])
    county = _client(users["county"])
    for enterprise, during in ((kept, 10.0), (cut, 2.0)):
        response = county.post(
            "/verification/import/",
            {
                "kind": "monitoring",
                "commit": "on",
                "file": SimpleUploadedFile(
                    "监测.csv", monitoring_csv(enterprise.credit_code, normal=10, during=during)
                ),
            },
        )
        assert response.status_code == 200 and "已导入" in response.content.decode()
    city = _client(users["city"])
    assert city.post(f"/verification/alerts/{event.pk}/run/").status_code == 302
    page = city.get(f"/verification/alerts/{event.pk}/").content.decode()
    assert "疑似未落实" in page and "落实" in page and kept.name in page and cut.name in page
    assert "chart-data" in page and "vendor/echarts.min.js" in page
    only = city.get(f"/verification/alerts/{event.pk}/?verdict=suspected").content.decode()
    assert kept.name in only and cut.name not in only.split("企业核查结论")[1]

    task = event.tasks.get(enterprise=kept)
    evidence = county.get(f"/verification/tasks/{task.pk}/").content.decode()
    assert "提交核实结论" in evidence and "基准带" in evidence
    assert "提交核实结论" not in city.get(f"/verification/tasks/{task.pk}/").content.decode()
    own = _client(users["enterprise"]).get(f"/verification/tasks/{task.pk}/")
    assert own.status_code == 200 and "提交核实结论" not in own.content.decode()

    case = Case.objects.get()
    response = county.post(
        f"/verification/cases/{case.pk}/decide/", {"decision": "dismiss", "reason": "已核实为保障任务"}
    )
    assert response.status_code == 302
    assert Case.objects.get().status == "dismissed"
    assert "没有该状态" in county.get("/verification/cases/").content.decode()
    assert services.visible_cases(users["county"], "dismissed").count() == 1


def test_import_page_reports_bad_rows(users: dict[str, Any]) -> None:
    bad = (
        f"统一社会信用代码,排放口编号,监测时间,污染物,排放速率\n{users['own_enterprise'].credit_code},DA1,昨天,SO2,-1\n"
    )
    response = _client(users["county"]).post(
        "/verification/import/",
        {"kind": "monitoring", "commit": "on", "file": SimpleUploadedFile("x.csv", bad.encode())},
    )
    text = response.content.decode()
    assert response.status_code == 400 and "无法识别的时间" in text and "不能为负数" in text
    assert Reading.objects.count() == 0
    assert _client(users["enterprise"]).get("/verification/import/").status_code == 403
