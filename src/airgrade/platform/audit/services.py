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
    head, _ = AuditChainHead.objects.select_for_update(no_key=True).get_or_create(id=1, defaults={"last_hash": GENESIS})
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


def record_many(*, actor: Any, records: list[dict[str, Any]]) -> list[AuditRecord]:
    """Append many records in one step (bulk imports): each record is what `record` would write — same fields,
    same hash link to the one before — but the chain head is locked once and the rows inserted together.
    Each item: action, obj (or object_type/object_id/object_label), region_code, before, after, reason."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must be called inside a service transaction")
    if not records:
        return []
    head, _ = AuditChainHead.objects.select_for_update(no_key=True).get_or_create(id=1, defaults={"last_hash": GENESIS})
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = f"{user.username}（{user.get_role_display()}）" if user else str(actor or "系统")
    at = timezone.now().replace(microsecond=0)
    previous = head.last_hash
    rows = []
    for item in records:
        obj = item.get("obj")
        before, after = item.get("before"), item.get("after")
        rec = AuditRecord(
            at=at,
            actor=user,
            actor_label=label,
            action=item["action"],
            object_type=item.get("object_type") or (obj._meta.label_lower if obj is not None else ""),
            object_id=item.get("object_id") or (str(obj.pk) if obj is not None else ""),
            object_label=item.get("object_label") or (str(obj)[:255] if obj is not None else ""),
            region_code=item.get("region_code", ""),
            before=_plain(before) if before is not None else None,
            after=_plain(after) if after is not None else None,
            reason=item.get("reason", ""),
            previous_hash=previous,
        )
        rec.record_hash = previous = link_hash(previous, _hashed_fields(rec))
        rows.append(rec)
    AuditRecord.objects.bulk_create(rows, batch_size=500)
    AuditChainHead.objects.filter(id=1).update(last_hash=previous)
    return rows


@dataclass(frozen=True)
class ChainBreak:
    record_id: int  # -1: the chain head itself
    problem: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    breaks: tuple[ChainBreak, ...] = ()
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_broken_id(self) -> int | None:
        return self.breaks[0].record_id if self.breaks else None

    @property
    def problem(self) -> str:
        return "；".join(b.problem for b in self.breaks)


def _head_hash() -> str:
    head = AuditChainHead.objects.filter(id=1).first()
    return head.last_hash if head is not None else GENESIS


def verify(checkpoint: Checkpoint | None = None) -> ChainReport:
    """Walk the whole chain in order and report every record whose link or content hash does not match.

    The head is read *before* the records: appends are serialised by the head's row lock, so every record up to the
    one the head names is committed and visible to the later read, and records appended meanwhile simply extend the
    chain beyond it. (Reading the head last, as before, raised a false "records deleted" alarm whenever a write
    landed during the walk.) The head is sound if its hash is among the walked records'.

    With a checkpoint (see `checkpoint()`), the record at the checkpoint's position must still carry its hash: a
    truncated tail with a reset head, or a rewrite that recomputed every later hash, no longer extends it.
    """
    head_hash = _head_hash()
    breaks: list[ChainBreak] = []
    previous = GENESIS
    checked = 0
    head_seen = head_hash == GENESIS
    checkpoint_seen = checkpoint is None or checkpoint.count == 0
    for rec in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        if check_link(previous, rec.previous_hash, _hashed_fields(rec), rec.record_hash) is ChainFault.BROKEN_LINK:
            breaks.append(ChainBreak(rec.pk, f"记录 {rec.pk} 的前序哈希与上一条记录不符（链条断开）"))
        if link_hash(rec.previous_hash, _hashed_fields(rec)) != rec.record_hash:
            breaks.append(ChainBreak(rec.pk, f"记录 {rec.pk} 的内容与其哈希不符（记录被篡改）"))
        # Go on from the stored hash, so one break does not hide the ones after it.
        previous = rec.record_hash
        checked += 1
        head_seen = head_seen or rec.record_hash == head_hash
        if checkpoint is not None and checked == checkpoint.count:
            checkpoint_seen = rec.record_hash == checkpoint.head_hash
            if not checkpoint_seen:
                breaks.append(
                    ChainBreak(
                        rec.pk,
                        f"第 {checked} 条记录（{rec.pk}）的哈希与检查点不符（检查点之前的记录被改写）",
                    )
                )
    if not head_seen:
        breaks.append(ChainBreak(-1, "链尾与最后一条记录不符（记录被删除）"))
    if checkpoint is not None and checked < checkpoint.count:
        breaks.append(ChainBreak(-1, f"审计记录只有 {checked} 条，少于检查点时的 {checkpoint.count} 条（记录被截断）"))
    return ChainReport(checked, tuple(breaks), head_hash)


@dataclass(frozen=True)
class Checkpoint:
    """The chain head at one moment, kept outside the database (a file, a printout, a mail to the auditor)."""

    head_hash: str
    count: int
    at: str

    def as_dict(self) -> dict[str, Any]:
        return {"head_hash": self.head_hash, "count": self.count, "at": self.at}

    @classmethod
    def from_dict(cls, data: Any) -> Checkpoint:
        if not isinstance(data, dict):
            raise ValueError("检查点文件格式不对")
        head_hash, count, at = data.get("head_hash"), data.get("count"), data.get("at")
        if not (isinstance(head_hash, str) and len(head_hash) == 64 and isinstance(count, int) and count >= 0):
            raise ValueError("检查点文件缺少 head_hash（64 位十六进制）或 count（非负整数）")
        return cls(head_hash, count, str(at or ""))


def checkpoint() -> Checkpoint:
    """The head hash and record count of a sound chain, read together in one transaction (taking the head's lock,
    so no append lands between the two reads). Refuses a chain that does not verify: a checkpoint vouches for it."""
    report = verify()
    if not report.ok:
        raise ValueError(f"审计链损坏，不能建立检查点：{report.problem}")
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update(no_key=True).filter(id=1).first()
        head_hash = head.last_hash if head is not None else GENESIS
        count = AuditRecord.objects.count()
    return Checkpoint(head_hash, count, timezone.now().isoformat(timespec="seconds"))


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
