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

import datetime as dt
import io
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from django.db import connection, transaction

from airgrade.core.errors import AirgradeError
from airgrade.core.verification import HOURS_PER_DAY, MINUTES_PER_HOUR, ReadingStatus
from airgrade.platform import pgcopy
from airgrade.platform.enterprises.models import EmissionOutlet
from airgrade.platform.verification import files, series
from airgrade.platform.verification.models import ChannelDay, MonitoringPoint, Reading

STAGE = "_verification_reading_stage"
KEYS = "_verification_reading_keys"
MAX_VALUE = 1e12  # files._number's ceiling


class NotBulk(AirgradeError):
    """The file needs the row-by-row path (it has something to report, or a cell only that path reads)."""


def _mapped(column: list[Any], read: Callable[[Any], Any]) -> list[Any]:
    """`read` applied once per distinct value, looked up for every row."""
    seen: dict[Hashable, Any] = {}
    try:
        distinct = dict.fromkeys(column)
    except TypeError:  # a list or object in a data feed's cell: the row-by-row path names it
        raise NotBulk() from None
    for value in distinct:
        seen[value] = read(value)
    return [seen[value] for value in column]


def _text(value: Any) -> str:
    return files._text(value)


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    kind = type(value)
    if kind is float or kind is int:
        return float(value)
    if kind is str:
        return float(value)  # ValueError → the row-by-row path (commas, blanks, words)
    raise NotBulk()


def _numbers(column: list[Any]) -> tuple[list[float | None], np.ndarray]:
    try:
        values = [_number(value) for value in column]
    except (ValueError, OverflowError):  # OverflowError: an integer beyond float (a data feed's JSON)
        raise NotBulk() from None
    present = np.array([value for value in values if value is not None], dtype=float)
    if present.size and (not np.isfinite(present).all() or (present < 0).any() or (present > MAX_VALUE).any()):
        raise NotBulk()
    return values, present


def _float_text(value: float | None) -> str:
    return pgcopy.NULL if value is None else repr(value)


def parse(kind: str, cells: list[list[Any]], *, date_from: dt.date | None, date_to: dt.date | None) -> dict[str, Any]:
    """The file's columns, checked; raises NotBulk for anything the row-by-row path must report or read."""
    errors: list[files.RowError] = []
    columns = files._header_map(kind, cells[0], errors)
    if errors:
        raise NotBulk()
    rows = cells[1:]
    width = max(columns.values()) + 1
    kept = []
    for row in rows:
        if not any(row):
            if all(_text(cell) == "" for cell in row):
                continue
            raise NotBulk()
        kept.append(row if len(row) >= width else [*row, *([None] * (width - len(row)))])
    if not kept:
        raise NotBulk()

    def column(key: str) -> list[Any]:
        index = columns.get(key)
        return [row[index] for row in kept] if index is not None else [None] * len(kept)

    credit = _mapped(column("credit_code"), lambda value: _text(value).upper())
    point = _mapped(column("point"), lambda value: _text(value)[:40])
    site = _mapped(column("site"), lambda value: _text(value)[:200])
    if "" in set(credit) or "" in set(point):
        raise NotBulk()
    times = _mapped(column("at"), files.parse_time)
    for moment in set(times):
        if moment is None or (date_from and moment.date() < date_from) or (date_to and moment.date() > date_to):
            raise NotBulk()
        if moment.second:
            raise NotBulk()
    if kind == files.MONITORING:
        pollutants = _mapped(column("pollutant"), lambda value: files.POLLUTANTS.get(files.fold(_text(value))))
        if None in set(pollutants):
            raise NotBulk()
        minutes = [60] * len(kept)
    else:
        pollutants = [""] * len(kept)
        minutes_raw, _ = _numbers(column("minutes"))
        if not set(minutes_raw) <= {float(interval) for interval in files.INTERVALS}:
            raise NotBulk()
        minutes = [int(value) for value in minutes_raw]  # type: ignore[arg-type]
    minute_of = np.array(_mapped(times, lambda moment: moment.minute), dtype=np.int64)
    if (minute_of % np.array(minutes, dtype=np.int64)).any():
        raise NotBulk()
    statuses = _mapped(column("status"), lambda value: files.STATUSES.get(files.fold(_text(value))))
    if None in set(statuses):
        raise NotBulk()
    value, _ = _numbers(column("value"))
    if kind == files.MONITORING:
        concentration, _ = _numbers(column("concentration"))
        flow, _ = _numbers(column("flow"))
    else:
        concentration = flow = [None] * len(kept)
    normal = ReadingStatus.NORMAL
    if any(status is normal and number is None for status, number in zip(statuses, value, strict=True)):
        raise NotBulk()
    return {
        "credit": credit,
        "site": site,
        "point": point,
        "at": times,
        "pollutant": pollutants,
        "minutes": minutes,
        "value": value,
        "concentration": concentration,
        "flow": flow,
        "status": [status.value for status in statuses],
    }


def load(
    user: Any,
    kind: str,
    file_name: str,
    cells: list[list[Any]],
    *,
    commit: bool,
    digest: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    step: Callable[[str], None] = lambda _: None,
) -> Any:
    """The report of a clean file loaded by the bulk path (or checked, for a dry run); NotBulk otherwise."""
    from airgrade.platform.verification import services

    parsed = parse(kind, cells, date_from=date_from, date_to=date_to)
    count = len(parsed["credit"])
    sites = services._sites_for(user, set(parsed["credit"]))
    site_of: dict[tuple[str, str], Any] = {}
    for pair in dict.fromkeys(zip(parsed["credit"], parsed["site"], strict=True)):
        found = services._site_of({"credit_code": pair[0], "site": pair[1]}, sites)
        if isinstance(found, str):
            raise NotBulk()
        site_of[pair] = found
    site_ids = [site_of[pair].pk for pair in zip(parsed["credit"], parsed["site"], strict=True)]
    site_by_id = {site.pk: site for site in site_of.values()}
    # Duplicate point × pollutant × interval in the file: the row-by-row path names them (or drops exact repeats).
    channel_index: dict[tuple[int, str, str], int] = {}
    channel = [
        channel_index.setdefault(key, len(channel_index))
        for key in zip(site_ids, parsed["point"], parsed["pollutant"], strict=True)
    ]
    epoch = dt.datetime(2000, 1, 1)
    minute_number = _mapped(parsed["at"], lambda moment: int((moment - epoch).total_seconds()) // 60)
    keys = (np.array(channel, dtype=np.int64) << 32) | np.array(minute_number, dtype=np.int64)
    if np.unique(keys).size != count:
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
        for site_id, code, pollutant in channel_index:
            point = points.get((site_id, code))
            outlet = point.outlet if point else outlets.get((site_id, code))
            if outlet is not None and outlet.pollutants and pollutant not in outlet.pollutants:
                raise NotBulk()
    report = services.ImportReport(kind, file_name, rows=count)
    with transaction.atomic():
        missing = sorted({(site_id, code) for site_id, code, _ in channel_index} - set(points))
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
        point_ids = {number: points[(site_id, code)].pk for (site_id, code, _), number in channel_index.items()}
        pollutant_of = {number: pollutant for (_, _, pollutant), number in channel_index.items()}
        # Channel-days of the file; those without a rollup row have no stored reading (every import keeps the
        # rollup): their rows are all new, go straight in by COPY, and their rollup comes from the file's columns.
        day_number = np.array(_mapped(parsed["at"], lambda moment: moment.date().toordinal()), dtype=np.int64)
        first_day = int(day_number.min())
        channel_day = np.array(channel, dtype=np.int64) * 100_000 + (day_number - first_day)
        unique_days, day_index = np.unique(channel_day, return_inverse=True)
        day_keys = [(int(key // 100_000), dt.date.fromordinal(first_day + int(key % 100_000))) for key in unique_days]
        stored = _stored_days([(point_ids[c], pollutant_of[c], day) for c, day in day_keys])
        known = np.array([(point_ids[c], pollutant_of[c], day) in stored for c, day in day_keys], dtype=bool)
        old_row = known[day_index]
        prefix = {number: f"{point_ids[number]}\t{pollutant_of[number]}\t" for number in point_ids}
        at_text = _mapped(parsed["at"], lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S+08"))
        lines = [
            f"{prefix[c]}{at}\t{minutes}\t{_float_text(value)}\t{_float_text(conc)}\t{_float_text(flow)}\t{status}\n"
            for c, at, minutes, value, conc, flow, status in zip(
                channel,
                at_text,
                parsed["minutes"],
                parsed["value"],
                parsed["concentration"],
                parsed["flow"],
                parsed["status"],
                strict=True,
            )
        ]
        step("写入")
        # Rows in index order (point, pollutant, time): consecutive inserts land on the same leaf of the readings'
        # unique index instead of one leaf per point in turn (a file is usually ordered by hour).
        ranked = sorted(((point_ids[n], pollutant_of[n]), n) for n in point_ids)
        rank_of = {number: rank for rank, (_, number) in enumerate(ranked)}
        order = np.lexsort(
            (np.array(minute_number, dtype=np.int64), np.array([rank_of[c] for c in channel], dtype=np.int64))
        )
        old = order[old_row[order]]
        fresh = order[~old_row[order]]
        _copy_readings("".join(lines[i] for i in fresh.tolist()))
        inserted, updated = _write("".join(lines[i] for i in old.tolist())) if old.size else (0, 0)
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


def _copy_readings(text: str) -> None:
    """New rows straight into the readings by COPY (no stored row shares their channel-day)."""
    if not text:
        return
    columns = "point_id, pollutant, at, minutes, value, concentration, flow, status"
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {Reading._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        stream = io.StringIO(text)
        while chunk := stream.read(1 << 20):
            copy.write(chunk)


def _rollup_fresh(
    kind: str,
    parsed: dict[str, Any],
    rows: np.ndarray,
    day_index: np.ndarray,
    day_keys: list[tuple[int, dt.date]],
    fresh_day: np.ndarray,
    point_ids: dict[int, int],
    pollutant_of: dict[int, str],
) -> None:
    """The rollup rows of channel-days whose readings all come from this file, from its columns (the rule of
    `series`: an hour is valid when its intervals cover it and none is flagged; 停运 counts as zero)."""
    hour = np.array(_mapped(parsed["at"], lambda moment: moment.hour), dtype=np.int64)[rows]
    target = day_index[rows] * HOURS_PER_DAY + hour
    minutes = np.array(parsed["minutes"], dtype=float)[rows]
    status = np.array(parsed["status"], dtype=object)[rows]
    value = np.array([0.0 if v is None else v for v in parsed["value"]], dtype=float)[rows]
    ok = (status == "normal") | (status == "stopped")
    weight = minutes / MINUTES_PER_HOUR if kind == files.MONITORING else np.ones_like(minutes)
    size = len(day_keys) * HOURS_PER_DAY
    covered, total, bad = np.zeros(size), np.zeros(size), np.zeros(size, dtype=bool)
    np.add.at(covered, target, np.where(ok, minutes, 0.0))
    np.add.at(total, target, np.where(ok & (status != "stopped"), value * weight, 0.0))
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


def _write(text: str) -> tuple[int, int]:
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
        with cursor.cursor.copy(f"COPY {STAGE} FROM STDIN") as copy:
            stream = io.StringIO(text)
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
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
