"""The production line's status history: written by the registry's line services in the transaction that changes the
status (never apart from it), ordered, never in the future, scoped like the enterprise, shown on the enterprise page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from airgrade.platform.audit import services as audit
from airgrade.platform.enterprises import services
from airgrade.platform.enterprises.models import LineStatusChange, ProductionLine
from airgrade.platform.errors import NotFound, ServiceError

pytestmark = pytest.mark.django_db(transaction=True)


def the_line(users: dict[str, Any]) -> ProductionLine:
    return ProductionLine.objects.get(site__enterprise=users["own_enterprise"])


def test_a_new_line_and_every_status_change_are_recorded(users: dict[str, Any]) -> None:
    line = the_line(users)
    assert list(LineStatusChange.objects.filter(line=line).values_list("status", flat=True)) == ["running"]
    services.update_line(users["county"], line.pk, {"capacity_unit": "t/h"}, "更正单位")
    assert LineStatusChange.objects.filter(line=line).count() == 1  # no status change, no record
    # Registered long ago (the fixture registers it today), stopped five hours ago.
    LineStatusChange.objects.filter(line=line).update(since=timezone.now() - dt.timedelta(days=700))
    earlier = timezone.now() - dt.timedelta(hours=5)
    services.update_line(users["county"], line.pk, {"status": "stopped"}, "停产检修", status_since=earlier)
    last = LineStatusChange.objects.filter(line=line).latest("since")
    assert (last.status, last.since, last.changed_by, last.reason) == ("stopped", earlier, users["county"], "停产检修")
    history = list(services.line_status_history(users["city"], line.pk))
    assert [change.status for change in history] == ["stopped", "running"]


def test_status_since_is_checked(users: dict[str, Any]) -> None:
    line = the_line(users)
    future = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ServiceError, match="不能晚于当前时间"):
        services.update_line(users["county"], line.pk, {"status": "stopped"}, "停产", status_since=future)
    before_first = timezone.now() - dt.timedelta(days=400)
    with pytest.raises(ServiceError, match="不能早于上一次状态记录"):
        services.update_line(users["county"], line.pk, {"status": "stopped"}, "停产", status_since=before_first)
    with pytest.raises(ServiceError, match="运行状态未变更"):
        services.update_line(users["county"], line.pk, {"name": "2#线"}, "改名", status_since=timezone.now())
    line.refresh_from_db()
    assert line.status == "running" and LineStatusChange.objects.filter(line=line).count() == 1


def test_the_history_is_written_in_the_status_change_transaction(users: dict[str, Any], monkeypatch: Any) -> None:
    line = the_line(users)

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    # The audit record comes after the history row: its failure takes the row and the status back with it.
    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        services.update_line(users["county"], line.pk, {"status": "stopped"}, "停产检修")
    line.refresh_from_db()
    assert line.status == "running" and LineStatusChange.objects.filter(line=line).count() == 1
    monkeypatch.undo()

    # And a failing history row leaves the status unchanged.
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("history store down")

    monkeypatch.setattr(services, "_record_status", refuse)
    with pytest.raises(RuntimeError):
        services.update_line(users["county"], line.pk, {"status": "stopped"}, "停产检修")
    line.refresh_from_db()
    assert line.status == "running" and LineStatusChange.objects.filter(line=line).count() == 1


def test_out_of_scope_users_cannot_read_the_history(users: dict[str, Any], client: Any) -> None:
    line = the_line(users)
    services.update_line(users["county"], line.pk, {"status": "backup"}, "转为备用")
    for name in ("other_county", "other_city", "other_enterprise_user"):
        with pytest.raises(NotFound):
            services.line_status_history(users[name], line.pk)
        client.force_login(users[name])
        page = client.get(f"/enterprises/{users['own_enterprise'].pk}/")
        assert page.status_code == 404 and "转为备用" not in page.content.decode()
    client.force_login(users["county"])
    page = client.get(f"/enterprises/{users['own_enterprise'].pk}/").content.decode()
    assert "运行状态记录" in page and "转为备用" in page and "备用" in page


def test_the_migration_seeds_one_record_per_existing_line(users: dict[str, Any]) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    lines = dict(ProductionLine.objects.values_list("pk", "status"))
    ProductionLine.objects.filter(pk=min(lines)).update(status="backup")
    lines[min(lines)] = "backup"
    executor = MigrationExecutor(connection)
    executor.migrate([("enterprises", "0006_readable_capacity")])
    executor.loader.build_graph()
    executor.migrate([("enterprises", "0007_line_status_history")])
    seeded = LineStatusChange.objects.select_related("line__site__enterprise")
    assert sorted((c.line_id, c.status) for c in seeded) == sorted(lines.items())
    assert all(c.since == c.line.site.enterprise.created_at and c.changed_by is None for c in seeded)
