"""API types of the enterprise registry: list rows and pages, detail, and the bodies of the registry writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from airgrade.platform.enterprises.models import ProductionLine
from airgrade.platform.numbers import column

Capacity = column(ProductionLine, "capacity", Decimal)


class EnterpriseRow(Schema):
    id: int
    credit_code: str
    name: str
    region: str
    region_name: str
    status: str


class EnterprisePage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[EnterpriseRow]


class ListParams(Schema):
    q: str = ""
    region: str = ""
    industry: str = ""
    status: str = ""
    page: int = 1
    page_size: int = 20


class LineOut(Schema):
    id: int
    name: str
    kind: str
    parent: int | None
    industry_code: str
    process_type: str
    capacity: Decimal
    capacity_unit: str
    energy_type: str
    status: str
    non_interruptible: bool


class IndustryOut(Schema):
    industry_code: str
    industry_name: str
    branch: str


class OutletOut(Schema):
    id: int
    code: str
    name: str
    pollutants: list[str]


class SiteOut(Schema):
    id: int
    name: str
    region: str
    address: str
    industries: list[IndustryOut]
    lines: list[LineOut]
    outlets: list[OutletOut]


class EnterpriseDetail(EnterpriseRow):
    address: str
    contact_name: str
    contact_phone: str
    sites: list[SiteOut]


class EnterpriseIn(Schema):
    credit_code: str
    name: str
    region: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class EnterprisePatch(Schema):
    credit_code: str | None = None
    name: str | None = None
    region: str | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    status: str | None = None
    reason: str = ""


class SiteIn(Schema):
    name: str
    region: str | None = None
    address: str = ""
    reason: str = ""


class IndustryIn(Schema):
    industry_code: str
    branch: str = ""


class IndustriesIn(Schema):
    industries: list[IndustryIn]
    reason: str = ""


class LineIn(Schema):
    name: str
    capacity: Capacity
    capacity_unit: str
    kind: str = "line"
    parent: int | None = None
    industry_code: str = ""
    process_type: str = ""
    energy_type: str = ""
    status: str = "running"
    non_interruptible: bool = False
    reason: str = ""


class LinePatch(Schema):
    name: str | None = None
    capacity: Capacity | None = None
    capacity_unit: str | None = None
    kind: str | None = None
    parent: int | None = None
    industry_code: str | None = None
    process_type: str | None = None
    energy_type: str | None = None
    status: str | None = None
    non_interruptible: bool | None = None
    status_since: dt.datetime | None = None  # when a status change took effect (default now)
    reason: str = ""


class OutletIn(Schema):
    code: str
    name: str = ""
    pollutants: list[str] = []
    reason: str = ""
