"""Public pages (no login): current grades by region and industry with search, result notices, the objection
form with an arithmetic captcha and the objection status; the monthly report for staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from airgrade.core.industries import all_industries
from airgrade.platform import params
from airgrade.platform.accounts.addresses import client_address
from airgrade.platform.accounts.captcha import new_captcha
from airgrade.platform.disclosure import services
from airgrade.platform.disclosure.models import Objection, ResultNotice
from airgrade.platform.errors import NotFound, ServiceError
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
    if request.method == "POST":
        try:
            objection = services.file_objection(
                enterprise_id=enterprise.pk,
                content=request.POST.get("content", ""),
                captcha_token=request.POST.get("captcha_token", ""),
                captcha_answer=request.POST.get("captcha_answer", ""),
                client_address=client_address(request),
                reporter_name=request.POST.get("reporter_name", ""),
                reporter_contact=request.POST.get("reporter_contact", ""),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("disclosure:objection_status", objection.reference)
    question, token = new_captcha()
    return render(
        request, "disclosure/objection.html", {"enterprise": enterprise, "question": question, "token": token}
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
    return render(request, "disclosure/monthly.html", {"rows": rows, "region": region, "year": year, "month": month})
