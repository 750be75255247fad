"""Gate ledger services (issue 11; REQ SJZ-5, SJZ-6, H23-6): registers, devices and their credentials, ingest into
the per-site hash chain, verification, figures for grading, alert-day checks and inspection samples. Every write
runs in one transaction and leaves an audit record."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import gzip
import hashlib
import json
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from airgrade.core import gates as core
from airgrade.core.access import Target, decide, home_target
from airgrade.core.hashchain import GENESIS
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.rules.schema import GateLedgerEntry
from airgrade.core.types import EmissionStage
from airgrade.platform import pgcopy
from airgrade.platform.audit import services as audit
from airgrade.platform.enterprises import services as registry
from airgrade.platform.enterprises.models import Enterprise, Site
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.gates import bulk
from airgrade.platform.gates.models import (
    DailyCount,
    GateDevice,
    InspectionSample,
    LedgerArchive,
    LedgerCheck,
    LedgerFinding,
    LedgerHead,
    LogisticsPark,
    Passage,
    PassageArchive,
    Vehicle,
    VideoReference,
)
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import Downgrade
from airgrade.platform.permissions import actor_of, require, require_found, require_role, scoped

BEIJING = dt.timezone(dt.timedelta(hours=8))
MAX_BATCH = 5000  # records per API call or per file chunk


def rules(on: dt.date | None = None) -> GateLedgerEntry:
    return default_rulebook().gate_ledger(on or timezone.now().date())


def site_target(site: Site) -> Target:
    return Target(region_code=site.region_id, enterprise_id=site.enterprise_id)


def get_site(user: Any, site_id: int, action: str = "gates.view") -> Site:
    """A site the caller may see (else "not found"), and may do `action` on (else refused with the reason)."""
    site = Site.objects.select_related("enterprise", "region").filter(pk=site_id).first()
    missing = "厂区不存在"
    if site is None:
        raise NotFound(missing)
    require_found(user, "gates.view", site_target(site), view="gates.view", missing=missing)
    require(user, action, site_target(site))
    return site


def visible_sites(user: Any) -> QuerySet[Site]:
    actor = require(user, "gates.view", home_target(actor_of(user)))
    return scoped(Site.objects.select_related("enterprise", "region"), actor, "region", "enterprise_id")


# ------------------------------------------------------------------------------------------------ logistics parks


def park_of(site: Site) -> LogisticsPark | None:
    return LogisticsPark.objects.filter(site=site).first()


def park_labels(site_ids: Iterable[int]) -> dict[int, str]:
    """物流园区 / 货运枢纽 per site id, for the sites that are parks (the others are graded enterprises' sites)."""
    return {park.site_id: park.get_kind_display() for park in LogisticsPark.objects.filter(site_id__in=list(site_ids))}


def register_park(user: Any, data: dict[str, Any]) -> LogisticsPark:
    """Register a logistics park or freight hub (REQ SJZ-6) in the caller's region: its operating company (found by
    its unified social credit code, or registered) gets a site for the park, with no industry, so the park runs the
    same registers, gates and ledger as an enterprise's site and is never graded."""
    require_role(user, "gates.park.register")
    kind = str(data.get("kind") or "")
    if kind not in LogisticsPark.Kind.values:
        raise ServiceError("请选择类别：物流园区或货运枢纽", field="kind")
    name = str(data.get("name") or "").strip()
    operator = str(data.get("operator") or "").strip()
    if not name:
        raise ServiceError("名称不能为空", field="name")
    if not operator:
        raise ServiceError("运营单位不能为空", field="operator")
    region = str(data.get("region") or "").strip()
    if not region:
        raise ServiceError("请选择所在区划", field="region")
    require(user, "gates.park.register", Target(region_code=region))
    code = str(data.get("operator_credit_code") or "").strip().upper()
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            enterprise = registry.create_enterprise(
                user,
                {"credit_code": code, "name": operator, "region": region, "address": data.get("address") or ""},
                reason=f"登记{LogisticsPark.Kind(kind).label}“{name}”的运营单位",
            )
        elif not decide(actor_of(user), "gates.view", Target(region_code=enterprise.region_id)):
            raise ServiceError("该信用代码的企业不在本账号管辖范围内", field="operator_credit_code")
        site = registry.add_site(
            user,
            enterprise.pk,
            {"name": name, "region": region, "address": data.get("address") or ""},
            reason=f"登记{LogisticsPark.Kind(kind).label}（门禁台账）",  # REQ SJZ-6; audit reasons are shown to people
        )
        park = LogisticsPark.objects.create(site=site, kind=kind, operator=operator, registered_by=user)
        audit.record(
            actor=user,
            action="gates.park.register",
            obj=park,
            object_label=f"{park.get_kind_display()} {name}",
            region_code=site.region_id,
            after={"kind": kind, "name": name, "operator": operator, "site": site.pk},
        )
    return park


# ------------------------------------------------------------------------------------------------ registers


def _vehicle_errors(kind: core.VehicleKind, data: dict[str, Any], on: dt.date) -> list[tuple[str, str]]:
    entry = rules(on)
    allowed = {
        core.VehicleKind.ROAD: entry.road_stages,
        core.VehicleKind.INPLANT: entry.inplant_stages,
        core.VehicleKind.NONROAD: entry.nonroad_stages,
    }[kind]
    errors = []
    stage = core.parse_stage(data.get("stage"))
    if stage is None or stage not in allowed.stages:
        names = "、".join(s.value for s in allowed.stages)
        errors.append(("stage", f"排放阶段须为 {names} 之一（{allowed.source.document}）"))
    if data.get("fuel") not in {fuel.value for fuel in core.Fuel}:
        errors.append(("fuel", "燃料类型不可识别"))
    if kind is core.VehicleKind.NONROAD:
        if not str(data.get("env_code") or "").strip():
            errors.append(("env_code", "非道路移动机械须填写环保登记编码"))
    else:
        plate = str(data.get("plate") or "").strip().upper()
        if not core.plate_ok(plate):
            errors.append(("plate", "车牌号不合规"))
        vin = str(data.get("vin") or "").strip().upper()
        if vin and (len(vin) != 17 or any(c in "IOQ" for c in vin)):
            errors.append(("vin", "车辆识别代号须为 17 位（不含 I、O、Q）"))
    return errors


def save_vehicle(user: Any, site_id: int, data: dict[str, Any], reason: str = "") -> Vehicle:
    """Add or update a register row (keyed by plate, or by environmental code for machinery)."""
    site = get_site(user, site_id, "gates.register.edit")
    try:
        kind = core.VehicleKind(str(data.get("kind") or ""))
    except ValueError:
        raise ServiceError("类别须为进出厂运输车辆、厂内运输车辆或非道路移动机械", field="kind") from None
    errors = _vehicle_errors(kind, data, timezone.now().date())
    if errors:
        raise ServiceError(errors[0][1], field=errors[0][0], errors=[{"field": f, "message": m} for f, m in errors])
    stage = core.parse_stage(data.get("stage"))
    assert stage is not None
    values = {
        "plate": str(data.get("plate") or "").strip().upper(),
        "plate_colour": str(data.get("plate_colour") or "")[:16],
        "vin": str(data.get("vin") or "").strip().upper(),
        "vehicle_type": str(data.get("vehicle_type") or "")[:64],
        "registration_date": data.get("registration_date") or None,
        "fuel": str(data["fuel"]),
        "stage": stage.value,
        "env_code": str(data.get("env_code") or "").strip()[:32],
        "pin": str(data.get("pin") or "").strip()[:32],
        "engine": str(data.get("engine") or "")[:64],
        "evidence": str(data.get("evidence") or "")[:200],
        "owner": str(data.get("owner") or "")[:100],
    }
    key = {"env_code": values["env_code"]} if kind is core.VehicleKind.NONROAD else {"plate": values["plate"]}
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().filter(site=site, kind=kind.value, **key).first()
        before = audit.snapshot(vehicle) if vehicle else None
        if vehicle is None:
            vehicle = Vehicle(site=site, kind=kind.value)
        for name, value in values.items():
            setattr(vehicle, name, value)
        vehicle.active = True
        vehicle.save()
        audit.record(
            actor=user,
            action="gates.register.edit",
            obj=vehicle,
            region_code=site.region_id,
            before=before,
            after=audit.snapshot(vehicle),
            reason=reason,
        )
    return vehicle


def load_registers_unchecked(site: Site, vehicles: list[Vehicle], actor: str) -> int:
    """Registers written in bulk by the system (demo data, a migration from a gate vendor), audited as one record."""
    with transaction.atomic():
        Vehicle.objects.bulk_create(vehicles)
        audit.record(
            actor=actor,
            action="gates.register.edit",
            object_type="enterprises.site",
            object_id=str(site.pk),
            object_label=f"{site.enterprise.name} {site.name} 车辆与机械登记",
            region_code=site.region_id,
            after={"bulk": len(vehicles), "kinds": sorted({v.kind for v in vehicles})},
        )
    return len(vehicles)


def registers(site: Site) -> dict[str, list[Vehicle]]:
    rows: dict[str, list[Vehicle]] = {kind.value: [] for kind in core.VehicleKind}
    for vehicle in Vehicle.objects.filter(site=site, active=True):
        rows[vehicle.kind].append(vehicle)
    return rows


def register_worst_stage(site: Site, kind: core.VehicleKind) -> EmissionStage | None:
    stages = {
        EmissionStage(s)
        for s in Vehicle.objects.filter(site=site, kind=kind.value, active=True).values_list("stage", flat=True)
    }
    return min(stages, key=lambda stage: stage.rank) if stages else None


# ------------------------------------------------------------------------------------------------ devices


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def register_device(user: Any, site_id: int, data: dict[str, Any]) -> tuple[GateDevice, str]:
    """Register a gate device; returns it with its API credential, shown once (only its SHA-256 is kept)."""
    site = get_site(user, site_id, "gates.device.manage")
    code = str(data.get("code") or "").strip()
    entrance = str(data.get("entrance") or "").strip()
    if not code or len(code) > 32:
        raise ServiceError("设备编号必填（最多 32 个字符）", field="code")
    if not entrance or len(entrance) > 64:
        raise ServiceError("出入口名称必填（最多 64 个字符）", field="entrance")
    data = {**data, "code": code, "entrance": entrance}
    return _create_device(user, site, data)


def _create_device(actor: Any, site: Site, data: dict[str, Any]) -> tuple[GateDevice, str]:
    token = "gate_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        if GateDevice.objects.filter(site=site, code=data["code"]).exists():
            raise ServiceError("本厂区已有该编号的设备", field="code")
        device = GateDevice.objects.create(
            site=site,
            code=data["code"],
            entrance=data["entrance"],
            lane=str(data.get("lane") or "")[:32],
            vendor=str(data.get("vendor") or "")[:64],
            token_hash=_token_hash(token),
        )
        LedgerHead.objects.get_or_create(site=site, defaults={"last_hash": GENESIS})
        audit.record(
            actor=actor,
            action="gates.device.register",
            obj=device,
            region_code=site.region_id,
            after=audit.snapshot(device, ["site_id", "code", "entrance", "lane", "vendor"]),
        )
    return device, token


def create_device_unchecked(site: Site, code: str, entrance: str, actor: str = "门禁模拟器") -> GateDevice:
    """A device registered by the system (the simulator, demo data), audited as such; no user check."""
    return _create_device(actor, site, {"code": code, "entrance": entrance})[0]


def revoke_device(user: Any, device_id: int, reason: str = "") -> GateDevice:
    device = GateDevice.objects.select_related("site").filter(pk=device_id).first()
    if device is None:
        raise NotFound("设备不存在")
    # Out of scope reads exactly like a device that does not exist.
    require_found(user, "gates.device.manage", site_target(device.site), view="gates.view", missing="设备不存在")
    with transaction.atomic():
        device = GateDevice.objects.select_for_update().get(pk=device_id)
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.save(update_fields=["revoked_at"])
            audit.record(
                actor=user,
                action="gates.device.revoke",
                obj=device,
                region_code=device.site.region_id,
                after={"revoked_at": device.revoked_at},
                reason=reason,
            )
    return device


def device_for_token(token: str) -> GateDevice | None:
    """The live device a credential belongs to; None for an unknown or revoked credential."""
    if not token or len(token) > 200:
        return None
    # token_hash is unique: no ordering to build (every device batch passes here).
    rows = GateDevice.objects.select_related("site__enterprise").filter(
        token_hash=_token_hash(token), revoked_at__isnull=True
    )
    return next(iter(rows.order_by()[:1]), None)


# ------------------------------------------------------------------------------------------------ ingest


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    first_position: int | None = None
    last_position: int | None = None
    head: str | None = None  # the chain head after the batch (kept in its audit record)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "flagged": self.flagged,
            "first_position": self.first_position,
            "last_position": self.last_position,
        }


def _refuse(problems: list[core.RowErrors], source: str) -> ServiceError:
    rows = [p for p in problems if p]
    errors = [{"row": str(p.row), "field": name, "message": reason} for p in rows for name, reason in p.problems]
    head = rows[0]
    name, reason = head.problems[0]
    where = f"{source}第 {head.row} 条" if source else f"第 {head.row} 条"
    more = f"（共 {len(errors)} 处问题）" if len(errors) > 1 else ""
    return ServiceError(f"{where}记录 {name}：{reason}{more}；整批未写入", field=name, errors=errors)


def ingest(
    device: GateDevice,
    records: Sequence[Any],
    *,
    actor: Any = None,
    source: str = "",
    row_offset: int = 1,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Append a batch of one device's records to its site's ledger.

    Idempotent by device + sequence: a resent record (same plate, direction, time) is counted as a duplicate and
    changes nothing; a sequence reused for different content, or any malformed record, refuses the whole batch with
    every row and field named (nothing half-written). Late and out-of-order records are accepted: the chain follows
    arrival order (`position`), the figures follow passage time. Flags never drop a record.
    """
    if not records:
        raise ServiceError("没有记录", field="records")
    if len(records) > MAX_BATCH:
        raise ServiceError(f"一批最多 {MAX_BATCH} 条记录", field="records")
    return _ingest(device, records, actor=actor, source=source, row_offset=row_offset, now=now)


def ingest_file(
    device: GateDevice,
    records: Sequence[Any],
    *,
    actor: Any = None,
    source: str = "",
    now: dt.datetime | None = None,
) -> IngestResult:
    """The bulk path (`airgrade gates ingest FILE`, file uploads): a whole file as one batch with `ingest`'s rules —
    every record checked first (all refusals named by row and field, nothing written on any), then appended in one
    transaction with one audit record, the rows streamed to the database in chunks."""
    if not records:
        raise ServiceError("没有记录", field="records")
    return _ingest(device, records, actor=actor, source=source, row_offset=1, now=now, whole_file=True)


def _parsed(records: Sequence[Any], row_offset: int, source: str) -> list[core.Received]:
    """Every record read, or the batch refused naming each row's problems."""
    parsed, problems = core.parse_records(records, row_offset)
    if problems:
        raise _refuse(problems, source)
    return parsed


def _ingest(
    device: GateDevice,
    records: Sequence[Any],
    *,
    actor: Any,
    source: str,
    row_offset: int,
    now: dt.datetime | None,
    whole_file: bool = False,
) -> IngestResult:
    if device.revoked_at is not None:
        raise ServiceError("设备凭证已吊销", field="device")
    now = now or timezone.now()
    # A whole file on PostgreSQL: column by column when every record is clean (`bulk`), else record by record.
    columns = bulk.read(records) if whole_file and connection.vendor == "postgresql" else None
    parsed = [] if columns is not None else _parsed(records, row_offset, source)
    site = device.site
    result = IngestResult()
    with transaction.atomic():
        head = _lock_head(site)
        if columns is not None and _existing(site, device, columns.sequence.tolist()):
            # Some records are in the ledger already (a resent file): record by record tells duplicates from clashes.
            columns = None
            parsed = _parsed(records, row_offset, source)
        fresh: list[core.Received] = []
        conflicts: list[core.RowErrors] = []
        for start in range(0, len(parsed), MAX_BATCH):
            chunk = parsed[start : start + MAX_BATCH]
            existing = _existing(site, device, [r.sequence for r in chunk])
            if not existing:
                fresh.extend(chunk)
                continue
            for index, record in enumerate(chunk, start=start):
                old = existing.get(record.sequence)
                if old is None:
                    fresh.append(record)
                elif old == (record.plate, record.direction, record.passed_at.replace(microsecond=0)):
                    result.duplicates += 1
                else:
                    errors = core.RowErrors(index + row_offset)
                    errors.add("seq", f"序号 {record.sequence} 已用于另一条记录（更正请发新序号并填写 corrects）")
                    conflicts.append(errors)
        if conflicts:
            raise _refuse(conflicts, source)
        if columns is not None:
            _write_columns(site, device, head, columns, now, result)
        elif fresh:
            _write(site, device, head, fresh, now, result)
        else:
            return result
        audit.record(
            actor=actor or f"门禁设备 {device.code}",
            action="gates.ingest",
            object_type="gates.gatedevice",
            object_id=str(device.pk),
            object_label=f"{site.enterprise.name} {device}",
            region_code=site.region_id,
            after={**result.as_dict(), "head": result.head, "source": source or "api"},
        )
    return result


def _q(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _lock_head(site: Site) -> LedgerHead:
    """The site's chain head, locked until the transaction ends (created on the first append). Plain SQL: the
    ingest path's fixed cost per batch is mostly query building, so its few statements skip the ORM."""
    select = f"SELECT last_hash, count, base_position, base_hash FROM {_q(LedgerHead)} WHERE site_id = %s"
    lock = "" if connection.vendor == "sqlite" else " FOR UPDATE"  # SQLite: the write transaction is the lock
    with connection.cursor() as cursor:
        cursor.execute(select + lock, [site.pk])
        row = cursor.fetchone()
        if row is None:
            LedgerHead.objects.get_or_create(site=site, defaults={"last_hash": GENESIS})
            cursor.execute(select + lock, [site.pk])
            row = cursor.fetchone()
    last_hash, count, base_position, base_hash = row
    return LedgerHead(site=site, last_hash=last_hash, count=count, base_position=base_position, base_hash=base_hash)


def _aware(value: Any) -> dt.datetime:
    """A datetime read with plain SQL: PostgreSQL gives it aware, SQLite naive UTC (or text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _existing(site: Site, device: GateDevice, sequences: list[int]) -> dict[int, tuple[str, str, dt.datetime]]:
    """The device's records already in the ledger among `sequences` (plate, direction, time): by range when the
    batch is dense (the usual case, and no 5,000-element IN list), else by list."""
    low, high = min(sequences), max(sequences)
    sql = f"SELECT sequence, plate, direction, passed_at FROM {_q(Passage)} WHERE site_id = %s AND device_id = %s AND "
    params: list[Any] = [site.pk, device.pk]
    if high - low < 4 * len(sequences):
        sql += "sequence >= %s AND sequence <= %s"
        params += [low, high]
    elif connection.vendor == "postgresql":
        sql += "sequence = ANY(%s)"
        params.append(sequences)
    else:
        sql += f"sequence IN ({', '.join(['%s'] * len(sequences))})"
        params += sequences
    wanted = set(sequences)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            sequence: (plate, direction, _aware(passed_at))
            for sequence, plate, direction, passed_at in cursor.fetchall()
            if sequence in wanted
        }


_COPY_COLUMNS = (
    "site_id", "device_id", "sequence", "position", "plate", "plate_colour", "direction", "passed_at", "lane",
    "photo_hash", "recognised_stage", "stage", "fuel", "kind", "cargo", "tonnage", "allowed", "flags", "corrects",
    "received_at", "previous_hash", "record_hash",
)  # fmt: skip


def _passage_copy() -> str:
    """The COPY statement of the passages in `_COPY_COLUMNS` order (both write paths)."""
    return f"COPY {connection.ops.quote_name(Passage._meta.db_table)} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"


_COPY_CHUNK = 20_000  # rows per write to the COPY stream: bounded memory, few round trips
_FLAG_ORDER = tuple(
    flag.value
    for flag in (core.Flag.FUTURE_TIME, core.Flag.IMPOSSIBLE_PLATE, core.Flag.STAGE_MISMATCH, core.Flag.UNKNOWN_PLATE)
)
_FLAG_JSON: dict[tuple[str, ...], str] = {(): "[]"}
_EIGHT_HOURS = dt.timedelta(hours=8)


def _write(
    site: Site,
    device: GateDevice,
    head: LedgerHead,
    fresh: list[core.Received],
    now: dt.datetime,
    result: IngestResult,
) -> None:
    """Flags, register stage and fuel, canonical content and chain hash of each new record, in arrival order, and
    the rows, daily counts, device counters and chain head written — all under the caller's head lock and
    transaction. Per record this is the floor of the ledger's design: one canonical JSON and one SHA-256."""
    entry = rules(now.date())
    horizon = now + dt.timedelta(minutes=entry.future_tolerance.minutes)
    register = _register_of(site.pk, {r.plate for r in fresh})
    plates_ok: dict[str, bool] = {}
    daily: Counter[tuple[dt.date, str, str, str, str]] = Counter()
    postgres = connection.vendor == "postgresql"
    rows: list[Any] = []
    lines: list[str] = []
    sha256 = hashlib.sha256
    record_json = core.record_json
    code = device.code
    site_id, device_id = site.pk, device.pk
    received = now.replace(microsecond=0)
    received_text = received.isoformat()
    previous = head.last_hash
    position = head.count
    flagged = 0
    low_seq = high_seq = fresh[0].sequence
    latest = fresh[0].passed_at
    with connection.cursor() as cursor:
        copy_cm: Any = cursor.copy(_passage_copy()) if postgres else contextlib.nullcontext(None)
        with copy_cm as copy:
            for record in fresh:
                position += 1
                plate = record.plate
                ok = plates_ok.get(plate)
                if ok is None:
                    ok = plates_ok[plate] = core.plate_ok(plate)
                vehicle = register.get(plate)
                # Flags in sorted order (the canonical content sorts them): future, impossible, mismatch, unknown.
                flags: tuple[str, ...] = ()
                if record.passed_at > horizon:
                    flags += (_FLAG_ORDER[0],)
                if not ok:
                    flags += (_FLAG_ORDER[1],)
                if vehicle is not None:
                    stage, fuel, kind = vehicle
                    if record.stage and record.stage != stage:
                        flags += (_FLAG_ORDER[2],)
                else:
                    stage, fuel, kind = record.stage, "", "road"
                    flags += (_FLAG_ORDER[3],)
                at = record.passed_at.astimezone(dt.UTC).replace(microsecond=0)
                at_text = at.isoformat()
                content = record_json(
                    device=code,
                    sequence=record.sequence,
                    plate=plate,
                    plate_colour=record.plate_colour,
                    direction=record.direction,
                    at=at_text,
                    lane=record.lane,
                    photo_hash=record.photo_hash,
                    recognised_stage=record.stage,
                    stage=stage,
                    fuel=fuel,
                    kind=kind,
                    cargo=record.cargo,
                    tonnage=record.tonnage,
                    allowed=record.allowed,
                    flags=flags,
                    corrects=record.corrects,
                    position=position,
                )
                record_hash = sha256((previous + content).encode("utf-8")).hexdigest()
                if postgres:
                    flags_json = _FLAG_JSON.get(flags)
                    if flags_json is None:
                        flags_json = _FLAG_JSON[flags] = json.dumps(list(flags))
                    tonnage = record.tonnage
                    corrects = record.corrects
                    tonnage_text = pgcopy.NULL if tonnage is None else float.__repr__(tonnage)
                    corrects_text = pgcopy.NULL if corrects is None else int.__repr__(corrects)
                    lines.append(
                        f"{site_id}\t{device_id}\t{record.sequence}\t{position}\t{pgcopy.field(plate)}\t"
                        f"{record.plate_colour}\t{record.direction}\t{at_text}\t{pgcopy.field(record.lane)}\t"
                        f"{record.photo_hash}\t{record.stage}\t{stage}\t{fuel}\t{kind}\t{pgcopy.field(record.cargo)}\t"
                        f"{tonnage_text}\t{'t' if record.allowed else 'f'}\t"
                        f"{flags_json}\t{corrects_text}\t{received_text}\t"
                        f"{previous}\t{record_hash}\n"
                    )
                    if len(lines) >= _COPY_CHUNK:
                        copy.write("".join(lines))
                        lines.clear()
                else:
                    rows.append(
                        Passage(
                            site_id=site_id,
                            device_id=device_id,
                            sequence=record.sequence,
                            position=position,
                            plate=plate,
                            plate_colour=record.plate_colour,
                            direction=record.direction,
                            passed_at=at,
                            lane=record.lane,
                            photo_hash=record.photo_hash,
                            recognised_stage=record.stage,
                            stage=stage,
                            fuel=fuel,
                            kind=kind,
                            cargo=record.cargo,
                            tonnage=record.tonnage,
                            allowed=record.allowed,
                            flags=list(flags),
                            corrects=record.corrects,
                            received_at=received,
                            previous_hash=previous,
                            record_hash=record_hash,
                        )
                    )
                previous = record_hash
                if flags:
                    flagged += 1
                if record.allowed:  # the figures count vehicles let through; refused ones stay in the ledger
                    daily[((at + _EIGHT_HOURS).date(), kind, record.direction, stage, fuel)] += 1
                if record.sequence < low_seq:
                    low_seq = record.sequence
                elif record.sequence > high_seq:
                    high_seq = record.sequence
                if record.passed_at > latest:
                    latest = record.passed_at
            if lines:
                copy.write("".join(lines))
    if rows:
        Passage.objects.bulk_create(rows, batch_size=1000)
    _finish(site_id, device_id, head, result, fresh=len(fresh), flagged=flagged, previous=previous, daily=daily,
            sequences=(low_seq, high_seq), latest=latest.replace(microsecond=0))  # fmt: skip


def _write_columns(
    site: Site, device: GateDevice, head: LedgerHead, columns: bulk.Columns, now: dt.datetime, result: IngestResult
) -> None:
    """`_write` for a clean file on PostgreSQL, column by column (`bulk.write`): the same rows, hashes and counts."""
    entry = rules(now.date())
    register = _register_of(site.pk, set(columns.plate.values))  # before the COPY: no other query while it is open
    with connection.cursor() as cursor, cursor.copy(_passage_copy(), writer=QueuedLibpqWriter(cursor.cursor)) as copy:
        chained = bulk.write(
            copy,
            columns,
            site_id=site.pk,
            device_id=device.pk,
            device_code=device.code,
            previous=head.last_hash,
            position=head.count,
            register=register,
            horizon=now + dt.timedelta(minutes=entry.future_tolerance.minutes),
            received_text=now.replace(microsecond=0).isoformat(),
        )
    sequence = columns.sequence
    _finish(site.pk, device.pk, head, result, fresh=columns.count, flagged=chained.flagged,
            previous=chained.last_hash, daily=Counter(chained.daily),
            sequences=(int(sequence.min()), int(sequence.max())), latest=chained.latest)  # fmt: skip


def _finish(
    site_id: int,
    device_id: int,
    head: LedgerHead,
    result: IngestResult,
    *,
    fresh: int,
    flagged: int,
    previous: str,
    daily: Counter[tuple[dt.date, str, str, str, str]],
    sequences: tuple[int, int],
    latest: dt.datetime,
) -> None:
    """After the rows: the device's counters, the chain head, the daily counts and the result."""
    low_seq, high_seq = sequences
    position = head.count + fresh
    least, greatest = ("MIN", "MAX") if connection.vendor == "sqlite" else ("LEAST", "GREATEST")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_q(GateDevice)} SET received = received + %s, "
            f"first_sequence = {least}(COALESCE(first_sequence, %s), %s), "
            f"last_sequence = {greatest}(COALESCE(last_sequence, %s), %s), "
            f"last_passed_at = {greatest}(COALESCE(last_passed_at, %s), %s) WHERE id = %s",
            [
                fresh,
                low_seq,
                low_seq,
                high_seq,
                high_seq,
                *[connection.ops.adapt_datetimefield_value(latest)] * 2,
                device_id,
            ],
        )
        cursor.execute(
            f"UPDATE {_q(LedgerHead)} SET last_hash = %s, count = %s WHERE site_id = %s", [previous, position, site_id]
        )
    if daily:
        _add_daily(site_id, daily)
    result.accepted = fresh
    result.flagged = flagged
    result.first_position = head.count + 1
    result.last_position = position
    result.head = previous


def _register_of(site_id: int, plates: set[str]) -> dict[str, tuple[str, str, str]]:
    """Stage, fuel and kind of the batch's registered plates (one query; on PostgreSQL one array parameter rather
    than an IN list of hundreds)."""
    if connection.vendor != "postgresql":
        rows = Vehicle.objects.filter(site_id=site_id, plate__in=plates, active=True).exclude(plate="")
        return {p: (stage, fuel, kind) for p, stage, fuel, kind in rows.values_list("plate", "stage", "fuel", "kind")}
    table = connection.ops.quote_name(Vehicle._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT plate, stage, fuel, kind FROM {table} WHERE site_id = %s AND active AND plate = ANY(%s)",
            [site_id, sorted(plates)],
        )
        return {plate: (stage, fuel, kind) for plate, stage, fuel, kind in cursor.fetchall()}


def _add_daily(site_id: int, daily: Counter[tuple[dt.date, str, str, str, str]]) -> None:
    """Add a batch's counts to the daily table in one upsert (INSERT … ON CONFLICT DO UPDATE; on PostgreSQL from
    arrays, one statement whatever the batch, elsewhere per 500 keys); the caller holds the site's head lock, so
    there is no concurrent writer."""
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    items = sorted(daily.items())
    upsert = (
        f"ON CONFLICT (site_id, day, kind, direction, stage, fuel) DO UPDATE SET count = {table}.count + excluded.count"
    )
    if connection.vendor == "postgresql":
        columns: list[list[Any]] = [[], [], [], [], [], []]
        for (day, kind, direction, stage, fuel), count in items:
            for column, value in zip(columns, (day, kind, direction, stage, fuel, count), strict=True):
                column.append(value)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (site_id, day, kind, direction, stage, fuel, count) "
                "SELECT %s, * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[]) "
                + upsert,
                [site_id, *columns],
            )
        return
    with connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            part = items[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(part))
            params: list[Any] = []
            for (day, kind, direction, stage, fuel), count in part:
                params += [site_id, day.isoformat(), kind, direction, stage, fuel, count]
            cursor.execute(
                f"INSERT INTO {table} (site_id, day, kind, direction, stage, fuel, count) VALUES {values} " + upsert,
                params,
            )


def ingest_as(user: Any, site_id: int, device_code: str, records: Sequence[Any], source: str) -> IngestResult:
    """A person uploads a gate's exported file (CSV/xlsx) for a device of a site they may write: one batch, checked
    whole and written in one transaction (`ingest_file`)."""
    site = get_site(user, site_id, "gates.ingest")
    device = GateDevice.objects.select_related("site__enterprise").filter(site=site, code=device_code).first()
    if device is None:
        raise ServiceError(f"本厂区没有编号为 {device_code} 的门禁设备", field="device")
    return ingest_file(device, records, actor=user, source=source)


# ------------------------------------------------------------------------------------------------ verify


@dataclass(frozen=True)
class Problem:
    kind: str  # altered | broken_link | missing | head | gap
    message: str
    position: int | None = None


@dataclass
class LedgerReport:
    site_id: int
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    gaps: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None


_VERIFY_COLUMNS = (
    "position", "sequence", "plate", "plate_colour", "direction", "passed_at", "lane", "photo_hash",
    "recognised_stage", "stage", "fuel", "kind", "cargo", "tonnage", "allowed", "flags", "corrects",
    "previous_hash", "record_hash", "device_id",
)  # fmt: skip
_VERIFY_PAGE = 20_000


def _ledger_rows(table: str, site_id: int, after: int, through: int) -> Iterable[tuple[Any, ...]]:
    """A site's rows of one ledger table with after < position ≤ through, in chain order, read in pages by
    position (keyset: one index range scan per page, bounded memory, plain tuples without model objects)."""
    quoted = connection.ops.quote_name(table)
    sql = (
        f"SELECT {', '.join(_VERIFY_COLUMNS)} FROM {quoted} WHERE site_id = %s AND position > %s AND position <= %s "
        f"ORDER BY position LIMIT {_VERIFY_PAGE}"
    )
    while after < through:
        with connection.cursor() as cursor:
            cursor.execute(sql, [site_id, after, through])
            page = cursor.fetchall()
        if not page:
            return
        yield from page
        after = page[-1][0]


def _utc_text(value: Any) -> str:
    """A stored passage time as the canonical content writes it (UTC, seconds); SQLite hands back a naive UTC
    datetime (or its text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass
class _Walk:
    """The state of a chain walk: the hash and position the next record must follow."""

    previous: str = GENESIS
    expected: int = 1


def _walk(
    report: LedgerReport,
    walk: _Walk,
    rows: Iterable[tuple[Any, ...]],
    codes: dict[int, str],
    sequences: dict[str, list[int]],
    where: str = "台账",
    checkpoints: dict[int, str] | None = None,
) -> None:
    record_json = core.record_json
    sha256 = hashlib.sha256
    flag_lists: dict[Any, list[str]] = {}
    for (
        position, sequence, plate, colour, direction, passed_at, lane, photo, seen, stage, fuel, kind, cargo,
        tonnage, allowed, flags, corrects, previous_hash, record_hash, device_id,
    ) in rows:  # fmt: skip
        if position != walk.expected:
            missing = (
                f"第 {walk.expected} 条" if position == walk.expected + 1 else f"第 {walk.expected}–{position - 1} 条"
            )
            report.problems.append(Problem("missing", f"{where}{missing}记录缺失（被删除）", walk.expected))
        elif previous_hash != walk.previous:
            report.problems.append(
                Problem("broken_link", f"{where}第 {position} 条记录的前序哈希与上一条不符（链条断开）", position)
            )
        if isinstance(flags, str):  # stored JSON text (few distinct values: parsed once each)
            flag_list = flag_lists.get(flags)
            if flag_list is None:
                flag_list = flag_lists[flags] = json.loads(flags)
        else:
            flag_list = list(flags)
        code = codes.get(device_id, "")
        content = record_json(
            device=code,
            sequence=sequence,
            plate=plate,
            plate_colour=colour,
            direction=direction,
            at=_utc_text(passed_at),
            lane=lane,
            photo_hash=photo,
            recognised_stage=seen,
            stage=stage,
            fuel=fuel,
            kind=kind,
            cargo=cargo,
            tonnage=tonnage,
            allowed=bool(allowed),
            flags=flag_list,
            corrects=corrects,
            position=position,
        )
        if sha256((previous_hash + content).encode("utf-8")).hexdigest() != record_hash:
            report.problems.append(
                Problem(
                    "altered",
                    f"{where}第 {position} 条记录（设备 {code} 序号 {sequence}，车牌 {plate}）内容与其哈希不符（记录被篡改）",
                    position,
                )
            )
        if checkpoints and position in checkpoints and checkpoints[position] != record_hash:
            report.problems.append(
                Problem(
                    "checkpoint", f"{where}第 {position} 条记录的哈希与归档记录的边界哈希不符（归档后被改写）", position
                )
            )
        sequences[code].append(sequence)
        walk.previous = record_hash
        walk.expected = position + 1
        report.checked += 1


def verify(site: Site) -> LedgerReport:
    """Walk a site's ledger in chain order: name the first altered or missing record, every later one, a head that
    does not match (a deleted tail), and every gap in each device's sequence numbers. Archived records (retention,
    `archive`) are walked too, from the start of the chain to the checkpoint (each archive run's boundary hash),
    and the live records from the checkpoint on, so a live ledger verifies whatever was archived."""
    report = LedgerReport(site.pk)
    head = LedgerHead.objects.filter(site=site).first()
    head_hash, head_count = (head.last_hash, head.count) if head else (GENESIS, 0)
    codes = dict(GateDevice.objects.filter(site=site).values_list("pk", "code"))
    sequences: dict[str, list[int]] = defaultdict(list)
    walk = _Walk()
    base, base_hash = (head.base_position, head.base_hash) if head else (0, GENESIS)
    if base:
        checkpoints = dict(LedgerArchive.objects.filter(site=site).values_list("last_position", "boundary_hash"))
        archived = _ledger_rows(PassageArchive._meta.db_table, site.pk, 0, base)
        _walk(report, walk, archived, codes, sequences, where="归档台账", checkpoints=checkpoints)
        if walk.expected - 1 < base:
            report.problems.append(
                Problem("missing", f"归档台账第 {walk.expected}–{base} 条记录缺失（被删除）", walk.expected)
            )
        elif walk.previous != base_hash or checkpoints.get(base) != base_hash:
            report.problems.append(Problem("checkpoint", "归档边界哈希与链头检查点不符（归档记录被改写）", base))
        walk = _Walk(previous=base_hash, expected=base + 1)
    _walk(report, walk, _ledger_rows(Passage._meta.db_table, site.pk, walk.expected - 1, head_count), codes, sequences)
    if walk.expected - 1 < head_count:
        report.problems.append(
            Problem("missing", f"台账第 {walk.expected}–{head_count} 条记录缺失（链尾被删除）", walk.expected)
        )
    elif walk.previous != head_hash:
        report.problems.append(Problem("head", "链尾哈希与最后一条记录不符（记录被删除或改写）", None))
    for code, numbers in sorted(sequences.items()):
        gaps = core.sequence_gaps(sorted(numbers))
        if gaps:
            report.gaps[code] = gaps
            for low, high in gaps:
                span = f"{low}" if low == high else f"{low}–{high}"
                report.problems.append(Problem("gap", f"设备 {code} 序号 {span} 缺失（未上传或被删除）", None))
    return report


def record_check(user: Any, site_id: int) -> tuple[LedgerCheck, LedgerReport]:
    """Verify a site's ledger as an official and keep the result: a failed check is a finding (REQ SJZ-5) that the
    county or city takes to the downgrade path (grades: reason 篡改门禁/视频数据, lowest grade and one-year ban)."""
    site = get_site(user, site_id, "gates.verify")
    report = verify(site)
    return _save_check(user, site, report), report


def _save_check(user: Any, site: Site, report: LedgerReport) -> LedgerCheck:
    with transaction.atomic():
        check = LedgerCheck.objects.create(
            site=site,
            by=user if getattr(user, "is_authenticated", False) else None,
            checked=report.checked,
            ok=report.ok,
            problems=[{"kind": p.kind, "message": p.message, "position": p.position} for p in report.problems[:200]],
        )
        audit.record(
            actor=user,
            action="gates.verify",
            obj=check,
            object_label=f"{site.enterprise.name} {site.name} 门禁台账核验",
            region_code=site.region_id,
            after={"checked": report.checked, "ok": report.ok, "problems": len(report.problems)},
        )
        if not report.ok:
            _record_finding(user, site, check, report)
    return check


# ------------------------------------------------------------------------------------------------ findings


def _record_finding(user: Any, site: Site, check: LedgerCheck, report: LedgerReport) -> LedgerFinding | None:
    """A failed verification becomes a finding awaiting the county's or city's decision (REQ SJZ-5); the same
    problems found again add none, whether their finding is open or already decided (a dismissed gap is not put
    back in the queue by the next check, a confirmed one is not punished twice)."""
    signature = hashlib.sha256(
        json.dumps([[p.kind, p.message] for p in report.problems], ensure_ascii=False).encode()
    ).hexdigest()
    if LedgerFinding.objects.filter(site=site, signature=signature).exists():
        return None
    problems = "；".join(p.message for p in report.problems[:5])
    more = f"等 {len(report.problems)} 处" if len(report.problems) > 5 else f"共 {len(report.problems)} 处"
    finding = LedgerFinding.objects.create(
        site=site,
        check_run=check,
        kinds=sorted({p.kind for p in report.problems}),
        summary=f"{timezone.localtime(check.at):%Y-%m-%d %H:%M} 门禁台账核验发现问题（{more}）：{problems}"[:4000],
        signature=signature,
    )
    audit.record(
        actor=user,
        action="gates.finding.record",
        obj=finding,
        object_label=f"{site.enterprise.name} {site.name} 门禁台账核验发现",
        region_code=site.region_id,
        after={"kinds": finding.kinds, "problems": len(report.problems)},
    )
    return finding


def open_findings(site: Site) -> QuerySet[LedgerFinding]:
    """A site's findings awaiting a decision, newest first. A plain read (no caller): other apps, such as the
    verification case queue, read the gate findings through this and `findings_in`."""
    return LedgerFinding.objects.filter(site=site, status=LedgerFinding.Status.OPEN).select_related("check_run")


def findings_in(user: Any, status: str | None = None) -> QuerySet[LedgerFinding]:
    """The findings of every site in the caller's scope (open ones with `status="open"`), newest first."""
    actor = require(user, "gates.view", home_target(actor_of(user)))
    rows = scoped(
        LedgerFinding.objects.select_related("site__enterprise", "site__region", "check_run"),
        actor,
        "site__region",
        "site__enterprise_id",
    )
    return rows.filter(status=status) if status else rows


def site_findings(site: Site) -> QuerySet[LedgerFinding]:
    return LedgerFinding.objects.filter(site=site).select_related("decided_by").prefetch_related("downgrades")


@transaction.atomic
def decide_finding(user: Any, finding_id: int, *, confirm: bool, reason: str) -> LedgerFinding:
    """The county or city confirms a finding (→ every graded industry of the site goes down through the grade
    registry's `downgrade` with reason 篡改门禁/视频数据: the rule book's lowest grade, the one-year application ban and
    the integrity file; REQ SJZ-5, H23-6, LC-13) or dismisses it; both need a reason. Out of scope is "not found"."""
    require_role(user, "gates.finding.decide")
    missing = "核验发现不存在或不在您的管辖范围内"
    found = LedgerFinding.objects.select_related("site__enterprise").filter(pk=finding_id).first()
    if found is None:
        raise NotFound(missing)
    site = found.site
    require_found(user, "gates.finding.decide", site_target(site), view="gates.view", missing=missing)
    finding = LedgerFinding.objects.select_for_update(no_key=True).get(pk=found.pk)
    if finding.status != LedgerFinding.Status.OPEN:
        raise ServiceError(f"该发现已{finding.get_status_display()}，不能再处理", field="status")
    reason = str(reason or "").strip()
    if not reason:
        raise ServiceError("须写明处理意见（确认或不予认定的理由）", field="reason")
    downgrades: list[Any] = []
    if confirm:
        today = grades.today()
        for record in site.industries.all():
            if grades.grade_on(site, record.industry_code, today) is None:
                continue
            downgrades.append(
                grades.downgrade(
                    user,
                    site_id=site.pk,
                    industry_code=record.industry_code,
                    reason_code=Downgrade.Reason.GATE_DATA_TAMPERED.value,
                    description=f"{finding.summary}\n处理意见：{reason}"[:2000],
                    effective=today,
                )
            )
    finding.status = LedgerFinding.Status.CONFIRMED if confirm else LedgerFinding.Status.DISMISSED
    finding.decision_reason = reason[:2000]
    finding.decided_by = user
    finding.decided_at = timezone.now()
    finding.save()
    if downgrades:
        finding.downgrades.set(downgrades)
    audit.record(
        actor=user,
        action="gates.finding.decide",
        obj=finding,
        object_label=f"{site.enterprise.name} {site.name} 门禁台账核验发现",
        region_code=site.region_id,
        before={"status": "open"},
        after={"status": finding.status, "downgrades": [d.pk for d in downgrades]},
        reason=reason,
    )
    return finding


def record_system_check(site: Site, report: LedgerReport) -> LedgerCheck:
    """The CLI's verification (`airgrade gates verify SITE`), recorded as done by the system."""
    return _save_check("命令行核验", site, report)


# ------------------------------------------------------------------------------------------------ retention


@dataclass
class ArchiveResult:
    site_id: int
    archived: int = 0
    first_position: int | None = None
    last_position: int | None = None
    boundary_hash: str | None = None
    file: str = ""
    videos_expired: int = 0
    before: dt.date | None = None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


MAX_VIDEO_BATCH = 1000  # video references per API call
MAX_VIDEO_FILE = 50_000  # video references per file (`airgrade gates videos`), checked and written all or none
# What the rule data does and does not say about video coverage, shown with the days without video (page and API).
VIDEO_COVERAGE_NOTE = (
    "规则数据只规定视频的保存期限，没有规定每个装卸点每天应有哪些时段或多少视频，平台也没有各厂区装卸点的清单；"
    "因此这里只按已登记过视频的位置，列出保存期内（自该位置首条视频起至昨日）没有任何视频索引的日期，"
    "并标出其中门禁台账有车辆进厂的日期，供核查参考，不作为违规认定。从未登记视频的装卸点无法在此列出。"
)


@dataclass
class VideoResult:
    accepted: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicates": self.duplicates}


def record_video(site: Site, data: dict[str, Any], actor: str = "视频系统") -> VideoReference:
    """Register one video clip reference kept at a site (from its video system), audited; kept past its retention
    (marked expired by `archive`), never deleted. The same file again is the existing reference."""
    started, ended = data.get("started_at"), data.get("ended_at")
    if not isinstance(started, dt.datetime) or not isinstance(ended, dt.datetime) or ended < started:
        raise ServiceError("视频起止时间无效", field="ended_at")
    uri = str(data.get("uri") or "").strip()
    if not uri or len(uri) > 500:
        raise ServiceError("视频存储位置必填（最多 500 个字符）", field="uri")
    clip = core.VideoClip(str(data.get("place") or "")[:64], started, ended, uri, str(data.get("sha256") or "")[:64])
    with transaction.atomic():
        _store_videos(site, [(1, clip)], actor=actor, device=None)
        return VideoReference.objects.get(site=site, uri=uri)


def record_videos(
    device: GateDevice, items: Sequence[Any], *, now: dt.datetime | None = None, max_batch: int = MAX_VIDEO_BATCH
) -> VideoResult:
    """A site's video system registers clip references with one of the site's gate-device credentials (the
    credential decides the site). Every reference is checked first: any malformed one, a clip starting beyond the
    clock tolerance, or a file already registered with other content refuses the whole batch by row and field
    (nothing written). A reference already registered with the same content is a duplicate and changes nothing."""
    if device.revoked_at is not None:
        raise ServiceError("设备凭证已吊销", field="device")
    if not items:
        raise ServiceError("没有视频索引", field="videos")
    if len(items) > max_batch:
        raise ServiceError(f"一批最多 {max_batch} 条视频索引", field="videos")
    now = now or timezone.now()
    limit = now + dt.timedelta(minutes=rules(now.astimezone(BEIJING).date()).future_tolerance.minutes)
    problems: list[core.RowErrors] = []
    clips: list[tuple[int, core.VideoClip]] = []
    for row, raw in enumerate(items, start=1):
        clip, errors = core.parse_video(raw, row)
        if clip is not None and clip.started_at > limit:
            errors.add("started_at", "开始时间晚于当前时间")
        if errors:
            problems.append(errors)
        elif clip is not None:
            clips.append((row, clip))
    if problems:
        raise _refuse(problems, "")
    with transaction.atomic():
        return _store_videos(device.site, clips, actor=f"视频系统（设备 {device.code}）", device=device)


def _store_videos(
    site: Site, clips: list[tuple[int, core.VideoClip]], *, actor: str, device: GateDevice | None
) -> VideoResult:
    # Serialise with the site's other ledger writes so two resends of one file cannot both pass the check below.
    _lock_head(site)
    uris = [clip.uri for _, clip in clips]
    existing = {
        video.uri: (video.place, video.started_at, video.ended_at, video.sha256)
        for start in range(0, len(uris), MAX_VIDEO_BATCH)  # a file's references, a bounded IN list at a time
        for video in VideoReference.objects.filter(site=site, uri__in=uris[start : start + MAX_VIDEO_BATCH])
    }
    result = VideoResult()
    problems: list[core.RowErrors] = []
    new: list[VideoReference] = []
    for row, clip in clips:
        content = (clip.place, clip.started_at, clip.ended_at, clip.sha256)
        known = existing.get(clip.uri)
        if known is not None and known != content:
            errors = core.RowErrors(row)
            errors.add("uri", "该存储位置已登记为另一段视频（位置、时间或 SHA-256 不同）；视频索引只能追加，不能修改")
            problems.append(errors)
        elif known is not None:
            result.duplicates += 1
        else:
            existing[clip.uri] = content
            new.append(
                VideoReference(
                    site=site,
                    place=clip.place,
                    started_at=clip.started_at,
                    ended_at=clip.ended_at,
                    uri=clip.uri,
                    sha256=clip.sha256,
                    device=device,
                )
            )
    if problems:
        raise _refuse(problems, "")
    if not new:
        return result
    try:
        with transaction.atomic():
            created = VideoReference.objects.bulk_create(new)
    except IntegrityError:
        # Only a concurrent resend of the same files gets here (the head lock orders them elsewhere than SQLite).
        raise ServiceError("同一视频索引正在另一请求中登记，请稍后重发", field="uri") from None
    result.accepted = len(created)
    first = created[0]
    audit.record(
        actor=actor,
        action="gates.video.record",
        object_type="enterprises.site",
        object_id=str(site.pk),
        object_label=f"{site.enterprise.name} {site.name} 视频索引",
        region_code=site.region_id,
        after={
            "count": len(created),
            "places": sorted({video.place for video in created}),
            "first": {"place": first.place, "started_at": first.started_at, "uri": first.uri},
            "device": device.code if device else "",
        },
    )
    return result


def video_retention_end(ended_at: dt.datetime, months: int) -> dt.date:
    """The last day a clip must still be kept: its end (Beijing day) plus the retention in calendar months."""
    return core.months_after(ended_at.astimezone(BEIJING).date(), months)


def video_status(site: Site, *, today: dt.date | None = None, limit: int = 50) -> dict[str, Any]:
    """The site's video references as pages and the API show them: the retention that applies (rule data, with its
    source), the latest references with their retention end, and per place the days within the retention window —
    from the place's first reference to yesterday — with no reference at all, marking those with trucks entering
    (the gate ledger's daily counts). The rule data names no coverage a place must have (hours, clips per day) and
    the platform holds no list of a site's loading places, so these are facts for an inspector, not findings."""
    today = today or timezone.localdate()
    entry = rules(today)
    months = entry.video_retention.months
    window_start = months_before(today, months)
    last = today - dt.timedelta(days=1)
    references = VideoReference.objects.filter(site=site)
    latest = list(references.select_related("device").order_by("-ended_at", "-id")[:limit])
    rows = [
        {"video": video, "retention_end": video_retention_end(video.ended_at, months), "expired": video.expired_at}
        for video in latest
    ]
    window_cut = dt.datetime.combine(window_start, dt.time(), BEIJING)
    spans: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    firsts = dict(references.order_by().values("place").annotate(first=Min("started_at")).values_list("place", "first"))
    # Days, not clips: the database folds a year of clips into at most a few hundred (place, first day, last day)
    # rows. TruncDate uses the current time zone, Beijing (settings.TIME_ZONE), as every day on these pages.
    days_touched = (
        references.filter(ended_at__gte=window_cut)
        .annotate(first_day=TruncDate("started_at"), last_day=TruncDate("ended_at"))
        .order_by()
        .values_list("place", "first_day", "last_day")
        .distinct()
    )
    for place, first_day, last_day in days_touched:
        spans[place].append((first_day, last_day))
    entry_days = set(
        DailyCount.objects.filter(site=site, day__gte=window_start, day__lte=last, direction="in", count__gt=0)
        .values_list("day", flat=True)
        .distinct()
    )
    places = []
    for place, first_started in sorted(firsts.items()):
        first = max(window_start, first_started.astimezone(BEIJING).date())
        missing = core.uncovered_days(spans.get(place, []), first, last) if first <= last else []
        with_entries = [day for day in missing if day in entry_days]
        places.append(
            {
                "place": place or "（未注明位置）",
                "first": first,
                "last": last,
                "days": max((last - first).days + 1, 0),
                "missing": len(missing),
                "missing_ranges": core.day_ranges(missing),
                "with_entries": len(with_entries),
                "with_entries_ranges": core.day_ranges(with_entries),
            }
        )
    source = entry.video_retention.source
    return {
        "months": months,
        "source": source,
        "provisional": source.provisional,
        "window_start": window_start,
        "total": references.count(),
        "expired": references.filter(expired_at__isnull=False).count(),
        "rows": rows,
        "places": places,
    }


def archive_directory() -> Path:
    return Path(settings.VAR_DIR) / "gate-archive"


def archive(
    site: Site,
    *,
    before: dt.date | None = None,
    actor: str = "命令行归档",
    now: dt.datetime | None = None,
    directory: Path | None = None,
) -> ArchiveResult:
    """Retention (issue 11 §7; `ledger_retention`, `video_retention` in the rule data): move the site's ledger
    records that passed before `before` (default and latest: today minus the ledger retention) out of the live
    table, in one transaction with one audit record.

    Only a prefix of the chain moves (records 1 … P in arrival order, all older than the cut; a late old record
    after a newer one waits for the next run). The prefix is verified first (a broken chain is refused, never
    laundered into the archive), exported to a gzip JSON-lines file with every column and hash, copied into
    `PassageArchive`, removed from the live table, and its last hash becomes the chain head's checkpoint, from
    which `verify` checks the live records. Video references past the video retention are marked expired. A
    re-run with nothing older writes nothing."""
    now = now or timezone.now()
    today = now.astimezone(BEIJING).date()
    entry = rules(today)
    limit = months_before(today, entry.ledger_retention.months)
    if before is None:
        before = limit
    elif before > limit:
        raise ServiceError(
            f"只能归档通行时间早于 {limit.isoformat()} 的记录（台账至少保存 {entry.ledger_retention.months} 个月，"
            f"{entry.ledger_retention.source.document}）",
            field="before",
        )
    video_cut = dt.datetime.combine(months_before(today, entry.video_retention.months), dt.time(), BEIJING)
    cut = dt.datetime.combine(before, dt.time(), BEIJING)
    result = ArchiveResult(site.pk, before=before)
    written: list[Path] = []
    try:
        _archive_in_transaction(site, before, cut, video_cut, actor, now, directory, result, written)
    except BaseException:
        # The export file is written before the transaction commits: a rollback must not leave it behind.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return result


@transaction.atomic
def _archive_in_transaction(
    site: Site,
    before: dt.date,
    cut: dt.datetime,
    video_cut: dt.datetime,
    actor: str,
    now: dt.datetime,
    directory: Path | None,
    result: ArchiveResult,
    written: list[Path],
) -> None:
    head = _lock_head(site)
    base = head.base_position
    newer = (
        Passage.objects.filter(site=site, position__gt=base, passed_at__gte=cut)
        .order_by("position")
        .values_list("position", flat=True)
        .first()
    )
    last = newer - 1 if newer is not None else head.count
    result.videos_expired = VideoReference.objects.filter(
        site=site, ended_at__lt=video_cut, expired_at__isnull=True
    ).update(expired_at=now)
    if last > base:
        path = (directory or archive_directory()) / f"site-{site.pk}" / f"{base + 1:012d}-{last:012d}.jsonl.gz"
        written.append(path)
        _archive_segment(site, head, last, before, actor, path, result)
    if result.archived or result.videos_expired:
        audit.record(
            actor=actor,
            action="gates.archive",
            object_type="enterprises.site",
            object_id=str(site.pk),
            object_label=f"{site.enterprise.name} {site.name} 门禁台账归档",
            region_code=site.region_id,
            after={
                "before": before,
                "archived": result.archived,
                "first_position": result.first_position,
                "last_position": result.last_position,
                "boundary_hash": result.boundary_hash,
                "file": result.file,
                "videos_expired": result.videos_expired,
            },
        )


_ARCHIVE_COLUMNS = (
    "site_id", "device_id", "sequence", "position", "plate", "plate_colour", "direction", "passed_at", "lane",
    "photo_hash", "recognised_stage", "stage", "fuel", "kind", "cargo", "tonnage", "allowed", "flags", "corrects",
    "received_at", "previous_hash", "record_hash",
)  # fmt: skip


def _archive_segment(
    site: Site, head: LedgerHead, last: int, before: dt.date, actor: str, path: Path, result: ArchiveResult
) -> None:
    base = head.base_position
    codes = dict(GateDevice.objects.filter(site=site).values_list("pk", "code"))
    report = LedgerReport(site.pk)
    walk = _Walk(previous=head.base_hash, expected=base + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
        header = {
            "format": "airgrade-gate-ledger-archive/1",
            "site": site.pk,
            "first_position": base + 1,
            "last_position": last,
            "start_hash": head.base_hash,
            "before": before.isoformat(),
            "hash": "sha256(previous_hash + canonical JSON of the record content), docs/gates.md",
        }
        packed.write((json.dumps(header, ensure_ascii=False) + "\n").encode("utf-8"))

        def exported() -> Iterable[tuple[Any, ...]]:
            for row in _ledger_rows(Passage._meta.db_table, site.pk, base, last):
                record = dict(zip(_VERIFY_COLUMNS, row, strict=True))
                record["device"] = codes.get(record["device_id"], "")
                record["passed_at"] = _utc_text(record["passed_at"])
                if isinstance(record["flags"], str):
                    record["flags"] = json.loads(record["flags"])
                record["allowed"] = bool(record["allowed"])
                packed.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
                yield row

        _walk(report, walk, exported(), codes, defaultdict(list))
    if report.problems or walk.expected - 1 != last:
        first = report.first_problem
        raise ServiceError(
            f"台账核验未通过，不能归档：{first.message if first else '记录缺失'}（先核验并处理问题）", field="site"
        )
    digest = hashlib.sha256()
    with path.open("rb") as written:
        for block in iter(lambda: written.read(1 << 20), b""):
            digest.update(block)
    count = last - base
    record = LedgerArchive.objects.create(
        site=site,
        actor=actor[:100],
        before=before,
        first_position=base + 1,
        last_position=last,
        count=count,
        start_hash=head.base_hash,
        boundary_hash=walk.previous,
        file_name=str(path),
        file_sha256=digest.hexdigest(),
    )
    live = connection.ops.quote_name(Passage._meta.db_table)
    archived = connection.ops.quote_name(PassageArchive._meta.db_table)
    columns = ", ".join(_ARCHIVE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {archived} ({columns}, archive_id) SELECT {columns}, %s FROM {live} "
            "WHERE site_id = %s AND position > %s AND position <= %s",
            [record.pk, site.pk, base, last],
        )
        moved = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {live} WHERE site_id = %s AND position > %s AND position <= %s", [site.pk, base, last]
        )
        removed = cursor.rowcount
    if moved != count or removed != count:  # never: the walk just read exactly these rows under the head lock
        raise RuntimeError(f"归档条数不符：应为 {count}，复制 {moved}，移出 {removed}")
    LedgerHead.objects.filter(site=site).update(base_position=last, base_hash=walk.previous)
    result.archived = count
    result.first_position = base + 1
    result.last_position = last
    result.boundary_hash = walk.previous
    result.file = str(path)


def verify_archive_file(path: Path) -> LedgerReport:
    """Check an exported archive file on its own (no database needed for the chain): every record's hash from its
    content and previous hash, each link, the first record following the header's start hash, positions without
    holes; and, when the database knows the file (`LedgerArchive`), its SHA-256 and boundary hash."""
    report = LedgerReport(0)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            header = json.loads(next(lines))
            report.site_id = int(header["site"])
            walk = _Walk(previous=str(header["start_hash"]), expected=int(header["first_position"]))
            codes: dict[int, str] = {}  # the file names each record's device code (hashed with it)

            def rows() -> Iterable[tuple[Any, ...]]:
                for line in lines:
                    record = json.loads(line)
                    codes[record["device_id"]] = str(record["device"])
                    yield tuple(record[name] for name in _VERIFY_COLUMNS)

            _walk(report, walk, rows(), codes, defaultdict(list), where="归档文件")
    except (OSError, EOFError, ValueError, KeyError, StopIteration, TypeError) as exc:
        report.problems.append(Problem("unreadable", f"归档文件无法读取：{exc}"))
        return report
    if walk.expected - 1 != int(header["last_position"]):
        report.problems.append(
            Problem(
                "missing",
                f"归档文件应含第 {header['first_position']}–{header['last_position']} 条，实际止于第 {walk.expected - 1} 条",
            )
        )
    record = LedgerArchive.objects.filter(site_id=report.site_id, last_position=header["last_position"]).first()
    if record is not None:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if digest != record.file_sha256:
            report.problems.append(Problem("file", "归档文件的 SHA-256 与归档记录不符（文件被替换或改动）"))
        if walk.previous != record.boundary_hash:
            report.problems.append(Problem("checkpoint", "归档文件最后一条记录的哈希与归档记录的边界哈希不符"))
    return report


# ------------------------------------------------------------------------------------------------ figures


def _day_range(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def site_figures(site: Site, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Ledger figures of a site over [start, end] (Beijing days): road-truck entries by stage and fuel, the clean
    share the rule book's clean stages give, the worst stage seen, daily counts, register stages of in-plant
    vehicles and non-road machinery. These are the grading facts `road_truck_clean_share` etc. from the ledger."""
    entry = rules(end)
    counts = DailyCount.objects.filter(site=site, day__gte=start, day__lte=end, direction="in")
    road = counts.filter(kind=core.VehicleKind.ROAD.value)
    by_stage = {row["stage"]: row["n"] for row in road.values("stage").annotate(n=Sum("count"))}
    by_fuel = {row["fuel"]: row["n"] for row in road.values("fuel").annotate(n=Sum("count"))}
    daily = {row["day"]: row["n"] for row in counts.values("day").annotate(n=Sum("count"))}
    figures = core.figures(by_stage, entry.clean_road_stages.stages)
    inplant = register_worst_stage(site, core.VehicleKind.INPLANT)
    nonroad = register_worst_stage(site, core.VehicleKind.NONROAD)
    return {
        "period": f"{start.isoformat()}至{end.isoformat()}",
        "start": start,
        "end": end,
        "trips": figures.trips,
        "clean_trips": figures.clean_trips,
        "clean_share": figures.clean_share,
        "worst_stage": figures.worst_stage.value if figures.worst_stage else None,
        "by_stage": {k: v for k, v in figures.by_stage.items() if v},
        "by_fuel": {core.FUEL_LABELS.get(core.Fuel(k), k) if k else "未登记": v for k, v in by_fuel.items() if v},
        "daily": [(day, daily.get(day, 0)) for day in _day_range(start, end)],
        "inplant_worst_stage": inplant.value if inplant else None,
        "nonroad_worst_stage": nonroad.value if nonroad else None,
        "clean_stages": [s.value for s in entry.clean_road_stages.stages],
        "clean_source": entry.clean_road_stages.source,
    }


def grading_facts(site: Site, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The transport facts of a declaration as the ledger gives them, with their source (`gate ledger <period>`)."""
    figures = site_figures(site, start, end)
    facts: dict[str, Any] = {}
    if figures["clean_share"] is not None:
        facts["road_truck_clean_share"] = figures["clean_share"]
    if figures["worst_stage"]:
        facts["road_truck_worst_stage"] = figures["worst_stage"]
    if figures["inplant_worst_stage"]:
        facts["inplant_vehicle_worst_stage"] = figures["inplant_worst_stage"]
    if figures["nonroad_worst_stage"]:
        facts["nonroad_worst_stage"] = figures["nonroad_worst_stage"]
    return {"facts": facts, "source": f"门禁台账 {figures['period']}", "figures": figures}


def declaration_period(declaration: Any) -> tuple[dt.date, dt.date]:
    """The days whose ledger figures stand for a declaration: the rule book's `ledger_facts.period_days` up to the day
    it was submitted (today for a draft), Beijing time."""
    end = timezone.localtime(declaration.submitted_at).date() if declaration.submitted_at else timezone.localdate()
    days = rules(end).ledger_facts.period_days
    return end - dt.timedelta(days=days - 1), end


def ledger_facts(site: Site, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The grading facts the ledger gives over [start, end] and whether they count (issue 11 §4; REQ SJZ-5, H23-6):
    they count when records exist on at least `ledger_facts.min_coverage_percent` of the period's days and the rule
    book puts the ledger first; otherwise `note` says why the self-declared values stay."""
    policy = rules(end).ledger_facts
    given = grading_facts(site, start, end)
    days = (end - start).days + 1
    covered = DailyCount.objects.filter(site=site, day__gte=start, day__lte=end, count__gt=0).values("day").distinct()
    covered_days = covered.count()
    coverage = round(100 * covered_days / days, 1) if days > 0 else 0.0
    facts = {key: value for key, value in given["facts"].items() if key in policy.facts}
    note = ""
    if coverage < policy.min_coverage_percent:
        note = (
            f"门禁台账仅覆盖 {covered_days}/{days} 天（{coverage}%），低于采用台账数据所需的 "
            f"{policy.min_coverage_percent:g}%，仍按企业自报值评定"
        )
    elif policy.precedence != "ledger":
        note = "按现行规则以企业自报值评定，门禁台账数据仅供核对"
    return {
        "facts": facts,
        "source": given["source"],
        "used": not note and bool(facts),
        "note": note,
        "coverage_percent": coverage,
        "covered_days": covered_days,
        "period_days": days,
        "figures": given["figures"],
    }


def declaration_fact_sources(declaration: Any) -> list[dict[str, Any]]:
    """The declaration's transport facts as the site's ledger gives them, for the declarations app's grading (through
    the `declaration_fact_sources` hook): one entry per fact with its source and whether it replaces the declared
    value. Nothing when the site has no ledger."""
    site = declaration.site
    if not LedgerHead.objects.filter(site=site, count__gt=0).exists():
        return []
    start, end = declaration_period(declaration)
    given = ledger_facts(site, start, end)
    return [
        {"key": key, "value": value, "source": given["source"], "used": given["used"], "note": given["note"]}
        for key, value in given["facts"].items()
    ]


def devices_status(site: Site) -> list[dict[str, Any]]:
    """Per device: last record, records received, completeness against its sequence numbers (goal ≥ 95 %)."""
    goal = rules().completeness_goal.percent
    rows = []
    for device in GateDevice.objects.filter(site=site):
        share = (
            core.completeness(device.received, device.first_sequence, device.last_sequence)
            if device.first_sequence is not None and device.last_sequence is not None
            else None
        )
        rows.append(
            {
                "device": device,
                "received": device.received,
                "latest": device.last_passed_at,
                "completeness": share,
                "meets_goal": share is not None and share >= goal,
                "goal": goal,
            }
        )
    return rows


# ------------------------------------------------------------------------------------------------ alert days


def _event_window(event: Any, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    # An event lifted after its planned end (or never lifted) ends at the earlier of the two.
    candidates = [moment for moment in (event.lifted_at, event.ends_at, now) if moment is not None]
    end = min(candidates)
    return event.starts_at, max(end, event.starts_at + dt.timedelta(seconds=1))


def alert_check(site: Site, event: Any, vehicle_rule: dict[str, Any] | None) -> dict[str, Any]:
    """Passages of one site during one alert event checked against its vehicle rule (from its task's measures),
    and the daily truck count on alert days vs the normal days before (the inspectors' method, guide-facts §4)."""
    entry = rules(event.starts_at.date())
    rule = core.VehicleRule.from_dict(vehicle_rule)
    start, end = _event_window(event, timezone.now())
    during = Passage.objects.filter(site=site, passed_at__gte=start, passed_at__lt=end).select_related("device")
    violations = [
        p
        for p in during.filter(kind=core.VehicleKind.ROAD.value, direction="in", allowed=True).order_by("passed_at")
        if core.violates(rule, kind=p.kind, direction=p.direction, allowed=p.allowed, stage=p.stage, fuel=p.fuel)
    ]
    alert_days = _day_range(
        start.astimezone(BEIJING).date(), (end - dt.timedelta(seconds=1)).astimezone(BEIJING).date()
    )
    first_day = alert_days[0]
    baseline_days = [first_day - dt.timedelta(days=n) for n in range(entry.baseline_days.max, 0, -1)]
    road_in = DailyCount.objects.filter(site=site, kind=core.VehicleKind.ROAD.value, direction="in")
    per_day = {
        row["day"]: row["n"]
        for row in road_in.filter(day__in=[*baseline_days, *alert_days]).values("day").annotate(n=Sum("count"))
    }

    def average(days: list[dt.date]) -> float | None:
        return round(sum(per_day.get(d, 0) for d in days) / len(days), 1) if days else None

    return {
        "rule": rule,
        "rule_empty": rule.empty,
        "start": start,
        "end": end,
        "violations": violations,
        "alert_days": [(d, per_day.get(d, 0)) for d in alert_days],
        "baseline_days": [(d, per_day.get(d, 0)) for d in baseline_days],
        "alert_average": average(alert_days),
        "baseline_average": average(baseline_days),
        "baseline_source": entry.baseline_days.source,
    }


# ------------------------------------------------------------------------------------------------ inspection


def draw_sample(user: Any, site_id: int, seed: int, start: dt.date, end: dt.date) -> InspectionSample:
    """An inspector's reproducible sample of ledger records (size from the rule book, 5–10), recorded with its seed."""
    site = get_site(user, site_id, "gates.inspect")
    entry = rules(end)
    ids = list(
        Passage.objects.filter(
            site=site,
            passed_at__gte=dt.datetime.combine(start, dt.time(), BEIJING),
            passed_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), BEIJING),
        ).values_list("id", flat=True)
    )
    if not ids:
        raise ServiceError("该期间没有门禁记录", field="start")
    chosen = core.draw_sample(ids, seed, entry.inspection_sample.max)
    with transaction.atomic():
        sample = InspectionSample.objects.create(
            site=site, seed=seed, period_from=start, period_to=end, record_ids=chosen, by=user
        )
        audit.record(
            actor=user,
            action="gates.inspect",
            obj=sample,
            object_label=f"{site.enterprise.name} 门禁台账抽查",
            region_code=site.region_id,
            after={"seed": seed, "records": chosen, "from": start, "to": end},
        )
    return sample


def recent_passages(site: Site, limit: int = 50) -> list[Passage]:
    return list(Passage.objects.filter(site=site).select_related("device").order_by("-position")[:limit])


def flagged_count(site: Site) -> int:
    return Passage.objects.filter(site=site).exclude(flags=[]).count()


def checks(site: Site) -> Iterable[LedgerCheck]:
    return LedgerCheck.objects.filter(site=site)[:10]
