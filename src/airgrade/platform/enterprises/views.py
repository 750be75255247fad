"""Registry pages: the enterprise list with search, filters and pagination; detail; edit forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from airgrade.core.access import decide
from airgrade.core.industries import FAMILY_LABELS, all_industries, industry_by_code
from airgrade.platform.audit.services import history_of
from airgrade.platform.enterprises import services
from airgrade.platform.enterprises.forms import EnterpriseForm, LineForm
from airgrade.platform.enterprises.models import Enterprise, ProductionLine, Site
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.permissions import actor_of, permissions_for, within
from airgrade.platform.regions.models import Region

PAGE_SIZE = 25


def _apply_service_error(form: Form, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    # The registry list is for those who may view enterprises on their own ground (staff in their region, an
    # enterprise its own record). Experts see only the declarations assigned to them, never a registry list.
    if "enterprise.view" not in permissions_for(actor):
        raise NotFound("没有可以查看的企业档案")
    filters = services.EnterpriseFilter(
        query=request.GET.get("q", ""),
        region_code=request.GET.get("region", ""),
        industry_code=request.GET.get("industry", ""),
        status=request.GET.get("status", ""),
    )
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    rows, count, pages = services.list_page(request.user, filters, page, PAGE_SIZE)
    page = min(max(page, 1), max(pages, 1))
    regions: list[Region] = []
    if actor.region_code:
        regions = list(Region.objects.filter(within(actor.region_code, "code")).exclude(level="province"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    context: dict[str, Any] = {
        "rows": rows,
        "count": count,
        "page": page,
        "pages": pages,
        "filters": filters,
        "regions": regions,
        "industries": [i for i in all_industries() if not actor.region_code or i.applies_in(actor.region_code)],
        "statuses": Enterprise.Status.choices,
        "query_string": urlencode(query),
        "can_create": "enterprise.create" in permissions_for(actor),
        "may_report": "workbook.official_export" in permissions_for(actor),
    }
    return render(request, "enterprises/list.html", context)


@login_required
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = services.get_enterprise(request.user, enterprise_id)
    actor = actor_of(request.user)
    sites = []
    for site in enterprise.sites.prefetch_related(
        "industries", "lines", "outlets", "lines__status_history__changed_by"
    ):
        industries = []
        for item in site.industries.all():
            industry = industry_by_code(item.industry_code)
            industries.append(
                {
                    "name": industry.name_zh if industry else item.industry_code,
                    "family": FAMILY_LABELS.get(industry.family, "") if industry else "",
                    "branch": item.branch,
                }
            )
        sites.append(
            {
                "site": site,
                "industries": industries,
                "lines": list(site.lines.all()),
                # Every declared status of the site's lines, newest first (the cross-checks judge by it).
                "status_history": sorted(
                    (change for line in site.lines.all() for change in line.status_history.all()),
                    key=lambda change: (change.since, change.pk),
                    reverse=True,
                ),
                "outlets": list(site.outlets.all()),
            }
        )
    can_edit = bool(decide(actor, "enterprise.edit", services.enterprise_target(enterprise)))
    history = []
    if "audit.view" in permissions_for(actor, services.enterprise_target(enterprise)):
        history = list(
            history_of(
                request.user,
                {
                    "enterprises.enterprise": [enterprise.pk],
                    "enterprises.site": [s["site"].pk for s in sites],
                    "enterprises.productionline": [line.pk for s in sites for line in s["lines"]],
                    "enterprises.emissionoutlet": [o.pk for s in sites for o in s["outlets"]],
                },
            )[:30]
        )
    return render(
        request,
        "enterprises/detail.html",
        {"enterprise": enterprise, "sites": sites, "can_edit": can_edit, "history": history},
    )


def _form_page(
    request: HttpRequest,
    form: Form,
    save: Callable[[dict[str, Any], str], Any],
    success: str,
    title: str,
    enterprise: Enterprise,
) -> HttpResponse:
    """Validate the form, hand its data to the service, show the service's refusal on the right field."""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            save(data, reason)
        except ServiceError as exc:
            _apply_service_error(form, exc)
        else:
            messages.success(request, success.format(**data))
            return redirect("enterprises:detail", enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "title": title, "enterprise": enterprise})


@login_required
def enterprise_edit(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = services.get_enterprise(request.user, enterprise_id, "enterprise.edit")
    initial = {name: getattr(enterprise, name) for name in EnterpriseForm.base_fields if name != "reason"}
    initial["region"] = enterprise.region_id
    return _form_page(
        request,
        EnterpriseForm(request.POST or None, initial=initial, changing=True),
        lambda data, reason: services.update_enterprise(request.user, enterprise.pk, data, reason),
        "企业信息已保存",
        f"编辑企业：{enterprise.name}",
        enterprise,
    )


@login_required
def line_add(request: HttpRequest, site_id: int) -> HttpResponse:
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise NotFound("厂区不存在或不在您的管辖范围内")
    enterprise = services.get_enterprise(request.user, site.enterprise_id, "enterprise.edit")
    return _form_page(
        request,
        LineForm(request.POST or None, initial={"kind": "line", "status": "running"}),
        lambda data, reason: services.add_line(request.user, site.pk, data, reason),
        "“{name}”已新增",
        f"新增生产线：{site.name}",
        enterprise,
    )


@login_required
def line_edit(request: HttpRequest, line_id: int) -> HttpResponse:
    line = ProductionLine.objects.select_related("site").filter(pk=line_id).first()
    if line is None:
        raise NotFound("生产线不存在或不在您的管辖范围内")
    enterprise = services.get_enterprise(request.user, line.site.enterprise_id, "enterprise.edit")
    initial = {name: getattr(line, name) for name in LineForm.base_fields if name not in ("reason", "status_since")}
    return _form_page(
        request,
        LineForm(request.POST or None, initial=initial, changing=True),
        lambda data, reason: services.update_line(
            request.user, line.pk, data, reason, status_since=data.pop("status_since", None)
        ),
        "“{name}”已保存",
        f"编辑生产线：{line.name}",
        enterprise,
    )
