"""API types of the emergency app: list entries, decisions, plans, alert events and their enterprise tasks."""

from __future__ import annotations

from typing import Any

from ninja import Schema


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
    daily_output: float
    note: str = ""


class CertifyIn(Schema):
    certify: bool
    opinion: str


class PlanIn(Schema):
    region: str
    industry_code: str
    yellow_percent: float
    orange_percent: float
    red_percent: float
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
    reported_so2: float | None = None
    reported_nox: float | None = None
    reported_pm: float | None = None
    reported_vocs: float | None = None
    note: str = ""


class EvidenceIn(Schema):
    online_monitoring: str = ""
    electricity_baseline_kwh: float | None = None
    electricity_alert_kwh: float | None = None
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
