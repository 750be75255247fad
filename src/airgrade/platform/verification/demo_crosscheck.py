"""Demo cross-checks (issue 12 items 1, 2, 4): after the demo alert's data (demo.py), the county registers the demo
enterprises' meters to their lines, one enterprise's kiln monitor reads above its grade's limit for 30 hours, one
enterprise's meter shows no production for four days while its line is declared running, and the county runs the
cross-checks of every month the data touches — so its queue holds a finding of each kind (above the limit, the
monitor and the meter that went silent during the alert, the idle line) and the 巩义 cement site's gate-ledger
sequence gap.

Simulated numbers, not measurements. Idempotent: skipped once a cross-check has run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airgrade.core.types import Role
from airgrade.platform.accounts.models import User
from airgrade.platform.emergency.models import AlertEvent, AlertTask
from airgrade.platform.enterprises.models import ProductionLine
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import Downgrade
from airgrade.platform.verification import crosscheck, files, meters, services
from airgrade.platform.verification.demo import BASELINE_DAYS, DEMO_TITLE
from airgrade.platform.verification.models import CrossCheckRun, MonitoringPoint, Reading

EXCEEDING_HOURS = 30  # above the limit, more than the rule book's 24 allowed hours
IDLE_DAYS = 4  # 96 hours without production, more than the rule book's 72
IDLE_BEFORE = BASELINE_DAYS + 1  # at least this many days before the alert the idle days end (outside its baseline)


def _idle_start(start: dt.datetime) -> dt.datetime:
    """The first of four days before the alert's baseline days that no alert covers (an alert's ordered stop is no
    idle line)."""
    windows = [services.event_window(event) for event in AlertEvent.objects.all()]
    last = start - dt.timedelta(days=IDLE_BEFORE)
    while any(begin < last and end > last - dt.timedelta(days=IDLE_DAYS) for begin, end in windows):
        last -= dt.timedelta(days=1)
    return last - dt.timedelta(days=IDLE_DAYS)


def _meter_rows(task: AlertTask, first: dt.datetime) -> list[dict[str, Any]]:
    """Four days of a meter at zero from `first`, before the days the alert's baseline reads (its verdict is
    unchanged)."""
    return [
        {
            "credit_code": task.enterprise.credit_code,
            "site": task.entry.site.name,
            "point": "M1",
            "at": first + dt.timedelta(hours=n),
            "minutes": 60,
            "value": 0.0,
            "status": "",
        }
        for n in range(IDLE_DAYS * 24)
    ]


def _exceeding_rows(task: AlertTask, start: dt.datetime) -> list[dict[str, Any]]:
    """Corrected concentrations of one monitored pollutant: 30 hours of the last normal days above the grade's limit
    (the emission rates, which the alert verdict reads, are unchanged)."""
    limits = crosscheck.site_limits(task.entry.site, start.date(), grades.today())
    first = start - dt.timedelta(days=2)
    stored = (
        Reading.objects.filter(
            point__site=task.entry.site,
            point__kind=MonitoringPoint.Kind.OUTLET,
            pollutant__in=list(limits),
            at__gte=services.aware(first),
            status="normal",
        )
        .exclude(value=None)
        .select_related("point")
        .order_by("point__code", "pollutant", "at")
    )
    rows: list[dict[str, Any]] = []
    for reading in stored:
        if rows and (rows[0]["point"], rows[0]["pollutant"]) != (reading.point.code, reading.pollutant):
            continue
        rows.append(
            {
                "credit_code": task.enterprise.credit_code,
                "site": task.entry.site.name,
                "point": reading.point.code,
                "at": services.local(reading.at),
                "pollutant": reading.pollutant,
                "value": reading.value,
                "concentration": round(limits[reading.pollutant] * (1.25 + 0.01 * (len(rows) % 10)), 2),
                "flow": reading.flow,
                "status": "正常",
            }
        )
        if len(rows) == EXCEEDING_HOURS:
            break
    return rows


def load_demo_crosschecks() -> dict[str, Any]:
    """Register meters, add the findings' data and run the county's cross-checks; counts of open findings by kind."""
    if CrossCheckRun.objects.exists():
        return {}
    event = AlertEvent.objects.filter(title=DEMO_TITLE).first()
    county = User.objects.filter(role=Role.COUNTY.value, region_id="410181", is_active=True).order_by("pk").first()
    if event is None or county is None:
        return {}
    start = services.local(event.starts_at)
    today = grades.today()
    tasks = list(event.tasks.select_related("enterprise", "entry__site", "verdict").order_by("enterprise__name"))
    # The meter register: every demo meter linked to its site's first running line.
    running: dict[int, ProductionLine] = {}
    for point in MonitoringPoint.objects.filter(kind=MonitoringPoint.Kind.METER, region_id="410181").select_related(
        "site"
    ):
        line = point.site.lines.filter(status=ProductionLine.Status.RUNNING).order_by("pk").first()
        if line is not None:
            meters.save_point(county, point.site_id, kind="meter", code=point.code, line_id=line.pk, reason="演示登记")
            running[point.site_id] = line

    # The enterprise above its limit: graded with a limit for what it monitors, preferably one that cut as ordered
    # (so the finding stands apart from the alert's cases); the idle line: another enterprise that cut, with a line.
    def cut(task: AlertTask) -> bool:
        return getattr(task, "verdict", None) is not None and task.verdict.verdict == "done"

    month_start = start.date().replace(day=1)
    downgraded = set(Downgrade.objects.values_list("site_id", flat=True))
    limited = [
        task
        for task in tasks
        if task.entry.site_id not in downgraded and crosscheck.site_limits(task.entry.site, month_start, today)
    ]
    limited.sort(key=lambda task: not cut(task))
    exceeding = limited[:1]
    idle = [task for task in tasks if cut(task) and task.entry.site_id in running and task not in exceeding][:1]
    monitoring = _exceeding_rows(exceeding[0], start) if exceeding else []
    idle_from = _idle_start(start)
    electricity = _meter_rows(idle[0], idle_from) if idle else []
    for kind, rows, source in (
        (files.MONITORING, monitoring, "演示在线监测数据（更正）"),
        (files.ELECTRICITY, electricity, "演示用电量数据（补传）"),
    ):
        if rows:
            report = services.import_rows(county, kind, rows, source=source)
            if not report.ok:
                raise RuntimeError("; ".join(report.messages(5)))
    months = sorted({idle_from.date().replace(day=1), month_start, today.replace(day=1)})
    counts: dict[str, int] = {}
    for month in months:
        counts = crosscheck.run_month(county, month).counts
    return counts
