"""`airgrade grade FILE`: YAML or JSON in, results with trace out; bad input reported, the rest graded."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from airgrade.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "enterprises.yaml"


def test_grade_yaml_json_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["grade", str(EXAMPLE), "--json"])
    assert result.exit_code == 1  # one enterprise has a bad fact
    data = json.loads(result.stdout)
    assert data["as_of"] == "2021-06-01"
    grades = {item["id"]: item["grade"] for item in data["results"]}
    assert grades == {"91410100000000001X": "B", "91410100000000002X": "C"}
    cement = data["results"][0]["industries"][0]
    assert cement["blocking"] == {"A": ["road_transport"]}
    assert {row["indicator"] for row in cement["trace"]} >= {"road_transport", "ammonia_slip"}
    assert data["results"][1]["caps"][0]["code"] == "prior_year_violation"
    assert data["errors"] == [
        {
            "id": "91410100000000003X",
            "industry": "cement",
            "key": "pm_concentration",
            "message": "须为数字（单位 mg/m3），得到 '很低' (wrong type)",
        }
    ]


def test_grade_json_input_and_as_of_option(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps({"enterprises": [{"id": "x", "industries": [{"industry": "ink", "facts": {}}]}]}), "utf-8"
    )
    result = runner.invoke(app, ["grade", str(path), "--as-of", "2022-01-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2022-01-01"
    assert data["results"][0]["grade"] == "非引领性"
    assert "vocs_treatment" in data["results"][0]["industries"][0]["missing_facts"]


def test_grade_date_before_rules_fails_every_enterprise(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_text("enterprises:\n  - {id: x, industries: [{industry: ink, facts: {}}]}\n", "utf-8")
    result = runner.invoke(app, ["grade", str(path), "--as-of", "2019-01-01"])
    assert result.exit_code == 1
    assert "尚无生效" in result.output


def test_grade_duplicate_key_in_input_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(
        "enterprises:\n  - id: x\n    industries:\n      - industry: ink\n        facts: {gate_system: true, gate_system: false}\n",
        "utf-8",
    )
    result = runner.invoke(app, ["grade", str(path), "--json"])
    assert result.exit_code == 1
    assert "重复的键" in json.loads(result.stdout)["errors"][0]["message"]


def test_grade_malformed_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text("{not json", "utf-8")
    assert runner.invoke(app, ["grade", str(path)]).exit_code == 2
