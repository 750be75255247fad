"""Sign-in, sign-out and the role home page with counts of what the user may see."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from airgrade.core.industries import FAMILY_LABELS, industry_by_code
from airgrade.core.types import Grade, Role
from airgrade.platform.accounts import services
from airgrade.platform.accounts.captcha import new_captcha
from airgrade.platform.accounts.permissions import actor_of, scoped
from airgrade.platform.enterprises.models import Enterprise, IndustryAssignment, ProductionLine
from airgrade.platform.errors import ServiceError


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return next_url


def _login_page(request: HttpRequest, username: str, error: str, status: int) -> HttpResponse:
    context = {"next": _next_url(request), "username": username, "error": error}
    if username and services.captcha_required(username):
        context["captcha_question"], context["captcha_token"] = new_captcha()
    return render(request, "accounts/login.html", context, status=status)


def login_view(request: HttpRequest) -> HttpResponse:
    """The one sign-in form of the platform (the admin's login redirects here), throttled by django-axes."""
    if request.method != "POST":
        return _login_page(request, "", "", 200)
    username = request.POST.get("username", "")
    try:
        user = services.sign_in(
            request,
            username,
            request.POST.get("password", ""),
            captcha_token=request.POST.get("captcha_token", ""),
            captcha_answer=request.POST.get("captcha_answer", ""),
        )
    except ServiceError as exc:
        return _login_page(request, username.strip(), exc.message, exc.status if exc.status != 400 else 200)
    login(request, user)
    return redirect(_next_url(request))


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """django-axes' lock-out answer (AXES_LOCKOUT_CALLABLE): the sign-in page with the reason, 429."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    return _login_page(request, username.strip(), services.throttled_message(), 429)


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/ checks no password itself: it sends staff to the throttled sign-in form."""
    next_url = request.GET.get("next") or "/admin/"
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


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
    from airgrade.platform.declarations.services import work_queue

    queue = sorted(work_queue(user), key=lambda task: (task["due"] is None, task["due"] or 0))
    from airgrade.platform.grades.services import current_records

    grade_mix = []
    if actor.role in (Role.COUNTY, Role.CITY, Role.PROVINCE):
        # Site × industry grades in force inside the caller's region, best grade first.
        counts = dict(
            scoped(current_records(), actor, "region", "enterprise_id").values_list("grade").annotate(n=Count("id"))
        )
        grade_mix = [
            {"grade": g.value, "count": counts[g.value]}
            for g in sorted(Grade, key=lambda g: g.rank)
            if counts.get(g.value)
        ]
    grades_in_force = []
    if actor.role is Role.ENTERPRISE and user.enterprise_id:
        grades_in_force = list(
            current_records().filter(enterprise_id=user.enterprise_id).select_related("site").order_by("site_id")
        )
    context = {
        "queue": queue[:8],
        "queue_total": len(queue),
        "overdue_total": sum(1 for task in queue if task["overdue"]),
        "grades_in_force": grades_in_force,
        "grade_mix": grade_mix,
        "stats": stats,
        "by_industry": by_industry if actor.role is not Role.ENTERPRISE else [],
        "scope_name": user.region.full_name() if getattr(user, "region", None) else "",
        "enterprise": getattr(user, "enterprise", None),
    }
    return render(request, "accounts/home.html", context)
