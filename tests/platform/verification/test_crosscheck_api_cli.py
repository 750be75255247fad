"""Cross-checks through the API and the command line (issue 12 item 4): the same service, the same scope; bad input is a
400 naming the field, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.platform.verification.test_crosscheck_services import grade_c, last_month, load, monitoring, month_hours
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.platform.grades.models import Downgrade
from airgrade.platform.verification.models import Finding, MonitoringPoint

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_runs_lists_and_decides(users: dict[str, Any]) -> None:
    grade_c(users)
    load(
        users["county"],
        "monitoring",
        monitoring(users["own_enterprise"].credit_code, month_hours(last_month()), high=40),
    )
    county = _client(users["county"])
    month = f"{last_month():%Y-%m}"
    bad = county.post("/api/verification/crosscheck", {"month": "2026-13"}, content_type="application/json")
    assert bad.status_code == 400 and "YYYY-MM" in bad.json()["error"]
    ran = county.post("/api/verification/crosscheck", {"month": month}, content_type="application/json")
    assert ran.status_code == 200 and ran.json()["counts"]["exceedance"] == 1
    again = county.post("/api/verification/crosscheck", {"month": month}, content_type="application/json").json()
    assert again["opened"] == 0 and Finding.objects.count() == 1
    listed = county.get(f"/api/verification/findings?kind=exceedance&month={month}").json()
    assert [item["kind_zh"] for item in listed] == ["超过绩效等级排放限值"]
    assert county.get("/api/verification/findings?month=bad").status_code == 400
    detail = county.get(f"/api/verification/findings/{listed[0]['id']}").json()
    assert detail["details"]["hours_above"] == 40 and len(detail["evidence"]["values"]) == len(
        detail["evidence"]["hours"]
    )
    assert _client(users["other_county"]).get(f"/api/verification/findings/{listed[0]['id']}").status_code == 404
    decided = county.post(
        f"/api/verification/findings/{listed[0]['id']}/decide",
        {"confirm": True, "reason": "属实", "downgrade": True},
        content_type="application/json",
    ).json()
    assert decided["status"] == "confirmed" and decided["downgrades"][0]["reason"] == "excess_emission"
    assert Downgrade.objects.count() == 1


def test_api_meter_register(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.get()
    line = site.lines.get()
    enterprise = _client(users["enterprise"])
    saved = enterprise.post(
        "/api/verification/meters",
        {"site_id": site.pk, "kind": "meter", "code": "M1", "line_id": line.pk},
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["line"] == line.name and saved.json()["registered"]
    refused = enterprise.post(
        "/api/verification/meters", {"site_id": site.pk, "kind": "水表", "code": "M2"}, content_type="application/json"
    )
    assert refused.status_code == 400 and MonitoringPoint.objects.count() == 1
    assert [p["code"] for p in enterprise.get("/api/verification/meters").json()] == ["M1"]
    assert _client(users["other_enterprise_user"]).get("/api/verification/meters").json() == []


def test_cli_crosscheck(users: dict[str, Any]) -> None:
    grade_c(users)
    load(
        users["county"],
        "monitoring",
        monitoring(users["own_enterprise"].credit_code, month_hours(last_month()), high=40),
    )
    runner = CliRunner()
    month = f"{last_month():%Y-%m}"
    result = runner.invoke(app, ["alert", "crosscheck", "--month", month, "--as", "county", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["exceedance"] == 1
    table = runner.invoke(app, ["alert", "crosscheck", "--month", month, "--as", "county"])
    assert table.exit_code == 0 and "超过绩效等级排放限值" in table.output and "新发现 0" in table.output
    refused = runner.invoke(app, ["alert", "crosscheck", "--month", month, "--region", "410181", "--as", "county2"])
    assert refused.exit_code == 2 and "不在您的管辖范围内" in refused.output
    assert runner.invoke(app, ["alert", "crosscheck", "--month", "11/2026", "--as", "county"]).exit_code == 2
    assert Finding.objects.count() == 1
