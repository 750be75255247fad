"""Campaigns: create (from a seed calendar template), list and scope them, and the cut-off that grades
non-applicants at the industry's lowest grade (REQ LC-6, LC-8, H21-4, H23-7, SJZ-12).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.industries import industries_for_region
from airgrade.core.regions import contains
from airgrade.core.types import Role
from airgrade.core.workflow import (
    State,
)
from airgrade.core.workflow.campaigns import monthly_cycle
from airgrade.platform import params
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations import rulebook
from airgrade.platform.declarations.models import (
    Campaign,
    CampaignBatch,
    CampaignMilestone,
    CampaignStage,
    CutoffRecord,
    Declaration,
    DeclarationItem,
    SampleDraw,
)
from airgrade.platform.declarations.services.common import (
    get_campaign,
    now,
    visible_declarations,
)
from airgrade.platform.enterprises.models import Enterprise, IndustryAssignment
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.hooks import grade_ledger
from airgrade.platform.permissions import actor_of, require, require_role, scoped, within
from airgrade.platform.regions.models import Region


@transaction.atomic
def create_campaign(
    user: Any,
    *,
    name: str,
    region_code: str,
    application_deadline: dt.datetime,
    rules_as_of: dt.date | None = None,
    kind: str = Campaign.Kind.ANNUAL,
    template_code: str = "",
    b_sample_ratio: str = "",
) -> Campaign:
    """A campaign of a region; a template copies the seed calendar's stages, deadlines and industry batches
    (shifted to the deadline's year, REQ H21-4, H23-7, LC-8, SJZ-12)."""
    require(user, "campaign.manage", Target(region_code=region_code))
    if not Region.objects.filter(code=region_code).exists():
        raise ServiceError(f"行政区划代码 {region_code} 不存在", field="region")
    if not name.strip():
        raise ServiceError("批次名称不能为空", field="name")
    if kind not in Campaign.Kind.values:
        raise ServiceError(f"未知的批次类型: {kind}", field="kind")
    # Without a ratio of its own the campaign samples what the rule book's policy says (REQ LC-2).
    rules_date = rules_as_of or timezone.localtime(application_deadline).date()
    b_sample_ratio = b_sample_ratio.strip() or rulebook.policy(rules_date).b_sample_ratio.ratio
    try:
        ratio = Fraction(b_sample_ratio)
    except (ValueError, ZeroDivisionError):
        raise ServiceError(f"抽查比例格式有误: {b_sample_ratio}（示例 1/5 或 0.2）", field="b_sample_ratio") from None
    if not 0 <= ratio <= 1:
        raise ServiceError("抽查比例须在 0 到 1 之间", field="b_sample_ratio")
    template = None
    if template_code:
        # The calendars of the policy in force on the campaign's rules date (REQ H21-4, H23-7, LC-8, SJZ-12).
        calendars = rulebook.policy(rules_date).campaign_templates
        template = next((item for item in calendars if item.code == template_code), None)
        if template is None:
            raise ServiceError(f"未知的批次模板: {template_code}", field="template_code")
        template = template.shifted_to(timezone.localtime(application_deadline).year)
    campaign = Campaign.objects.create(
        name=name.strip(),
        region_id=region_code,
        kind=kind,
        template_code=template_code,
        rules_as_of=rules_as_of or timezone.localtime(application_deadline).date(),
        application_deadline=application_deadline,
        b_sample_ratio=str(ratio),
        created_by=user,
    )
    if template is not None:
        tz = timezone.get_current_timezone()
        for stage in template.stages:
            CampaignStage.objects.create(
                campaign=campaign, code=stage.code, name=stage.name_zh, start=stage.start, end=stage.end
            )
        for milestone in template.milestones:
            CampaignMilestone.objects.create(
                campaign=campaign,
                code=milestone.code,
                name=milestone.name_zh,
                due=timezone.make_aware(milestone.due, tz),
                by=milestone.by,
            )
        for batch in template.batches:
            CampaignBatch.objects.create(
                campaign=campaign,
                order=batch.order,
                code=batch.code,
                name=batch.name_zh,
                families=list(batch.families),
                includes_guarantee=batch.includes_guarantee,
                due=timezone.make_aware(batch.due, tz),
            )
    audit.record(
        actor=user, action="campaign.create", obj=campaign, region_code=region_code, after=audit.snapshot(campaign)
    )
    return campaign


@transaction.atomic
def create_monthly_campaign(user: Any, *, region_code: str, year: int, month: int) -> Campaign:
    """One month of year-round declarations (REQ H23-3): its report to the province is due at the month's end."""
    cycle = monthly_cycle(params.year(year), params.month(month))
    deadline = timezone.make_aware(cycle.report_due, timezone.get_current_timezone())
    campaign = create_campaign(
        user,
        name=f"{year}年{month}月绩效分级评定",
        region_code=region_code,
        application_deadline=deadline,
        rules_as_of=cycle.opens,
        kind=Campaign.Kind.MONTHLY,
    )
    CampaignMilestone.objects.create(
        campaign=campaign, code="monthly_report", name="审核评定结果报省厅", due=deadline, by="city"
    )
    return campaign


def _home_region(user: Any) -> str:
    """The caller's own region: a bureau's jurisdiction or the enterprise's county; none for experts."""
    actor = actor_of(user)
    if actor.region_code:
        return actor.region_code
    enterprise = getattr(user, "enterprise", None) if actor.enterprise_id is not None else None
    return enterprise.region_id if enterprise is not None else ""


def visible_campaign(user: Any, campaign_id: int) -> Campaign:
    """A campaign the caller works under: one covering the caller's region, one inside a bureau's jurisdiction, or
    one holding a declaration the caller may see (an assigned expert). Anything else looks missing."""
    campaign = get_campaign(campaign_id)
    actor = actor_of(user)
    home = _home_region(user)
    if home and contains(campaign.region_id, home):
        return campaign
    if home and actor.role in (Role.COUNTY, Role.CITY, Role.PROVINCE) and contains(home, campaign.region_id):
        return campaign
    if visible_declarations(user).filter(campaign=campaign).exists():
        return campaign
    raise NotFound("评级批次不存在")


def campaign_cutoffs(user: Any, campaign: Campaign) -> QuerySet[CutoffRecord]:
    """The campaign's defaulted-to-lowest sites the caller may see (its own, or its jurisdiction's)."""
    return scoped(campaign.cutoff_records.select_related("enterprise"), actor_of(user), "site__region", "enterprise_id")


def campaign_draws(user: Any, campaign: Campaign) -> QuerySet[SampleDraw]:
    """B-sample draws name declarations of a whole city: staff in scope of the draw's city only."""
    actor = actor_of(user)
    if actor.role not in (Role.COUNTY, Role.CITY, Role.PROVINCE):
        return campaign.sample_draws.none()
    return scoped(campaign.sample_draws.all(), actor)


def campaigns_for_user(user: Any, region_code: str = "") -> QuerySet[Campaign]:
    """Campaigns covering the caller's region, or (staff) a region inside the caller's jurisdiction."""
    home = _home_region(user)
    code = params.region_code(region_code) or home
    if not home:
        return Campaign.objects.none()
    staff = actor_of(user).role in (Role.COUNTY, Role.CITY, Role.PROVINCE)
    if not (contains(code, home) or (staff and contains(home, code))):
        return Campaign.objects.none()
    if staff:
        # A bureau also runs or oversees the campaigns inside the region (a province: every city's campaigns).
        return campaigns_for_region(code) | Campaign.objects.filter(within(code))
    return campaigns_for_region(code)


def campaigns_for_region(region_code: str) -> QuerySet[Campaign]:
    """Campaigns whose region contains `region_code` (an enterprise sees its county's, city's and province's)."""
    codes = {region_code, region_code[:4] + "00", region_code[:2] + "0000"}
    return Campaign.objects.filter(region_id__in=codes)


def application_list(campaign: Campaign) -> QuerySet[Declaration]:
    """The 申请名单 (REQ SJZ-2): every live declaration of the campaign."""
    return (
        campaign.declarations.exclude(state=State.WITHDRAWN)
        .select_related("enterprise", "site", "region")
        .prefetch_related("items")
        .order_by("region_id", "number")
    )


def _applied_industries(campaign: Campaign) -> set[tuple[int, str]]:
    """(site, industry) pairs with a declaration submitted by the deadline and not withdrawn."""
    applied = DeclarationItem.objects.filter(
        declaration__campaign=campaign,
        declaration__submitted_at__lte=campaign.application_deadline,
    ).exclude(declaration__state__in=[State.WITHDRAWN, State.DRAFT])
    return set(applied.values_list("declaration__site_id", "industry_code"))


@transaction.atomic
def run_cutoff(user: Any, campaign_id: int) -> list[CutoffRecord]:
    """At the deadline, put every key-industry site of the region that did not apply for an industry at that
    industry's lowest grade (REQ LC-6, SJZ-2), with an audit record per site. Idempotent.

    Monthly campaigns are skipped: declarations are open all year (H23-3), so a month without one is no refusal.
    """
    require_role(user, "campaign.cutoff")
    visible_campaign(user, campaign_id)  # out of scope looks missing, before any other check
    campaign = Campaign.objects.select_for_update(no_key=True).get(pk=campaign_id)
    require(user, "campaign.cutoff", Target(region_code=campaign.region_id))
    if campaign.kind == Campaign.Kind.MONTHLY:
        raise ServiceError("月度评级全年开放申报，不做截止处理（REQ H23-3）")
    if now() < campaign.application_deadline:
        deadline = timezone.localtime(campaign.application_deadline).strftime("%Y-%m-%d %H:%M")
        raise ServiceError(f"申报截止时间 {deadline} 尚未到，不能做截止处理")
    key_industries = {i.code for i in industries_for_region(campaign.region_id)}
    applied = _applied_industries(campaign)
    done = set(campaign.cutoff_records.values_list("site_id", "industry_code"))
    assignments = (
        IndustryAssignment.objects.filter(within(campaign.region_id, "site__region"), industry_code__in=key_industries)
        .exclude(site__enterprise__status=Enterprise.Status.CLOSED)
        .select_related("site", "site__enterprise")
        .order_by("site_id", "industry_code")
    )
    created: list[CutoffRecord] = []
    effective = timezone.localtime(campaign.application_deadline).date()
    seen: set[tuple[int, str]] = set()
    for assignment in assignments:
        key = (assignment.site_id, assignment.industry_code)
        if key in applied or key in done or key in seen:
            continue
        seen.add(key)
        floor = rulebook.industry_floor(assignment.industry_code, campaign.rules_as_of, assignment.site.region_id)
        record = grade_ledger().record_grade(
            actor=user,
            site=assignment.site,
            industry_code=assignment.industry_code,
            grade=floor.grade,
            valid_from=effective,
            source="default_lowest",
            campaign=campaign,
            rules_version=floor.rules_version,
            reason=f"{campaign.name}：截止时未申报，按最低等级管理",
        )
        cutoff = CutoffRecord.objects.create(
            campaign=campaign,
            site=assignment.site,
            enterprise_id=assignment.site.enterprise_id,
            industry_code=assignment.industry_code,
            grade=floor.grade.value,
            grade_record=record,
        )
        audit.record(
            actor=user,
            action="campaign.cutoff.default_lowest",
            obj=cutoff,
            region_code=assignment.site.region_id,
            after={"site": assignment.site_id, "industry": assignment.industry_code, "grade": floor.grade.value},
            reason="REQ LC-6",
        )
        created.append(cutoff)
    campaign.cutoff_at = now()
    campaign.save(update_fields=["cutoff_at"])
    audit.record(
        actor=user,
        action="campaign.cutoff",
        obj=campaign,
        region_code=campaign.region_id,
        after={"defaulted": len(created)},
    )
    return created


# ================================================================ declarations
