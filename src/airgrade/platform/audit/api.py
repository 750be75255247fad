"""Audit API: the audit trail of one object or of the caller's region, for staff in scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from airgrade.platform.audit import services

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    region_code: str
    before: Any
    after: Any
    reason: str
    record_hash: str


@router.get("/", response=list[AuditOut], summary="审计记录（本辖区）")
def list_audit(
    request: HttpRequest, object_type: str = "", object_id: str = "", limit: int = 100
) -> list[dict[str, Any]]:
    records = services.visible_records(request.user, object_type=object_type, object_id=object_id)
    return [services.as_row(rec) for rec in records[: max(1, min(limit, 500))]]
