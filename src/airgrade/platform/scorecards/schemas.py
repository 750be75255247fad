"""API types of the green-performance evaluation (/api/scorecards/, REQ ZZ-1 … ZZ-7)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

Value = bool | float | str


class RoundOut(Schema):
    id: int
    region: str
    year: int
    deadline: dt.date
    published: bool


class RankedRowOut(Schema):
    position: int
    scorecard_id: int
    enterprise: str
    credit_code: str
    region: str
    industry: str
    score: float
    zz_class: str | None = Field(description="A、B、C1（C′）、C2（C″）；行业未列入则为空")
    recommendation: Literal["recommended", "awaiting_onsite", "not_eligible"]
    control: dict[str, float] = Field(description="各预警级别压减生产负荷（%）：yellow、orange、red")
    red_lines: list[str]
    class_reasons: list[str]


class RankingOut(Schema):
    round: RoundOut
    rows: list[RankedRowOut]


class SourcedOut(Schema):
    source: Literal["declared", "department", "onsite"]
    value: Value
    by: str
    at: dt.datetime


class IndicatorOut(Schema):
    indicator: str
    label: str
    dimension: str
    group: str
    max_points: float
    points: float
    counted: SourcedOut | None
    disagreements: list[SourcedOut]
    provisional: bool
    note: str


class SheetOut(Schema):
    row: RankedRowOut
    dimensions: dict[str, float]
    raw_total: float
    raw_maximum: float
    indicators: list[IndicatorOut]


class ValuesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    source: Literal["declared", "onsite"]
    values: dict[str, Value] = Field(min_length=1, max_length=200)
    evidence: dict[str, str] = Field(default_factory=dict, max_length=200)


class AssessIn(Schema):
    model_config = ConfigDict(extra="forbid")
    industry: str = Field(default="", max_length=64)
    stated: dict[str, Value] = Field(min_length=1, max_length=200)


class AssessOut(Schema):
    score: float
    admitted: bool
    band: str | None
    reason: str
