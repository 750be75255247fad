"""Gate ledger (issue 11; REQ SJZ-5, SJZ-6, H23-6): idempotent ingest, flags that keep records, refusals by row and
field, the per-site hash chain that `airgrade gates verify` walks, and figures that feed grading."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.gates import services
from airgrade.platform.gates.models import LedgerHead, Passage

pytestmark = pytest.mark.django_db

BJ = dt.timezone(dt.timedelta(hours=8))
DAY = dt.datetime(2026, 5, 4, 8, 0, tzinfo=BJ)


def rec(seq: int, plate: str = "豫A12345", direction: str = "in", minutes: int = 0, **more: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "plate": plate,
        "direction": direction,
        "time": (DAY + dt.timedelta(minutes=minutes + seq)).isoformat(),
        **more,
    }


@pytest.fixture
def gate(users: dict[str, Any]) -> dict[str, Any]:
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


def test_ingest_is_idempotent_and_a_replay_changes_nothing(gate: dict[str, Any]) -> None:
    batch = [rec(1), rec(2, "豫A22222"), rec(3, "豫AD12345"), rec(4, direction="out")]
    first = services.ingest(gate["device"], batch)
    assert (first.accepted, first.duplicates) == (4, 0)
    head = LedgerHead.objects.get(site=gate["site"])
    again = services.ingest(gate["device"], batch)
    assert (again.accepted, again.duplicates) == (0, 4)
    assert Passage.objects.filter(site=gate["site"]).count() == 4
    assert LedgerHead.objects.get(site=gate["site"]).last_hash == head.last_hash
    assert services.verify(gate["site"]).ok


def test_malformed_records_are_refused_by_row_and_field_and_nothing_is_written(gate: dict[str, Any]) -> None:
    batch = [rec(1), {"seq": "x", "plate": "豫A12345", "direction": "in", "time": "2026-05-04T08:00"},
             rec(3, direction="sideways"), {"seq": 4, "plate": "豫A12345", "direction": "in", "time": "昨天"}]  # fmt: skip
    with pytest.raises(ServiceError) as refused:
        services.ingest(gate["device"], batch)
    where = {(e["row"], e["field"]) for e in refused.value.errors}
    assert where == {("2", "seq"), ("3", "direction"), ("4", "time")}
    assert "第 2 条" in refused.value.message
    assert Passage.objects.count() == 0


def test_a_reused_sequence_with_other_content_is_refused(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(1)])
    with pytest.raises(ServiceError) as refused:
        services.ingest(gate["device"], [rec(2), rec(1, "豫A22222")])
    assert "序号 1 已用于另一条记录" in refused.value.message
    assert Passage.objects.count() == 1


def test_suspicious_records_are_kept_and_flagged(gate: dict[str, Any]) -> None:
    now = dt.datetime(2026, 5, 4, 12, 0, tzinfo=BJ)
    batch = [
        rec(1, "豫B99999"),  # not on the register
        rec(2, "XY12"),  # impossible plate
        {**rec(3), "time": (now + dt.timedelta(hours=3)).isoformat()},  # beyond the clock tolerance
        rec(4, "豫A12345", stage="国三"),  # the gate reads 国三, the register says 国六
        rec(5, "豫A12345", stage="国六"),
    ]
    result = services.ingest(gate["device"], batch, now=now)
    assert result.accepted == 5 and result.flagged == 4
    flags = dict(Passage.objects.values_list("sequence", "flags"))
    assert flags[1] == ["unknown_plate"]
    assert set(flags[2]) == {"impossible_plate", "unknown_plate"}
    assert flags[3] == ["future_time"]
    assert flags[4] == ["stage_mismatch"]
    assert flags[5] == []
    # The register wins for the figures: record 4 counts as 国六.
    assert Passage.objects.get(sequence=4).stage == "国六"


def test_late_and_out_of_order_records_are_accepted_and_gaps_close(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(1), rec(2), rec(5)])
    report = services.verify(gate["site"])
    assert report.gaps == {"G1": [(3, 4)]}
    assert any("序号 3–4 缺失" in p.message for p in report.problems)
    services.ingest(gate["device"], [rec(4), rec(3)])
    assert services.verify(gate["site"]).ok


def test_corrections_are_new_records_and_the_model_refuses_edits(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(1, "豫A22222")])
    services.ingest(gate["device"], [rec(2, "豫A12345", corrects=1)])
    correction = Passage.objects.get(sequence=2)
    assert correction.corrects == 1
    original = Passage.objects.get(sequence=1)
    original.plate = "豫A12345"
    with pytest.raises(RuntimeError):
        original.save()
    with pytest.raises(RuntimeError):
        original.delete()
    assert services.verify(gate["site"]).ok


def test_verify_names_the_first_altered_record(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(n, "豫A22222" if n % 3 else "豫A12345") for n in range(1, 11)])
    assert services.verify(gate["site"]).ok
    # Someone with database access turns a 国四 truck into a 国六 one (the SJZ-5 case): the hash no longer matches.
    Passage.objects.filter(site=gate["site"], position=4).update(stage="国六")
    Passage.objects.filter(site=gate["site"], position=7).update(plate="豫A12345")
    report = services.verify(gate["site"])
    assert not report.ok
    assert report.first_problem is not None and report.first_problem.kind == "altered"
    assert report.first_problem.position == 4
    assert "第 4 条" in report.first_problem.message
    assert [p.position for p in report.problems if p.kind == "altered"] == [4, 7]


def test_verify_names_a_deleted_record_and_the_sequence_gap(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(n) for n in range(1, 9)])
    Passage.objects.filter(site=gate["site"], position=5).delete()  # a queryset delete bypasses the model's refusal
    report = services.verify(gate["site"])
    kinds = [(p.kind, p.position) for p in report.problems]
    assert kinds[0] == ("missing", 5)
    assert report.gaps == {"G1": [(5, 5)]}
    # A deleted tail: the head still counts it.
    Passage.objects.filter(site=gate["site"], position=8).delete()
    tail = services.verify(gate["site"])
    assert any(p.kind == "missing" and p.position == 8 for p in tail.problems)


def test_cli_verify_catches_an_altered_record_and_a_gap(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(n) for n in (1, 2, 3, 6)])
    runner = CliRunner()
    result = runner.invoke(app, ["gates", "verify", str(gate["site"].pk)])
    assert result.exit_code == 1, result.output
    assert "序号 4–5 缺失" in result.output
    services.ingest(gate["device"], [rec(4), rec(5)])
    assert runner.invoke(app, ["gates", "verify", str(gate["site"].pk)]).exit_code == 0
    Passage.objects.filter(site=gate["site"], position=2).update(direction="out")
    broken = runner.invoke(app, ["gates", "verify", str(gate["site"].pk)])
    assert broken.exit_code == 1
    assert "首个问题：台账第 2 条记录" in broken.output and "被篡改" in broken.output


def test_figures_come_from_the_ledger_with_the_rule_books_clean_stages(gate: dict[str, Any]) -> None:
    batch = [rec(1), rec(2, "豫A22222"), rec(3, "豫AD12345"), rec(4, "豫A12345"), rec(5, direction="out")]
    services.ingest(gate["device"], batch)
    figures = services.site_figures(gate["site"], dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert figures["trips"] == 4  # entries only
    assert figures["clean_share"] == 75.0  # 国六, 国六, 新能源 of 4; 国四 is not clean
    assert figures["worst_stage"] == "国四"
    assert figures["by_stage"] == {"国四": 1, "国六": 2, "新能源": 1}
    facts = services.grading_facts(gate["site"], dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert facts["facts"]["road_truck_clean_share"] == 75.0
    assert facts["source"].startswith("门禁台账 2026-05-01")


def test_registers_validate_stages_against_their_standard(gate: dict[str, Any]) -> None:
    site = gate["site"]
    with pytest.raises(ServiceError) as refused:
        services.save_vehicle(
            gate["enterprise"], site.pk, {"kind": "nonroad", "env_code": "HB123", "stage": "国六", "fuel": "diesel"}
        )
    assert refused.value.field == "stage" and "GB 20891" in refused.value.message
    services.save_vehicle(
        gate["enterprise"], site.pk, {"kind": "nonroad", "env_code": "HB123", "stage": "国三", "fuel": "diesel"}
    )
    with pytest.raises(ServiceError):
        services.save_vehicle(
            gate["enterprise"], site.pk, {"kind": "road", "plate": "ABC", "stage": "国五", "fuel": "diesel"}
        )


def test_only_the_sites_own_people_reach_its_ledger(gate: dict[str, Any]) -> None:
    site = gate["site"]
    for outsider in ("other_enterprise_user", "other_county", "other_city", "expert"):
        with pytest.raises((NotFound, ServiceError)):
            services.get_site(gate[outsider], site.pk)
    with pytest.raises(NotFound):
        services.register_device(gate["other_enterprise_user"], site.pk, {"code": "X", "entrance": "西门"})
    assert services.get_site(gate["county"], site.pk) == site


def test_a_revoked_device_writes_nothing(gate: dict[str, Any]) -> None:
    services.revoke_device(gate["enterprise"], gate["device"].pk)
    assert services.device_for_token(gate["token"]) is None
    gate["device"].refresh_from_db()
    with pytest.raises(ServiceError):
        services.ingest(gate["device"], [rec(1)])


def test_an_inspection_sample_is_reproducible_and_recorded(gate: dict[str, Any]) -> None:
    services.ingest(gate["device"], [rec(n) for n in range(1, 41)])
    first = services.draw_sample(gate["county"], gate["site"].pk, 7, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    again = services.draw_sample(gate["county"], gate["site"].pk, 7, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert first.record_ids == again.record_ids and len(first.record_ids) == 10  # the rule book's 5–10
    other = services.draw_sample(gate["county"], gate["site"].pk, 8, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert other.record_ids != first.record_ids
    with pytest.raises(ServiceError):  # the enterprise does not inspect itself
        services.draw_sample(gate["enterprise"], gate["site"].pk, 7, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
