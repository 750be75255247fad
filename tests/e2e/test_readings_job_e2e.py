"""A monitoring file imported as a background job in headless chromium (issue 12): the county uploads it on the
import page, the job page shows the dry run's counts, the commit writes it and links back to the verification pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from tests.e2e.browser import submit
from tests.platform.verification.builders import monitoring_csv

from airgrade.platform.verification.models import Reading

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("test-results")


def _work() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def test_county_imports_a_file_as_a_background_job(
    page: Any, login: Any, users: dict[str, Any], tmp_path: Path
) -> None:
    upload = tmp_path / "监测.csv"
    upload.write_bytes(monitoring_csv(users["own_enterprise"].credit_code, normal=10, during=3))
    login("county")
    page.goto("/verification/import/")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "verification-import.png"), full_page=True)
    page.select_option("#id_job-kind", "monitoring")
    page.set_input_files("#id_job-file", str(upload))
    page.click("#start-import-job")
    page.wait_for_url("**/jobs/*/")
    _work()
    page.reload()
    page.wait_for_selector("#commit-import")
    page.screenshot(path=str(SHOTS / "verification-import-job.png"), full_page=True)
    assert "预检结果（尚未写入）" in page.content()
    submit(page, "#commit-import")  # the commit job must exist before the worker runs
    _work()
    page.reload()
    page.wait_for_selector("#to-verification")
    page.screenshot(path=str(SHOTS / "verification-import-done.png"), full_page=True)
    assert Reading.objects.count() > 300
