"""The audit log is append-only and hash-chained; `airgrade audit verify` finds the first broken link."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.platform.audit import services
from airgrade.platform.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_chain_verifies_then_detects_an_altered_row(users: dict[str, Any]) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "审计链完整" in ok.output
    records = list(AuditRecord.objects.order_by("id"))
    assert len(records) > 5
    target = records[3]
    # Tamper the way an attacker with database access would: bypass the model and update the row.
    AuditRecord.objects.filter(pk=target.pk).update(reason="被篡改的原因")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"记录 {target.pk}" in broken.output and "篡改" in broken.output
    assert services.verify().first_broken_id == target.pk


def test_deleted_row_breaks_the_link(users: dict[str, Any]) -> None:
    records = list(AuditRecord.objects.order_by("id"))
    AuditRecord.objects.filter(pk=records[2].pk).delete()  # queryset delete bypasses the model guard
    report = services.verify()
    assert report.first_broken_id == records[3].pk and "链条断开" in report.problem


def test_records_cannot_be_changed_through_the_model(users: dict[str, Any]) -> None:
    record = AuditRecord.objects.first()
    record.reason = "x"
    with pytest.raises(RuntimeError):
        record.save()
    with pytest.raises(RuntimeError):
        record.delete()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        services.record(actor=None, action="x", object_type="t", object_id="1")


def test_every_audited_action_has_a_chinese_name() -> None:
    """Scan the services for audited action codes: each one must read as Chinese on the pages."""
    import re
    from pathlib import Path

    import airgrade.platform
    from airgrade.platform.audit.labels import action_label

    root = Path(airgrade.platform.__file__).parent
    codes = set()
    for path in root.rglob("*.py"):
        codes |= set(re.findall(r'action="([a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert len(codes) > 30
    unnamed = sorted(code for code in codes if action_label(code) == code)
    assert unnamed == []
