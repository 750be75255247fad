"""The B sample: which B (B-) applicants the city checks on site, drawn reproducibly (REQ LC-2)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from airgrade.core.access import Target
from airgrade.core.types import Grade
from airgrade.core.workflow import (
    State,
    draw_sample,
)
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations.models import (
    Campaign,
    Declaration,
    SampleDraw,
)
from airgrade.platform.declarations.services.common import (
    get_campaign,
)
from airgrade.platform.errors import ServiceError
from airgrade.platform.permissions import require, within


@dataclass(frozen=True)
class SampleResult:
    draw: SampleDraw
    sampled: list[Declaration]


def sample_candidates(campaign: Campaign, city_code: str) -> QuerySet[Declaration]:
    """B (B-) applicants (no A or 引领性 item) of the city, passed by the county and not yet drawn."""
    queryset = campaign.declarations.filter(
        within(city_code),
        state__in=[State.COUNTY_PASSED, State.CITY_REVIEW],
        sampled_for_city__isnull=True,
    )
    top = [Grade.A.value, Grade.LEADING.value]
    b_grades = [Grade.B.value, Grade.B_MINUS.value]
    return queryset.filter(items__target_grade__in=b_grades).exclude(items__target_grade__in=top).distinct()


@transaction.atomic
def draw_b_sample(
    user: Any, campaign_id: int, *, city_code: str, seed: int | None = None, ratio: str | None = None
) -> SampleResult:
    """Draw the city's B sample at the campaign's ratio with a recorded seed; anyone can reproduce it."""
    require(user, "sample.draw", Target(region_code=city_code))
    campaign = get_campaign(campaign_id)
    # PostgreSQL refuses FOR UPDATE with DISTINCT: pick the ids, then lock those rows.
    candidate_ids = list(sample_candidates(campaign, city_code).values_list("pk", flat=True))
    candidates = list(
        Declaration.objects.filter(pk__in=candidate_ids).select_for_update(no_key=True).order_by("number")
    )
    if not candidates:
        raise ServiceError("没有待抽查的B级申报（须经县级初审通过、尚未抽取）")
    try:
        use_ratio = Fraction(ratio or campaign.b_sample_ratio)
    except (ValueError, ZeroDivisionError):
        raise ServiceError(f"抽查比例格式有误: {ratio}", field="ratio") from None
    use_seed = seed if seed is not None else secrets.randbelow(2**62)
    try:
        result = draw_sample([d.number for d in candidates], use_ratio, use_seed)
    except ValueError as exc:
        raise ServiceError(str(exc), field="ratio") from None
    drawn = set(result.drawn)
    for declaration in candidates:
        declaration.sampled_for_city = declaration.number in drawn
        declaration.save(update_fields=["sampled_for_city", "updated_at"])
    record = SampleDraw.objects.create(
        campaign=campaign,
        region_id=city_code,
        algorithm=result.algorithm,
        ratio=str(result.ratio),
        seed=result.seed,
        candidates=list(result.candidates),
        drawn=list(result.drawn),
        drawn_by=user,
    )
    audit.record(
        actor=user,
        action="sample.draw",
        obj=record,
        region_code=city_code,
        after={
            "ratio": str(result.ratio),
            "seed": result.seed,
            "candidates": list(result.candidates),
            "drawn": list(result.drawn),
            "algorithm": result.algorithm,
        },
    )
    return SampleResult(record, [d for d in candidates if d.number in drawn])
