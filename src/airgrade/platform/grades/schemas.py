"""API types of the grade registry app: grade records, downgrades, windows, rectification and 回头看 (lookback)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class GradeRecordOut(Schema):
    """One grade record (a validity interval of an enterprise site's grade in one industry)."""

    id: int
    enterprise_id: int
    site_id: int | None
    region: str
    industry_code: str
    grade: str
    valid_from: dt.date
    valid_until: dt.date | None
    source: str
    declaration_id: int | None
    campaign_id: int | None
    rules_version: str
    reason: str


class EnterpriseGradesOut(Schema):
    as_of: dt.date
    overall: str | None
    in_force: list[GradeRecordOut]
    history: list[GradeRecordOut]


class StatusOut(Schema):
    id: int
    status: str


class ProblemItemOut(Schema):
    """One row of the problem-enterprise summary (附件3) of a lookback round."""

    id: int
    enterprise_id: int
    grade: str
    qualification: str
    qualification_note: str
    onsite: str
    onsite_note: str
    outcome: str


class LookbackResultOut(Schema):
    id: int
    qualification: str
    onsite: str


class SettledOut(Schema):
    id: int
    outcome: str


class DowngradeIn(Schema):
    site_id: int
    industry_code: str
    reason_code: str
    description: str
    to_grade: str | None = None
    effective: dt.date | None = None


class WindowIn(Schema):
    region: str
    period: int
    opens: dt.date
    closes: dt.date
    note: str = ""


class OrderIn(Schema):
    site_id: int
    problem: str
    deadline: dt.date


class TextIn(Schema):
    text: str


class LookbackIn(Schema):
    region: str
    year: int
    qualification_due: dt.date
    onsite_due: dt.date


class LookbackResultIn(Schema):
    stage: str
    result: str
    note: str = ""


class SettleIn(Schema):
    outcome: str
    to_grade: str = ""
    deadline: dt.date | None = None
    note: str = ""
