"""The bulk path of reading imports on PostgreSQL (issue 12): a large monitoring or electricity file checked column by
column and written by COPY, at the rate of data feeds (goal ≥ 100,000 rows/s; benchmarks/alert_verify.py).

Column passes instead of a dict per row: each distinct cell value (credit code, time, pollutant, flag) is read once and
looked up for every row; numbers are converted with `float` and checked with NumPy; duplicate points × intervals are
found with `np.unique` on integer keys. The rows go into a temporary table by COPY and from there into the readings
with one `INSERT … ON CONFLICT DO UPDATE … WHERE values differ`: new rows are inserted, corrections update the stored
row, identical rows write nothing (the same file twice writes nothing). Then the verdict rollup is refreshed for the
days written. All in one transaction; a dry run does the same and rolls back.

A file this path cannot accept as it is — any cell the row-by-row reader would refuse or read differently (a bad
number, a blank line with spaces, a time outside the declared range, a duplicate interval, an enterprise outside the
importer's scope, a pollutant the registry outlet does not monitor) — goes to the row-by-row path
(`services._load_rows`), which names every bad cell by row, column and reason. The result is the same either way.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter
from pyarrow import csv as pa_csv

from airgrade.core.columns import Coded, coded, recoded
from airgrade.core.errors import AirgradeError
from airgrade.core.verification import HOURS_PER_DAY, MINUTES_PER_HOUR, ReadingStatus
from airgrade.platform import pgcopy
from airgrade.platform.enterprises.models import EmissionOutlet
from airgrade.platform.verification import files, series
from airgrade.platform.verification.models import ChannelDay, MonitoringPoint, Reading

STAGE = "_verification_reading_stage"
KEYS = "_verification_reading_keys"
MAX_VALUE = 1e12  # files._number's ceiling
COPY_CHUNK = 100_000  # rows per piece of the COPY stream: PostgreSQL reads one piece while the next is built
_EPOCH = dt.datetime(2000, 1, 1)
_STRINGS = pa.string()


class NotBulk(AirgradeError):
    """The file needs the row-by-row path (it has something to report, or a cell only that path reads)."""


@dataclass
class Numbers:
    """A number column: the values (NaN where the cell is empty) and which cells hold a number."""

    values: np.ndarray
    present: np.ndarray

    def column(self) -> list[float | None]:
        return [float(v) if p else None for v, p in zip(self.values.tolist(), self.present.tolist(), strict=True)]


@dataclass
class Parsed:
    """A clean file's columns (rows with every cell empty left out)."""

    count: int
    credit: Coded
    site: Coded
    point: Coded
    at: Coded
    pollutant: Coded
    status: Coded
    minutes: np.ndarray
    value: Numbers
    concentration: Numbers
    flow: Numbers


def _checked(numbers: Numbers) -> Numbers:
    present = numbers.values[numbers.present]
    if present.size and (not np.isfinite(present).all() or (present < 0).any() or (present > MAX_VALUE).any()):
        raise NotBulk()
    return numbers


class _Cells:
    """Columns of a table of cells (an xlsx sheet, a data feed's JSON, a CSV Arrow does not read): any cell type."""

    def __init__(self, cells: list[list[Any]], columns: dict[str, int]) -> None:
        width = max(columns.values()) + 1
        kept = []
        for row in cells[1:]:
            if not any(row):
                if all(files._text(cell) == "" for cell in row):
                    continue
                raise NotBulk()
            kept.append(row if len(row) >= width else [*row, *([None] * (width - len(row)))])
        self.rows, self.columns, self.count = kept, columns, len(kept)

    def _raw(self, key: str) -> list[Any]:
        index = self.columns.get(key)
        return [row[index] for row in self.rows] if index is not None else [None] * self.count

    def coded(self, key: str, read: Callable[[Any], Hashable]) -> Coded:
        try:
            return coded(self._raw(key), read)
        except TypeError:  # a list or object in a data feed's cell: the row-by-row path names it
            raise NotBulk() from None

    def numbers(self, key: str) -> Numbers:
        try:
            values = [_number(value) for value in self._raw(key)]
        except (ValueError, OverflowError):  # OverflowError: an integer beyond float (a data feed's JSON)
            raise NotBulk() from None
        present = np.fromiter((value is not None for value in values), dtype=bool, count=self.count)
        array = np.array([np.nan if value is None else value for value in values], dtype=float)
        return _checked(Numbers(array, present))


class _Arrow:
    """Columns of a CSV read by Arrow (`csv_table`): text cells, converted in compiled code — distinct values
    dictionary-encoded and read once, numbers cast as a whole column."""

    def __init__(self, table: pa.Table, columns: dict[str, int]) -> None:
        blank = None
        for column in table.columns:
            empty = pc.equal(column, "")
            blank = empty if blank is None else pc.and_(blank, empty)
        if blank is not None and pc.any(blank).as_py():
            table = table.filter(pc.invert(blank))
        self.table, self.columns, self.count = table, columns, table.num_rows

    def coded(self, key: str, read: Callable[[Any], Hashable]) -> Coded:
        index = self.columns.get(key)
        if index is None:
            return recoded(np.zeros(self.count, dtype=np.int64), [None], read)
        encoded = self.table.column(index).combine_chunks().dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        return recoded(codes, encoded.dictionary.to_pylist(), read)

    def numbers(self, key: str) -> Numbers:
        index = self.columns.get(key)
        if index is None:
            return Numbers(np.full(self.count, np.nan), np.zeros(self.count, dtype=bool))
        column = self.table.column(index).combine_chunks()
        empty = pc.equal(column, "")
        try:
            # Arrow's cast accepts less than Python's float (no spaces, underscores or other digits): what it refuses
            # goes to the row-by-row path; what it accepts it reads to the same float.
            cast = pc.cast(pc.if_else(empty, pa.scalar(None, _STRINGS), column), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise NotBulk() from None
        present = pc.invert(empty).to_numpy(zero_copy_only=False)
        return _checked(Numbers(cast.to_numpy(zero_copy_only=False), present))


def csv_table(file_name: str, content: bytes, max_rows: int) -> pa.Table | None:
    """A CSV's data rows as Arrow text columns named by the header's position (`c0`, `c1`, …), with the header's
    cells as the table's metadata; None when the file is not a CSV Arrow reads exactly as `files.read_cells` does —
    a workbook, quoted cells (csv.reader's quoting rules are its own), ragged rows, a NUL, an encoding that is
    neither UTF-8 nor GB18030, more than `max_rows` rows: those take the cells' way, which reports them."""
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")) or b'"' in content:
        return None
    try:
        data = content.removeprefix(b"\xef\xbb\xbf")
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data = content.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    first_line = data.split(b"\n", 1)[0].decode("utf-8").split("\r", 1)[0]
    header = next(csv.reader([first_line]), [])
    if not header:
        return None
    names = [f"c{index}" for index in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(ignore_empty_lines=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, _STRINGS),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not table.num_rows or table.num_rows > max_rows:
        return None
    return table.replace_schema_metadata({"header": "\x1f".join(header)})


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    kind = type(value)
    if kind is float or kind is int:
        return float(value)
    if kind is str:
        return float(value)  # ValueError → the row-by-row path (commas, blanks, words)
    raise NotBulk()


def parse(
    kind: str, source: list[list[Any]] | pa.Table, *, date_from: dt.date | None, date_to: dt.date | None
) -> Parsed:
    """The file's columns, checked; raises NotBulk for anything the row-by-row path must report or read."""
    errors: list[files.RowError] = []
    if isinstance(source, pa.Table):
        header: list[Any] = source.schema.metadata[b"header"].decode("utf-8").split("\x1f")
    else:
        header = source[0]
    columns = files._header_map(kind, header, errors)
    if errors:
        raise NotBulk()
    table = _Arrow(source, columns) if isinstance(source, pa.Table) else _Cells(source, columns)
    if not table.count:
        raise NotBulk()
    credit = table.coded("credit_code", lambda value: files._text(value).upper())
    point = table.coded("point", lambda value: files._text(value)[:40])
    site = table.coded("site", lambda value: files._text(value)[:200])
    if "" in credit.values or "" in point.values:
        raise NotBulk()
    at = table.coded("at", files.parse_time)
    for moment in at.values:
        if moment is None or (date_from and moment.date() < date_from) or (date_to and moment.date() > date_to):
            raise NotBulk()
        if moment.second:
            raise NotBulk()
    if kind == files.MONITORING:
        pollutant = table.coded("pollutant", lambda value: files.POLLUTANTS.get(files.fold(files._text(value))))
        if None in pollutant.values:
            raise NotBulk()
        minutes = np.full(table.count, 60, dtype=np.int64)
    else:
        pollutant = Coded(np.zeros(table.count, dtype=np.int64), [""])
        interval = table.numbers("minutes")
        if not interval.present.all() or not np.isin(interval.values, files.INTERVALS).all():
            raise NotBulk()
        minutes = interval.values.astype(np.int64)
    minute_of = np.array([moment.minute for moment in at.values], dtype=np.int64)[at.codes]
    if (minute_of % minutes).any():
        raise NotBulk()
    status = table.coded("status", lambda value: files.STATUSES.get(files.fold(files._text(value))))
    if None in status.values:
        raise NotBulk()
    value = table.numbers("value")
    absent = Numbers(np.full(table.count, np.nan), np.zeros(table.count, dtype=bool))
    concentration = table.numbers("concentration") if kind == files.MONITORING else absent
    flow = table.numbers("flow") if kind == files.MONITORING else absent
    normal = np.array([state is ReadingStatus.NORMAL for state in status.values], dtype=bool)[status.codes]
    if (normal & ~value.present).any():
        raise NotBulk()
    return Parsed(table.count, credit, site, point, at, pollutant, status, minutes, value, concentration, flow)


def _unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct integer keys and each row's index into them."""
    distinct, index = np.unique(keys, return_inverse=True)
    return distinct, index.reshape(-1).astype(np.int64)


def load(
    user: Any,
    kind: str,
    file_name: str,
    source: list[list[Any]] | pa.Table,
    *,
    commit: bool,
    digest: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    step: Callable[[str], None] = lambda _: None,
) -> Any:
    """The report of a clean file loaded by the bulk path (or checked, for a dry run); NotBulk otherwise."""
    from airgrade.platform.verification import services

    parsed = parse(kind, source, date_from=date_from, date_to=date_to)
    count = parsed.count
    sites = services._sites_for(user, set(parsed.credit.values))
    pairs, pair_index = _unique_rows(parsed.credit.codes * len(parsed.site.values) + parsed.site.codes)
    site_of_pair = []
    for pair in pairs.tolist():
        credit, site = divmod(pair, len(parsed.site.values))
        found = services._site_of(
            {"credit_code": parsed.credit.values[credit], "site": parsed.site.values[site]}, sites
        )
        if isinstance(found, str):
            raise NotBulk()
        site_of_pair.append(found)
    site_by_id = {site.pk: site for site in site_of_pair}
    # Channels (site × point × pollutant): credit/site pairs naming the same site share them.
    width = len(parsed.point.values) * len(parsed.pollutant.values)
    raw_channels, raw_index = _unique_rows(
        pair_index * width + parsed.point.codes * len(parsed.pollutant.values) + parsed.pollutant.codes
    )
    channel_of_raw: dict[tuple[int, str, str], int] = {}
    remap = []
    for key in raw_channels.tolist():
        pair, rest = divmod(key, width)
        point, pollutant = divmod(rest, len(parsed.pollutant.values))
        channel_key = (site_of_pair[pair].pk, parsed.point.values[point], parsed.pollutant.values[pollutant])
        remap.append(channel_of_raw.setdefault(channel_key, len(channel_of_raw)))
    channel = np.array(remap, dtype=np.int64)[raw_index]
    channels = list(channel_of_raw)
    minute_number = np.array(
        [int((moment - _EPOCH).total_seconds()) // 60 for moment in parsed.at.values], dtype=np.int64
    )[parsed.at.codes]
    # Duplicate point × pollutant × interval in the file: the row-by-row path names them (or drops exact repeats).
    if np.unique((channel << 32) | minute_number).size != count:
        raise NotBulk()
    point_kind = MonitoringPoint.Kind.OUTLET if kind == files.MONITORING else MonitoringPoint.Kind.METER
    points = {
        (point.site_id, point.code): point
        for point in MonitoringPoint.objects.filter(site_id__in=site_by_id, kind=point_kind).select_related("outlet")
    }
    outlets = {
        (outlet.site_id, outlet.code): outlet for outlet in EmissionOutlet.objects.filter(site_id__in=site_by_id)
    }
    if kind == files.MONITORING:
        for site_id, code, pollutant in channels:
            point = points.get((site_id, code))
            outlet = point.outlet if point else outlets.get((site_id, code))
            if outlet is not None and outlet.pollutants and pollutant not in outlet.pollutants:
                raise NotBulk()
    report = services.ImportReport(kind, file_name, rows=count)
    with transaction.atomic():
        missing = sorted({(site_id, code) for site_id, code, _ in channels} - set(points))
        for site_id, code in missing:
            site = site_by_id[site_id]
            points[(site_id, code)] = MonitoringPoint.objects.create(
                site=site,
                enterprise_id=site.enterprise_id,
                region_id=site.region_id,
                kind=point_kind,
                code=code,
                outlet=outlets.get((site_id, code)) if point_kind == MonitoringPoint.Kind.OUTLET else None,
            )
        report.points_created = len(missing)
        point_ids = [points[(site_id, code)].pk for site_id, code, _ in channels]
        pollutant_of = [pollutant for _, _, pollutant in channels]
        # Channel-days of the file; those without a rollup row have no stored reading (every import keeps the
        # rollup): their rows are all new, go straight in by COPY, and their rollup comes from the file's columns.
        day_number = np.array([moment.toordinal() for moment in parsed.at.values], dtype=np.int64)[parsed.at.codes]
        first_day = int(day_number.min())
        unique_days, day_index = _unique_rows(channel * 100_000 + (day_number - first_day))
        day_keys = [(int(key // 100_000), dt.date.fromordinal(first_day + int(key % 100_000))) for key in unique_days]
        stored = _stored_days([(point_ids[c], pollutant_of[c], day) for c, day in day_keys])
        known = np.array([(point_ids[c], pollutant_of[c], day) in stored for c, day in day_keys], dtype=bool)
        old_row = known[day_index]
        step("写入")
        # Rows in index order (point, pollutant, time): consecutive inserts land on the same leaf of the readings'
        # unique index instead of one leaf per point in turn (a file is usually ordered by hour).
        rank = np.empty(len(channels), dtype=np.int64)
        rank[sorted(range(len(channels)), key=lambda c: (point_ids[c], pollutant_of[c]))] = np.arange(len(channels))
        order = np.lexsort((minute_number, rank[channel]))
        old = order[old_row[order]]
        fresh = order[~old_row[order]]
        text = _CopyText(parsed, channel, [f"{point_ids[c]}\t{pollutant_of[c]}" for c in range(len(channels))])
        if fresh.size:
            _copy_readings(text.pieces(fresh))
        inserted, updated = _write(text.pieces(old)) if old.size else (0, 0)
        report.new, report.changed = int(fresh.size) + inserted, updated
        report.unchanged = count - report.new - updated
        if not commit:
            transaction.set_rollback(True)
            return report
        step("汇总")
        if fresh.size:
            _rollup_fresh(kind, parsed, fresh, day_index, day_keys, ~known, point_ids, pollutant_of)
        if inserted or updated:
            series.refresh_channel_days_from(KEYS)
        if report.new or report.changed:
            services._record_import(
                user, report, digest, {site.region_id for site in site_by_id.values()}, len(site_by_id)
            )
    report.committed = True
    return report


class _CopyText:
    """The readings' COPY text (point, pollutant, time, minutes, value, concentration, flow, status), built column by
    column in Arrow: each distinct channel, time and flag formatted once, numbers cast as whole columns (shortest
    text that reads back to the same float), every row joined in compiled code."""

    def __init__(self, parsed: Parsed, channel: np.ndarray, channel_text: list[str]) -> None:
        self.parsed, self.channel = parsed, channel
        self.channel_text = pa.array(channel_text, _STRINGS)
        self.at_text = pa.array([moment.strftime("%Y-%m-%d %H:%M:%S+08") for moment in parsed.at.values], _STRINGS)
        self.status_text = pa.array([f"{state.value}\n" for state in parsed.status.values], _STRINGS)

    @staticmethod
    def _numbers(numbers: Numbers, rows: np.ndarray) -> pa.Array:
        return pa.array(numbers.values[rows], mask=~numbers.present[rows]).cast(_STRINGS)

    def pieces(self, rows: np.ndarray) -> Iterator[memoryview]:
        parsed = self.parsed
        for start in range(0, rows.size, COPY_CHUNK):
            part = rows[start : start + COPY_CHUNK]
            joined = pc.binary_join_element_wise(
                self.channel_text.take(self.channel[part]),
                self.at_text.take(parsed.at.codes[part]),
                pa.array(parsed.minutes[part]).cast(_STRINGS),
                self._numbers(parsed.value, part),
                self._numbers(parsed.concentration, part),
                self._numbers(parsed.flow, part),
                self.status_text.take(parsed.status.codes[part]),
                "\t",
                null_handling="replace",
                null_replacement=pgcopy.NULL,
            )
            yield pgcopy.arrow_lines(joined)


def _stored_days(keys: list[tuple[int, str, dt.date]]) -> set[tuple[int, str, dt.date]]:
    """Which (point, pollutant, day) keys have a rollup row, i.e. stored readings."""
    if not keys:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.point_id, c.pollutant, c.day FROM {ChannelDay._meta.db_table} c "
            "JOIN unnest(%s::bigint[], %s::text[], %s::date[]) AS k(point_id, pollutant, day) "
            "ON c.point_id = k.point_id AND c.pollutant = k.pollutant AND c.day = k.day",
            [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]],
        )
        return {(point_id, pollutant, day) for point_id, pollutant, day in cursor.fetchall()}


def _copy_readings(pieces: Iterable[memoryview]) -> None:
    """New rows straight into the readings by COPY (no stored row shares their channel-day)."""
    columns = "point_id, pollutant, at, minutes, value, concentration, flow, status"
    with connection.cursor() as cursor:
        # The queued writer sends each piece from a thread, so the next piece is built while PostgreSQL reads this one.
        sql = f"COPY {Reading._meta.db_table} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for piece in pieces:
                copy.write(piece)


def _rollup_fresh(
    kind: str,
    parsed: Parsed,
    rows: np.ndarray,
    day_index: np.ndarray,
    day_keys: list[tuple[int, dt.date]],
    fresh_day: np.ndarray,
    point_ids: list[int],
    pollutant_of: list[str],
) -> None:
    """The rollup rows of channel-days whose readings all come from this file, from its columns (the rule of
    `series`: an hour is valid when its intervals cover it and none is flagged; 停运 counts as zero)."""
    hour = np.array([moment.hour for moment in parsed.at.values], dtype=np.int64)[parsed.at.codes[rows]]
    target = day_index[rows] * HOURS_PER_DAY + hour
    minutes = parsed.minutes[rows].astype(float)
    state = np.array([status.value for status in parsed.status.values], dtype=object)[parsed.status.codes[rows]]
    value = np.where(parsed.value.present[rows], parsed.value.values[rows], 0.0)
    ok = (state == "normal") | (state == "stopped")
    weight = minutes / MINUTES_PER_HOUR if kind == files.MONITORING else np.ones_like(minutes)
    size = len(day_keys) * HOURS_PER_DAY
    covered, total, bad = np.zeros(size), np.zeros(size), np.zeros(size, dtype=bool)
    np.add.at(covered, target, np.where(ok, minutes, 0.0))
    np.add.at(total, target, np.where(ok & (state != "stopped"), value * weight, 0.0))
    np.logical_or.at(bad, target, ~ok)
    hours = np.where(bad | (covered < MINUTES_PER_HOUR), np.nan, total).reshape(len(day_keys), HOURS_PER_DAY)
    text = "".join(
        f"{point_ids[c]}\t{pollutant_of[c]}\t{day.isoformat()}\t\\\\x{hours[n].astype('>f8').tobytes().hex()}\n"
        for n, (c, day) in enumerate(day_keys)
        if fresh_day[n]
    )
    table = ChannelDay._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} (point_id, pollutant, day, hours) FROM STDIN") as copy,
    ):
        copy.write(text)


def _write(pieces: Iterable[memoryview]) -> tuple[int, int]:
    """Stage by COPY, then insert new rows and correct changed ones in one statement; (inserted, updated). The keys
    of the rows written are kept in KEYS (point, pollutant, local day) for the rollup."""
    table = Reading._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (point_id bigint, pollutant varchar(8), at timestamptz, "
            "minutes smallint, value float8, concentration float8, flow float8, status varchar(12)) "
            "ON COMMIT DROP"
        )
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {KEYS} (point_id bigint, pollutant varchar(8), day date) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {STAGE}, {KEYS}")
        with cursor.cursor.copy(f"COPY {STAGE} FROM STDIN", writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for piece in pieces:
                copy.write(piece)
        cursor.execute(
            f"""
            WITH up AS (
                INSERT INTO {table} AS r (point_id, pollutant, at, minutes, value, concentration, flow, status)
                SELECT point_id, pollutant, at, minutes, value, concentration, flow, status FROM {STAGE}
                ON CONFLICT (point_id, pollutant, at) DO UPDATE SET
                    minutes = EXCLUDED.minutes, value = EXCLUDED.value, concentration = EXCLUDED.concentration,
                    flow = EXCLUDED.flow, status = EXCLUDED.status
                WHERE (r.minutes, r.value, r.concentration, r.flow, r.status)
                      IS DISTINCT FROM (EXCLUDED.minutes, EXCLUDED.value, EXCLUDED.concentration, EXCLUDED.flow,
                                        EXCLUDED.status)
                RETURNING r.point_id, r.pollutant, r.at, (r.xmax = 0) AS inserted
            ),
            touched AS (
                INSERT INTO {KEYS} (point_id, pollutant, day)
                SELECT DISTINCT point_id, pollutant, (at AT TIME ZONE 'Asia/Shanghai')::date FROM up
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
            """
        )
        inserted, updated = cursor.fetchone()
    return int(inserted), int(updated)
