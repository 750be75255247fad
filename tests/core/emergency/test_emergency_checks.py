"""List checks: stricter-never-weaker, consistency (SJZ-8, H23-4), region cuts against G-6, purity of the core."""

from __future__ import annotations

import ast
import pathlib

import pytest

from airgrade.core.emergency.engine import simulate
from airgrade.core.emergency.measuresets import compile_measures, weaker_reasons
from airgrade.core.emergency.plan import enterprise_plan
from airgrade.core.emergency.table import build_table
from airgrade.core.measures import Curtail, StopLineShare, StopProduction, StopRoadTransport, StopVehicles
from airgrade.core.types import AlertLevel, EmissionStage
from emergency_builders import AS_OF, SHARES, entry, line


def run(entries, lookup, level=AlertLevel.ORANGE):
    table, _ = build_table(entries)
    return simulate(table, level, AS_OF, lookup, SHARES)


def test_stricter_proposal_replaces_the_minimum(lookup):
    proposal = {"orange": {"cement": [{"kind": "curtail", "percent": 50}, {"kind": "stop_road_transport"}]}}
    sim = run([entry("e1", grade="B", proposals=proposal)], lookup)
    plan = enterprise_plan(sim, 0)
    assert plan.industries[0].proposed
    assert plan.lines[0].curtail_percent == 50
    assert "停止公路运输" in plan.vehicle_rule_zh
    assert not sim.issues


def test_weaker_proposal_is_refused_with_reasons_and_minimum_applies(lookup):
    proposal = {"orange": {"cement": [{"kind": "curtail", "percent": 10}]}}
    sim = run([entry("e1", grade="B", proposals=proposal)], lookup)
    (issue,) = sim.issues
    assert issue.code == "below_minimum"
    assert "10%" in issue.message and "20%" in issue.message and "国四" in issue.message
    assert enterprise_plan(sim, 0).lines[0].curtail_percent == 20


@pytest.mark.parametrize(
    ("proposed", "minimum", "weaker"),
    [
        ([Curtail(percent=50)], [StopLineShare(share=0.5)], True),  # C stops; curtailing is not stopping
        ([StopLineShare(share=0.5)], [Curtail(percent=50)], False),
        ([StopProduction()], [StopLineShare(share=0.5)], False),
        ([StopLineShare(share=0.3)], [StopLineShare(share=0.5)], True),
        ([StopVehicles(at_or_below=EmissionStage.CHINA_3)], [StopVehicles(at_or_below=EmissionStage.CHINA_4)], True),
        ([StopVehicles(at_or_below=EmissionStage.CHINA_5)], [StopVehicles(at_or_below=EmissionStage.CHINA_4)], False),
        ([StopRoadTransport()], [StopVehicles(at_or_below=EmissionStage.CHINA_4)], False),
        (
            [StopVehicles(at_or_below=EmissionStage.CHINA_4, includes_gas=False)],
            [StopVehicles(at_or_below=EmissionStage.CHINA_4)],
            True,
        ),
        ([StopProduction()], [StopProduction(), StopRoadTransport()], True),
    ],
)
def test_strictness_comparison(proposed, minimum, weaker):
    assert bool(weaker_reasons(compile_measures(proposed), compile_measures(minimum))) is weaker


def test_consistency_lists_the_odd_one_out(lookup):
    # REQ SJZ-8 / H23-4: same county + industry + grade → same measures. e3 proposes stricter measures.
    stricter = {
        "orange": {"cement": [{"kind": "curtail", "percent": 40}, {"kind": "stop_vehicles", "at_or_below": "国四"}]}
    }
    entries = [entry("e1"), entry("e2"), entry("e3", proposals=stricter), entry("e4", region="410103")]
    sim = run(entries, lookup)
    (outlier,) = sim.outliers
    assert outlier.entry_key == "e3"
    assert outlier.direction == "stricter"
    assert any("40%" in text for text in outlier.measures_zh)
    assert any("20%" in text for text in outlier.majority_zh)


def test_consistency_is_per_region_and_grade(lookup):
    stricter = {"orange": {"cement": [{"kind": "stop_production"}, {"kind": "stop_road_transport"}]}}
    # Alone in its county, or alone in its grade: nobody to compare with, so no outlier.
    entries = [
        entry("e1"),
        entry("e2"),
        entry("e3", region="410103", proposals=stricter),
        entry("e4", grade="C", proposals=stricter),
    ]
    assert run(entries, lookup).outliers == []


def test_guaranteed_enterprises_are_left_out_of_the_consistency_check(lookup):
    guarantee = {
        "category": "residential_power_heat",
        "guaranteed_daily_output": 2500,
        "normal_daily_output": 5000,
        "output_unit": "t",
    }
    entries = [entry("e1"), entry("e2"), entry("e3", guarantee=guarantee)]
    assert run(entries, lookup).outliers == []


def test_region_totals_against_g6_with_shortfall_per_city_and_pollutant(lookup):
    # Two cities. 郑州 (4101): a C (stops, 100 %) and an A (0 %) of equal NOx → 50 % NOx cut; no SO2 cut
    # beyond the C. 洛阳 (4103): a B curtailing 20 % at orange → 20 % of PM.
    entries = [
        entry("c", grade="C", lines=[line("1", emissions={"NOx": 1.0, "SO2": 0.2})]),
        entry("a", grade="A", lines=[line("1", emissions={"NOx": 1.0, "SO2": 0.8})]),
        entry("b", grade="B", region="410302", lines=[line("1", emissions={"PM": 1.0})]),
    ]
    sim = run(entries, lookup, AlertLevel.ORANGE)
    assert sim.required_share("410000") == {"SO2": 0.2, "NOx": 0.2, "PM": 0.2, "VOCs": 0.2}
    rows = {row.region_code: row for row in sim.city_rows()}
    zhengzhou, luoyang = rows["410100"], rows["410300"]
    assert zhengzhou.reduction["NOx"] == pytest.approx(1.0)
    assert zhengzhou.shortfall["NOx"] == 0
    assert zhengzhou.required["SO2"] == pytest.approx(0.2)
    assert zhengzhou.reduction["SO2"] == pytest.approx(0.2)
    assert zhengzhou.shortfall["SO2"] == pytest.approx(0.0)
    assert luoyang.reduction["PM"] == pytest.approx(0.2)
    assert luoyang.meets_requirement
    red = run(entries, lookup, AlertLevel.RED)
    red_rows = {row.region_code: row for row in red.city_rows()}
    assert red_rows["410100"].shortfall["SO2"] == pytest.approx(0.3 - 0.2)
    assert not red_rows["410100"].meets_requirement
    assert red.total("410000").base["NOx"] == pytest.approx(2.0)


def test_core_emergency_imports_no_django_or_io_library():
    root = pathlib.Path(__file__).resolve().parents[3] / "src" / "airgrade" / "core" / "emergency"
    forbidden = {"django", "openpyxl", "docx", "ninja", "requests", "reportlab", "sqlite3"}
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
