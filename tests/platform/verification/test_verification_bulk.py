"""The bulk path of reading imports (issue 12): a clean file is checked column by column and written by COPY with one
upsert on PostgreSQL — the same counts, rows and rollup as the row-by-row path; anything to report (bad numbers, a
time outside the declared range, duplicate intervals, a pollutant the outlet does not monitor) goes row by row, which
names it, and nothing is half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.platform.verification.builders import electricity_csv, monitoring_csv

from airgrade.platform.verification import bulk, files, series, services
from airgrade.platform.verification.models import Reading

HEADER = "统一社会信用代码,排放口编号,监测时间,污染物,排放速率（kg/h）,状态标记"


def _cells(text: str) -> list[list[Any]]:
    return files.read_cells("x.csv", text.encode())


@pytest.mark.parametrize(
    ("row", "date_from"),
    [
        ("C,DA001,2026-11-01 01:00,二氧化硫,-2,正常", None),  # negative
        ("C,DA001,2026-11-01 01:00,二氧化硫,nan,正常", None),  # not finite
        ("C,DA001,2026-11-01 01:00,二氧化硫,1e13,正常", None),  # too large
        ("C,DA001,2026-11-01 01:00,二氧化硫,一点五,正常", None),  # not a number
        ("C,DA001,2026-11-01 01:30,二氧化硫,1.0,正常", None),  # not on the hour
        ("C,DA001,2026-11-01 01:00,臭氧,1.0,正常", None),  # not a listed pollutant
        ("C,DA001,2026-11-01 01:00,二氧化硫,1.0,坏了", None),  # unknown flag
        ("C,DA001,2026-11-01 01:00,二氧化硫,,正常", None),  # normal without a value
        ("C,,2026-11-01 01:00,二氧化硫,1.0,正常", None),  # no point
        ("C,DA001,2026-11-01 01:00,二氧化硫,1.0,正常", dt.date(2026, 11, 2)),  # outside the declared range
        ("C,DA001,昨天,二氧化硫,1.0,正常", None),  # not a time
    ],
)
def test_anything_to_report_leaves_the_bulk_path(row: str, date_from: dt.date | None) -> None:
    cells = _cells(f"{HEADER}\nC,DA001,2026-11-01 00:00,二氧化硫,1.0,正常\n{row}\n")
    with pytest.raises(bulk.NotBulk):
        bulk.parse("monitoring", cells, date_from=date_from, date_to=None)


def test_clean_columns_are_read_like_the_row_by_row_reader() -> None:
    text = f"{HEADER}\nc1,DA001,2026/11/01 00:00,SO2,1.5,\n\nc1,DA001,2026-11-01 01:00,二氧化硫,0,停运\n"
    parsed = bulk.parse("monitoring", _cells(text), date_from=None, date_to=None)
    rows = files.parse_cells("monitoring", "x.csv", _cells(text)).rows
    assert parsed["credit"] == [row["credit_code"] for row in rows] == ["C1", "C1"]
    assert parsed["at"] == [row["at"] for row in rows]
    assert parsed["value"] == [row["value"] for row in rows] and parsed["status"] == [row["status"] for row in rows]


@pytest.mark.django_db(transaction=True)
def test_bulk_and_row_by_row_store_the_same(users: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    code = users["own_enterprise"].credit_code
    content = monitoring_csv(code, normal=10, during=3)
    row_by_row: list[str] = []
    real = services._load_rows
    monkeypatch.setattr(services, "_load_rows", lambda *a, **k: row_by_row.append(a[2]) or real(*a, **k))
    dry = services.import_readings(users["county"], "monitoring", "m.csv", content, commit=False)
    assert dry.ok and dry.new == dry.rows and not dry.committed and Reading.objects.count() == 0
    first = services.import_readings(users["county"], "monitoring", "m.csv", content, commit=True)
    again = services.import_readings(users["county"], "monitoring", "m.csv", content, commit=True)
    assert (first.new, first.points_created) == (dry.rows, 1)
    assert (again.new, again.changed, again.unchanged) == (0, 0, first.new)
    corrected = services.import_readings(
        users["county"], "monitoring", "m.csv", content.replace(b",10.000,", b",11.000,", 1), commit=True
    )
    assert (corrected.new, corrected.changed) == (0, 1)
    assert Reading.objects.filter(value=11.0).count() == 1
    # Duplicate hours with different values: refused by row, nothing saved.
    lines = electricity_csv(code, normal=800, during=200).decode().splitlines()
    clash = "\n".join([*lines[:4], lines[3].rsplit(",", 2)[0] + ",1.000,"]) + "\n"
    refused = services.import_readings(users["county"], "electricity", "e.csv", clash.encode(), commit=True)
    assert not refused.ok and any("同一时段数值不同" in error.reason for error in refused.errors)
    assert not Reading.objects.filter(point__kind="meter").exists()
    if series.uses_rollup():
        assert row_by_row == ["e.csv"]  # every clean file went the bulk way; the clash is named row by row
    else:
        assert row_by_row == ["m.csv"] * 4 + ["e.csv"]  # SQLite: the row-by-row path only
