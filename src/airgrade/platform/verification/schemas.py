"""API types of alert verification (issue 12): data feeds, verdicts with their evidence, cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ReadingsIn(Schema):
    """A data feed: `kind` = monitoring | electricity; rows with the file layout's fields (docs/verification.md)."""

    kind: str
    rows: list[dict[str, Any]] = Field(..., max_length=50_000)


class ImportOut(Schema):
    kind: str
    committed: bool
    rows: int
    new: int
    changed: int
    unchanged: int
    points_created: int
    errors: list[dict[str, Any]]


class VerifyOut(Schema):
    done: int
    suspected: int
    insufficient: int
    not_required: int


class TaskVerdictOut(Schema):
    task_id: int
    enterprise: str
    region: str
    verdict: str | None
    verdict_zh: str
    reason: str
    case_status: str | None
    signals: list[dict[str, Any]]


class AlertVerdictsOut(Schema):
    event_id: int
    title: str
    counts: dict[str, int]
    region_cut: dict[str, dict[str, Any]]
    tasks: list[TaskVerdictOut]


class TaskEvidenceOut(TaskVerdictOut):
    computed_at: dt.datetime | None
    rules_version: str
    evidence: dict[str, Any]


class DecideIn(Schema):
    confirm: bool
    reason: str = Field(..., max_length=2000)
    rectify_by: dt.date | None = None


class CaseOut(Schema):
    id: int
    task_id: int
    enterprise: str
    status: str
    status_zh: str
    decision_reason: str
    downgrades: list[dict[str, Any]]
    rectification_id: int | None


class CrossCheckIn(Schema):
    month: str = Field(..., max_length=7, description="YYYY-MM")
    region: str | None = Field(None, max_length=6)


class CrossCheckOut(Schema):
    month: str
    region: str
    counts: dict[str, int]
    opened: int
    updated: int
    withdrawn: int
    no_limits: list[dict[str, Any]]
    notes: list[str]


class FindingOut(Schema):
    id: int
    kind: str
    kind_zh: str
    enterprise: str
    site: str
    region: str
    month: str | None
    summary: str
    status: str
    status_zh: str
    decision_reason: str
    downgrades: list[dict[str, Any]]
    rectification_id: int | None


class FindingDetailOut(FindingOut):
    details: dict[str, Any]
    evidence: dict[str, Any]
    computed_at: dt.datetime
    rules_version: str


class FindingDecideIn(Schema):
    confirm: bool
    reason: str = Field(..., max_length=2000)
    downgrade: bool = True
    rectify_by: dt.date | None = None


class PointIn(Schema):
    site_id: int
    kind: str = Field(..., max_length=8)
    code: str = Field(..., max_length=40)
    line_id: int | None = None
    outlet_id: int | None = None
    reason: str = Field("", max_length=500)


class PointOut(Schema):
    id: int
    site_id: int
    enterprise: str
    kind: str
    code: str
    line_id: int | None
    line: str | None
    outlet_id: int | None
    registered: bool
