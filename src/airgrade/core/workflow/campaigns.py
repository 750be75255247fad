"""Campaign templates (评级批次): dated stages, deadlines and industry batches from the seeds, as rule-book data.

REQ H21-4 (Henan 2021 stages and the four review batches: VOCs, metal, building materials, provincial local
industries + 保障类), H23-7 / H23-3 (Henan 2023 deadlines, monthly cycles), LC-8 (Liaocheng deadlines),
SJZ-12 (Shijiazhuang time-boxed campaign). The calendars live in the rule book's `common/policy.yaml`
(`campaign_templates`, each citing its document) and are read through `RuleBook.policy(as_of)`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict

from airgrade.core.industries import industry_by_code
from airgrade.core.rules.export import today
from airgrade.core.rules.rulebook import RuleBook, default_rulebook
from airgrade.core.rules.schema import (
    CampaignKind,
    CampaignTemplate,
    IndustryBatch,
    Milestone,
    StageActor,
)
from airgrade.core.rules.schema import CampaignStage as Stage

__all__ = [
    "HENAN_BATCH_FAMILY_ORDER",
    "CampaignKind",
    "CampaignTemplate",
    "IndustryBatch",
    "Milestone",
    "MonthlyCycle",
    "Stage",
    "StageActor",
    "batch_for_industry",
    "campaign_templates",
    "monthly_cycle",
    "template_by_code",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def campaign_templates(as_of: dt.date | None = None, book: RuleBook | None = None) -> tuple[CampaignTemplate, ...]:
    """The campaign calendars of the policy in force on `as_of` (default: today, Beijing time)."""
    return tuple((book or default_rulebook()).policy(as_of or today()).campaign_templates)


def template_by_code(code: str, as_of: dt.date | None = None, book: RuleBook | None = None) -> CampaignTemplate | None:
    return next((template for template in campaign_templates(as_of, book) if template.code == code), None)


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
