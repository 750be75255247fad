"""The gate ledger's column-wise bulk path (issue 11, `gates.bulk`): a file ingested column by column stores exactly
what the record-by-record path stores — the same rows, canonical content and chain hashes, flags, daily counts,
device counters and chain head — and a file it cannot take as it is goes record by record."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st
from tests.fuzzing import fuzz_settings

from airgrade.platform.enterprises import services as registry
from airgrade.platform.errors import ServiceError
from airgrade.platform.gates import bulk, services
from airgrade.platform.gates.models import DailyCount, GateDevice, LedgerHead, Passage

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
REGISTER = (("豫A12345", "国六", "diesel"), ("豫B67890", "国四", "diesel"), ("豫C2468D", "新能源", "electric"))
_sites = itertools.count(1)

OPTIONAL = {
    "plate_colour": st.sampled_from([None, "", "blue", "yellow", " green "]),
    "lane": st.sampled_from([None, "", "1", "东门\\2", "a\tb", "  3  "]),
    "photo_hash": st.sampled_from([None, "", "ab" * 32, "AB" * 32]),
    "stage": st.sampled_from([None, "", "国六", "国5", "VI", "新能源", "国四", " 国三 "]),
    "cargo": st.sampled_from([None, "", "煤", 'a"b', "c\\d", "x\ny", "é\u2028"]),
    "tonnage": st.sampled_from([None, "", 0, 0.0, -0.0, "-0", 12, 12.5, 1000, 0.0005, 33.3333, "41.0", " 7 "]),
    "result": st.sampled_from(["pass", "refused", "放行", "拒绝", " PASS "]),
    "corrects": st.sampled_from([None, "", 3, "4"]),
}
PLATES = st.sampled_from(["豫A12345", " 豫a12345 ", "豫B67890", "豫C2468D", "豫D13579", "XYZ", "京A1234挂"])
TIMES = st.sampled_from(
    [
        "2026-11-19T08:00:00+08:00",
        "2026-11-19 23:59:59",
        "2026-11-19T16:00:00Z",
        "2026-11-19T16:00:00.750000+08:00",
        "2026-11-20T23:30:00+08:00",  # beyond the future-time tolerance of NOW
        "2026-05-31T16:30:00+00:00",
    ]
)


@st.composite
def batches(draw: Any) -> list[dict[str, Any]]:
    size = draw(st.integers(1, 25))
    sequences = draw(st.permutations(range(1, size + 1)))
    records = []
    for sequence in sequences:
        record: dict[str, Any] = {
            "seq": draw(st.sampled_from([sequence, str(sequence)])),
            "plate": draw(PLATES),
            "direction": draw(st.sampled_from(["in", "out", "1", "2", "进", "出", " IN "])),
            "time": draw(TIMES),
        }
        for key, values in OPTIONAL.items():
            if draw(st.booleans()):
                record[key] = draw(values)
        records.append(record)
    return records


def _site(users: dict[str, Any]) -> Any:
    site = registry.add_site(users["province"], users["own_enterprise"].pk, {"name": f"比对厂区{next(_sites)}"})
    for plate, stage, fuel in REGISTER:
        services.save_vehicle(
            users["enterprise"], site.pk, {"kind": "road", "plate": plate, "stage": stage, "fuel": fuel}
        )
    services.create_device_unchecked(site, "G1", "东门")
    return site


def _stored(site: Any) -> dict[str, Any]:
    skip = {"id", "site", "device"}
    fields = [f.attname for f in Passage._meta.concrete_fields if f.name not in skip]
    device = GateDevice.objects.get(site=site)
    return {
        "rows": list(Passage.objects.filter(site=site).order_by("position").values_list(*fields)),
        "daily": list(
            DailyCount.objects.filter(site=site)
            .order_by("day", "kind", "direction", "stage", "fuel")
            .values_list("day", "kind", "direction", "stage", "fuel", "count")
        ),
        "device": (device.received, device.first_sequence, device.last_sequence, device.last_passed_at),
        "head": LedgerHead.objects.filter(site=site).values_list("last_hash", "count").first(),
        "verified": services.verify(site).ok,
    }


def _ingest(site: Any, records: list[dict[str, Any]]) -> Any:
    try:
        return services.ingest_file(GateDevice.objects.get(site=site), records, now=NOW).as_dict()
    except ServiceError as refusal:
        return ("refused", str(refusal))


def _both(users: dict[str, Any], records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    column_site, record_site = _site(users), _site(users)
    used = []
    real = bulk.read
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "read", lambda batch: used.append(real(batch)) or used[-1])
        by_columns = _ingest(column_site, records)
        patch.setattr(bulk, "read", lambda batch: None)
        by_records = _ingest(record_site, records)
    assert by_columns == by_records
    assert _stored(column_site) == _stored(record_site)
    return used


@fuzz_settings(25)
@given(records=batches())
def test_columns_and_records_store_the_same_ledger(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch, records: list[dict[str, Any]]
) -> None:
    _both(users, records, monkeypatch)


def test_a_clean_file_goes_column_by_column_and_verifies(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [
        {"seq": 1, "plate": "豫A12345", "direction": "in", "time": "2026-11-19T08:00:00+08:00", "tonnage": 30},
        {"seq": "2", "plate": "豫B67890", "direction": "out", "time": "2026-11-19 09:00", "stage": "国六"},
        {"seq": 3, "plate": "豫D13579", "direction": "进", "time": "2026-11-20T23:30:00+08:00", "cargo": 'a"b\\c'},
        {"seq": 4, "plate": "XYZ", "direction": "出", "time": "2026-11-19T10:00:00Z", "tonnage": "41.5"},
        {"seq": 5, "plate": "豫A12345", "direction": "in", "time": "2026-11-19T11:00:00+08:00", "result": "拒绝"},
    ]
    used = _both(users, records, monkeypatch)
    # PostgreSQL takes the file column by column; SQLite has only the record-by-record path.
    assert [columns is not None for columns in used] == ([True] if connection.vendor == "postgresql" else [])
    flags = dict(Passage.objects.filter(device__site__name__startswith="比对厂区").values_list("sequence", "flags")[:5])
    assert flags[3] == ["future_time", "unknown_plate"] and flags[4] == ["impossible_plate", "unknown_plate"]


@pytest.mark.parametrize(
    ("first_extra", "odd"),
    [
        ({}, {"sequence": 9}),  # a rarer spelling of the key
        ({}, {"seq": True}),  # a boolean is not a sequence number
        ({}, {"seq": 1}),  # a sequence used twice in the file
        ({}, {"seq": 2.0}),  # a float is not a sequence number (2.0 and 2 would share a distinct value)
        ({"corrects": 3}, {"corrects": 3.0}),  # refused record by record, though 3.0 == 3
        ({}, {"tonnage": True}),
        ({}, {"plate": 12345}),
        ({}, {"time": "yesterday"}),
        ({}, {"lane": "x" * 65}),
    ],
)
def test_a_file_the_columns_cannot_take_as_it_is_goes_record_by_record(
    first_extra: dict[str, Any], odd: dict[str, Any]
) -> None:
    first = {"seq": 1, "plate": "豫A12345", "direction": "in", "time": "2026-11-19T08:00:00+08:00", **first_extra}
    second = {"seq": 2, "plate": "豫A12345", "direction": "out", "time": "2026-11-19T09:00:00+08:00", **odd}
    assert bulk.read([first, second]) is None
    assert bulk.read([first, {"seq": 2, "plate": "豫A12345", "direction": "out", "time": "2026-11-19 09:00"}])


def test_a_resent_file_goes_record_by_record_and_changes_nothing(users: dict[str, Any]) -> None:
    site = _site(users)
    device = GateDevice.objects.get(site=site)
    records = [
        {"seq": n, "plate": "豫A12345", "direction": "in", "time": f"2026-11-19T{n:02d}:00:00+08:00"}
        for n in range(1, 9)
    ]
    first = services.ingest_file(device, records, now=NOW)
    before = _stored(site)
    again = services.ingest_file(device, records, now=NOW)
    assert (first.accepted, again.accepted, again.duplicates) == (8, 0, 8)
    assert _stored(site) == before and before["verified"]
