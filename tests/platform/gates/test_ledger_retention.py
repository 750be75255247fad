"""Gate ledger bulk path and retention (issue 11 §2, §3, §7; REQ SJZ-5): a whole file checked before anything is
written, the hash format kept, daily counts from one upsert, and archiving records older than the retention out of
the live table with a checkpoint that `verify` continues from — an altered archived or live record is still caught,
nothing leaves without an archive record, a re-run adds nothing, and expired video references are kept."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from tests.platform.gates.test_ledger import rec
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.core import gates as core
from airgrade.core.hashchain import GENESIS, link_hash
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.errors import ServiceError
from airgrade.platform.gates import services
from airgrade.platform.gates.models import (
    DailyCount,
    LedgerArchive,
    LedgerHead,
    Passage,
    PassageArchive,
    VideoReference,
)

pytestmark = pytest.mark.django_db(transaction=True)

BJ = dt.timezone(dt.timedelta(hours=8))
# Two years and a month after the test records (2026-05-04 …): the ledger retention (24 months) has passed for May.
LATER = dt.datetime(2028, 6, 10, 12, 0, tzinfo=BJ)


def month(seq: int, month_number: int, plate: str = "豫A12345") -> dict[str, Any]:
    return {"seq": seq, "plate": plate, "direction": "in", "time": f"2026-{month_number:02d}-04T08:{seq % 60:02d}:00"}


@pytest.fixture
def gate(users: dict[str, Any]) -> dict[str, Any]:
    """test_ledger's site: three registered trucks (国六, 国四, 新能源) and device G1."""
    site = users["own_enterprise"].sites.get()
    for plate, stage, fuel in (
        ("豫A12345", "国六", "diesel"),
        ("豫A22222", "国四", "diesel"),
        ("豫AD12345", "新能源", "electric"),
    ):
        services.save_vehicle(
            users["enterprise"], site.pk, {"kind": "road", "plate": plate, "stage": stage, "fuel": fuel}
        )
    device, token = services.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    return {**users, "site": site, "device": device, "token": token}


# ---------------------------------------------------------------------------------------------- bulk path


def test_a_file_is_checked_whole_and_nothing_is_written_on_any_bad_row(gate: dict[str, Any]) -> None:
    records = [rec(n) for n in range(1, 7001)]
    records[6500] = {**records[6500], "direction": "sideways"}
    records[20] = {**records[20], "time": "yesterday"}
    with pytest.raises(ServiceError) as refused:
        services.ingest_file(gate["device"], records, source="gate.csv ")
    assert {(e["row"], e["field"]) for e in refused.value.errors} == {("21", "time"), ("6501", "direction")}
    assert "gate.csv 第 21 条" in str(refused.value)
    assert not Passage.objects.filter(site=gate["site"]).exists()


def test_the_bulk_path_writes_a_file_in_one_transaction_with_one_audit_record(gate: dict[str, Any]) -> None:
    audits = AuditRecord.objects.filter(action="gates.ingest").count()
    records = [rec(n, "豫A22222" if n % 4 else "豫A99999") for n in range(1, 12_001)]
    result = services.ingest_file(gate["device"], records, actor="命令行导入")
    assert (result.accepted, result.first_position, result.last_position) == (12_000, 1, 12_000)
    assert result.flagged == 3000  # the unregistered plate, kept and flagged
    assert AuditRecord.objects.filter(action="gates.ingest").count() == audits + 1
    head = LedgerHead.objects.get(site=gate["site"])
    assert head.count == 12_000 and head.last_hash == result.head
    again = services.ingest_file(gate["device"], records)
    assert (again.accepted, again.duplicates) == (0, 12_000)
    assert services.verify(gate["site"]).ok


def test_records_keep_the_hash_format_existing_ledgers_were_written_with(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(1, tonnage="12.345678", cargo='煤"\\\t'), rec(2, "豫A99999", stage="国三")])
    previous = GENESIS
    for passage in Passage.objects.filter(site=gate["site"]).order_by("position"):
        content = core.record_content(
            device="G1", sequence=passage.sequence, plate=passage.plate, plate_colour=passage.plate_colour,
            direction=passage.direction, passed_at=passage.passed_at, lane=passage.lane,
            photo_hash=passage.photo_hash, recognised_stage=passage.recognised_stage, stage=passage.stage,
            fuel=passage.fuel, kind=passage.kind, cargo=passage.cargo, tonnage=passage.tonnage,
            allowed=passage.allowed, flags=passage.flags, corrects=passage.corrects, position=passage.position,
        )  # fmt: skip
        assert passage.previous_hash == previous
        assert passage.record_hash == link_hash(previous, content)  # the audit log's construction, unchanged
        previous = passage.record_hash
    assert Passage.objects.get(sequence=1).cargo == '煤"\\'  # stripped text survives COPY's escaping
    assert Passage.objects.get(sequence=2).flags == ["unknown_plate"]


def test_daily_counts_add_up_across_batches_in_one_upsert(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(n) for n in range(1, 4)])
    services.ingest(gate["device"], [rec(n) for n in range(4, 6)] + [rec(6, result="refused")])
    rows = DailyCount.objects.filter(site=gate["site"], day=dt.date(2026, 5, 4), kind="road", direction="in")
    assert [(row.stage, row.fuel, row.count) for row in rows] == [("国六", "diesel", 5)]  # the refused truck: no


# ---------------------------------------------------------------------------------------------- retention


@pytest.fixture
def aged(gate: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """A ledger with May and June 2026 records, a late May record that arrives after June ones, and July."""
    device = gate["device"]
    services.ingest(device, [month(n, 5) for n in range(1, 11)])  # positions 1–10: May
    services.ingest(device, [month(n, 6) for n in range(11, 16)])  # 11–15: June
    services.ingest(device, [month(16, 5)])  # 16: a late May record, after June ones in the chain
    services.ingest(device, [month(n, 7) for n in range(17, 20)])  # 17–19: July
    return {**gate, "dir": tmp_path}


def live_positions(site: Any) -> list[int]:
    return list(Passage.objects.filter(site=site).order_by("position").values_list("position", flat=True))


def test_archiving_moves_the_old_prefix_and_verify_continues_from_the_checkpoint(aged: dict[str, Any]) -> None:
    site = aged["site"]
    before = AuditRecord.objects.filter(action="gates.archive").count()
    result = services.archive(site, before=dt.date(2026, 6, 1), now=LATER, directory=aged["dir"])
    # Only the prefix 1–10 is older than June; the late May record (16) waits behind June's in the chain.
    assert (result.archived, result.first_position, result.last_position) == (10, 1, 10)
    assert live_positions(site) == list(range(11, 20))
    archived = PassageArchive.objects.filter(site=site).order_by("position")
    assert [p.position for p in archived] == list(range(1, 11))
    record = LedgerArchive.objects.get(site=site)
    assert record.count == 10 and record.boundary_hash == archived.last().record_hash == result.boundary_hash
    head = LedgerHead.objects.get(site=site)
    assert (head.base_position, head.base_hash, head.count) == (10, result.boundary_hash, 19)
    assert AuditRecord.objects.filter(action="gates.archive").count() == before + 1
    # The exported file holds every record with its hashes, and its SHA-256 is recorded.
    with gzip.open(result.file, "rt", encoding="utf-8") as exported:
        lines = [json.loads(line) for line in exported]
    assert lines[0]["format"].startswith("airgrade-gate-ledger-archive") and lines[0]["start_hash"] == GENESIS
    assert [line["position"] for line in lines[1:]] == list(range(1, 11))
    assert lines[-1]["record_hash"] == result.boundary_hash and lines[1]["device"] == "G1"
    report = services.verify(site)
    assert report.ok, report.problems
    assert report.checked == 19  # archived and live records, one chain


def test_an_altered_archived_record_and_an_altered_live_record_are_still_caught(aged: dict[str, Any]) -> None:
    site = aged["site"]
    services.archive(site, before=dt.date(2026, 6, 1), now=LATER, directory=aged["dir"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {PassageArchive._meta.db_table} SET stage = '国六', plate = '豫A22222' WHERE position = 3"
        )
    report = services.verify(site)
    assert [(p.kind, p.position) for p in report.problems] == [("altered", 3)]
    assert "归档台账第 3 条" in report.problems[0].message
    Passage.objects.filter(site=site, position=12).update(direction="out")
    assert [(p.kind, p.position) for p in services.verify(site).problems] == [("altered", 3), ("altered", 12)]


def test_a_rewritten_archive_chain_or_a_deleted_archived_record_breaks_the_checkpoint(aged: dict[str, Any]) -> None:
    site = aged["site"]
    services.archive(site, before=dt.date(2026, 6, 1), now=LATER, directory=aged["dir"])
    table = PassageArchive._meta.db_table
    with connection.cursor() as cursor:  # the last archived record replaced by a consistent forgery
        cursor.execute(f"UPDATE {table} SET record_hash = %s WHERE position = 10", ["f" * 64])
    assert {p.kind for p in services.verify(site).problems} >= {"altered", "checkpoint"}
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE position = 4")
    kinds = [(p.kind, p.position) for p in services.verify(site).problems]
    assert ("missing", 4) in kinds


def test_nothing_leaves_the_live_table_without_an_archive_record(aged: dict[str, Any]) -> None:
    site = aged["site"]
    # A tampered ledger is not archived (that would launder the evidence): refused, nothing moved, no file kept.
    Passage.objects.filter(site=site, position=5).update(plate="豫A22222")
    with pytest.raises(ServiceError, match="核验未通过"):
        services.archive(site, before=dt.date(2026, 6, 1), now=LATER, directory=aged["dir"])
    assert live_positions(site) == list(range(1, 20))
    assert not PassageArchive.objects.exists() and not LedgerArchive.objects.exists()
    assert not list(aged["dir"].rglob("*.gz"))


def test_a_re_run_archives_nothing_and_the_retention_is_a_floor(aged: dict[str, Any]) -> None:
    site = aged["site"]
    first = services.archive(site, before=dt.date(2026, 6, 1), now=LATER, directory=aged["dir"])
    audits = AuditRecord.objects.filter(action="gates.archive").count()
    again = services.archive(site, before=dt.date(2026, 6, 1), now=LATER, directory=aged["dir"])
    assert again.archived == 0 and LedgerArchive.objects.count() == 1
    assert AuditRecord.objects.filter(action="gates.archive").count() == audits
    assert LedgerHead.objects.get(site=site).base_hash == first.boundary_hash
    # Less than 24 months (the rule data's ledger_retention) may never be archived.
    with pytest.raises(ServiceError, match="24 个月"):
        services.archive(site, before=dt.date(2026, 7, 1), now=dt.datetime(2028, 5, 1, tzinfo=BJ))
    # The default cut is today minus the retention: 2028-06-10 → 2026-06-10 takes June's records and the late May one.
    later = services.archive(site, now=LATER, directory=aged["dir"])
    assert (later.first_position, later.last_position) == (11, 16)
    assert live_positions(site) == [17, 18, 19]
    assert services.verify(site).ok
    # New records after an archive run chain on as before.
    services.ingest(aged["device"], [month(20, 8)])
    assert services.verify(site).ok and LedgerHead.objects.get(site=site).count == 20


def test_video_references_past_their_retention_are_marked_expired_never_deleted(aged: dict[str, Any]) -> None:
    site = aged["site"]
    old = services.record_video(
        site,
        {"place": "1 号装车点", "uri": "nvr://1/2027-05-01", "sha256": "a" * 64,
         "started_at": dt.datetime(2027, 5, 1, 8, tzinfo=BJ), "ended_at": dt.datetime(2027, 5, 1, 9, tzinfo=BJ)},
    )  # fmt: skip
    recent = services.record_video(
        site,
        {"place": "1 号装车点", "uri": "nvr://1/2027-07-01",
         "started_at": dt.datetime(2027, 7, 1, 8, tzinfo=BJ), "ended_at": dt.datetime(2027, 7, 1, 9, tzinfo=BJ)},
    )  # fmt: skip
    result = services.archive(site, now=LATER, directory=aged["dir"])  # video retention 12 months → before 2027-06-10
    assert result.videos_expired == 1
    assert VideoReference.objects.count() == 2
    assert VideoReference.objects.get(pk=old.pk).expired_at is not None
    assert VideoReference.objects.get(pk=recent.pk).expired_at is None
    assert services.archive(site, now=LATER, directory=aged["dir"]).videos_expired == 0
    with pytest.raises(ServiceError):
        services.record_video(site, {"uri": "x", "started_at": LATER, "ended_at": LATER - dt.timedelta(hours=1)})


def test_cli_archive_and_verify(aged: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: LATER)
    runner = CliRunner()
    result = runner.invoke(
        app, ["gates", "archive", "--site", str(aged["site"].pk), "--before", "2026-06-01", "--to", str(aged["dir"])]
    )
    assert result.exit_code == 0, result.output
    assert "归档第 1–10 条共 10 条" in result.output
    assert runner.invoke(app, ["gates", "verify", str(aged["site"].pk)]).exit_code == 0
    again = runner.invoke(app, ["gates", "archive", "--before", "2026-06-01", "--to", str(aged["dir"])])
    assert again.exit_code == 0 and "没有早于 2026-06-01 的记录可归档" in again.output
    bad = runner.invoke(app, ["gates", "archive", "--before", "2027-01-01"])
    assert bad.exit_code == 1 and "24 个月" in bad.output


def test_an_exported_archive_file_verifies_on_its_own_and_a_changed_file_is_caught(aged: dict[str, Any]) -> None:
    result = services.archive(aged["site"], before=dt.date(2026, 6, 1), now=LATER, directory=aged["dir"])
    report = services.verify_archive_file(Path(result.file))
    assert report.ok and report.checked == 10, report.problems
    runner = CliRunner()
    assert runner.invoke(app, ["gates", "verify-archive", result.file]).exit_code == 0
    # Someone rewrites a record in the exported copy: its hash no longer matches, and the file's SHA-256 neither.
    with gzip.open(result.file, "rt", encoding="utf-8") as exported:
        lines = exported.read().splitlines()
    record = json.loads(lines[4])
    record["plate"] = "豫A22222"
    lines[4] = json.dumps(record, ensure_ascii=False)
    forged = aged["dir"] / "forged.jsonl.gz"
    with gzip.open(forged, "wt", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    Path(result.file).write_bytes(forged.read_bytes())
    kinds = [(p.kind, p.position) for p in services.verify_archive_file(Path(result.file)).problems]
    assert ("altered", 4) in kinds and ("file", None) in kinds
    broken = runner.invoke(app, ["gates", "verify-archive", result.file])
    assert broken.exit_code == 1 and "归档文件第 4 条" in broken.output
    assert services.verify_archive_file(aged["dir"] / "missing.jsonl.gz").problems[0].kind == "unreadable"
