"""Gate ledger API (/api/gates/): devices post batches with their own credential; people keep registers and devices
and read figures in their scope (issue 11; REQ SJZ-5, SJZ-6, H23-6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from airgrade.platform.errors import ServiceError
from airgrade.platform.gates import services
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
)

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
