"""Declaration pages: work queue and list, campaigns (create from a template, cut-off, B sample), the
declaration page (items, evidence, commitment, document, self-check, on-site checks and the action buttons the
caller is allowed). Every write calls a service; a refusal shows its Chinese message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from airgrade.core.access import Target
from airgrade.core.industries import all_industries, industry_by_code
from airgrade.core.regions import contains
from airgrade.core.types import Grade, Role
from airgrade.core.workflow import State, WorkflowContext, transition_for
from airgrade.core.workflow.campaigns import campaign_templates
from airgrade.core.workflow.transitions import TRANSITIONS
from airgrade.io.documents.review_opinion import OPINION_KIND_OF_ACTION
from airgrade.platform import lists, params
from airgrade.platform.declarations import files, review, services
from airgrade.platform.declarations.forms import (
    ActionForm,
    CampaignForm,
    CampaignStepForm,
    FactsForm,
    NewDeclarationForm,
    OnsiteForm,
    PrepareForm,
)
from airgrade.platform.declarations.models import (
    GRADE_CHOICES,
    STATE_CHOICES,
    Campaign,
    DeclarationItem,
    ExpertProfile,
    OnsiteCheck,
)
from airgrade.platform.errors import NotFound, ServiceError, form_int, form_values
from airgrade.platform.hooks import contributions
from airgrade.platform.labels import grade_label
from airgrade.platform.pages import Action, Field, action_page, own_region, region_field, require_page
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


def _industry_label(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry is not None else code


class DeclarationFilter(lists.ScopedFilterSet):
    """申报列表: number / enterprise / site search, state, industry, decided grade, campaign, submission dates."""

    search_fields = ("number", "enterprise__name", "site__name")
    search_label = "编号、企业或厂区"
    state = lists.choice_filter("状态", STATE_CHOICES, "state")
    industry = django_filters.ChoiceFilter(label="行业", method="filter_industry", empty_label="全部")
    decided_grade = lists.choice_filter(
        "最终等级", tuple((code, grade_label(code)) for code, _ in GRADE_CHOICES), "decided_grade"
    )
    campaign = django_filters.ChoiceFilter(label="评级批次", field_name="campaign_id", empty_label="全部")
    submitted_from, submitted_to = lists.date_filters("submitted_at", "提交日期")

    def __init__(self, *args: Any, campaigns: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["industry"].extra["choices"] = [(i.code, i.name_zh) for i in all_industries()]
        self.filters["campaign"].extra["choices"] = campaigns or []

    def filter_industry(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(pk__in=DeclarationItem.objects.filter(industry_code=value).values("declaration_id"))


DECLARATION_COLUMNS = [
    lists.Column("申报编号", lambda d: d.number),
    lists.Column("企业", lambda d: d.enterprise.name),
    lists.Column("统一社会信用代码", lambda d: d.enterprise.credit_code),
    lists.Column("厂区", lambda d: d.site.name),
    lists.Column("所在区划", lambda d: d.region.name),
    lists.Column("评级批次", lambda d: d.campaign.name),
    lists.Column("行业", lambda d: "、".join(_industry_label(i.industry_code) for i in d.items.all())),
    lists.Column("申报等级", lambda d: "、".join(i.target_grade for i in d.items.all())),
    lists.Column("状态", lambda d: d.get_state_display()),
    lists.Column("最终等级", lambda d: d.decided_grade),
    lists.Column(
        "提交时间", lambda d: timezone.localtime(d.submitted_at).strftime("%Y-%m-%d %H:%M") if d.submitted_at else ""
    ),
]


@login_required
def declaration_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    campaigns = list(services.campaigns_for_user(request.user))
    result = lists.list_page(
        request,
        DeclarationFilter,
        services.visible_declarations(request.user).prefetch_related("items").order_by("-id"),
        actor=actor,
        columns=DECLARATION_COLUMNS,
        filename="绩效分级申报",
        filter_kwargs={"campaigns": [(str(c.pk), c.name) for c in campaigns]},
    )
    if isinstance(result, HttpResponse):
        return result
    return render(
        request,
        "declarations/list.html",
        {
            **result,
            "list_anchor": "declarations",
            "queue": services.work_items(request.user),
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
    # Only campaigns still open for applications (monthly campaigns take declarations all year, REQ H23-3).
    moment = timezone.now()
    campaigns = [
        c
        for c in services.campaigns_for_region(enterprise.region_id)
        if c.kind == Campaign.Kind.MONTHLY or c.application_deadline >= moment
    ]
    if request.method == "POST":
        try:
            posted = form_values(NewDeclarationForm(request.POST))
            site_id = form_int(posted["site"], field="site", label="厂区", required=False) or 0
            campaign_id = form_int(posted["campaign"], field="campaign", label="评级批次", required=False)
            site = next((s for s in sites if s.pk == site_id), None)
            items = []
            for assignment in site.industries.all() if site is not None else []:
                grade = posted.get(f"grade_{assignment.industry_code}", "")
                if grade:
                    items.append(
                        {"industry_code": assignment.industry_code, "target_grade": grade, "process": assignment.branch}
                    )
            declaration = services.create_declaration(
                request.user,
                campaign_id=campaign_id or 0,
                site_id=site_id,
                items=items,
                is_guarantee=posted["is_guarantee"] == "on",
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已创建申报 {declaration.number}")
            return redirect("declarations:detail", declaration.pk)
    typed = NewDeclarationForm(request.POST).typed() if request.method == "POST" else {}
    site_rows = [
        {
            "site": s,
            "industries": [
                {
                    "code": a.industry_code,
                    "name": review.industry_name(a.industry_code),
                    "grades": review.industry_scale(a.industry_code) or GRADES,
                    "chosen": typed.get(f"grade_{a.industry_code}", ""),
                }
                for a in s.industries.all()
            ],
        }
        for s in sites
    ]
    return render(
        request,
        "declarations/new.html",
        {
            "sites": site_rows,
            "campaigns": campaigns,
            "chosen_campaign": typed.get("campaign", ""),
            "chosen_site": typed.get("site", ""),
            "is_guarantee": typed.get("is_guarantee") == "on",
        },
    )


def _evidence_url(evidence: Any) -> str:
    """The scoped download of an evidence file, where the platform has that route."""
    try:
        return reverse("declarations:evidence", args=[evidence.declaration_id, evidence.pk])
    except NoReverseMatch:
        return ""


def _blocked_actions(actor: Any, declaration: Any, context: WorkflowContext) -> list[dict[str, Any]]:
    """Actions the caller may take in this state once their preconditions hold, with what is still missing
    (e.g. county grading appears only after the county on-site check is signed)."""
    allowed = permissions_for(actor, services.declaration_target(declaration))
    state = State(declaration.state)
    blocked = []
    for row in TRANSITIONS:
        if state not in row.sources or row.action not in allowed:
            continue
        missing = [c.label_zh for c in row.conditions if not context.holds(c)]
        if missing:
            blocked.append({"label": row.label_zh, "missing": missing})
    return blocked


def _check_rows(
    declaration: Any,
    actor: Any,
    my_level: str | None,
    typed: dict[str, dict[str, str]],
    errors: dict[str, str],
    user_id: int | None = None,
) -> list[dict[str, Any]]:
    """The on-site checks with their findings per LC-2 aspect, and whether the caller may record or sign."""
    rows = []
    for check_ in declaration.onsite_checks.prefetch_related("findings", "experts__user", "expert_signoffs"):
        findings = {(f.industry_code, f.indicator_id): f for f in check_.findings.all()}
        allowed = permissions_for(actor, services.declaration_target(declaration, check_.assignment_key))
        may_record = not check_.signed_at and "onsite.record" in allowed
        sections = []
        for section in check_.checklist or []:
            items = [
                {
                    "ref": f"{it['industry_code']}__{it['indicator_id']}",
                    "typed": typed.get(f"{it['industry_code']}__{it['indicator_id']}"),
                    "error": errors.get(f"{it['industry_code']}__{it['indicator_id']}", ""),
                    "industry_code": it["industry_code"],
                    "industry": review.industry_name(it["industry_code"]),
                    "indicator_id": it["indicator_id"],
                    "label": it["label"],
                    "finding": findings.get((it["industry_code"], it["indicator_id"])),
                }
                for it in section.get("items", [])
            ]
            for it in items:
                shown = it["typed"] or {}
                finding = it["finding"]
                it["chosen"] = shown.get("result", finding.result if finding else "")
                it["note"] = shown.get("note", finding.note if finding else "")
            done = sum(1 for it in items if it["finding"] is not None)
            sections.append({"code": section["section"], "label": section["label"], "items": items, "done": done})
        mine = not check_.signed_at and check_.level == my_level and "onsite.assign" in allowed
        signoffs = list(check_.expert_signoffs.all())
        assigned = [e for e in check_.experts.all() if e.user_id == user_id]
        # An expert's signature closes that expert's findings.
        may_record = may_record and not any(s.expert_id == e.pk for s in signoffs for e in assigned)
        rows.append(
            {
                "check": check_,
                "sections": sections,
                "signoffs": signoffs,
                "may_expert_sign": may_record and bool(assigned),
                "experts": [e.user for e in check_.experts.all()],
                "may_record": may_record,
                "may_sign": mine,
                "may_assign": mine,
            }
        )
    return rows


@login_required
def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    return _detail_page(request, declaration_id)


def _detail_page(
    request: HttpRequest,
    declaration_id: int,
    *,
    typed: dict[str, dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    facts_forms: dict[int, list[Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The declaration page; `typed`/`errors` carry back a refused findings form, `facts_forms` a refused facts
    form, so nothing the user typed is lost."""
    declaration = services.get_declaration(request.user, declaration_id)
    # Items, evidence and events are read by several parts of the page: fetched once.
    prefetch_related_objects([declaration], "items", "evidence", "events")
    actor = actor_of(request.user)
    target = services.declaration_target(declaration)
    allowed = permissions_for(actor, target)
    editable = State(declaration.state).is_editable and "declaration.edit" in allowed
    my_level = services.LEVEL_FOR_ROLE.get(actor.role)
    checks = _check_rows(declaration, actor, my_level, typed or {}, errors or {}, request.user.pk)
    context = services.workflow_context(declaration)
    can_open_check = (
        my_level is not None
        and "onsite.assign" in allowed
        and declaration.state == services.STATE_FOR_LEVEL[my_level]
        and not any(c["check"].level == my_level for c in checks)
    )
    evidence = list(declaration.evidence.all())
    reviews = review.review_items(declaration, evidence)
    links = {e.pk: _evidence_url(e) for e in evidence}
    experts = []
    if any(c["may_assign"] for c in checks):
        experts = [
            p
            for p in ExpertProfile.objects.filter(blacklisted=False).select_related("user")
            if contains(actor.region_code or "", p.region_id) or contains(p.region_id, declaration.region_id)
        ]
    return render(
        request,
        "declarations/detail.html",
        {
            "d": declaration,
            "state_label": State(declaration.state).label_zh,
            "reviews": reviews,
            "evidence_links": links,
            "actions": services.actions_for(request.user, declaration, context),
            "blocked": _blocked_actions(actor, declaration, context),
            "editable": editable,
            "events": [
                {
                    "event": e,
                    "label": getattr(transition_for(e.action), "label_zh", e.action),
                    "role": {r.value: r.label_zh for r in Role}.get(e.reviewer_role, e.reviewer_role),
                    "opinion_kind": OPINION_KIND_OF_ACTION.get(e.action, ""),
                }
                for e in declaration.events.all()
            ],
            "seals_ok": services.verify_seals(declaration),
            # Panels other apps contribute (the gate ledger's figures next to the declared ones, issue 11).
            "panels": contributions("declaration_panels", request.user, declaration),
            "checks": checks,
            "experts": experts,
            "can_open_check": can_open_check,
            "due": services.due_for(declaration),
            "now": timezone.now(),
            "conclusions": OnsiteCheck.Conclusion.choices,
            "results": RESULTS,
            "facts_forms": facts_forms
            or ({r.item.pk: review.fact_fields(declaration, r.item) for r in reviews} if editable else {}),
        },
        status=status,
    )


RESULTS = [("met", "符合"), ("not_met", "不符合"), ("na", "不适用")]


def _confirm_page(
    request: HttpRequest, declaration: Any, action: str, *, status: int = 200, error: str = ""
) -> HttpResponse:
    allowed = {a["action"]: a for a in services.actions_for(request.user, declaration)}
    if action not in allowed:
        raise NotFound("该操作当前不可执行")
    reviews = review.review_items(declaration)
    options = review.grade_options(declaration, action, reviews)
    post = ActionForm(request.POST).typed()
    grade_rows = [
        {"review": r, "options": options.get(r.item.pk, []), "chosen": post.get(f"grade_{r.item.industry_code}", "")}
        for r in reviews
    ]
    return render(
        request,
        "declarations/confirm.html",
        {
            "d": declaration,
            "a": allowed[action],
            "state_label": State(declaration.state).label_zh,
            "reviews": reviews,
            "grade_rows": grade_rows if options else [],
            "consequences": review.consequences(declaration, action, reviews),
            "opinion": post.get("opinion", ""),
            "error": error,
            "danger": action == "declaration.withdraw" or allowed[action]["to_state"] == State.RETURNED.value,
        },
        status=status,
    )


@login_required
def declaration_confirm(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """The confirmation step of an action: the consequences, the opinion and the grades it may set."""
    declaration = services.get_declaration(request.user, declaration_id)
    return _confirm_page(request, declaration, request.GET.get("action", ""))


@login_required
@require_POST
def declaration_action(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Carry out a confirmed action; without the confirmation, or on a refusal, show the confirmation step again
    with what was typed and the reason."""
    post = form_values(ActionForm(request.POST))
    action = post["action"]
    declaration = services.get_declaration(request.user, declaration_id)
    labels = {a["action"]: a["label"] for a in services.actions_for(request.user, declaration)}
    if action in labels and post.get("confirmed") != "1":
        return _confirm_page(request, declaration, action)
    item_grades: dict[str, str] = {}
    if action in labels:
        reviews = review.review_items(declaration)
        options = review.grade_options(declaration, action, reviews)
        for r in reviews:
            chosen = post.get(f"grade_{r.item.industry_code}", "") or post.get("grade", "")
            if r.item.pk not in options or not chosen:
                continue
            if chosen not in options[r.item.pk]:
                allowed = "、".join(options[r.item.pk]) or "无"
                error = f"{r.industry_name}：不能选择 {grade_label(chosen)}（可选：{allowed}）"
                return _confirm_page(request, declaration, action, status=400, error=error)
            item_grades[r.item.industry_code] = chosen
    try:
        services.transition(
            request.user,
            declaration_id,
            action,
            expected_state=post.get("expected_state", ""),
            expected_version=form_int(
                post.get("expected_version"), field="expected_version", label="版本号", required=False
            ),
            opinion=post.get("opinion", ""),
            item_grades=item_grades or None,
        )
    except ServiceError as exc:
        if action not in labels:
            messages.error(request, exc.message)
            return redirect("declarations:detail", declaration_id)
        return _confirm_page(request, declaration, action, status=400, error=exc.message)
    messages.success(request, f"已完成：{labels[action]}")
    return redirect("declarations:detail", declaration_id)


@login_required
@require_POST
def declaration_prepare(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Enterprise-side steps before submission: evidence, commitment, document."""
    posted = form_values(PrepareForm(request.POST, request.FILES))
    step = posted["step"]
    if step == "facts":
        return _save_facts(request, declaration_id)
    if step == "commitment":
        _run(
            request,
            lambda: services.sign_commitment(request.user, declaration_id, signer_name=posted["signer_name"]),
            "承诺书已签署",
        )
    elif step == "document":
        _run(request, lambda: services.generate_document(request.user, declaration_id), "已生成申请文件")
    elif step == "evidence":
        upload = posted["file"]
        if upload is None:
            messages.error(request, "请选择要上传的文件")
        else:
            # The page offers "industry__indicator" from the rule book; the older free-text field still works.
            industry_code, _, indicator_id = posted["indicator"].partition("__")
            _run(
                request,
                lambda: services.upload_evidence(
                    request.user,
                    declaration_id,
                    filename=upload.name or "",
                    content=upload.read(),
                    indicator_id=indicator_id or posted["indicator_id"],
                    industry_code=industry_code if indicator_id else "",
                ),
                f"已上传 {upload.name}",
            )
    return redirect("declarations:detail", declaration_id)


def _save_facts(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """The declared facts of every item, parsed field by field; any error keeps the whole form as typed."""
    declaration = services.get_declaration(request.user, declaration_id)
    post = form_values(FactsForm(request.POST))
    items, forms, failed = [], {}, False
    for item in declaration.items.all():
        prefix = f"fact__{item.pk}__"
        typed = {key[len(prefix) :]: post.get(key, "") for key in post if key.startswith(prefix)}
        facts, fields = review.parse_facts(declaration, item, typed)
        forms[item.pk] = fields
        failed = failed or any(f.error for f in fields)
        target = post.get(f"target__{item.pk}", item.target_grade)
        items.append(
            {"industry_code": item.industry_code, "process": item.process, "target_grade": target, "facts": facts}
        )
    if failed:
        messages.error(request, "申报数据有误，未保存；请按提示修改标红的项目")
        return _detail_page(request, declaration_id, facts_forms=forms, status=400)
    try:
        services.update_declaration(
            request.user,
            declaration_id,
            items=items,
            expected_version=form_int(post.get("expected_version"), field="version", label="版本号", required=False),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, declaration_id, facts_forms=forms, status=400)
    messages.success(request, "已保存申报数据；申请文件须重新生成")
    return redirect(reverse("declarations:detail", args=[declaration_id]) + "#self-check")


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
    post = form_values(OnsiteForm(request.POST))
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
    elif step == "findings":
        return _record_section(request, declaration_id)
    elif step == "expert_sign":
        _run(
            request,
            lambda: services.expert_sign(
                request.user,
                _check_id(post),
                signature_name=post.get("signature_name", ""),
                opinion=post.get("opinion", ""),
            ),
            "已签署专家核查意见",
        )
    elif step == "assign":
        _run(
            request,
            lambda: services.assign_expert(
                request.user,
                _check_id(post),
                form_int(post.get("expert"), field="expert", label="专家") or 0,
            ),
            "已分配专家",
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


def _record_section(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """One LC-2 aspect's findings in one go: every item's result and note, all or nothing. On a refusal the page
    comes back with what was typed and the reason next to the item."""
    post = form_values(OnsiteForm(request.POST))
    check_id = _check_id(post)
    typed: dict[str, dict[str, str]] = {}
    for key in post:
        if key.startswith("result__"):
            _, industry_code, indicator_id = key.split("__", 2)
            typed[f"{industry_code}__{indicator_id}"] = {
                "result": post.get(key, ""),
                "note": post.get(f"note__{industry_code}__{indicator_id}", ""),
            }
    errors: dict[str, str] = {}
    for ref, entry in typed.items():
        if entry["result"] == "not_met" and not entry["note"].strip():
            errors[ref] = "不符合项须写明现场情况"
    if not errors:
        try:
            with transaction.atomic():
                for ref, entry in typed.items():
                    if not entry["result"]:
                        continue
                    industry_code, indicator_id = ref.split("__", 1)
                    services.record_finding(
                        request.user,
                        check_id,
                        industry_code=industry_code,
                        indicator_id=indicator_id,
                        result=entry["result"],
                        note=entry["note"],
                        section=post.get("section", ""),
                    )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return _detail_page(request, declaration_id, typed=typed, status=400)
        messages.success(request, "已记录核查发现")
        return redirect(reverse("declarations:detail", args=[declaration_id]) + "#onsite")
    messages.error(request, "有未写明情况的不符合项，未保存")
    return _detail_page(request, declaration_id, typed=typed, errors=errors, status=400)


def _check_id(post: Any) -> int:
    return form_int(post.get("check"), field="check", label="现场核查编号") or 0


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    if request.method == "POST":
        post = form_values(CampaignForm(request.POST))
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
                    b_sample_ratio=post.get("ratio", ""),
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
        posted = form_values(CampaignStepForm(request.POST))
        step = posted["step"]
        if step == "sample":
            seed = posted["seed"].strip()
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
            "may_report": "workbook.official_export" in permissions_for(actor),
            "now": timezone.now(),
        },
    )


# ---------------------------------------------------------------- experts (专家库, SJZ-7)


def _expert_name(user: Any) -> str:
    return str(getattr(user, "display_name", "") or user.get_full_name() or user.username)


class ExpertFilter(lists.ScopedFilterSet):
    """专家库: name / account search, the pool's region, a specialty and the blacklist status."""

    search_fields = ("user__display_name", "user__first_name", "user__last_name", "user__username")
    search_label = "专家姓名或账号"
    specialty = django_filters.ChoiceFilter(label="专业行业", method="filter_specialty", empty_label="全部", choices=())
    status = django_filters.ChoiceFilter(
        label="状态",
        method="filter_status",
        empty_label="全部",
        choices=(("available", "可分配"), ("blacklisted", "已列入黑名单")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["specialty"].extra["choices"] = [(i.code, i.name_zh) for i in all_industries()]

    def filter_specialty(self, queryset: Any, name: str, value: str) -> Any:
        # Specialties are a JSON list; a JSON "contains" lookup is not available on SQLite, and a pool is small.
        return queryset.filter(pk__in=[p.pk for p in queryset if value in (p.specialties or [])]) if value else queryset

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(blacklisted=value == "blacklisted") if value else queryset


def _expert_checks(profile: Any) -> list[Any]:
    return sorted(profile.checks.all(), key=lambda c: c.pk, reverse=True)


EXPERT_COLUMNS = [
    lists.Column("专家", lambda p: _expert_name(p.user)),
    lists.Column("账号", lambda p: p.user.username),
    lists.Column("专家库", lambda p: p.region.name),
    lists.Column("专业行业", lambda p: "、".join(review.industry_name(code) for code in p.specialties)),
    lists.Column("分配的现场核查", lambda p: len(_expert_checks(p))),
    lists.Column("进行中的现场核查", lambda p: sum(1 for c in _expert_checks(p) if c.signed_at is None)),
    lists.Column("申报的利益关联", lambda p: "、".join(t.enterprise.name for t in p.ties.all())),
    lists.Column("状态", lambda p: "已列入黑名单" if p.blacklisted else "可分配"),
    lists.Column("列入黑名单原因", lambda p: p.blacklist_reason),
]


@login_required
def expert_list(request: HttpRequest) -> HttpResponse:
    """The expert pool the caller manages: region, specialties, assigned on-site checks, ties, the blacklist; on the
    shared list mechanism (ADR 0006): search, specialty, status, region, pages and export."""
    actor = actor_of(request.user)
    allowed = permissions_for(actor)
    require_page(allowed, "expert.manage")
    result = lists.list_page(
        request,
        ExpertFilter,
        services.expert_queryset(request.user),
        actor=actor,
        columns=EXPERT_COLUMNS,
        filename="专家库",
    )
    if isinstance(result, HttpResponse):
        return result
    rows = [
        {
            "p": profile,
            "name": _expert_name(profile.user),
            "specialties": "、".join(review.industry_name(code) for code in profile.specialties) or "—",
            "checks": [{"check": c, "open": c.signed_at is None} for c in _expert_checks(profile)],
            "ties": [t.enterprise.name for t in profile.ties.all()],
        }
        for profile in result["page"]
    ]
    return render(
        request,
        "declarations/experts.html",
        {
            **result,
            "rows": rows,
            "may_manage": "expert.manage" in allowed,
            "may_blacklist": "expert.blacklist" in allowed,
        },
    )


@login_required
def expert_register(request: HttpRequest) -> HttpResponse:
    """Register an account with the expert role into the caller's expert pool."""
    region = own_region(request.user, "expert.manage")
    candidates = tuple((str(u.pk), _expert_name(u)) for u in services.unregistered_experts())
    industries = tuple((i.code, i.name_zh) for i in all_industries())
    action = Action(
        label="登记专家",
        summary=(("专家库", region.full_name()),),
        consequences=(
            "该专家进入本级专家库，可被分配到本区划的现场核查；",
            "专家只能看到分配给本人的核查任务；与企业有利益关联的须申报，申报后不再分配到该企业。",
        ),
        fields=(
            region_field(region),
            Field("expert_user_id", "专家账号", "select", candidates, required=True),
            Field("specialty", "专业行业", "select", industries),
        ),
    )

    def run(typed: Mapping[str, str]) -> Any:
        return services.register_expert(
            request.user,
            expert_user_id=form_int(typed["expert_user_id"], field="expert_user_id", label="专家账号") or 0,
            region_code=params.region_code(typed["region"], required=True),
            specialties=[typed["specialty"]] if typed["specialty"] else [],
        )

    url = reverse("declarations:experts")
    return action_page(request, action, run, back=(url, "返回专家库"), done=url, done_message="已登记专家")


@login_required
def expert_blacklist(request: HttpRequest, expert_id: int) -> HttpResponse:
    profile = services.visible_expert(request.user, expert_id)
    action = Action(
        label="列入黑名单",
        danger=True,
        summary=(("专家", _expert_name(profile.user)), ("所属专家库", profile.region.name)),
        consequences=(
            "该专家不再被分配到任何现场核查；",
            "事由记入专家档案和审计日志，列入后不能在本页撤销。",
        ),
        fields=(Field("reason", "列入黑名单的事由", "textarea", required=True),),
    )

    def run(typed: Mapping[str, str]) -> Any:
        return services.blacklist_expert(request.user, profile.pk, reason=typed["reason"])

    url = reverse("declarations:experts")
    return action_page(request, action, run, back=(url, "返回专家库"), done=url, done_message="已列入黑名单")
