"""Declaration pages: work queue and list, campaigns (create from a template, cut-off, B sample), the
declaration page (items, evidence, commitment, document, self-check, on-site checks and the action buttons the
caller is allowed). Every write calls a service; a refusal shows its Chinese message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from airgrade.core.access import Target
from airgrade.core.industries import industry_by_code
from airgrade.core.types import Grade, Role
from airgrade.core.workflow import State, transition_for
from airgrade.core.workflow.campaigns import campaign_templates
from airgrade.platform.declarations import files, services
from airgrade.platform.declarations.models import OnsiteCheck
from airgrade.platform.errors import NotFound, ServiceError, form_int
from airgrade.platform.permissions import actor_of, permissions_for

GRADES = [g.value for g in Grade]


def _run(request: HttpRequest, work: Callable[[], Any], success: str) -> bool:
    try:
        work()
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@login_required
def declaration_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    rows = services.visible_declarations(request.user).prefetch_related("items").order_by("-id")[:200]
    campaigns = list(services.campaigns_for_user(request.user))
    return render(
        request,
        "declarations/list.html",
        {
            "queue": services.work_items(request.user),
            "rows": rows,
            "campaigns": campaigns,
            "can_create": "declaration.create" in permissions_for(actor),
            "now": timezone.now(),
        },
    )


@login_required
def declaration_new(request: HttpRequest) -> HttpResponse:
    enterprise = request.user.enterprise
    if enterprise is None:
        raise NotFound("只有企业用户可以申报")
    sites = list(enterprise.sites.prefetch_related("industries"))
    campaigns = list(services.campaigns_for_region(enterprise.region_id))
    if request.method == "POST":
        try:
            site_id = form_int(request.POST.get("site"), field="site", label="厂区", required=False) or 0
            campaign_id = form_int(request.POST.get("campaign"), field="campaign", label="评级批次", required=False)
            site = next((s for s in sites if s.pk == site_id), None)
            items = []
            for assignment in site.industries.all() if site is not None else []:
                grade = request.POST.get(f"grade_{assignment.industry_code}", "")
                if grade:
                    items.append(
                        {"industry_code": assignment.industry_code, "target_grade": grade, "process": assignment.branch}
                    )
            declaration = services.create_declaration(
                request.user,
                campaign_id=campaign_id or 0,
                site_id=site_id,
                items=items,
                is_guarantee=request.POST.get("is_guarantee") == "on",
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已创建申报 {declaration.number}")
            return redirect("declarations:detail", declaration.pk)
    site_rows = [
        {
            "site": s,
            "industries": [
                (a.industry_code, getattr(industry_by_code(a.industry_code), "name_zh", "")) for a in s.industries.all()
            ],
        }
        for s in sites
    ]
    return render(request, "declarations/new.html", {"sites": site_rows, "campaigns": campaigns, "grades": GRADES})


@login_required
def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = services.get_declaration(request.user, declaration_id)
    actor = actor_of(request.user)
    allowed = permissions_for(actor, services.declaration_target(declaration))
    editable = State(declaration.state).is_editable and "declaration.edit" in allowed
    checks = list(declaration.onsite_checks.prefetch_related("findings", "photos", "experts"))
    for check_ in checks:
        # Findings name indicators by id; show the checklist's label for each (the checklist is stored with the check).
        labels = {
            (item["industry_code"], item["indicator_id"]): item["label"]
            for section in check_.checklist or []
            for item in section.get("items", [])
        }
        check_.finding_rows = [  # type: ignore[attr-defined]
            (finding, labels.get((finding.industry_code, finding.indicator_id), finding.indicator_id))
            for finding in check_.findings.all()
        ]
    level = services.LEVEL_FOR_ROLE.get(actor.role)
    can_open_check = (
        "onsite.assign" in allowed
        and level is not None
        and declaration.state == services.STATE_FOR_LEVEL[level]
        and not any(c.level == level for c in checks)
    )
    return render(
        request,
        "declarations/detail.html",
        {
            "d": declaration,
            "state_label": State(declaration.state).label_zh,
            "items": [
                {"item": i, "name": getattr(industry_by_code(i.industry_code), "name_zh", i.industry_code)}
                for i in declaration.items.all()
            ],
            "actions": services.actions_for(request.user, declaration),
            "editable": editable,
            "events": [
                {
                    "event": e,
                    "label": getattr(transition_for(e.action), "label_zh", e.action),
                    "role": {r.value: r.label_zh for r in Role}.get(e.reviewer_role, e.reviewer_role),
                }
                for e in declaration.events.all()
            ],
            "seals_ok": services.verify_seals(declaration),
            "checks": checks,
            "can_open_check": can_open_check,
            "grades": GRADES,
            "self_check": services.self_check(request.user, declaration.pk) if editable else None,
            "due": services.due_for(declaration),
            "now": timezone.now(),
            "conclusions": OnsiteCheck.Conclusion.choices,
            "my_level": services.LEVEL_FOR_ROLE.get(actor.role),
        },
    )


@login_required
@require_POST
def declaration_action(request: HttpRequest, declaration_id: int) -> HttpResponse:
    post = request.POST
    action = post.get("action", "")
    labels = {
        a["action"]: a["label"]
        for a in services.actions_for(request.user, services.get_declaration(request.user, declaration_id))
    }
    _run(
        request,
        lambda: services.transition(
            request.user,
            declaration_id,
            action,
            expected_state=post.get("expected_state", ""),
            expected_version=form_int(
                post.get("expected_version"), field="expected_version", label="版本号", required=False
            ),
            opinion=post.get("opinion", ""),
            grade=post.get("grade") or None,
        ),
        f"已完成：{labels.get(action, action)}",
    )
    return redirect("declarations:detail", declaration_id)


@login_required
@require_POST
def declaration_prepare(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Enterprise-side steps before submission: evidence, commitment, document."""
    step = request.POST.get("step")
    if step == "commitment":
        _run(
            request,
            lambda: services.sign_commitment(
                request.user, declaration_id, signer_name=request.POST.get("signer_name", "")
            ),
            "承诺书已签署",
        )
    elif step == "document":
        _run(request, lambda: services.generate_document(request.user, declaration_id), "已生成申请文件")
    elif step == "evidence":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的文件")
        else:
            _run(
                request,
                lambda: services.upload_evidence(
                    request.user,
                    declaration_id,
                    filename=upload.name or "",
                    content=upload.read(),
                    indicator_id=request.POST.get("indicator_id", ""),
                ),
                f"已上传 {upload.name}",
            )
    return redirect("declarations:detail", declaration_id)


@login_required
def declaration_document(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = services.get_declaration(request.user, declaration_id)
    if not declaration.document:
        raise NotFound("尚未生成申请文件")
    return FileResponse(
        declaration.document.open("rb"),
        as_attachment=True,
        filename=f"{declaration.number}-{declaration.get_document_kind_display()}.docx",
    )


@login_required
def evidence_download(request: HttpRequest, declaration_id: int, evidence_id: int) -> HttpResponse:
    """A proof file, for those who may see the declaration (404 for everyone else)."""
    evidence, content = files.stored_evidence(request.user, declaration_id, evidence_id)
    return files.attachment(evidence, content)


@login_required
@require_POST
def onsite(request: HttpRequest, declaration_id: int) -> HttpResponse:
    post = request.POST
    step = post.get("step")
    if step == "open":
        _run(request, lambda: services.open_onsite_check(request.user, declaration_id), "已建立现场核查")
    elif step == "finding":
        _run(
            request,
            lambda: services.record_finding(
                request.user,
                _check_id(post),
                industry_code=post.get("industry_code", ""),
                indicator_id=post.get("indicator_id", ""),
                result=post.get("result", ""),
                note=post.get("note", ""),
            ),
            "已记录核查发现",
        )
    elif step == "sign":
        _run(
            request,
            lambda: services.sign_check(
                request.user,
                _check_id(post),
                conclusion=post.get("conclusion", ""),
                summary=post.get("summary", ""),
                signature_name=post.get("signature_name", ""),
            ),
            "现场核查已签字",
        )
    return redirect("declarations:detail", declaration_id)


def _check_id(post: Any) -> int:
    return form_int(post.get("check"), field="check", label="现场核查编号") or 0


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    if request.method == "POST":
        post = request.POST
        try:
            deadline = timezone.make_aware(dt.datetime.fromisoformat(post.get("deadline", "")))
        except ValueError:
            messages.error(request, "申报截止时间格式有误")
        else:
            if _run(
                request,
                lambda: services.create_campaign(
                    request.user,
                    name=post.get("name", ""),
                    region_code=actor.region_code or "",
                    application_deadline=deadline,
                    template_code=post.get("template", ""),
                    b_sample_ratio=post.get("ratio", "1/5"),
                ),
                "已建立评级批次",
            ):
                return redirect("declarations:campaigns")
    return render(
        request,
        "declarations/campaigns.html",
        {
            "campaigns": services.campaigns_for_user(request.user),
            "templates": campaign_templates(),
            "can_manage": "campaign.manage" in permissions_for(actor),
        },
    )


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = services.visible_campaign(request.user, campaign_id)
    actor = actor_of(request.user)
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "sample":
            seed = request.POST.get("seed", "").strip()
            _run(
                request,
                lambda: services.draw_b_sample(
                    request.user,
                    campaign.pk,
                    city_code=actor.region_code or "",
                    seed=form_int(seed, field="seed", label="随机种子", required=False),
                ),
                "已完成B级抽样",
            )
        elif step == "cutoff":
            _run(request, lambda: services.run_cutoff(request.user, campaign.pk), "已完成截止处理")
        return redirect("declarations:campaign", campaign.pk)
    visible = set(services.visible_declarations(request.user).values_list("pk", flat=True))
    allowed = permissions_for(actor, Target(region_code=campaign.region_id))
    return render(
        request,
        "declarations/campaign.html",
        {
            "c": campaign,
            "applications": [d for d in services.application_list(campaign) if d.pk in visible],
            "draws": services.campaign_draws(request.user, campaign),
            "cutoffs": services.campaign_cutoffs(request.user, campaign)[:200],
            "is_city": "sample.draw" in allowed,
            "can_cutoff": "campaign.cutoff" in allowed,
            "now": timezone.now(),
        },
    )
