"""Cross-checks outside alerts and gate-ledger findings in the county's case queue (issue 12 items 1, 2, 4; REQ H23-6,
H21-6, LC-12, SJZ-5): thresholds at N vs N+1 hours through the real import and run, missing data never a finding,
idempotent re-runs, the meter register, confirmation into the grade registry without double punishment, scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from airgrade.platform.enterprises import services as registry
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import Downgrade
from airgrade.platform.verification import crosscheck, meters, monthly, services
from airgrade.platform.verification.models import CrossCheckRun, Finding, MonitoringPoint

pytestmark = pytest.mark.django_db(transaction=True)

MON_HEADER = "统一社会信用代码,厂区,排放口编号,监测时间,污染物,排放速率（kg/h）,折算浓度（mg/m³）,状态标记"
ELEC_HEADER = "统一社会信用代码,厂区,电表编号,计量时间,时段（分钟）,用电量（kWh）,状态标记"


def last_month() -> dt.date:
    return (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_hours(month: dt.date, days: int = 20) -> list[dt.datetime]:
    start = dt.datetime.combine(month, dt.time())
    return [start + dt.timedelta(hours=n) for n in range(days * 24)]


def monitoring(
    code: str, hours: list[dt.datetime], high: int = 0, skip: range = range(0), point: str = "DA001"
) -> bytes:
    """Hourly SO2 at 40 mg/m³ with the first `high` hours at 150 mg/m³; hours in `skip` have no row."""
    lines = [MON_HEADER]
    for n, hour in enumerate(hours):
        if n in skip:
            continue
        concentration = 150 if n < high else 40
        lines.append(f"{code},,{point},{hour:%Y-%m-%d %H:%M},二氧化硫,2.5,{concentration},正常")
    return ("\n".join(lines) + "\n").encode("utf-8")


def electricity(code: str, hours: list[dt.datetime], idle: int = 0, missing: range = range(0)) -> bytes:
    """Hourly meter M1 at 800 kWh with `idle` hours at 0 from hour 48; hours in `missing` flagged 数据缺失."""
    lines = [ELEC_HEADER]
    for n, hour in enumerate(hours):
        value, status = ("800", "")
        if 48 <= n < 48 + idle:
            value = "0"
        if n in missing:
            value, status = "", "数据缺失"
        lines.append(f"{code},,M1,{hour:%Y-%m-%d %H:%M},60,{value},{status}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def load(user: Any, kind: str, content: bytes) -> None:
    report = services.import_readings(user, kind, "数据.csv", content, commit=True)
    assert report.ok, report.messages(5)


def grade_c(users: dict[str, Any]) -> Any:
    site = users["own_enterprise"].sites.get()
    with transaction.atomic():
        grades.record_grade(
            actor=users["county"],
            site=site,
            industry_code="cement",
            grade=grades.Grade.C,
            valid_from=dt.date(2024, 1, 1),
            source="campaign",
        )
    return site


def run(user: Any, month: dt.date | None = None) -> crosscheck.RunReport:
    return crosscheck.run_month(user, month or last_month())


def kinds(status: str = "open") -> list[str]:
    return sorted(Finding.objects.filter(status=status).values_list("kind", flat=True))


def test_exceedance_at_n_hours_is_no_finding_and_n_plus_one_is(users: dict[str, Any]) -> None:
    grade_c(users)  # cement C: SO2 ≤ 100 mg/m³ in the rule book
    n = crosscheck.cross_rules(last_month()).exceedance_hours
    code = users["own_enterprise"].credit_code
    hours = month_hours(last_month())
    load(users["county"], "monitoring", monitoring(code, hours, high=n))
    assert run(users["county"]).counts["exceedance"] == 0
    load(users["county"], "monitoring", monitoring(code, hours, high=n + 1))
    report = run(users["county"])
    assert report.counts["exceedance"] == 1 and report.opened == 1
    finding = Finding.objects.get(kind="exceedance")
    assert finding.details["limit"] == 100 and finding.details["hours_above"] == n + 1
    assert finding.details["indicator"] == "so2_limit" and finding.details["grade"] == "C"
    assert len(finding.evidence["values"]) == len(finding.evidence["hours"]) and finding.evidence["limit"] == 100
    # Re-running changes nothing; a correction below N withdraws the open finding; back above N reopens the same one.
    again = run(users["county"])
    assert (again.opened, again.updated, Finding.objects.count()) == (0, 1, 1)
    load(users["county"], "monitoring", monitoring(code, hours, high=n))
    assert run(users["county"]).withdrawn == 1 and kinds("withdrawn") == ["exceedance"]
    load(users["county"], "monitoring", monitoring(code, hours, high=n + 5))
    assert run(users["county"]).opened == 1 and Finding.objects.count() == 1 and kinds() == ["exceedance"]
    assert CrossCheckRun.objects.count() == 1


def test_a_pollutant_without_a_limit_is_listed_not_invented(users: dict[str, Any]) -> None:
    site = grade_c(users)
    with transaction.atomic():
        grades.record_grade(
            actor=users["county"], site=site, industry_code="cement", grade=grades.Grade.D,
            valid_from=dt.date(2024, 2, 1), source="campaign",
        )  # fmt: skip
    hours = month_hours(last_month())
    load(users["county"], "monitoring", monitoring(users["own_enterprise"].credit_code, hours, high=200))
    report = run(users["county"])
    assert report.counts["exceedance"] == 0
    assert [(item["grade"], item["pollutant"]) for item in report.no_limits] == [("D", "二氧化硫")]
    assert "未设 D 级" in report.no_limits[0]["reason"]


def test_silence_longer_than_m_hours_and_missing_data_never_a_false_finding(users: dict[str, Any]) -> None:
    m = crosscheck.cross_rules(last_month()).silence_hours
    code = users["own_enterprise"].credit_code
    hours = month_hours(last_month())
    # Exactly M hours without rows inside the month; hours before the monitor's first reading and after the site's
    # last reading are not judged (not delivered yet), however long.
    load(users["county"], "monitoring", monitoring(code, hours[:-100], skip=range(100, 100 + m)))
    assert run(users["county"]).counts["silence"] == 0
    # (The import never deletes a row: the longer gap is another monitor's.)
    load(users["county"], "monitoring", monitoring(code, hours[:-100], skip=range(100, 100 + m + 1), point="DA002"))
    assert run(users["county"]).counts["silence"] == 1
    finding = Finding.objects.get(kind="silence")
    assert finding.details["longest_hours"] == m + 1 and finding.status == "open"
    assert run(users["county"]).counts["silence"] == 1 and Finding.objects.count() == 1


def test_a_meter_silent_longer_than_its_m_hours_is_a_finding_once(users: dict[str, Any]) -> None:
    m = crosscheck.cross_rules(last_month()).meter_silence_hours
    code = users["own_enterprise"].credit_code
    hours = month_hours(last_month())
    load(users["county"], "monitoring", monitoring(code, hours))  # the outlet reports every hour
    # A meter reporting all but exactly M hours (flagged 数据缺失): tolerated, no finding.
    load(users["county"], "electricity", electricity(code, hours, missing=range(100, 100 + m)))
    report = run(users["county"])
    assert report.counts["silence"] == 0 and not Finding.objects.exists()
    # M + 1 hours without valid use: a finding naming the meter, in Chinese.
    load(users["county"], "electricity", electricity(code, hours, missing=range(100, 101 + m)))
    assert run(users["county"]).counts["silence"] == 1
    finding = Finding.objects.get(kind="silence")
    assert finding.point is not None and finding.point.kind == "meter"
    assert finding.summary.startswith("电表 M1") and f"最长连续 {m + 1} 小时无有效用电数据" in finding.summary
    assert f"允许不超过 {m} 小时" in finding.summary
    assert finding.details["longest_hours"] == m + 1 and finding.details["allowed_hours"] == m
    assert finding.evidence["unit"] == "kWh/h" and finding.evidence["values"][0] == 800.0
    assert finding.evidence["values"][100] is None
    # Re-running updates the same finding, never a second one.
    again = run(users["county"])
    assert (again.opened, again.updated, Finding.objects.count()) == (0, 1, 1)


def test_silence_findings_do_not_depend_on_how_many_points_are_read_at_once(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check (b) reads the hour states a chunk of points at a time: one point per chunk finds what one chunk finds."""
    m = crosscheck.cross_rules(last_month()).silence_hours
    meter_m = crosscheck.cross_rules(last_month()).meter_silence_hours
    code = users["own_enterprise"].credit_code
    hours = month_hours(last_month())
    load(users["county"], "monitoring", monitoring(code, hours, skip=range(100, 101 + m)))
    load(users["county"], "monitoring", monitoring(code, hours, point="DA002"))
    load(users["county"], "monitoring", monitoring(code, hours, skip=range(300, 302 + m), point="DA003"))
    load(users["county"], "electricity", electricity(code, hours, missing=range(200, 201 + meter_m)))

    def findings() -> list[tuple[Any, ...]]:
        rows = Finding.objects.filter(kind="silence").order_by("key")
        return [(f.key, f.summary, f.details, f.evidence) for f in rows]

    assert run(users["county"]).counts["silence"] == 3
    whole = findings()
    Finding.objects.all().delete()
    monkeypatch.setattr(monthly, "STATE_CHUNK", 1)
    assert run(users["county"]).counts["silence"] == 3
    assert findings() == whole
    assert sorted(d["point_code"] for _, _, d, _ in whole) == ["DA001", "DA003", "M1"]


def test_a_reporting_meter_is_no_finding(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    hours = month_hours(last_month())
    load(users["county"], "monitoring", monitoring(code, hours))
    # A meter that reports every hour is never silent, even at zero use (that is the idle-line check).
    load(users["county"], "electricity", electricity(code, hours, idle=100))
    report = run(users["county"])
    assert report.counts["silence"] == 0 and not Finding.objects.filter(kind="silence").exists()


def test_meter_register_and_idle_line(users: dict[str, Any]) -> None:
    k = crosscheck.cross_rules(last_month()).idle_hours
    code = users["own_enterprise"].credit_code
    site = users["own_enterprise"].sites.get()
    line = site.lines.get()
    hours = month_hours(last_month())
    load(users["county"], "electricity", electricity(code, hours, idle=k + 10))
    # An unknown meter: readings kept, point flagged 未登记, not judged.
    point = MonitoringPoint.objects.get(kind="meter")
    assert not point.registered and meters.visible_points(users["county"], unregistered=True).count() == 1
    assert run(users["county"]).counts["idle_line"] == 0
    # The enterprise registers it to its line; a change then needs a reason.
    meters.save_point(users["enterprise"], site.pk, kind="meter", code="M1", line_id=line.pk)
    with pytest.raises(ServiceError):
        meters.save_point(users["enterprise"], site.pk, kind="meter", code="M1", line_id=line.pk)
    assert run(users["county"]).counts["idle_line"] == 1
    finding = Finding.objects.get(kind="idle_line")
    assert finding.details["longest_hours"] == k + 10 and finding.details["line"] == line.name
    # Exactly K idle hours: the finding is withdrawn; a missing hour inside a long idle run ends it.
    load(users["county"], "electricity", electricity(code, hours, idle=k))
    assert run(users["county"]).withdrawn == 1
    load(users["county"], "electricity", electricity(code, hours, idle=k + 10, missing=range(60, 61)))
    assert run(users["county"]).counts["idle_line"] == 0
    # Stopping the line today does not rewrite last month: the status history says it was declared running then
    # (test_crosscheck_line_history.py: a line stopped mid-month).
    load(users["county"], "electricity", electricity(code, hours, idle=k + 10))
    registry.update_line(users["county"], line.pk, {"status": "stopped"}, "停产检修")
    assert run(users["county"]).counts["idle_line"] == 1


def test_register_file_errors_by_row_and_nothing_half_written(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    line = users["own_enterprise"].sites.get().lines.get()
    content = (
        "统一社会信用代码,厂区,类别,编号,生产线,档案排放口编号,原因\n"
        f"{code},,电表,M1,{line.name},,\n"
        f"{code},,电表,M2,不存在的线,,\n"
        f"{code},,水表,M3,,,\n"
        f"{users['far_enterprise'].credit_code},,电表,M4,{line.name},,\n"
    ).encode()
    report = meters.import_register(users["county"], "电表.csv", content, commit=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "生产线"), (4, "类别"), (5, "统一社会信用代码")]
    assert not report.committed and not MonitoringPoint.objects.exists()
    good = b"\n".join(content.split(b"\n")[:2]) + b"\n"
    ok = meters.import_register(users["county"], "电表.csv", good, commit=True)
    assert ok.committed and MonitoringPoint.objects.get().line == line
    with pytest.raises(AccessDenied):
        meters.import_register(users["city"], "电表.csv", good, commit=True)


def test_county_confirms_a_finding_into_a_downgrade_once(users: dict[str, Any]) -> None:
    site = grade_c(users)
    hours = month_hours(last_month())
    load(users["county"], "monitoring", monitoring(users["own_enterprise"].credit_code, hours, high=60))
    run(users["county"])
    finding = Finding.objects.get()
    with pytest.raises(NotFound):
        crosscheck.decide_finding(users["other_county"], finding.pk, confirm=True, reason="越权")
    with pytest.raises(AccessDenied):
        crosscheck.decide_finding(users["city"], finding.pk, confirm=True, reason="市级")
    with pytest.raises(ServiceError):
        crosscheck.decide_finding(users["county"], finding.pk, confirm=True, reason=" ")
    deadline = grades.today() + dt.timedelta(days=30)
    decided = crosscheck.decide_finding(
        users["county"], finding.pk, confirm=True, reason="现场核实属实", rectify_by=deadline
    )
    assert decided.status == "confirmed" and decided.rectification is not None
    downgrade = Downgrade.objects.get()
    assert (downgrade.reason_code, downgrade.from_grade, downgrade.to_grade) == ("excess_emission", "C", "D")
    assert grades.grade_on(site, "cement", grades.today()).grade == "D"
    with pytest.raises(ServiceError):
        crosscheck.decide_finding(users["county"], finding.pk, confirm=False, reason="再处理")
    # A re-run keeps the decided finding as it is.
    run(users["county"])
    assert Finding.objects.get().status == "confirmed" and Finding.objects.count() == 1


def test_dismissal_and_scope(users: dict[str, Any]) -> None:
    grade_c(users)
    load(
        users["county"],
        "monitoring",
        monitoring(users["own_enterprise"].credit_code, month_hours(last_month()), high=60),
    )
    with pytest.raises(NotFound):
        crosscheck.run_month(users["other_county"], last_month(), "410181")
    with pytest.raises(AccessDenied):
        crosscheck.run_month(users["enterprise"], last_month())
    with pytest.raises(ServiceError):
        crosscheck.parse_month("2026-13")
    run(users["city"])  # the city runs over its whole region; the county decides
    finding = Finding.objects.get()
    for outsider in ("other_county", "other_city", "other_enterprise_user"):
        assert not crosscheck.visible_findings(users[outsider]).exists()
        with pytest.raises(NotFound):
            crosscheck.get_finding(users[outsider], finding.pk)
    assert crosscheck.visible_findings(users["enterprise"]).count() == 1
    crosscheck.decide_finding(users["county"], finding.pk, confirm=False, reason="设备校准期间数据，已核实")
    assert Finding.objects.get().status == "dismissed" and not Downgrade.objects.exists()


def test_gate_ledger_gap_is_the_gates_apps_finding_once(users: dict[str, Any]) -> None:
    from airgrade.platform.gates import services as gates
    from airgrade.platform.gates.models import LedgerFinding

    site = grade_c(users)
    device, _ = gates.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    moment = dt.datetime.combine(last_month(), dt.time(8), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    records = [
        {"seq": seq, "plate": "豫A12345", "direction": "in", "time": (moment + dt.timedelta(minutes=seq)).isoformat()}
        for seq in (1, 2, 5)
    ]
    gates.ingest(device, records)
    report = run(users["county"])
    assert report.counts["ledger"] == 1 and "门禁台账核验发现 1 处问题（新 1 处）" in report.notes[0]
    ledger = LedgerFinding.objects.get()
    assert "序号 3–4 缺失" in ledger.summary and not Finding.objects.exists()
    # The queue lists the gates app's finding; a re-run opens no second case for the same problem.
    assert run(users["county"]).counts["ledger"] == 1 and LedgerFinding.objects.count() == 1
    assert list(crosscheck.ledger_findings(users["county"], "open")) == [ledger]
    assert not crosscheck.ledger_findings(users["other_county"]).exists()
    assert [item["kind"] for item in crosscheck.finding_work_items(users["county"])] == ["gate_ledger_finding"]
    # Decided on the gates app's path (lowest grade, ban): it leaves the queue.
    gates.decide_finding(users["county"], ledger.pk, confirm=True, reason="台账缺失属实")
    assert Downgrade.objects.get().reason_code == "gate_data_tampered"
    assert run(users["county"]).counts["ledger"] == 0 and LedgerFinding.objects.count() == 1
    # A new problem later is a new finding.
    gates.ingest(device, [{**records[0], "seq": 9}])
    assert run(users["county"]).counts["ledger"] == 1 and LedgerFinding.objects.count() == 2


def test_alert_day_gate_violation_and_the_alert_case_never_both_downgrade(users: dict[str, Any]) -> None:
    from tests.platform.emergency.emergency_platform_builders import payload

    from airgrade.platform.emergency import services as emergency
    from airgrade.platform.emergency.models import AlertTask
    from airgrade.platform.gates import services as gates
    from airgrade.platform.verification.models import Case

    site = grade_c(users)
    beijing = dt.timezone(dt.timedelta(hours=8))
    gates.save_vehicle(
        users["enterprise"], site.pk, {"kind": "road", "plate": "豫A44444", "stage": "国四", "fuel": "diesel"}
    )
    device, _ = gates.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    emergency.save_entry(users["enterprise"], site.pk, dt.date.today().year, payload(grade="B"))
    starts = dt.datetime.now(beijing).replace(microsecond=0, second=0, minute=0) - dt.timedelta(hours=6)
    event = emergency.issue_alert(
        users["city"], {"region_codes": ["410100"], "level": "orange", "starts_at": starts.strftime("%Y-%m-%dT%H:%M")}
    )
    task = AlertTask.objects.get(event=event, entry__site=site)
    during = starts + dt.timedelta(hours=1)
    gates.ingest(device, [{"seq": 1, "plate": "豫A44444", "direction": "in", "time": during.isoformat()}])
    report = crosscheck.run_month(users["county"], starts.date().replace(day=1))
    assert report.counts["gate_alert"] == 1
    finding = Finding.objects.get(kind="gate_alert")
    assert finding.details["violations"] == 1 and finding.event_id == event.pk
    crosscheck.decide_finding(users["county"], finding.pk, confirm=True, reason="国四车辆预警期间进厂属实")
    assert [d.reason_code for d in Downgrade.objects.all()] == ["alert_not_executed"]
    case = Case.objects.create(task=task, event=event, enterprise=task.enterprise, region_id=task.region_id)
    decided = services.decide_case(users["county"], case.pk, confirm=True, reason="监测数据显示未减排")
    assert Downgrade.objects.count() == 1 and decided.downgrades.get() == Downgrade.objects.get()
