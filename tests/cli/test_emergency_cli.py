"""`airgrade alert simulate --list FILE`: runs without a database; JSON as documented in docs/emergency.md."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from airgrade.cli import app
from emergency_builders import line

runner = CliRunner()


def _entry(key, region, grade, lines, **extra):
    return {
        "key": key,
        "enterprise_name": f"{key}公司",
        "region_code": region,
        "industries": [{"industry_code": "cement", "grade": grade}],
        "lines": lines,
        **extra,
    }


@pytest.fixture
def list_file(tmp_path):
    data = {
        "entries": [
            _entry(
                "zz-b",
                "410181",
                "B",
                [
                    line(
                        "1",
                        eia_capacity=6000,
                        permit_capacity=4000,
                        actual_output=5000,
                        emissions={"NOx": 2.0, "SO2": 0.5},
                    )
                ],
            ),
            _entry("zz-c", "410182", "C", [line("1", emissions={"NOx": 1.0}), line("2", status="backup")]),
            _entry("ly-a", "410381", "A", [line("1", emissions={"NOx": 3.0, "PM": 0.4})]),
        ]
    }
    path = tmp_path / "list.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def simulate(*args):
    return runner.invoke(app, ["alert", "simulate", *args])


def test_json_report_per_city_totals_required_cuts_and_shortfalls(list_file):
    result = simulate(
        "--region", "410000", "--level", "orange", "--as-of", "2024-11-01", "--list", str(list_file), "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["level"] == "orange" and report["required_share"] == 0.2
    assert report["rules_version"]
    cities = {city["region"]: city for city in report["cities"]}
    assert set(cities) == {"410100", "410300"}
    zhengzhou = cities["410100"]
    assert zhengzhou["name"] == "郑州市" and zhengzhou["enterprises"] == 2
    # B curtails 20 % of min(6000, 4000, 5000) = 4000 from actual 5000: 36 % of 2.0; C stops its running line.
    assert zhengzhou["reduction_t_per_day"]["NOx"] == pytest.approx(0.72 + 1.0)
    assert zhengzhou["required_t_per_day"]["NOx"] == pytest.approx(0.6)
    assert zhengzhou["meets_requirement"]
    luoyang = cities["410300"]  # A grade: self-determined, nothing cut by rule → shortfall
    assert luoyang["shortfall_t_per_day"]["NOx"] == pytest.approx(0.6)
    assert {"region": "410300", "name": "洛阳市", "pollutant": "PM", "shortfall_t_per_day": 0.08} in report[
        "shortfalls"
    ]
    assert report["meets_requirement"] is False
    assert report["total"]["base_t_per_day"]["NOx"] == pytest.approx(6.0)
    assert report["counts"] == {**report["counts"], "enterprises": 3, "lines": 4, "lines_in_base": 3}


def test_region_filter_and_enterprise_task_lists(list_file):
    result = simulate("--region", "410182", "--level", "yellow", "--list", str(list_file), "--json", "--enterprises")
    report = json.loads(result.stdout)
    assert [e["entry"] for e in report["enterprises"]] == ["zz-c"]
    (plan,) = report["enterprises"]
    assert [task["action"] for task in plan["lines"]] == ["stop", "not_in_base"]
    assert "国四" in plan["vehicle_rule_zh"]


def test_bad_list_exits_2_with_reasons_in_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"entries": [_entry("x", "410181", "B", [line("1", emissions={"NOx": -2})])]}), "utf-8")
    result = simulate("--region", "410100", "--level", "red", "--list", str(path), "--json")
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["ok"] is False
    assert "bad.json: entries[0].lines[0].emissions: NOx 排放量不能为负数（收到 -2.0）" in body["errors"]


def test_bad_arguments_are_explained(list_file):
    assert "六位行政区划代码" in simulate("--region", "41", "--level", "red", "--list", str(list_file)).output
    result = simulate("--region", "410100", "--level", "red", "--as-of", "2024/11/01", "--list", str(list_file))
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    assert simulate("--region", "410100", "--level", "purple", "--list", str(list_file)).exit_code == 2


def test_text_output_names_cities_and_shortfalls(list_file):
    result = simulate("--region", "410000", "--level", "orange", "--list", str(list_file))
    assert result.exit_code == 0
    assert "洛阳市" in result.output and "郑州市" in result.output and "缺口" in result.output
