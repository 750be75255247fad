"""A month's hourly values for the cross-checks (issue 12 item 4), read set-based: one query per chunk of points, never
one Python step per reading row.

- Meters (check c): the hourly energy of each meter, as `core.verification.channel_hours` defines it (valid only
  when every interval of the hour is present and valid, 停运 as zero). On PostgreSQL from the rollup `ChannelDay`
  (ADR 0009: 24 hourly float8 per channel and local day); elsewhere from the readings with NumPy, as
  `series.from_readings` does. NaN = no valid hour.
- Outlet concentrations (check a): the rollup keeps hourly mass sums, not concentrations, so it cannot answer an
  exceedance. One aggregate SQL per chunk reduces the readings to hours in the database (an hour's concentration is
  the highest valid one in it: status 正常 and a value) and returns per outlet and pollutant the valid hours, the
  peak and the hours above each limit asked about. Only the channels found above their limit for more than N hours
  are read hour by hour (`concentration_hours`), for the finding's chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Max, Min, Q
from django.db.models.functions import TruncHour

from airgrade.core.verification import HOURS_PER_DAY, MINUTES_PER_HOUR, ReadingStatus
from airgrade.platform.verification.models import ChannelDay, MonitoringPoint, Reading
from airgrade.platform.verification.series import BEIJING, VALID_STATUSES, binary_rows, uses_rollup

HOUR = dt.timedelta(hours=1)
POINT_CHUNK = 5000  # points per query: bounds the IN list and the rows of one answer


def _chunks(items: Sequence[int], size: int = POINT_CHUNK) -> Iterable[list[int]]:
    for at in range(0, len(items), size):
        yield list(items[at : at + size])


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=BEIJING)


def hour_count(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start) / HOUR)


# ------------------------------------------------------------------------------------------------ meters


def meter_hours(point_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> dict[int, np.ndarray]:
    """Per meter with a value in [start, end) (local wall-clock hours): its hourly energy, NaN where not valid."""
    if uses_rollup():
        return _meter_hours_rollup(point_ids, start, end)
    return _meter_hours_readings(point_ids, start, end)


def _meter_hours_rollup(point_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> dict[int, np.ndarray]:
    hours = hour_count(start, end)
    days = -(-hours // HOURS_PER_DAY)
    first = start.date()
    sql = f"""
        SELECT c.point_id, array_agg(c.day - %(first)s::date ORDER BY c.day), string_agg(c.hours, ''::bytea ORDER BY c.day)
        FROM {ChannelDay._meta.db_table} c
        WHERE c.point_id = ANY(%(points)s) AND c.pollutant = '' AND c.day >= %(first)s AND c.day < %(first)s::date + %(days)s
        GROUP BY c.point_id
    """
    found: dict[int, np.ndarray] = {}
    for chunk in _chunks(sorted(point_ids)):
        for point_id, offsets, packed in binary_rows(sql, {"first": first, "days": days, "points": chunk}):
            values = np.full((days, HOURS_PER_DAY), np.nan)
            values[offsets] = np.frombuffer(packed, dtype=">f8").reshape(len(offsets), HOURS_PER_DAY)
            found[point_id] = values.reshape(-1)[:hours]
    return found


def _meter_hours_readings(point_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> dict[int, np.ndarray]:
    """The same arrays from the readings (SQLite): the rows of a chunk in one query, summed with `np.add.at`."""
    hours = hour_count(start, end)
    origin = _aware(start)
    found: dict[int, np.ndarray] = {}
    for chunk in _chunks(sorted(point_ids)):
        rows = list(
            Reading.objects.filter(point_id__in=chunk, at__gte=origin, at__lt=_aware(end))
            .values_list("point_id", "at", "minutes", "value", "status")
            .order_by()
        )
        if not rows:
            continue
        points, stamps, spans, values, statuses = zip(*rows, strict=True)
        owners = sorted(set(points))
        row_of = {point_id: index for index, point_id in enumerate(owners)}
        status = np.asarray(statuses, dtype=object)
        reading = np.asarray([np.nan if v is None else float(v) for v in values])
        ok = np.isin(status, VALID_STATUSES) & ~((status == ReadingStatus.NORMAL.value) & np.isnan(reading))
        stopped = status == ReadingStatus.STOPPED.value
        at = np.asarray([row_of[p] for p in points], dtype=np.int64) * hours + np.asarray(
            [int((moment - origin).total_seconds()) // 3600 for moment in stamps], dtype=np.int64
        )
        covered = np.zeros(len(owners) * hours)
        total = np.zeros(len(owners) * hours)
        bad = np.zeros(len(owners) * hours, dtype=bool)
        np.add.at(covered, at, np.where(ok, np.asarray(spans, dtype=float), 0.0))
        np.add.at(total, at, np.where(ok & ~stopped, np.nan_to_num(reading), 0.0))
        np.logical_or.at(bad, at, ~ok)
        result = np.where(bad | (covered < MINUTES_PER_HOUR), np.nan, total).reshape(len(owners), hours)
        for point_id, index in row_of.items():
            found[point_id] = result[index]
    return found


def meter_states(point_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> tuple[ChannelStates, ChannelValues]:
    """Per meter (key `(point, "")`) and hour of [start, end), for check (b): 'valid' when its intervals cover the
    hour with valid use and one of them ran, 'stopped' when every one was 停运, absent (silent) otherwise — what
    `core.crosscheck.meter_states` gives row by row — and the valid hours' energy (停运 as zero) rounded to 0.001 kWh
    for the chart. Energy and validity come from `meter_hours` (the rollup on PostgreSQL). A valid hour with energy
    above zero ran (停运 counts zero, use is never negative); only the valid hours at exactly zero are looked up in
    the readings (`_ran_in`), so a province's month (~3 × 10⁷ meter rows) is never read row by row."""
    hours = [start + HOUR * n for n in range(hour_count(start, end))]
    energies = meter_hours(point_ids, start, end)
    at_zero = [(point_id, h) for point_id, energy in energies.items() for h in np.flatnonzero(energy == 0.0).tolist()]
    ran_at_zero = _ran_in(at_zero, start)
    states: ChannelStates = {}
    values: ChannelValues = {}
    for point_id, energy in energies.items():
        valid = np.flatnonzero(~np.isnan(energy)).tolist()
        channel = states[(point_id, "")] = {}
        for h in valid:
            channel[hours[h]] = VALID if energy[h] > 0 or (point_id, h) in ran_at_zero else STOPPED
        values[(point_id, "")] = dict(zip([hours[h] for h in valid], np.round(energy[valid], 3).tolist(), strict=True))
    return states, values


PAIR_CHUNK = 50_000  # (meter, hour) pairs per query


def _ran_in(pairs: Sequence[tuple[int, int]], start: dt.datetime) -> set[tuple[int, int]]:
    """Of (meter, hour counted from `start`) pairs, those with an interval 正常 with a value: one index range per pair."""
    found: set[tuple[int, int]] = set()
    origin = _aware(start)
    normal = ReadingStatus.NORMAL.value
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT k.point_id, k.h
            FROM unnest(%(points)s::bigint[], %(hours)s::int[]) AS k(point_id, h)
            WHERE EXISTS (
                SELECT 1 FROM {Reading._meta.db_table} r
                WHERE r.point_id = k.point_id AND r.pollutant = ''
                  AND r.at >= %(origin)s + k.h * interval '1 hour' AND r.at < %(origin)s + (k.h + 1) * interval '1 hour'
                  AND r.status = %(normal)s AND r.value IS NOT NULL
            )
        """
        with connection.cursor() as cursor:
            for at in range(0, len(pairs), PAIR_CHUNK):
                chunk = pairs[at : at + PAIR_CHUNK]
                points, hours = [p for p, _ in chunk], [h for _, h in chunk]
                cursor.execute(sql, {"points": points, "hours": hours, "origin": origin, "normal": normal})
                found.update((point_id, h) for point_id, h in cursor.fetchall())
        return found
    wanted = set(pairs)
    until = origin + HOUR * (max((h for _, h in pairs), default=-1) + 1)  # not the readings after the last pair's hour
    for chunk in _chunks(sorted({point_id for point_id, _ in pairs})):
        rows = Reading.objects.filter(
            point_id__in=chunk, at__gte=origin, at__lt=until, status=normal, value__isnull=False
        ).values_list("point_id", "at")
        for point_id, at in rows.iterator(chunk_size=10_000):
            pair = (point_id, int((at - origin).total_seconds()) // 3600)
            if pair in wanted:
                found.add(pair)
    return found


# ------------------------------------------------------------------------------------------------ first and last


def first_readings(point_ids: Sequence[int]) -> dict[tuple[int, str], dt.datetime]:
    """Per channel (point, pollutant) of the points: the time of its first reading ever (aware). On PostgreSQL the
    rollup names each channel's first day (every channel-day with a reading has a rollup row) and one index probe
    finds the first reading from that day on, instead of aggregating the whole history of every channel."""
    if not uses_rollup():
        rows = Reading.objects.filter(point_id__in=list(point_ids)).values("point_id", "pollutant")
        return {(row["point_id"], row["pollutant"]): row["first"] for row in rows.annotate(first=Min("at")).order_by()}
    sql = f"""
        SELECT c.point_id, c.pollutant,
               (SELECT min(r.at) FROM {Reading._meta.db_table} r
                WHERE r.point_id = c.point_id AND r.pollutant = c.pollutant
                  AND r.at >= (min(c.day)::timestamp AT TIME ZONE 'Asia/Shanghai'))
        FROM {ChannelDay._meta.db_table} c
        WHERE c.point_id = ANY(%(points)s)
        GROUP BY c.point_id, c.pollutant
    """
    found: dict[tuple[int, str], dt.datetime] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(point_ids)):
            cursor.execute(sql, {"points": chunk})
            found.update(((point_id, pollutant), first) for point_id, pollutant, first in cursor.fetchall() if first)
    return found


def site_last_readings(site_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """Per site: the time of its latest reading of any point (aware). On PostgreSQL from each channel's last day in
    the rollup and one index probe per channel, as `first_readings`."""
    if not uses_rollup():
        rows = Reading.objects.filter(point__site_id__in=list(site_ids)).values("point__site_id")
        return {row["point__site_id"]: row["last"] for row in rows.annotate(last=Max("at")).order_by()}
    sql = f"""
        SELECT l.site_id, max(l.last)
        FROM (
            SELECT p.site_id,
                   (SELECT max(r.at) FROM {Reading._meta.db_table} r
                    WHERE r.point_id = c.point_id AND r.pollutant = c.pollutant
                      AND r.at >= (max(c.day)::timestamp AT TIME ZONE 'Asia/Shanghai')) AS last
            FROM {ChannelDay._meta.db_table} c JOIN {MonitoringPoint._meta.db_table} p ON p.id = c.point_id
            WHERE p.site_id = ANY(%(sites)s)
            GROUP BY p.site_id, c.point_id, c.pollutant
        ) l
        GROUP BY l.site_id
    """
    found: dict[int, dt.datetime] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(site_ids)):
            cursor.execute(sql, {"sites": chunk})
            found.update((site_id, last) for site_id, last in cursor.fetchall() if last)
    return found


# ------------------------------------------------------------------------------------------------ outlets


@dataclass
class ConcentrationSummary:
    """One outlet pollutant's month: hours with a valid concentration, the peak, hours above each limit asked."""

    valid_hours: int = 0
    peak: float | None = None
    above: dict[float, int] = field(default_factory=dict)


def _hour_expression() -> str:
    # Beijing has kept UTC+8 without daylight saving since 1991: the UTC hour is the local hour.
    if connection.vendor == "postgresql":
        return "date_trunc('hour', r.at)"
    return "strftime('%%Y-%%m-%%d %%H', r.at)"


def concentration_summary(
    point_ids: Sequence[int], start: dt.datetime, end: dt.datetime, limits: Iterable[float]
) -> dict[tuple[int, str], ConcentrationSummary]:
    """Per (outlet, pollutant) with any reading in [start, end): valid hours, peak and the hours above each of
    `limits` — counted in the database, one aggregate query per chunk of outlets."""
    thresholds = sorted(set(limits))
    above = "".join(", SUM(CASE WHEN h.c > %s THEN 1 ELSE 0 END)" for _ in thresholds)
    found: dict[tuple[int, str], ConcentrationSummary] = {}
    for chunk in _chunks(sorted(point_ids)):
        marks = ", ".join(["%s"] * len(chunk))
        sql = f"""
            SELECT h.point_id, h.pollutant, COUNT(h.c), MAX(h.c){above}
            FROM (
                SELECT r.point_id, r.pollutant, {_hour_expression()} AS hour,
                       MAX(CASE WHEN r.status = %s AND r.concentration IS NOT NULL THEN r.concentration END) AS c
                FROM {Reading._meta.db_table} r
                WHERE r.point_id IN ({marks}) AND r.at >= %s AND r.at < %s
                GROUP BY r.point_id, r.pollutant, {_hour_expression()}
            ) h
            GROUP BY h.point_id, h.pollutant
        """
        # Adapted as the ORM would (SQLite compares UTC text; a raw parameter would keep its +08:00 offset).
        moments = [connection.ops.adapt_datetimefield_value(_aware(moment)) for moment in (start, end)]
        params = [*thresholds, ReadingStatus.NORMAL.value, *chunk, *moments]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for point_id, pollutant, valid, peak, *counts in cursor.fetchall():
                found[(point_id, pollutant)] = ConcentrationSummary(
                    int(valid),
                    None if peak is None else float(peak),
                    {limit: int(count or 0) for limit, count in zip(thresholds, counts, strict=True)},
                )
    return found


def concentration_hours(
    channels: Iterable[tuple[int, str]], start: dt.datetime, end: dt.datetime
) -> dict[tuple[int, str], dict[dt.datetime, float | None]]:
    """The hourly concentrations (local hours; None = no valid value) of a few channels: the ones with a finding."""
    wanted = sorted(set(channels))
    found: dict[tuple[int, str], dict[dt.datetime, float | None]] = {key: {} for key in wanted}
    if not wanted:
        return found
    match = Q()
    for point_id, pollutant in wanted:
        match |= Q(point_id=point_id, pollutant=pollutant)
    rows = (
        Reading.objects.filter(match, at__gte=_aware(start), at__lt=_aware(end))
        .annotate(hour=TruncHour("at", tzinfo=BEIJING))
        .values("point_id", "pollutant", "hour")
        .annotate(c=Max("concentration", filter=Q(status=ReadingStatus.NORMAL.value, concentration__isnull=False)))
        .order_by()
        .values_list("point_id", "pollutant", "hour", "c")
    )
    for point_id, pollutant, hour, value in rows:
        found[(point_id, pollutant)][hour.astimezone(BEIJING).replace(tzinfo=None)] = (
            None if value is None else float(value)
        )
    return found


# ------------------------------------------------------------------------------------------------ outlet states

VALID, STOPPED = "valid", "stopped"  # core.crosscheck.VALID / STOPPED; an hour absent from the states is silent

ChannelStates = dict[tuple[int, str], dict[dt.datetime, str]]
ChannelValues = dict[tuple[int, str], dict[dt.datetime, float | None]]


STATE_CHUNK = 2000  # points whose month of hour states is held at once (~1.5 M hours at 720 hours a month)


def hour_states_by_chunk(
    outlet_ids: Sequence[int], meter_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[list[int], ChannelStates, ChannelValues]]:
    """Check (b)'s hour states and values (`outlet_states`, `meter_states`) a chunk of points at a time, with the
    chunk's points: a caller that keeps only what it finds holds one chunk's month, never a province's."""
    for chunk in _chunks(sorted(outlet_ids), STATE_CHUNK):
        yield (chunk, *outlet_states(chunk, start, end))
    for chunk in _chunks(sorted(meter_ids), STATE_CHUNK):
        yield (chunk, *meter_states(chunk, start, end))


def outlet_states(
    point_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> tuple[ChannelStates, ChannelValues]:
    """Per outlet pollutant and hour of [start, end): 'valid' (正常 with a value), 'stopped' (停运) or absent (nothing
    valid), and the valid hours' emission rate — for check (b). On PostgreSQL one aggregate per chunk returns each
    channel's valid and stopped hours as arrays (an hour with several rows is valid when one of them is, else stopped
    when one is); elsewhere the readings are read as before."""
    if connection.vendor != "postgresql":
        return _outlet_states_readings(point_ids, start, end)
    sql = f"""
        SELECT point_id, pollutant,
               array_agg(h ORDER BY h) FILTER (WHERE v IS NOT NULL), array_agg(v ORDER BY h) FILTER (WHERE v IS NOT NULL),
               array_agg(h ORDER BY h) FILTER (WHERE v IS NULL AND stopped)
        FROM (
            SELECT r.point_id, r.pollutant, floor(extract(epoch FROM r.at - %(start)s) / 3600)::int AS h,
                   max(r.value) FILTER (WHERE r.status = 'normal' AND r.value IS NOT NULL) AS v,
                   bool_or(r.status = 'stopped') AS stopped
            FROM {Reading._meta.db_table} r
            WHERE r.point_id = ANY(%(points)s) AND r.at >= %(start)s AND r.at < %(end)s
            GROUP BY 1, 2, 3
        ) x
        GROUP BY point_id, pollutant
    """
    hours = [start + HOUR * n for n in range(hour_count(start, end))]
    states: ChannelStates = {}
    values: ChannelValues = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(point_ids)):
            cursor.execute(sql, {"start": _aware(start), "end": _aware(end), "points": chunk})
            for point_id, pollutant, valid_at, rates, stopped_at in cursor.fetchall():
                key = (point_id, pollutant)
                channel = states[key] = {hours[h]: STOPPED for h in stopped_at or ()}
                channel.update({hours[h]: VALID for h in valid_at or ()})
                values[key] = {hours[h]: float(rate) for h, rate in zip(valid_at or (), rates or (), strict=True)}
    return states, values


def _outlet_states_readings(
    point_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> tuple[ChannelStates, ChannelValues]:
    states: ChannelStates = {}
    values: ChannelValues = {}
    origin = _aware(start)
    for chunk in _chunks(sorted(point_ids)):
        rows = (
            Reading.objects.filter(point_id__in=chunk, at__gte=origin, at__lt=_aware(end))
            .values_list("point_id", "pollutant", "at", "value", "status")
            .order_by()
        )
        for point_id, pollutant, at, value, status in rows.iterator(chunk_size=10_000):
            hour = start + HOUR * (int((at - origin).total_seconds()) // 3600)
            channel = states.setdefault((point_id, pollutant), {})
            rates = values.setdefault((point_id, pollutant), {})
            if status == ReadingStatus.NORMAL.value and value is not None:
                channel[hour] = VALID
                rates[hour] = value if hour not in rates else max(rates[hour], value)
            elif status == ReadingStatus.STOPPED.value and channel.get(hour) != VALID:
                channel[hour] = STOPPED
    return states, values
