"""Cross-checks outside alerts and gate-ledger findings in the county's case queue (issue 12 items 2 and 4; REQ H23-6,
H21-6, LC-12, SJZ-5).

`run_month` reads a month of online monitoring and electricity for the sites of a region and records one `Finding`
per thing found — concentrations above the grade's limit in the rule book for more than N hours, a monitor or an
electricity meter silent for more than M consecutive hours, a meter of a line declared running without production for more than K hours — and
the gate ledger's problems (altered records, sequence gaps) and alert-day vehicle violations read through the gates
app's services. A finding's `key` names what was found: a re-run updates it, never duplicates it; a finding that no
longer holds is withdrawn while the county has not decided it. The county confirms (→ the grade registry's downgrade
and rectification paths, one finding → one case; a site already downgraded for the same reason and cause is not
downgraded twice) or dismisses, always with a reason. The arithmetic is `airgrade.core.crosscheck`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from airgrade.core import crosscheck as core
from airgrade.core.access import Target, decide
from airgrade.core.regions import contains
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.types import Grade
from airgrade.core.verification import hour_of
from airgrade.platform.audit import services as audit
from airgrade.platform.emergency.models import AlertEvent, AlertTask
from airgrade.platform.enterprises.models import ProductionLine, Site
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.gates import services as gates
from airgrade.platform.gates.models import GateDevice, LedgerFinding
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import Downgrade
from airgrade.platform.permissions import actor_of, permissions_for, require_found, require_role, scoped, within
from airgrade.platform.regions.models import Region
from airgrade.platform.verification import monthly
from airgrade.platform.verification.models import CrossCheckRun, Finding, MonitoringPoint
from airgrade.platform.verification.services import (
    POLLUTANT_LABELS,
    aware,
    earlier_downgrades,
    event_window,
    local,
    lower_grade,
    rules,
)

MISSING_FINDING = "核查发现不存在或不在您的管辖范围内"
MISSING_REGION = "区划不存在或不在您的管辖范围内"
LEDGER = "ledger"  # the gates app's LedgerFinding, counted beside this app's kinds
LEDGER_LABEL = "门禁台账被篡改或序号缺失"
MONTHLY_KINDS = (Finding.Kind.EXCEEDANCE, Finding.Kind.SILENCE, Finding.Kind.IDLE_LINE)
# The grade registry's downgrade reason a confirmed finding of each kind carries (REQ H21-6, LC-12, SJZ-5).
DOWNGRADE_REASONS = {
    Finding.Kind.EXCEEDANCE: Downgrade.Reason.EXCESS_EMISSION,
    Finding.Kind.SILENCE: Downgrade.Reason.FACILITY_NOT_RUNNING,
    Finding.Kind.IDLE_LINE: Downgrade.Reason.FALSE_MATERIAL,
    Finding.Kind.GATE_ALERT: Downgrade.Reason.ALERT_NOT_EXECUTED,
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def cross_rules(on: dt.date) -> core.CrossCheckRules:
    book = default_rulebook()
    return core.CrossCheckRules.from_entries(book.cross_checks(on), book.alert_verification(on))


def previous_month(today: dt.date | None = None) -> dt.date:
    first = (today or timezone.localdate()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def parse_month(text: str) -> dt.date:
    """'YYYY-MM' → the month's first day; anything else is refused naming the field."""
    match = _MONTH.match(str(text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        raise ServiceError(f"月份须写作 YYYY-MM（如 2026-11）：{str(text)[:20]}", field="month")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


# ------------------------------------------------------------------------------------------------ drafts


@dataclass
class Draft:
    key: str
    kind: str
    site: Site
    summary: str
    details: dict[str, Any]
    evidence: dict[str, Any] = field(default_factory=dict)
    month: dt.date | None = None
    point: MonitoringPoint | None = None
    event: AlertEvent | None = None


@dataclass
class RunReport:
    month: dt.date
    region_code: str
    counts: dict[str, int] = field(default_factory=dict)  # open findings per kind after the run
    opened: int = 0
    updated: int = 0
    withdrawn: int = 0
    no_limits: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.strftime("%Y-%m"),
            "region": self.region_code,
            "counts": self.counts,
            "opened": self.opened,
            "updated": self.updated,
            "withdrawn": self.withdrawn,
            "no_limits": self.no_limits,
            "notes": self.notes,
        }


def _hour_label(hour: dt.datetime) -> str:
    return hour.strftime("%m-%d %H:00")


def _runs_text(runs: Iterable[core.Run]) -> list[dict[str, Any]]:
    return [
        {"start": run.start.isoformat(" ", "minutes"), "end": run.end.isoformat(" ", "minutes"), "hours": run.hours}
        for run in runs
    ]


LineChanges = dict[int, list[tuple[dt.datetime, str]]]  # line → its (since, status) records, local time, in order


def line_changes(site_ids: Iterable[int]) -> tuple[LineChanges, dict[int, list[int]]]:
    """The status history of every line of the sites (one query), and each site's lines. A line without a record
    (loaded outside the registry's services) is taken at its current status throughout."""
    changes: LineChanges = {}
    lines_of: dict[int, list[int]] = defaultdict(list)
    rows = (
        ProductionLine.objects.filter(site_id__in=sorted(set(site_ids)))
        .order_by("pk", "status_history__since", "status_history__pk")
        .values_list("pk", "site_id", "status", "status_history__since", "status_history__status")
    )
    for line_id, site_id, status, since, recorded in rows:
        if line_id not in changes:
            lines_of[site_id].append(line_id)
            changes[line_id] = []
        changes[line_id].append((dt.datetime.min, status) if since is None else (local(since), recorded))
    return changes, lines_of


def _declared_stops(
    site: Site,
    start: dt.datetime,
    end: dt.datetime,
    events: list[AlertEvent],
    lines: tuple[LineChanges, dict[int, list[int]]] | None = None,
) -> set[dt.datetime]:
    """Hours the site was told or declared to stop: alert windows over its region (ordered stops), and the hours in
    which the registry declared none of its lines running (their status history)."""
    changes, lines_of = lines if lines is not None else line_changes([site.pk])
    hours: set[dt.datetime] = set()
    site_lines = lines_of.get(site.pk, [])
    if site_lines:
        running: set[dt.datetime] = set()
        for line_id in site_lines:
            running |= core.declared_hours(changes[line_id], ProductionLine.Status.RUNNING.value, start, end)
        hours = set(core.hours_between(start, end)) - running
    for event in events:
        if not any(contains(code, site.region_id) for code in event.region_codes):
            continue
        first, last = event_window(event)
        hours.update(core.hours_between(max(hour_of(first), start), min(last, end)))
    return hours


def _month_events(start: dt.datetime, end: dt.datetime) -> list[AlertEvent]:
    return list(AlertEvent.objects.filter(starts_at__lt=aware(end)).exclude(status="cancelled"))


def _site_grades(site_ids: list[int], days: Iterable[dt.date]) -> dict[int, dict[str, list[tuple[Grade, dt.date]]]]:
    """Per site and industry, the grades in force on each of `days` (with the day)."""
    found: dict[int, dict[str, list[tuple[Grade, dt.date]]]] = defaultdict(lambda: defaultdict(list))
    for day in sorted(set(days)):
        for (site_id, industry_code), grade in grades.grades_on(site_ids, day).items():
            if grade not in [g for g, _ in found[site_id][industry_code]]:
                found[site_id][industry_code].append((grade, day))
    return found


def site_limits(site: Site, *days: dt.date) -> dict[str, float]:
    """The strictest limit per monitored pollutant over the grades the site's industries hold on `days` (only limits
    the rule book sets; a pollutant without one is absent)."""
    book = default_rulebook()
    found: dict[str, float] = {}
    for day in days:
        for (_, industry_code), grade in grades.grades_on([site.pk], day).items():
            try:
                industry_rules = book.rules_for(industry_code, day, site.region_id)
            except RuleLookupError:
                continue
            for pollutant in core.LIMIT_FACTS:
                value = core.limit_for(industry_rules, grade, pollutant).value
                if value is not None:
                    found[pollutant] = min(value, found.get(pollutant, value))
    return found


def _exceedances(
    points: dict[int, MonitoringPoint],
    start: dt.datetime,
    end: dt.datetime,
    month: dt.date,
    checks: core.CrossCheckRules,
    report: RunReport,
) -> list[Draft]:
    """(a) Hours above the grade's limit per outlet monitor and pollutant, against each graded industry of the site.
    The limits come first (rule data per site, industry and pollutant); the database then counts each channel's hours
    above them (`monthly.concentration_summary`, one aggregate per chunk); only channels above for more than N hours
    are read hour by hour for their chart."""
    outlets = {pk: point for pk, point in points.items() if point.kind == MonitoringPoint.Kind.OUTLET}
    if not outlets:
        return []
    last_day = (end - dt.timedelta(seconds=1)).date()
    today = timezone.localdate()
    # The grades the site held during the month (its first and last day) and holds now: it declared to meet their
    # limits, so the strictest of them is the standard (a grade granted after the month, or one lost since, counts).
    site_grades = _site_grades(sorted({point.site_id for point in outlets.values()}), (start.date(), last_day, today))
    book = default_rulebook()
    chosen: dict[tuple[int, str, str, str], tuple[core.Limit, dt.date]] = {}

    def limit_of(point: MonitoringPoint, industry_code: str, pollutant: str) -> tuple[core.Limit, dt.date]:
        key = (point.site_id, point.region_id, industry_code, pollutant)
        if key not in chosen:
            limits: list[tuple[core.Limit, dt.date]] = []
            for grade, day in site_grades[point.site_id][industry_code]:
                try:
                    industry_rules = book.rules_for(industry_code, day, point.region_id)
                except RuleLookupError as exc:
                    limits.append(
                        (core.Limit(pollutant, industry_code, grade.value, None, "", missing_zh=str(exc)), day)
                    )
                else:
                    limits.append((core.limit_for(industry_rules, grade, pollutant), day))
            known = [(limit, day) for limit, day in limits if limit.value is not None]
            chosen[key] = min(known, key=lambda item: item[0].value or 0.0) if known else limits[-1]
        return chosen[key]

    thresholds = {
        limit.value
        for point in outlets.values()
        for industry_code in site_grades.get(point.site_id, {})
        for pollutant in core.LIMIT_FACTS
        for limit, _ in [limit_of(point, industry_code, pollutant)]
        if limit.value is not None
    }
    summaries = monthly.concentration_summary(list(outlets), start, end, thresholds)
    flagged: list[tuple[MonitoringPoint, str, str, core.Limit, dt.date]] = []
    reported: set[tuple[int, str, str]] = set()
    for point_id, pollutant in sorted(summaries):
        point = outlets[point_id]
        if pollutant not in core.LIMIT_FACTS:
            continue
        for industry_code, held in site_grades.get(point.site_id, {}).items():
            limit, grade_day = limit_of(point, industry_code, pollutant)
            if limit.value is None:
                if (point.site_id, industry_code, pollutant) not in reported:
                    reported.add((point.site_id, industry_code, pollutant))
                    report.no_limits.append(
                        {
                            "site_id": point.site_id,
                            "enterprise": point.enterprise.name,
                            "industry": book.industry(industry_code).name_zh
                            if book.industry_or_none(industry_code)
                            else industry_code,
                            "grade": "、".join(g.value for g, _ in held),
                            "pollutant": POLLUTANT_LABELS.get(pollutant, pollutant),
                            "reason": limit.missing_zh,
                        }
                    )
                continue
            if summaries[(point_id, pollutant)].above.get(limit.value, 0) > checks.exceedance_hours:
                flagged.append((point, pollutant, industry_code, limit, grade_day))
    series = monthly.concentration_hours([(point.pk, pollutant) for point, pollutant, *_ in flagged], start, end)
    hours = core.hours_between(start, end)
    drafts: list[Draft] = []
    for point, pollutant, industry_code, limit, grade_day in flagged:
        assert limit.value is not None
        values = series[(point.pk, pollutant)]
        found = core.exceedances(values, limit.value)
        if not found.finding(checks):
            continue
        grade = Grade(limit.grade)
        label = POLLUTANT_LABELS.get(pollutant, pollutant)
        drafts.append(
            Draft(
                key=f"exceedance:{month:%Y-%m}:{point.pk}:{pollutant}:{industry_code}",
                kind=Finding.Kind.EXCEEDANCE,
                site=point.site,
                month=month,
                point=point,
                summary=(
                    f"排放口 {point.code} {label}折算浓度 {len(found.hours)} 小时高于{grade.value}级限值 "
                    f"{limit.value:g} {limit.unit}（允许不超过 {checks.exceedance_hours} 小时），最高 {found.peak:g} {limit.unit}"
                ),
                details={
                    "pollutant": pollutant,
                    "pollutant_zh": label,
                    "industry_code": industry_code,
                    "grade": grade.value,
                    "grade_on": grade_day.isoformat(),
                    "limit": limit.value,
                    "unit": limit.unit,
                    "indicator": limit.indicator_id,
                    "indicator_zh": limit.indicator_zh,
                    "limit_provisional": limit.provisional,
                    "hours_above": len(found.hours),
                    "valid_hours": found.valid_hours,
                    "allowed_hours": checks.exceedance_hours,
                    "peak": found.peak,
                    "first_hours": [h.isoformat(" ", "minutes") for h in found.hours[:24]],
                },
                evidence={
                    "type": "line",
                    "unit": limit.unit,
                    "label_zh": f"{label}折算浓度",
                    "hours": [_hour_label(h) for h in hours],
                    "values": [values.get(h) for h in hours],
                    "limit": limit.value,
                },
            )
        )
    return drafts


def _silences(
    points: dict[int, MonitoringPoint],
    start: dt.datetime,
    end: dt.datetime,
    month: dt.date,
    checks: core.CrossCheckRules,
    events: list[AlertEvent],
) -> list[Draft]:
    """(b) Outlet monitors silent for more than M consecutive hours, and electricity meters for more than their own
    M (`meter_silence_hours`), between the channel's first reading and the site's latest reading (data not yet
    delivered is not silence). A meter's hour counts as valid when its 15-minute or hourly intervals cover it."""
    outlet, meter = MonitoringPoint.Kind.OUTLET, MonitoringPoint.Kind.METER
    monitors = {pk: point for pk, point in points.items() if point.kind in (outlet, meter)}
    if not monitors:
        return []
    firsts = {channel: local(first) for channel, first in monthly.first_readings(list(monitors)).items()}
    site_ids = sorted({point.site_id for point in monitors.values()})
    latest = {site_id: local(last) for site_id, last in monthly.site_last_readings(site_ids).items()}
    channels_of: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    for (point_id, pollutant), first in sorted(firsts.items()):
        channels_of[point_id].append((pollutant, first))
    stops_by_site: dict[int, set[dt.datetime]] = {}
    lines = line_changes(site_ids)  # every site's lines in one query, not one per site
    judged_hours: dict[tuple[dt.datetime, dt.datetime], list[dt.datetime]] = {}  # most channels share their bounds
    found: dict[int, list[tuple[str, list[core.Run], dt.datetime, dt.datetime]]] = defaultdict(list)
    charted: monthly.ChannelValues = {}  # the silent channels' valid hours, for their findings' charts
    # Set-based and a chunk of points at a time (a province's month of hour states at once took GiBs): outlets one
    # aggregate per chunk; meters from their hourly energy (a meter's hour is valid when its intervals cover it,
    # which the outlets' per-row states do not express) and the hours they ran.
    for chunk, states, values in monthly.hour_states_by_chunk(
        [pk for pk, point in monitors.items() if point.kind == outlet],
        [pk for pk, point in monitors.items() if point.kind == meter],
        start,
        end,
    ):
        for point_id in chunk:
            point = monitors[point_id]
            site_last = latest.get(point.site_id)
            if site_last is None:
                continue
            for pollutant, first in channels_of.get(point_id, ()):
                judged_from = max(start, hour_of(first))
                judged_to = min(end, hour_of(site_last) + core.HOUR)
                if judged_from >= judged_to:
                    continue
                if (judged_from, judged_to) not in judged_hours:
                    judged_hours[(judged_from, judged_to)] = core.hours_between(judged_from, judged_to)
                judged = judged_hours[(judged_from, judged_to)]
                if point.site_id not in stops_by_site:
                    stops_by_site[point.site_id] = _declared_stops(point.site, start, end, events, lines)
                silent = core.silent_hours(judged, states.get((point_id, pollutant), {}), stops_by_site[point.site_id])
                allowed = checks.meter_silence_hours if point.kind == meter else checks.silence_hours
                long = core.long_runs(core.runs(judged, silent), allowed)
                if long:
                    found[point_id].append((pollutant, long, judged_from, judged_to))
                    charted[(point_id, pollutant)] = values.get((point_id, pollutant), {})
    # One finding per monitor or meter: its silent pollutants, the chart of the one silent longest.
    drafts: list[Draft] = []
    hours = core.hours_between(start, end)
    for point_id, channels in sorted(found.items()):
        point = monitors[point_id]
        pollutant, long, judged_from, judged_to = max(channels, key=lambda c: max(run.hours for run in c[1]))
        longest = max(run.hours for run in long)
        if point.kind == meter:
            allowed, unit, label = checks.meter_silence_hours, "kWh/h", "用电量"
            line = f"（生产线“{point.line.name}”）" if point.line is not None else ""
            summary = f"电表 {point.code}{line} 最长连续 {longest} 小时无有效用电数据（允许不超过 {allowed} 小时）"
            chart_label = label
        else:
            allowed, unit, label = checks.silence_hours, "kg/h", POLLUTANT_LABELS.get(pollutant, pollutant)
            labels = "、".join(POLLUTANT_LABELS.get(p, p) for p, *_ in channels)
            summary = f"排放口 {point.code} 在线监测（{labels}）最长连续 {longest} 小时无有效数据（允许不超过 {allowed} 小时）"
            chart_label = f"{label}排放速率"
        drafts.append(
            Draft(
                key=f"silence:{month:%Y-%m}:{point_id}",
                kind=Finding.Kind.SILENCE,
                site=point.site,
                month=month,
                point=point,
                summary=summary,
                details={
                    "point_kind": point.kind,
                    "point_code": point.code,
                    "pollutant": pollutant,
                    "pollutant_zh": label,
                    "pollutants": [p for p, *_ in channels],
                    "runs": _runs_text(long),
                    "longest_hours": longest,
                    "allowed_hours": allowed,
                    "judged_from": judged_from.isoformat(" ", "minutes"),
                    "judged_to": judged_to.isoformat(" ", "minutes"),
                },
                evidence={
                    "type": "line",
                    "unit": unit,
                    "label_zh": chart_label,
                    "hours": [_hour_label(h) for h in hours],
                    "values": [charted[(point_id, pollutant)].get(h) for h in hours],
                    "areas": [[_hour_label(run.start), _hour_label(run.end - core.HOUR)] for run in long],
                },
            )
        )
    return drafts


def _idle_lines(
    points: dict[int, MonitoringPoint],
    start: dt.datetime,
    end: dt.datetime,
    month: dt.date,
    checks: core.CrossCheckRules,
    events: list[AlertEvent],
) -> list[Draft]:
    """(c) Meters linked to a line, below the no-production floor for more than K consecutive valid hours in which
    the registry declared the line running (its status history: a line stopped mid-month is judged only before) and
    outside declared stops. Meters without a line link are not judged (listed on the meter register as 未关联生产线).
    The hourly energy comes set-based from `monthly.meter_hours` (the rollup on PostgreSQL)."""
    linked = {
        pk: point
        for pk, point in points.items()
        if point.kind == MonitoringPoint.Kind.METER and point.line_id is not None and point.line is not None
    }
    if not linked:
        return []
    lines = line_changes({point.site_id for point in linked.values()})
    changes = lines[0]
    running = {
        point.pk: core.declared_hours(
            changes.get(point.line_id or 0, [(dt.datetime.min, point.line.status if point.line else "")]),
            ProductionLine.Status.RUNNING.value,
            start,
            end,
        )
        for point in linked.values()
    }
    meters = {pk: point for pk, point in linked.items() if running[pk]}
    if not meters:
        return []
    hours = core.hours_between(start, end)
    series = monthly.meter_hours(list(meters), start, end)
    stops_by_site: dict[int, set[dt.datetime]] = {}
    drafts: list[Draft] = []
    for point_id, array in sorted(series.items()):
        point = meters[point_id]
        # An hour the line was not declared running is left out, so it ends an idle run like a missing hour.
        energy: dict[dt.datetime, float | None] = {
            hour: (None if np.isnan(value) else float(value))
            for hour, value in zip(hours, array.tolist(), strict=True)
            if hour in running[point_id]
        }
        if point.site_id not in stops_by_site:
            stops_by_site[point.site_id] = _declared_stops(point.site, start, end, events, lines)
        idle = core.idle_hours(energy, checks.idle_floor_kwh, stops_by_site[point.site_id])
        long = core.long_runs(core.runs(sorted(energy), idle), checks.idle_hours)
        if not long:
            continue
        line = point.line
        assert line is not None
        longest = max(run.hours for run in long)
        drafts.append(
            Draft(
                key=f"idle_line:{month:%Y-%m}:{point_id}:{line.pk}",
                kind=Finding.Kind.IDLE_LINE,
                site=point.site,
                month=month,
                point=point,
                summary=(
                    f"生产线“{line.name}”档案为运行，其电表 {point.code} 连续 {longest} 小时用电低于 "
                    f"{checks.idle_floor_kwh:g} kWh/h（无生产；允许不超过 {checks.idle_hours} 小时）"
                ),
                details={
                    "line_id": line.pk,
                    "line": line.name,
                    "line_status_zh": line.get_status_display(),
                    "floor_kwh": checks.idle_floor_kwh,
                    "runs": _runs_text(long),
                    "longest_hours": longest,
                    "allowed_hours": checks.idle_hours,
                },
                evidence={
                    "type": "line",
                    "unit": "kWh/h",
                    "label_zh": "用电量",
                    "hours": [_hour_label(h) for h in hours],
                    "values": [None if np.isnan(value) else round(float(value), 3) for value in array.tolist()],
                    "limit": checks.idle_floor_kwh,
                    "limit_label": "无生产用电下限",
                    "areas": [[_hour_label(run.start), _hour_label(run.end - core.HOUR)] for run in long],
                },
            )
        )
    return drafts


# ------------------------------------------------------------------------------------------------ gate ledger


def _gate_sites(region_code: str) -> list[Site]:
    """Sites in the region with a gate ledger (at least one gate device)."""
    site_ids = GateDevice.objects.filter(within(region_code, "site__region")).values_list("site_id", flat=True)
    return list(Site.objects.filter(pk__in=set(site_ids)).select_related("enterprise"))


def _verify_ledgers(user: Any, sites: list[Site], report: RunReport) -> None:
    """Verify each gated site's ledger through the gates app: problems no ledger finding of the site has named yet
    (open or decided) are recorded with `record_check`, which makes them the gates app's own finding (`LedgerFinding`,
    decided on the site's gate page → 篡改门禁/视频数据, REQ SJZ-5). A problem already found — and perhaps already
    punished — is never recorded again, so a monthly re-run opens no second case for it."""
    for site in sites:
        ledger = gates.verify(site)
        if ledger.ok:
            continue
        known = {
            problem.get("message")
            for finding in LedgerFinding.objects.filter(site=site).select_related("check_run")
            for problem in finding.check_run.problems
        }
        new = [problem for problem in ledger.problems if problem.message not in known]
        if new:
            gates.record_check(user, site.pk)
        report.notes.append(
            f"{site.enterprise.name} {site.name}：门禁台账核验发现 {len(ledger.problems)} 处问题（新 {len(new)} 处）"
        )


def ledger_findings(user: Any, status: str = "") -> QuerySet[LedgerFinding]:
    """The gates app's ledger findings in the caller's scope (read through `gates.services.findings_in`)."""
    require_role(user, "verification.view")
    try:
        return gates.findings_in(user, status or None)
    except AccessDenied:
        return LedgerFinding.objects.none()


def _gate_alert_findings(sites: list[Site], start: dt.datetime, end: dt.datetime, month: dt.date) -> list[Draft]:
    """Vehicle-rule violations during alerts that started in the month, per site, through `gates.services.alert_check`
    with the vehicle rule of the site's alert task."""
    drafts: list[Draft] = []
    site_ids = [site.pk for site in sites]
    tasks = (
        AlertTask.objects.filter(
            entry__site_id__in=site_ids, event__starts_at__gte=aware(start), event__starts_at__lt=aware(end)
        )
        .select_related("event", "entry__site__enterprise")
        .order_by("event_id", "pk")
    )
    for task in tasks:
        rule = (task.plan or {}).get("vehicle_rule")
        result = gates.alert_check(task.entry.site, task.event, rule)
        if result["rule_empty"] or not result["violations"]:
            continue
        violations = result["violations"]
        drafts.append(
            Draft(
                key=f"gate_alert:{task.event_id}:{task.entry.site_id}",
                kind=Finding.Kind.GATE_ALERT,
                site=task.entry.site,
                month=month,
                event=task.event,
                summary=f"{task.event.title}期间 {len(violations)} 车次不符合车辆管控要求的车辆进厂",
                details={
                    "event": task.event.title,
                    "violations": len(violations),
                    "records": [
                        {
                            "plate": p.plate,
                            "stage": p.stage,
                            "fuel": p.fuel,
                            "passed_at": local(p.passed_at).isoformat(" ", "minutes"),
                        }
                        for p in violations[:50]
                    ],
                },
                evidence={
                    "type": "bar",
                    "unit": "车次/日",
                    "label_zh": "重型货车进厂车次",
                    "hours": [d.strftime("%m-%d") for d, _ in [*result["baseline_days"], *result["alert_days"]]],
                    "values": [n for _, n in [*result["baseline_days"], *result["alert_days"]]],
                    "alert_from": len(result["baseline_days"]),
                },
            )
        )
    return drafts


# ------------------------------------------------------------------------------------------------ the run


def _region_for(user: Any, region_code: str | None) -> str:
    actor = require_role(user, "verification.run")
    code = (region_code or actor.region_code or "").strip()
    if not code or not Region.objects.filter(pk=code).exists():
        raise NotFound(MISSING_REGION)
    require_found(actor, "verification.run", Target(region_code=code), view="verification.view", missing=MISSING_REGION)
    return code


@transaction.atomic
def run_month(user: Any, month: dt.date, region_code: str | None = None, *, ledgers: bool = True) -> RunReport:
    """Every cross-check of `month` over the sites of the region (default: the caller's), and the gate ledger's
    findings there; idempotent (REQ H23-6)."""
    region = _region_for(user, region_code)
    start, end = core.month_bounds(month)
    now = hour_of(local(timezone.now()))
    if start >= now:
        raise ServiceError("该月份尚未开始，无数据可核查", field="month")
    end = min(end, now)
    checks = cross_rules(month)
    report = RunReport(month, region)
    points = {
        point.pk: point
        for point in MonitoringPoint.objects.filter(within(region)).select_related("site", "enterprise", "line")
    }
    events = _month_events(start, end)
    drafts = [
        *_exceedances(points, start, end, month, checks, report),
        *_silences(points, start, end, month, checks, events),
        *_idle_lines(points, start, end, month, checks, events),
    ]
    kinds = list(MONTHLY_KINDS)
    gate_sites: list[Site] = []
    if ledgers:
        gate_sites = _gate_sites(region)
        _verify_ledgers(user, gate_sites, report)
        drafts += _gate_alert_findings(gate_sites, start, end, month)
        kinds.append(Finding.Kind.GATE_ALERT)
    _store(user, drafts, report, month, region, kinds)
    open_findings = Finding.objects.filter(within(region), status=Finding.Status.OPEN)
    report.counts = {kind.value: 0 for kind in Finding.Kind}
    for kind in open_findings.values_list("kind", flat=True):
        report.counts[kind] += 1
    report.counts[LEDGER] = LedgerFinding.objects.filter(
        within(region, "site__region"), status=LedgerFinding.Status.OPEN
    ).count()
    CrossCheckRun.objects.update_or_create(
        month=month,
        region_id=region,
        defaults={
            "ran_at": timezone.now(),
            "ran_by": user,
            "result": report.as_dict(),
            "rules_version": str(default_rulebook().version),
        },
    )
    audit.record(
        actor=user,
        action="verification.crosscheck",
        object_type="verification.crosscheck",
        object_label=f"{month:%Y-%m} 交叉核查",
        region_code=region,
        after={"month": f"{month:%Y-%m}", "opened": report.opened, "withdrawn": report.withdrawn},
    )
    return report


def _store(
    user: Any,
    drafts: list[Draft],
    report: RunReport,
    month: dt.date,
    region: str,
    kinds: list[str],
) -> None:
    version = str(default_rulebook().version)
    now = timezone.now()
    seen: set[str] = set()
    existing = {finding.key: finding for finding in Finding.objects.filter(key__in=[d.key for d in drafts])}
    for draft in drafts:
        if draft.key in seen:
            continue
        seen.add(draft.key)
        finding = existing.get(draft.key)
        values = {
            "kind": draft.kind,
            "month": draft.month,
            "site": draft.site,
            "enterprise_id": draft.site.enterprise_id,
            "region_id": draft.site.region_id,
            "point": draft.point,
            "event": draft.event,
            "summary": draft.summary[:2000],
            "details": draft.details,
            "evidence": draft.evidence,
            "rules_version": version,
            "computed_at": now,
        }
        if finding is None:
            finding = Finding.objects.create(key=draft.key, **values)
            report.opened += 1
            audit.record(
                actor=user,
                action="verification.finding.open",
                obj=finding,
                object_label=f"{draft.site.enterprise.name} {finding.get_kind_display()}",
                region_code=finding.region_id,
                after={"kind": draft.kind, "summary": finding.summary[:500]},
            )
            continue
        for name, value in values.items():
            setattr(finding, name, value)
        if finding.status == Finding.Status.WITHDRAWN:
            finding.status = Finding.Status.OPEN
            report.opened += 1
            audit.record(
                actor=user,
                action="verification.finding.open",
                obj=finding,
                region_code=finding.region_id,
                before={"status": "withdrawn"},
                after={"status": "open", "summary": finding.summary[:500]},
            )
        else:
            report.updated += 1
        finding.save()
    stale = Finding.objects.filter(within(region), status=Finding.Status.OPEN, month=month, kind__in=kinds)
    for finding in stale.exclude(key__in=seen):
        finding.status = Finding.Status.WITHDRAWN
        finding.save(update_fields=["status"])
        report.withdrawn += 1
        audit.record(
            actor=user,
            action="verification.finding.withdraw",
            obj=finding,
            region_code=finding.region_id,
            before={"status": "open"},
            after={"status": "withdrawn"},
        )


# ------------------------------------------------------------------------------------------------ reading


def visible_findings(user: Any, *, status: str = "", kind: str = "", month: dt.date | None = None) -> QuerySet[Finding]:
    actor = require_role(user, "verification.view")
    findings = scoped(
        Finding.objects.select_related("enterprise", "region", "site", "point"), actor, enterprise_field="enterprise_id"
    )
    if status:
        findings = findings.filter(status=status)
    if kind:
        findings = findings.filter(kind=kind)
    if month:
        findings = findings.filter(month=month)
    return findings


def get_finding(user: Any, finding_id: int) -> Finding:
    finding = visible_findings(user).prefetch_related("downgrades").filter(pk=finding_id).first()
    if finding is None:
        raise NotFound(MISSING_FINDING)
    return finding


def latest_runs(user: Any) -> QuerySet[CrossCheckRun]:
    """The cross-check runs over the caller's region (staff only; an enterprise sees its findings, not the runs)."""
    actor = require_role(user, "verification.view")
    if not actor.region_code or "verification.run" not in permissions_for(actor):
        return CrossCheckRun.objects.none()
    return CrossCheckRun.objects.filter(within(actor.region_code)).select_related("region").order_by("-month")


def finding_work_items(user: Any) -> list[dict[str, Any]]:
    """Open findings for the county that decides them (home work queue)."""
    actor = actor_of(user)
    if "verification.case.decide" not in permissions_for(actor):
        return []
    items = []
    for finding in visible_findings(user, status=Finding.Status.OPEN)[:200]:
        target = Target(region_code=finding.region_id, enterprise_id=finding.enterprise_id)
        if decide(actor, "verification.case.decide", target):
            items.append(
                {
                    "kind": "verification_finding",
                    "id": finding.pk,
                    "declaration_id": None,
                    "title": f"交叉核查：{finding.enterprise.name}（{finding.get_kind_display()}）",
                    "url": reverse("verification:finding", args=[finding.pk]),
                    "due": None,
                    "overdue": False,
                }
            )
    for ledger in ledger_findings(user, "open")[:100]:
        target = Target(region_code=ledger.site.region_id, enterprise_id=ledger.site.enterprise_id)
        if decide(actor, "gates.finding.decide", target):
            items.append(
                {
                    "kind": "gate_ledger_finding",
                    "id": ledger.pk,
                    "declaration_id": None,
                    "title": f"门禁台账核验发现：{ledger.site.enterprise.name}（{ledger.site.name}）",
                    "url": reverse("gates:site", args=[ledger.site_id]),
                    "due": None,
                    "overdue": False,
                }
            )
    return items


# ------------------------------------------------------------------------------------------------ deciding


def _since(finding: Finding) -> dt.date:
    if finding.event_id is not None and finding.event is not None:
        return local(finding.event.starts_at).date()
    if finding.month is not None:
        return finding.month
    return local(finding.opened_at).date()


@transaction.atomic
def decide_finding(
    user: Any,
    finding_id: int,
    *,
    confirm: bool,
    reason: str,
    downgrade: bool = True,
    rectify_by: dt.date | None = None,
) -> Finding:
    """The county confirms a finding (→ a downgrade of every graded industry of the site through the grade registry
    with the kind's reason, unless the same cause was already downgraded; and a rectification order when a deadline
    is given; REQ H21-6, LC-12, H23-6, SJZ-5) or dismisses it; both need a reason."""
    require_role(user, "verification.case.decide")
    finding = Finding.objects.filter(pk=finding_id).first()
    if finding is None:
        raise NotFound(MISSING_FINDING)
    target = Target(region_code=finding.region_id, enterprise_id=finding.enterprise_id)
    require_found(user, "verification.case.decide", target, view="verification.view", missing=MISSING_FINDING)
    finding = (
        Finding.objects.select_for_update(no_key=True, of=("self",)).select_related("site", "event").get(pk=finding.pk)
    )
    if finding.status != Finding.Status.OPEN:
        raise ServiceError(f"该发现已{finding.get_status_display()}，不能再处理", field="status")
    reason = str(reason or "").strip()
    if not reason:
        raise ServiceError("须写明核实意见", field="reason")
    if rectify_by is not None and not confirm:
        raise ServiceError("不予认定时不能下达整改通知", field="rectify_by")
    site = finding.site
    reason_code = DOWNGRADE_REASONS[Finding.Kind(finding.kind)].value
    downgrades: list[Downgrade] = []
    linked: list[Downgrade] = []
    if confirm and downgrade:
        linked = earlier_downgrades(site, reason_code, _since(finding))
        if not linked:
            downgrades = _downgrade_site(user, site, reason_code, f"{finding.summary}；核实意见：{reason}")
    if confirm and rectify_by is not None:
        finding.rectification = grades.order_rectification(
            user,
            site_id=site.pk,
            problem=f"{finding.get_kind_display()}：{finding.summary}"[:2000],
            deadline=rectify_by,
        )
    finding.status = Finding.Status.CONFIRMED if confirm else Finding.Status.DISMISSED
    finding.decision_reason = reason[:2000]
    finding.decided_by = user
    finding.decided_at = timezone.now()
    finding.save()
    if downgrades or linked:
        finding.downgrades.set([*downgrades, *linked])
    audit.record(
        actor=user,
        action="verification.finding.decide",
        obj=finding,
        region_code=finding.region_id,
        before={"status": "open"},
        after={
            "status": finding.status,
            "downgrades": [d.pk for d in downgrades],
            "already_downgraded": [d.pk for d in linked],
            "rectification": finding.rectification_id,
        },
        reason=reason,
    )
    return finding


def _downgrade_site(user: Any, site: Site, reason_code: str, description: str) -> list[Downgrade]:
    today = grades.today()
    steps = rules(today).downgrade_steps
    done: list[Downgrade] = []
    for record in site.industries.all():
        current = grades.grade_on(site, record.industry_code, today)
        if current is None:
            continue
        target = lower_grade(Grade(current.grade), record.industry_code, today, site.region_id, steps)
        if target == Grade(current.grade) and reason_code not in (
            Downgrade.Reason.GATE_DATA_TAMPERED.value,
            Downgrade.Reason.FALSE_MATERIAL.value,
        ):
            continue
        done.append(
            grades.downgrade(
                user,
                site_id=site.pk,
                industry_code=record.industry_code,
                reason_code=reason_code,
                description=description[:2000],
                to_grade=target.value,
                effective=today,
            )
        )
    return done
