"""Gate-ledger pages in headless chromium (issue 11): the declaration graded on the ledger's clean share with both
values and sources; the site page's charts, findings and the county's decision; a gate file through the dry-run job;
a logistics park registered from the list. Screenshots go to test-results/gates/ (ignored by git) for a person to look
at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.platform.declarations.workflow_helpers import force_state, make_campaign, ready_declaration
from tests.platform.gates.test_ledger_grading import FACTS

from airgrade.platform.gates import services
from airgrade.platform.gates.models import LogisticsPark, Passage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results/gates")
BJ = dt.timezone(dt.timedelta(hours=8))


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_gate_pages(page: Any, login: Any, users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.get()
    for plate, stage in (("豫A12345", "国六"), ("豫A44444", "国四")):
        services.save_vehicle(
            users["enterprise"], site.pk, {"kind": "road", "plate": plate, "stage": stage, "fuel": "diesel"}
        )
    device, _ = services.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    today = timezone.localdate()
    services.ingest(
        device,
        [
            {
                "seq": n,
                "plate": "豫A12345" if n % 2 else "豫A44444",
                "direction": "in",
                "time": dt.datetime.combine(today - dt.timedelta(days=n), dt.time(9), BJ).isoformat(),
            }
            for n in range(1, 171)
        ],
    )
    declaration = ready_declaration(users["enterprise"], make_campaign(users["city"]))
    declaration.items.update(facts=FACTS)
    force_state(declaration, "county_review", users["county"], checks=True)

    login("county")
    page.goto(f"/declarations/{declaration.pk}/")
    page.wait_for_selector(".fact-sources")
    text = page.locator("body").inner_text()
    assert "运输指标采用门禁台账数据" in text and "与自报不一致" in text and "road_truck" not in text
    _shot(page, "declaration-detail")
    page.goto(f"/declarations/{declaration.pk}/confirm/?action=declaration.county_grade")
    assert "运输指标按门禁台账数据评定" in page.locator("body").inner_text()
    _shot(page, "declaration-confirm")

    Passage.objects.filter(site=site, position=2).update(stage="国六")  # altered behind the chain's back
    page.goto(f"/gates/sites/{site.pk}/")
    page.click("form:has(input[value=verify]) button[type=submit]")
    page.wait_for_selector("#findings")
    page.wait_for_selector("#chart-daily canvas")
    assert page.locator("#chart-stages canvas").count() >= 1
    _shot(page, "site-finding-open")
    page.check("#findings input[value=confirm]")
    page.fill("#findings textarea", "现场核对车辆登记，确认记录被改写")
    page.click("#findings button[type=submit]")
    page.wait_for_selector("text=已确认")
    _shot(page, "site-finding-decided")

    page.set_input_files("input#file", files=[{
        "name": "东门导出.csv",
        "mimeType": "text/csv",
        "buffer": "序号,车牌号,方向,通行时间\n201,豫A12345,进,2026-05-04 08:00\n202,豫A12345,sideways,2026-05-04 09:00\n"
        .encode(),
    }])  # fmt: skip
    page.select_option("select#device", "G1")
    page.click("form:has(input[value=upload]) button[type=submit]")
    page.wait_for_url("**/jobs/*/")
    from airgrade.platform.jobs import services as jobs
    from airgrade.platform.jobs.models import Job

    jobs.execute(Job.objects.get(kind="import.gate_file").pk)
    page.reload()
    page.wait_for_selector("#import-errors")
    assert "方向" in page.locator("#import-errors").inner_text()
    with page.expect_download() as download:
        page.click("#download-errors")  # the error workbook: the refused row with its 错误原因
    assert download.value.suggested_filename.endswith(".xlsx")
    _shot(page, "upload-dry-run")

    # 视频留存: references registered by the site's video system, their retention end, days without video.
    days = [today - dt.timedelta(days=n) for n in (3, 1)]
    services.record_videos(device, [
        {"place": "原料库装卸点", "started_at": dt.datetime.combine(day, dt.time(8), BJ).isoformat(),
         "ended_at": dt.datetime.combine(day, dt.time(20), BJ).isoformat(), "uri": f"nvr://ch01/{day}.mp4"}
        for day in days
    ])  # fmt: skip
    page.goto(f"/gates/sites/{site.pk}/")
    section = page.locator("#video-retention")
    text = section.inner_text()
    assert "视频留存" in text and "原料库装卸点" in text and "保存至" in text
    assert (today - dt.timedelta(days=2)).isoformat() in page.locator("#video-gaps").inner_text()  # trucks, no video
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SHOTS / "site-video-retention.png"))

    page.goto("/gates/")
    page.click("#park-new")
    page.select_option("#kind", "hub")
    page.fill("#name", "巩义公铁联运枢纽")
    page.select_option("#region", "410181")
    page.fill("#operator", "巩义陆港物流有限公司")
    page.fill("#operator_credit_code", "91410181MA00000018")
    page.fill("#address", "巩义市站街镇")
    _shot(page, "park-new")
    page.click("#park-submit")
    page.wait_for_selector("text=已登记货运枢纽")
    _shot(page, "park-site")
    assert LogisticsPark.objects.count() == 1
    page.goto("/gates/")
    assert "货运枢纽" in page.locator("table").inner_text()
    _shot(page, "gates-list")
