"""One enterprise at a glance (360°): its sites and industries, grades in force and their history, declarations,
emergency-list entries, alert tasks and rectification orders. Read-only; every part is already scoped to the
enterprise, and the page itself answers only those who may view the enterprise's grades (not experts)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from airgrade.core.access import decide
from airgrade.core.workflow import State
from airgrade.platform.declarations.models import Declaration
from airgrade.platform.declarations.review import industry_name
from airgrade.platform.emergency.models import AlertTask, ListEntry
from airgrade.platform.enterprises import services
from airgrade.platform.errors import NotFound
from airgrade.platform.grades.models import GradeRecord, RectificationOrder
from airgrade.platform.permissions import actor_of


@login_required
def enterprise_overview(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = services.get_enterprise(request.user, enterprise_id)
    if not decide(actor_of(request.user), "grade.view", services.enterprise_target(enterprise)):
        raise NotFound("企业不存在或不在您的管辖范围内")
    records = list(
        GradeRecord.objects.filter(enterprise=enterprise)
        .select_related("site")
        .order_by("site_id", "-valid_from", "-id")
    )
    sites = [
        {"site": site, "industries": [industry_name(a.industry_code) for a in site.industries.all()]}
        for site in enterprise.sites.prefetch_related("industries")
    ]
    declarations = [
        {
            "d": d,
            "state": State(d.state).label_zh,
            "industries": "、".join(industry_name(i.industry_code) for i in d.items.all()),
        }
        for d in Declaration.objects.filter(enterprise=enterprise)
        .select_related("campaign", "site")
        .prefetch_related("items")
        .order_by("-created_at")
    ]
    return render(
        request,
        "home/overview.html",
        {
            "enterprise": enterprise,
            "sites": sites,
            "in_force": [r for r in records if r.valid_until is None],
            "history": [{"r": r, "industry": industry_name(r.industry_code)} for r in records],
            "declarations": declarations,
            "entries": ListEntry.objects.filter(enterprise=enterprise).select_related("site").order_by("-year"),
            "tasks": AlertTask.objects.filter(enterprise=enterprise)
            .select_related("event", "entry__site")
            .order_by("-event__starts_at")[:50],
            "orders": RectificationOrder.objects.filter(enterprise=enterprise)
            .select_related("site")
            .order_by("-ordered_at"),
        },
    )
