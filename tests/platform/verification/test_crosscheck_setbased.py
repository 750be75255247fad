"""The monthly cross-checks read hourly values set-based (`verification.monthly`): on generated readings — gaps,
every status flag, missing values, rows just outside the month — they give exactly what the row-by-row arithmetic
gave (`core.verification.channel_hours` per meter; the hour's concentration and `core.crosscheck.exceedances` per
outlet pollutant; the hour's state and rate for silence), on SQLite from the readings and on PostgreSQL from the rollup and one aggregate per chunk."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db.models import Max, Min
from tests.platform.verification.test_crosscheck_services import last_month

from airgrade.core import crosscheck as core
from airgrade.core.verification import Reading as CoreReading
from airgrade.core.verification import ReadingStatus, SignalKind, channel_hours, hour_of
from airgrade.platform.verification import monthly, series
from airgrade.platform.verification.models import MonitoringPoint, Reading
from airgrade.platform.verification.services import aware, local

pytestmark = pytest.mark.django_db(transaction=True)

LIMITS = (50.0, 100.0, 150.0)


def generate(users: dict[str, Any], seed: int) -> tuple[list[int], list[int], dt.datetime, dt.datetime]:
    rng = random.Random(seed)
    site = users["own_enterprise"].sites.get()
    enterprise, region = site.enterprise_id, site.region_id
    outlets = [
        MonitoringPoint.objects.create(site=site, enterprise_id=enterprise, region_id=region, kind="outlet", code=code)
        for code in ("DA001", "DA002")
    ]
    meters = [
        MonitoringPoint.objects.create(site=site, enterprise_id=enterprise, region_id=region, kind="meter", code=code)
        for code in ("M1", "M2")
    ]
    start, end = core.month_bounds(last_month())
    rows: list[Reading] = []
    # Hourly outlet rows from a day before the month to a day after it.
    hour = start - dt.timedelta(days=1)
    while hour < end + dt.timedelta(days=1):
        for point in outlets:
            for pollutant in ("SO2", "NOx"):
                if rng.random() < 0.1:
                    continue
                status = rng.choices(["normal", "missing", "maintenance", "stopped"], [80, 8, 5, 7])[0]
                concentration = None if status == "missing" or rng.random() < 0.05 else rng.uniform(0, 200)
                value = None if status == "missing" else rng.uniform(0, 5)
                rows.append(Reading(point=point, pollutant=pollutant, at=aware(hour), minutes=60, value=value,
                                    concentration=concentration, status=status))  # fmt: skip
        for point in meters:
            stopped_hour = rng.random() < 0.05  # every interval 停运: the meter's hour is 'stopped', not silent
            idle_hour = rng.random() < 0.1  # running at zero use: 'valid' although its energy is 0, like 'stopped'
            for quarter in range(4):
                if rng.random() < 0.05:
                    continue
                status = rng.choices(["normal", "stopped", "missing", "maintenance"], [90, 4, 3, 3])[0]
                status = "stopped" if stopped_hour else status
                value = None if status == "missing" or rng.random() < 0.02 else round(rng.uniform(0, 300), 2)
                value = 0.0 if idle_hour and value is not None else value
                at = aware(hour + dt.timedelta(minutes=15 * quarter))
                rows.append(Reading(point=point, pollutant="", at=at, minutes=15, value=value, status=status))
        hour += dt.timedelta(hours=1)
    Reading.objects.bulk_create(rows, batch_size=2000)
    if series.uses_rollup():
        series.rebuild_channel_days()
    return [p.pk for p in outlets], [p.pk for p in meters], start, end


def old_meter_hours(point_id: int, start: dt.datetime, end: dt.datetime) -> dict[dt.datetime, float | None]:
    """What check (c) computed before: the meter's readings one by one through `channel_hours`."""
    rows = Reading.objects.filter(point_id=point_id, at__gte=aware(start), at__lt=aware(end)).order_by("at")
    readings = [
        CoreReading(str(point_id), local(r.at), r.minutes, r.value, ReadingStatus(r.status)) for r in rows.iterator()
    ]
    return channel_hours(readings, SignalKind.ELECTRICITY)


def old_meter_states(point_id: int, start: dt.datetime, end: dt.datetime) -> tuple[dict[Any, str], dict[Any, Any]]:
    """What check (b) computed for a meter before: its readings one by one through `core.crosscheck.meter_states`,
    and `channel_hours` rounded for the chart."""
    rows = Reading.objects.filter(point_id=point_id, at__gte=aware(start), at__lt=aware(end)).order_by("at")
    readings = [
        CoreReading(str(point_id), local(r.at), r.minutes, r.value, ReadingStatus(r.status)) for r in rows.iterator()
    ]
    energy = channel_hours(readings, SignalKind.ELECTRICITY)
    return core.meter_states(readings), {h: None if v is None else round(v, 3) for h, v in energy.items()}


def old_concentrations(
    point_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[tuple[int, str], dict[dt.datetime, float | None]]:
    """What check (a) computed before: each reading row's concentration at its hour, None when not valid."""
    found: dict[tuple[int, str], dict[dt.datetime, float | None]] = defaultdict(dict)
    rows = Reading.objects.filter(point_id__in=point_ids, at__gte=aware(start), at__lt=aware(end))
    for point_id, pollutant, at, concentration, status in rows.values_list(
        "point_id", "pollutant", "at", "concentration", "status"
    ):
        valid = status == "normal" and concentration is not None
        found[(point_id, pollutant)][hour_of(local(at))] = float(concentration) if valid else None
    return found


def old_states(point_ids: list[int], start: dt.datetime, end: dt.datetime) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """What check (b) computed before: each row's state and rate at its hour."""
    states: dict[Any, dict[dt.datetime, str]] = defaultdict(dict)
    values: dict[Any, dict[dt.datetime, float | None]] = defaultdict(dict)
    rows = Reading.objects.filter(point_id__in=point_ids, at__gte=aware(start), at__lt=aware(end))
    for point_id, pollutant, at, value, status in rows.values_list("point_id", "pollutant", "at", "value", "status"):
        hour = hour_of(local(at))
        if status == "normal" and value is not None:
            state = core.VALID
        elif status == "stopped":
            state = core.STOPPED
        else:
            state = core.SILENT
        states[(point_id, pollutant)][hour] = state
        values[(point_id, pollutant)][hour] = value if state == core.VALID else None
    return states, values


@pytest.mark.parametrize("seed", [1, 2])
def test_set_based_month_equals_the_row_by_row_arithmetic(users: dict[str, Any], seed: int) -> None:
    outlets, meters, start, end = generate(users, seed)
    hours = core.hours_between(start, end)

    energy = monthly.meter_hours(meters, start, end)
    assert set(energy) == set(meters)
    for point_id in meters:
        old = old_meter_hours(point_id, start, end)
        new = energy[point_id]
        assert len(new) == len(hours)
        for hour, value in zip(hours, new.tolist(), strict=True):
            expected = old.get(hour)
            if expected is None:
                assert math.isnan(value), (point_id, hour)
            else:
                assert value == pytest.approx(expected, rel=1e-12, abs=1e-9), (point_id, hour)

    meter_states, meter_values = monthly.meter_states(meters, start, end)
    assert set(meter_states) == {(point_id, "") for point_id in meters}
    for point_id in meters:
        before_states, before_values = old_meter_states(point_id, start, end)
        # An hour without a state is silent, as core.crosscheck.silent_hours reads it; the chart shows None there.
        assert {h: meter_states[(point_id, "")].get(h, core.SILENT) for h in hours} == {
            h: before_states.get(h, core.SILENT) for h in hours
        }
        assert {core.STOPPED, core.VALID, core.SILENT} <= set(before_states.values())  # every state is exercised
        assert any(before_states.get(h) == core.VALID and before_values.get(h) == 0 for h in hours)  # ran at zero
        new_values = meter_values[(point_id, "")]
        for h in hours:
            assert new_values.get(h) == pytest.approx(before_values.get(h), abs=1e-9), (point_id, h)

    states, rates = monthly.outlet_states(outlets, start, end)
    before, before_rates = old_states(outlets, start, end)
    assert set(states) == set(before)
    for key, channel in before.items():
        # An hour without a state is silent, as core.crosscheck.silent_hours reads it.
        assert {h: states[key].get(h, core.SILENT) for h in hours} == {h: channel.get(h, core.SILENT) for h in hours}
        assert {h: rates[key].get(h) for h in hours} == {h: before_rates[key].get(h) for h in hours}

    old = old_concentrations(outlets, start, end)
    summary = monthly.concentration_summary(outlets, start, end, LIMITS)
    assert set(summary) == set(old)
    for key, values in old.items():
        for limit in LIMITS:
            found = core.exceedances(values, limit)
            assert summary[key].above[limit] == len(found.hours), (key, limit)
            assert summary[key].valid_hours == found.valid_hours
            assert summary[key].peak == found.peak
    read = monthly.concentration_hours(list(old), start, end)
    for key, values in old.items():
        assert {h: v for h, v in read[key].items() if v is not None} == {
            h: v for h, v in values.items() if v is not None
        }
        assert core.exceedances(read[key], 100.0) == core.exceedances(values, 100.0)


@pytest.mark.parametrize("seed", [3])
def test_first_and_last_readings_equal_the_aggregates_over_every_reading(users: dict[str, Any], seed: int) -> None:
    """(b)'s judged span: each channel's first reading and each site's latest, on PostgreSQL from the rollup's first
    and last day and one index probe, equal to the plain aggregates — with a reading long before the month."""
    outlets, meters, start, _ = generate(users, seed)
    early = Reading.objects.create(point_id=outlets[0], pollutant="NOx", at=aware(start - dt.timedelta(days=70, minutes=-7)),
                                   minutes=60, value=1.0, status="normal")  # fmt: skip
    if series.uses_rollup():
        series.rebuild_channel_days()
    points = outlets + meters
    rows = Reading.objects.filter(point_id__in=points).values("point_id", "pollutant").annotate(first=Min("at"))
    expected = {(row["point_id"], row["pollutant"]): row["first"] for row in rows.order_by()}
    assert monthly.first_readings(points) == expected
    assert expected[(outlets[0], "NOx")] == early.at
    site_id = users["own_enterprise"].sites.get().pk
    last = Reading.objects.filter(point__site_id=site_id).aggregate(last=Max("at"))["last"]
    assert monthly.site_last_readings([site_id]) == {site_id: last}
    assert monthly.first_readings([]) == {} and monthly.site_last_readings([10**9]) == {}


def test_hour_states_by_chunk_are_the_whole_months_states(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    outlets, meters, start, end = generate(users, 3)
    states, values = monthly.outlet_states(outlets, start, end)
    meter_states, meter_values = monthly.meter_states(meters, start, end)
    monkeypatch.setattr(monthly, "STATE_CHUNK", 1)
    chunks, chunked_states, chunked_values = [], {}, {}
    for chunk, part_states, part_values in monthly.hour_states_by_chunk(outlets, meters, start, end):
        assert {point_id for point_id, _ in part_states} <= set(chunk)
        chunks.append(chunk)
        chunked_states.update(part_states)
        chunked_values.update(part_values)
    assert chunks == [[point_id] for point_id in sorted(outlets) + sorted(meters)]
    assert chunked_states == states | meter_states and chunked_values == values | meter_values
    assert chunked_states  # the generated month has valid and stopped hours to compare


def test_an_empty_month_reads_nothing(users: dict[str, Any]) -> None:
    start, end = core.month_bounds(last_month())
    assert monthly.meter_hours([], start, end) == {}
    assert monthly.concentration_summary([], start, end, LIMITS) == {}
    assert monthly.meter_hours([10**9], start, end) == {}
    assert monthly.meter_states([], start, end) == ({}, {})
