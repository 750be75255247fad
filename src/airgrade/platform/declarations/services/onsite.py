"""Experts and on-site checks: register, ties, blacklist, open a check, assign experts, findings, photos, signing
(REQ LC-2, SJZ-7, SJZ-8).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet

from airgrade.core.access import Target, decide
from airgrade.core.types import Role
from airgrade.core.workflow import (
    State,
)
from airgrade.core.workflow.onsite import build_checklist
from airgrade.platform.accounts.models import User
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations import rulebook
from airgrade.platform.declarations.files import check_upload
from airgrade.platform.declarations.models import (
    Declaration,
    ExpertProfile,
    ExpertSignoff,
    ExpertTie,
    OnsiteCheck,
    OnsiteFinding,
    OnsitePhoto,
)
from airgrade.platform.declarations.services.common import (
    declaration_target,
    load_declaration,
    now,
    require_visible,
)
from airgrade.platform.enterprises.models import Enterprise
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.permissions import actor_of, require, require_found, require_role


@transaction.atomic
def register_expert(
    user: Any, *, expert_user_id: int, region_code: str, specialties: list[str] | None = None
) -> ExpertProfile:
    require(user, "expert.manage", Target(region_code=region_code))
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
    require_role(user, "expert.blacklist")  # the same answer for every expert, existing or not
    profile = ExpertProfile.objects.select_for_update(no_key=True).filter(pk=expert_id).first()
    if profile is None:
        raise NotFound("专家不存在")
    require_found(
        user, "expert.blacklist", Target(region_code=profile.region_id), view="region.view", missing="专家不存在"
    )
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


def expert_queryset(user: Any) -> QuerySet[ExpertProfile]:
    """The experts of the pools the caller manages (city / province in scope), with their checks, as a queryset
    (for the list page's filters and export). Which pools: the access table decides per pool region."""
    actor = actor_of(user)
    regions = ExpertProfile.objects.values_list("region_id", flat=True).distinct()
    managed = [code for code in regions if decide(actor, "expert.manage", Target(region_code=code))]
    return (
        ExpertProfile.objects.filter(region_id__in=managed)
        .select_related("user", "region")
        .prefetch_related("checks__declaration__enterprise", "ties__enterprise")
        .order_by("region_id", "id")
    )


def visible_experts(user: Any) -> list[ExpertProfile]:
    """The experts of the pool the caller manages (city / province in scope), with their checks."""
    return list(expert_queryset(user))


def visible_expert(user: Any, expert_id: int) -> ExpertProfile:
    profile = next((p for p in visible_experts(user) if p.pk == expert_id), None)
    if profile is None:
        raise NotFound("专家不存在")
    return profile


def unregistered_experts() -> list[User]:
    """Accounts with the expert role that are not in the expert pool yet (candidates to register)."""
    return list(
        User.objects.filter(role=Role.EXPERT.value, is_active=True, expert_profile__isnull=True).order_by("username")
    )


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
    declaration = load_declaration(declaration_id, for_update=True)
    require_visible(user, declaration)
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


MISSING_CHECK = "现场核查不存在或未分配给您"


def _check(user: Any, check_id: int) -> OnsiteCheck:
    """The locked check, if the caller may see it: out of scope looks like missing, before any other check."""
    row = (
        OnsiteCheck.objects.select_related("declaration")
        .select_for_update(of=("self",), no_key=True)
        .filter(pk=check_id)
        .first()
    )
    if row is None or not decide(
        actor_of(user), "onsite.view", declaration_target(row.declaration, row.assignment_key)
    ):
        raise NotFound(MISSING_CHECK)
    return row


@transaction.atomic
def assign_expert(user: Any, check_id: int, expert_id: int) -> OnsiteCheck:
    row = _check(user, check_id)
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
    if row.expert_signoffs.filter(expert__user=user).exists():
        raise ServiceError("您已签署本次现场核查的意见，不能再修改核查结果")


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
    row = _check(user, check_id)
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
    row = _check(user, check_id)
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
    row = _check(user, check_id)
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


@transaction.atomic
def expert_sign(user: Any, check_id: int, *, signature_name: str, opinion: str = "") -> ExpertSignoff:
    """An assigned expert signs the findings of a check once every checklist item has one (REQ SJZ-7, H23-3)."""
    row = _check(user, check_id)
    _require_check_access(user, row)
    profile = ExpertProfile.objects.filter(user=user).first()
    if profile is None or not row.experts.filter(pk=profile.pk).exists():
        raise AccessDenied("只有分配到本次现场核查的专家可以签署核查意见")
    if not signature_name.strip():
        raise ServiceError("须签署专家姓名", field="signature_name")
    recorded = set(row.findings.values_list("industry_code", "indicator_id"))
    missing = [
        item["label"]
        for section in row.checklist or []
        for item in section.get("items", [])
        if (item["industry_code"], item["indicator_id"]) not in recorded
    ]
    if missing:
        more = "等" if len(missing) > 3 else ""
        raise ServiceError(
            f"还有 {len(missing)} 项未核查（{'、'.join(missing[:3])}{more}），不能签字", field="findings"
        )
    signoff = ExpertSignoff.objects.create(
        onsite_check=row, expert=profile, signature_name=signature_name.strip()[:64], opinion=opinion, signed_at=now()
    )
    audit.record(
        actor=user,
        action="onsite.expert_sign",
        obj=signoff,
        region_code=row.declaration.region_id,
        after={"check": row.pk, "signature": signoff.signature_name, "opinion": opinion},
    )
    return signoff
