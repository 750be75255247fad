"""Workbook pages: import (upload → dry run on the job page → commit), template downloads, exports. Views only
translate HTTP to service calls."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from airgrade.core.access import Target, decide
from airgrade.io.excel.layouts import IMPORT_LAYOUTS
from airgrade.io.excel.writer import provenance, write_template
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.jobs import services as jobs
from airgrade.platform.permissions import actor_of
from airgrade.platform.workbooks import exports, official, services
from airgrade.platform.workbooks.forms import ImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_CHOICES = [("emergency_list", "应急减排清单"), ("registry", "企业档案"), ("grade_history", "历年绩效等级")]
TEMPLATE_NAMES = {
    "emergency_list": "应急减排清单导入模板.xlsx",
    "registry": "企业档案导入模板.xlsx",
    "grade_history": "历年绩效等级导入模板.xlsx",
    "zz_department": "绿色绩效评价部门数据导入模板.xlsx",
}


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


def _index(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    actor = actor_of(request.user)
    can_import = bool(decide(actor, "workbook.import", Target(region_code=actor.region_code)))
    layouts = [
        {
            "kind": kind,
            "label": label,
            "layouts": IMPORT_LAYOUTS[kind],
            "notes": [provenance(x) for x in IMPORT_LAYOUTS[kind]],
        }
        for kind, label in IMPORT_CHOICES
    ]
    recent = jobs.visible_jobs(request.user).filter(owner=request.user)[:10]
    may_report = bool(decide(actor, "workbook.official_export", Target(region_code=actor.region_code)))
    tables = [
        {"kind": table.kind, "label": table.label, "params": table.params, "note": provenance(table.layout)}
        for table in official.TABLES.values()
    ]
    return render(
        request,
        "workbooks/index.html",
        {
            "can_import": can_import,
            "kinds": layouts,
            "recent": [{"job": job, "label": jobs.label_of(job.kind)} for job in recent],
            "error": error,
            "tables": tables if may_report else [],
        },
        status=status,
    )


@login_required
@require_POST
def start_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    form.is_valid()  # every field is optional: the service refuses a missing file or an unknown kind in Chinese
    upload = form.cleaned_data.get("file")
    try:
        job = services.start_import(
            request.user,
            form.cleaned_data.get("kind", ""),
            upload.name if upload else "",
            upload.read() if upload else b"",
        )
    except (NotFound, AccessDenied):
        raise
    except ServiceError as exc:
        return _index(request, exc.message, status=400)
    return redirect("jobs:detail", job_id=job.pk)


@login_required
@require_POST
def commit_import(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        job = services.commit_import(request.user, job_id)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("jobs:detail", job_id=job_id)
    return redirect("jobs:detail", job_id=job.pk)


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    return template_file(kind)


def template_file(kind: str) -> HttpResponse:
    """The import template of `kind` (page and API)."""
    if kind not in TEMPLATE_NAMES:
        raise NotFound("没有这个模板")
    return xlsx_response(write_template(IMPORT_LAYOUTS[kind]), TEMPLATE_NAMES[kind])


@login_required
def export_emergency_list(request: HttpRequest) -> HttpResponse:
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    return xlsx_response(exports.emergency_list(request.user, year), "应急减排清单.xlsx")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def review_opinion(request: HttpRequest, declaration_id: int, kind: str) -> HttpResponse:
    """A review opinion (LC-7 附件3/4/5) as DOCX, from the declaration page."""
    from airgrade.platform.workbooks import opinions

    data, filename = opinions.review_opinion(request.user, declaration_id, kind)
    return docx_response(data, filename)


def docx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def official_export(request: HttpRequest, kind: str) -> HttpResponse:
    """An official table (H21-4 附件4, SJZ-2, H23-1 附件1–3, H23-5 附件4, the registry) from the page showing it."""
    data, filename = official.export(request.user, kind, request.GET)
    return xlsx_response(data, filename)
