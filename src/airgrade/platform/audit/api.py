"""Audit API: the audit trail of one object or of the caller's region, for staff in scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from airgrade.platform.audit import services
from airgrade.platform.audit.schemas import AuditOut

router = Router(tags=["audit"])


@router.get("/", response=list[AuditOut], summary="审计记录（本辖区）")
def list_audit(
    request: HttpRequest, object_type: str = "", object_id: str = "", limit: int = 100
) -> list[dict[str, Any]]:
    records = services.visible_records(request.user, object_type=object_type, object_id=object_id)
    return [services.as_row(rec) for rec in records[: max(1, min(limit, 500))]]
