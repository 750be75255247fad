"""Alert-execution verdicts from monitoring and electricity (issue 12, REQ H23-6): baseline, thresholds, missing data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airgrade.core.rules.loader import load_rulebook
from airgrade.core.verification import (
    Reading,
    ReadingStatus,
    SignalInput,
    SignalKind,
    Verdict,
    VerificationRules,
    alert_hours,
    baseline,
    channel_hours,
    combine,
    evidence_series,
    expected_drops,
    site_series,
    verify_task,
)

RULES = VerificationRules(
    baseline_min_days=3,
    baseline_max_days=7,
    lookback_days=30,
    min_coverage=0.75,
    tolerance=0.3,
    electricity_factor=0.7,
    min_baseline_rate=0.01,
    min_baseline_kwh=1.0,
    downgrade_steps=1,
)
START = dt.datetime(2026, 11, 20, 0, 0)
END = dt.datetime(2026, 11, 23, 0, 0)  # three alert days


def hourly(
    channel: str,
    first: dt.datetime,
    last: dt.datetime,
    value: Callable[[dt.datetime], float | None],
    status: Callable[[dt.datetime], ReadingStatus] = lambda _: ReadingStatus.NORMAL,
) -> list[Reading]:
    readings = []
    hour = first
    while hour < last:
        readings.append(Reading(channel, hour, 60, value(hour), status(hour)))
        hour += dt.timedelta(hours=1)
    return readings


def emission(normal: float, during: float, *, alert_gap: bool = False) -> list[Reading]:
    """Two weeks of normal hourly SO2 rates, then the alert days at `during`."""
    before = hourly("DA001", START - dt.timedelta(days=14), START, lambda h: normal + (h.hour % 3) * 0.1)
    alert = hourly(
        "DA001",
        START,
        END,
        lambda h: during,
        (lambda h: ReadingStatus.MISSING if h.hour < 20 else ReadingStatus.NORMAL)
        if alert_gap
        else (lambda h: ReadingStatus.NORMAL),
    )
    return before + alert


def so2(readings: list[Reading], expected: float | None = 0.5) -> SignalInput:
    return SignalInput("SO2", "二氧化硫", SignalKind.EMISSION, {"DA001": readings}, expected)


def test_rule_book_supplies_the_parameters() -> None:
    rules = VerificationRules.from_entry(load_rulebook().alert_verification(dt.date(2026, 11, 20)))
    assert 0 < rules.min_coverage <= 1 and 0 <= rules.tolerance < 1
    assert rules.baseline_min_days <= rules.baseline_max_days <= rules.lookback_days


def test_baseline_takes_recent_normal_days_and_skips_excluded_and_thin_days() -> None:
    readings = emission(10.0, 10.0)
    series = channel_hours(readings, SignalKind.EMISSION)
    earlier_alert = START.date() - dt.timedelta(days=2)
    # A day with only 12 valid hours is not a normal day to compare with.
    thin = START.date() - dt.timedelta(days=4)
    for hour in range(12):
        series[dt.datetime.combine(thin, dt.time(hour))] = None
    base = baseline(series, START.date(), [earlier_alert], RULES)
    assert earlier_alert not in base.days and thin not in base.days
    assert len(base.days) == RULES.baseline_max_days
    assert max(base.days) == START.date() - dt.timedelta(days=1)
    assert base.profile[1] == pytest.approx(10.1)
    assert base.low[2] == pytest.approx(10.2) and base.high[2] == pytest.approx(10.2)


def test_a_real_cut_is_done_and_no_cut_is_suspected() -> None:
    done = verify_task([so2(emission(10.0, 4.0))], START, END, [], RULES)
    assert done.verdict is Verdict.DONE
    assert [verdict for _, verdict in done.days] == [Verdict.DONE] * 3
    drop = done.signals[0].overall.drop
    assert drop is not None and drop == pytest.approx(1 - 4.0 / 10.1)

    kept = verify_task([so2(emission(10.0, 9.8))], START, END, [], RULES)
    assert kept.verdict is Verdict.SUSPECTED
    assert "应下降 50%" in kept.reason_zh


def test_threshold_is_the_expected_drop_less_the_tolerance() -> None:
    # Expected 50 %, tolerance 30 % → at least 35 % down. Baseline mean is 10.1 (10, 10.1, 10.2 by hour).
    just_enough = verify_task([so2(emission(10.0, 10.1 * 0.65))], START, END, [], RULES)
    short = verify_task([so2(emission(10.0, 10.1 * 0.66))], START, END, [], RULES)
    assert just_enough.verdict is Verdict.DONE
    assert short.verdict is Verdict.SUSPECTED


def test_missing_alert_data_is_insufficient_never_suspected() -> None:
    # No reading during 20 of 24 alert hours a day: the enterprise may have stopped or the link may be down.
    result = verify_task([so2(emission(10.0, 10.0, alert_gap=True))], START, END, [], RULES)
    assert result.verdict is Verdict.INSUFFICIENT
    assert "有效小时" in result.reason_zh


def test_missing_baseline_is_insufficient() -> None:
    alert_only = hourly("DA001", START - dt.timedelta(days=2), END, lambda h: 10.0)
    result = verify_task([so2(alert_only)], START, END, [], RULES)
    assert result.verdict is Verdict.INSUFFICIENT
    assert "正常生产日" in result.reason_zh


def test_no_data_at_all_is_insufficient() -> None:
    assert verify_task([], START, END, [], RULES).verdict is Verdict.INSUFFICIENT


def test_stopped_hours_count_as_zero_and_valid() -> None:
    stopped = emission(10.0, 0.0)
    stopped = [
        Reading(r.channel, r.at, r.minutes, None, ReadingStatus.STOPPED) if r.at >= START else r for r in stopped
    ]
    assert verify_task([so2(stopped, 1.0)], START, END, [], RULES).verdict is Verdict.DONE


def test_maintenance_hours_are_not_valid() -> None:
    readings = hourly("DA001", START, START + dt.timedelta(hours=2), lambda h: 5.0, lambda h: ReadingStatus.MAINTENANCE)
    assert channel_hours(readings, SignalKind.EMISSION) == {START: None, START + dt.timedelta(hours=1): None}


def test_quarter_hour_electricity_is_summed_and_needs_every_quarter() -> None:
    quarters = [Reading("M1", START + dt.timedelta(minutes=15 * i), 15, 25.0) for i in range(4)]
    assert channel_hours(quarters, SignalKind.ELECTRICITY) == {START: 100.0}
    assert channel_hours(quarters[:3], SignalKind.ELECTRICITY) == {START: None}


def test_an_outlet_going_silent_does_not_look_like_a_cut() -> None:
    a = channel_hours(hourly("A", START, START + dt.timedelta(hours=2), lambda h: 3.0), SignalKind.EMISSION)
    b = channel_hours(hourly("B", START, START + dt.timedelta(hours=1), lambda h: 4.0), SignalKind.EMISSION)
    assert site_series({"A": a, "B": b}) == {START: 7.0, START + dt.timedelta(hours=1): None}


def test_no_expected_cut_is_not_judged() -> None:
    result = verify_task([so2(emission(10.0, 10.0), expected=0.0)], START, END, [], RULES)
    assert result.verdict is Verdict.NOT_REQUIRED


def test_no_production_before_the_alert_is_insufficient() -> None:
    idle = hourly("DA001", START - dt.timedelta(days=14), END, lambda h: 0.0)
    result = verify_task([so2(idle)], START, END, [], RULES)
    assert result.verdict is Verdict.INSUFFICIENT
    assert "无生产" in result.reason_zh


def test_electricity_signal_and_combination() -> None:
    meter = hourly("M1", START - dt.timedelta(days=10), START, lambda h: 1000.0) + hourly(
        "M1", START, END, lambda h: 950.0
    )
    electricity = SignalInput("electricity", "用电量", SignalKind.ELECTRICITY, {"M1": meter}, 0.35)
    # Emissions fell but electricity did not: production went on (e.g. treatment swapped for output) → suspected.
    result = verify_task([so2(emission(10.0, 4.0)), electricity], START, END, [], RULES)
    assert result.verdict is Verdict.SUSPECTED
    assert combine([Verdict.DONE, Verdict.INSUFFICIENT]) is Verdict.DONE
    assert combine([Verdict.INSUFFICIENT, Verdict.NOT_REQUIRED]) is Verdict.INSUFFICIENT
    assert combine([Verdict.NOT_REQUIRED]) is Verdict.NOT_REQUIRED


def test_combination_rule_over_every_mix_of_up_to_three_verdicts() -> None:
    """Suspected wins, then carried out, then no data (or nothing at all), and only 无要求 everywhere is 无要求."""
    import itertools

    for size in range(4):
        for mix in itertools.product(list(Verdict), repeat=size):
            if Verdict.SUSPECTED in mix:
                expected = Verdict.SUSPECTED
            elif Verdict.DONE in mix:
                expected = Verdict.DONE
            elif Verdict.INSUFFICIENT in mix or not mix:
                expected = Verdict.INSUFFICIENT
            else:
                expected = Verdict.NOT_REQUIRED
            assert combine(iter(mix)) is expected, mix


def test_partial_alert_days_compare_the_same_hours_of_day() -> None:
    # Night-heavy production: the alert starts at 20:00, so only the evening hours are compared.
    readings = hourly("DA001", START - dt.timedelta(days=10), START, lambda h: 20.0 if h.hour >= 20 else 2.0)
    readings += hourly("DA001", START, END, lambda h: 10.0 if h.hour >= 20 else 2.0)
    result = verify_task([so2(readings, 0.5)], START + dt.timedelta(hours=20), END, [], RULES)
    first_day = result.signals[0].days[0][1]
    assert first_day.hours == 4 and first_day.drop == pytest.approx(0.5)


def test_expected_drops_from_the_plan() -> None:
    plan = {
        "base_t_per_day": {"SO2": 1.0, "NOx": 3.0, "PM": 0.0, "VOCs": 0.0},
        "reduction_t_per_day": {"SO2": 0.5, "NOx": 0.5, "PM": 0.0, "VOCs": 0.0},
    }
    drops = expected_drops(plan, RULES)
    assert drops["SO2"] == pytest.approx(0.5) and drops["PM"] is None
    assert drops["electricity"] == pytest.approx(0.25 * 0.7)


def test_evidence_series_aligns_baseline_band_by_hour_of_day() -> None:
    result = verify_task([so2(emission(10.0, 4.0))], START, END, [], RULES).signals[0]
    chart = evidence_series(result, START - dt.timedelta(hours=2), START + dt.timedelta(hours=2))
    assert chart["hours"][0] == "11-19 22:00" and chart["observed"][2] == 4.0
    assert chart["baseline"][3] == pytest.approx(10.1)


@settings(max_examples=60, deadline=None)
@given(
    normal=st.floats(min_value=0.5, max_value=500),
    cut=st.floats(min_value=0.0, max_value=1.0),
    expected=st.floats(min_value=0.05, max_value=1.0),
    missing=st.integers(min_value=0, max_value=72),
)
def test_verdicts_are_consistent(normal: float, cut: float, expected: float, missing: int) -> None:
    """Whatever the numbers: thin alert data is never suspected, and a cut at least as large as expected is done."""
    before = hourly("DA001", START - dt.timedelta(days=8), START, lambda h: normal)
    gap = set(alert_hours(START, END)[:missing])
    during = hourly(
        "DA001",
        START,
        END,
        lambda h: normal * (1 - cut),
        lambda h: ReadingStatus.MISSING if h in gap else ReadingStatus.NORMAL,
    )
    result = verify_task([so2(before + during, expected)], START, END, [], RULES)
    if missing > 72 * (1 - RULES.min_coverage):
        assert result.verdict is Verdict.INSUFFICIENT
    elif cut >= expected + 1e-9:
        assert result.verdict is Verdict.DONE
    elif cut < expected * (1 - RULES.tolerance) - 1e-9:
        assert result.verdict is Verdict.SUSPECTED
