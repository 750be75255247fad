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


class VideosIn(Schema):
    """Video clip references from a site's video system (docs/gates.md); each is checked one by one."""

    videos: list[Any] = Field(..., max_length=1000)


class VideosOut(Schema):
    accepted: int
    duplicates: int


class VideoOut(Schema):
    id: int
    place: str
    started_at: dt.datetime
    ended_at: dt.datetime
    uri: str
    sha256: str
    recorded_at: dt.datetime
    retention_end: dt.date
    expired: bool


class VideoPlaceOut(Schema):
    place: str
    first: dt.date
    last: dt.date
    days: int
    days_without_video: int
    without_video: list[list[dt.date]]  # [first, last] ranges of days with no reference
    days_with_entries_without_video: int
    with_entries_without_video: list[list[dt.date]]


class VideoStatusOut(Schema):
    retention_months: int
    retention_source: str
    provisional: bool
    total: int
    expired: int
    videos: list[VideoOut]
    places: list[VideoPlaceOut]
    coverage_rule: str
