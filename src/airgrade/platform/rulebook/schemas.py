"""API types of the rule book app: the industry catalogue, one industry's rules in force, a grading report.

Nested parts (indicators, traces, sources) stay plain JSON: their shape is the core's export
(`core/rules/export.py`, `core/grading/serialise.py`, docs/grading-io.md), not redefined here.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class IndustryRow(Schema):
    """One entry of the key-industry catalogue."""

    code: str
    name_zh: str
    name_en: str
    family: str
    family_zh: str
    jurisdiction: str
    grades: list[str]
    indicators: int


class IndustryRulesOut(Schema):
    """One industry's indicators grouped by aspect, values per grade with sources, and measures per alert level."""

    industry: dict[str, Any]
    as_of: str
    region_code: str | None
    rules_version: str
    grades: list[str]
    scale_source: Any
    aspects: list[dict[str, Any]]
    facts: list[dict[str, Any]]
    measures: dict[str, Any]


class GradingReportOut(Schema):
    """Grades with their traces per enterprise, and the enterprises that could not be graded."""

    rules_version: str
    as_of: str
    results: list[dict[str, Any]]
    errors: list[dict[str, Any]]
