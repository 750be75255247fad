"""The one renderer of Chinese sentences about rules (airgrade.core.rules.render): the sentences are pinned here, and
no other module of the source words a measure on its own (issue 9)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from airgrade.core.emergency.measuresets import compile_measures, weaker_reasons
from airgrade.core.grading import grade
from airgrade.core.measures import (
    Curtail,
    SelfDetermined,
    StopLineShare,
    StopProduction,
    StopRoadTransport,
    StopVehicles,
)
from airgrade.core.rules import render
from airgrade.core.rules import schema as s
from airgrade.core.rules.export import rules_dict
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import AlertLevel, EmissionStage, Grade

SRC = Path(__file__).resolve().parents[2] / "src" / "airgrade"
AS_OF = dt.date(2021, 6, 1)
GUO4 = EmissionStage.CHINA_4


@pytest.mark.parametrize(
    ("measure", "text"),
    [
        (SelfDetermined(), "自主采取减排措施"),
        (StopProduction(), "停产"),
        (StopLineShare(share=0.5), "停产 50% 的生产线（以生产线计，向上取整）"),
        (Curtail(percent=20), "限产 20%（以环评批复产能、排污许可产能、上年度实际产量三者日均最小值为基准）"),
        (Curtail(percent=12.5), "限产 12.5%（以环评批复产能、排污许可产能、上年度实际产量三者日均最小值为基准）"),
        (StopVehicles(at_or_below=GUO4), "停止使用国四及以下重型载货车辆（含燃气）进行运输"),
        (StopVehicles(at_or_below=GUO4, includes_gas=False), "停止使用国四及以下重型载货车辆进行运输"),
        (StopRoadTransport(), "停止公路运输"),
        (StopProduction(note_zh="窑炉保温"), "停产（窑炉保温）"),
    ],
)
def test_measure_sentences(measure: object, text: str) -> None:
    assert render.measure_zh(measure) == text  # type: ignore[arg-type]


def test_a_level_without_measures_says_so() -> None:
    assert render.measures_zh([]) == ["无减排措施要求"]
    assert render.measures_line_zh([]) == "无减排措施要求"


def test_cement_b_orange_from_the_rule_book_keeps_the_gas_clause() -> None:
    measures = default_rulebook().measures("cement", Grade.B, AlertLevel.ORANGE, AS_OF)
    assert render.measures_line_zh(measures) == (
        "限产 20%（以环评批复产能、排污许可产能、上年度实际产量三者日均最小值为基准）；"
        "停止使用国四及以下重型载货车辆（含燃气）进行运输"
    )


def test_the_exported_rules_carry_the_rendered_measures() -> None:
    book = default_rulebook()
    data = rules_dict(book, book.rules_for("cement", AS_OF))
    measures = book.measures("cement", Grade.C, AlertLevel.YELLOW, AS_OF)
    assert data["measures"]["C"]["yellow"]["text_zh"] == render.measures_line_zh(measures)
    assert "（含燃气）" in data["measures"]["C"]["yellow"]["text_zh"]


def test_transport_rules() -> None:
    assert render.vehicle_rule_zh(GUO4, True, False) == "禁止国四及以下重型载货车辆（含燃气）进出厂区运输"
    assert render.vehicle_rule_zh(GUO4, False, False) == "禁止国四及以下重型载货车辆进出厂区运输"
    assert render.vehicle_rule_zh(GUO4, True, True) == "停止公路运输（物料公路运输全部停止）"
    assert render.vehicle_rule_zh(None, True, False) == ""


def test_why_proposed_measures_are_weaker() -> None:
    minimum = compile_measures([StopLineShare(share=0.5), StopVehicles(at_or_below=GUO4)])
    assert weaker_reasons(compile_measures([Curtail(percent=30)]), minimum) == [
        "停限产比例 30% 低于本等级最低要求 50%",
        "停产生产线比例 0% 低于本等级最低要求 50%（以停代限，不能以限产代替停产）",
        "本等级要求停止使用国四及以下重型载货车辆（含燃气）进行运输，所报措施未达到",
    ]
    no_gas = compile_measures([StopLineShare(share=0.5), StopVehicles(at_or_below=GUO4, includes_gas=False)])
    assert weaker_reasons(no_gas, minimum) == [
        "本等级停止使用的国四及以下重型载货车辆（含燃气）包括燃气车辆，所报措施未包括"
    ]
    stop_road = compile_measures([StopProduction(), StopRoadTransport()])
    assert weaker_reasons(compile_measures([StopProduction()]), stop_road) == ["本等级要求停止公路运输，所报措施未停止"]


def test_requirement_sentences() -> None:
    assert render.requirement_zh(s.CheckKind.MAX, 10, "mg/m³") == "≤ 10 mg/m³"
    assert render.requirement_zh(s.CheckKind.MIN, 6000, "万块/年") == "≥ 6000 万块/年"
    assert render.requirement_zh(s.CheckKind.AT_LEAST_SHARE, 80.0, "%") == "≥ 80%"
    assert render.requirement_zh(s.CheckKind.TRUE, True) == "是"
    assert render.requirement_zh(s.CheckKind.STAGE_AT_LEAST, EmissionStage.CHINA_5) == "国五及以上"
    assert render.requirement_zh(s.CheckKind.IN_SET, ["tunnel", "roller"]) == "为以下之一：隧道窑、辊道窑"
    parts = (
        s.IndicatorPart(id="clean_share", fact="f1", check=s.CheckKind.AT_LEAST_SHARE, label_zh="清洁运输比例"),
        s.IndicatorPart(id="worst_stage", fact="f2", check=s.CheckKind.STAGE_AT_LEAST, label_zh="其余车辆"),
    )
    value = {"clean_share": 80, "worst_stage": GUO4}
    assert render.requirement_zh(s.CheckKind.ALL_OF, value, None, parts) == "清洁运输比例 ≥ 80%且其余车辆 国四及以上"
    assert render.requirement_zh(s.CheckKind.ANY_OF, value, None, parts) == "清洁运输比例 ≥ 80%或其余车辆 国四及以上"


def test_observed_values() -> None:
    assert render.value_zh(None) == "未填报"
    assert render.value_zh(True) == "是"
    assert render.value_zh(12.0, "mg/m³") == "12 mg/m³"
    assert render.value_zh(79.5, "%") == "79.5%"
    assert render.value_zh(EmissionStage.CHINA_3) == "国三"
    assert render.value_zh("bag_filter") == "袋式除尘"
    assert render.number_zh(1e-05) == "0" and render.number_zh(5.01 - 5) == "0.01"


def test_gap_sentences_from_the_engine() -> None:
    facts = {"road_truck_clean_share": 79.5, "road_truck_worst_stage": "国三", "gate_system": True}
    result = grade(facts, "cement", AS_OF)
    gap = next(g for g in result.gaps[Grade.B] if g.indicator_id == "road_transport")
    assert gap.differentiated_indicator_zh == "运输方式：" + gap.label_zh
    assert gap.required_text.endswith("最低排放阶段 国四及以上")  # B's requirement, worded by requirement_zh
    assert gap.problem_zh == f"{gap.label_zh}现状 {gap.observed_text}，B级要求 {gap.required_text}"
    missing = next(g for g in result.gaps[Grade.B] if g.missing)
    assert missing.problem_zh.startswith(f"{missing.label_zh}未填报（")


def test_gap_problem_and_failed_requirements() -> None:
    assert (
        render.gap_problem_zh("氨逃逸", Grade.A, "6 mg/m³", "≤ 5 mg/m³", ()) == "氨逃逸现状 6 mg/m³，A级要求 ≤ 5 mg/m³"
    )
    assert (
        render.gap_problem_zh("氨逃逸", Grade.A, "未填报", "≤ 5 mg/m³", ("ammonia_slip",))
        == "氨逃逸未填报（ammonia_slip），A级要求 ≤ 5 mg/m³"
    )
    assert render.failed_requirements_zh(Grade.A, [(Grade.A, "≤ 5")]) == "≤ 5"
    assert render.failed_requirements_zh(Grade.A, [(Grade.A, "≤ 5"), (Grade.B, "≤ 8")]) == "A级 ≤ 5；B级 ≤ 8"


def test_gap_distances() -> None:
    assert render.gap_distance_zh(s.CheckKind.MAX, 15.5, 10, "mg/m³") == "需降低 5.5 mg/m³"
    assert render.gap_distance_zh(s.CheckKind.MAX, 5.01, 5, "mg/m³") == "需降低 0.01 mg/m³"
    assert render.gap_distance_zh(s.CheckKind.MIN, 5000.0, 6000, "万块/年") == "需提高 1000 万块/年"
    assert render.gap_distance_zh(s.CheckKind.AT_LEAST_SHARE, 77.0, 80, "%") == "还差 3 个百分点"
    assert render.gap_distance_zh(s.CheckKind.MAX, 10.0, 10, "mg/m³") == ""
    assert render.gap_distance_zh(s.CheckKind.IN_SET, "other", ["tunnel"], None) == "未达到要求"
    assert render.gap_distance_zh(s.CheckKind.MAX, None, 10, "mg/m³") == "未填报，按不达标计"


def _literals(path: Path) -> list[str]:
    """The string literals of a module (f-string pieces included), docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_other_module_words_a_measure() -> None:
    """The phrases of measures and transport rules live in render.py only (rule data and migrations aside)."""
    phrases = ("含燃气", "及以下重型", "自主减排", "自主采取减排措施", "停止公路运输", "生产线（以生产线计")
    offenders = []
    for path in sorted(SRC.rglob("*")):
        if "migrations" in path.parts or path.name == "render.py":
            continue
        if path.suffix == ".py":
            texts = _literals(path)
        elif path.suffix == ".html":
            texts = [path.read_text("utf-8")]
        else:
            continue
        offenders += [f"{path.relative_to(SRC)}: {p}" for p in phrases if any(p in text for text in texts)]
    assert not offenders, offenders
