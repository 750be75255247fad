"""API types of the jobs API (and of the workbooks API, which answers with jobs)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class JobOut(Schema):
    id: int
    kind: str
    label: str
    state: str
    state_label: str
    input_name: str
    progress: dict[str, Any]
    report: dict[str, Any]
    message: str
    has_result: bool
