"""Demo alert verification (issue 12): a lifted orange alert over the demo county, simulated hourly online monitoring
and electricity for its enterprises (most cut as ordered, two do not, one monitor goes silent), loaded through the
import service and verified, so the city sees who cut and the county's case queue is not empty.

Simulated numbers, not measurements. Idempotent: skipped when the demo alert exists.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from django.utils import timezone

from airgrade.core import verification as core
from airgrade.core.types import Role
from airgrade.platform.accounts.models import User
from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import AlertEvent, AlertTask
from airgrade.platform.grades import services as grades
from airgrade.platform.verification import crosscheck, files, services

DEMO_TITLE = "巩义市橙色预警（演示，已解除）"
BASELINE_DAYS = 8  # simulated normal days before the alert (the rule book takes up to 7)
ALERT_DAYS = 3
NOT_CUTTING = 2


def _profile(hour: int) -> float:
    """A day-shift bump on a continuous process (illustrative)."""
    return 1.0 + 0.15 * math.sin((hour - 8) / 24 * 2 * math.pi)


def _rows_for(
    task: AlertTask, start: dt.datetime, end: dt.datetime, behaviour: str, rng: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    plan = task.plan
    drops = core.expected_drops(plan, services.rules(start.date()))
    base = plan.get("base_t_per_day") or {}
    code = task.enterprise.credit_code
    site = task.entry.site.name
    # Each registry outlet reports the pollutants it is registered for; a site without outlets gets one SO2 monitor.
    channels = [
        (outlet.code, pollutant)
        for outlet in task.entry.site.outlets.all()
        for pollutant in outlet.pollutants
        if pollutant in core.POLLUTANT_KEYS and (base.get(pollutant) or 0) > 0
    ] or [("DA001", "SO2")]
    sharing = {p: sum(1 for _, q in channels if q == p) for _, p in channels}
    # Concentrations well inside the limit the rule book sets for the site's grade (cross-checks, crosscheck.py).
    limits = crosscheck.site_limits(task.entry.site, start.date(), timezone.localdate())
    monitoring: list[dict[str, Any]] = []
    electricity: list[dict[str, Any]] = []
    hour = start - dt.timedelta(days=BASELINE_DAYS)
    kwh = rng.uniform(800, 6000)
    while hour < end + dt.timedelta(days=1):
        in_alert = start <= hour < end
        noise = rng.gauss(1.0, 0.04)
        for outlet_code, pollutant in channels:
            rate = (base.get(pollutant) or 0.1) * 1000 / 24 / sharing[pollutant]  # kg/h from t/d
            factor = 1.0
            if in_alert and behaviour == "cut":
                factor = 1 - min(0.95, (drops.get(pollutant) or 0) * rng.uniform(1.0, 1.2))
            elif in_alert and behaviour == "kept":
                factor = rng.uniform(0.95, 1.02)
            status = "正常"
            if in_alert and behaviour == "silent":
                status = "数据缺失"
            value = "" if status != "正常" else round(rate * factor * noise * _profile(hour.hour), 4)
            monitoring.append(
                {
                    "credit_code": code,
                    "site": site,
                    "point": outlet_code,
                    "at": hour,
                    "pollutant": pollutant,
                    "value": value,
                    "concentration": round(
                        (limits[pollutant] * rng.uniform(0.35, 0.75) if pollutant in limits else rng.uniform(10, 40))
                        * factor,
                        2,
                    )
                    if value != ""
                    else "",
                    "flow": round(rng.uniform(8e4, 2e5)),
                    "status": status,
                }
            )
        power = 1.0
        if in_alert and behaviour == "cut":
            power = 1 - min(0.9, (drops.get("electricity") or 0) * rng.uniform(1.0, 1.3))
        elif in_alert and behaviour == "kept":
            power = rng.uniform(0.95, 1.03)
        offline = in_alert and behaviour == "silent"  # the meter's link was down too: nothing to judge by
        electricity.append(
            {
                "credit_code": code,
                "site": site,
                "point": "M1",
                "at": hour,
                "minutes": 60,
                "value": None if offline else round(kwh * power * rng.gauss(1.0, 0.03) * _profile(hour.hour), 2),
                "status": "数据缺失" if offline else "",
            }
        )
        hour += dt.timedelta(hours=1)
    return monitoring, electricity


def load_demo_verification(seed: int = 2026) -> dict[str, Any]:
    """Issue, lift and verify the demo alert with simulated data; returns counts per verdict (empty when skipped)."""
    if AlertEvent.objects.filter(title=DEMO_TITLE).exists():
        return {}
    city = User.objects.filter(role=Role.CITY.value, region_id="410100", is_active=True).order_by("pk").first()
    county = User.objects.filter(role=Role.COUNTY.value, region_id="410181", is_active=True).order_by("pk").first()
    if city is None or county is None:
        return {}
    today = timezone.localdate()
    start = dt.datetime.combine(today - dt.timedelta(days=ALERT_DAYS + 3), dt.time(0))
    end = start + dt.timedelta(days=ALERT_DAYS)
    event = emergency.issue_alert(
        city,
        {
            "title": DEMO_TITLE,
            "region_codes": ["410181"],
            "level": "orange",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        },
        "演示数据",
    )
    emergency.lift_alert(city, event.pk, "演示：预警结束")
    rng = random.Random(seed)
    tasks = list(event.tasks.select_related("enterprise", "entry__site").order_by("enterprise__name"))
    with_cut = [t for t in tasks if (sum((t.plan.get("reduction_t_per_day") or {}).values()) or 0) > 0]
    graded = [
        t
        for t in with_cut
        if any(grades.grade_on(t.entry.site, i.industry_code, today) for i in t.entry.site.industries.all())
    ]
    kept = (graded or with_cut)[:NOT_CUTTING]
    silent = [t for t in with_cut if t not in kept][-1:]
    monitoring: list[dict[str, Any]] = []
    electricity: list[dict[str, Any]] = []
    for task in tasks:
        behaviour = "kept" if task in kept else "silent" if task in silent else "cut"
        rows = _rows_for(task, start, end, behaviour, rng)
        monitoring += rows[0]
        electricity += rows[1]
    for kind, rows, source in (
        (files.MONITORING, monitoring, "演示在线监测数据"),
        (files.ELECTRICITY, electricity, "演示用电量数据"),
    ):
        report = services.import_rows(county, kind, rows, source=source)
        if not report.ok:
            raise RuntimeError("; ".join(report.messages(5)))
    return services.verify_event(city, event.pk)
