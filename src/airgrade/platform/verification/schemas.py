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
