"""Gate ledger core (issue 11; REQ SJZ-5): hostile records never raise (a refusal names row and field), plates and
stages parse, gaps and the alert-day vehicle rule."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from tests.fuzzing import HOSTILE_SCALARS, fuzz_settings

from airgrade.core import gates
from airgrade.core.types import EmissionStage

FIELDS = ["seq", "plate", "direction", "time", "stage", "tonnage", "result", "corrects", "plate_colour", "photo_hash",
          "lane", "cargo"]  # fmt: skip
values = st.one_of(
    st.sampled_from(HOSTILE_SCALARS),
    st.text(max_size=80),
    st.integers(),
    st.floats(),
    st.lists(st.integers(), max_size=3),
)


@fuzz_settings(300)
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS)))
def test_any_record_is_parsed_or_refused_by_field(raw: dict[str, object]) -> None:
    passage, errors = gates.parse_passage(raw, 7)
    assert (passage is None) == bool(errors)
    for name, reason in errors.problems:
        assert name in FIELDS and reason
    if passage is not None:
        assert passage.direction in ("in", "out") and passage.passed_at.tzinfo is not None


def test_plates_and_stages() -> None:
    assert gates.plate_ok("豫A12345") and gates.plate_ok("豫AD12345") and gates.plate_ok("豫A1234挂")
    assert not gates.plate_ok("XY12") and not gates.plate_ok("豫I12345") and not gates.plate_ok("豫A1234")
    assert gates.parse_stage("国V") is EmissionStage.CHINA_5 and gates.parse_stage("6") is EmissionStage.CHINA_6
    assert gates.parse_stage("D") is EmissionStage.NEW_ENERGY and gates.parse_stage("国七") is None


def test_sequence_gaps_and_completeness() -> None:
    assert gates.sequence_gaps([1, 2, 5, 6, 9]) == [(3, 4), (7, 8)]
    assert gates.sequence_gaps([3, 4], first=1) == [(1, 2)]
    assert gates.completeness(3, 1, 4) == 75.0


def test_the_alert_vehicle_rule() -> None:
    rule = gates.VehicleRule(at_or_below=EmissionStage.CHINA_4)
    entry = {"kind": "road", "direction": "in", "allowed": True, "fuel": "diesel"}
    assert gates.violates(rule, stage="国四", **entry)
    assert not gates.violates(rule, stage="国五", **entry)
    assert not gates.violates(rule, stage="新能源", **entry)
    assert gates.violates(rule, stage="", **entry)  # unknown stage: the worst case
    assert not gates.violates(rule, stage="国三", **{**entry, "allowed": False})  # refused at the barrier
    assert not gates.violates(rule, stage="国三", **{**entry, "direction": "out"})
    no_gas = gates.VehicleRule(at_or_below=EmissionStage.CHINA_4, includes_gas=False)
    assert not gates.violates(no_gas, stage="国四", **{**entry, "fuel": "gas"})
    assert gates.violates(gates.VehicleRule(stop_road=True), stage="国六", **entry)
    assert not gates.violates(gates.VehicleRule(), stage="国一", **entry)


def test_figures_count_unknown_stages_as_not_clean() -> None:
    figures = gates.figures({"国五": 2, "国四": 1, "": 1}, [EmissionStage.CHINA_5, EmissionStage.CHINA_6])
    assert figures.trips == 4 and figures.clean_share == 50.0 and figures.worst_stage is EmissionStage.CHINA_4


def test_the_hashed_content_is_stable_across_time_zones() -> None:
    common = {"device": "G1", "sequence": 1, "plate": "豫A12345", "plate_colour": "", "direction": "in", "lane": "",
              "photo_hash": "", "recognised_stage": "", "stage": "国六", "fuel": "diesel", "kind": "road", "cargo": "",
              "tonnage": 30.0, "allowed": True, "flags": [], "corrects": None, "position": 1}  # fmt: skip
    beijing = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    a = gates.record_content(passed_at=beijing, **common)  # type: ignore[arg-type]
    b = gates.record_content(passed_at=beijing.astimezone(dt.UTC), **common)  # type: ignore[arg-type]
    assert a == b
