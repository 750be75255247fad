"""The batch path of alert verification (issue 12): `verify_block` gives `verify_signal`'s baseline days and verdicts
over many signals at once; holidays and earlier alerts stay out of the baseline, which keeps the weekday mix."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airgrade.core.rules.loader import load_rulebook
from airgrade.core.verification import (
    SignalBlock,
    SignalKind,
    VerificationRules,
    alert_hours,
    baseline,
    block_evidence,
    compare,
    verify_block,
    weekday_cap,
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
FIRST = dt.date(2026, 9, 1)
START = dt.datetime(2026, 10, 9, 20)
END = dt.datetime(2026, 10, 12, 8)
DAYS = (END.date() - FIRST).days + 2


def _series(values: np.ndarray) -> dict[dt.datetime, float | None]:
    origin = dt.datetime.combine(FIRST, dt.time())
    return {
        origin + dt.timedelta(hours=n): float(value)
        for n, value in enumerate(values.reshape(-1))
        if not math.isnan(value)
    }


def _block(values: np.ndarray, excluded: frozenset[dt.date], expected: float | None = 0.5) -> SignalBlock:
    return SignalBlock(["SO2"], ["二氧化硫"], [SignalKind.EMISSION], [expected], [excluded], FIRST, values[None])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), gaps=st.floats(0, 0.4), cut=st.floats(0, 1), skipped=st.integers(0, 12))
def test_block_matches_the_per_signal_path(seed: int, gaps: float, cut: float, skipped: int) -> None:
    rng = random.Random(seed)
    values = np.full((DAYS, 24), np.nan)
    origin = dt.datetime.combine(FIRST, dt.time())
    for day in range(DAYS):
        for hour in range(24):
            if rng.random() < gaps:
                continue
            at = origin + dt.timedelta(days=day, hours=hour)
            values[day, hour] = rng.uniform(1, 10) * (cut if START <= at < END else 1)
    excluded = frozenset(FIRST + dt.timedelta(days=rng.randrange(DAYS)) for _ in range(skipped))
    series = _series(values)
    base = baseline(series, START.date(), excluded, RULES)
    expected = compare(series, base, alert_hours(START, END), SignalKind.EMISSION, 0.5, RULES)
    result = verify_block(_block(values, excluded), START, END, RULES).results[0]
    assert result.baseline.days == base.days
    assert result.overall.verdict is expected.verdict and result.overall.valid_hours == expected.valid_hours
    assert result.overall.drop == pytest.approx(expected.drop, abs=1e-9) if expected.drop is not None else True
    for day, comparison in result.days:
        day_hours = [hour for hour in alert_hours(START, END) if hour.date() == day]
        assert comparison.verdict is compare(series, base, day_hours, SignalKind.EMISSION, 0.5, RULES).verdict


def test_holidays_and_earlier_alerts_leave_the_baseline_keeping_the_weekday_mix() -> None:
    calendar = load_rulebook()
    holidays = calendar.holidays(FIRST, START.date())
    # 国务院办公厅关于2026年部分节假日安排的通知: 中秋 9-25..27, 国庆 10-01..07 off; 9-20 and 10-10 are working days.
    assert dt.date(2026, 10, 3) in holidays and dt.date(2026, 9, 26) in holidays
    assert dt.date(2026, 9, 20) not in holidays and dt.date(2026, 10, 10) not in holidays
    values = np.full((DAYS, 24), 5.0)
    earlier_alert = frozenset({dt.date(2026, 9, 15)})
    series = _series(values)
    base = baseline(series, START.date(), holidays | earlier_alert, RULES)
    assert not set(base.days) & (holidays | earlier_alert)
    assert len(base.days) == 7 and sorted(day.weekday() for day in base.days) == list(range(7))  # one of each
    # Back from Friday 10-09: Thu 10-08, then 国庆 (10-01..07) is skipped; Wed..Mon 09-30..28; 中秋 (09-25..27) skipped;
    # Thu 09-24..Mon 09-21 are weekdays already taken; Sun 09-20 (an adjusted working day), Sat 09-19, Fri 09-18.
    assert base.days == (
        dt.date(2026, 9, 18),
        dt.date(2026, 9, 19),
        dt.date(2026, 9, 20),
        dt.date(2026, 9, 28),
        dt.date(2026, 9, 29),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 8),
    )
    block = verify_block(_block(values, holidays | earlier_alert), START, END, RULES).results[0]
    assert block.baseline.days == base.days


def test_weekday_cap_follows_the_baseline_size() -> None:
    assert weekday_cap(RULES) == 1
    wider = VerificationRules(**{**RULES.__dict__, "baseline_max_days": 14, "lookback_days": 30})
    assert weekday_cap(wider) == 2


def test_block_evidence_draws_the_band_and_leaves_gaps() -> None:
    values = np.full((DAYS, 24), 4.0)
    alert_day = (START.date() - FIRST).days
    values[alert_day + 1, :] = np.nan
    block = _block(values, frozenset())
    outcome = verify_block(block, START, END, RULES)
    chart = block_evidence(block, outcome, 0, START - dt.timedelta(hours=2), START + dt.timedelta(hours=6))
    assert chart["observed"][:2] == [4.0, 4.0] and chart["observed"][-1] is None
    assert chart["baseline"] == [4.0] * 8 and chart["low"][0] == chart["high"][0] == 4.0


def test_no_signals_and_too_short_a_block() -> None:
    empty = SignalBlock([], [], [], [], [], FIRST, np.zeros((0, DAYS, 24)))
    assert verify_block(empty, START, END, RULES).results == ()
    with pytest.raises(ValueError):
        verify_block(_block(np.full((3, 24), 1.0), frozenset()), START, END, RULES)
