"""Cross-checks of online monitoring and electricity outside alerts (issue 12 item 4; REQ H23-6, H21-6, LC-12).

Pure arithmetic, no I/O. Three checks over one calendar month, each giving findings for the county to confirm or
dismiss — never a punishment by itself:

- exceedance: hours a monitored concentration lies above the limit the rule book sets for the enterprise's industry
  and grade; a finding when there are MORE than `exceedance_hours` of them in the month. Hours without a valid
  concentration never count (missing data is never an exceedance).
- silence: consecutive hours an outlet's monitor gives nothing valid (no row, 数据缺失, 维护, or 停运 outside a
  declared stop); a finding when a run is LONGER than `silence_hours`. Only hours between the monitor's first reading
  and the site's latest reading are judged (data not yet delivered is not silence). An electricity meter is judged
  the same way against `meter_silence_hours`; its hour is valid when its intervals cover it (`meter_states`).
- idle line: consecutive valid hours a meter linked to a line the registry declared running at that hour (its status
  history, `declared_hours`) stays below the no-production floor; a finding when a run is LONGER than `idle_hours`.
  A missing or invalid hour ends a run (it never counts as idle), and so does an hour the line was not declared
  running or an hour inside a declared stop (an alert's ordered stop).

Every number is rule data (`RuleBook.cross_checks`, `RuleBook.alert_verification` for the floor), handed in as
`CrossCheckRules`. docs/verification.md explains the method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from airgrade.core.rules.rulebook import IndustryRules
from airgrade.core.rules.schema import AlertVerificationEntry, CrossCheckEntry
from airgrade.core.types import Grade
from airgrade.core.verification import MINUTES_PER_HOUR, Reading, ReadingStatus, hour_of

HOUR = dt.timedelta(hours=1)

# The rule book's emission-limit facts per monitored pollutant (indicators of aspect emission_limits).
LIMIT_FACTS = {
    "SO2": "so2_concentration",
    "NOx": "nox_concentration",
    "PM": "pm_concentration",
    "VOCs": "vocs_concentration",
}


@dataclass(frozen=True)
class CrossCheckRules:
    exceedance_hours: int
    silence_hours: int
    meter_silence_hours: int
    idle_hours: int
    idle_floor_kwh: float

    @classmethod
    def from_entries(cls, checks: CrossCheckEntry, verification: AlertVerificationEntry) -> CrossCheckRules:
        return cls(
            exceedance_hours=checks.exceedance_hours.hours,
            silence_hours=checks.silence_hours.hours,
            meter_silence_hours=checks.meter_silence_hours.hours,
            idle_hours=checks.idle_hours.hours,
            idle_floor_kwh=verification.min_baseline_kwh.kwh_per_hour,
        )


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first hour and the first hour of the next month (local wall-clock times)."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return dt.datetime.combine(first, dt.time()), dt.datetime.combine(following, dt.time())


def hours_between(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    hours = []
    hour = start
    while hour < end:
        hours.append(hour)
        hour += HOUR
    return hours


def declared_hours(
    changes: Sequence[tuple[dt.datetime, str]], status: str, start: dt.datetime, end: dt.datetime
) -> set[dt.datetime]:
    """The hours of [start, end) during the whole of which a line's declared status was `status`. `changes` are the
    line's (since, status) records in time order; before the first one its status holds (the registry keeps no older
    record). An hour in which the status changed belongs to neither side, so a check never judges a part-hour."""
    merged: list[tuple[dt.datetime, str]] = []
    for since, state in changes:
        if not merged or merged[-1][1] != state:
            merged.append((since, state))
    found: set[dt.datetime] = set()
    for index, (since, state) in enumerate(merged):
        if state != status:
            continue
        first = start
        if index > 0:
            first = max(start, since if since == since.replace(minute=0, second=0, microsecond=0) else
                        since.replace(minute=0, second=0, microsecond=0) + HOUR)  # fmt: skip
        last = end
        if index + 1 < len(merged):
            last = min(end, merged[index + 1][0].replace(minute=0, second=0, microsecond=0))
        found.update(hours_between(first, last))
    return found


@dataclass(frozen=True)
class Limit:
    """The limit of one pollutant for one industry and grade, with its indicator and source; or why there is none."""

    pollutant: str
    industry_code: str
    grade: str
    value: float | None
    unit: str
    indicator_id: str = ""
    indicator_zh: str = ""
    provisional: bool = False
    missing_zh: str = ""  # why the rule book gives no limit


def limit_for(rules: IndustryRules, grade: Grade, pollutant: str) -> Limit:
    """The limit the rule book sets for `pollutant` at `grade` in `rules`' industry, never invented: when no
    emission-limit indicator of the industry names the pollutant, or the grade is not among its gated grades, the
    answer says so (`value` None, `missing_zh` the reason)."""
    fact = LIMIT_FACTS.get(pollutant)
    code = rules.industry.code
    indicators = [indicator for indicator in rules.indicators if fact and indicator.fact == fact]
    if not indicators:
        return Limit(pollutant, code, grade.value, None, "", missing_zh="规则库未设该行业此污染物的排放限值")
    if len(indicators) > 1:
        return Limit(
            pollutant,
            code,
            grade.value,
            None,
            "",
            missing_zh="规则库中该行业此污染物有多项限值（按工序区分），需人工对应排放口",
        )
    indicator = indicators[0]
    requirement = indicator.requirements.get(grade) if grade in indicator.gates else None
    unit = rules.unit_symbols.get(indicator.unit or "", indicator.unit or "")
    if requirement is None or not isinstance(requirement.value, int | float) or isinstance(requirement.value, bool):
        return Limit(
            pollutant,
            code,
            grade.value,
            None,
            unit,
            indicator.id,
            indicator.label_zh,
            missing_zh=f"规则库未设 {grade.value} 级的此项限值",
        )
    return Limit(
        pollutant,
        code,
        grade.value,
        float(requirement.value),
        unit,
        indicator.id,
        indicator.label_zh,
        provisional=requirement.provisional,
    )


@dataclass(frozen=True)
class Exceedance:
    hours: tuple[dt.datetime, ...]  # hours above the limit
    valid_hours: int  # hours with a valid concentration
    peak: float | None

    def finding(self, rules: CrossCheckRules) -> bool:
        return len(self.hours) > rules.exceedance_hours


def exceedances(concentrations: Mapping[dt.datetime, float | None], limit: float) -> Exceedance:
    """Hours whose valid concentration lies above `limit` (equal is within it); None = no valid value, never counted."""
    valid = {hour: value for hour, value in concentrations.items() if value is not None}
    above = tuple(sorted(hour for hour, value in valid.items() if value > limit))
    return Exceedance(above, len(valid), max(valid.values()) if valid else None)


@dataclass(frozen=True)
class Run:
    start: dt.datetime
    end: dt.datetime  # exclusive

    @property
    def hours(self) -> int:
        return int((self.end - self.start) / HOUR)


def runs(hours: Iterable[dt.datetime], flagged: Iterable[dt.datetime]) -> list[Run]:
    """Consecutive runs of flagged hours among `hours` (hour starts); an unflagged or skipped hour ends a run."""
    marks = set(flagged)
    found: list[Run] = []
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    for hour in sorted(hours):
        if hour in marks and start is not None and hour == end:
            end = hour + HOUR
            continue
        if start is not None and end is not None:
            found.append(Run(start, end))
            start = end = None
        if hour in marks:
            start, end = hour, hour + HOUR
    if start is not None and end is not None:
        found.append(Run(start, end))
    return found


SILENT = "silent"
VALID = "valid"
STOPPED = "stopped"  # 停运 flag


def silent_hours(
    judged: Sequence[dt.datetime], states: Mapping[dt.datetime, str], declared_stops: Iterable[dt.datetime]
) -> list[dt.datetime]:
    """The judged hours with nothing valid: no state (no row), a silent state, or 停运 outside a declared stop."""
    stops = set(declared_stops)
    silent = []
    for hour in judged:
        state = states.get(hour, SILENT)
        if state == SILENT or (state == STOPPED and hour not in stops):
            silent.append(hour)
    return silent


def meter_states(readings: Iterable[Reading]) -> dict[dt.datetime, str]:
    """A meter's hours as silence states: valid when its intervals cover the hour with valid use (the rule of
    `core.verification.channel_hours`), stopped when every interval of it is flagged 停运, silent when an interval is
    missing, flagged 数据缺失 or 维护, or 正常 without a value."""
    covered: dict[dt.datetime, int] = {}
    bad: set[dt.datetime] = set()
    running: set[dt.datetime] = set()
    for reading in readings:
        hour = hour_of(reading.at)
        covered.setdefault(hour, 0)
        if not reading.status.valid or (reading.status is ReadingStatus.NORMAL and reading.value is None):
            bad.add(hour)
            continue
        covered[hour] += reading.minutes
        if reading.status is not ReadingStatus.STOPPED:
            running.add(hour)
    return {
        hour: SILENT if hour in bad or minutes < MINUTES_PER_HOUR else VALID if hour in running else STOPPED
        for hour, minutes in covered.items()
    }


def long_runs(runs_found: Iterable[Run], more_than: int) -> list[Run]:
    return [run for run in runs_found if run.hours > more_than]


def idle_hours(
    energy: Mapping[dt.datetime, float | None], floor: float, declared_stops: Iterable[dt.datetime]
) -> list[dt.datetime]:
    """Valid hours below the no-production floor outside declared stops; a missing hour (None or absent) is never
    idle, so it ends a run."""
    stops = set(declared_stops)
    return sorted(hour for hour, value in energy.items() if value is not None and value < floor and hour not in stops)
