"""API types of the audit trail: one record as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


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
