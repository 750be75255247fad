"""Did they really cut? Verdicts on alert execution from online monitoring and electricity use (issue 12, REQ H23-6).

Pure arithmetic, no I/O: readings in (local wall-clock times, Asia/Shanghai, naive), a baseline from normal days
before the alert, the observed drop during the alert against the drop the task's measures expect, and a verdict:
落实 / 疑似未落实 / 数据不足 (never 未落实 on thin data), or 无量化减排要求 when the measures expect no cut.
Every number of the method (baseline days, coverage, tolerance, electricity factor, floors) is rule data, read through
`RuleBook.alert_verification` and handed in as `VerificationRules`. docs/verification.md explains the method.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from airgrade.core.rules.schema import AlertVerificationEntry

HOUR = dt.timedelta(hours=1)
MINUTES_PER_HOUR = 60
HOURS_PER_DAY = 24
DAYS_PER_WEEK = 7


class ReadingStatus(StrEnum):
    """The status flag of a monitoring or meter reading (HJ 212 style flags, in words)."""

    NORMAL = "normal"
    STOPPED = "stopped"  # 停运: the unit is shut down; its emission counts as zero, a valid hour
    MAINTENANCE = "maintenance"  # 维护 / 校准: the value is not valid
    MISSING = "missing"  # 数据缺失

    @property
    def label_zh(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def valid(self) -> bool:
        return self in (ReadingStatus.NORMAL, ReadingStatus.STOPPED)


_STATUS_LABELS = {
    ReadingStatus.NORMAL: "正常",
    ReadingStatus.STOPPED: "停运",
    ReadingStatus.MAINTENANCE: "维护",
    ReadingStatus.MISSING: "数据缺失",
}


class SignalKind(StrEnum):
    EMISSION = "emission"  # hourly emission rate of one pollutant, kg/h, summed over the site's outlets
    ELECTRICITY = "electricity"  # energy per hour, kWh, summed over the site's meters


class Verdict(StrEnum):
    DONE = "done"
    SUSPECTED = "suspected"
    INSUFFICIENT = "insufficient"
    NOT_REQUIRED = "not_required"

    @property
    def label_zh(self) -> str:
        return _VERDICT_LABELS[self]


_VERDICT_LABELS = {
    Verdict.DONE: "落实",
    Verdict.SUSPECTED: "疑似未落实",
    Verdict.INSUFFICIENT: "数据不足",
    Verdict.NOT_REQUIRED: "无量化减排要求",
}


@dataclass(frozen=True)
class VerificationRules:
    """The method's parameters in force on the alert's first day (shares as fractions, 0–1)."""

    baseline_min_days: int
    baseline_max_days: int
    lookback_days: int
    min_coverage: float
    tolerance: float
    electricity_factor: float
    min_baseline_rate: float
    min_baseline_kwh: float
    downgrade_steps: int

    @classmethod
    def from_entry(cls, entry: AlertVerificationEntry) -> VerificationRules:
        return cls(
            baseline_min_days=entry.baseline_days.min,
            baseline_max_days=entry.baseline_days.max,
            lookback_days=entry.lookback_days.days,
            min_coverage=entry.min_coverage.percent / 100,
            tolerance=entry.tolerance.percent / 100,
            electricity_factor=entry.electricity_factor.percent / 100,
            min_baseline_rate=entry.min_baseline_rate.kg_per_hour,
            min_baseline_kwh=entry.min_baseline_kwh.kwh_per_hour,
            downgrade_steps=entry.downgrade_steps.steps,
        )


@dataclass(frozen=True)
class Reading:
    """One reading of one channel (an outlet's pollutant, or a meter) over `minutes` from `at` (local time).

    Emission channels carry a rate (kg/h) over the hour; electricity channels carry the energy (kWh) of the interval.
    """

    channel: str
    at: dt.datetime
    minutes: int
    value: float | None
    status: ReadingStatus = ReadingStatus.NORMAL


Series = dict[dt.datetime, float | None]  # hour start → value; None = flagged or incomplete; absent = no data


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def channel_hours(readings: Iterable[Reading], kind: SignalKind) -> Series:
    """One channel's readings as hourly values. An hour is valid only when every interval of it is present and valid;
    a 停运 interval counts as zero. Emission rates are averaged over the hour, energies summed."""
    covered: dict[dt.datetime, int] = {}
    total: dict[dt.datetime, float] = {}
    invalid: set[dt.datetime] = set()
    for reading in readings:
        hour = hour_of(reading.at)
        if not reading.status.valid or (reading.status is ReadingStatus.NORMAL and reading.value is None):
            invalid.add(hour)
            covered.setdefault(hour, 0)
            continue
        value = 0.0 if reading.status is ReadingStatus.STOPPED else float(reading.value or 0.0)
        covered[hour] = covered.get(hour, 0) + reading.minutes
        weight = reading.minutes / MINUTES_PER_HOUR if kind is SignalKind.EMISSION else 1.0
        total[hour] = total.get(hour, 0.0) + value * weight
    series: Series = {}
    for hour, minutes in covered.items():
        series[hour] = None if hour in invalid or minutes < MINUTES_PER_HOUR else total[hour]
    return series


def site_series(channels: Mapping[str, Series]) -> Series:
    """The site's signal: the sum over its channels, valid only where every channel is (an outlet going silent while
    another runs must not look like a cut)."""
    if not channels:
        return {}
    hours: set[dt.datetime] = set()
    for series in channels.values():
        hours.update(series)
    combined: Series = {}
    for hour in hours:
        values = [series.get(hour) for series in channels.values()]
        combined[hour] = (
            None if any(value is None for value in values) else math.fsum(v for v in values if v is not None)
        )
    return combined


@dataclass(frozen=True)
class Baseline:
    days: tuple[dt.date, ...]
    profile: tuple[float | None, ...]  # per hour of day: mean over the baseline days
    low: tuple[float | None, ...]  # per hour of day: lowest value on a baseline day (the band's lower edge)
    high: tuple[float | None, ...]
    level: float | None  # mean of the profile

    @property
    def found(self) -> int:
        return len(self.days)


def weekday_cap(rules: VerificationRules) -> int:
    """How many baseline days one weekday may give: whole weeks' worth (7 days → one of each weekday)."""
    return max(1, math.ceil(rules.baseline_max_days / DAYS_PER_WEEK))


def _valid_hours(series: Series, day: dt.date) -> list[float]:
    start = dt.datetime.combine(day, dt.time())
    values = (series.get(start + HOUR * hour) for hour in range(HOURS_PER_DAY))
    return [value for value in values if value is not None]


def baseline(
    series: Series, first_alert_day: dt.date, excluded: Iterable[dt.date], rules: VerificationRules
) -> Baseline:
    """Normal days before the alert: the most recent days within `lookback_days`, not excluded (earlier alerts,
    holidays), each with at least `min_coverage` valid hours; at most `baseline_max_days` of them, and at most
    `weekday_cap` of each weekday (the weekday mix of whole weeks: a skipped Wednesday is replaced by an earlier
    Wednesday, not by an eighth day)."""
    skip = set(excluded)
    chosen: list[dt.date] = []
    per_weekday = [0] * DAYS_PER_WEEK
    cap = weekday_cap(rules)
    for back in range(1, rules.lookback_days + 1):
        day = first_alert_day - dt.timedelta(days=back)
        if day in skip or per_weekday[day.weekday()] >= cap:
            continue
        if len(_valid_hours(series, day)) >= rules.min_coverage * HOURS_PER_DAY:
            chosen.append(day)
            per_weekday[day.weekday()] += 1
            if len(chosen) == rules.baseline_max_days:
                break
    per_hour: list[list[float]] = [[] for _ in range(HOURS_PER_DAY)]
    for day in chosen:
        start = dt.datetime.combine(day, dt.time())
        for hour in range(HOURS_PER_DAY):
            value = series.get(start + HOUR * hour)
            if value is not None:
                per_hour[hour].append(value)
    profile = tuple(math.fsum(values) / len(values) if values else None for values in per_hour)
    known = [value for value in profile if value is not None]
    return Baseline(
        days=tuple(sorted(chosen)),
        profile=profile,
        low=tuple(min(values) if values else None for values in per_hour),
        high=tuple(max(values) if values else None for values in per_hour),
        level=math.fsum(known) / len(known) if known else None,
    )


def alert_hours(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.datetime]:
    """Every hour the alert touches, from the hour it starts to the last hour before it ends."""
    hours: list[dt.datetime] = []
    hour = hour_of(starts_at)
    while hour < ends_at:
        hours.append(hour)
        hour += HOUR
    return hours


@dataclass(frozen=True)
class Comparison:
    """Observed against baseline over a set of alert hours (same hours of day on both sides)."""

    hours: int
    valid_hours: int
    observed: float | None
    expected_level: float | None  # the baseline at those hours
    drop: float | None  # 1 − observed / baseline
    verdict: Verdict
    reason_zh: str

    @property
    def coverage(self) -> float:
        return self.valid_hours / self.hours if self.hours else 0.0

    def as_dict(self) -> dict[str, Any]:
        # Written out (no helper calls): a whole alert's verdicts serialise ~10⁵ of these.
        observed, level, drop = self.observed, self.expected_level, self.drop
        return {
            "hours": self.hours,
            "valid_hours": self.valid_hours,
            "coverage": round(self.valid_hours / self.hours, 4) if self.hours else 0.0,
            "observed": None if observed is None else round(observed, 4),
            "baseline": None if level is None else round(level, 4),
            "drop": None if drop is None else round(drop, 4),
            "verdict": self.verdict.value,
            "reason_zh": self.reason_zh,
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _floor(kind: SignalKind, rules: VerificationRules) -> float:
    return rules.min_baseline_rate if kind is SignalKind.EMISSION else rules.min_baseline_kwh


def compare(
    series: Series,
    base: Baseline,
    hours: Sequence[dt.datetime],
    kind: SignalKind,
    expected_drop: float | None,
    rules: VerificationRules,
) -> Comparison:
    """The verdict of one signal over `hours`: 数据不足 on thin data or no baseline, 落实 when the observed drop reaches
    the expected drop less the tolerance, 疑似未落实 otherwise."""
    valid = [hour for hour in hours if series.get(hour) is not None and base.profile[hour.hour] is not None]
    observed = math.fsum(series[hour] or 0.0 for hour in valid) / len(valid) if valid else None
    level = math.fsum(base.profile[hour.hour] or 0.0 for hour in valid) / len(valid) if valid else None
    return judge(len(hours), len(valid), observed, level, base.found, kind, expected_drop, rules)


def judge(
    hours: int,
    valid: int,
    observed: float | None,
    level: float | None,
    baseline_days: int,
    kind: SignalKind,
    expected_drop: float | None,
    rules: VerificationRules,
) -> Comparison:
    """The verdict from the figures of one signal over a span of alert hours (the per-task and the batch path's
    common rule): `valid` hours with data and a baseline, their mean `observed` and mean baseline `level`."""
    drop = None if observed is None or not level else 1 - observed / level

    def result(verdict: Verdict, reason: str) -> Comparison:
        return Comparison(hours, valid, observed, level, drop, verdict, reason)

    if not expected_drop or expected_drop <= 0:
        return result(Verdict.NOT_REQUIRED, "减排措施未要求该项下降")
    if baseline_days < rules.baseline_min_days:
        return result(
            Verdict.INSUFFICIENT, f"预警前正常生产日有效数据仅 {baseline_days} 天，少于 {rules.baseline_min_days} 天"
        )
    if not hours or valid < rules.min_coverage * hours:
        share = valid / hours if hours else 0.0
        return result(
            Verdict.INSUFFICIENT,
            f"预警期间有效小时占 {share:.0%}，低于 {rules.min_coverage:.0%}",
        )
    if level is None or level <= 0 or level < _floor(kind, rules):
        return result(Verdict.INSUFFICIENT, "基准期接近零（无生产），无法判断是否减排")
    needed = expected_drop * (1 - rules.tolerance)
    assert drop is not None
    if drop >= needed:
        return result(Verdict.DONE, f"实际下降 {drop:.0%}，应下降 {expected_drop:.0%}（容差后不少于 {needed:.0%}）")
    return result(Verdict.SUSPECTED, f"实际下降 {drop:.0%}，应下降 {expected_drop:.0%}（容差后不少于 {needed:.0%}）")


@dataclass(frozen=True)
class SignalInput:
    key: str  # "SO2", "NOx", "PM", "VOCs" or "electricity"
    label_zh: str
    kind: SignalKind
    channels: Mapping[str, Sequence[Reading]]
    expected_drop: float | None


@dataclass(frozen=True)
class SignalResult:
    key: str
    label_zh: str
    kind: SignalKind
    expected_drop: float | None
    baseline: Baseline
    overall: Comparison
    days: tuple[tuple[dt.date, Comparison], ...]
    series: Series = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label_zh": self.label_zh,
            "kind": self.kind.value,
            "expected_drop": _round(self.expected_drop),
            "baseline_days": [day.isoformat() for day in self.baseline.days],
            "baseline_level": _round(self.baseline.level),
            "overall": self.overall.as_dict(),
            "days": [{"day": day.isoformat()} | comparison.as_dict() for day, comparison in self.days],
        }


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """One verdict from several signals: any judged signal short of its drop → 疑似未落实; else any signal that shows
    the drop → 落实; no signal with enough data → 数据不足 (never a suspicion without data); nothing expected → 无要求."""
    # Identity tests, no set: an Enum member hashes through Python code, and an alert combines ~10⁵ of these.
    done = judged_none = False
    seen = False
    for verdict in verdicts:
        seen = True
        if verdict is Verdict.SUSPECTED:
            return Verdict.SUSPECTED
        if verdict is Verdict.DONE:
            done = True
        elif verdict is Verdict.INSUFFICIENT:
            judged_none = True
    if done:
        return Verdict.DONE
    if judged_none or not seen:
        return Verdict.INSUFFICIENT
    return Verdict.NOT_REQUIRED


@dataclass(frozen=True)
class TaskVerdict:
    verdict: Verdict
    reason_zh: str
    signals: tuple[SignalResult, ...]
    days: tuple[tuple[dt.date, Verdict], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "verdict_zh": self.verdict.label_zh,
            "reason_zh": self.reason_zh,
            "signals": [signal.as_dict() for signal in self.signals],
            "days": [{"day": day.isoformat(), "verdict": verdict.value} for day, verdict in self.days],
        }


def verify_signal(
    signal: SignalInput,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    excluded: Iterable[dt.date],
    rules: VerificationRules,
) -> SignalResult:
    series = site_series({key: channel_hours(readings, signal.kind) for key, readings in signal.channels.items()})
    hours = alert_hours(starts_at, ends_at)
    base = baseline(series, starts_at.date(), excluded, rules)
    by_day: dict[dt.date, list[dt.datetime]] = {}
    for hour in hours:
        by_day.setdefault(hour.date(), []).append(hour)
    days = tuple(
        (day, compare(series, base, day_hours, signal.kind, signal.expected_drop, rules))
        for day, day_hours in sorted(by_day.items())
    )
    overall = compare(series, base, hours, signal.kind, signal.expected_drop, rules)
    return SignalResult(signal.key, signal.label_zh, signal.kind, signal.expected_drop, base, overall, days, series)


def verify_task(
    signals: Sequence[SignalInput],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    excluded: Iterable[dt.date],
    rules: VerificationRules,
) -> TaskVerdict:
    """The verdict of one alert task over the alert window, with one result per signal and one verdict per day."""
    skip = frozenset(excluded)
    return task_result(tuple(verify_signal(signal, starts_at, ends_at, skip, rules) for signal in signals))


def task_result(results: Sequence[SignalResult]) -> TaskVerdict:
    """One task's verdict from its signals' results: combined overall and per alert day, with the reasons."""
    verdict = combine(result.overall.verdict for result in results)
    per_day: dict[dt.date, list[Verdict]] = {}
    for result in results:
        for day, comparison in result.days:
            per_day.setdefault(day, []).append(comparison.verdict)
    days = tuple((day, combine(per_day[day])) for day in sorted(per_day))
    if not results:
        reason = "未接入该企业的在线监测或用电数据"
    else:
        reason = "；".join(f"{result.label_zh}：{result.overall.reason_zh}" for result in results)
    return TaskVerdict(verdict, reason, tuple(results), days)


POLLUTANT_KEYS = ("SO2", "NOx", "PM", "VOCs")


def expected_drops(plan: Mapping[str, Any], rules: VerificationRules) -> dict[str, float | None]:
    """The drop each signal should show, from the task's plan (REQ G-5): per pollutant its reduction over its base;
    for electricity the share of the plan's whole cut (all pollutants) that shows in consumption."""
    base = plan.get("base_t_per_day") or {}
    cut = plan.get("reduction_t_per_day") or {}
    drops: dict[str, float | None] = {}
    for key in POLLUTANT_KEYS:
        pollutant_base = float(base.get(key) or 0.0)
        drops[key] = float(cut.get(key) or 0.0) / pollutant_base if pollutant_base > 0 else None
    total_base = math.fsum(float(base.get(key) or 0.0) for key in POLLUTANT_KEYS)
    total_cut = math.fsum(float(cut.get(key) or 0.0) for key in POLLUTANT_KEYS)
    drops["electricity"] = total_cut / total_base * rules.electricity_factor if total_base > 0 else None
    return drops


def evidence_series(result: SignalResult, start: dt.datetime, end: dt.datetime) -> dict[str, list[Any]]:
    """The chart of one signal from `start` to `end`: observed values and the baseline band at the same hours of day."""
    hours: list[str] = []
    observed: list[float | None] = []
    mean: list[float | None] = []
    low: list[float | None] = []
    high: list[float | None] = []
    hour = hour_of(start)
    while hour < end:
        hours.append(hour.strftime("%m-%d %H:00"))
        observed.append(_round(result.series.get(hour), 3))
        mean.append(_round(result.baseline.profile[hour.hour], 3))
        low.append(_round(result.baseline.low[hour.hour], 3))
        high.append(_round(result.baseline.high[hour.hour], 3))
        hour += HOUR
    return {"hours": hours, "observed": observed, "baseline": mean, "low": low, "high": high}


# ------------------------------------------------------------------------------------------------ the batch path


@dataclass(frozen=True)
class SignalBlock:
    """Many signals of many tasks as one array, for verdicts over a whole alert at once (the batch path).

    `values[i, d, h]` is signal i's value at hour h of day `first_day + d` (local time): the site's hourly sum over its
    channels, NaN where the hour is not valid (no data, a flagged or incomplete interval, or one channel silent) —
    what `site_series` gives as None or leaves out. `excluded[i]` are the days that may not be baseline days for
    signal i (earlier alerts over its region, holidays). The results are those of `verify_signal` on the same data.
    """

    keys: Sequence[str]
    labels: Sequence[str]
    kinds: Sequence[SignalKind]
    expected: Sequence[float | None]
    excluded: Sequence[frozenset[dt.date]]
    first_day: dt.date
    values: np.ndarray


@dataclass(frozen=True)
class BlockResult:
    """The batch path's results, one per signal of the block, and the baseline bands the evidence charts need (the
    results' `baseline.profile/low/high` are left empty on this path: these arrays hold them)."""

    results: tuple[SignalResult, ...]
    profile: np.ndarray  # (signals, 24) mean over the baseline days, NaN where none
    low: np.ndarray
    high: np.ndarray


def _chosen_days(valid_days: np.ndarray, block: SignalBlock, first_alert_day: dt.date, rules: VerificationRules) -> Any:
    """`baseline`'s day choice for every signal at once: eligible days (coverage, not excluded) from the most recent
    back, at most `weekday_cap` per weekday and `baseline_max_days` in all. Returns a (signals, days) mask."""
    signals, days = valid_days.shape
    alert_index = (first_alert_day - block.first_day).days
    columns = [alert_index - back for back in range(1, rules.lookback_days + 1) if 0 <= alert_index - back < days]
    if not columns:
        return np.zeros((signals, days), dtype=bool)
    eligible = valid_days[:, columns] >= rules.min_coverage * HOURS_PER_DAY
    groups: dict[int, tuple[frozenset[dt.date], list[int]]] = {}
    for index, skip in enumerate(block.excluded):
        groups.setdefault(id(skip), (skip, []))[1].append(index)
    for skip, rows in groups.values():
        if skip:
            out = [n for n, column in enumerate(columns) if block.first_day + dt.timedelta(days=column) in skip]
            if out:
                eligible[np.ix_(rows, out)] = False
    cap = weekday_cap(rules)
    passing = np.zeros_like(eligible)
    weekdays = np.array([(block.first_day + dt.timedelta(days=column)).weekday() for column in columns])
    for weekday in range(DAYS_PER_WEEK):
        same = np.flatnonzero(weekdays == weekday)
        if same.size:
            part = eligible[:, same]
            passing[:, same] = part & (np.cumsum(part, axis=1) <= cap)
    chosen_recent = passing & (np.cumsum(passing, axis=1) <= rules.baseline_max_days)
    chosen = np.zeros((signals, days), dtype=bool)
    chosen[:, columns] = chosen_recent
    return chosen


def verify_block(
    block: SignalBlock, starts_at: dt.datetime, ends_at: dt.datetime, rules: VerificationRules
) -> BlockResult:
    """`verify_signal` for every signal of the block, vectorised over signals (NumPy): the same baseline days, bands,
    observed and baseline levels, and the verdicts through the same `judge`."""
    values = block.values
    signals, days, _ = values.shape
    valid = ~np.isnan(values)
    chosen = _chosen_days(valid.sum(axis=2), block, starts_at.date(), rules)
    in_base = chosen[:, :, None] & valid
    counted = in_base.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = np.where(in_base, values, 0.0).sum(axis=1) / counted
        low = np.where(in_base, values, np.inf).min(axis=1)
        high = np.where(in_base, values, -np.inf).max(axis=1)
    low[counted == 0] = np.nan
    high[counted == 0] = np.nan
    found = chosen.sum(axis=1)

    origin = dt.datetime.combine(block.first_day, dt.time())
    hours = alert_hours(starts_at, ends_at)
    index = np.array([(hour - origin) // HOUR for hour in hours], dtype=np.int64)
    if index.size and (index.min() < 0 or index.max() >= days * HOURS_PER_DAY):
        raise ValueError("the block does not cover the alert window")
    flat = values.reshape(signals, days * HOURS_PER_DAY)
    observed = flat[:, index] if index.size else np.zeros((signals, 0))
    base = profile[:, [hour.hour for hour in hours]] if hours else np.zeros((signals, 0))
    ok = ~np.isnan(observed) & ~np.isnan(base)
    observed_sum = np.where(ok, observed, 0.0)
    base_sum = np.where(ok, base, 0.0)
    spans: list[tuple[dt.date | None, np.ndarray]] = [(None, np.arange(len(hours)))]
    for day in sorted({hour.date() for hour in hours}):
        spans.append((day, np.array([n for n, hour in enumerate(hours) if hour.date() == day], dtype=np.int64)))
    alert_days = [day for day, _ in spans[1:] if day is not None]
    figures = []
    for _, span in spans:
        n = ok[:, span].sum(axis=1)
        figures.append(
            (len(span), n.tolist(), observed_sum[:, span].sum(axis=1).tolist(), base_sum[:, span].sum(axis=1).tolist())
        )

    results = []
    found_list = found.tolist()
    # Per signal, from whole-block arrays: the mean of its known hourly baseline, and its baseline days (one
    # nonzero over the block rather than one per signal).
    known_hours = ~np.isnan(profile)
    with np.errstate(invalid="ignore", divide="ignore"):
        levels = np.where(known_hours, profile, 0.0).sum(axis=1) / known_hours.sum(axis=1)
    level_list = [None if np.isnan(level) else float(level) for level in levels.tolist()]
    day_dates = [block.first_day + dt.timedelta(days=d) for d in range(days)]
    chosen_days: list[list[dt.date]] = [[] for _ in range(signals)]
    for signal, day in zip(*np.nonzero(chosen), strict=True):
        chosen_days[signal].append(day_dates[day])
    for i in range(signals):
        kind, expected = block.kinds[i], block.expected[i]
        comparisons = []
        for hours_n, n, osum, lsum in figures:
            count = n[i]
            comparisons.append(
                judge(
                    hours_n,
                    count,
                    osum[i] / count if count else None,
                    lsum[i] / count if count else None,
                    found_list[i],
                    kind,
                    expected,
                    rules,
                )
            )
        # The band per hour of day stays in the BlockResult's arrays (block_evidence reads them there).
        base_result = Baseline(days=tuple(chosen_days[i]), profile=(), low=(), high=(), level=level_list[i])
        results.append(
            SignalResult(
                block.keys[i],
                block.labels[i],
                kind,
                expected,
                base_result,
                comparisons[0],
                tuple(zip(alert_days, comparisons[1:], strict=True)),
                {},
            )
        )
    return BlockResult(tuple(results), profile, low, high)


@dataclass(frozen=True)
class EvidenceFrame:
    """The hours of an evidence chart on a block's timeline, computed once for every signal of the block."""

    labels: list[str]
    index: np.ndarray  # position in the block's flattened hours, -1 outside it
    hour_of_day: np.ndarray


def evidence_frame(block: SignalBlock, start: dt.datetime, end: dt.datetime) -> EvidenceFrame:
    origin = dt.datetime.combine(block.first_day, dt.time())
    size = block.values.shape[1] * HOURS_PER_DAY
    labels, index, hour_of_day = [], [], []
    hour = hour_of(start)
    while hour < end:
        at = (hour - origin) // HOUR
        labels.append(hour.strftime("%m-%d %H:00"))
        index.append(at if 0 <= at < size else -1)
        hour_of_day.append(hour.hour)
        hour += HOUR
    return EvidenceFrame(labels, np.array(index, dtype=np.int64), np.array(hour_of_day, dtype=np.int64))


def _chart(values: np.ndarray) -> list[float | None]:
    return [None if value != value else value for value in np.round(values, 3).tolist()]


def block_evidence(
    block: SignalBlock,
    outcome: BlockResult,
    index: int,
    start: dt.datetime,
    end: dt.datetime,
    frame: EvidenceFrame | None = None,
) -> dict[str, list[Any]]:
    """`evidence_series` for signal `index` of a block (its `series` is not built on the batch path): observed values
    and the baseline band at the same hours of day, NumPy-rounded; `frame` may be shared by the block's signals."""
    frame = frame or evidence_frame(block, start, end)
    row = block.values[index].reshape(-1)
    observed = np.where(frame.index >= 0, row[np.maximum(frame.index, 0)], np.nan)
    return {
        "hours": list(frame.labels),
        "observed": _chart(observed),
        "baseline": _chart(outcome.profile[index][frame.hour_of_day]),
        "low": _chart(outcome.low[index][frame.hour_of_day]),
        "high": _chart(outcome.high[index][frame.hour_of_day]),
    }
