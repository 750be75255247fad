"""Gate-file uploads through the background jobs (issue 11 §2): a dry run reports what would be written and every
refused record by file, record, field and reason, writing nothing; the commit writes the whole file or nothing; both
are scoped to the site."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.gates import services, uploads
from airgrade.platform.gates.models import Passage
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job
from airgrade.platform.workbooks import services as workbooks

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "序号,车牌号,方向,通行时间\n"


def _csv(rows: list[tuple[int, str, str, str]]) -> bytes:
    return (HEADER + "".join(f"{seq},{plate},{way},{time}\n" for seq, plate, way, time in rows)).encode("utf-8")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gate(users: dict[str, Any]) -> dict[str, Any]:
    site = users["own_enterprise"].sites.get()
    services.save_vehicle(
        users["enterprise"], site.pk, {"kind": "road", "plate": "豫A12345", "stage": "国六", "fuel": "diesel"}
    )
    device, _ = services.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    return {**users, "site": site, "device": device}


def _dry(user: Any, site_id: int, data: bytes, name: str = "gate.csv") -> Job:
    return jobs.execute(uploads.start_upload(user, site_id, "G1", name, data, enqueue=False).pk)


def test_a_dry_run_writes_nothing_and_the_commit_writes_the_file(gate: dict[str, Any]) -> None:
    data = _csv([(1, "豫A12345", "进", "2026-05-04 08:00"), (2, "豫A12345", "出", "2026-05-04 09:00")])
    dry = _dry(gate["enterprise"], gate["site"].pk, data)
    assert dry.state == Job.State.SUCCEEDED, dry.message
    assert dry.report["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "refused": 0}
    assert Passage.objects.count() == 0
    page = _client(gate["enterprise"]).get(f"/jobs/{dry.pk}/").content.decode()
    assert "预检结果（尚未写入）" in page and "提交导入" in page and "返回门禁台账" in page
    committed = jobs.execute(workbooks.commit_import(gate["enterprise"], dry.pk, enqueue=False).pk)
    assert committed.state == Job.State.SUCCEEDED and committed.report["committed"]
    assert Passage.objects.filter(site=gate["site"]).count() == 2 and services.verify(gate["site"]).ok
    with pytest.raises(ServiceError, match="已提交导入"):
        workbooks.commit_import(gate["enterprise"], dry.pk, enqueue=False)
    again = _dry(gate["enterprise"], gate["site"].pk, data)
    assert again.report["counts"]["unchanged"] == 2 and again.report["counts"]["new"] == 0


def test_refused_records_are_named_by_file_record_field_and_reason(gate: dict[str, Any]) -> None:
    data = _csv([(1, "豫A12345", "进", "2026-05-04 08:00"), (2, "豫A12345", "sideways", "2026-05-04 09:00"),
                 (3, "豫A12345", "进", "昨天")])  # fmt: skip
    dry = _dry(gate["county"], gate["site"].pk, data, "东门导出.csv")
    assert dry.state == Job.State.SUCCEEDED
    where = {(e["sheet"], e["row"], e["column"]) for e in dry.report["errors"]}
    assert where == {("东门导出.csv", 2, "方向"), ("东门导出.csv", 3, "通行时间")}
    assert all(e["reason"] for e in dry.report["errors"]) and dry.report["counts"]["refused"] == 2
    assert Passage.objects.count() == 0
    with pytest.raises(ServiceError, match="预检发现错误"):
        workbooks.commit_import(gate["county"], dry.pk, enqueue=False)


def test_the_commit_is_all_or_nothing_across_batches(gate: dict[str, Any]) -> None:
    size = services.MAX_BATCH + 10
    rows = [
        (n, "豫A12345", "进", f"2026-05-{1 + n // 1440:02d} {n % 1440 // 60:02d}:{n % 60:02d}") for n in range(size)
    ]
    dry = _dry(gate["enterprise"], gate["site"].pk, _csv(rows))
    assert dry.report["counts"]["new"] == size and Passage.objects.count() == 0
    # Between the dry run and the commit the gate itself sends sequence 5005 with other content: the second batch of
    # the file is refused, and the first one, already written in the same transaction, goes with it.
    services.ingest(gate["device"], [{"seq": 5005, "plate": "豫A99999", "direction": "in", "time": "2026-05-03"}])
    committed = jobs.execute(workbooks.commit_import(gate["enterprise"], dry.pk, enqueue=False).pk)
    assert committed.state == Job.State.FAILED and "整个文件未写入" in committed.message
    assert Passage.objects.count() == 1


def test_uploads_are_scoped_to_the_site(gate: dict[str, Any]) -> None:
    data = _csv([(1, "豫A12345", "进", "2026-05-04 08:00")])
    with pytest.raises(NotFound):
        uploads.start_upload(gate["other_county"], gate["site"].pk, "G1", "gate.csv", data, enqueue=False)
    with pytest.raises(NotFound):
        uploads.start_upload(gate["other_enterprise_user"], gate["site"].pk, "G1", "gate.csv", data, enqueue=False)
    with pytest.raises(ServiceError, match="没有编号为 G9"):
        uploads.start_upload(gate["enterprise"], gate["site"].pk, "G9", "gate.csv", data, enqueue=False)
    post = {"op": "upload", "device": "G1"}
    assert _client(gate["other_county"]).post(f"/gates/sites/{gate['site'].pk}/act/", post).status_code == 404
    job = uploads.start_upload(gate["county"], gate["site"].pk, "G1", "gate.csv", data, enqueue=False)
    assert _client(gate["other_county"]).get(f"/jobs/{job.pk}/").status_code == 404
    services.revoke_device(gate["enterprise"], gate["device"].pk)
    with pytest.raises(ServiceError, match="已吊销"):
        uploads.start_upload(gate["enterprise"], gate["site"].pk, "G1", "gate.csv", data, enqueue=False)
    # A job queued before the revocation is refused when it runs: nothing is written.
    assert jobs.execute(job.pk).state == Job.State.FAILED and Passage.objects.count() == 0


def test_a_csv_with_lone_carriage_returns_or_an_oversized_cell_never_raises_a_traceback() -> None:
    from airgrade.platform.errors import ServiceError
    from airgrade.platform.gates import files as gate_files

    header = "seq,plate,direction,time"
    table = gate_files.read_table("mac.csv", f"{header}\r1,京A12345,in,2026-11-01T08:00:00+08:00\r".encode())
    assert table.records == [{"seq": "1", "plate": "京A12345", "direction": "in", "time": "2026-11-01T08:00:00+08:00"}]
    with pytest.raises(ServiceError, match="第 2 行无法按 CSV 读取"):
        gate_files.read_table("big.csv", f"{header}\n1,{'x' * 200_000},in,2026-11-01T08:00:00+08:00\n".encode())
