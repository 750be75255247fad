"""Gate ledger services (issue 11; REQ SJZ-5, SJZ-6, H23-6): registers, devices and their credentials, ingest into
the per-site hash chain, verification, figures for grading, alert-day checks and inspection samples. Every write
runs in one transaction and leaves an audit record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from airgrade.core import gates as core
from airgrade.core.access import Target, home_target
from airgrade.core.hashchain import GENESIS, link_hash
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.rules.schema import GateLedgerEntry
from airgrade.core.types import EmissionStage
from airgrade.platform.audit import services as audit
from airgrade.platform.enterprises.models import Site
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.gates.models import (
    DailyCount,
    GateDevice,
    InspectionSample,
    LedgerCheck,
    LedgerFinding,
    LedgerHead,
    Passage,
    Vehicle,
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
    return (
        GateDevice.objects.select_related("site").filter(token_hash=_token_hash(token), revoked_at__isnull=True).first()
    )


# ------------------------------------------------------------------------------------------------ ingest


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    first_position: int | None = None
    last_position: int | None = None

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


def _same(existing: Passage, passage: core.Passage) -> bool:
    return (
        existing.plate == passage.plate
        and existing.direction == passage.direction
        and existing.passed_at == passage.passed_at.replace(microsecond=0)
    )


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
    if device.revoked_at is not None:
        raise ServiceError("设备凭证已吊销", field="device")
    now = now or timezone.now()
    entry = rules(now.date())
    tolerance = dt.timedelta(minutes=entry.future_tolerance.minutes)
    parsed: list[core.Passage] = []
    problems: list[core.RowErrors] = []
    seen: set[int] = set()
    for index, raw in enumerate(records):
        row = index + row_offset
        if not isinstance(raw, dict):
            errors = core.RowErrors(row)
            errors.add("记录", "须为 JSON 对象")
            problems.append(errors)
            continue
        passage, errors = core.parse_passage(raw, row)
        if passage is not None and passage.sequence in seen:
            errors.add("seq", f"序号 {passage.sequence} 在本批中重复")
        if errors:
            problems.append(errors)
        elif passage is not None:
            seen.add(passage.sequence)
            parsed.append(passage)
    if problems:
        raise _refuse(problems, source)

    site = device.site
    result = IngestResult()
    with transaction.atomic():
        head = LedgerHead.objects.select_for_update().filter(site=site).first()
        if head is None:
            head = LedgerHead.objects.create(site=site, last_hash=GENESIS)
            head = LedgerHead.objects.select_for_update().get(site=site)
        existing = _existing(site, device, [p.sequence for p in parsed])
        conflicts: list[core.RowErrors] = []
        fresh: list[tuple[int, core.Passage]] = []
        for index, passage in enumerate(parsed):
            old = existing.get(passage.sequence)
            if old is None:
                fresh.append((index, passage))
            elif _same(old, passage):
                result.duplicates += 1
            else:
                errors = core.RowErrors(index + row_offset)
                errors.add("seq", f"序号 {passage.sequence} 已用于另一条记录（更正请发新序号并填写 corrects）")
                conflicts.append(errors)
        if conflicts:
            raise _refuse(conflicts, source)
        if not fresh:
            return result
        plates = {p.plate for _, p in fresh}
        register = {
            v.plate: v for v in Vehicle.objects.filter(site=site, plate__in=plates, active=True).exclude(plate="")
        }
        rows: list[dict[str, Any]] = []
        daily: Counter[tuple[dt.date, str, str, str, str]] = Counter()
        previous = head.last_hash
        position = head.count
        received = now.replace(microsecond=0)
        for _, passage in fresh:
            position += 1
            vehicle = register.get(passage.plate)
            registered_stage = EmissionStage(vehicle.stage) if vehicle else None
            flags = core.flags_for(
                passage,
                registered_stage=registered_stage,
                registered=vehicle is not None,
                now=now,
                future_tolerance=tolerance,
            )
            stage = vehicle.stage if vehicle else (passage.stage.value if passage.stage else "")
            fuel = vehicle.fuel if vehicle else ""
            kind = vehicle.kind if vehicle else core.VehicleKind.ROAD.value
            passed_at = passage.passed_at.replace(microsecond=0)
            content = core.record_content(
                device=device.code,
                sequence=passage.sequence,
                plate=passage.plate,
                plate_colour=passage.plate_colour,
                direction=passage.direction,
                passed_at=passed_at,
                lane=passage.lane,
                photo_hash=passage.photo_hash,
                recognised_stage=passage.stage.value if passage.stage else "",
                stage=stage,
                fuel=fuel,
                kind=kind,
                cargo=passage.cargo,
                tonnage=passage.tonnage,
                allowed=passage.allowed,
                flags=[f.value for f in flags],
                corrects=passage.corrects,
                position=position,
            )
            record_hash = link_hash(previous, content)
            rows.append(
                {
                    "site_id": site.pk,
                    "device_id": device.pk,
                    "sequence": passage.sequence,
                    "position": position,
                    "plate": passage.plate,
                    "plate_colour": passage.plate_colour,
                    "direction": passage.direction,
                    "passed_at": passed_at,
                    "lane": passage.lane,
                    "photo_hash": passage.photo_hash,
                    "recognised_stage": content["seen"],
                    "stage": stage,
                    "fuel": fuel,
                    "kind": kind,
                    "cargo": passage.cargo,
                    "tonnage": passage.tonnage,
                    "allowed": passage.allowed,
                    "flags": content["flags"],
                    "corrects": passage.corrects,
                    "received_at": received,
                    "previous_hash": previous,
                    "record_hash": record_hash,
                }
            )
            previous = record_hash
            if flags:
                result.flagged += 1
            if passage.allowed:  # the figures count vehicles let through; refused ones stay in the ledger
                daily[(passed_at.astimezone(BEIJING).date(), kind, passage.direction, stage, fuel)] += 1
        _append(rows)
        sequences = [row["sequence"] for row in rows]
        latest = max(row["passed_at"] for row in rows)
        GateDevice.objects.filter(pk=device.pk).update(
            received=F("received") + len(rows),
            first_sequence=Least(Coalesce("first_sequence", min(sequences)), min(sequences)),
            last_sequence=Greatest(Coalesce("last_sequence", max(sequences)), max(sequences)),
            last_passed_at=Greatest(Coalesce("last_passed_at", latest), latest),
        )
        LedgerHead.objects.filter(site=site).update(last_hash=previous, count=position)
        if daily:
            _add_daily(site, daily)
        result.accepted = len(rows)
        result.first_position = head.count + 1
        result.last_position = position
        audit.record(
            actor=actor or f"门禁设备 {device.code}",
            action="gates.ingest",
            object_type="gates.gatedevice",
            object_id=str(device.pk),
            object_label=f"{site.enterprise.name} {device}",
            region_code=site.region_id,
            after={**result.as_dict(), "head": previous, "source": source or "api"},
        )
    return result


def _existing(site: Site, device: GateDevice, sequences: list[int]) -> dict[int, Passage]:
    """The device's records already in the ledger among `sequences`: by range when the batch is dense (the usual
    case, and no 5,000-element IN list), else by list."""
    low, high = min(sequences), max(sequences)
    rows = Passage.objects.filter(site=site, device=device)
    if high - low < 4 * len(sequences):
        rows = rows.filter(sequence__gte=low, sequence__lte=high)
    else:
        rows = rows.filter(sequence__in=sequences)
    wanted = set(sequences)
    return {p.sequence: p for p in rows.only("sequence", "plate", "direction", "passed_at") if p.sequence in wanted}


_COPY_COLUMNS = (
    "site_id", "device_id", "sequence", "position", "plate", "plate_colour", "direction", "passed_at", "lane",
    "photo_hash", "recognised_stage", "stage", "fuel", "kind", "cargo", "tonnage", "allowed", "flags", "corrects",
    "received_at", "previous_hash", "record_hash",
)  # fmt: skip


def _append(rows: list[dict[str, Any]]) -> None:
    """Write a batch of ledger rows: PostgreSQL COPY (an order of magnitude faster than INSERT through the ORM,
    benchmarks/gate_ingest.py), the ORM's bulk insert elsewhere. Runs inside the caller's transaction."""
    if connection.vendor != "postgresql":
        Passage.objects.bulk_create([Passage(**row) for row in rows], batch_size=1000)
        return
    table = connection.ops.quote_name(Passage._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(_COPY_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(json.dumps(row[name]) if name == "flags" else row[name] for name in _COPY_COLUMNS))


def _add_daily(site: Site, daily: Counter[tuple[dt.date, str, str, str, str]]) -> None:
    """Add a batch's counts to the daily table (the caller holds the site's head lock: no concurrent writer)."""
    days = {key[0] for key in daily}
    existing = {
        (row.day, row.kind, row.direction, row.stage, row.fuel): row
        for row in DailyCount.objects.filter(site=site, day__in=days)
    }
    updates, creates = [], []
    for key, count in daily.items():
        row = existing.get(key)
        if row is None:
            day, kind, direction, stage, fuel = key
            creates.append(
                DailyCount(site=site, day=day, kind=kind, direction=direction, stage=stage, fuel=fuel, count=count)
            )
        else:
            row.count += count
            updates.append(row)
    DailyCount.objects.bulk_create(creates)
    DailyCount.objects.bulk_update(updates, ["count"])


def ingest_as(user: Any, site_id: int, device_code: str, records: Sequence[Any], source: str) -> IngestResult:
    """A person uploads a gate's exported file (CSV/xlsx) for a device of a site they may write."""
    site = get_site(user, site_id, "gates.ingest")
    device = GateDevice.objects.select_related("site__enterprise").filter(site=site, code=device_code).first()
    if device is None:
        raise ServiceError(f"本厂区没有编号为 {device_code} 的门禁设备", field="device")
    result = IngestResult()
    for start in range(0, len(records), MAX_BATCH):
        part = ingest(device, records[start : start + MAX_BATCH], actor=user, source=source, row_offset=start + 1)
        result.accepted += part.accepted
        result.duplicates += part.duplicates
        result.flagged += part.flagged
    return result


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


_FIELDS = (
    "position", "sequence", "plate", "plate_colour", "direction", "passed_at", "lane", "photo_hash",
    "recognised_stage", "stage", "fuel", "kind", "cargo", "tonnage", "allowed", "flags", "corrects",
    "previous_hash", "record_hash", "device__code", "device_id",
)  # fmt: skip


def verify(site: Site) -> LedgerReport:
    """Walk a site's ledger in chain order: name the first altered or missing record, every later one, a head that
    does not match (a deleted tail), and every gap in each device's sequence numbers."""
    report = LedgerReport(site.pk)
    head = LedgerHead.objects.filter(site=site).first()
    head_hash, head_count = (head.last_hash, head.count) if head else (GENESIS, 0)
    previous, expected_position = GENESIS, 1
    sequences: dict[str, list[int]] = defaultdict(list)
    rows = Passage.objects.filter(site=site, position__lte=head_count).order_by("position").values_list(*_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        values = dict(zip(_FIELDS, row, strict=True))
        position = values["position"]
        if position != expected_position:
            missing = (
                f"第 {expected_position} 条"
                if position == expected_position + 1
                else f"第 {expected_position}–{position - 1} 条"
            )
            report.problems.append(Problem("missing", f"台账{missing}记录缺失（被删除）", expected_position))
        elif values["previous_hash"] != previous:
            report.problems.append(
                Problem("broken_link", f"台账第 {position} 条记录的前序哈希与上一条不符（链条断开）", position)
            )
        content = core.record_content(
            device=values["device__code"],
            sequence=values["sequence"],
            plate=values["plate"],
            plate_colour=values["plate_colour"],
            direction=values["direction"],
            passed_at=values["passed_at"],
            lane=values["lane"],
            photo_hash=values["photo_hash"],
            recognised_stage=values["recognised_stage"],
            stage=values["stage"],
            fuel=values["fuel"],
            kind=values["kind"],
            cargo=values["cargo"],
            tonnage=values["tonnage"],
            allowed=values["allowed"],
            flags=values["flags"],
            corrects=values["corrects"],
            position=position,
        )
        if link_hash(values["previous_hash"], content) != values["record_hash"]:
            report.problems.append(
                Problem(
                    "altered",
                    f"台账第 {position} 条记录（设备 {values['device__code']} 序号 {values['sequence']}，"
                    f"车牌 {values['plate']}）内容与其哈希不符（记录被篡改）",
                    position,
                )
            )
        sequences[values["device__code"]].append(values["sequence"])
        previous = values["record_hash"]
        expected_position = position + 1
        report.checked += 1
    if expected_position - 1 < head_count:
        report.problems.append(
            Problem("missing", f"台账第 {expected_position}–{head_count} 条记录缺失（链尾被删除）", expected_position)
        )
    elif previous != head_hash:
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
    problems found again while a finding on them is open add none."""
    signature = hashlib.sha256(
        json.dumps([[p.kind, p.message] for p in report.problems], ensure_ascii=False).encode()
    ).hexdigest()
    if LedgerFinding.objects.filter(site=site, status=LedgerFinding.Status.OPEN, signature=signature).exists():
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
