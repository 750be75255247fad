"""Campaign templates (评级批次): dated stages, deadlines and industry batches from the seeds, as data.

REQ H21-4 (Henan 2021 stages and the four review batches: VOCs, metal, building materials, provincial local
industries + 保障类), H23-7 / H23-3 (Henan 2023 deadlines, monthly cycles), LC-8 (Liaocheng deadlines),
SJZ-12 (Shijiazhuang time-boxed campaign). The data lives in data/campaign_templates.yaml.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from airgrade.core.industries import industry_by_code

CampaignKind = Literal["annual", "monthly"]
StageActor = Literal["enterprise", "county", "city", "province"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Frozen):
    code: str
    name_zh: str
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Stage:
        if self.end < self.start:
            raise ValueError(f"阶段 {self.code} 的结束日期早于开始日期")
        return self


class Milestone(_Frozen):
    code: str
    name_zh: str
    due: datetime
    by: StageActor


class IndustryBatch(_Frozen):
    order: int
    code: str
    name_zh: str
    families: tuple[str, ...]
    includes_guarantee: bool = False
    due: datetime


class CampaignTemplate(_Frozen):
    code: str
    name_zh: str
    region: str
    kind: CampaignKind
    req: str
    source: str
    application_deadline: datetime | None = None
    dynamic_adjustment_due: datetime | None = None
    stages: tuple[Stage, ...]
    milestones: tuple[Milestone, ...] = ()
    batches: tuple[IndustryBatch, ...] = ()
    gaps: tuple[str, ...] = Field(default=())

    @model_validator(mode="after")
    def _batches_in_order(self) -> CampaignTemplate:
        orders = [batch.order for batch in self.batches]
        if orders != sorted(orders) or len(set(orders)) != len(orders):
            raise ValueError(f"模板 {self.code} 的行业批次顺序须递增且不重复")
        return self

    def shifted_to(self, year: int) -> CampaignTemplate:
        """The same calendar in another year (a campaign repeated annually keeps its month/day deadlines)."""
        delta = year - self.stages[0].start.year

        def move_date(value: date) -> date:
            return value.replace(year=value.year + delta)

        def move(value: datetime | None) -> datetime | None:
            return value.replace(year=value.year + delta) if value is not None else None

        return self.model_copy(
            update={
                "application_deadline": move(self.application_deadline),
                "dynamic_adjustment_due": move(self.dynamic_adjustment_due),
                "stages": tuple(
                    s.model_copy(update={"start": move_date(s.start), "end": move_date(s.end)}) for s in self.stages
                ),
                "milestones": tuple(m.model_copy(update={"due": move(m.due)}) for m in self.milestones),
                "batches": tuple(b.model_copy(update={"due": move(b.due)}) for b in self.batches),
            }
        )


class _TemplateFile(_Frozen):
    templates: tuple[CampaignTemplate, ...]


@cache
def campaign_templates() -> tuple[CampaignTemplate, ...]:
    text = resources.files("airgrade.core.workflow").joinpath("data/campaign_templates.yaml").read_text("utf-8")
    return _TemplateFile.model_validate(yaml.safe_load(text)).templates


@cache
def _templates_by_code() -> dict[str, CampaignTemplate]:
    return {template.code: template for template in campaign_templates()}


def template_by_code(code: str) -> CampaignTemplate | None:
    return _templates_by_code().get(code)


# H21-4 reviews the families in this order; 保障类 enterprises go with the last batch whatever their industry.
HENAN_BATCH_FAMILY_ORDER: tuple[str, ...] = ("vocs", "metal", "building_materials", "local")


def batch_for_industry(
    batches: tuple[IndustryBatch, ...], industry_code: str, *, guarantee: bool = False
) -> IndustryBatch | None:
    """The review batch of an industry (by its family); 保障类 go to the batch that includes them."""
    if guarantee:
        for batch in batches:
            if batch.includes_guarantee:
                return batch
    industry = industry_by_code(industry_code)
    if industry is None:
        return None
    for batch in batches:
        if industry.family in batch.families:
            return batch
    return None


class MonthlyCycle(_Frozen):
    """One month of year-round declarations (H23-3): review within the month, report before its end."""

    year: int
    month: int
    opens: date
    report_due: datetime


def monthly_cycle(year: int, month: int) -> MonthlyCycle:
    last_day = calendar.monthrange(year, month)[1]
    return MonthlyCycle(
        year=year,
        month=month,
        opens=date(year, month, 1),
        report_due=datetime.combine(date(year, month, last_day), time(23, 59)),
    )
