"""Declarations: create, edit, evidence uploads, the commitment, the generated application document and the
self-check (REQ LC-3, LC-4, LC-5).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from airgrade.core.access import Target
from airgrade.core.industries import industry_by_code
from airgrade.core.regions import contains
from airgrade.core.types import Grade, worst_grade
from airgrade.core.workflow import (
    State,
)
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations import fact_sources, rulebook
from airgrade.platform.declarations.documents import COMMITMENT_TEXT, build_document
from airgrade.platform.declarations.files import check_upload
from airgrade.platform.declarations.models import (
    Declaration,
    DeclarationItem,
    EvidenceFile,
)
from airgrade.platform.declarations.services.common import (
    application_open,
    declaration_target,
    get_campaign,
    load_declaration,
    now,
    parse_grade,
    require_visible,
)
from airgrade.platform.enterprises.models import Site
from airgrade.platform.errors import Conflict, NotFound, ServiceError
from airgrade.platform.hooks import grade_ledger
from airgrade.platform.permissions import require, require_found


def get_declaration(user: Any, declaration_id: int) -> Declaration:
    """A declaration the caller may see; out of scope looks like a missing one."""
    declaration = load_declaration(declaration_id)
    require_visible(user, declaration)
    return declaration


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
        grade = parse_grade(item.get("target_grade"), f"{field}.target_grade")
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
    target = Target(region_code=site.region_id, enterprise_id=site.enterprise_id)
    require_found(user, "declaration.create", target, view="enterprise.view", missing="厂区不存在")
    campaign = get_campaign(campaign_id)
    if not contains(campaign.region_id, site.region_id):
        raise ServiceError("该厂区不在本评级批次的组织区划内", field="campaign")
    if not application_open(campaign):
        raise ServiceError("本批次申报已截止；未按时申报的按最低等级管理（REQ LC-6）", field="campaign")
    ban = grade_ledger().active_ban(site.enterprise)
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
    declaration = load_declaration(declaration_id, for_update=True)
    require_visible(user, declaration)
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
    given = fact_sources.contributed(declaration)
    for item in declaration.items.all():
        result, sources = _graded_self_check(declaration, item, given)
        results.append(
            {
                "industry_code": item.industry_code,
                "process": item.process,
                "target_grade": item.target_grade,
                **result.as_dict(),
                "fact_sources": [source.as_dict() for source in sources],
            }
        )
    return results


def _graded_self_check(
    declaration: Declaration, item: DeclarationItem, given: list[dict[str, Any]]
) -> tuple[rulebook.SelfCheck, list[fact_sources.FactSource]]:
    """The engine's verdict on the facts as graded: the declared ones, with an independent record's value (the gate
    ledger's) in place of a declared one where the rule book puts it first (issue 11 §4)."""
    as_of = declaration.campaign.rules_as_of
    rules = rulebook.rules_or_none(item.industry_code, as_of, declaration.region_id)
    facts, sources = fact_sources.graded_facts(item, rules, given)
    return rulebook.self_check(item.industry_code, facts, as_of, declaration.region_id, item.process), sources


# ================================================================ transitions


def seal_self_check(declaration: Declaration, items: list[DeclarationItem]) -> None:
    """Keep the engine's verdict on the submitted facts, and the rules version it ran under, with each item: the
    grade records made from this declaration carry that version, so the grade can be reproduced (REQ G-7)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seal_self_check writes inside the transition's transaction")
    given = fact_sources.contributed(declaration)
    for index, item in enumerate(items, start=1):
        result, sources = _graded_self_check(declaration, item, given)
        if not result.available:
            # A draft may hold anything; what is submitted must be facts the rule book knows, of the right type.
            raise ServiceError(
                f"第 {index} 项（{item.industry_code}）指标事实有误，不能提交：{result.message}", field="facts"
            )
        item.self_check = {**result.as_dict(), "fact_sources": [source.as_dict() for source in sources]}
        item.rules_version = result.rules_version
        item.save(update_fields=["self_check", "rules_version"])


def _worst_target(declaration: Declaration) -> Grade:
    return worst_grade([Grade(i.target_grade) for i in declaration.items.all()])


def best_target(declaration: Declaration) -> Grade:
    return min((Grade(i.target_grade) for i in declaration.items.all()), key=lambda g: g.rank)
