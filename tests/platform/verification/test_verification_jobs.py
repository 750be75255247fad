"""Large monitoring / electricity files as background jobs (issue 12, ADR 0004): the upload page starts a dry run
(the same service as the CLI), the job page lists errors by file, row, column and reason, the commit writes all or
nothing, a cancelled job writes nothing, and other regions do not see the job."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from tests.platform.verification.builders import monitoring_csv

from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job
from airgrade.platform.verification import services
from airgrade.platform.verification.models import Reading

pytestmark = pytest.mark.django_db(transaction=True)


def _work() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_upload_page_dry_run_commit_and_errors(users: dict[str, Any]) -> None:
    county = _client(users["county"])
    content = monitoring_csv(users["own_enterprise"].credit_code, normal=10, during=3)
    page = county.get("/verification/import/").content.decode()
    assert "大文件后台导入" in page and "start-import-job" in page
    response = county.post(
        "/verification/import/job/", {"job-kind": "monitoring", "job-file": SimpleUploadedFile("监测.csv", content)}
    )
    assert response.status_code == 302
    dry = Job.objects.get(kind=services.READINGS_JOB)
    _work()
    dry.refresh_from_db()
    assert dry.state == Job.State.SUCCEEDED, dry.message
    assert dry.report["counts"]["new"] == dry.report["rows"] > 300 and not dry.report["committed"]
    assert Reading.objects.count() == 0
    detail = county.get(f"/jobs/{dry.pk}/").content.decode()
    assert "预检结果（尚未写入）" in detail and "commit-import" in detail
    assert county.post(f"/workbooks/import/{dry.pk}/commit").status_code == 302
    _work()
    done = Job.objects.get(parent=dry)
    assert done.state == Job.State.SUCCEEDED, done.message and done.report["committed"]
    assert Reading.objects.count() == dry.report["rows"]
    assert "查看预警执行核查" in county.get(f"/jobs/{done.pk}/").content.decode()
    # Another county's staff do not see the job.
    assert _client(users["other_county"]).get(f"/jobs/{dry.pk}/").status_code == 404

    bad = (
        f"统一社会信用代码,排放口编号,监测时间,污染物,排放速率\n{users['own_enterprise'].credit_code},DA1,昨天,SO2,-1\n"
    )
    county.post(
        "/verification/import/job/", {"job-kind": "monitoring", "job-file": SimpleUploadedFile("x.csv", bad.encode())}
    )
    _work()
    refused = Job.objects.filter(kind=services.READINGS_JOB).latest("pk")
    assert (
        refused.report["error_total"] == 2
        and "commit-import" not in county.get(f"/jobs/{refused.pk}/").content.decode()
    )
    assert {error["reason"][:6] for error in refused.report["errors"]} >= {"无法识别的时"}
    assert county.post("/verification/import/job/", {"job-kind": "monitoring"}).status_code == 400


def test_a_cancelled_job_writes_nothing(users: dict[str, Any]) -> None:
    content = monitoring_csv(users["own_enterprise"].credit_code, normal=10, during=3)
    dry = services.start_readings_import(users["county"], "monitoring", "m.csv", content, enqueue=False)
    jobs.execute(dry.pk)
    commit = jobs.start(users["county"], services.READINGS_JOB, params={"commit": True}, input_name="m.csv",
                        input_data=content, parent=dry, enqueue=False)  # fmt: skip
    jobs.cancel(users["county"], commit.pk)
    assert jobs.execute(commit.pk).state == Job.State.CANCELLED
    assert Reading.objects.count() == 0
