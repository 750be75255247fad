"""Alert verification through the API and the CLI (issue 12): a data feed refused with its rows, verdicts, a case."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.platform.verification.builders import alert_with_tasks, monitoring_csv

from airgrade.platform.verification.models import Case, Reading

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_feed_verify_and_decide_through_the_api(users: dict[str, Any]) -> None:
    enterprise = users["own_enterprise"]
    event = alert_with_tasks(users, [enterprise])
    county = _client(users["county"])
    bad = {
        "kind": "monitoring",
        "rows": [{"credit_code": enterprise.credit_code, "point": "DA1", "at": "x", "pollutant": "SO2", "value": -1}],
    }
    response = county.post("/api/verification/readings", bad, content_type="application/json")
    assert response.status_code == 400 and "第 2 行" in response.json()["error"]
    lines = monitoring_csv(enterprise.credit_code, normal=10, during=10).decode().splitlines()[1:]
    rows = [
        dict(
            zip(
                ["credit_code", "site", "point", "at", "pollutant", "value", "concentration", "flow", "status"],
                line.split(","),
                strict=True,
            )
        )
        for line in lines
    ]
    response = county.post(
        "/api/verification/readings", {"kind": "monitoring", "rows": rows}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["new"] == len(rows) == Reading.objects.count()
    again = county.post(
        "/api/verification/readings", {"kind": "monitoring", "rows": rows}, content_type="application/json"
    )
    assert again.json()["unchanged"] == len(rows) and again.json()["new"] == 0

    assert county.post(f"/api/verification/alerts/{event.pk}/verify").json()["suspected"] == 1
    body = _client(users["city"]).get(f"/api/verification/alerts/{event.pk}").json()
    assert body["tasks"][0]["verdict_zh"] == "疑似未落实" and body["counts"]["suspected"] == 1
    task = body["tasks"][0]["task_id"]
    assert _client(users["enterprise"]).get(f"/api/verification/tasks/{task}").json()["evidence"]["signals"]["SO2"]
    case = Case.objects.get()
    decided = county.post(
        f"/api/verification/cases/{case.pk}/decide",
        {"confirm": False, "reason": "核实为保障生产"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status_zh"] == "不予认定"


def test_cli_readings_and_verify(users: dict[str, Any], tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from airgrade.cli import app

    enterprise = users["own_enterprise"]
    event = alert_with_tasks(users, [enterprise])
    path = tmp_path / "监测.csv"
    path.write_bytes(monitoring_csv(enterprise.credit_code, normal=10, during=3))
    runner = CliRunner()
    dry = runner.invoke(app, ["alert", "readings", str(path), "--kind", "monitoring", "--as", "county"])
    assert dry.exit_code == 0 and "检查通过" in dry.output and Reading.objects.count() == 0
    done = runner.invoke(app, ["alert", "readings", str(path), "--kind", "monitoring", "--as", "county", "--commit"])
    assert done.exit_code == 0 and Reading.objects.count() > 0
    result = runner.invoke(app, ["alert", "verify", str(event.pk), "--as", "city", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["done"] == 1
    refused = runner.invoke(app, ["alert", "verify", str(event.pk), "--as", "ent2"])
    assert refused.exit_code == 2
