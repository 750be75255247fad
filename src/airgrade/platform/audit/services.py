"""Audit services: append a hash-chained record inside the caller's transaction, and verify the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.hashchain import GENESIS, ChainFault, check_link, link_hash
from airgrade.platform.audit.models import AuditChainHead, AuditRecord
from airgrade.platform.permissions import actor_of, require, within


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    return value


def snapshot(obj: Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited state of a model instance: concrete field values (foreign keys by id)."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def _hashed_fields(rec: AuditRecord) -> dict[str, Any]:
    return {
        "at": rec.at.isoformat(),
        "actor_id": rec.actor_id,
        "actor_label": rec.actor_label,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_label": rec.object_label,
        "region_code": rec.region_code,
        "before": rec.before,
        "after": rec.after,
        "reason": rec.reason,
    }


def record(
    *,
    actor: Any,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    region_code: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditRecord:
    """Append one audit record. Must run inside the service's transaction so the record and the write land together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside a service transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:255]
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1, defaults={"last_hash": GENESIS})
    user = actor if getattr(actor, "is_authenticated", False) else None
    rec = AuditRecord(
        at=timezone.now().replace(microsecond=0),
        actor=user,
        actor_label=(f"{user.username}（{user.get_role_display()}）" if user else str(actor or "系统")),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        region_code=region_code,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        reason=reason,
        previous_hash=head.last_hash,
    )
    rec.record_hash = link_hash(rec.previous_hash, _hashed_fields(rec))
    rec.save()
    AuditChainHead.objects.filter(id=1).update(last_hash=rec.record_hash)
    return rec


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify() -> ChainReport:
    """Walk the chain in order; report the first record whose link or content hash does not match."""
    previous = GENESIS
    checked = 0
    for rec in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        fault = check_link(previous, rec.previous_hash, _hashed_fields(rec), rec.record_hash)
        if fault is ChainFault.BROKEN_LINK:
            return ChainReport(checked, rec.pk, f"记录 {rec.pk} 的前序哈希与上一条记录不符（链条断开）")
        if fault is ChainFault.ALTERED:
            return ChainReport(checked, rec.pk, f"记录 {rec.pk} 的内容与其哈希不符（记录被篡改）")
        previous = rec.record_hash
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != previous:
        return ChainReport(checked, -1, "链尾与最后一条记录不符（记录被删除）")
    return ChainReport(checked, None, "")


def visible_records(user: Any, object_type: str = "", object_id: str = "") -> QuerySet[AuditRecord]:
    """Audit records inside the caller's scope: staff see their region's records, nobody else sees any."""
    actor = actor_of(user)
    require(actor, "audit.view", Target(region_code=actor.region_code))
    queryset = AuditRecord.objects.filter(within(actor.region_code or "000000", "region_code"))
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    if object_id:
        queryset = queryset.filter(object_id=object_id)
    return queryset.order_by("-id")


def history_of(user: Any, refs: dict[str, list[Any]]) -> QuerySet[AuditRecord]:
    """The caller-visible records of several objects at once: {object_type: [ids]}, newest first."""
    condition = Q(pk__in=[])
    for object_type, ids in refs.items():
        if ids:
            condition |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    return visible_records(user).filter(condition)


def as_row(rec: AuditRecord) -> dict[str, Any]:
    return {"id": rec.pk, **_hashed_fields(rec), "at": rec.at, "actor": rec.actor_label, "record_hash": rec.record_hash}
