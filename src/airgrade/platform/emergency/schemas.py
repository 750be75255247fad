"""API types of the emergency app: list entries, decisions, plans, alert events and their enterprise tasks."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from airgrade.platform.emergency.models import AlertTask, ListEntry, NonInterruptiblePlan
from airgrade.platform.numbers import column

# Numbers bounded by the columns they are stored in (airgrade.platform.numbers).
DailyOutput = column(ListEntry, "guaranteed_daily_output", float, label="日产量")
YellowPercent = column(NonInterruptiblePlan, "yellow_percent", float)
OrangePercent = column(NonInterruptiblePlan, "orange_percent", float)
RedPercent = column(NonInterruptiblePlan, "red_percent", float)
ReportedSo2 = column(AlertTask, "reported_so2", float)
ReportedNox = column(AlertTask, "reported_nox", float)
ReportedPm = column(AlertTask, "reported_pm", float)
ReportedVocs = column(AlertTask, "reported_vocs", float)
EvidenceElectricityBaselineKwh = column(AlertTask, "evidence_electricity_baseline_kwh", float)
EvidenceElectricityAlertKwh = column(AlertTask, "evidence_electricity_alert_kwh", float)


class EntryRow(Schema):
    id: int
    site: int
    site_name: str
    enterprise: int
    enterprise_name: str
    region: str
    year: int
    guarantee_status: str
    small_micro_status: str


class EntryIn(Schema):
    data: dict[str, Any]
    reason: str = ""


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class OutputIn(Schema):
    daily_output: DailyOutput
    note: str = ""


class CertifyIn(Schema):
    certify: bool
    opinion: str


class PlanIn(Schema):
    region: str
    industry_code: str
    yellow_percent: YellowPercent
    orange_percent: OrangePercent
    red_percent: RedPercent
    note: str = ""
    reason: str = ""


class AlertIn(Schema):
    region_codes: list[str]
    level: str
    starts_at: str
    ends_at: str = ""
    title: str = ""
    reason: str = ""


class LevelIn(Schema):
    level: str
    reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ReportIn(Schema):
    lines_done: list[str] = []
    reported_so2: ReportedSo2 | None = None
    reported_nox: ReportedNox | None = None
    reported_pm: ReportedPm | None = None
    reported_vocs: ReportedVocs | None = None
    note: str = ""


class EvidenceIn(Schema):
    online_monitoring: str = ""
    electricity_baseline_kwh: EvidenceElectricityBaselineKwh | None = None
    electricity_alert_kwh: EvidenceElectricityAlertKwh | None = None
    note: str = ""


class EntryDetail(EntryRow):
    data: dict[str, Any]
    guarantee_note: str
    small_micro_opinion: str


class Deleted(Schema):
    deleted: int


class PlanOut(Schema):
    id: int
    industry_code: str
    region: str


class AlertChange(Schema):
    action: str
    level: str
    at: str
    by: str
    reason: str


class AlertOut(Schema):
    id: int
    title: str
    region_codes: list[str]
    level: str
    status: str
    starts_at: str
    ends_at: str | None
    rules_version: str
    changes: list[AlertChange]


class TaskOut(Schema):
    """An enterprise's task list during an alert, with what it reported and the execution summary."""

    id: int
    event: int
    entry: int | None
    enterprise: int
    enterprise_name: str
    region: str
    level: str
    plan: dict[str, Any]
    acknowledged_at: str | None
    reported_at: str | None
    execution: dict[str, Any]


class AlertDetail(AlertOut):
    expected: Any
    tasks: list[TaskOut]
