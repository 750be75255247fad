"""Gate ledger API (/api/gates/): devices post batches (and the site's video system its clip references) with their
own credential; people keep registers and devices, upload gate files as background jobs and read figures and video
references in their scope (issue 11; REQ SJZ-5, SJZ-6, H23-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.files import UploadedFile

from airgrade.platform.errors import ServiceError
from airgrade.platform.gates import services, uploads
from airgrade.platform.gates.credentials import DeviceCredential
from airgrade.platform.gates.models import GateDevice, Vehicle
from airgrade.platform.gates.schemas import (
    BatchIn,
    DeviceIn,
    DeviceOut,
    FiguresOut,
    IngestOut,
    VehicleIn,
    VehicleOut,
    VerifyOut,
    VideosIn,
    VideosOut,
    VideoStatusOut,
)
from airgrade.platform.jobs.api import _out as job_out
from airgrade.platform.jobs.schemas import JobOut

router = Router(tags=["gates"])


@router.post("/ingest", response=IngestOut, auth=DeviceCredential())
def ingest(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    """A device's batch: written into the device's own site's ledger only (the credential decides the site)."""
    device: GateDevice = request.auth  # type: ignore[attr-defined]
    return services.ingest(device, payload.records).as_dict()


def _vehicle(vehicle: Vehicle) -> dict[str, Any]:
    return {
        "id": vehicle.pk,
        "kind": vehicle.kind,
        "plate": vehicle.plate,
        "env_code": vehicle.env_code,
        "fuel": vehicle.fuel,
        "stage": vehicle.stage,
    }


@router.get("/sites/{site_id}/vehicles", response=list[VehicleOut])
def vehicles(request: HttpRequest, site_id: int) -> list[dict[str, Any]]:
    site = services.get_site(request.user, site_id)
    return [_vehicle(v) for rows in services.registers(site).values() for v in rows]


@router.post("/sites/{site_id}/vehicles", response=VehicleOut)
def save_vehicle(request: HttpRequest, site_id: int, payload: VehicleIn) -> dict[str, Any]:
    data = payload.dict()
    reason = data.pop("reason", "")
    return _vehicle(services.save_vehicle(request.user, site_id, data, reason))


@router.post("/sites/{site_id}/devices", response=DeviceOut)
def register_device(request: HttpRequest, site_id: int, payload: DeviceIn) -> dict[str, Any]:
    device, token = services.register_device(request.user, site_id, payload.dict())
    return {"id": device.pk, "code": device.code, "entrance": device.entrance, "revoked": False, "token": token}


@router.post("/devices/{device_id}/revoke", response=DeviceOut)
def revoke_device(request: HttpRequest, device_id: int) -> dict[str, Any]:
    device = services.revoke_device(request.user, device_id)
    return {"id": device.pk, "code": device.code, "entrance": device.entrance, "revoked": True}


@router.get("/sites/{site_id}/figures", response=FiguresOut)
def figures(request: HttpRequest, site_id: int, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    site = services.get_site(request.user, site_id)
    if date_to < date_from or (date_to - date_from).days > 800:
        raise ServiceError("期间无效（截止不早于起始，最长 800 天）", field="date_to")
    result = services.site_figures(site, date_from, date_to)
    return {
        **result,
        "daily": {day.isoformat(): n for day, n in result["daily"]},
        "source": f"门禁台账 {result['period']}",
    }


@router.post("/sites/{site_id}/verify", response=VerifyOut)
def verify(request: HttpRequest, site_id: int) -> dict[str, Any]:
    _, report = services.record_check(request.user, site_id)
    return {"checked": report.checked, "ok": report.ok, "problems": [p.message for p in report.problems]}


@router.post("/videos", response=VideosOut, auth=DeviceCredential())
def record_videos(request: HttpRequest, payload: VideosIn) -> dict[str, Any]:
    """The site's video system registers clip references with one of the site's gate-device credentials: they go
    into that device's site only (the credential decides the site)."""
    device: GateDevice = request.auth  # type: ignore[attr-defined]
    return services.record_videos(device, payload.videos).as_dict()


@router.get("/sites/{site_id}/videos", response=VideoStatusOut)
def videos(request: HttpRequest, site_id: int, limit: int = 100) -> dict[str, Any]:
    """The site's video references (latest first, with their retention end) and, per place, the days without any."""
    site = services.get_site(request.user, site_id)
    status = services.video_status(site, limit=max(1, min(limit, 1000)))
    source = status["source"]
    return {
        "retention_months": status["months"],
        "retention_source": source.document or source.note,
        "provisional": status["provisional"],
        "total": status["total"],
        "expired": status["expired"],
        "videos": [
            {
                "id": row["video"].pk,
                "place": row["video"].place,
                "started_at": row["video"].started_at,
                "ended_at": row["video"].ended_at,
                "uri": row["video"].uri,
                "sha256": row["video"].sha256,
                "recorded_at": row["video"].recorded_at,
                "retention_end": row["retention_end"],
                "expired": row["expired"] is not None,
            }
            for row in status["rows"]
        ],
        "places": [
            {
                "place": place["place"],
                "first": place["first"],
                "last": place["last"],
                "days": place["days"],
                "days_without_video": place["missing"],
                "without_video": [list(r) for r in place["missing_ranges"]],
                "days_with_entries_without_video": place["with_entries"],
                "with_entries_without_video": [list(r) for r in place["with_entries_ranges"]],
            }
            for place in status["places"]
        ],
        "coverage_rule": services.VIDEO_COVERAGE_NOTE,
    }


@router.post("/sites/{site_id}/uploads", response=JobOut)
def start_upload(request: HttpRequest, site_id: int, file: File[UploadedFile], device: Form[str]) -> dict[str, Any]:
    """Upload one gate device's export (JSON, CSV or xlsx) for a dry run (a background job, as the site page's
    upload): poll GET /api/gates/uploads/{id}; commit an error-free dry run with
    POST /api/workbooks/imports/{id}/commit; the error workbook is GET /api/jobs/{id}/result."""
    services.get_site(request.user, site_id, "gates.ingest")  # scope first: out of scope is "not found"
    if file.size is not None and file.size > uploads.MAX_UPLOAD_BYTES:
        raise ServiceError("文件超过 20 MB，请分批上传", field="file")
    return job_out(uploads.start_upload(request.user, site_id, device, file.name or "", file.read()))


@router.get("/uploads/{job_id}", response=JobOut)
def upload_status(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """A gate-file upload job (dry run or commit) with its progress and report, in the caller's scope."""
    return job_out(uploads.get_upload(request.user, job_id))
