"""Jobs API (/api/jobs/): my jobs and my region's, one job with live progress and report, cancel, result file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from airgrade.platform.jobs import services
from airgrade.platform.jobs.models import Job
from airgrade.platform.jobs.schemas import JobOut

router = Router(tags=["jobs"])


def _out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": services.label_of(job.kind),
        "state": job.state,
        "state_label": job.get_state_display(),
        "input_name": job.input_name,
        "progress": services.live(job),
        "report": job.report,
        "message": job.message,
        "has_result": bool(job.result_data),
    }


@router.get("/", response=list[JobOut])
def list_jobs(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(job) for job in services.visible_jobs(request.user).defer("input_data", "result_data")[:100]]


@router.get("/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return _out(services.get_job(request.user, job_id))


@router.post("/{job_id}/cancel", response=JobOut)
def cancel_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return _out(services.cancel(request.user, job_id))


@router.get("/{job_id}/result")
def job_result(request: HttpRequest, job_id: int) -> HttpResponse:
    from airgrade.platform.jobs.views import result_file

    return result_file(services.get_job(request.user, job_id))
