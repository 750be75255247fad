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


# ---------------------------------------------------------------------------------------------- fast paths (speed)
# The batch parser and the direct canonical JSON exist for ingest speed (benchmarks/gate_ingest.py); they must give
# exactly what the reference functions give, or existing ledgers would stop verifying.

TIMES = st.one_of(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)).map(
        lambda moment: moment.isoformat()
    ),
    st.sampled_from(["2026-05-04T08:00", "2026-05-04 08:00:00", " 2026-05-04T08:00:00+08:00 ", "2026-13-01T00:00"]),
)
WELL_FORMED = st.fixed_dictionaries(
    {"seq": st.one_of(st.integers(-3, 2**63), st.sampled_from(["12", " 7 ", "²", "١٢", "-1"])),
     "plate": st.one_of(st.sampled_from(["豫A12345", " 豫ad12345 ", "XY12", "", "豫A\x00123"]), st.text(max_size=20)),
     "direction": st.sampled_from(["in", "out", "1", "2", "进", "出", "IN ", "sideways", 1]),
     "time": TIMES},
    optional={"stage": st.sampled_from(["国五", "国V", "5", "D", "", None, "国七", 5]),
              "tonnage": st.one_of(st.floats(), st.integers(-5, 10**400), st.sampled_from(["12.5", "", True])),
              "result": st.sampled_from(["pass", "refused", "放行", "拒绝", " PASS ", None, "maybe"]),
              "corrects": st.one_of(st.integers(-1, 2**63), st.sampled_from(["3", "", None, "x"])),
              "plate_colour": st.sampled_from(["blue", "yellow", "", None, "purple", " green "]),
              "photo_hash": st.sampled_from(["a" * 64, "A" * 64, "xyz", "", None]),
              "lane": st.one_of(st.text(max_size=70), st.none()),
              "cargo": st.one_of(st.text(max_size=70), st.none(), st.just("\ud800"))},
)  # fmt: skip


def _reference(raw: dict[str, object]) -> gates.Received | None:
    passage, _ = gates.parse_passage(raw, 1)
    return None if passage is None else gates._received(passage)


@fuzz_settings(400)
@given(WELL_FORMED)
def test_the_batch_parser_accepts_and_refuses_exactly_like_the_reference(raw: dict[str, object]) -> None:
    parsed, problems = gates.parse_records([raw])
    reference, errors = gates.parse_passage(raw, 1)
    if reference is None:
        assert not parsed and [p.problems for p in problems] == [errors.problems]
    else:
        assert not problems and parsed == [gates._received(reference)]


@fuzz_settings(200)
@given(st.dictionaries(st.sampled_from(FIELDS), values, max_size=len(FIELDS)))
def test_the_batch_parser_agrees_with_the_reference_on_hostile_records(raw: dict[str, object]) -> None:
    parsed, problems = gates.parse_records([raw], row_offset=7)
    assert parsed == [ref] if (ref := _reference(raw)) else not parsed and problems[0].row == 7


def test_a_batch_names_every_bad_row_and_a_sequence_used_twice() -> None:
    good = {"seq": 1, "plate": "豫A12345", "direction": "in", "time": "2026-05-04T08:00"}
    parsed, problems = gates.parse_records([good, "not a record", {**good, "seq": 2, "time": "soon"}, good], 10)
    assert [r.sequence for r in parsed] == [1]
    assert [(p.row, p.problems[0][0]) for p in problems] == [(11, "记录"), (12, "time"), (13, "seq")]


def test_unstorable_text_and_odd_numbers_are_refused_not_raised() -> None:
    base = {"seq": 1, "plate": "豫A12345", "direction": "in", "time": "2026-05-04T08:00"}
    for bad, name in (
        ({"seq": "²"}, "seq"),  # a digit int() cannot read
        ({"tonnage": 10**400}, "tonnage"),  # float() overflows
        ({"corrects": 2**63}, "corrects"),  # beyond bigint
        ({"cargo": "\ud800"}, "cargo"),  # lone surrogate: cannot be stored or hashed as UTF-8
        ({"plate": "豫A\x0012345"}, "plate"),  # NUL: PostgreSQL text cannot hold it
    ):
        passage, errors = gates.parse_passage({**base, **bad}, 1)
        assert passage is None and errors.problems[0][0] == name, bad


TEXT = st.text(max_size=20)


@fuzz_settings(300)
@given(
    st.fixed_dictionaries(
        {"device": TEXT, "sequence": st.integers(0, 2**62), "plate": TEXT, "plate_colour": TEXT,
         "direction": TEXT, "lane": TEXT, "photo_hash": TEXT, "recognised_stage": TEXT, "stage": TEXT, "fuel": TEXT,
         "kind": TEXT, "cargo": TEXT, "tonnage": st.one_of(st.none(), st.floats(), st.integers(0, 1000)),
         "allowed": st.booleans(), "flags": st.lists(st.sampled_from([f.value for f in gates.Flag]), unique=True),
         "corrects": st.one_of(st.none(), st.integers(0, 2**62)), "position": st.integers(1, 2**62)}
    ),
    st.datetimes(timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=8))])),
)  # fmt: skip
def test_the_direct_canonical_json_is_the_hashed_content_character_for_character(
    fields: dict[str, object], passed_at: dt.datetime
) -> None:
    from airgrade.core.hashchain import canonical_json

    reference = canonical_json(gates.record_content(passed_at=passed_at, **fields))  # type: ignore[arg-type]
    at = passed_at.astimezone(dt.UTC).isoformat(timespec="seconds")
    assert gates.record_json(at=at, **fields) == reference  # type: ignore[arg-type]


# ---- the field readers of `_fast` and the bulk path (core.fast_*) read what `parse_passage` stores

_BASE = {"seq": 1, "plate": "豫A12345", "direction": "in", "time": "2026-05-01T08:00:00+08:00"}
_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " 7 ", "41.0", "-0", "1_000", "国六", " vi ", "新能源", "in", " OUT ", "进", "拒绝", "pass"]),
    st.sampled_from(["2026-05-01 08:00", "2026-05-01T08:00:00Z", "2026-02-30T00:00:00", "blue", "ab" * 32]),
)
_FIELDS = {
    "seq": (gates.fast_sequence, lambda r: r.sequence),
    "plate": (gates.fast_plate, lambda r: r.plate),
    "direction": (gates.fast_direction, lambda r: r.direction),
    "time": (gates.fast_time, lambda r: r.passed_at),
    "stage": (gates.fast_stage, lambda r: r.stage),
    "tonnage": (gates.fast_tonnage, lambda r: r.tonnage),
    "result": (gates.fast_result, lambda r: r.allowed),
    "corrects": (gates.fast_corrects, lambda r: r.corrects),
    "plate_colour": (gates.fast_colour, lambda r: r.plate_colour),
    "photo_hash": (gates.fast_photo, lambda r: r.photo_hash),
    "lane": (gates.fast_text, lambda r: r.lane),
    "cargo": (gates.fast_text, lambda r: r.cargo),
}


@fuzz_settings(400)
@given(st.sampled_from(sorted(_FIELDS)), _ANY_VALUE)
def test_a_value_the_fast_readers_take_is_stored_as_parse_passage_stores_it(key: str, value: object) -> None:
    read, stored = _FIELDS[key]
    got = read(value)
    if got is gates.INVALID:
        return  # refused, or read some rarer way: parse_passage reads the whole record
    passage, errors = gates.parse_passage({**_BASE, key: value}, 1)
    assert passage is not None and not errors
    expected = stored(gates._received(passage))
    assert gates.parse_records([{**_BASE, key: value}])[0] == [gates._received(passage)]
    assert type(got) is type(expected) and got == expected
    if isinstance(got, float):
        assert repr(got) == repr(expected)  # -0.0 stays -0.0
