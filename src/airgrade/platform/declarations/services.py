"""Declaration services: campaigns, the cut-off, declarations, evidence, documents, the self-check, every
workflow transition (sealed), the B sample, on-site checks and experts. The only place that writes them.

Every write runs in transaction.atomic(), checks role + region scope (accounts.permissions.require or the core
workflow table) and writes an audit record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.industries import industries_for_region, industry_by_code
from airgrade.core.regions import contains, scope_range
from airgrade.core.types import Grade, Role, worst_grade
from airgrade.core.workflow import (
    GradeRule,
    State,
    WorkflowContext,
    allowed_actions,
    check,
    check_decided_grade,
    draw_sample,
    guarantee_grades_ok,
    transition_for,
)
from airgrade.core.workflow.campaigns import batch_for_industry, monthly_cycle, template_by_code
from airgrade.core.workflow.onsite import build_checklist
from airgrade.platform import params
from airgrade.platform.accounts.permissions import actor_of, require, scoped
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations import rulebook
from airgrade.platform.declarations.documents import COMMITMENT_TEXT, build_document
from airgrade.platform.declarations.files import check_upload
from airgrade.platform.declarations.models import (
    Campaign,
    CampaignBatch,
    CampaignMilestone,
    CampaignStage,
    CutoffRecord,
    Declaration,
    DeclarationItem,
    EvidenceFile,
    ExpertProfile,
    ExpertTie,
    OnsiteCheck,
    OnsiteFinding,
    OnsitePhoto,
    ReviewEvent,
    SampleDraw,
)
from airgrade.platform.enterprises.models import Enterprise, IndustryAssignment, Site
from airgrade.platform.errors import AccessDenied, Conflict, NotFound, ServiceError
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.regions.models import Region

SEAL_GENESIS = "0" * 64


def now() -> dt.datetime:
    return timezone.now()


def declaration_target(declaration: Declaration, assignment_key: str | None = None) -> Target:
    return Target(
        region_code=declaration.region_id, enterprise_id=declaration.enterprise_id, assignment_key=assignment_key
    )


def _parse_grade(value: Any, field: str = "grade") -> Grade:
    try:
        return Grade(str(value))
    except ValueError:
        raise ServiceError(f"未知的绩效等级: {value}", field=field) from None


# ================================================================ campaigns


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
    b_sample_ratio: str = "1/5",
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
    try:
        ratio = Fraction(b_sample_ratio)
    except (ValueError, ZeroDivisionError):
        raise ServiceError(f"抽查比例格式有误: {b_sample_ratio}（示例 1/5 或 0.2）", field="b_sample_ratio") from None
    if not 0 <= ratio <= 1:
        raise ServiceError("抽查比例须在 0 到 1 之间", field="b_sample_ratio")
    template = None
    if template_code:
        template = template_by_code(template_code)
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


def get_campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("region").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("评级批次不存在")
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
        low, high = scope_range(code)
        return campaigns_for_region(code) | Campaign.objects.filter(region_id__gte=low, region_id__lte=high)
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
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("评级批次不存在")
    require(user, "campaign.cutoff", Target(region_code=campaign.region_id))
    if campaign.kind == Campaign.Kind.MONTHLY:
        raise ServiceError("月度评级全年开放申报，不做截止处理（REQ H23-3）")
    if now() < campaign.application_deadline:
        deadline = timezone.localtime(campaign.application_deadline).strftime("%Y-%m-%d %H:%M")
        raise ServiceError(f"申报截止时间 {deadline} 尚未到，不能做截止处理")
    key_industries = {i.code for i in industries_for_region(campaign.region_id)}
    applied = _applied_industries(campaign)
    done = set(campaign.cutoff_records.values_list("site_id", "industry_code"))
    prefix = Region(code=campaign.region_id).prefix
    assignments = (
        IndustryAssignment.objects.filter(site__region__code__startswith=prefix, industry_code__in=key_industries)
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
        note = "（规则库未提供该行业最低等级，暂按 D 级，provisional）" if floor.provisional else ""
        record = grades.record_grade(
            actor=user,
            site=assignment.site,
            industry_code=assignment.industry_code,
            grade=floor.grade,
            valid_from=effective,
            source=GradeRecord.Source.DEFAULT_LOWEST,
            campaign=campaign,
            rules_version=floor.rules_version,
            reason=f"{campaign.name}：截止时未申报，按最低等级管理（REQ LC-6）{note}",
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


def _get_declaration(declaration_id: int, *, for_update: bool = False) -> Declaration:
    queryset = Declaration.objects.select_related("campaign", "site", "enterprise", "region")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    declaration = queryset.filter(pk=declaration_id).first()
    if declaration is None:
        raise NotFound("申报不存在或不在您的管辖范围内")
    return declaration


def _assignment_key_for(user: Any, declaration: Declaration) -> str | None:
    actor = actor_of(user)
    if actor.role is not Role.EXPERT:
        return None
    for check_id in declaration.onsite_checks.values_list("pk", flat=True):
        key = f"onsite:{check_id}"
        if key in actor.assignments:
            return key
    return None


def get_declaration(user: Any, declaration_id: int) -> Declaration:
    """A declaration the caller may see; out of scope looks like a missing one."""
    declaration = _get_declaration(declaration_id)
    target = declaration_target(declaration, _assignment_key_for(user, declaration))
    from airgrade.core.access import decide

    if not decide(actor_of(user), "declaration.view", target):
        raise NotFound("申报不存在或不在您的管辖范围内")
    return declaration


def visible_declarations(user: Any) -> QuerySet[Declaration]:
    actor = actor_of(user)
    base = Declaration.objects.select_related("campaign", "site", "enterprise", "region")
    if actor.role is Role.EXPERT:
        check_ids = [int(k.split(":")[1]) for k in actor.assignments if k.startswith("onsite:")]
        return base.filter(onsite_checks__in=check_ids).distinct()
    return scoped(base, actor, enterprise_field="enterprise_id")


def _clean_items(site: Site, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    assigned = set(site.industries.values_list("industry_code", flat=True))
    cleaned: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(items, start=1):
        code = str(item.get("industry_code") or "").strip()
        process = str(item.get("process") or "").strip()
        field = f"items[{index}]"
        if industry_by_code(code) is None:
            raise ServiceError(f"第 {index} 项：未知的行业代码 {code!r}", field=f"{field}.industry_code")
        if code not in assigned:
            raise ServiceError(
                f"第 {index} 项：厂区未登记行业 {code}，请先在企业档案中登记", field=f"{field}.industry_code"
            )
        if (code, process) in seen:
            raise ServiceError(f"第 {index} 项：行业 {code} 重复申报", field=f"{field}.industry_code")
        seen.add((code, process))
        grade = _parse_grade(item.get("target_grade"), f"{field}.target_grade")
        facts = item.get("facts") or {}
        if not isinstance(facts, dict):
            raise ServiceError(f"第 {index} 项：指标事实须为键值对", field=f"{field}.facts")
        cleaned.append({"industry_code": code, "process": process, "target_grade": grade.value, "facts": facts})
    if not cleaned:
        raise ServiceError("至少申报一个行业", field="items")
    return cleaned


@transaction.atomic
def create_declaration(
    user: Any, *, campaign_id: int, site_id: int, items: list[dict[str, Any]], is_guarantee: bool = False
) -> Declaration:
    """Start a declaration for one site (REQ LC-4) with a target grade per industry / process (LC-5)."""
    site = Site.objects.select_related("enterprise", "region").filter(pk=site_id).first()
    if site is None:
        raise NotFound("厂区不存在")
    require(user, "declaration.create", Target(region_code=site.region_id, enterprise_id=site.enterprise_id))
    campaign = get_campaign(campaign_id)
    if not contains(campaign.region_id, site.region_id):
        raise ServiceError("该厂区不在本评级批次的组织区划内", field="campaign")
    if campaign.kind != Campaign.Kind.MONTHLY and now() > campaign.application_deadline:
        raise ServiceError("本批次申报已截止；未按时申报的按最低等级管理（REQ LC-6）", field="campaign")
    ban = grades.active_ban(site.enterprise)
    if ban is not None:
        raise ServiceError(f"企业在 {ban.ends} 前不得申报绩效分级：{ban.reason}", field="site")
    if Declaration.objects.filter(campaign=campaign, site=site).exclude(state=State.WITHDRAWN).exists():
        raise ServiceError("该厂区在本批次已有申报（一厂一报，REQ LC-4）", field="site")
    cleaned = _clean_items(site, items)
    sequence = Declaration.objects.filter(campaign=campaign).count() + 1
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(
                number=f"SB{campaign.pk:04d}-{sequence:05d}",
                campaign=campaign,
                site=site,
                enterprise=site.enterprise,
                region=site.region,
                is_guarantee=is_guarantee,
                commitment_text=COMMITMENT_TEXT,
            )
    except IntegrityError:
        raise Conflict("申报编号冲突或该厂区已有申报，请刷新后重试") from None
    for item in cleaned:
        DeclarationItem.objects.create(declaration=declaration, **item)
    audit.record(
        actor=user,
        action="declaration.create",
        obj=declaration,
        region_code=site.region_id,
        after={"number": declaration.number, "items": cleaned},
    )
    return declaration


def _editable(user: Any, declaration_id: int, expected_version: int | None = None) -> Declaration:
    declaration = _get_declaration(declaration_id, for_update=True)
    require(user, "declaration.edit", declaration_target(declaration))
    if not State(declaration.state).is_editable:
        raise ServiceError(
            f"申报已提交（当前状态“{State(declaration.state).label_zh}”），不能修改；如需修改请等待退回或撤回后重新申报",
            field="state",
        )
    if expected_version is not None and expected_version != declaration.version:
        raise Conflict("申报已被修改，请刷新后重试")
    return declaration


def _touch(declaration: Declaration) -> None:
    declaration.version += 1
    declaration.save(update_fields=["version", "updated_at"])


@transaction.atomic
def update_declaration(
    user: Any,
    declaration_id: int,
    *,
    items: list[dict[str, Any]] | None = None,
    is_guarantee: bool | None = None,
    expected_version: int | None = None,
) -> Declaration:
    """Replace items / facts while the declaration is a draft or returned; refused after submission."""
    declaration = _editable(user, declaration_id, expected_version)
    before = {
        "items": list(declaration.items.values("industry_code", "process", "target_grade", "facts")),
        "is_guarantee": declaration.is_guarantee,
    }
    if items is not None:
        cleaned = _clean_items(declaration.site, items)
        declaration.items.all().delete()
        for item in cleaned:
            DeclarationItem.objects.create(declaration=declaration, **item)
        # Changed data makes the generated document stale.
        declaration.document_sha256 = ""
        declaration.document = ""
    if is_guarantee is not None:
        declaration.is_guarantee = is_guarantee
    declaration.save()
    _touch(declaration)
    audit.record(
        actor=user,
        action="declaration.edit",
        obj=declaration,
        region_code=declaration.region_id,
        before=before,
        after={
            "items": list(declaration.items.values("industry_code", "process", "target_grade", "facts")),
            "is_guarantee": declaration.is_guarantee,
        },
    )
    return declaration


@transaction.atomic
def upload_evidence(
    user: Any,
    declaration_id: int,
    *,
    filename: str,
    content: bytes,
    indicator_id: str = "",
    industry_code: str = "",
) -> EvidenceFile:
    declaration = _editable(user, declaration_id)
    checked = check_upload(filename, content)
    item = None
    if industry_code:
        item = declaration.items.filter(industry_code=industry_code).first()
        if item is None:
            raise ServiceError(f"申报中没有行业 {industry_code}", field="industry_code")
    evidence = EvidenceFile(
        declaration=declaration,
        item=item,
        indicator_id=indicator_id[:100],
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    evidence.file.save(f"{checked.sha256}.{checked.kind}", ContentFile(content), save=False)
    evidence.save()
    _touch(declaration)
    audit.record(
        actor=user,
        action="declaration.evidence",
        obj=evidence,
        region_code=declaration.region_id,
        after={"name": checked.name, "sha256": checked.sha256, "indicator": indicator_id},
    )
    return evidence


@transaction.atomic
def sign_commitment(user: Any, declaration_id: int, *, signer_name: str) -> Declaration:
    """The signed emission-reduction commitment (承诺书, REQ LC-3)."""
    declaration = _editable(user, declaration_id)
    if not signer_name.strip():
        raise ServiceError("须填写承诺人（法定代表人或授权人）姓名", field="signer_name")
    declaration.commitment_text = COMMITMENT_TEXT
    declaration.commitment_signed_by = signer_name.strip()[:64]
    declaration.commitment_signed_at = now()
    declaration.save()
    _touch(declaration)
    audit.record(
        actor=user,
        action="declaration.commitment",
        obj=declaration,
        region_code=declaration.region_id,
        after={
            "signed_by": declaration.commitment_signed_by,
            "text_sha256": hashlib.sha256(COMMITMENT_TEXT.encode()).hexdigest(),
        },
    )
    return declaration


def declares_lowest(declaration: Declaration) -> bool:
    """Every item targets its industry's lowest grade: only the 申请表 is needed, no county on-site check."""
    for item in declaration.items.all():
        floor = rulebook.industry_floor(item.industry_code, declaration.campaign.rules_as_of, declaration.region_id)
        if Grade(item.target_grade) != floor.grade:
            return False
    return True


@transaction.atomic
def generate_document(user: Any, declaration_id: int) -> Declaration:
    """Generate the 申请报告, or the 申请表 for a lowest-grade declaration (REQ LC-3), as DOCX with its hash."""
    declaration = _editable(user, declaration_id)
    lowest = declares_lowest(declaration)
    content = build_document(declaration, lowest=lowest)
    digest = hashlib.sha256(content).hexdigest()
    declaration.document_kind = Declaration.DocumentKind.FORM if lowest else Declaration.DocumentKind.REPORT
    declaration.document.save(f"{declaration.number}-{digest[:12]}.docx", ContentFile(content), save=False)
    declaration.document_sha256 = digest
    declaration.save()
    _touch(declaration)
    audit.record(
        actor=user,
        action="declaration.document",
        obj=declaration,
        region_code=declaration.region_id,
        after={"kind": declaration.document_kind, "sha256": digest},
    )
    return declaration


def self_check(user: Any, declaration_id: int) -> list[dict[str, Any]]:
    """The engine's grade and the gaps per item, shown before submitting (read-only)."""
    declaration = get_declaration(user, declaration_id)
    results = []
    for item in declaration.items.all():
        result = rulebook.self_check(
            item.industry_code, item.facts, declaration.campaign.rules_as_of, declaration.region_id, item.process
        )
        results.append(
            {
                "industry_code": item.industry_code,
                "process": item.process,
                "target_grade": item.target_grade,
                **result.as_dict(),
            }
        )
    return results


# ================================================================ transitions


def _seal_self_check(declaration: Declaration, items: list[DeclarationItem]) -> None:
    """Keep the engine's verdict on the submitted facts, and the rules version it ran under, with each item: the
    grade records made from this declaration carry that version, so the grade can be reproduced (REQ G-7)."""
    for index, item in enumerate(items, start=1):
        result = rulebook.self_check(
            item.industry_code, item.facts, declaration.campaign.rules_as_of, declaration.region_id, item.process
        )
        if not result.available:
            # A draft may hold anything; what is submitted must be facts the rule book knows, of the right type.
            raise ServiceError(
                f"第 {index} 项（{item.industry_code}）指标事实有误，不能提交：{result.message}", field="facts"
            )
        item.self_check = result.as_dict()
        item.rules_version = result.rules_version
        item.save(update_fields=["self_check", "rules_version"])


def _worst_target(declaration: Declaration) -> Grade:
    return worst_grade([Grade(i.target_grade) for i in declaration.items.all()])


def _best_target(declaration: Declaration) -> Grade:
    return min((Grade(i.target_grade) for i in declaration.items.all()), key=lambda g: g.rank)


def _signed_check(declaration: Declaration, level: str) -> bool:
    return declaration.onsite_checks.filter(level=level, signed_at__isnull=False).exists()


def city_check_required(declaration: Declaration) -> bool:
    """Every A and 引领性; B (B-) when drawn in the sample, and until the draw happened (deny by default)."""
    targets = {Grade(i.target_grade) for i in declaration.items.all()}
    if targets & {Grade.A, Grade.LEADING}:
        return True
    if targets & {Grade.B, Grade.B_MINUS}:
        return declaration.sampled_for_city is not False
    return False


def _grade_the_province_would_verify(item: DeclarationItem) -> Grade:
    """Verifying accepts the city's lower recommendation if it made one, else the declared grade (REQ LC-2)."""
    return Grade(item.recommended_grade or item.target_grade)


def _upgrade_refusals(declaration: Declaration, item_grades: dict[int, Grade]) -> list[str]:
    """Dynamic-management upgrades outside the region's adjustment window (REQ LC-12, LC-8, H23-7)."""
    on = timezone.localdate()
    refusals = []
    for item in declaration.items.all():
        refusal = grades.dynamic_upgrade_refusal(
            declaration.site, item.industry_code, item_grades[item.pk], declaration.campaign, on
        )
        if refusal:
            refusals.append(refusal)
    return refusals


def workflow_context(declaration: Declaration) -> WorkflowContext:
    items = list(declaration.items.all())
    # Only province verification reads this; elsewhere it stays False (deny by default) and costs no queries.
    upgrade_window_ok = declaration.state == State.PROVINCE_VERIFICATION and not _upgrade_refusals(
        declaration, {item.pk: _grade_the_province_would_verify(item) for item in items}
    )
    return WorkflowContext(
        guarantee_grade_ok=guarantee_grades_ok(declaration.is_guarantee, [Grade(i.target_grade) for i in items]),
        upgrade_window_ok=upgrade_window_ok,
        commitment_signed=declaration.commitment_signed_at is not None,
        application_document_ready=bool(declaration.document_sha256),
        banned=grades.active_ban(declaration.enterprise) is not None,
        target_top_tier=_best_target(declaration).is_top_tier if declaration.items.exists() else False,
        declared_lowest=declares_lowest(declaration) if declaration.items.exists() else False,
        county_onsite_done=_signed_check(declaration, OnsiteCheck.Level.COUNTY),
        city_onsite_required=city_check_required(declaration),
        city_onsite_done=_signed_check(declaration, OnsiteCheck.Level.CITY),
    )


def actions_for(user: Any, declaration: Declaration) -> list[dict[str, Any]]:
    """What the caller may do now, for buttons and the API's `allowed_actions`."""
    actor = actor_of(user)
    return [
        {
            "action": t.action,
            "label": t.label_zh,
            "requires_opinion": t.requires_opinion,
            "sets_grade": t.grade_rule is not GradeRule.NONE,
            "to_state": t.target.value,
        }
        for t in allowed_actions(
            State(declaration.state), actor, declaration_target(declaration), workflow_context(declaration)
        )
    ]


def _seal(previous: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((previous + canonical).encode("utf-8")).hexdigest()


def _event_payload(event: ReviewEvent) -> dict[str, Any]:
    return {
        "declaration": event.declaration_id,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "reviewer": event.reviewer_id,
        "name": event.reviewer_name,
        "role": event.reviewer_role,
        "region": event.reviewer_region,
        "opinion": event.opinion,
        "grade": event.grade,
        "at": event.at.isoformat(),
    }


def verify_seals(declaration: Declaration) -> bool:
    """Recompute the seal chain of a declaration's review events; False if any was altered or removed."""
    previous = SEAL_GENESIS
    for event in declaration.events.order_by("id"):
        if event.previous_seal != previous or _seal(previous, _event_payload(event)) != event.seal:
            return False
        previous = event.seal
    return True


@transaction.atomic
def transition(
    user: Any,
    declaration_id: int,
    action: str,
    *,
    expected_state: str,
    expected_version: int | None = None,
    opinion: str = "",
    grade: str | None = None,
    item_grades: dict[str, str] | None = None,
) -> Declaration:
    """Move a declaration. The caller names the state (and version) it saw: the row is locked, and a second
    approval racing the first finds the state changed and is refused with nothing written."""
    declaration = _get_declaration(declaration_id, for_update=True)
    actor = actor_of(user)
    transition_row = transition_for(action)
    if transition_row is None:
        raise ServiceError(f"未定义的流程操作: {action}", field="action")
    if declaration.state != expected_state or (
        expected_version is not None and declaration.version != expected_version
    ):
        raise Conflict(f"申报状态已变化（现为“{State(declaration.state).label_zh}”），可能已由他人处理，请刷新后重试")
    decision = check(
        action,
        State(declaration.state),
        actor,
        declaration_target(declaration),
        workflow_context(declaration),
        opinion=opinion,
    )
    if not decision:
        raise AccessDenied(decision.reason)
    items = list(declaration.items.all())
    decided: dict[int, Grade] = {}
    recommended: dict[int, Grade] = {}
    if transition_row.grade_rule.decides:
        for item in items:
            value = (item_grades or {}).get(item.industry_code, grade)
            item_grade = _parse_grade(value) if value else None
            verdict = check_decided_grade(transition_row, item_grade)
            if not verdict or item_grade is None:
                raise ServiceError(verdict.reason or "须给出评定等级", field="grade")
            decided[item.pk] = item_grade
    elif transition_row.grade_rule is GradeRule.LOWER_THAN_DECLARED:
        recommended = _city_recommendation(transition_row, items, grade, item_grades)
    elif grade or item_grades:
        raise ServiceError(f"“{transition_row.label_zh}”不设定等级", field="grade")
    if action == "declaration.province_verify":
        decided = {item.pk: _grade_the_province_would_verify(item) for item in items}
    if action == "declaration.province_adjust":
        refusals = _upgrade_refusals(declaration, decided)
        if refusals:
            raise ServiceError("；".join(refusals), field="grade")
    # 保障类 in key industries need B or better or 引领性 (REQ H23-5, LC-9): a final grade below that ends the
    # 保障类 status, said in the sealed record and the grade record rather than silently.
    guarantee_note = ""
    if decided and declaration.is_guarantee and not guarantee_grades_ok(True, decided.values()):
        guarantee_note = (
            f"最终等级 {worst_grade(list(decided.values())).value} 低于B级，不再符合重点行业保障类企业须达到"
            "B级及以上或绩效引领性的要求，已取消保障类企业标记（REQ H23-5, LC-9）"
        )
        declaration.is_guarantee = False
    if action == "declaration.submit":
        campaign = declaration.campaign
        if campaign.kind != Campaign.Kind.MONTHLY and now() > campaign.application_deadline:
            raise ServiceError("本批次申报已截止，不能提交；未按时申报的按最低等级管理（REQ LC-6）")
    if action in ("declaration.submit", "declaration.resubmit"):
        _seal_self_check(declaration, items)

    before = {"state": declaration.state, "version": declaration.version}
    declaration.state = transition_row.target.value
    declaration.version += 1
    if action in ("declaration.submit", "declaration.resubmit"):
        declaration.submitted_at = now()
    if decided:
        declaration.decided_grade = worst_grade(list(decided.values())).value
        declaration.decided_at = now()
    declaration.save()
    for item in items:
        if item.pk in recommended:
            item.recommended_grade = recommended[item.pk].value
            item.save(update_fields=["recommended_grade"])
    sealed_opinion = "\n".join(part for part in (opinion.strip(), guarantee_note) if part)
    if decided:
        event_grade = declaration.decided_grade
    elif recommended:
        event_grade = worst_grade([recommended.get(i.pk, Grade(i.target_grade)) for i in items]).value
    else:
        event_grade = ""

    last = declaration.events.order_by("-id").first()
    event = ReviewEvent(
        declaration=declaration,
        action=action,
        from_state=before["state"],
        to_state=declaration.state,
        reviewer=user,
        reviewer_name=getattr(user, "display_name", "") or user.get_username(),
        reviewer_role=actor.role.value,
        reviewer_region=actor.region_code or "",
        opinion=sealed_opinion,
        grade=event_grade,
        at=now().replace(microsecond=0),
        previous_seal=last.seal if last else SEAL_GENESIS,
    )
    event.seal = _seal(event.previous_seal, _event_payload(event))
    event.save()
    audit.record(
        actor=user,
        action=action,
        obj=declaration,
        region_code=declaration.region_id,
        before=before,
        after={
            "state": declaration.state,
            "version": declaration.version,
            "grade": event.grade,
            "seal": event.seal,
            **(
                {"recommended": {i.industry_code: recommended[i.pk].value for i in items if i.pk in recommended}}
                if recommended
                else {}
            ),
            **({"is_guarantee": False} if guarantee_note else {}),
        },
        reason=sealed_opinion,
    )

    if decided:
        source = GradeRecord.Source.CAMPAIGN if action != "declaration.province_adjust" else GradeRecord.Source.REVIEW
        for item in items:
            grades.record_grade(
                actor=user,
                site=declaration.site,
                industry_code=item.industry_code,
                grade=decided[item.pk],
                valid_from=timezone.localdate(),
                source=source,
                declaration=declaration,
                campaign=declaration.campaign,
                rules_version=item.rules_version,
                reason=f"{declaration.number} {transition_row.label_zh}"
                + (f"：{sealed_opinion}" if sealed_opinion else ""),
            )
    return declaration


def _city_recommendation(
    transition_row: Any, items: list[DeclarationItem], grade: str | None, item_grades: dict[str, str] | None
) -> dict[int, Grade]:
    """The city's lower grade per item (REQ LC-2): `item_grades` by industry, else `grade` for every item. An item
    without a grade keeps its declared one; at least one item must be lowered, each strictly below its declared."""
    unknown = set(item_grades or {}) - {item.industry_code for item in items}
    if unknown:
        raise ServiceError(f"申报中没有行业 {'、'.join(sorted(unknown))}", field="item_grades")
    recommended: dict[int, Grade] = {}
    for item in items:
        value = (item_grades or {}).get(item.industry_code, grade)
        if not value:
            continue
        item_grade = _parse_grade(value)
        verdict = check_decided_grade(transition_row, item_grade, Grade(item.target_grade))
        if not verdict:
            raise ServiceError(f"{item.industry_code}：{verdict.reason}", field="grade")
        recommended[item.pk] = item_grade
    if not recommended:
        raise ServiceError("“市级审核通过（建议降低等级）”须给出低于申报等级的建议等级", field="grade")
    return recommended


# ================================================================ B sample (LC-2)


@dataclass(frozen=True)
class SampleResult:
    draw: SampleDraw
    sampled: list[Declaration]


def sample_candidates(campaign: Campaign, city_code: str) -> QuerySet[Declaration]:
    """B (B-) applicants (no A or 引领性 item) of the city, passed by the county and not yet drawn."""
    prefix = Region(code=city_code).prefix
    queryset = campaign.declarations.filter(
        region__code__startswith=prefix,
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
    candidates = list(Declaration.objects.filter(pk__in=candidate_ids).select_for_update().order_by("number"))
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


# ================================================================ experts and on-site checks


@transaction.atomic
def register_expert(
    user: Any, *, expert_user_id: int, region_code: str, specialties: list[str] | None = None
) -> ExpertProfile:
    require(user, "expert.manage", Target(region_code=region_code))
    from airgrade.platform.accounts.models import User

    expert_user = User.objects.filter(pk=expert_user_id, role=Role.EXPERT.value).first()
    if expert_user is None:
        raise ServiceError("该用户不存在或不是专家角色", field="expert_user_id")
    profile, created = ExpertProfile.objects.get_or_create(
        user=expert_user, defaults={"region_id": region_code, "specialties": specialties or []}
    )
    if not created:
        raise ServiceError("该专家已在专家库中", field="expert_user_id")
    audit.record(
        actor=user, action="expert.register", obj=profile, region_code=region_code, after=audit.snapshot(profile)
    )
    return profile


@transaction.atomic
def declare_tie(user: Any, *, enterprise_id: int, note: str = "") -> ExpertTie:
    """An expert declares a tie to an enterprise; from then on they cannot be assigned to it (REQ SJZ-7)."""
    profile = ExpertProfile.objects.filter(user=user).first()
    if profile is None:
        raise AccessDenied("只有专家库中的专家可以申报利益关联")
    require(user, "expert.declare_tie", Target(assignment_key=f"expert:{profile.pk}"))
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound("企业不存在")
    tie, created = ExpertTie.objects.get_or_create(expert=profile, enterprise=enterprise, defaults={"note": note})
    if created:
        audit.record(
            actor=user,
            action="expert.tie",
            obj=tie,
            region_code=enterprise.region_id,
            after={"enterprise": enterprise.pk, "note": note},
        )
    return tie


@transaction.atomic
def blacklist_expert(user: Any, expert_id: int, *, reason: str) -> ExpertProfile:
    """Experts taking gifts or giving false opinions are blacklisted and lose their assignments (REQ SJZ-7)."""
    profile = ExpertProfile.objects.select_for_update().filter(pk=expert_id).first()
    if profile is None:
        raise NotFound("专家不存在")
    require(user, "expert.blacklist", Target(region_code=profile.region_id))
    if not reason.strip():
        raise ServiceError("须写明列入黑名单的事由", field="reason")
    profile.blacklisted, profile.blacklist_reason, profile.blacklisted_at = True, reason, now()
    profile.save()
    audit.record(
        actor=user,
        action="expert.blacklist",
        obj=profile,
        region_code=profile.region_id,
        after={"blacklisted": True},
        reason=reason,
    )
    return profile


LEVEL_FOR_ROLE = {Role.COUNTY: OnsiteCheck.Level.COUNTY, Role.CITY: OnsiteCheck.Level.CITY}
STATE_FOR_LEVEL = {OnsiteCheck.Level.COUNTY: State.COUNTY_REVIEW, OnsiteCheck.Level.CITY: State.CITY_REVIEW}


def checklist_for(declaration: Declaration) -> list[dict[str, Any]]:
    refs = []
    for item in declaration.items.all():
        refs += rulebook.indicators(item.industry_code, declaration.campaign.rules_as_of, declaration.region_id)
    return [
        {
            "section": section.code,
            "label": section.label_zh,
            "items": [
                {"industry_code": r.industry_code, "indicator_id": r.indicator_id, "label": r.label_zh}
                for r in section.items
            ],
        }
        for section in build_checklist(refs)
    ]


@transaction.atomic
def open_onsite_check(user: Any, declaration_id: int) -> OnsiteCheck:
    """Open the caller's level of on-site check with a checklist from the rule book by the 8 LC-2 aspects."""
    declaration = _get_declaration(declaration_id, for_update=True)
    actor = require(user, "onsite.assign", declaration_target(declaration))
    level = LEVEL_FOR_ROLE[actor.role]
    if declaration.state != STATE_FOR_LEVEL[level]:
        raise ServiceError(f"申报处于“{State(declaration.state).label_zh}”，不能开展{OnsiteCheck.Level(level).label}")
    if declaration.onsite_checks.filter(level=level).exists():
        raise ServiceError("本级现场核查已建立")
    check_row = OnsiteCheck.objects.create(
        declaration=declaration, level=level, checklist=checklist_for(declaration), created_by=user
    )
    audit.record(
        actor=user, action="onsite.open", obj=check_row, region_code=declaration.region_id, after={"level": level}
    )
    return check_row


def _check(check_id: int) -> OnsiteCheck:
    row = OnsiteCheck.objects.select_related("declaration").select_for_update(of=("self",)).filter(pk=check_id).first()
    if row is None:
        raise NotFound("现场核查不存在或未分配给您")
    return row


@transaction.atomic
def assign_expert(user: Any, check_id: int, expert_id: int) -> OnsiteCheck:
    row = _check(check_id)
    require(user, "onsite.assign", declaration_target(row.declaration))
    profile = ExpertProfile.objects.filter(pk=expert_id).first()
    if profile is None:
        raise NotFound("专家不存在")
    if profile.blacklisted:
        raise ServiceError("该专家已列入黑名单，不能分配评审任务（REQ SJZ-7）", field="expert")
    if ExpertTie.objects.filter(expert=profile, enterprise_id=row.declaration.enterprise_id).exists():
        raise ServiceError("该专家申报了与本企业的利益关联，须回避（REQ SJZ-7）", field="expert")
    row.experts.add(profile)
    audit.record(
        actor=user, action="onsite.assign", obj=row, region_code=row.declaration.region_id, after={"expert": profile.pk}
    )
    return row


def _require_check_access(user: Any, row: OnsiteCheck) -> None:
    require(user, "onsite.record", declaration_target(row.declaration, row.assignment_key))
    if row.signed_at is not None:
        raise ServiceError("现场核查已签字确认，不能再修改")


@transaction.atomic
def record_finding(
    user: Any,
    check_id: int,
    *,
    industry_code: str,
    indicator_id: str,
    result: str,
    note: str = "",
    section: str = "",
) -> OnsiteFinding:
    row = _check(check_id)
    _require_check_access(user, row)
    if result not in ("met", "not_met", "na"):
        raise ServiceError("核查结论须为 符合 / 不符合 / 不适用", field="result")
    if result == "not_met" and not note.strip():
        raise ServiceError("不符合项须写明现场情况", field="note")
    finding, _ = OnsiteFinding.objects.update_or_create(
        onsite_check=row,
        industry_code=industry_code,
        indicator_id=indicator_id,
        defaults={"result": result, "note": note, "section": section, "recorded_by": user},
    )
    audit.record(
        actor=user,
        action="onsite.finding",
        obj=finding,
        region_code=row.declaration.region_id,
        after={"indicator": indicator_id, "result": result, "note": note},
    )
    return finding


@transaction.atomic
def add_photo(user: Any, check_id: int, *, filename: str, content: bytes, indicator_id: str = "") -> OnsitePhoto:
    row = _check(check_id)
    _require_check_access(user, row)
    checked = check_upload(filename, content, allowed=("jpg", "png"))
    photo = OnsitePhoto(onsite_check=row, indicator_id=indicator_id, sha256=checked.sha256, uploaded_by=user)
    photo.file.save(f"{checked.sha256}.{checked.kind}", ContentFile(content), save=False)
    photo.save()
    audit.record(
        actor=user,
        action="onsite.photo",
        obj=photo,
        region_code=row.declaration.region_id,
        after={"sha256": checked.sha256},
    )
    return photo


@transaction.atomic
def sign_check(user: Any, check_id: int, *, conclusion: str, summary: str, signature_name: str) -> OnsiteCheck:
    """The responsible official signs the check (experts record findings, officials sign: H23-3)."""
    row = _check(check_id)
    actor = require(user, "onsite.assign", declaration_target(row.declaration))
    if LEVEL_FOR_ROLE.get(actor.role) != row.level:
        raise AccessDenied("只能签署本级的现场核查")
    if row.signed_at is not None:
        raise ServiceError("现场核查已签字确认")
    if conclusion not in OnsiteCheck.Conclusion.values:
        raise ServiceError("须选择核查结论", field="conclusion")
    if not signature_name.strip():
        raise ServiceError("须签署核查人姓名", field="signature_name")
    if conclusion == OnsiteCheck.Conclusion.INCONSISTENT and not summary.strip():
        raise ServiceError("现场与申报不符须写明情况", field="summary")
    row.conclusion, row.summary, row.signature_name = conclusion, summary, signature_name.strip()
    row.signed_by, row.signed_at = user, now()
    row.save()
    audit.record(
        actor=user,
        action="onsite.sign",
        obj=row,
        region_code=row.declaration.region_id,
        after={"conclusion": conclusion, "signature": row.signature_name},
    )
    return row


# ================================================================ due dates and work queues

# Which role acts next in each state.
NEXT_ROLE = {
    State.DRAFT: Role.ENTERPRISE,
    State.RETURNED: Role.ENTERPRISE,
    State.SUBMITTED: Role.COUNTY,
    State.COUNTY_REVIEW: Role.COUNTY,
    State.COUNTY_PASSED: Role.CITY,
    State.CITY_REVIEW: Role.CITY,
    State.CITY_PASSED: Role.CITY,
    State.PROVINCE_VERIFICATION: Role.PROVINCE,
}


def due_for(declaration: Declaration) -> dt.datetime | None:
    """The due date of the next step: the industry batch (H21-4) if the campaign has batches; else the
    milestone of the acting level (LC-8 county 8/18, city 8/20); else the campaign's deadline (monthly: month end).
    For drafts, the application deadline."""
    campaign = declaration.campaign
    state = State(declaration.state)
    if state is State.DRAFT:
        return campaign.application_deadline
    role = NEXT_ROLE.get(state)
    if role is None:
        return None
    batches = tuple(campaign.batches.all())
    if batches:
        from airgrade.core.workflow.campaigns import IndustryBatch

        core_batches = tuple(
            IndustryBatch(
                order=b.order,
                code=b.code,
                name_zh=b.name,
                families=tuple(b.families),
                includes_guarantee=b.includes_guarantee,
                due=b.due.replace(tzinfo=None),
            )
            for b in batches
        )
        dues = []
        for item in declaration.items.all():
            batch = batch_for_industry(core_batches, item.industry_code, guarantee=declaration.is_guarantee)
            if batch is not None:
                dues.append(next(b.due for b in batches if b.code == batch.code))
        if dues:
            return min(dues)
    milestone = campaign.milestones.filter(by=role.value).order_by("due").first()
    if milestone is not None and role in (Role.COUNTY, Role.CITY):
        return milestone.due
    return campaign.application_deadline if campaign.kind == Campaign.Kind.MONTHLY else None


def work_queue(user: Any) -> list[dict[str, Any]]:
    """The caller's tasks with due dates; overdue ones flagged (highlighted on the page)."""
    actor = actor_of(user)
    moment = now()
    tasks: list[dict[str, Any]] = []
    states = [s.value for s, role in NEXT_ROLE.items() if role is actor.role]
    if actor.role is Role.EXPERT:
        for row in OnsiteCheck.objects.filter(experts__user=user, signed_at__isnull=True).select_related(
            "declaration", "declaration__enterprise", "declaration__campaign"
        ):
            due = due_for(row.declaration)
            tasks.append(
                {
                    "kind": "onsite",
                    "id": row.pk,
                    "declaration_id": row.declaration_id,
                    "title": f"{row.get_level_display()}：{row.declaration.enterprise.name}",
                    "due": due,
                    "overdue": bool(due and due < moment),
                }
            )
        return tasks
    for declaration in visible_declarations(user).filter(state__in=states).prefetch_related("items"):
        due = due_for(declaration)
        tasks.append(
            {
                "kind": "declaration",
                "id": declaration.pk,
                "declaration_id": declaration.pk,
                "title": f"{declaration.number} {declaration.enterprise.name}（{State(declaration.state).label_zh}）",
                "due": due,
                "overdue": bool(due and due < moment),
            }
        )
    if actor.role in (Role.COUNTY, Role.CITY, Role.ENTERPRISE):
        from airgrade.platform.grades.models import RectificationOrder

        orders = scoped(
            RectificationOrder.objects.exclude(status=RectificationOrder.Status.CLOSED),
            actor,
            enterprise_field="enterprise_id",
        ).select_related("enterprise")
        for order in orders:
            waiting_on_enterprise = order.status == RectificationOrder.Status.OPEN
            if waiting_on_enterprise != (actor.role is Role.ENTERPRISE):
                continue
            due = timezone.make_aware(dt.datetime.combine(order.deadline, dt.time(23, 59)))
            tasks.append(
                {
                    "kind": "rectification",
                    "id": order.pk,
                    "declaration_id": None,
                    "title": f"整改：{order.enterprise.name} {order.problem[:30]}",
                    "due": due,
                    "overdue": grades.is_overdue(order),
                }
            )
    if actor.role is Role.CITY:
        from airgrade.platform.disclosure.models import Objection

        for objection in Objection.objects.filter(
            city__code__startswith=Region(code=actor.region_code or "").prefix
        ).exclude(status=Objection.Status.CLOSED):
            due = objection.filed_at + dt.timedelta(days=30)
            tasks.append(
                {
                    "kind": "objection",
                    "id": objection.pk,
                    "declaration_id": None,
                    "title": f"举报 {objection.reference}：{objection.enterprise.name}",
                    "due": due,
                    "overdue": due < moment,
                }
            )
    tasks.sort(key=lambda t: (not t["overdue"], t["due"] or moment + dt.timedelta(days=3650)))
    return tasks


def declarations_in_scope(user: Any, q: Q | None = None) -> QuerySet[Declaration]:
    queryset = visible_declarations(user)
    return queryset.filter(q) if q is not None else queryset
