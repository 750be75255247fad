"""`airgrade rules …` commands: list, show, schema, check, audit, impact."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.core.rules.loader import DEFAULT_ROOT

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def test_industries_json_lists_the_48_industries_with_grade_sets() -> None:
    result = runner.invoke(app, ["rules", "industries", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 48
    cement = next(row for row in rows if row["code"] == "cement")
    assert cement["name_zh"] == "水泥" and cement["grades"] == ["A", "B", "C", "D"]


def test_industries_filtered_by_region() -> None:
    result = runner.invoke(app, ["rules", "industries", "--json", "--region", "130100"])
    codes = {row["code"] for row in json.loads(result.stdout)}
    assert len(codes) == 47 and "stone_processing" in codes and "machining" not in codes


def test_show_json_gives_values_sources_and_measures() -> None:
    result = runner.invoke(app, ["rules", "show", "cement", "--as-of", "2021-01-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    transport = next(a for a in data["aspects"] if a["aspect"] == "transport_mode")
    road = next(i for i in transport["indicators"] if i["id"] == "road_transport")
    b = next(r for r in road["requirements"] if r["grade"] == "B")
    assert b["value"] == {"clean_share": 80, "worst_stage": "国四"}
    assert b["source"]["provenance"] == "secondary"
    assert data["measures"]["B"]["orange"]["measures"][0] == {"kind": "curtail", "percent": 20.0, "note_zh": ""}


def test_show_before_any_rule_fails_clearly() -> None:
    result = runner.invoke(app, ["rules", "show", "cement", "--as-of", "2019-01-01"])
    assert result.exit_code == 1
    assert "尚无生效" in result.output


def test_show_text_has_provenance_badges() -> None:
    result = runner.invoke(app, ["rules", "show", "packaging_printing", "--as-of", "2021-01-01"])
    assert result.exit_code == 0
    assert "转载" in result.output and "暂定" in result.output


def test_schema_is_json_schema_of_every_file_type() -> None:
    result = runner.invoke(app, ["rules", "schema"])
    schemas = json.loads(result.stdout)
    assert "industries/<code>/indicators.yaml" in schemas
    assert schemas["industries/<code>/indicators.yaml"]["additionalProperties"] is False


def test_check_packaged_book_passes_and_broken_book_fails(tmp_path: Path) -> None:
    assert runner.invoke(app, ["rules", "check"]).exit_code == 0
    root = tmp_path / "book"
    shutil.copytree(DEFAULT_ROOT, root)
    target = root / "industries" / "cement" / "indicators.yaml"
    target.write_text(target.read_text("utf-8").replace("industry: cement\n", "industry: cement\nindustry: cement\n"))
    broken = runner.invoke(app, ["rules", "check", str(root)])
    assert broken.exit_code == 1
    assert "重复的键" in broken.output and "industries/cement/indicators.yaml" in broken.output


def test_audit_lists_provisional_values_with_reasons() -> None:
    result = runner.invoke(app, ["rules", "audit", "--json"])
    rows = json.loads(result.stdout)
    assert any(row["where"].startswith("cement.pm_limit") for row in rows)
    assert not any(row["where"].startswith("cement.road_transport") for row in rows)
    assert all(row["reason"] for row in rows)


def test_impact_lists_who_changes_under_a_draft() -> None:
    result = runner.invoke(
        app,
        [
            "rules",
            "impact",
            str(EXAMPLES / "draft-overlay.yaml"),
            "--facts",
            str(EXAMPLES / "enterprises.yaml"),
            "--json",
        ],
    )
    data = json.loads(result.stdout)
    assert data["compared"] == 2
    assert [(c["id"], c["before"], c["after"]) for c in data["changes"]] == [("91410100000000001X", "B", "C")]
    assert data["draft_rules_version"] != data["rules_version"]
    assert result.exit_code == 1  # the example file holds one enterprise with a bad fact
