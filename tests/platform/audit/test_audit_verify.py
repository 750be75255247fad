"""Audit verification (issue 8, defect 8): no false alarm while writes land during the walk; users are deactivated,
never deleted, so their records keep verifying; every break is reported; checkpoints kept outside the database catch
a truncated tail with a reset head and a rewrite that recomputed every later hash."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.platform.accounts.models import User
from airgrade.platform.audit import services
from airgrade.platform.audit.models import AuditChainHead, AuditRecord
from airgrade.platform.errors import ServiceError


def _append(label: str) -> None:
    with transaction.atomic():
        services.record(actor=None, action="user.create", object_type="test", object_id=label)


@pytest.mark.django_db(transaction=True)
def test_no_false_alarm_when_a_write_lands_during_the_walk(regions: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(5):
        _append(f"before-{n}")
    original = services.link_hash
    fired: list[bool] = []

    def digest_then_write(previous: str, record: dict[str, Any]) -> str:
        if not fired:
            fired.append(True)
            # Another request appends (and commits) while verify is half-way through its walk.
            writer = threading.Thread(target=lambda: (_append("during"), connection.close()))
            writer.start()
            writer.join()
        return original(previous, record)

    monkeypatch.setattr(services, "link_hash", digest_then_write)
    report = services.verify()
    assert fired and report.ok, report.problem
    monkeypatch.undo()
    assert services.verify().checked == 6


@pytest.mark.django_db
def test_users_are_deactivated_never_deleted(users: dict[str, Any]) -> None:
    county = users["county"]
    with transaction.atomic():
        services.record(actor=county, action="user.create", object_type="test", object_id="acted")
    with pytest.raises(ServiceError, match="只能停用"):
        county.delete()
    with pytest.raises(ProtectedError):  # even a bulk delete that skips User.delete()
        User.objects.filter(pk=county.pk).delete()
    assert AuditRecord.objects.filter(actor=county).exists()
    assert services.verify().ok


@pytest.mark.django_db
def test_the_admin_offers_no_user_delete(users: dict[str, Any]) -> None:
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_staff=True, is_superuser=True)
    user_admin = admin.site._registry[User]
    assert not user_admin.has_delete_permission(request, users["county"])
    assert "delete_selected" not in (user_admin.get_actions(request) or {})


@pytest.mark.django_db
def test_verify_reports_every_break(users: dict[str, Any]) -> None:
    records = list(AuditRecord.objects.order_by("id"))
    assert len(records) > 8
    AuditRecord.objects.filter(pk=records[2].pk).update(reason="改1")
    AuditRecord.objects.filter(pk=records[5].pk).delete()
    AuditRecord.objects.filter(pk=records[7].pk).update(object_label="改2")
    report = services.verify()
    assert [b.record_id for b in report.breaks] == [records[2].pk, records[6].pk, records[7].pk]
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "发现 3 处问题" in result.output
    for record_id in (records[2].pk, records[6].pk, records[7].pk):
        assert f"记录 {record_id}" in result.output


def _rewrite_from(start: int) -> None:
    """What an attacker with database access does: change a record and recompute every later hash and the head."""
    previous = services.GENESIS
    for rec in AuditRecord.objects.order_by("id"):
        if rec.pk >= start:
            if rec.pk == start:
                rec.reason = "改写"
            digest = services.link_hash(previous, services._hashed_fields(rec))
            AuditRecord.objects.filter(pk=rec.pk).update(reason=rec.reason, previous_hash=previous, record_hash=digest)
            previous = digest
        else:
            previous = rec.record_hash
    AuditChainHead.objects.filter(id=1).update(last_hash=previous)


@pytest.mark.django_db
def test_checkpoint_detects_a_truncated_tail_with_a_reset_head(users: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "checkpoint.json"
    made = CliRunner().invoke(app, ["audit", "checkpoint", "-o", str(target)])
    assert made.exit_code == 0, made.output
    point = json.loads(target.read_text(encoding="utf-8"))
    assert point["count"] == AuditRecord.objects.count() and point["head_hash"] in made.output
    _append("after-checkpoint")
    ok = CliRunner().invoke(app, ["audit", "verify", "--checkpoint", str(target)])
    assert ok.exit_code == 0 and "从检查点" in ok.output, ok.output
    # Truncate the last three records and point the head at the new last one: the chain alone still verifies.
    last = list(AuditRecord.objects.order_by("-id")[:4])
    AuditRecord.objects.filter(pk__in=[r.pk for r in last[:3]]).delete()
    AuditChainHead.objects.filter(id=1).update(last_hash=last[3].record_hash)
    assert services.verify().ok
    caught = CliRunner().invoke(app, ["audit", "verify", "--checkpoint", str(target)])
    assert caught.exit_code == 1 and "少于检查点" in caught.output, caught.output


@pytest.mark.django_db
def test_checkpoint_detects_a_rewrite_that_recomputed_every_later_hash(users: dict[str, Any], tmp_path: Path) -> None:
    point = services.checkpoint()
    target = tmp_path / "checkpoint.json"
    target.write_text(json.dumps(point.as_dict()), encoding="utf-8")
    records = list(AuditRecord.objects.order_by("id"))
    _rewrite_from(records[3].pk)
    assert services.verify().ok  # without the checkpoint the rewrite is invisible
    caught = CliRunner().invoke(app, ["audit", "verify", "--checkpoint", str(target)])
    assert caught.exit_code == 1 and "与检查点不符" in caught.output, caught.output


@pytest.mark.django_db
def test_a_bad_checkpoint_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe not json")
    result = CliRunner().invoke(app, ["audit", "verify", "--checkpoint", str(bad)])
    assert result.exit_code == 2 and "无法读取检查点" in result.output and "Traceback" not in result.output
    bad.write_text('{"count": 3}', encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", "verify", "--checkpoint", str(bad)])
    assert result.exit_code == 2 and "head_hash" in result.output
