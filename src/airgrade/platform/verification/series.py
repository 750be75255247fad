"""Hourly site series for verdicts over a whole alert (issue 12): every enterprise's signals as NumPy arrays, read with
one query per chunk of sites instead of one per task, for `core.verification.verify_block`.

An hour of a channel (one outlet's pollutant, or one meter) is valid when every interval of it is present and valid,
a 停运 interval counting as zero (`core.verification.channel_hours`); the site's signal is the sum over its channels,
NaN where any channel of the window is not valid (`core.verification.site_series`). Two sources give the same arrays:

- `channel_days` (PostgreSQL): the rollup `ChannelDay`, one row per channel and local day with its 24 hourly values,
  maintained by every import (`refresh_channel_days`, set-based SQL over the days the import touched);
- the readings themselves (SQLite, and the reference): one query, then `np.add.at` over the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import psycopg
from django.db import connection, transaction

from airgrade.core.verification import HOURS_PER_DAY, MINUTES_PER_HOUR
from airgrade.platform.verification.models import ChannelDay, MonitoringPoint, Reading

BEIJING = ZoneInfo("Asia/Shanghai")
ELECTRICITY = "electricity"
SITE_CHUNK = 2000  # sites per query and per NumPy block: bounds memory at the scale
VALID_STATUSES = ("normal", "stopped")
# Days read beyond the baseline's own before the first pass of verdicts gives up on a task (holidays, gaps, earlier
# alerts): a read-ahead for speed, not a rule — every task that needs more is computed again over the whole lookback.
SPARE_DAYS = 5
HOURLY_BYTES = 8 * HOURS_PER_DAY  # 24 big-endian float8 (PostgreSQL's float8send), NaN = not a valid hour

SiteKey = tuple[int, str]  # (site id, signal key: a pollutant code or "electricity")


def uses_rollup() -> bool:
    """The rollup is kept on PostgreSQL (set-based refresh); SQLite reads the readings."""
    return connection.vendor == "postgresql"


def _origin(first_day: dt.date) -> dt.datetime:
    return dt.datetime.combine(first_day, dt.time(), tzinfo=BEIJING)


def _combine(channels: dict[SiteKey, list[np.ndarray]]) -> dict[SiteKey, np.ndarray]:
    """The site's signal: the sum over its channels; NaN propagates, so one invalid channel makes the hour invalid."""
    combined: dict[SiteKey, np.ndarray] = {}
    for key, arrays in channels.items():
        total = arrays[0].copy()
        for array in arrays[1:]:
            total += array
        combined[key] = total
    return combined


def from_readings(site_ids: Sequence[int], first_day: dt.date, days: int) -> dict[SiteKey, np.ndarray]:
    """Site series (days × 24, local hours from `first_day`) from the readings: channels that report during the
    `days` are the site's channels."""
    origin = _origin(first_day)
    end = origin + dt.timedelta(days=days)
    rows = Reading.objects.filter(point__site_id__in=list(site_ids), at__gte=origin, at__lt=end).values_list(
        "point_id", "point__site_id", "point__kind", "pollutant", "at", "minutes", "value", "status"
    )
    channel_of: dict[tuple[int, str], int] = {}
    owners: list[SiteKey] = []
    index, hour, minutes, value, valid, weight = [], [], [], [], [], []
    meter = MonitoringPoint.Kind.METER.value
    for point_id, site_id, kind, pollutant, at, span, reading, status in rows.iterator(chunk_size=20_000):
        channel = channel_of.get((point_id, pollutant))
        if channel is None:
            channel = channel_of[(point_id, pollutant)] = len(owners)
            owners.append((site_id, ELECTRICITY if kind == meter else pollutant))
        ok = status in VALID_STATUSES and not (status == "normal" and reading is None)
        index.append(channel)
        hour.append(int((at - origin).total_seconds()) // 3600)
        minutes.append(span if ok else 0)
        valid.append(ok)
        value.append(0.0 if status == "stopped" or not ok else float(reading))
        weight.append(1.0 if kind == meter else span / MINUTES_PER_HOUR)
    hours = days * HOURS_PER_DAY
    count = len(owners)
    covered = np.zeros(count * hours)
    total = np.zeros(count * hours)
    bad = np.zeros(count * hours, dtype=bool)
    if index:
        at = np.asarray(index, dtype=np.int64) * hours + np.asarray(hour, dtype=np.int64)
        np.add.at(covered, at, np.asarray(minutes, dtype=float))
        np.add.at(total, at, np.asarray(value) * np.asarray(weight))
        np.logical_or.at(bad, at, ~np.asarray(valid, dtype=bool))
    values = np.where(bad | (covered < MINUTES_PER_HOUR), np.nan, total).reshape(count, days, HOURS_PER_DAY)
    channels: dict[SiteKey, list[np.ndarray]] = {}
    for channel, owner in enumerate(owners):
        channels.setdefault(owner, []).append(values[channel])
    return _combine(channels)


def from_rollup(site_ids: Sequence[int], first_day: dt.date, days: int) -> dict[SiteKey, np.ndarray]:
    """The same arrays from the rollup: one query, one row per channel with its days and their hourly bytes."""
    sql = f"""
        SELECT p.site_id, CASE WHEN p.kind = %(meter)s THEN %(electricity)s ELSE c.pollutant END,
               array_agg(c.day - %(first)s::date ORDER BY c.day), string_agg(c.hours, ''::bytea ORDER BY c.day)
        FROM {ChannelDay._meta.db_table} c JOIN {MonitoringPoint._meta.db_table} p ON p.id = c.point_id
        WHERE p.site_id = ANY(%(sites)s) AND c.day >= %(first)s AND c.day < %(first)s::date + %(days)s
        GROUP BY c.point_id, p.site_id, p.kind, c.pollutant
    """
    params = {
        "meter": MonitoringPoint.Kind.METER.value,
        "electricity": ELECTRICITY,
        "first": first_day,
        "days": days,
        "sites": list(site_ids),
    }
    channels: dict[SiteKey, list[np.ndarray]] = {}
    for site_id, key, offsets, packed in binary_rows(sql, params):
        values = np.full((days, HOURS_PER_DAY), np.nan)
        values[offsets] = np.frombuffer(packed, dtype=">f8").reshape(len(offsets), HOURS_PER_DAY)
        channels.setdefault((site_id, key), []).append(values)
    return _combine(channels)


def binary_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A rollup read's rows with binary results, on a plain psycopg cursor (Django's binds client-side and reads
    text): the hours arrive as bytes and the day offsets as integers, not as hex and array text to decode (a chunk of
    2,000 sites is ~24 MB of hours). PostgreSQL only."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def sites_with_channels_ending_before(
    site_ids: Sequence[int], first_day: dt.date, recent_first: dt.date, last_day: dt.date
) -> set[int]:
    """Sites with a channel that reports between `first_day` and `last_day` but not from `recent_first` on: a read
    from `recent_first` would leave that channel out of the site's sum, the full read makes the sum NaN there, so
    such a site's verdict needs the full read. From the rollup's index (point, pollutant, day)."""
    sql = f"""
        SELECT DISTINCT p.site_id
        FROM {ChannelDay._meta.db_table} c JOIN {MonitoringPoint._meta.db_table} p ON p.id = c.point_id
        WHERE p.site_id = ANY(%(sites)s) AND c.day >= %(first)s AND c.day <= %(last)s
        GROUP BY p.site_id, c.point_id, c.pollutant
        HAVING max(c.day) < %(recent)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"sites": list(site_ids), "first": first_day, "last": last_day, "recent": recent_first})
        return {site_id for (site_id,) in cursor.fetchall()}


def site_series(site_ids: Sequence[int], first_day: dt.date, days: int) -> dict[SiteKey, np.ndarray]:
    if uses_rollup():
        return from_rollup(site_ids, first_day, days)
    return from_readings(site_ids, first_day, days)


# ------------------------------------------------------------------------------------------------ the rollup

# The hourly values of every channel-day in {source}: valid hour → its sum (停运 as zero), otherwise NaN; as 24
# big-endian float8 (float8send) in hour order. {source} yields readings r with their local day `day`.
_ROLLUP = """
WITH hourly AS (
    SELECT r.point_id, r.pollutant, r.day,
           extract(hour FROM r.at AT TIME ZONE 'Asia/Shanghai')::int AS h,
           bool_or(NOT (r.status IN ('normal', 'stopped') AND NOT (r.status = 'normal' AND r.value IS NULL))) AS bad,
           coalesce(sum(r.minutes) FILTER (WHERE r.status IN ('normal', 'stopped')
                                           AND NOT (r.status = 'normal' AND r.value IS NULL)), 0) AS covered,
           coalesce(sum(CASE WHEN r.status = 'stopped' THEN 0
                             ELSE r.value * CASE WHEN p.kind = 'meter' THEN 1 ELSE r.minutes::float8 / 60 END
                        END) FILTER (WHERE r.status IN ('normal', 'stopped')), 0) AS total
    FROM ({source}) r
    JOIN {point} p ON p.id = r.point_id
    GROUP BY r.point_id, r.pollutant, r.day, h
),
channels AS (SELECT DISTINCT point_id, pollutant, day FROM hourly)
INSERT INTO {rollup} (point_id, pollutant, day, hours)
SELECT c.point_id, c.pollutant, c.day,
       string_agg(float8send(CASE WHEN v.h IS NULL OR v.bad OR v.covered < 60 THEN 'NaN'::float8 ELSE v.total END),
                  ''::bytea ORDER BY g.h)
FROM channels c CROSS JOIN generate_series(0, 23) AS g(h)
LEFT JOIN hourly v ON v.point_id = c.point_id AND v.pollutant = c.pollutant AND v.day = c.day AND v.h = g.h
GROUP BY c.point_id, c.pollutant, c.day
ON CONFLICT (point_id, pollutant, day) DO UPDATE SET hours = EXCLUDED.hours
"""
# The readings of the touched (point, pollutant, day) keys: an index range per key on (point, pollutant, at).
_TOUCHED = """
SELECT r.point_id, r.pollutant, k.day, r.at, r.minutes, r.value, r.status
FROM unnest(%(points)s::bigint[], %(pollutants)s::text[], %(days)s::date[]) AS k(point_id, pollutant, day)
JOIN {reading} r ON r.point_id = k.point_id AND r.pollutant = k.pollutant
    AND r.at >= (k.day::timestamp AT TIME ZONE 'Asia/Shanghai')
    AND r.at < ((k.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
"""
# The same from a table of keys (point_id, pollutant, day): the bulk import's written keys.
_KEYED = """
SELECT r.point_id, r.pollutant, k.day, r.at, r.minutes, r.value, r.status
FROM {keys} k
JOIN {reading} r ON r.point_id = k.point_id AND r.pollutant = k.pollutant
    AND r.at >= (k.day::timestamp AT TIME ZONE 'Asia/Shanghai')
    AND r.at < ((k.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
"""
# One piece of a rebuild: the readings of a range of points in one local month (a channel-day never straddles it).
_PIECE = """
SELECT r.point_id, r.pollutant, (r.at AT TIME ZONE 'Asia/Shanghai')::date AS day, r.at, r.minutes, r.value, r.status
FROM {reading} r
WHERE r.point_id BETWEEN %(first_point)s AND %(last_point)s AND r.at >= %(since)s AND r.at < %(until)s
"""
POINTS_PER_PIECE = 500  # ~4 M readings per month at the density (4 pollutants hourly, or 15-minute meters)


def _rollup_sql(source: str, keys: str = "") -> str:
    tables = {
        "keys": keys,
        "reading": Reading._meta.db_table,
        "point": MonitoringPoint._meta.db_table,
        "rollup": ChannelDay._meta.db_table,
    }
    return _ROLLUP.format(source=source.format(**tables), **tables)


def refresh_channel_days(touched: Iterable[tuple[int, str, dt.date]]) -> int:
    """Recompute the rollup rows of the (point, pollutant, local day) keys an import wrote to, from all the readings
    of those days (a file may hold part of a day). PostgreSQL only; a no-op elsewhere. Runs in the import's
    transaction."""
    if not uses_rollup():
        return 0
    keys = sorted(set(touched))
    if not keys:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            _rollup_sql(_TOUCHED),
            {"points": [k[0] for k in keys], "pollutants": [k[1] for k in keys], "days": [k[2] for k in keys]},
        )
        return int(cursor.rowcount)


def refresh_channel_days_from(keys_table: str) -> int:
    """`refresh_channel_days` for the keys in a (temporary) table of point_id, pollutant, day."""
    if not uses_rollup():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_rollup_sql(_KEYED, keys_table))
        return int(cursor.rowcount)


@dataclass(frozen=True)
class Piece:
    """A range of point ids (inclusive) over one local month [since, until)."""

    first_point: int
    last_point: int
    since: dt.datetime
    until: dt.datetime

    def label(self) -> str:
        return f"{self.since:%Y-%m} 点位 {self.first_point}–{self.last_point}"


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def rebuild_pieces(points_per_piece: int = POINTS_PER_PIECE) -> list[Piece]:
    """The pieces of a rebuild: the readings' local months × ranges of `points_per_piece` point ids that exist. The
    months come from one min/max over the readings (a scan, but the rebuild reads every row anyway)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(at), max(at) FROM {Reading._meta.db_table}")
        first, last = cursor.fetchone()
    if first is None:
        return []
    point_ids = list(MonitoringPoint.objects.order_by("pk").values_list("pk", flat=True))
    ranges = [
        (chunk[0], chunk[-1])
        for chunk in (point_ids[i : i + points_per_piece] for i in range(0, len(point_ids), points_per_piece))
    ]
    pieces = []
    month = first.astimezone(BEIJING).date().replace(day=1)
    while month <= last.astimezone(BEIJING).date():
        following = _next_month(month)
        pieces += [Piece(low, high, _origin(month), _origin(following)) for low, high in ranges]
        month = following
    return pieces


def rebuild_channel_days(
    points_per_piece: int = POINTS_PER_PIECE,
    progress: Callable[[int, int, Piece, int], None] | None = None,
) -> int:
    """The whole rollup from the readings (after a restore, for data loaded outside the imports, or a benchmark
    fixture), in bounded pieces: each local month × range of point ids is one set-based statement in its own
    transaction (a savepoint when the caller holds one), so no statement sorts more than one piece and an
    interrupted rebuild keeps the pieces done. `progress(done, total, piece, rows)` after each piece. Rows written in
    all; PostgreSQL only, a no-op elsewhere. Existing rows are overwritten; a channel-day whose readings are all gone
    stays (the readings are never deleted but with their point, whose rollup rows go with it)."""
    if not uses_rollup():
        return 0
    pieces = rebuild_pieces(points_per_piece)
    sql = _rollup_sql(_PIECE)
    written = 0
    for done, piece in enumerate(pieces, start=1):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64MB'")  # a piece's sort stays in memory
            cursor.execute(
                sql,
                {
                    "first_point": piece.first_point,
                    "last_point": piece.last_point,
                    "since": piece.since,
                    "until": piece.until,
                },
            )
            rows = int(cursor.rowcount)
        written += rows
        if progress is not None:
            progress(done, len(pieces), piece, rows)
    return written
