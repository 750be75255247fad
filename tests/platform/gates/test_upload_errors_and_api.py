"""Gate-file uploads (issue 11 §2): a refused dry run offers an error workbook of exactly the refused rows in the
file's own columns with a 错误原因 column (field and reason), downloadable only in scope; and the upload API starts
the same background job for a user who may ingest for the site, with the job's status in scope only."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from airgrade.platform.gates import services, uploads
from airgrade.platform.gates.models import Passage
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job
from airgrade.platform.workbooks import services as workbooks

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = "1,豫A12345,进,2026-05-04 08:00,1号道\n"
BAD_FILE = (
    "序号,车牌号,方向,通行时间,车道\n"
    + GOOD
    + "2,豫A12345,sideways,2026-05-04 09:00,1号道\n"
    + "3,豫A12345,出,2026-05-04 10:00,2号道\n"
    + "4,豫A12345,进,昨天,2号道\n"
).encode()


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


def _sheet(data: bytes) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_two_bad_rows_give_a_workbook_of_exactly_those_rows_and_reasons(gate: dict[str, Any]) -> None:
    dry = jobs.execute(
        uploads.start_upload(gate["enterprise"], gate["site"].pk, "G1", "东门.csv", BAD_FILE, enqueue=False).pk
    )
    assert dry.state == Job.State.SUCCEEDED and dry.report["error_total"] == 2
    page = _client(gate["enterprise"]).get(f"/jobs/{dry.pk}/").content.decode()
    assert "download-errors" in page and "错误原因" in page
    answer = _client(gate["enterprise"]).get(f"/jobs/{dry.pk}/result")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    rows = _sheet(answer.content)
    assert rows[0] == ("行号", "序号", "车牌号", "方向", "通行时间", "车道", "错误原因")
    assert [row[:6] for row in rows[1:]] == [
        (2, "2", "豫A12345", "sideways", "2026-05-04 09:00", "1号道"),
        (4, "4", "豫A12345", "进", "昨天", "2号道"),
    ]
    assert rows[1][6].startswith("“方向”（sideways）：方向须为") and "通行时间" not in rows[1][6]
    assert rows[2][6].startswith("“通行时间”（昨天）：时间缺失或格式不对")
    assert Passage.objects.count() == 0
    # The API gives the same file to the same people.
    assert _client(gate["enterprise"]).get(f"/api/jobs/{dry.pk}/result").content == answer.content


def test_an_xlsx_file_keeps_its_own_headers_in_the_error_workbook(gate: dict[str, Any]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["seq", "plate", "direction", "time", "stage"])
    sheet.append([1, "豫A12345", "in", "2026-05-04T08:00:00", "国六"])
    sheet.append([2, "豫A12345", "in", "2026-05-04T09:00:00", "国九"])
    buffer = io.BytesIO()
    book.save(buffer)
    dry = jobs.execute(
        uploads.start_upload(gate["county"], gate["site"].pk, "G1", "g.xlsx", buffer.getvalue(), enqueue=False).pk
    )
    rows = _sheet(bytes(Job.objects.get(pk=dry.pk).result_data))
    assert rows[0] == ("行号", "seq", "plate", "direction", "time", "stage", "错误原因")
    assert len(rows) == 2 and rows[1][0] == 2 and rows[1][5] == "国九" and "“排放阶段”（国九）" in rows[1][6]


def test_a_clean_dry_run_has_no_workbook(gate: dict[str, Any]) -> None:
    data = ("序号,车牌号,方向,通行时间,车道\n" + GOOD).encode()
    dry = jobs.execute(uploads.start_upload(gate["enterprise"], gate["site"].pk, "G1", "g.csv", data, enqueue=False).pk)
    assert dry.state == Job.State.SUCCEEDED and not dry.result_data
    assert _client(gate["enterprise"]).get(f"/jobs/{dry.pk}/result").status_code == 404


def test_another_enterprise_or_region_cannot_download_the_workbook(gate: dict[str, Any]) -> None:
    dry = jobs.execute(
        uploads.start_upload(gate["county"], gate["site"].pk, "G1", "东门.csv", BAD_FILE, enqueue=False).pk
    )
    assert dry.result_data
    for user in ("other_enterprise_user", "other_county", "other_city", "expert"):
        assert _client(gate[user]).get(f"/jobs/{dry.pk}/result").status_code == 404, user
        assert _client(gate[user]).get(f"/api/jobs/{dry.pk}/result").status_code == 404, user
        assert _client(gate[user]).get(f"/api/gates/uploads/{dry.pk}").status_code == 404, user
    for user in ("county", "city", "province"):  # the owner and the region above it
        assert _client(gate[user]).get(f"/jobs/{dry.pk}/result").status_code == 200, user
    assert Client().get(f"/jobs/{dry.pk}/result").status_code == 302  # to the login page


def _work() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def _upload(user: Any, site_id: int, data: bytes = BAD_FILE, device: str = "G1", name: str = "门.csv") -> Any:
    return _client(user).post(
        f"/api/gates/sites/{site_id}/uploads", {"device": device, "file": SimpleUploadedFile(name, data)}
    )


def test_the_upload_api_starts_the_dry_run_and_reports_its_status(gate: dict[str, Any]) -> None:
    clean = ("序号,车牌号,方向,通行时间\n1,豫A12345,进,2026-05-04 08:00\n2,豫A12345,出,2026-05-04 09:00\n").encode()
    for user in ("enterprise", "county"):
        answer = _upload(gate[user], gate["site"].pk, clean)
        assert answer.status_code == 200, answer.content
        job_id = answer.json()["id"]
        assert answer.json()["kind"] == uploads.KIND and answer.json()["state"] == "queued"
        _work()
        status = _client(gate[user]).get(f"/api/gates/uploads/{job_id}")
        assert status.status_code == 200 and status.json()["state"] == "succeeded", status.content
        assert status.json()["report"]["counts"]["new"] == 2 and not status.json()["has_result"]
    assert Passage.objects.count() == 0  # dry runs only
    committed = workbooks.commit_import(gate["county"], job_id)
    _work()
    assert _client(gate["county"]).get(f"/api/gates/uploads/{committed.pk}").json()["report"]["committed"]
    assert Passage.objects.count() == 2
    refused = _upload(gate["enterprise"], gate["site"].pk)
    _work()
    body = _client(gate["enterprise"]).get(f"/api/gates/uploads/{refused.json()['id']}").json()
    assert body["report"]["error_total"] == 2 and body["has_result"]
    assert {(e["row"], e["column"]) for e in body["report"]["errors"]} == {(2, "方向"), (4, "通行时间")}


def test_the_upload_api_refuses_out_of_scope_callers_and_bad_input(gate: dict[str, Any]) -> None:
    site_id = gate["site"].pk
    for user in ("other_enterprise_user", "other_county", "other_city", "expert"):
        assert _upload(gate[user], site_id).status_code == 404, user
    # The city and the province see the site but do not ingest for it.
    for user in ("city", "province"):
        assert _upload(gate[user], site_id).status_code == 403, user
    assert Client().post(f"/api/gates/sites/{site_id}/uploads", {"device": "G1"}).status_code == 401
    unknown = _upload(gate["enterprise"], site_id, device="G9")
    assert unknown.status_code == 400 and "G9" in unknown.json()["error"]
    assert _upload(gate["enterprise"], site_id, device="G\x001").status_code == 400  # PostgreSQL holds no NUL
    assert _upload(gate["enterprise"], site_id, data=b"").status_code in (400, 422)
    assert _upload(gate["enterprise"], 10**9).status_code == 404
    assert not Job.objects.exists()
    # The status endpoint answers gate uploads only: another kind of job is "not found" there.
    other_job = workbooks.start_import(gate["county"], "emergency_list", "清单.xlsx", b"PK\x03\x04", enqueue=False)
    assert _client(gate["county"]).get(f"/api/gates/uploads/{other_job.pk}").status_code == 404
    assert json.loads(_client(gate["county"]).get("/api/gates/uploads/999999").content)["error"]
