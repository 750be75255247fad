"""Video references (issue 11; REQ SJZ-5): a site's video system registers clip references with one of the site's
gate-device credentials (only into that site, all or nothing, resends idempotent, a changed file refused); the site
page's 视频留存 section and the API list them with their retention end (the rule data's video retention) and the
days without video per place, in scope only."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from airgrade.core.gates import day_ranges, months_after, parse_video, uncovered_days
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.errors import ServiceError
from airgrade.platform.gates import services
from airgrade.platform.gates.models import VideoReference

pytestmark = pytest.mark.django_db(transaction=True)

BJ = dt.timezone(dt.timedelta(hours=8))


def _clip(day: dt.date, place: str = "原料库", hours: tuple[int, int] = (8, 20), **extra: Any) -> dict[str, Any]:
    uri = f"nvr://site/{place}/{day:%Y%m%d}-{hours[0]:02d}.mp4"
    return {
        "place": place,
        "started_at": dt.datetime.combine(day, dt.time(hours[0]), BJ).isoformat(),
        "ended_at": dt.datetime.combine(day, dt.time(hours[1]), BJ).isoformat(),
        "uri": uri,
        "sha256": hashlib.sha256(uri.encode()).hexdigest(),
        **extra,
    }


def post(token: str, body: Any) -> Any:
    return Client().post(
        "/api/gates/videos", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sites(users: dict[str, Any]) -> dict[str, Any]:
    own = users["own_enterprise"].sites.get()
    other = users["other_enterprise"].sites.get()
    device, own_token = services.register_device(users["enterprise"], own.pk, {"code": "G1", "entrance": "东门"})
    _, other_token = services.register_device(users["other_county"], other.pk, {"code": "G1", "entrance": "北门"})
    return {**users, "own": own, "other": other, "device": device, "own_token": own_token, "other_token": other_token}


def test_the_core_checks_references_and_finds_days_without_video() -> None:
    clip, errors = parse_video({"place": "", "started_at": "昨天", "ended_at": "2026-05-01T08:00", "sha256": "ab"}, 3)
    assert clip is None
    assert {name for name, _ in errors.problems} == {"place", "uri", "started_at", "sha256"}
    clip, errors = parse_video(_clip(dt.date(2026, 5, 1), hours=(20, 8)), 1)
    assert clip is None and errors.problems == [("ended_at", "结束时间早于开始时间")]
    assert parse_video([1, 2], 2)[1].problems[0][0] == "record"
    clip, _ = parse_video({**_clip(dt.date(2026, 5, 1)), "started_at": "2026-05-01 08:00"}, 1)
    assert clip is not None and clip.started_at.utcoffset() == dt.timedelta(hours=8)  # naive → Beijing time
    assert months_after(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert months_after(dt.date(2026, 11, 30), 12) == dt.date(2027, 11, 30)
    days = uncovered_days([(dt.date(2026, 5, 1), dt.date(2026, 5, 2)), (dt.date(2026, 5, 5), dt.date(2026, 5, 5))],
                          dt.date(2026, 5, 1), dt.date(2026, 5, 6))  # fmt: skip
    assert days == [dt.date(2026, 5, 3), dt.date(2026, 5, 4), dt.date(2026, 5, 6)]
    assert day_ranges(days) == [(dt.date(2026, 5, 3), dt.date(2026, 5, 4)), (dt.date(2026, 5, 6), dt.date(2026, 5, 6))]


def test_a_credential_registers_references_into_its_own_site_only(sites: dict[str, Any]) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    answer = post(sites["own_token"], {"videos": [_clip(yesterday), _clip(yesterday, "成品库")]})
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"accepted": 2, "duplicates": 0}
    # The other site's credential names this site in the body: ignored, its references land in its own site.
    other = post(sites["other_token"], {"videos": [_clip(yesterday, "北库")], "site": sites["own"].pk})
    assert other.json()["accepted"] == 1
    assert VideoReference.objects.filter(site=sites["own"]).count() == 2
    assert VideoReference.objects.filter(site=sites["other"]).count() == 1
    assert VideoReference.objects.filter(site=sites["own"], device=sites["device"]).count() == 2
    assert AuditRecord.objects.filter(action="gates.video.record").count() == 2  # one per batch
    # A resend changes nothing; the same file with another hash is refused (references only append).
    assert post(sites["own_token"], {"videos": [_clip(yesterday)]}).json() == {"accepted": 0, "duplicates": 1}
    changed = post(sites["own_token"], {"videos": [_clip(yesterday, sha256="0" * 64)]})
    assert changed.status_code == 400 and changed.json()["errors"][0]["field"] == "uri"
    assert VideoReference.objects.count() == 3


def test_a_bad_batch_is_refused_by_row_and_field_and_writes_nothing(sites: dict[str, Any]) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    future = timezone.localdate() + dt.timedelta(days=2)
    answer = post(
        sites["own_token"],
        {"videos": [_clip(yesterday), {**_clip(yesterday, "成品库"), "uri": ""}, _clip(future, "装车点")]},
    )
    assert answer.status_code == 400
    where = {(e["row"], e["field"]) for e in answer.json()["errors"]}
    assert where == {("2", "uri"), ("3", "started_at")}
    assert VideoReference.objects.count() == 0
    assert post(sites["own_token"], {"videos": []}).status_code == 400
    assert post(sites["own_token"], {"videos": ["x\ud800"]}).status_code in (400, 422)
    assert VideoReference.objects.count() == 0


def test_no_or_revoked_credential_and_sessions_are_refused(sites: dict[str, Any]) -> None:
    clip = {"videos": [_clip(timezone.localdate() - dt.timedelta(days=1))]}
    assert post("not-a-credential", clip).status_code == 401
    session = client_for(sites["enterprise"]).post(
        "/api/gates/videos", json.dumps(clip), content_type="application/json"
    )
    assert session.status_code == 401
    services.revoke_device(sites["enterprise"], sites["device"].pk)
    assert post(sites["own_token"], clip).status_code == 401
    assert VideoReference.objects.count() == 0
    with pytest.raises(ServiceError, match="已吊销"):
        services.record_videos(services.GateDevice.objects.get(pk=sites["device"].pk), clip["videos"])


def _ingest_entries(device: Any, days: list[dt.date]) -> None:
    records = [
        {
            "seq": n,
            "plate": "豫A12345",
            "direction": "in",
            "time": dt.datetime.combine(day, dt.time(10), BJ).isoformat(),
        }
        for n, day in enumerate(days, start=1)
    ]
    services.ingest(device, records)


def test_the_page_shows_retention_end_and_days_without_video(sites: dict[str, Any]) -> None:
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in range(10, 0, -1)]
    clips = [_clip(day) for day in days if day not in (days[3], days[4], days[7])] + [_clip(days[0], "成品库")]
    services.record_videos(sites["device"], clips)
    _ingest_entries(sites["device"], [days[3], days[8]])  # trucks came on one of the days without video
    status = services.video_status(sites["own"])
    months = services.rules().video_retention.months
    assert status["months"] == months and status["total"] == 8
    newest = status["rows"][0]
    assert newest["retention_end"] == months_after(days[-1], months)
    raw = next(p for p in status["places"] if p["place"] == "原料库")
    assert raw["first"] == days[0] and raw["last"] == days[-1] and raw["days"] == 10
    assert raw["missing"] == 3 and raw["with_entries"] == 1
    assert raw["with_entries_ranges"] == [(days[3], days[3])]
    finished = next(p for p in status["places"] if p["place"] == "成品库")
    assert finished["missing"] == 9 and finished["with_entries"] == 2
    for user in ("enterprise", "county", "city", "province"):
        page = client_for(sites[user]).get(f"/gates/sites/{sites['own'].pk}/")
        text = page.content.decode()
        assert page.status_code == 200
        assert "视频留存" in text and f"保存期 {months} 个月" in text
        assert months_after(days[-1], months).isoformat() in text  # the newest clip's retention end
        assert days[3].isoformat() in text  # the day with trucks but no video at 原料库
        assert "没有规定每个装卸点每天应有哪些时段" in text  # no coverage rule: said, not invented
        assert "SJZ" not in text


def test_an_expired_reference_stays_listed_as_expired(sites: dict[str, Any]) -> None:
    old_day = timezone.localdate() - dt.timedelta(days=500)
    services.record_videos(sites["device"], [_clip(old_day)])
    VideoReference.objects.update(expired_at=timezone.now())  # as the archive run marks it
    status = services.video_status(sites["own"])
    assert status["expired"] == 1 and status["rows"][0]["expired"] is not None
    assert status["places"][0]["missing"] == status["places"][0]["days"]  # nothing within the retention window
    text = client_for(sites["county"]).get(f"/gates/sites/{sites['own'].pk}/").content.decode()
    assert "已过保存期" in text


def test_video_references_are_scoped(sites: dict[str, Any]) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.record_videos(sites["device"], [_clip(yesterday, uri="nvr://secret/原料库.mp4")])
    url = f"/api/gates/sites/{sites['own'].pk}/videos"
    for user in ("enterprise", "county", "city", "province"):
        answer = client_for(sites[user]).get(url)
        assert answer.status_code == 200, user
        body = answer.json()
        assert body["total"] == 1 and body["videos"][0]["uri"] == "nvr://secret/原料库.mp4"
        assert body["retention_months"] == services.rules().video_retention.months and body["coverage_rule"]
    for user in ("other_enterprise_user", "other_county", "other_city", "expert"):
        assert client_for(sites[user]).get(url).status_code == 404, user
        page = client_for(sites[user]).get(f"/gates/sites/{sites['own'].pk}/")
        assert page.status_code == 404 and "nvr://secret" not in page.content.decode(), user
    assert Client().get(url).status_code == 401


def test_the_cli_registers_a_video_systems_file_all_or_none(sites: dict[str, Any], tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from airgrade.cli import app

    runner = CliRunner()
    site = sites["own"]
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=n) for n in range(3)]
    clips = [_clip(day) for day in days]
    as_json = tmp_path / "videos.json"
    as_json.write_text(json.dumps({"videos": clips[:2]}), encoding="utf-8")
    header = "位置,开始时间,结束时间,存储位置,SHA-256\n"
    as_csv = tmp_path / "videos.csv"
    as_csv.write_text(
        header + "".join(f"{c['place']},{c['started_at']},{c['ended_at']},{c['uri']},{c['sha256']}\n" for c in clips),
        encoding="utf-8",
    )
    first = runner.invoke(app, ["gates", "videos", str(as_json), "--site", str(site.pk), "--device", "G1"])
    assert first.exit_code == 0 and "登记视频索引 2 条，重复 0 条" in first.output, first.output
    again = runner.invoke(app, ["gates", "videos", str(as_csv), "--site", str(site.pk), "--device", "G1"])
    assert again.exit_code == 0 and "登记视频索引 1 条，重复 2 条" in again.output, again.output
    assert VideoReference.objects.filter(site=site).count() == 3
    # A bad row refuses the whole file, named by row and field; nothing written.
    bad = tmp_path / "bad.csv"
    fresh = _clip(dt.date(2026, 11, 9))
    bad.write_text(header + f"原料库,{fresh['started_at']},{fresh['ended_at']},{fresh['uri']},\n原料库,昨天,,x,\n")
    refused = runner.invoke(app, ["gates", "videos", str(bad), "--site", str(site.pk), "--device", "G1"])
    assert refused.exit_code == 2 and "bad.csv" in refused.output and "第 2 条" in refused.output, refused.output
    assert VideoReference.objects.filter(site=site).count() == 3
    # Another site's device code is not this site's; a file without the columns is named.
    nothing = runner.invoke(app, ["gates", "videos", str(as_json), "--site", str(site.pk), "--device", "G9"])
    assert nothing.exit_code == 2 and "没有编号为 G9 的设备" in nothing.output
    headless = tmp_path / "headless.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    missing = runner.invoke(app, ["gates", "videos", str(headless), "--site", str(site.pk), "--device", "G1"])
    assert missing.exit_code == 2 and "缺少列" in missing.output
