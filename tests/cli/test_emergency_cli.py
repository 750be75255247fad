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
    assert report["level"] == "orange" and report["required_share"] == {"SO2": 0.2, "NOx": 0.2, "PM": 0.2, "VOCs": 0.2}
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


def _draft_overlay(tmp_path, region, percent, effective="2024-01-01"):
    overlay = {
        "region": region,
        "name_zh": "草案",
        "regional_reductions": [
            {
                "level": "orange",
                "effective": effective,
                "source": {"document": "草案", "provenance": "provisional", "note": "what-if"},
                "percent": percent,
            }
        ],
    }
    path = tmp_path / f"overlay-{region}.yaml"
    path.write_text(yaml.safe_dump(overlay, allow_unicode=True), "utf-8")
    return path


def test_a_province_overlay_of_the_regional_shares_changes_the_required_cuts(list_file, tmp_path):
    # Henan raises the orange NOx share to 35 % (SO2 to 25 %); PM and VOCs keep the national 20 % (REQ G-6, G-7).
    draft = _draft_overlay(tmp_path, "410000", {"NOx": 35, "SO2": 25})
    args = ("--region", "410000", "--level", "orange", "--as-of", "2024-11-01", "--list", str(list_file), "--json")
    national = json.loads(simulate(*args).stdout)
    result = simulate(*args, "--overlay", str(draft))
    assert result.exit_code == 0, result.output
    henan = json.loads(result.stdout)
    assert henan["required_share"] == {"SO2": 0.25, "NOx": 0.35, "PM": 0.2, "VOCs": 0.2}
    zhengzhou = {city["region"]: city for city in henan["cities"]}["410100"]
    # 郑州's NOx base is 3.0 t/d: 0.6 required nationally, 1.05 under the overlay; SO2 base 0.5 → 0.125.
    assert national["cities"][0]["required_t_per_day"]["NOx"] == pytest.approx(0.6)
    assert zhengzhou["required_t_per_day"]["NOx"] == pytest.approx(1.05)
    assert zhengzhou["required_t_per_day"]["SO2"] == pytest.approx(0.125)
    assert zhengzhou["required_share"]["PM"] == 0.2
    assert henan["total"]["required_t_per_day"]["NOx"] == pytest.approx(0.35 * 6.0)
    # Before the overlay's effective date the national shares apply.
    early = simulate(*args[:5], "2023-12-31", *args[6:], "--overlay", str(draft))
    assert json.loads(early.stdout)["required_share"]["NOx"] == 0.2


def test_a_city_overlay_applies_to_that_city_only(list_file, tmp_path):
    draft = _draft_overlay(tmp_path, "410300", {"PM": 50})
    result = simulate(
        "--region", "410000", "--level", "orange", "--as-of", "2024-11-01", "--list", str(list_file), "--json",
        "--overlay", str(draft),
    )  # fmt: skip
    report = json.loads(result.stdout)
    cities = {city["region"]: city for city in report["cities"]}
    assert cities["410300"]["required_t_per_day"]["PM"] == pytest.approx(0.2)  # 洛阳 PM base 0.4 × 50 %
    assert cities["410100"]["required_share"]["PM"] == 0.2
    assert report["required_share"]["PM"] == 0.2  # the province itself keeps the national share


def test_a_bad_overlay_or_a_date_before_any_share_is_refused(list_file, tmp_path):
    bad = _draft_overlay(tmp_path, "410000", {"CO2": 10})
    result = simulate("--region", "410000", "--level", "orange", "--list", str(list_file), "--overlay", str(bad))
    assert result.exit_code == 2 and "未知的污染物 'CO2'" in result.output
    early = simulate("--region", "410000", "--level", "orange", "--as-of", "2019-01-01", "--list", str(list_file))
    assert early.exit_code == 2 and "尚无生效的区域减排比例" in early.output
