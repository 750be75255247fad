"""Check (c) judges each hour by the line status then in force (the registry's status history): a line stopped
mid-month is judged only for the part it was declared running; an hour in which the status changed is not judged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.platform.verification.test_crosscheck_services import electricity, last_month, load, month_hours, run

from airgrade.core import crosscheck as core
from airgrade.platform.enterprises import services as registry
from airgrade.platform.enterprises.models import LineStatusChange
from airgrade.platform.verification import crosscheck, meters
from airgrade.platform.verification.models import Finding
from airgrade.platform.verification.services import aware

pytestmark = pytest.mark.django_db(transaction=True)


def test_declared_hours_of_a_status_history() -> None:
    start, end = dt.datetime(2026, 11, 1), dt.datetime(2026, 11, 2)
    running, stopped = "running", "stopped"
    # Before the first record its status holds; a change at 08:30 leaves hour 08 to neither side.
    changes = [(dt.datetime(2026, 10, 1), running), (dt.datetime(2026, 11, 1, 8, 30), stopped)]
    assert core.declared_hours(changes, running, start, end) == set(core.hours_between(start, start.replace(hour=8)))
    assert core.declared_hours(changes, stopped, start, end) == set(core.hours_between(start.replace(hour=9), end))
    # Back to running on the hour; repeated records of one status are one span.
    changes += [(dt.datetime(2026, 11, 1, 20), running), (dt.datetime(2026, 11, 1, 22), running)]
    assert len(core.declared_hours(changes, running, start, end)) == 8 + 4
    assert core.declared_hours([(dt.datetime(2026, 12, 1), running)], running, start, end) == set(
        core.hours_between(start, end)
    )


def test_a_line_stopped_mid_month_is_judged_only_while_declared_running(users: dict[str, Any]) -> None:
    k = crosscheck.cross_rules(last_month()).idle_hours
    code = users["own_enterprise"].credit_code
    site = users["own_enterprise"].sites.get()
    line = site.lines.get()
    # The line was registered long before the month (the fixture registers it today).
    LineStatusChange.objects.filter(line=line).update(since=aware(dt.datetime(2024, 1, 1)))
    hours = month_hours(last_month())
    meters.save_point(users["enterprise"], site.pk, kind="meter", code="M1", line_id=line.pk)
    load(users["county"], "electricity", electricity(code, hours, idle=k + 10))  # idle from hour 48
    assert run(users["county"]).counts["idle_line"] == 1
    # Declared stopped from hour 48 + K: only K idle hours lie in the declared running part → no finding.
    registry.update_line(users["county"], line.pk, {"status": "stopped"}, "停产检修", status_since=aware(hours[48 + k]))
    report = run(users["county"])
    assert report.counts["idle_line"] == 0 and report.withdrawn == 1
    # Running again from hour 48 + K + 5 (5 more idle hours while running: a run of 5, no finding).
    registry.update_line(
        users["county"], line.pk, {"status": "running"}, "恢复生产", status_since=aware(hours[48 + k + 5])
    )
    assert run(users["county"]).counts["idle_line"] == 0
    history = list(LineStatusChange.objects.filter(line=line).order_by("since").values_list("status", flat=True))
    assert history == ["running", "stopped", "running"]


def test_a_stop_declared_one_hour_later_leaves_k_plus_one_judged_hours(users: dict[str, Any]) -> None:
    k = crosscheck.cross_rules(last_month()).idle_hours
    code = users["own_enterprise"].credit_code
    site = users["own_enterprise"].sites.get()
    line = site.lines.get()
    LineStatusChange.objects.filter(line=line).update(since=aware(dt.datetime(2024, 1, 1)))
    hours = month_hours(last_month())
    meters.save_point(users["enterprise"], site.pk, kind="meter", code="M1", line_id=line.pk)
    load(users["county"], "electricity", electricity(code, hours, idle=k + 10))
    # A stop declared at hour 48 + K + 1, half past: hour 48 + K + 1 itself is not judged (its status changed).
    since = aware(hours[48 + k + 1] + dt.timedelta(minutes=30))
    registry.update_line(users["county"], line.pk, {"status": "stopped"}, "停产检修", status_since=since)
    assert run(users["county"]).counts["idle_line"] == 1
    finding = Finding.objects.get(kind="idle_line", status="open")
    assert finding.details["longest_hours"] == k + 1
    assert finding.details["runs"][0]["start"].startswith(hours[48].strftime("%Y-%m-%d %H"))
