"""`airgrade zz score / assess`: the Zhengzhou scorecard from a file, no database (REQ ZZ-1 … ZZ-7)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from airgrade.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def test_score_the_example_round_as_json() -> None:
    result = runner.invoke(app, ["zz", "score", str(EXAMPLES / "zz-round.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    sheets = {sheet["key"]: sheet for sheet in json.loads(result.output)}
    e1, e2, e3 = sheets["E1"], sheets["E2"], sheets["E3"]
    assert e1["class"] == "A" and e1["recommendation"] == "recommended" and e1["score"] > 90
    assert e1["dimensions"]["economy"] == 35 and e1["dimensions"]["safety"] == 15
    permit = next(i for i in e2["indicators"] if i["indicator"] == "env_permit")
    assert permit["source"] == "department" and permit["disagreements"] == [{"source": "declared", "value": True}]
    assert e3["class"] == "C2" and e3["recommendation"] == "not_eligible"
    assert e3["control"]["red"] == 100  # the worst of C″ at red (provisional ratios)


def test_assess_an_investment_project() -> None:
    result = runner.invoke(app, ["zz", "assess", str(EXAMPLES / "zz-project.yaml")])
    assert result.exit_code == 0, result.output
    assert "不予引进" in result.output and "准入分数 60" in result.output


def test_bad_values_are_named_by_their_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        'region: "410100"\nas_of: 2025-06-30\nenterprises:\n'
        "  - {key: A, name: 甲, industry: cement, declared: {env_monitoring: 7, nope: true}, extra: 1}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["zz", "score", str(path)])
    assert result.exit_code == 1
    assert "enterprises.0.extra" in result.output
    path.write_text(
        'region: "410100"\nas_of: 2025-06-30\nenterprises:\n  - {key: A, name: 甲, declared: {env_monitoring: 7}}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["zz", "score", str(path)])
    assert result.exit_code == 1 and "enterprises.0.declared.env_monitoring" in result.output and "0–3" in result.output
    path.write_text('region: "410300"\nas_of: 2025-06-30\nenterprises:\n  - {key: A, name: 甲}\n', encoding="utf-8")
    result = runner.invoke(app, ["zz", "score", str(path)])
    assert result.exit_code == 1 and "没有生效的绿色绩效评价体系" in result.output
    path.write_bytes(b"\xff\xfe\x00bad")
    assert runner.invoke(app, ["zz", "score", str(path)]).exit_code == 2
