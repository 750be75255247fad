"""API types of the targets app (/api/targets/)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class AttainmentOut(Schema):
    key: str
    label: str
    total: int
    counted: int
    share_percent: float | None
    target_percent: float | None
    baseline_percent: float | None
    needed: int
    met: bool | None
    d_count: int
    by_grade: dict[str, int]


class TargetsOut(Schema):
    code: str
    name: str
    year: int
    due: str
    document: str
    section: str
    overall_percent: float
    eliminate_d: bool
    counted_grades: list[str]
    counting_provisional: bool
    counting_note: str


class PipelineOut(Schema):
    enterprises: int
    declarations: int
    raising: int
    total: AttainmentOut
    parts: list[AttainmentOut]
    families: list[AttainmentOut]
    entries: list[dict[str, Any]]


class HistoryPoint(Schema):
    date: str
    share_percent: float | None
    d_count: int
    total: int
    counted: int


class PlannerOut(Schema):
    enterprise_id: int
    enterprise: str
    region: str
    grade: str
    gaps: int | None
    industries: list[str]


class ReportOut(Schema):
    region: dict[str, str]
    as_of: str
    targets: TargetsOut | None
    total: AttainmentOut
    parts: list[AttainmentOut]
    families: list[AttainmentOut]
    industries: list[AttainmentOut]
    pipeline: PipelineOut
    history: list[HistoryPoint]
    planner: list[PlannerOut]
