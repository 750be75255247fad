"""Verdicts over a whole alert read hourly site series in one pass (issue 12): the PostgreSQL rollup kept by every
import gives the same arrays as the readings, corrections included; holidays never enter a baseline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from tests.platform.verification.builders import alert_days, alert_with_tasks, electricity_csv, monitoring_csv

from airgrade.platform.verification import series, services
from airgrade.platform.verification.models import ChannelDay, MonitoringPoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_rollup_and_readings_give_the_same_site_series(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    site = users["own_enterprise"].sites.get()
    services.import_readings(
        users["county"], "monitoring", "m.csv", monitoring_csv(code, normal=10, during=3), commit=True
    )
    content = electricity_csv(code, normal=800, during=200)
    services.import_readings(users["county"], "electricity", "e.csv", content, commit=True)
    # A correction and a flagged interval: the rollup follows both.
    lines = content.decode().splitlines()
    header, first, second = lines[0], lines[5], lines[6]
    fixed = "\n".join([header, first.rsplit(",", 2)[0] + ",999.000,", second.rsplit(",", 1)[0] + ",维护"]) + "\n"
    report = services.import_readings(users["county"], "electricity", "fix.csv", fixed.encode(), commit=True)
    assert report.ok and report.changed == 2
    start, _ = alert_days()
    first_day, days = start.date() - dt.timedelta(days=12), 16
    direct = series.from_readings([site.pk], first_day, days)
    assert set(direct) == {(site.pk, "SO2"), (site.pk, "electricity")}
    assert np.isnan(direct[(site.pk, "electricity")]).sum() >= 1  # the flagged quarter spoils its hour
    if series.uses_rollup():
        rolled = series.from_rollup([site.pk], first_day, days)
        assert set(rolled) == set(direct)
        for key, values in direct.items():
            np.testing.assert_allclose(rolled[key], values, equal_nan=True)
        assert series.rebuild_channel_days() > 0
        again = series.from_rollup([site.pk], first_day, days)
        np.testing.assert_allclose(again[(site.pk, "SO2")], direct[(site.pk, "SO2")], equal_nan=True)
    else:
        assert series.refresh_channel_days([(1, "SO2", first_day)]) == 0


def test_holidays_are_excluded_days(users: dict[str, Any]) -> None:
    event = alert_with_tasks(users, [users["own_enterprise"]])
    days = services.excluded_days(event, "410181", dt.date(2026, 9, 20), dt.date(2026, 10, 12))
    assert dt.date(2026, 10, 1) in days and dt.date(2026, 9, 25) in days
    assert dt.date(2026, 10, 10) not in days and dt.date(2026, 9, 20) not in days  # 调休 working days


def _hourly(credit_code: str, outlet: str, first: dt.datetime, until: dt.datetime, missing: set[dt.date]) -> str:
    """Monitoring rows from `first` to `until`, 10 kg/h before the alert and 2 during it, 数据缺失 on `missing` days."""
    start, end = alert_days()
    lines, hour = [], first
    while hour < until:
        value = 2.0 if start <= hour < end else 10.0
        status = "数据缺失" if hour.date() in missing else "正常"
        shown = "" if status != "正常" else f"{value:.3f}"
        lines.append(f"{credit_code},,{outlet},{hour:%Y-%m-%d %H:%M},二氧化硫,{shown},35,120000,{status}")
        hour += dt.timedelta(hours=1)
    return "\n".join(lines)


def test_reading_the_recent_days_first_gives_the_full_reads_verdicts(
    users: dict[str, Any], make_enterprise: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first pass reads the baseline's recent days only; a task that needs more (gaps in the recent days, a
    channel that stopped reporting before them) is computed again over the whole lookback: every verdict, baseline
    day and chart is the one the full read gives."""
    from tests.platform.verification.builders import MON_HEADER

    steady = make_enterprise("410181", "连续数据企业")
    gappy = make_enterprise("410181", "近期缺数企业")
    stale = make_enterprise("410181", "停报排口企业")
    event = alert_with_tasks(users, [steady, gappy, stale])
    start, end = alert_days()
    first, until = start - dt.timedelta(days=28), end + dt.timedelta(days=1)
    recent_gap = {(start - dt.timedelta(days=n)).date() for n in range(1, 9)}  # the 8 days before the alert
    rows = [
        _hourly(steady.credit_code, "DA001", first, until, set()),
        _hourly(gappy.credit_code, "DA001", first, until, recent_gap),
        _hourly(stale.credit_code, "DA001", first, until, set()),
        _hourly(stale.credit_code, "DA002", first, start - dt.timedelta(days=20), set()),  # silent for 20 days
    ]
    content = ("\n".join([MON_HEADER, *rows]) + "\n").encode("utf-8")
    report = services.import_readings(users["county"], "monitoring", "m.csv", content, commit=True)
    assert report.ok, report.messages(3)

    tasks = list(event.tasks.select_related("entry"))
    on = services.rules(services.event_window(event)[0].date())
    reads: list[int] = []
    site_series = series.site_series

    def counted(site_ids: Any, first_day: dt.date, days: int) -> Any:
        reads.append(days)
        return site_series(site_ids, first_day, days)

    monkeypatch.setattr(series, "site_series", counted)
    two_pass = services.compute_verdicts(tasks, event, on)
    two_pass_reads = list(reads)
    monkeypatch.setattr(series, "SPARE_DAYS", on.lookback_days)  # the read-ahead reaches the lookback: one full read
    reads.clear()
    full = services.compute_verdicts(tasks, event, on)
    assert len(reads) == 1
    by_name = {item.task.entry.site.enterprise.name: item for item in two_pass}
    for one, other in zip(two_pass, full, strict=True):
        assert one.task.pk == other.task.pk
        assert one.result.as_dict() == other.result.as_dict()
        assert one.evidence == other.evidence
    assert by_name["连续数据企业"].result.verdict.value == "done"
    assert len(by_name["近期缺数企业"].result.signals[0].baseline.days) == on.baseline_max_days
    assert len(by_name["停报排口企业"].result.signals) == 1  # DA002's silence spoils the site's sum: 数据不足
    assert by_name["停报排口企业"].result.verdict.value == "insufficient"
    if series.uses_rollup():
        # A short first read for all three, then the whole lookback for the two that needed it.
        assert len(two_pass_reads) == 2 and two_pass_reads[0] < two_pass_reads[1] == reads[0]


def _rollup_rows() -> list[tuple[int, str, dt.date, bytes]]:
    rows = ChannelDay.objects.order_by("point_id", "pollutant", "day").values_list(
        "point_id", "pollutant", "day", "hours"
    )
    return [(point_id, pollutant, day, bytes(hours)) for point_id, pollutant, day, hours in rows]


def test_a_piecewise_rebuild_gives_the_rollup_the_imports_keep(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    other = users["other_enterprise"].credit_code
    services.import_readings(
        users["county"], "monitoring", "m.csv", monitoring_csv(code, normal=10, during=3), commit=True
    )
    services.import_readings(
        users["county"], "electricity", "e.csv", electricity_csv(code, normal=800, during=200), commit=True
    )
    # A feed across a month boundary (pieces are local months), a second enterprise's points, a correction.
    feed = [
        {"credit_code": credit, "point": "DA001", "at": f"{moment:%Y-%m-%d %H:%M}", "pollutant": "SO2", "value": 1.5}
        for credit in (code, other)
        for moment in (dt.datetime(2026, 10, 30, 20) + dt.timedelta(hours=n) for n in range(60))
    ]
    assert services.import_rows(users["city"], "monitoring", feed).ok
    feed[5]["value"] = 9.0
    feed[30]["status"] = "维护"
    assert services.import_rows(users["city"], "monitoring", feed).changed == 2
    kept = _rollup_rows()
    if not series.uses_rollup():
        assert kept == [] and series.rebuild_channel_days(points_per_piece=1) == 0
        return
    assert len(kept) > 20
    pieces = series.rebuild_pieces(points_per_piece=1)
    points = MonitoringPoint.objects.count()
    months = {piece.since for piece in pieces}
    assert points == 3 and len(months) >= 2 and len(pieces) == points * len(months)
    ChannelDay.objects.all().delete()
    seen: list[tuple[int, int, int]] = []
    written = series.rebuild_channel_days(
        points_per_piece=1, progress=lambda done, total, piece, rows: seen.append((done, total, rows))
    )
    assert written == len(kept) and _rollup_rows() == kept
    assert [done for done, _, _ in seen] == list(range(1, len(pieces) + 1)) and sum(r for *_, r in seen) == written
    # Over an existing rollup the rebuild rewrites the same rows; in larger pieces too.
    assert series.rebuild_channel_days(points_per_piece=2) == len(kept) and _rollup_rows() == kept


def test_the_rollup_command(users: dict[str, Any]) -> None:
    from typer.testing import CliRunner

    from airgrade.cli import app

    code = users["own_enterprise"].credit_code
    services.import_readings(
        users["county"], "monitoring", "m.csv", monitoring_csv(code, normal=10, during=3), commit=True
    )
    kept = _rollup_rows()
    ChannelDay.objects.all().delete()
    result = CliRunner().invoke(app, ["alert", "rollup", "--points", "1"])
    assert result.exit_code == 0, result.output
    if series.uses_rollup():
        assert "[1/" in result.output and f"共写入 {len(kept)} 个通道日" in result.output
        assert _rollup_rows() == kept
    else:
        assert "无需重建" in result.output and not ChannelDay.objects.exists()
