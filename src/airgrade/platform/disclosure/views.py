"""Public pages (no login): current grades by region and industry with search, result notices, the objection
form with an arithmetic captcha and the objection status; the monthly report for staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.industries import all_industries
from airgrade.platform import lists, params
from airgrade.platform.accounts.addresses import client_address
from airgrade.platform.accounts.captcha import new_captcha
from airgrade.platform.disclosure import services
from airgrade.platform.disclosure.forms import ObjectionForm
from airgrade.platform.disclosure.models import Objection, ResultNotice
from airgrade.platform.errors import NotFound, ServiceError, form_values
from airgrade.platform.hooks import contributions
from airgrade.platform.pages import Action, Field, action_page, require_page
from airgrade.platform.permissions import actor_of, permissions_for
from airgrade.platform.regions.models import Region


def public_grades(request: HttpRequest) -> HttpResponse:
    filters = services.PublicFilter(
        query=request.GET.get("q", ""),
        region_code=request.GET.get("region", ""),
        industry_code=request.GET.get("industry", ""),
        grade=request.GET.get("grade", ""),
    )
    if filters.region_code and not Region.objects.filter(code=filters.region_code).exists():
        filters = services.PublicFilter(filters.query, "", filters.industry_code, filters.grade)
    paginator = Paginator(services.public_grades(filters), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/grades.html",
        {
            "page": page,
            "rows": [services.public_row(r) | {"enterprise_id": r.enterprise_id} for r in page],
            "filters": filters,
            "industries": all_industries(),
            "cities": Region.objects.filter(level="city").order_by("code"),
            "grades": services.public_grade_choices(),
        },
    )


def notices(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/notices.html", {"notices": ResultNotice.objects.all()[:50]})


def objection_form(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = services.objectionable_enterprise(enterprise_id)
    status = 200
    if request.method == "POST":
        try:
            values = form_values(ObjectionForm(request.POST))
        except ServiceError as exc:  # only a NUL character gets here; every other check is the service's
            messages.error(request, exc.message)
            status = 400
        else:
            try:
                objection = services.file_objection(
                    enterprise_id=enterprise.pk, client_address=client_address(request), **values
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("disclosure:objection_status", objection.reference)
    question, token = new_captcha()
    return render(
        request,
        "disclosure/objection.html",
        {"enterprise": enterprise, "question": question, "token": token},
        status=status,
    )


def objection_status(request: HttpRequest, reference: str) -> HttpResponse:
    objection = Objection.objects.filter(reference=reference).first()
    if objection is None:
        raise NotFound("受理编号不存在")
    return render(request, "disclosure/objection_status.html", {"o": objection})


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    region = request.GET.get("region") or (request.user.region_id or "")
    year = params.year(request.GET["year"]) if request.GET.get("year") else today.year
    month = params.month(request.GET["month"]) if request.GET.get("month") else today.month
    rows = services.monthly_report(request.user, region_code=region, year=year, month=month)
    if request.GET.get("format") == "csv":
        response = HttpResponse(services.monthly_report_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="monthly-{region}-{year}{month:02d}.csv"'
        return response
    # Sections other apps add to the report (the targets' A/B shares at the month's end, REQ H23-3).
    month_end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    sections = contributions("monthly_report_sections", request.user, region, min(month_end, today))
    return render(
        request,
        "disclosure/monthly.html",
        {"rows": rows, "region": region, "year": year, "month": month, "sections": sections},
    )


# ---------------------------------------------------------------- the city's handling (举报办理)


@login_required
def staff_objections(request: HttpRequest) -> HttpResponse:
    """Objections filed by the public about enterprises of the caller's city (province: every city), on the shared
    list mechanism (ADR 0006): search, status, region, filing date, pages and export (never the reporter's name or
    contact)."""
    actor = actor_of(request.user)
    require_page(permissions_for(actor), "objection.view")
    result = lists.list_page(
        request,
        ObjectionFilter,
        services.visible_objections(request.user).select_related("enterprise", "city").order_by("-filed_at"),
        actor=actor,
        columns=OBJECTION_COLUMNS,
        filename="举报办理",
    )
    if isinstance(result, HttpResponse):
        return result
    moment = timezone.now()
    return render(
        request,
        "disclosure/staff_objections.html",
        {
            **result,
            "rows": [
                {
                    "o": o,
                    "due": services.objection_due(o),
                    "overdue": o.status != "closed" and services.objection_due(o) < moment,
                }
                for o in result["page"]
            ],
        },
    )


class ObjectionFilter(lists.ScopedFilterSet):
    region_field = "enterprise__region"
    search_fields = ("reference", "enterprise__name", "content")
    search_label = "受理编号、企业或内容"
    status = lists.choice_filter("状态", Objection.Status.choices, "status")
    filed_from, filed_to = lists.date_filters("filed_at", "受理日期")


OBJECTION_COLUMNS = [
    lists.Column("受理编号", lambda o: o.reference),
    lists.Column("被举报企业", lambda o: o.enterprise.name),
    lists.Column("城市", lambda o: o.city.name),
    lists.Column("举报内容", lambda o: o.content),
    lists.Column("受理时间", lambda o: timezone.localtime(o.filed_at).strftime("%Y-%m-%d %H:%M")),
    lists.Column("办理期限", lambda o: timezone.localtime(services.objection_due(o)).strftime("%Y-%m-%d")),
    lists.Column("状态", lambda o: o.get_status_display()),
    lists.Column("处理结果", lambda o: o.result),
]


@login_required
def staff_objection(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = services.visible_objection(request.user, objection_id)
    allowed = permissions_for(request.user, Target(region_code=objection.city_id))
    return render(
        request,
        "disclosure/staff_objection.html",
        {
            "o": objection,
            "due": services.objection_due(objection),
            "may_handle": "objection.handle" in allowed and objection.status != Objection.Status.CLOSED,
        },
    )


@login_required
def staff_objection_step(request: HttpRequest, objection_id: int, step: str) -> HttpResponse:
    """Record the investigation, or close the objection and publish the result on the public status page."""
    objection = services.visible_objection(request.user, objection_id)
    summary = (
        ("受理编号", objection.reference),
        ("被举报企业", objection.enterprise.name),
        ("举报内容", objection.content),
    )
    investigation = Field("investigation", "调查情况", "textarea", required=True, initial=objection.investigation)
    if step == "investigate":
        action = Action(
            label="记录调查情况",
            summary=summary,
            consequences=("举报转为“调查中”；调查情况仅本级和上级可见，不对外公开。",),
            fields=(investigation,),
        )
    elif step == "close":
        action = Action(
            label="办结并公开处理结果",
            summary=summary,
            consequences=(
                "举报办结，不再出现在待办中；",
                "“处理结果”将在公开查询页（凭受理编号查询）向举报人和公众公开，请勿填写个人信息或内部信息。",
            ),
            fields=(investigation, Field("result", "处理结果（公开）", "textarea", required=True)),
        )
    else:
        raise NotFound("该操作不存在")

    def run(typed: Mapping[str, str]) -> Any:
        return services.handle_objection(
            request.user,
            objection.pk,
            investigation=typed["investigation"],
            result=typed.get("result", ""),
            close=step == "close",
        )

    url = reverse("objections:detail", args=[objection.pk])
    return action_page(request, action, run, back=(url, "返回举报"), done=url, done_message=f"已完成：{action.label}")
