"""The gate ledger's bulk path on PostgreSQL (issue 11): a large file of one device's records checked column by column
and appended with one COPY, at the rate the issue asks of gate systems that export files (goal ≥ 100,000 records/s
across sites; benchmarks/gate_ingest.py).

Record by record, `services._write` spends most of its time building each record's canonical JSON and COPY line.
Here every distinct value of a column (plate, direction, stage, cargo, …) is checked once with the core's own field
checks (`core.fast_*`, those of `core._fast`), the canonical JSON and the COPY lines are joined column-wise in Arrow,
and only the hash chain runs record by record (each link hashes the previous hash with the record's content).
The content is the same characters as `core.record_json`'s, so the ledger verifies exactly as one written record by
record; a test holds the two paths to the same rows and hashes.

A batch this path cannot take as it is — any record `_fast` would hand to `parse_passage` (a problem to name or a
rarer spelling), a sequence used twice, a record already in the ledger — goes record by record (`read` gives None).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from airgrade.core import gates as core
from airgrade.core.columns import Coded, coded, recoded
from airgrade.platform import pgcopy

_STRINGS = pa.string()
_COPY_CHUNK = 50_000  # records per piece of the COPY stream
# Flags in the order `services._write` lists them (bits 1, 2, 4, 8); the canonical content sorts them.
_FLAG_BITS = (core.Flag.FUTURE_TIME, core.Flag.IMPOSSIBLE_PLATE, core.Flag.STAGE_MISMATCH, core.Flag.UNKNOWN_PLATE)


@dataclass
class Columns:
    """A clean batch, column by column, in arrival order."""

    count: int
    sequence: np.ndarray
    plate: Coded
    direction: Coded
    at_us: np.ndarray  # passage instants, microseconds since 1970-01-01 UTC
    stage: Coded  # recognised stage value, "" when none
    tonnage: list[float | None]
    allowed: Coded
    corrects: Coded
    colour: Coded
    photo: Coded
    lane: Coded
    cargo: Coded


def _coded(column: list[Any], read: Callable[[Any], Any]) -> Coded | None:
    """`read` once per distinct value; None when any value reads INVALID (or cannot be a dict key)."""
    try:
        result = coded(column, read)
    except TypeError:
        return None
    return None if any(value is core.INVALID for value in result.values) else result


def read(records: Sequence[Any]) -> Columns | None:
    """The batch's columns when every record is one `core._fast` takes as it is, with no sequence used twice;
    None otherwise (the record-by-record path then names every problem or reads the rarer spelling)."""
    count = len(records)
    if not count or set(map(type, records)) != {dict} or not set(chain.from_iterable(records)) <= core.FAST_KEYS:
        return None
    # The numeric columns are read per distinct value, and a dict takes True for 1 and 3.0 for 3: any type the
    # record-by-record path would refuse sends the file there.
    sequences = [record.get("seq") for record in records]
    if not set(map(type, sequences)) <= {int, str}:
        return None
    sequence_column = _coded(sequences, core.fast_sequence)
    if sequence_column is None:
        return None
    sequence = np.array(sequence_column.values, dtype=np.int64)[sequence_column.codes]
    if np.unique(sequence).size != count:
        return None
    tonnage = [core.fast_tonnage(record.get("tonnage")) for record in records]  # per record: -0.0 stays -0.0
    if any(value is core.INVALID for value in tonnage):
        return None
    corrects_raw = [record.get("corrects") for record in records]
    if not set(map(type, corrects_raw)) <= {type(None), int, str}:
        return None
    columns = {
        "plate": ("plate", core.fast_plate),
        "direction": ("direction", core.fast_direction),
        "stage": ("stage", core.fast_stage),
        "colour": ("plate_colour", core.fast_colour),
        "photo": ("photo_hash", core.fast_photo),
        "lane": ("lane", core.fast_text),
        "cargo": ("cargo", core.fast_text),
    }
    text_columns: dict[str, Coded] = {}
    for name, (key, reader) in columns.items():
        column = _coded([record.get(key) for record in records], reader)
        if column is None:
            return None
        text_columns[name] = column
    at_us = _instants([record.get("time") for record in records])
    if at_us is None:
        return None
    allowed = _coded([record.get("result", "pass") for record in records], core.fast_result)
    corrects = _coded(corrects_raw, core.fast_corrects)
    if allowed is None or corrects is None:
        return None
    return Columns(count, sequence, at_us=at_us, tonnage=tonnage, allowed=allowed, corrects=corrects, **text_columns)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_SECOND_US = 1_000_000
_BEIJING_US = 8 * 3600 * _SECOND_US
_ISO_BEIJING = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$"


def _instants(column: list[Any]) -> np.ndarray | None:
    """Each passage time as microseconds since 1970 UTC, as `core.fast_time` reads it; None when one is not a time.
    The form gates send (2026-06-02T06:03:05+08:00) is read in Arrow (its ISO 8601 cast refuses 02-30, 24:00 and
    :60 as Python does); other forms once per distinct value in Python."""
    if set(map(type, column)) == {str}:
        text = pa.array(column, _STRINGS)
        if pc.all(pc.match_substring_regex(text, _ISO_BEIJING)).as_py():
            try:
                local = pc.cast(pc.utf8_slice_codeunits(text, 0, 19), pa.timestamp("s"))
            except pa.ArrowInvalid:
                return None
            return local.cast(pa.int64()).to_numpy() * _SECOND_US - _BEIJING_US
    times = _coded(column, core.fast_time)
    if times is None:
        return None
    return np.array([(moment - _EPOCH) // _MICROSECOND for moment in times.values], dtype=np.int64)[times.codes]


def _utc_text(seconds: np.ndarray) -> pa.Array:
    """Times as `datetime.isoformat()` writes an aware UTC time without microseconds (2026-06-01T22:03:05+00:00);
    Arrow writes every year Python's datetime has (1–9999) with four digits, as Python does."""
    wall = pc.replace_substring(pa.array(seconds, pa.timestamp("s")).cast(_STRINGS), " ", "T", max_replacements=1)
    return _joined([wall, "+00:00"])


def _strings(values: Sequence[str]) -> pa.Array:
    return pa.array(values, _STRINGS)


def _joined(pieces: Sequence[Any]) -> pa.Array:
    return pc.binary_join_element_wise(*pieces, "")


@dataclass
class Chained:
    """What `services` writes after the rows: counts, the last link, the daily counts and the device's range."""

    flagged: int
    last_hash: str
    daily: dict[tuple[dt.date, str, str, str, str], int]
    latest: dt.datetime


def write(
    copy: Any,
    columns: Columns,
    *,
    site_id: int,
    device_id: int,
    device_code: str,
    previous: str,
    position: int,
    register: dict[str, tuple[str, str, str]],
    horizon: dt.datetime,
    received_text: str,
    chunk: int = _COPY_CHUNK,
) -> Chained:
    """Flags, register stage and fuel, canonical content and chain hash of every record, in arrival order, the rows
    written to `copy` (an open COPY of the passages in `services._COPY_COLUMNS` order) `chunk` records at a time."""
    plates = columns.plate.values
    codes = columns.plate.codes
    # Per distinct plate: the register's stage, fuel and kind (an unknown plate keeps the recognised stage).
    known = [register.get(plate, ("", "", "road")) for plate in plates]
    registered = np.array([plate in register for plate in plates], dtype=bool)[codes]
    plate_bad = np.array([not core.plate_ok(plate) for plate in plates], dtype=bool)[codes]
    seen = columns.stage.codes
    seen_blank = np.array([value == "" for value in columns.stage.values], dtype=bool)[seen]
    # A registered plate's recognised stage differs from its register's: the two stage values compared per pair.
    differs = np.array(
        [[seen_value != stage for seen_value in columns.stage.values] for stage, _, _ in known], dtype=bool
    ).reshape(len(plates), len(columns.stage.values))
    mismatch = registered & ~seen_blank & differs[codes, seen]
    future = columns.at_us > (horizon - _EPOCH) // _MICROSECOND
    flags = (future * 1) | (plate_bad * 2) | (mismatch * 4) | (~registered * 8)
    flag_sets = [tuple(flag.value for bit, flag in enumerate(_FLAG_BITS) if mask >> bit & 1) for mask in range(16)]
    stage = _Texts(
        [stage for stage, _, _ in known] + list(columns.stage.values), np.where(registered, codes, len(plates) + seen)
    )
    fuel = _Texts([fuel for _, fuel, _ in known], codes)
    kind = _Texts([kind for _, _, kind in known], codes)
    seconds = columns.at_us // _SECOND_US  # the stored time drops microseconds, as `services._write` does
    at_text = _utc_text(seconds)
    s = core.json_string
    # Texts per distinct value, as `core.record_json` (content) and `services._write` (COPY lines) write them.
    json_of = {
        name: _strings([s(value) for value in getattr(columns, name).values])
        for name in ("cargo", "colour", "direction", "lane", "photo", "plate", "stage")
    }
    copy_of = {name: _strings([pgcopy.field(value) for value in getattr(columns, name).values]) for name in json_of}
    corrects_json = _strings(["null" if v is None else int.__repr__(v) for v in columns.corrects.values])
    corrects_copy = _strings([pgcopy.NULL if v is None else int.__repr__(v) for v in columns.corrects.values])
    flags_json = _strings([",".join(s(flag) for flag in sorted(flag_set)) for flag_set in flag_sets])
    flags_copy = _strings([json.dumps(list(flag_set)) for flag_set in flag_sets])
    allowed_json = _strings(["true" if value else "false" for value in columns.allowed.values])
    allowed_copy = _strings(["t" if value else "f" for value in columns.allowed.values])
    tonnage_json = [core.json_tonnage(value) for value in columns.tonnage]
    tonnage_copy = [pgcopy.NULL if value is None else float.__repr__(value) for value in columns.tonnage]
    link = previous
    for start in range(0, columns.count, chunk):
        rows = slice(start, min(start + chunk, columns.count))

        def at(name: str, texts: dict[str, pa.Array], rows: slice = rows) -> pa.Array:
            return texts[name].take(getattr(columns, name).codes[rows])

        positions = pa.array(np.arange(position + rows.start + 1, position + rows.stop + 1)).cast(_STRINGS)
        sequences = pa.array(columns.sequence[rows]).cast(_STRINGS)
        content = _joined(
            [
                '{"at":"', at_text[rows], '","cargo":', at("cargo", json_of),
                ',"colour":', at("colour", json_of), ',"corrects":', corrects_json.take(columns.corrects.codes[rows]),
                f',"device":{s(device_code)},"dir":', at("direction", json_of),
                ',"flags":[', flags_json.take(flags[rows]), '],"fuel":', fuel.json(rows), ',"kind":', kind.json(rows),
                ',"lane":', at("lane", json_of), ',"pass":', allowed_json.take(columns.allowed.codes[rows]),
                ',"photo":', at("photo", json_of), ',"plate":', at("plate", json_of), ',"pos":', positions,
                ',"seen":', at("stage", json_of), ',"seq":', sequences, ',"stage":', stage.json(rows),
                ',"t":', _strings(tonnage_json[rows]), "}",
            ]
        )  # fmt: skip
        hashes = _chain(link, content)
        lines = _joined(
            [
                f"{site_id}\t{device_id}\t", sequences, "\t", positions, "\t", at("plate", copy_of), "\t",
                at("colour", copy_of), "\t", at("direction", copy_of), "\t", at_text[rows],
                "\t", at("lane", copy_of), "\t", at("photo", copy_of), "\t", at("stage", copy_of), "\t",
                stage.copy(rows), "\t", fuel.copy(rows), "\t", kind.copy(rows), "\t", at("cargo", copy_of), "\t",
                _strings(tonnage_copy[rows]), "\t", allowed_copy.take(columns.allowed.codes[rows]), "\t",
                flags_copy.take(flags[rows]), "\t", corrects_copy.take(columns.corrects.codes[rows]),
                f"\t{received_text}\t", _strings([link, *hashes[:-1]]), "\t", _strings(hashes), "\n",
            ]
        )  # fmt: skip
        copy.write(pgcopy.arrow_lines(lines))
        link = hashes[-1]
    # Daily counts of the vehicles let through (refused ones stay in the ledger): local day × kind × direction ×
    # stage × fuel, as `services._write` counts them.
    day = (seconds * _SECOND_US + _BEIJING_US) // (86_400 * _SECOND_US) + _EPOCH.toordinal()
    allowed = np.array(columns.allowed.values, dtype=bool)[columns.allowed.codes]
    radix = [len(kind.values), len(columns.direction.values), len(stage.values), len(fuel.values)]
    key = day - int(day.min()) if day.size else day
    for digit, base in zip((kind.codes, columns.direction.codes, stage.codes, fuel.codes), radix, strict=True):
        key = key * base + digit
    daily: dict[tuple[dt.date, str, str, str, str], int] = {}
    distinct, tally = np.unique(key[allowed], return_counts=True)
    for number, total in zip(distinct.tolist(), tally.tolist(), strict=True):
        digits = []
        for base in reversed(radix):
            number, digit = divmod(number, base)
            digits.append(digit)
        fuel_code, stage_code, direction_code, kind_code = digits
        day_key = dt.date.fromordinal(number + int(day.min()))
        daily[(day_key, kind.values[kind_code], columns.direction.values[direction_code],
               stage.values[stage_code], fuel.values[fuel_code])] = total  # fmt: skip
    return Chained(
        flagged=int(np.count_nonzero(flags)),
        last_hash=link,
        daily=daily,
        latest=dt.datetime.fromtimestamp(int(seconds.max()), dt.UTC),
    )


class _Texts:
    """A text column derived per record (the stage, fuel and kind a record is stored with): each record's index into
    a table of candidate texts, coded by distinct text."""

    def __init__(self, table: list[str], index: np.ndarray) -> None:
        texts = recoded(index, table, str)
        self.values, self.codes = texts.values, texts.codes
        self._json = _strings([core.json_string(value) for value in self.values])
        self._copy = _strings(self.values)

    def json(self, rows: slice) -> pa.Array:
        return self._json.take(self.codes[rows])

    def copy(self, rows: slice) -> pa.Array:
        return self._copy.take(self.codes[rows])


def _chain(previous: str, content: pa.Array) -> list[str]:
    """Each record's hash: SHA-256 of the previous hash followed by its content (UTF-8), in order."""
    data = content.buffers()[2].to_pybytes()
    offsets = np.frombuffer(content.buffers()[1], dtype=np.int32)[content.offset : content.offset + len(content) + 1]
    sha256 = hashlib.sha256
    link = previous.encode("ascii")
    hashes = []
    append = hashes.append
    bounds = offsets.tolist()
    for start, end in pairwise(bounds):
        text = sha256(link + data[start:end]).hexdigest()
        append(text)
        link = text.encode("ascii")
    return hashes
