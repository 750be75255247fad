"""The bulk path of reading imports (issue 12): a clean file is checked column by column and written by COPY with one
upsert on PostgreSQL — the same counts, rows and rollup as the row-by-row path; anything to report (bad numbers, a
time outside the declared range, duplicate intervals, a pollutant the outlet does not monitor) goes row by row, which
names it, and nothing is half-saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from tests.fuzzing import fuzz_settings
from tests.platform.verification.builders import electricity_csv, monitoring_csv

from airgrade.platform.verification import bulk, files, series, services
from airgrade.platform.verification.models import Reading

HEADER = "统一社会信用代码,排放口编号,监测时间,污染物,排放速率（kg/h）,状态标记"


def _cells(text: str) -> list[list[Any]]:
    return files.read_cells("x.csv", text.encode())


def _arrow(text: str) -> Any:
    table = bulk.csv_table("x.csv", text.encode(), files.MAX_ROWS)
    assert table is not None
    return table


SOURCES = pytest.mark.parametrize("source", [_cells, _arrow], ids=["cells", "arrow"])


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
@SOURCES
def test_anything_to_report_leaves_the_bulk_path(row: str, date_from: dt.date | None, source: Any) -> None:
    table = source(f"{HEADER}\nC,DA001,2026-11-01 00:00,二氧化硫,1.0,正常\n{row}\n")
    with pytest.raises(bulk.NotBulk):
        bulk.parse("monitoring", table, date_from=date_from, date_to=None)


@SOURCES
def test_clean_columns_are_read_like_the_row_by_row_reader(source: Any) -> None:
    text = f"{HEADER}\nc1,DA001,2026/11/01 00:00,SO2,1.5,\n\nc1,DA001,2026-11-01 01:00,二氧化硫,0,停运\n,,,,,\n"
    parsed = bulk.parse("monitoring", source(text), date_from=None, date_to=None)
    rows = files.parse_cells("monitoring", "x.csv", _cells(text)).rows
    assert parsed.credit.column() == [row["credit_code"] for row in rows] == ["C1", "C1"]
    assert parsed.at.column() == [row["at"] for row in rows]
    assert parsed.value.column() == [row["value"] for row in rows]
    assert [state.value for state in parsed.status.column()] == [row["status"] for row in rows]


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


# ---------------------------------------------------------------------------------------------- the Arrow reader

CELL_TEXT = st.text(alphabet=st.sampled_from(list("0123456789.-+eE ab二氧化硫正常停运:/_\t\r")), max_size=8)


@fuzz_settings(60)
@given(st.lists(st.lists(CELL_TEXT, min_size=3, max_size=3), min_size=1, max_size=12), st.booleans())
def test_arrow_reads_a_csv_exactly_as_the_cells_reader_or_leaves_it_to_it(rows: list[list[str]], gb: bool) -> None:
    """Whatever Arrow reads has the same data rows as csv.reader (empty lines aside); what it might read otherwise
    it declines (None), and the cells' way takes the file."""
    text = "a,b,c\n" + "\n".join(",".join(row) for row in rows) + "\n"
    content = text.encode("gb18030" if gb else "utf-8")
    table = bulk.csv_table("x.csv", content, files.MAX_ROWS)
    if table is None:
        return
    expected = [row for row in files.read_cells("x.csv", content)[1:] if row]
    got = [list(row.values()) for row in table.to_pylist()]
    assert got == expected
    assert table.schema.metadata[b"header"].decode().split("\x1f") == ["a", "b", "c"]


@fuzz_settings(200)
@given(st.one_of(CELL_TEXT, st.from_regex(r"\A[-+]?\d{0,6}(\.\d{0,4})?([eE][-+]?\d{1,3})?\Z"), st.floats().map(repr)))
def test_a_number_arrow_accepts_is_the_number_python_reads(cell: str) -> None:
    table = bulk.csv_table(
        "x.csv",
        f"统一社会信用代码,排放口编号,监测时间,污染物,排放速率,状态标记\nC,D,2026-11-01 00:00,SO2,{cell},\n".encode(),
        10,
    )
    assume(table is not None and cell != "")
    try:
        numbers = bulk._Arrow(table, {"value": 4}).numbers("value")
    except bulk.NotBulk:
        return  # refused here: the row-by-row path reads (or refuses) it
    assert numbers.present.all() and float(cell) == numbers.values[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.xlsx", f"{HEADER}\nC,DA001,2026-11-01 00:00,SO2,1,\n".encode()),
        ("x.csv", f'{HEADER}\nC,"DA001",2026-11-01 00:00,SO2,1,\n'.encode()),  # quoted: csv.reader's rules
        ("x.csv", f"{HEADER}\nC,DA001,2026-11-01 00:00\n".encode()),  # a short row
        ("x.csv", f"{HEADER}\nC,DA001,2026-11-01 00:00,SO2,1,,extra\n".encode()),  # a long row
        ("x.csv", f"{HEADER}\nC,DA\x00001,2026-11-01 00:00,SO2,1,\n".encode()),  # a NUL
        ("x.csv", b"\xff\xfe\xfa" + HEADER.encode()),  # neither UTF-8 nor GB18030
        ("x.csv", f"{HEADER}\n".encode()),  # no rows
        ("x.csv", f"\n{HEADER}\nC,DA001,2026-11-01 00:00,SO2,1,\n".encode()),  # the header is not on the first line
        ("x.csv", (HEADER + "\nC,DA001,2026-11-01 00:00,SO2,1,\n" * 11).encode()),  # more than the 10 rows allowed
    ],
)
def test_files_arrow_might_misread_go_the_cells_way(name: str, content: bytes) -> None:
    assert bulk.csv_table(name, content, 10) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["monitoring", "electricity"])
def test_an_import_that_arrow_reads_stores_what_the_cells_way_stores(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The same file imported through Arrow and through the cells (Arrow switched off) gives the same rows (on
    SQLite both go row by row)."""
    code = users["own_enterprise"].credit_code
    if kind == "monitoring":
        content = monitoring_csv(code, normal=10, during=3).replace(b",35,", b",,", 5)
    else:
        content = electricity_csv(code, normal=800, during=200)
    stored, read = [], []
    real = bulk.csv_table
    monkeypatch.setattr(bulk, "csv_table", lambda *args: read.append(real(*args)) or read[-1])
    for arrow in (True, False):
        if not arrow:
            monkeypatch.setattr(bulk, "csv_table", lambda *_: None)
        Reading.objects.all().delete()
        report = services.import_readings(users["county"], kind, "m.csv", content, commit=True)
        assert report.ok and report.new == report.rows
        stored.append(
            list(
                Reading.objects.order_by("at", "point__code").values_list(
                    "at", "minutes", "value", "concentration", "flow", "status"
                )
            )
        )
    assert stored[0] == stored[1] and len(stored[0]) == content.count(b"\n") - 1
    assert [table is not None for table in read] == ([True] if series.uses_rollup() else [])


def test_a_lone_carriage_return_ends_a_line_and_an_oversized_cell_is_named_not_raised() -> None:
    """Old Mac files end lines with CR alone: csv.reader raised on them (a traceback to the uploader)."""
    mac = f"{HEADER}\rC,DA001,2026-11-01 00:00,SO2,1,\rC,DA001,2026-11-01 01:00,SO2,2,\r".encode()
    assert files.read_cells("mac.csv", mac)[1:] == [
        ["C", "DA001", "2026-11-01 00:00", "SO2", "1", ""],
        ["C", "DA001", "2026-11-01 01:00", "SO2", "2", ""],
    ]
    huge = f"{HEADER}\nC,DA001,2026-11-01 00:00,SO2,1,\nC,{'x' * 200_000},2026-11-01 01:00,SO2,2,\n".encode()
    with pytest.raises(ValueError, match=r"huge\.csv：第 3 行无法按 CSV 读取"):
        files.read_cells("huge.csv", huge)
