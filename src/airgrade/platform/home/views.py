"""The role home page: counts of what the user may see, grades in force and the cross-app work queue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from airgrade.core.industries import FAMILY_LABELS, industry_by_code
from airgrade.core.types import Grade
from airgrade.platform.emergency.services import my_active_tasks
from airgrade.platform.enterprises.models import Enterprise, IndustryAssignment, ProductionLine
from airgrade.platform.grades.services import current_records
from airgrade.platform.home.services import work_queue
from airgrade.platform.labels import grade_label
from airgrade.platform.permissions import actor_of, permissions_for, scoped


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    enterprises = scoped(Enterprise.objects.all(), actor)
    stats = [
        {"label": "企业", "value": enterprises.count()},
        {"label": "正常生产", "value": enterprises.filter(status=Enterprise.Status.OPERATING).count()},
        {
            "label": "生产线/工序/设备",
            "value": scoped(
                ProductionLine.objects.all(), actor, "site__enterprise__region", "site__enterprise"
            ).count(),
        },
    ]
    counts = (
        scoped(IndustryAssignment.objects.all(), actor, "enterprise__region", "enterprise")
        .values("industry_code")
        .annotate(n=Count("enterprise", distinct=True))
        .order_by("-n")
    )
    by_industry = []
    for row in counts:
        industry = industry_by_code(row["industry_code"])
        by_industry.append(
            {
                "code": row["industry_code"],
                "name": industry.name_zh if industry else row["industry_code"],
                "family": FAMILY_LABELS.get(industry.family, "") if industry else "",
                "count": row["n"],
            }
        )
    user = request.user
    queue = sorted(work_queue(user), key=lambda task: (task["due"] is None, task["due"] or 0))
    grade_mix = []
    allowed = permissions_for(actor)
    if "region.overview" in allowed:
        # Site × industry grades in force inside the caller's region, best grade first.
        counts = dict(
            scoped(current_records(), actor, "region", "enterprise_id").values_list("grade").annotate(n=Count("id"))
        )
        grade_mix = [
            {"grade": g.value, "label": grade_label(g.value), "count": counts[g.value]}
            for g in sorted(Grade, key=lambda g: g.rank)
            if counts.get(g.value)
        ]
    grades_in_force = []
    if actor.enterprise_id is not None:
        grades_in_force = list(
            current_records().filter(enterprise_id=user.enterprise_id).select_related("site").order_by("site_id")
        )
    context = {
        "queue": queue[:8],
        "queue_total": len(queue),
        "overdue_total": sum(1 for task in queue if task["overdue"]),
        "grades_in_force": grades_in_force,
        "grade_mix": grade_mix,
        # Registry figures are for those who keep the registry; an expert's home is its assigned checks only.
        "stats": stats if "enterprise.edit" in allowed else [],
        "by_industry": by_industry if "region.overview" in allowed else [],
        "scope_name": user.region.full_name() if getattr(user, "region", None) else "",
        "enterprise": getattr(user, "enterprise", None),
        "alert_tasks": my_active_tasks(user),
    }
    return render(request, "home/home.html", context)
