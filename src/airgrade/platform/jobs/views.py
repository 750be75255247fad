"""Job pages: my jobs, one job with its progress (htmx polls the fragment until the job ends), cancel, result file."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.jobs import services
from airgrade.platform.jobs.models import Job


def _context(job: Job) -> dict[str, object]:
    progress = services.live(job)
    total = progress.get("total") or 0
    percent = int(100 * progress.get("done", 0) / total) if total else (100 if job.finished else 0)
    return {"job": job, "progress": progress, "percent": percent, "label": services.label_of(job.kind)}


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = services.visible_jobs(request.user)[:100]
    rows = [{"job": job, "label": services.label_of(job.kind)} for job in jobs]
    return render(request, "jobs/list.html", {"rows": rows})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = services.get_job(request.user, job_id)
    return render(request, "jobs/detail.html", _context(job))


@login_required
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = services.get_job(request.user, job_id)
    response = render(request, "jobs/_progress.html", _context(job))
    if job.finished:
        # The whole page holds the report and the next actions: reload it once the job is over.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        services.cancel(request.user, job_id)
        messages.success(request, "已请求取消；正在写入的数据会全部撤销。")
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("jobs:detail", job_id=job_id)


@login_required
def job_result(request: HttpRequest, job_id: int) -> HttpResponse:
    return result_file(services.get_job(request.user, job_id))


def result_file(job: Job) -> HttpResponse:
    """The job's result workbook as a download (page and API)."""
    if not job.result_data:
        raise NotFound("该任务没有结果文件")
    response = HttpResponse(
        bytes(job.result_data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.result_name or 'result.xlsx')}"
    return response
