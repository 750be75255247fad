"""Simulated monitoring and electricity files around an alert, for the verification tests (issue 12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.platform.emergency.emergency_platform_builders import payload

MON_HEADER = (
    "统一社会信用代码,厂区,排放口编号,监测时间,污染物,排放速率（kg/h）,折算浓度（mg/m³）,标干流量（m³/h）,状态标记"
)
ELEC_HEADER = "统一社会信用代码,厂区,电表编号,计量时间,时段（分钟）,用电量（kWh）,状态标记"


def alert_days() -> tuple[dt.datetime, dt.datetime]:
    """A two-day alert that ended a few days ago (local times)."""
    start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=6), dt.time())
    return start, start + dt.timedelta(days=2)


def monitoring_csv(
    credit_code: str, *, normal: float, during: float, gap: bool = False, days_before: int = 10
) -> bytes:
    start, end = alert_days()
    lines = [MON_HEADER]
    hour = start - dt.timedelta(days=days_before)
    while hour < end + dt.timedelta(days=1):
        in_alert = start <= hour < end
        value = during if in_alert else normal
        status = "数据缺失" if gap and in_alert else "正常"
        shown = "" if status != "正常" else f"{value:.3f}"
        lines.append(f"{credit_code},,DA001,{hour:%Y-%m-%d %H:%M},二氧化硫,{shown},35,120000,{status}")
        hour += dt.timedelta(hours=1)
    return ("\n".join(lines) + "\n").encode("utf-8")


def electricity_csv(credit_code: str, *, normal: float, during: float, days_before: int = 10) -> bytes:
    start, end = alert_days()
    lines = [ELEC_HEADER]
    moment = start - dt.timedelta(days=days_before)
    while moment < end + dt.timedelta(days=1):
        value = during if start <= moment < end else normal
        lines.append(f"{credit_code},,M1,{moment:%Y-%m-%d %H:%M},15,{value / 4:.3f},")
        moment += dt.timedelta(minutes=15)
    return ("\n".join(lines) + "\n").encode("utf-8")


def alert_with_tasks(users: dict[str, Any], enterprises: list[Any]) -> Any:
    """Emergency-list entries for the enterprises (cement B: curtailment expected) and a lifted alert over the city."""
    from airgrade.platform.emergency import services as emergency

    for enterprise in enterprises:
        emergency.save_entry(users["county"], enterprise.sites.get().pk, dt.date.today().year, payload())
    start, end = alert_days()
    event = emergency.issue_alert(
        users["city"],
        {
            "region_codes": ["410100"],
            "level": "orange",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    return event
