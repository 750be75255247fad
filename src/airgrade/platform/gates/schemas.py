"""API types of the gate ledger: device batches, ingest answers, registers, devices, figures (issue 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class BatchIn(Schema):
    """A device's batch in the vendor-neutral format (docs/gates.md); records are checked one by one."""

    records: list[Any] = Field(..., max_length=5000)


class IngestOut(Schema):
    accepted: int
    duplicates: int
    flagged: int
    first_position: int | None
    last_position: int | None


class VehicleIn(Schema):
    kind: str
    plate: str = ""
    plate_colour: str = ""
    vin: str = ""
    vehicle_type: str = ""
    registration_date: dt.date | None = None
    fuel: str
    stage: str
    env_code: str = ""
    pin: str = ""
    engine: str = ""
    evidence: str = ""
    owner: str = ""
    reason: str = ""


class VehicleOut(Schema):
    id: int
    kind: str
    plate: str
    env_code: str
    fuel: str
    stage: str


class DeviceIn(Schema):
    code: str
    entrance: str
    lane: str = ""
    vendor: str = ""


class DeviceOut(Schema):
    id: int
    code: str
    entrance: str
    revoked: bool
    token: str = ""  # shown once, when the device is registered


class FiguresOut(Schema):
    period: str
    trips: int
    clean_trips: int
    clean_share: float | None
    worst_stage: str | None
    by_stage: dict[str, int]
    by_fuel: dict[str, int]
    daily: dict[str, int]
    inplant_worst_stage: str | None
    nonroad_worst_stage: str | None
    source: str


class VerifyOut(Schema):
    checked: int
    ok: bool
    problems: list[str]
