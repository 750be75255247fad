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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Max, Q
from django.db.models.functions import TruncHour

from airgrade.core.verification import HOURS_PER_DAY, MINUTES_PER_HOUR, ReadingStatus
from airgrade.platform.verification.models import ChannelDay, Reading
from airgrade.platform.verification.series import BEIJING, VALID_STATUSES, uses_rollup

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
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(point_ids)):
            cursor.execute(sql, {"first": first, "days": days, "points": chunk})
            for point_id, offsets, packed in cursor.fetchall():
                values = np.full((days, HOURS_PER_DAY), np.nan)
                values[offsets] = np.frombuffer(bytes(packed), dtype=">f8").reshape(len(offsets), HOURS_PER_DAY)
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
