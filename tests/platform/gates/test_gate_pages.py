"""Gate ledger pages (issue 11): the site ledger in scope, an alert day's violating passages checked against the
site's vehicle rule (cement B, orange: no 国四-and-below trucks), the result recorded on the alert task, and the
ledger's clean share next to the declared one on the declaration page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.platform.declarations.workflow_helpers import make_campaign, ready_declaration
from tests.platform.emergency.emergency_platform_builders import payload

from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import AlertTask
from airgrade.platform.gates import services

pytestmark = pytest.mark.django_db

BJ = dt.timezone(dt.timedelta(hours=8))


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gated(users: dict[str, Any]) -> dict[str, Any]:
    site = users["own_enterprise"].sites.get()
    for plate, stage in (("豫A12345", "国六"), ("豫A44444", "国四")):
        services.save_vehicle(
            users["enterprise"], site.pk, {"kind": "road", "plate": plate, "stage": stage, "fuel": "diesel"}
        )
    device, _ = services.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    return {**users, "site": site, "device": device}


def test_site_page_shows_figures_devices_and_registers(gated: dict[str, Any]) -> None:
    today = dt.datetime.now(BJ).replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
    services.ingest(gated["device"], [
        {"seq": 1, "plate": "豫A12345", "direction": "in", "time": today.isoformat()},
        {"seq": 2, "plate": "豫A44444", "direction": "in", "time": (today + dt.timedelta(minutes=5)).isoformat()},
        {"seq": 4, "plate": "豫Z00000", "direction": "in", "time": (today + dt.timedelta(minutes=9)).isoformat()},
    ])  # fmt: skip
    page = client_for(gated["county"]).get(f"/gates/sites/{gated['site'].pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "33.33%" in text  # 1 clean of 3 entries (the unregistered plate has no known stage)
    assert "未登记车辆" in text and "豫A44444" in text
    assert "75.0%" in text  # device completeness: 3 of sequence 1–4
    listing = client_for(gated["county"]).get("/gates/").content.decode()
    assert gated["own_enterprise"].name in listing
    assert "75.0%" in listing  # the site's worst device completeness, below the 95 % goal
    assert gated["own_enterprise"].name not in client_for(gated["other_county"]).get("/gates/").content.decode()


def test_verify_from_the_page_records_a_check(gated: dict[str, Any]) -> None:
    services.ingest(gated["device"], [{"seq": 1, "plate": "豫A12345", "direction": "in", "time": "2026-05-04T08:00"}])
    client = client_for(gated["county"])
    answer = client.post(f"/gates/sites/{gated['site'].pk}/act/", {"op": "verify"}, follow=True)
    assert "台账完整" in answer.content.decode()
    # The enterprise may not verify (nor edit) its own ledger: the service refuses with a reason.
    refused = client_for(gated["enterprise"]).post(
        f"/gates/sites/{gated['site'].pk}/act/", {"op": "verify"}, follow=True
    )
    assert "无权" in refused.content.decode()


def test_an_upload_names_the_bad_row_and_writes_nothing(gated: dict[str, Any]) -> None:
    """The site page's upload is a background job: the dry run names file, record, field and reason and writes
    nothing; the commit of a clean file writes it all (tests/platform/gates/test_uploads.py goes further)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from airgrade.platform.jobs import services as jobs
    from airgrade.platform.jobs.models import Job

    csv = "序号,车牌号,方向,通行时间\n1,豫A12345,进,2026-05-04 08:00\n2,豫A12345,sideways,2026-05-04 09:00\n"
    upload = SimpleUploadedFile("gate.csv", csv.encode("utf-8"), content_type="text/csv")
    client = client_for(gated["enterprise"])
    answer = client.post(f"/gates/sites/{gated['site'].pk}/act/", {"op": "upload", "device": "G1", "file": upload})
    job = Job.objects.get(kind="import.gate_file")
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    jobs.execute(job.pk)
    text = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "gate.csv" in text and "方向" in text and "direction" not in text and "提交导入" not in text
    assert services.Passage.objects.count() == 0


def test_an_alert_day_shows_the_violating_passages_and_lands_on_the_task(gated: dict[str, Any]) -> None:
    site = gated["site"]
    emergency.save_entry(gated["enterprise"], site.pk, dt.date.today().year, payload(grade="B"))
    starts = dt.datetime.now(BJ).replace(microsecond=0) - dt.timedelta(hours=6)
    event = emergency.issue_alert(
        gated["city"], {"region_codes": ["410100"], "level": "orange", "starts_at": starts.strftime("%Y-%m-%dT%H:%M")}
    )
    task = AlertTask.objects.get(event=event, entry__site=site)
    assert task.plan["vehicle_rule"]["at_or_below"] == "国四"
    during = starts + dt.timedelta(hours=1)
    services.ingest(gated["device"], [
        {"seq": 1, "plate": "豫A44444", "direction": "in", "time": during.isoformat()},  # 国四: violation
        {"seq": 2, "plate": "豫A12345", "direction": "in", "time": during.isoformat()},  # 国六: fine
        {"seq": 3, "plate": "豫A44444", "direction": "in", "time": during.isoformat(), "result": "refused"},  # stopped
        {"seq": 4, "plate": "豫A44444", "direction": "in", "time": (starts - dt.timedelta(days=2)).isoformat()},
    ])  # fmt: skip
    url = f"/gates/sites/{site.pk}/alerts/{event.pk}/"
    text = client_for(gated["county"]).get(url).content.decode()
    assert "违规放行进厂" in text and "1 辆次" in text
    assert text.count("豫A44444") == 1
    client_for(gated["county"]).post(url)
    task.refresh_from_db()
    assert task.evidence_note.startswith("门禁核查：预警期间违规放行进厂 1 辆次")
    assert client_for(gated["other_county"]).get(url).status_code == 404


def test_the_declaration_shows_the_ledgers_clean_share_next_to_the_declared_one(gated: dict[str, Any]) -> None:
    campaign = make_campaign(gated["city"])
    declaration = ready_declaration(gated["enterprise"], campaign)
    item = declaration.items.get()
    item.facts = {**item.facts, "road_truck_clean_share": 100}
    item.save()
    yesterday = dt.datetime.now(BJ) - dt.timedelta(days=1)
    services.ingest(gated["device"], [
        {"seq": 1, "plate": "豫A12345", "direction": "in", "time": yesterday.isoformat()},
        {"seq": 2, "plate": "豫A44444", "direction": "in", "time": yesterday.isoformat()},
    ])  # fmt: skip
    text = client_for(gated["county"]).get(f"/declarations/{declaration.pk}/").content.decode()
    assert "门禁台账核对" in text
    assert "100%" in text and "50.0%" in text and "与申报不一致" in text
    assert "门禁台账 " in text


def test_the_sample_form_draws_and_lists_records(gated: dict[str, Any]) -> None:
    services.ingest(
        gated["device"],
        [{"seq": n, "plate": "豫A12345", "direction": "in", "time": f"2026-05-04T08:{n:02d}"} for n in range(1, 21)],
    )
    client = client_for(gated["county"])
    url = f"/gates/sites/{gated['site'].pk}/act/"
    page = client.post(
        url, {"op": "sample", "seed": "5", "date_from": "2026-05-01", "date_to": "2026-05-31"}, follow=True
    )
    assert "已抽取 10 条记录（种子 5）" in page.content.decode()
    bad = client.post(
        url, {"op": "sample", "seed": "x", "date_from": "2026-05-01", "date_to": "2026-05-31"}, follow=True
    )
    assert "随机种子" in bad.content.decode()


def test_a_failed_verification_leads_to_a_finding_to_decide(gated: dict[str, Any]) -> None:
    services.ingest(
        gated["device"],
        [{"seq": n, "plate": "豫A44444", "direction": "in", "time": f"2026-05-04T08:0{n}"} for n in (1, 2, 3)],
    )
    services.Passage.objects.filter(position=2).update(stage="国六")  # 国四 turned into 国六 behind the ledger's back
    client = client_for(gated["county"])
    answer = client.post(f"/gates/sites/{gated['site'].pk}/act/", {"op": "verify"}, follow=True).content.decode()
    assert "台账第 2 条记录" in answer and "被篡改" in answer
    assert "核验发现" in answer and "提交处理意见" in answer  # the county decides the finding (test_findings.py)
    own = client_for(gated["enterprise"]).get(f"/gates/sites/{gated['site'].pk}/").content.decode()
    assert "提交处理意见" not in own
