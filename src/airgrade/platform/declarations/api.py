"""Declaration workflow API: campaigns, cut-off, declarations, evidence, documents, self-check, every transition
(with `allowed_actions` for the caller), the B sample, on-site checks, experts and the work queue."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router
from ninja.files import UploadedFile

from airgrade.core.workflow import State
from airgrade.platform.declarations import files, services
from airgrade.platform.declarations.models import Campaign, Declaration, OnsiteCheck
from airgrade.platform.declarations.schemas import (
    ApplicationOut,
    BlacklistIn,
    BlacklistOut,
    CampaignIn,
    CampaignOut,
    CheckOut,
    CommitmentIn,
    CutoffOut,
    DeclarationIn,
    DeclarationOut,
    DeclarationPatch,
    DeclarationRow,
    EvidenceOut,
    ExpertIn,
    FindingIn,
    FindingSaved,
    IdOut,
    MonthlyIn,
    PhotoOut,
    SampleIn,
    SampleOut,
    SelfCheckOut,
    SignIn,
    TieIn,
    TransitionIn,
    WorkItemOut,
)

router = Router(tags=["declarations"])


def _campaign(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "region": c.region_id,
        "kind": c.kind,
        "application_deadline": c.application_deadline,
        "rules_as_of": c.rules_as_of,
        "b_sample_ratio": c.b_sample_ratio,
        "cutoff_at": c.cutoff_at,
        "stages": [
            {"code": s.code, "name": s.name, "start": s.start.isoformat(), "end": s.end.isoformat()}
            for s in c.stages.all()
        ],
        "milestones": [
            {"code": m.code, "name": m.name, "due": m.due.isoformat(), "by": m.by} for m in c.milestones.all()
        ],
        "batches": [
            {
                "order": b.order,
                "code": b.code,
                "name": b.name,
                "families": b.families,
                "includes_guarantee": b.includes_guarantee,
                "due": b.due.isoformat(),
            }
            for b in c.batches.all()
        ],
    }


def declaration_out(request: HttpRequest, d: Declaration) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.number,
        "campaign_id": d.campaign_id,
        "site_id": d.site_id,
        "enterprise_id": d.enterprise_id,
        "enterprise": d.enterprise.name,
        "region": d.region_id,
        "state": d.state,
        "state_label": State(d.state).label_zh,
        "version": d.version,
        "is_guarantee": d.is_guarantee,
        "items": [
            {
                "industry_code": i.industry_code,
                "process": i.process,
                "target_grade": i.target_grade,
                "recommended_grade": i.recommended_grade,
                "facts": i.facts,
            }
            for i in d.items.all()
        ],
        "commitment_signed_by": d.commitment_signed_by,
        "commitment_signed_at": d.commitment_signed_at,
        "document_kind": d.document_kind,
        "document_sha256": d.document_sha256,
        "evidence": [
            {"id": e.pk, "name": e.original_name, "indicator_id": e.indicator_id, "sha256": e.sha256, "size": e.size}
            for e in d.evidence.all()
        ],
        "submitted_at": d.submitted_at,
        "sampled_for_city": d.sampled_for_city,
        "decided_grade": d.decided_grade,
        "decided_at": d.decided_at,
        "events": [
            {
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "reviewer": e.reviewer_name,
                "role": e.reviewer_role,
                "opinion": e.opinion,
                "grade": e.grade,
                "at": e.at,
                "seal": e.seal,
            }
            for e in d.events.all()
        ],
        "allowed_actions": services.actions_for(request.user, d),
        "due": services.due_for(d),
    }


@router.get("/campaigns", response=list[CampaignOut], summary="评级批次列表（本辖区）")
def list_campaigns(request: HttpRequest, region: str = "") -> list[dict[str, Any]]:
    return [_campaign(c) for c in services.campaigns_for_user(request.user, region)]


@router.post("/campaigns", response={201: CampaignOut}, summary="新建评级批次（可套用模板）")
def create_campaign(request: HttpRequest, body: CampaignIn) -> tuple[int, dict[str, Any]]:
    campaign = services.create_campaign(
        request.user,
        name=body.name,
        region_code=body.region,
        application_deadline=body.application_deadline,
        rules_as_of=body.rules_as_of,
        kind=body.kind,
        template_code=body.template_code,
        b_sample_ratio=body.b_sample_ratio,
    )
    return 201, _campaign(campaign)


@router.post("/campaigns/monthly", response={201: CampaignOut}, summary="新建月度评级批次（H23-3）")
def create_monthly(request: HttpRequest, body: MonthlyIn) -> tuple[int, dict[str, Any]]:
    campaign = services.create_monthly_campaign(request.user, region_code=body.region, year=body.year, month=body.month)
    return 201, _campaign(campaign)


@router.post("/campaigns/{campaign_id}/cutoff", response=CutoffOut, summary="截止处理：未申报的按最低等级管理（LC-6）")
def cutoff(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    records = services.run_cutoff(request.user, campaign_id)
    return {
        "defaulted": [
            {"site_id": r.site_id, "enterprise_id": r.enterprise_id, "industry_code": r.industry_code, "grade": r.grade}
            for r in records
        ]
    }


@router.get("/campaigns/{campaign_id}/applications", response=list[ApplicationOut], summary="申请名单（SJZ-2）")
def applications(request: HttpRequest, campaign_id: int) -> list[dict[str, Any]]:
    campaign = services.visible_campaign(request.user, campaign_id)
    visible = set(services.visible_declarations(request.user).values_list("pk", flat=True))
    return [
        {
            "number": d.number,
            "enterprise": d.enterprise.name,
            "credit_code": d.enterprise.credit_code,
            "site": d.site.name,
            "region": d.region_id,
            "state": d.state,
            "items": [{"industry_code": i.industry_code, "target_grade": i.target_grade} for i in d.items.all()],
        }
        for d in services.application_list(campaign)
        if d.pk in visible
    ]


@router.post("/campaigns/{campaign_id}/sample", response=SampleOut, summary="抽取市级现场核查的B级样本（可复现）")
def sample(request: HttpRequest, campaign_id: int, body: SampleIn) -> dict[str, Any]:
    result = services.draw_b_sample(request.user, campaign_id, city_code=body.city, seed=body.seed, ratio=body.ratio)
    draw = result.draw
    return {
        "id": draw.pk,
        "algorithm": draw.algorithm,
        "ratio": draw.ratio,
        "seed": draw.seed,
        "candidates": draw.candidates,
        "drawn": draw.drawn,
    }


@router.get("/", response=list[DeclarationRow], summary="我可见的申报")
def list_declarations(request: HttpRequest, state: str = "") -> list[dict[str, Any]]:
    queryset = services.visible_declarations(request.user)
    if state:
        queryset = queryset.filter(state=state)
    return [
        {
            "id": d.pk,
            "number": d.number,
            "enterprise": d.enterprise.name,
            "state": d.state,
            "state_label": State(d.state).label_zh,
            "region": d.region_id,
        }
        for d in queryset.order_by("-id")[:500]
    ]


@router.post("/", response={201: DeclarationOut}, by_alias=True, summary="新建申报（一厂一报）")
def create_declaration(request: HttpRequest, body: DeclarationIn) -> tuple[int, dict[str, Any]]:
    declaration = services.create_declaration(
        request.user,
        campaign_id=body.campaign_id,
        site_id=body.site_id,
        items=[i.dict() for i in body.items],
        is_guarantee=body.is_guarantee,
    )
    return 201, declaration_out(request, declaration)


@router.get("/queue", response=list[WorkItemOut], summary="申报待办（含到期与逾期；整改、举报等其他待办见工作台）")
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    return services.work_items(request.user)


@router.get("/{int:declaration_id}", response=DeclarationOut, by_alias=True, summary="申报详情（含 allowed_actions）")
def get_declaration(request: HttpRequest, declaration_id: int) -> dict[str, Any]:
    return declaration_out(request, services.get_declaration(request.user, declaration_id))


@router.patch("/{int:declaration_id}", response=DeclarationOut, by_alias=True, summary="修改申报（仅草稿或退回状态）")
def update_declaration(request: HttpRequest, declaration_id: int, body: DeclarationPatch) -> dict[str, Any]:
    declaration = services.update_declaration(
        request.user,
        declaration_id,
        items=[i.dict() for i in body.items] if body.items is not None else None,
        is_guarantee=body.is_guarantee,
        expected_version=body.expected_version,
    )
    return declaration_out(request, declaration)


@router.post("/{declaration_id}/evidence", response={201: EvidenceOut}, summary="上传证明材料（PDF/JPG/PNG）")
def upload_evidence(
    request: HttpRequest,
    declaration_id: int,
    file: File[UploadedFile],
    indicator_id: Form[str] = "",
    industry_code: Form[str] = "",
) -> tuple[int, dict[str, Any]]:
    evidence = services.upload_evidence(
        request.user,
        declaration_id,
        filename=file.name or "",
        content=file.read(),
        indicator_id=indicator_id,
        industry_code=industry_code,
    )
    return 201, {
        "id": evidence.pk,
        "name": evidence.original_name,
        "sha256": evidence.sha256,
        "content_type": evidence.content_type,
        "size": evidence.size,
    }


@router.get("/{declaration_id}/evidence/{evidence_id}", response={200: None}, summary="下载证明材料（仅申报可见者）")
def download_evidence(request: HttpRequest, declaration_id: int, evidence_id: int) -> HttpResponse:
    evidence, content = files.stored_evidence(request.user, declaration_id, evidence_id)
    return files.attachment(evidence, content)


@router.post("/{declaration_id}/commitment", response=DeclarationOut, by_alias=True, summary="签署减排承诺书")
def commitment(request: HttpRequest, declaration_id: int, body: CommitmentIn) -> dict[str, Any]:
    return declaration_out(
        request, services.sign_commitment(request.user, declaration_id, signer_name=body.signer_name)
    )


@router.post(
    "/{declaration_id}/document", response=DeclarationOut, by_alias=True, summary="生成申请报告/申请表（DOCX）"
)
def document(request: HttpRequest, declaration_id: int) -> dict[str, Any]:
    return declaration_out(request, services.generate_document(request.user, declaration_id))


@router.get("/{declaration_id}/self-check", response=list[SelfCheckOut], summary="提交前自评：引擎给出的等级与差距")
def self_check(request: HttpRequest, declaration_id: int) -> list[dict[str, Any]]:
    return services.self_check(request.user, declaration_id)


@router.post(
    "/{declaration_id}/transitions",
    response=DeclarationOut,
    by_alias=True,
    summary="流程操作（提交、受理、退回、通过、评定、核定、撤回）",
)
def do_transition(request: HttpRequest, declaration_id: int, body: TransitionIn) -> dict[str, Any]:
    declaration = services.transition(
        request.user,
        declaration_id,
        body.action,
        expected_state=body.expected_state,
        expected_version=body.expected_version,
        opinion=body.opinion,
        grade=body.grade,
        item_grades=body.item_grades,
    )
    return declaration_out(request, declaration)


@router.post(
    "/{declaration_id}/onsite", response={201: CheckOut}, summary="建立本级现场核查（按LC-2八个方面生成核查表）"
)
def open_onsite(request: HttpRequest, declaration_id: int) -> tuple[int, dict[str, Any]]:
    return 201, _check_out(services.open_onsite_check(request.user, declaration_id))


def _check_out(c: OnsiteCheck) -> dict[str, Any]:
    return {
        "id": c.pk,
        "declaration_id": c.declaration_id,
        "level": c.level,
        "checklist": c.checklist,
        "experts": list(c.experts.values_list("pk", flat=True)),
        "conclusion": c.conclusion,
        "summary": c.summary,
        "signature_name": c.signature_name,
        "signed_at": c.signed_at,
        "findings": [
            {"industry_code": f.industry_code, "indicator_id": f.indicator_id, "result": f.result, "note": f.note}
            for f in c.findings.all()
        ],
    }


@router.post(
    "/onsite/{check_id}/experts/{expert_id}", response=CheckOut, summary="分配专家（回避关联、黑名单不可分配）"
)
def assign_expert(request: HttpRequest, check_id: int, expert_id: int) -> dict[str, Any]:
    return _check_out(services.assign_expert(request.user, check_id, expert_id))


@router.post("/onsite/{check_id}/findings", response=FindingSaved, summary="记录核查发现（逐指标）")
def finding(request: HttpRequest, check_id: int, body: FindingIn) -> dict[str, Any]:
    f = services.record_finding(
        request.user,
        check_id,
        industry_code=body.industry_code,
        indicator_id=body.indicator_id,
        result=body.result,
        note=body.note,
        section=body.section,
    )
    return {"id": f.pk, "result": f.result}


@router.post("/onsite/{check_id}/photos", response={201: PhotoOut}, summary="上传现场照片（JPG/PNG）")
def photo(
    request: HttpRequest, check_id: int, file: File[UploadedFile], indicator_id: Form[str] = ""
) -> tuple[int, dict[str, Any]]:
    p = services.add_photo(
        request.user, check_id, filename=file.name or "", content=file.read(), indicator_id=indicator_id
    )
    return 201, {"id": p.pk, "sha256": p.sha256}


@router.post("/onsite/{check_id}/sign", response=CheckOut, summary="核查签字")
def sign(request: HttpRequest, check_id: int, body: SignIn) -> dict[str, Any]:
    return _check_out(
        services.sign_check(
            request.user, check_id, conclusion=body.conclusion, summary=body.summary, signature_name=body.signature_name
        )
    )


@router.post("/experts", response={201: IdOut}, summary="专家入库")
def register_expert(request: HttpRequest, body: ExpertIn) -> tuple[int, dict[str, Any]]:
    p = services.register_expert(
        request.user, expert_user_id=body.user_id, region_code=body.region, specialties=body.specialties
    )
    return 201, {"id": p.pk}


@router.post("/experts/ties", response=IdOut, summary="专家申报利益关联")
def declare_tie(request: HttpRequest, body: TieIn) -> dict[str, Any]:
    tie = services.declare_tie(request.user, enterprise_id=body.enterprise_id, note=body.note)
    return {"id": tie.pk}


@router.post("/experts/{expert_id}/blacklist", response=BlacklistOut, summary="专家列入黑名单（SJZ-7）")
def blacklist(request: HttpRequest, expert_id: int, body: BlacklistIn) -> dict[str, Any]:
    p = services.blacklist_expert(request.user, expert_id, reason=body.reason)
    return {"id": p.pk, "blacklisted": p.blacklisted}
