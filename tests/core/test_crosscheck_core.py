"""Cross-checks outside alerts (issue 12 item 4; REQ H23-6): thresholds at their boundaries, missing data never a
finding, limits only from the rule book."""

from __future__ import annotations

import datetime as dt

from airgrade.core import crosscheck as core
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade
from airgrade.core.verification import Reading, ReadingStatus

ON = dt.date(2026, 11, 1)
START = dt.datetime(2026, 11, 1)
RULES = core.CrossCheckRules.from_entries(
    default_rulebook().cross_checks(ON), default_rulebook().alert_verification(ON)
)


def _hours(n: int, start: dt.datetime = START) -> list[dt.datetime]:
    return core.hours_between(start, start + dt.timedelta(hours=n))


def test_the_thresholds_are_dated_policy_data() -> None:
    entry = default_rulebook().cross_checks(ON)
    assert entry.exceedance_hours.source.provisional and entry.exceedance_hours.source.note
    assert (RULES.exceedance_hours, RULES.silence_hours, RULES.idle_hours) == (24, 24, 72)
    assert RULES.meter_silence_hours == 24 and entry.meter_silence_hours.source.provisional
    assert RULES.idle_floor_kwh == default_rulebook().alert_verification(ON).min_baseline_kwh.kwh_per_hour
    audit = [where for _, where, _ in default_rulebook().provisional_values() if where.startswith("cross_checks")]
    assert len(audit) == 4


def test_exceedance_needs_more_than_n_hours_strictly_above_the_limit() -> None:
    n = RULES.exceedance_hours
    at_limit = dict.fromkeys(_hours(100), 50.0)  # equal to the limit: within it
    assert core.exceedances(at_limit, 50).hours == ()
    exactly = {**dict.fromkeys(_hours(100), 10.0), **dict.fromkeys(_hours(n), 60.0)}
    assert len(core.exceedances(exactly, 50).hours) == n and not core.exceedances(exactly, 50).finding(RULES)
    one_more = {**exactly, **dict.fromkeys(_hours(n + 1), 60.0)}
    assert core.exceedances(one_more, 50).finding(RULES)


def test_missing_concentrations_are_never_exceedances() -> None:
    values: dict[dt.datetime, float | None] = dict.fromkeys(_hours(200), None)
    found = core.exceedances(values, 10)
    assert (found.hours, found.valid_hours, found.peak) == ((), 0, None)


def test_runs_split_on_breaks_and_skipped_hours() -> None:
    hours = _hours(10)
    flagged = [hours[0], hours[1], hours[2], hours[5], hours[6]]
    assert [(r.start.hour, r.hours) for r in core.runs(hours, flagged)] == [(0, 3), (5, 2)]
    # An hour absent from the judged hours (no value at all) ends a run.
    assert [r.hours for r in core.runs([hours[0], hours[2]], [hours[0], hours[2]])] == [1, 1]


def test_silence_longer_than_m_hours_and_declared_stops() -> None:
    m = RULES.silence_hours
    judged = _hours(100)
    states = dict.fromkeys(judged, core.VALID)
    for hour in judged[10 : 10 + m]:
        del states[hour]  # no row at all
    runs = core.runs(judged, core.silent_hours(judged, states, ()))
    assert [r.hours for r in runs] == [m] and core.long_runs(runs, m) == []
    del states[judged[10 + m]]
    runs = core.runs(judged, core.silent_hours(judged, states, ()))
    assert [r.hours for r in core.long_runs(runs, m)] == [m + 1]
    # 停运 counts as silence only outside a declared stop.
    stopped = dict.fromkeys(judged, core.STOPPED)
    assert len(core.silent_hours(judged, stopped, ())) == 100
    assert core.silent_hours(judged, stopped, judged) == []


def test_a_meter_hour_is_valid_only_when_its_intervals_cover_it() -> None:
    def quarters(hour: int, *statuses: ReadingStatus, value: float | None = 5.0) -> list[Reading]:
        at = START + dt.timedelta(hours=hour)
        return [Reading("M1", at + dt.timedelta(minutes=15 * i), 15, value, s) for i, s in enumerate(statuses)]

    normal, stopped, missing = ReadingStatus.NORMAL, ReadingStatus.STOPPED, ReadingStatus.MISSING
    readings = [
        *quarters(0, normal, normal, normal, normal),  # covered: valid
        *quarters(1, normal, normal, normal),  # a quarter absent: silent
        *quarters(2, normal, missing, normal, normal),  # a quarter flagged: silent
        *quarters(3, stopped, stopped, stopped, stopped),  # all 停运: stopped (silent unless declared)
        *quarters(4, stopped, normal, normal, normal),  # running part of the hour: valid
        *quarters(5, normal, normal, normal, normal, value=None),  # 正常 without a value: silent
        Reading("M1", START + dt.timedelta(hours=6), 60, 80.0),  # an hourly meter
    ]
    states = core.meter_states(readings)
    assert [states[START + dt.timedelta(hours=h)] for h in range(7)] == [
        core.VALID, core.SILENT, core.SILENT, core.STOPPED, core.VALID, core.SILENT, core.VALID,
    ]  # fmt: skip
    judged = _hours(8)
    assert core.silent_hours(judged, states, ()) == [judged[i] for i in (1, 2, 3, 5, 7)]


def test_idle_meter_needs_more_than_k_valid_hours_below_the_floor() -> None:
    k = RULES.idle_hours
    floor = RULES.idle_floor_kwh
    energy: dict[dt.datetime, float | None] = dict.fromkeys(_hours(200), 500.0)
    for hour in _hours(k, START + dt.timedelta(hours=10)):
        energy[hour] = 0.0
    runs = core.runs(sorted(energy), core.idle_hours(energy, floor, ()))
    assert [r.hours for r in runs] == [k] and not core.long_runs(runs, k)
    energy[START + dt.timedelta(hours=10 + k)] = floor * 0.5
    runs = core.runs(sorted(energy), core.idle_hours(energy, floor, ()))
    assert [r.hours for r in core.long_runs(runs, k)] == [k + 1]
    # Exactly at the floor is production; a missing hour ends the run instead of counting as idle.
    energy[START + dt.timedelta(hours=10 + k // 2)] = None
    runs = core.runs(sorted(energy), core.idle_hours(energy, floor, ()))
    assert core.long_runs(runs, k) == []
    assert core.idle_hours({START: floor}, floor, ()) == []
    # A declared stop (an alert's ordered stop) is never idle.
    assert core.idle_hours({START: 0.0}, floor, {START}) == []


def test_limits_come_from_the_rule_book_or_say_they_are_missing() -> None:
    cement = default_rulebook().rules_for("cement", ON, "410181")
    limit = core.limit_for(cement, Grade.B, "SO2")
    assert (limit.value, limit.unit, limit.indicator_id) == (50, "mg/m³", "so2_limit")
    assert limit.provisional
    no_grade = core.limit_for(cement, Grade.D, "SO2")
    assert no_grade.value is None and "D" in no_grade.missing_zh
    no_pollutant = core.limit_for(cement, Grade.B, "VOCs")
    assert no_pollutant.value is None and "未设" in no_pollutant.missing_zh


def test_month_bounds() -> None:
    assert core.month_bounds(dt.date(2026, 12, 15)) == (dt.datetime(2026, 12, 1), dt.datetime(2027, 1, 1))
    assert len(core.hours_between(*core.month_bounds(dt.date(2026, 2, 1)))) == 28 * 24
