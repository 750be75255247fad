"""The data feed `POST /api/verification/readings` (issue 12): on PostgreSQL a clean batch takes the bulk file import's
path (COPY, one upsert, rollup of the channel-days written, one audit record); a batch sent twice writes nothing the
second time, a bad row refuses the whole batch naming its row, a site outside the caller's scope is refused, and the
rollup matches the readings after a post. SQLite keeps the row-by-row path with the same answers."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test import Client

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.verification import series, services
from airgrade.platform.verification.models import ChannelDay, MonitoringPoint, Reading

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/verification/readings"
FIRST_DAY = dt.date.today() - dt.timedelta(days=5)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _monitoring(code: str, hours: int = 30, rate: float = 2.5, start: int = 0) -> list[dict[str, Any]]:
    """Hourly SO2 and NOx of outlet DA001 as a feed sends them: JSON numbers, field names or Chinese headers."""
    origin = dt.datetime.combine(FIRST_DAY, dt.time())
    rows: list[dict[str, Any]] = []
    for n in range(start, start + hours):
        at = f"{origin + dt.timedelta(hours=n):%Y-%m-%d %H:%M}"
        rows.append({"credit_code": code, "point": "DA001", "at": at, "pollutant": "SO2", "value": rate, "status": ""})
        rows.append(
            {"统一社会信用代码": code, "排放口编号": "DA001", "监测时间": at, "污染物": "氮氧化物", "排放速率": 4}
        )
    return rows


def _electricity(code: str, quarters: int = 120) -> list[dict[str, Any]]:
    origin = dt.datetime.combine(FIRST_DAY, dt.time())
    return [
        {
            "credit_code": code,
            "point": "M1",
            "at": f"{origin + dt.timedelta(minutes=15 * n):%Y-%m-%d %H:%M}",
            "minutes": 15,
            "value": 200.0,
            "status": "维护" if n == 7 else "正常",
        }
        for n in range(quarters)
    ]


def _post(user: Any, kind: str, rows: list[dict[str, Any]]) -> Any:
    return _client(user).post(URL, {"kind": kind, "rows": rows}, content_type="application/json")


def _imports() -> int:
    return AuditRecord.objects.filter(action="verification.import").count()


def _stored() -> list[tuple[Any, ...]]:
    return list(Reading.objects.order_by("pk").values_list("pk", "point_id", "pollutant", "at", "value", "status"))


def _row_versions() -> list[str]:
    """PostgreSQL's row versions (xmin) of the readings and the rollup: an update, even to equal values, changes them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {Reading._meta.db_table} ORDER BY point_id, pollutant, at")
        readings = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT xmin::text FROM {ChannelDay._meta.db_table} ORDER BY id")
        return readings + [row[0] for row in cursor.fetchall()]


@pytest.fixture
def row_by_row(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the batches that went the row-by-row way."""
    calls: list[str] = []
    real = services._load_rows
    monkeypatch.setattr(services, "_load_rows", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    return calls


def test_a_batch_posted_twice_writes_nothing_the_second_time(users: dict[str, Any], row_by_row: list[str]) -> None:
    code = users["own_enterprise"].credit_code
    rows = _monitoring(code)
    first = _post(users["county"], "monitoring", rows)
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["new"], body["changed"], body["points_created"], body["committed"]) == (60, 0, 1, True)
    assert Reading.objects.count() == 60 and _imports() == 1
    stored = _stored()
    versions = _row_versions() if series.uses_rollup() else []
    again = _post(users["county"], "monitoring", rows)
    assert again.status_code == 200 and (again.json()["new"], again.json()["unchanged"]) == (0, 60)
    assert _stored() == stored and _imports() == 1  # no audit record for a batch that changed nothing
    if series.uses_rollup():
        assert _row_versions() == versions  # not a row rewritten, readings nor rollup
        assert row_by_row == []  # both posts took the bulk path
    else:
        assert row_by_row == ["数据接口", "数据接口"]
    # A batch overlapping the stored hours: new hours added, a corrected value updated, the rest untouched.
    overlap = _monitoring(code, hours=10, start=25)
    overlap[0]["value"] = 3.5
    mixed = _post(users["county"], "monitoring", overlap).json()
    assert (mixed["new"], mixed["changed"], mixed["unchanged"]) == (10, 1, 9)
    assert Reading.objects.count() == 70 and Reading.objects.filter(value=3.5).count() == 1 and _imports() == 2


def test_a_bad_row_refuses_the_whole_batch_with_its_row(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    rows = _monitoring(code)
    rows[40]["value"] = "一点五"  # row 42 of the batch (the header is row 1)
    rows[51]["at"] = "2026-13-01 00:00"
    response = _post(users["county"], "monitoring", rows)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "第 42 行“排放速率”列：须为数字" in error and "第 53 行“监测时间”列" in error
    assert not Reading.objects.exists() and not MonitoringPoint.objects.exists() and not ChannelDay.objects.exists()
    assert _imports() == 0
    # Two values for one hour: refused with both rows named, nothing written.
    clash = _electricity(code, quarters=8)
    clash.append({**clash[3], "value": 1.0})
    response = _post(users["county"], "electricity", clash)
    assert (
        response.status_code == 400
        and "第 10 行" in response.json()["error"]
        and "第 5 行同一时段" in (response.json()["error"])
    )
    assert not Reading.objects.exists() and _imports() == 0
    # An integer too large for a number is a refusal by row, never a server error.
    huge = _monitoring(code, hours=1)
    huge[0]["value"] = 10**400
    response = _post(users["county"], "monitoring", huge)
    assert response.status_code == 400 and "第 2 行“排放速率”列：数值过大" in response.json()["error"]
    nested = _monitoring(code, hours=1)
    nested[1]["排放速率"] = [1, 2]
    response = _post(users["county"], "monitoring", nested)
    assert response.status_code == 400 and "第 3 行" in response.json()["error"]
    assert not Reading.objects.exists()


def test_a_site_outside_the_callers_scope_is_refused(users: dict[str, Any]) -> None:
    own, far = users["own_enterprise"].credit_code, users["far_enterprise"].credit_code
    rows = [*_monitoring(own, hours=3), *_monitoring(far, hours=2)]
    response = _post(users["county"], "monitoring", rows)
    assert response.status_code == 400
    assert "第 8 行“统一社会信用代码”列：企业不存在或不在您的管辖范围内" in response.json()["error"]
    assert not Reading.objects.exists() and not MonitoringPoint.objects.exists()
    # A feed account writes the sites of its own region only: another county's account is refused the same rows,
    # an enterprise account may not feed at all.
    refused = _post(users["other_county"], "monitoring", _monitoring(own, hours=2))
    assert (
        refused.status_code == 400
        and "第 2 行“统一社会信用代码”列：企业不存在或不在您的管辖范围内" in (refused.json()["error"])
    )
    assert _post(users["enterprise"], "monitoring", _monitoring(own, hours=2)).status_code == 403
    assert not Reading.objects.exists() and _imports() == 0
    mine = _post(users["county"], "monitoring", _monitoring(own, hours=2))
    assert mine.status_code == 200 and mine.json()["new"] == 4
    assert set(Reading.objects.values_list("point__enterprise_id", flat=True)) == {users["own_enterprise"].pk}


def test_the_rollup_matches_the_readings_after_feed_posts(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    site = users["own_enterprise"].sites.get()
    assert _post(users["county"], "monitoring", _monitoring(code, hours=40)).status_code == 200
    assert _post(users["county"], "electricity", _electricity(code)).status_code == 200
    # A correction and a flag across an already stored day, then hours that complete a new day.
    fix = _electricity(code, quarters=12)[8:12]
    fix[0]["value"], fix[1]["status"], fix[1]["value"] = 999.0, "数据缺失", None
    assert _post(users["county"], "electricity", fix).json()["changed"] == 2
    assert _post(users["county"], "monitoring", _monitoring(code, hours=20, rate=1.0, start=40)).status_code == 200
    direct = series.from_readings([site.pk], FIRST_DAY, 4)
    assert set(direct) == {(site.pk, "SO2"), (site.pk, "NOx"), (site.pk, "electricity")}
    assert np.isnan(direct[(site.pk, "electricity")][0][1]) and np.isnan(direct[(site.pk, "electricity")][0][2])
    assert direct[(site.pk, "SO2")][1][23] == 1.0
    if not series.uses_rollup():
        assert not ChannelDay.objects.exists()  # SQLite reads the readings
        return
    rolled = series.from_rollup([site.pk], FIRST_DAY, 4)
    assert set(rolled) == set(direct)
    for key, values in direct.items():
        np.testing.assert_array_equal(rolled[key], values)
    assert ChannelDay.objects.count() == 2 * 3 + 2  # SO2 and NOx over 3 days, the meter over 2


@pytest.mark.parametrize("kind", ["monitoring", "electricity"])
def test_the_same_new_hours_posted_twice_at_once_are_written_once_without_a_server_error(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Two posts of the same new hours race: both read them as absent before either writes (a barrier holds each
    at its write step), the second then meets the first's rows in the unique index, starts again and finds them
    stored. Real transactions, one connection per thread."""
    code = users["own_enterprise"].credit_code
    rows = _monitoring(code, hours=40) if kind == "monitoring" else _electricity(code, quarters=160)
    # The points exist already (an earlier post), so the race is over the readings alone.
    assert _post(users["county"], kind, rows[:2]).status_code == 200
    barrier = threading.Barrier(2, timeout=30)
    waited: set[int] = set()
    real = services._load_table

    def at_the_write_step(name: str) -> None:
        if name == "写入" and threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait()

    monkeypatch.setattr(services, "_load_table", lambda *a, **k: real(*a, **{**k, "step": at_the_write_step}))
    answers: list[Any] = []

    def post() -> None:
        try:
            answers.append(_post(users["county"], kind, rows))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [answer.status_code for answer in answers] == [200, 200], [answer.content for answer in answers]
    news = sorted(answer.json()["new"] for answer in answers)
    assert news == [0, len(rows) - 2]  # one wrote the new hours, the other found them stored
    assert Reading.objects.count() == len(rows) and _imports() == 2
    if series.uses_rollup():
        days = series.site_series([users["own_enterprise"].sites.get().pk], FIRST_DAY, 3)
        assert days  # the rollup of the written days is there, once
        assert (
            ChannelDay.objects.count() == ChannelDay.objects.values("point_id", "pollutant", "day").distinct().count()
        )
