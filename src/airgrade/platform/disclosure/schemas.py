"""API types of the disclosure app: public filters and rows, notices, the captcha, objections, the monthly report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class PublicParams(Schema):
    q: str = ""
    region: str = ""
    industry: str = ""
    grade: str = ""


class PublicGradeRow(Schema):
    """One grade in force as published (open data; the CSV has the same columns)."""

    credit_code: str
    enterprise: str
    site: str
    region_code: str
    region: str
    industry_code: str
    industry: str
    grade: str
    valid_from: str
    source: str
    rules_version: str


class NoticeOut(Schema):
    id: int
    title: str
    campaign_id: int | None
    published_at: dt.datetime
    entries: Any


class CaptchaOut(Schema):
    question: str
    token: str


class ObjectionIn(Schema):
    enterprise_id: int
    content: str
    captcha_token: str
    captcha_answer: str
    reporter_name: str = ""
    reporter_contact: str = ""


class ObjectionFiled(Schema):
    reference: str
    status: str


class ObjectionStatus(Schema):
    reference: str
    status: str
    result: str


class StaffObjection(Schema):
    id: int
    reference: str
    enterprise_id: int
    content: str
    status: str
    filed_at: dt.datetime


class HandleIn(Schema):
    investigation: str
    result: str = ""
    close: bool = False


class HandledOut(Schema):
    id: int
    status: str


class MonthlyRow(Schema):
    """Per city × industry × grade: declarations applied, reviewed, graded and overdue in the month (REQ H23-3)."""

    city: str
    city_name: str
    industry_code: str
    industry: str
    grade: str
    applied: int
    reviewed: int
    graded: int
    overdue: int
