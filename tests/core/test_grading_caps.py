"""Caps after the rules and multi-industry grading (REQ LC-5, LC-6, LC-13, SJZ-2, SJZ-3, SJZ-5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from airgrade.core.grading import EnterpriseInput, grade_enterprise, grade_enterprises, parse_enterprises
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


def enterprise(**overrides: Any) -> EnterpriseInput:
    data: dict[str, Any] = {
        "id": "E1",
        "name": "某水泥有限公司",
        "region": "410100",
        "industries": [{"industry": "cement", "facts": CEMENT_A}],
    }
    data.update(overrides)
    return EnterpriseInput.model_validate(data)


def test_no_cap_keeps_the_rules_grade() -> None:
    result = grade_enterprise(enterprise(), AS_OF)
    assert result.grade is Grade.A and result.caps == ()


@pytest.mark.parametrize(
    "violation",
    ["unapproved_construction", "over_permit_emissions", "treatment_deadline_missed", "no_auto_monitoring"],
)
def test_prior_year_violation_bars_top_tier(violation: str) -> None:
    # REQ LC-13: no A, B, B- or 引领性 in the year after such a violation.
    result = grade_enterprise(enterprise(flags={"prior_year_violations": [violation]}), AS_OF)
    assert result.rules_grade is Grade.A
    assert result.grade is Grade.C
    assert [cap.code for cap in result.caps] == ["prior_year_violation"]
    assert result.caps[0].changed and "LC-13" in result.caps[0].requirements


def test_prior_year_violation_on_leading_scale_gives_non_leading() -> None:
    ink_leading = {
        "equipment_not_obsolete": True,
        "vocs_treatment": "rto",
        "vocs_concentration": 10,
        "vocs_closed_capture": True,
        "ldar_implemented": True,
        "cems_online": True,
        "env_records_complete": True,
        "road_truck_clean_share": 100,
        "road_truck_worst_stage": "国六",
        "inplant_vehicle_worst_stage": "国六",
        "nonroad_worst_stage": "国四",
        "gate_system": True,
    }
    clean = grade_enterprise(enterprise(industries=[{"industry": "ink", "facts": ink_leading}]), AS_OF)
    assert clean.grade is Grade.LEADING
    capped = grade_enterprise(
        enterprise(
            industries=[{"industry": "ink", "facts": ink_leading}],
            flags={"prior_year_violations": ["no_auto_monitoring"]},
        ),
        AS_OF,
    )
    assert capped.grade is Grade.NON_LEADING


def test_prior_year_violation_does_not_lift_a_c() -> None:
    result = grade_enterprise(
        enterprise(
            industries=[{"industry": "cement", "facts": {**CEMENT_A, "cems_online": False}}],
            flags={"prior_year_violations": ["over_permit_emissions"]},
        ),
        AS_OF,
    )
    assert result.grade is Grade.D
    assert result.caps[0].changed is False


@pytest.mark.parametrize("flag", ["falsified", "concealed", "bribery", "tampered_gate_data"])
def test_falsification_gives_the_lowest_grade(flag: str) -> None:
    result = grade_enterprise(enterprise(flags={flag: True}), AS_OF)
    assert result.grade is Grade.D
    assert result.caps[0].effect == "lowest_grade"


def test_not_declared_gives_each_industrys_lowest_grade() -> None:
    # REQ LC-6, SJZ-2: non-applicants are managed at their industry's lowest grade.
    result = grade_enterprise(enterprise(declared=False, industries=[{"industry": "ink", "facts": {}}]), AS_OF)
    assert result.grade is Grade.NON_LEADING
    assert result.caps[0].code == "not_declared"


def test_multi_industry_takes_the_worst() -> None:
    # REQ G-4, LC-5: each industry graded, the overall is the worst.
    result = grade_enterprise(
        enterprise(
            industries=[
                {"industry": "cement", "facts": CEMENT_A},
                {"industry": "cement", "process": "二号线", "facts": {**CEMENT_A, "ammonia_slip": 7}},
            ]
        ),
        AS_OF,
    )
    assert [item.grade for item in result.industries] == [Grade.A, Grade.B]
    assert result.industries[1].process == "二号线"
    assert result.grade is Grade.B


def test_bad_enterprise_is_reported_and_the_rest_graded() -> None:
    data = {
        "enterprises": [
            {"id": "ok", "industries": [{"industry": "cement", "facts": CEMENT_A}]},
            {"id": "bad-industry", "industries": [{"industry": "nope", "facts": {}}]},
            {"id": "bad-key", "industries": [{"industry": "cement", "facts": {"ph": 7}}]},
            {"id": "bad-shape", "industries": [{"industry": "cement", "fact": {}}]},
        ]
    }
    parsed, errors = parse_enterprises(data)
    assert [e.enterprise_id for e in errors] == ["bad-shape"]
    assert errors[0].industry == "cement"
    results, grading_errors = grade_enterprises(parsed, AS_OF)
    assert [r.id for r in results] == ["ok"]
    assert {(e.enterprise_id, e.industry, e.key) for e in grading_errors} == {
        ("bad-industry", "nope", None),
        ("bad-key", "cement", "ph"),
    }


def test_date_before_rules_is_an_error_per_enterprise() -> None:
    results, errors = grade_enterprises([enterprise()], dt.date(2019, 12, 31))
    assert results == []
    assert "尚无生效" in errors[0].message and errors[0].industry == "cement"


def test_local_industry_outside_its_province_is_an_error() -> None:
    results, errors = grade_enterprises(
        [enterprise(region="130100", industries=[{"industry": "machining", "facts": {}}])], AS_OF
    )
    assert results == [] and "地方行业" in errors[0].message
