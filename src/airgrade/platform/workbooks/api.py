"""Workbooks API (/api/workbooks/): start an import (dry run), commit it, templates and exports — the services
behind the pages; jobs are read and cancelled through /api/jobs/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router
from ninja.files import UploadedFile

from airgrade.platform.jobs.api import _out
from airgrade.platform.jobs.schemas import JobOut
from airgrade.platform.workbooks import services, views

router = Router(tags=["workbooks"])


@router.post("/imports", response=JobOut)
def start_import(request: HttpRequest, file: File[UploadedFile], kind: Form[str] = "emergency_list") -> dict[str, Any]:
    """Upload a workbook for a dry run (a background job): poll GET /api/jobs/{id} for the report."""
    return _out(services.start_import(request.user, kind, file.name or "", file.read()))


@router.post("/imports/{job_id}/commit", response=JobOut)
def commit_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Commit an error-free dry run: all rows or none (a background job)."""
    return _out(services.commit_import(request.user, job_id))


@router.get("/templates/{kind}")
def template(request: HttpRequest, kind: str) -> HttpResponse:
    return views.template_file(kind)


@router.get("/exports/emergency-list")
def export_emergency_list(request: HttpRequest, year: int | None = None) -> HttpResponse:
    from airgrade.platform.workbooks import exports

    return views.xlsx_response(exports.emergency_list(request.user, year), "应急减排清单.xlsx")


@router.get("/exports/official/{kind}")
def official_export(request: HttpRequest, kind: str) -> HttpResponse:
    """An official table as .xlsx: ab-list (campaign, batch), application-list (campaign), lookback-qualification
    (round), lookback-onsite (item), lookback-problems (round), guarantee-review (year), registry."""
    from airgrade.platform.workbooks import official

    data, filename = official.export(request.user, kind, request.GET)
    return views.xlsx_response(data, filename)


@router.get("/opinions/{declaration_id}/{kind}")
def review_opinion(request: HttpRequest, declaration_id: int, kind: str) -> HttpResponse:
    """A review opinion as DOCX: county-preliminary (附件3), county-review (附件4) or city-review (附件5)."""
    from airgrade.platform.workbooks import opinions

    data, filename = opinions.review_opinion(request.user, declaration_id, kind)
    return views.docx_response(data, filename)
