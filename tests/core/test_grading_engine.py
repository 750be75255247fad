"""The grading engine: weakest link, missing facts, applicability, composites, units, gaps (REQ G-4)."""

from __future__ import annotations

import datetime as dt

import pytest

from airgrade.core.grading import FactsError, grade
from airgrade.core.rules.rulebook import RuleLookupError
from airgrade.core.types import Grade

AS_OF = dt.date(2021, 6, 1)

CEMENT_A = {
    "road_truck_clean_share": 100,
    "road_truck_worst_stage": "国五",
    "inplant_vehicle_worst_stage": "国六",
    "nonroad_worst_stage": "国三",
    "gate_system": True,
    "ammonia_slip": 4.0,
    "pm_concentration": 8,
    "so2_concentration": 30,
    "nox_concentration": 90,
    "materials_closed_storage": True,
    "dust_points_captured": True,
    "cems_online": True,
}


def test_all_a_requirements_met_gives_a_with_no_gaps() -> None:
    result = grade(CEMENT_A, "cement", AS_OF)
    assert result.grade is Grade.A
    assert result.gaps == {}
    assert result.missing_facts == ()
    assert all(trace.reached is Grade.A for trace in result.trace)


def test_weakest_link_one_indicator_decides() -> None:
    # REQ G-4: a single C-level indicator makes the whole industry C.
    result = grade({**CEMENT_A, "nox_concentration": 300}, "cement", AS_OF)
    assert result.grade is Grade.C
    assert result.blocking[Grade.A] == ["nox_limit"]
    assert result.blocking[Grade.B] == ["nox_limit"]
    gap = result.gaps[Grade.B][0]
    assert gap.observed_text == "300 mg/m³"
    assert gap.required_text == "≤ 200 mg/m³"
    assert "排放限值" in gap.differentiated_indicator_zh


def test_an_indicator_that_gates_only_a_leaves_b() -> None:
    result = grade({**CEMENT_A, "ammonia_slip": 5.01}, "cement", AS_OF)
    assert result.grade is Grade.B
    assert result.blocking == {Grade.A: ["ammonia_slip"]}


def test_missing_fact_never_meets_and_is_listed() -> None:
    facts = dict(CEMENT_A)
    del facts["cems_online"]
    result = grade(facts, "cement", AS_OF)
    assert result.grade is Grade.D
    assert result.missing_facts == ("cems_online",)
    assert result.gaps[Grade.C][0].missing == ("cems_online",)
    assert "未填报" in result.gaps[Grade.C][0].problem_zh


def test_none_counts_as_missing() -> None:
    result = grade({**CEMENT_A, "gate_system": None}, "cement", AS_OF)
    assert result.grade is Grade.C
    assert "gate_system" in result.missing_facts


def test_units_convert_within_a_dimension() -> None:
    result = grade({**CEMENT_A, "pm_concentration": {"value": 0.012, "unit": "g/m3"}}, "cement", AS_OF)
    assert result.grade is Grade.B  # 12 mg/m³ > A's 10
    trace = next(trace for trace in result.trace if trace.indicator.id == "pm_limit")
    assert trace.observed["pm_concentration"] == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("facts", "key", "fragment"),
    [
        ({"no_such_fact": 1}, "no_such_fact", "未知的事实"),
        ({"pm_concentration": "low"}, "pm_concentration", "须为数字"),
        ({"pm_concentration": {"value": 5, "unit": "%"}}, "pm_concentration", "不能换算"),
        ({"road_truck_clean_share": 120}, "road_truck_clean_share", "0–100"),
        ({"road_truck_worst_stage": "国七"}, "road_truck_worst_stage", "排放阶段"),
        ({"gate_system": 3}, "gate_system", "是/否"),
    ],
)
def test_bad_facts_name_the_key(facts: dict[str, object], key: str, fragment: str) -> None:
    with pytest.raises(FactsError) as caught:
        grade({**CEMENT_A, **facts}, "cement", AS_OF)
    assert [error.key for error in caught.value.errors] == [key]
    assert fragment in caught.value.errors[0].message


def test_date_before_any_rule_is_refused() -> None:
    with pytest.raises(RuleLookupError, match="尚无生效"):
        grade(CEMENT_A, "cement", dt.date(2020, 1, 1))


def test_applies_if_false_makes_an_indicator_not_applicable() -> None:
    base = {
        "uses_gravure_absorbent": False,
        "uses_gravure_nonabsorbent": False,
        "uses_flexo_absorbent": True,
        "flexo_absorbent_low_voc_ink_share": 100,
        "uses_flexo_nonabsorbent": False,
        "uses_screen": False,
        "uses_offset": False,
    }
    result = grade(base, "packaging_printing", AS_OF)
    traces = {trace.indicator.id: trace for trace in result.trace}
    assert traces["gravure_absorbent_ink"].applicable is False
    assert traces["gravure_absorbent_ink"].reached is Grade.A
    assert traces["flexo_absorbent_ink"].reached is Grade.A
    lower = grade({**base, "flexo_absorbent_low_voc_ink_share": 79.9}, "packaging_printing", AS_OF)
    assert {t.indicator.id: t for t in lower.trace}["flexo_absorbent_ink"].reached is Grade.C


def test_unknown_applicability_is_missing() -> None:
    result = grade({}, "packaging_printing", AS_OF)
    assert "uses_offset" in result.missing_facts
    assert result.grade is Grade.D


def test_composite_any_part_missing_fails_all_of() -> None:
    result = grade({**CEMENT_A, "road_truck_worst_stage": None, "road_truck_clean_share": 85}, "cement", AS_OF)
    trace = next(trace for trace in result.trace if trace.indicator.id == "road_transport")
    # B needs clean_share ≥ 80 and worst stage ≥ 国四; the stage is missing, so B fails, C (share only) holds.
    assert trace.reached is Grade.C
    assert trace.missing == ("road_truck_worst_stage",)


def test_provisional_values_are_flagged_in_the_result() -> None:
    result = grade(CEMENT_A, "cement", AS_OF)
    assert result.uses_provisional
    assert "pm_limit" in result.provisional_indicators
    assert "road_transport" not in result.provisional_indicators


def test_leading_scale_grades_leading_or_non_leading() -> None:
    result = grade({}, "ink", AS_OF)
    assert result.grade is Grade.NON_LEADING
    assert list(result.gaps) == [Grade.LEADING]
