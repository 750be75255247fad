"""Alert verification on the platform (issue 12; REQ H23-6, H21-6): idempotent import, bad rows, verdicts per task,
cases the county confirms into the grade registry's downgrade path, and scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.platform.declarations.workflow_helpers import act, force_state, make_campaign, ready_declaration
from tests.platform.verification.builders import alert_with_tasks, electricity_csv, monitoring_csv

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import Downgrade
from airgrade.platform.verification import services
from airgrade.platform.verification.models import Case, Reading

pytestmark = pytest.mark.django_db(transaction=True)


def _import(user: Any, kind: str, content: bytes, commit: bool = True) -> services.ImportReport:
    name = "数据.csv"
    return services.import_readings(user, kind, name, content, commit=commit)


def test_dry_run_commit_and_reimport_changes_nothing(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    content = monitoring_csv(code, normal=10, during=4)
    dry = _import(users["county"], "monitoring", content, commit=False)
    assert dry.ok and dry.new == dry.rows > 300 and not dry.committed
    assert Reading.objects.count() == 0
    first = _import(users["county"], "monitoring", content)
    assert first.committed and first.new == dry.new and first.points_created == 1
    audits = AuditRecord.objects.count()
    again = _import(users["county"], "monitoring", content)
    assert (again.new, again.changed, again.unchanged) == (0, 0, first.new)
    assert Reading.objects.count() == first.new and AuditRecord.objects.count() == audits
    corrected = content.replace(b",4.000,", b",4.500,", 1)
    fixed = _import(users["county"], "monitoring", corrected)
    assert (fixed.new, fixed.changed) == (0, 1)


def test_quarter_hour_electricity_imports(users: dict[str, Any]) -> None:
    report = _import(
        users["county"], "electricity", electricity_csv(users["own_enterprise"].credit_code, normal=800, during=300)
    )
    assert report.ok and report.new > 1000


def test_bad_rows_are_refused_by_row_and_nothing_is_saved(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    header = "统一社会信用代码,排放口编号,监测时间,污染物,排放速率（kg/h）,状态标记"
    rows = [
        header,
        f"{code},DA001,2026-11-01 00:00,二氧化硫,1.5,正常",
        f"{code},DA001,2026-11-01 01:00,二氧化硫,-2,正常",  # negative
        f"{code},DA001,2026-11-01 02:00,二氧化硫,inf,正常",  # not finite
        f"{code},DA001,2026-11-01 00:00,二氧化硫,1.9,正常",  # same hour, other value
        f"{code},DA001,2026-11-01 03:30,二氧化硫,1.0,正常",  # not on the hour
        f"{code},DA001,2026-11-01 04:00,臭氧,1.0,正常",  # not a list pollutant
        f"{code},DA001,2026-11-01 05:00,二氧化硫,1.0,坏了",  # unknown flag
        f"{users['far_enterprise'].credit_code},DA001,2026-11-01 00:00,二氧化硫,1.0,正常",  # other city
    ]
    report = _import(users["county"], "monitoring", "\n".join(rows).encode())
    assert not report.ok and not report.committed
    assert sorted({error.row for error in report.errors}) == [3, 4, 5, 6, 7, 8, 9]
    assert any("负数" in message and "第 3 行" in message for message in report.messages())
    assert any("第 2 行" in error.reason for error in report.errors if error.row == 5)
    assert any("不在您的管辖范围" in error.reason for error in report.errors if error.row == 9)
    assert Reading.objects.count() == 0


def test_wrong_unit_in_header_and_declared_range(users: dict[str, Any]) -> None:
    code = users["own_enterprise"].credit_code
    content = f"统一社会信用代码,排放口编号,监测时间,污染物,排放速率（t/h）\n{code},DA001,2026-11-01 00:00,SO2,1\n"
    report = _import(users["county"], "monitoring", content.encode())
    assert report.errors[0].row == 0 and "kg/h" in report.errors[0].reason
    ok = f"统一社会信用代码,排放口编号,监测时间,污染物,排放速率\n{code},DA001,2026-11-01 00:00,SO2,1\n"

    ranged = services.import_readings(
        users["county"], "monitoring", "x.csv", ok.encode(), commit=True, date_from=dt.date(2026, 11, 2)
    )
    assert not ranged.ok and "范围" in ranged.errors[0].reason


def test_pollutant_not_monitored_at_the_registry_outlet_is_refused(users: dict[str, Any]) -> None:
    from airgrade.platform.enterprises import services as registry

    site = users["own_enterprise"].sites.get()
    registry.add_outlet(users["county"], site.pk, {"code": "DA001", "name": "窑尾", "pollutants": ["NOx"]})
    report = _import(
        users["county"], "monitoring", monitoring_csv(users["own_enterprise"].credit_code, normal=10, during=4)
    )
    assert not report.ok and "只监测 氮氧化物" in report.errors[0].reason


def test_verdicts_per_task_and_the_county_confirms_a_case(users: dict[str, Any], make_enterprise: Any) -> None:
    kept = users["own_enterprise"]  # graded B through the workflow, then found not to cut
    campaign = make_campaign(users["city"])
    graded = force_state(
        ready_declaration(users["enterprise"], campaign, grade="B"), "province_verification", users["county"]
    )
    act(users["province"], graded, "declaration.province_verify")
    cut, silent = make_enterprise("410181", "减排企业"), make_enterprise("410181", "无数据企业")
    gap = make_enterprise("410181", "断线企业")
    event = alert_with_tasks(users, [cut, kept, silent, gap])
    _import(users["county"], "monitoring", monitoring_csv(cut.credit_code, normal=10, during=2))
    _import(users["county"], "electricity", electricity_csv(cut.credit_code, normal=800, during=200))
    _import(users["county"], "monitoring", monitoring_csv(kept.credit_code, normal=10, during=9.9))
    _import(users["county"], "monitoring", monitoring_csv(gap.credit_code, normal=10, during=0, gap=True))
    counts = services.verify_event(users["city"], event.pk)
    assert counts["done"] == 1 and counts["suspected"] == 1 and counts["insufficient"] == 2
    _, tasks = services.event_verdicts(users["city"], event.pk)
    verdicts = {task.enterprise.name: task.verdict.verdict for task in tasks}
    assert verdicts[kept.name] == "suspected" and verdicts["无数据企业"] == "insufficient"
    assert verdicts["断线企业"] == "insufficient"  # missing data is never a failure
    cuts = services.region_cut(tasks)
    assert cuts["SO2"]["enterprises"] == 2 and 0 < cuts["SO2"]["cut"] < 1
    kept_task = next(task for task in tasks if task.enterprise_id == kept.pk)
    assert kept_task.verdict.evidence["signals"]["SO2"]["baseline"]

    case = Case.objects.get()
    assert case.task_id == kept_task.pk and case.status == "open"
    assert [item["kind"] for item in services.case_work_items(users["county"])] == ["verification_case"]
    site = kept.sites.get()
    assert grades.grade_on(site, "cement", grades.today()).grade == "B"
    with pytest.raises(ServiceError):
        services.decide_case(users["county"], case.pk, confirm=True, reason="  ")
    with pytest.raises(AccessDenied):
        services.decide_case(users["city"], case.pk, confirm=True, reason="越级")
    with pytest.raises(ServiceError):
        services.decide_case(users["county"], case.pk, confirm=False, reason="不予认定", rectify_by=grades.today())
    deadline = grades.today() + dt.timedelta(days=30)
    services.decide_case(
        users["county"],
        case.pk,
        confirm=True,
        reason="在线监测显示预警期间排放未下降，现场核实属实",
        rectify_by=deadline,
    )
    order = Case.objects.get().rectification
    assert order is not None and order.deadline == deadline and "未落实应急减排措施" in order.problem
    downgrade = Downgrade.objects.get()
    # One grade down on the scale in force (the 2026 framework has no B-, REQ G-8).
    assert (downgrade.reason_code, downgrade.from_grade, downgrade.to_grade) == ("alert_not_executed", "B", "C")
    assert grades.grade_on(site, "cement", grades.today()).grade == "C"
    history = grades.history(users["city"], kept.pk)
    assert "未落实应急减排措施" in history[-1].reason
    assert Case.objects.get().downgrades.count() == 1
    with pytest.raises(ServiceError):
        services.decide_case(users["county"], case.pk, confirm=False, reason="再次处理")

    # Re-running keeps the decided case as it is.
    services.verify_event(users["city"], event.pk)
    assert Case.objects.get().status == "confirmed"


def test_a_dismissed_case_downgrades_nothing(users: dict[str, Any], make_enterprise: Any) -> None:
    kept = make_enterprise("410181", "未减排企业")
    event = alert_with_tasks(users, [kept])
    _import(users["county"], "monitoring", monitoring_csv(kept.credit_code, normal=10, during=10))
    services.verify_event(users["county"], event.pk)
    case = Case.objects.get()
    services.decide_case(users["county"], case.pk, confirm=False, reason="预警期间该线按保障任务生产，已核实")
    assert Case.objects.get().status == "dismissed" and not Downgrade.objects.exists()


def test_scope(users: dict[str, Any]) -> None:
    event = alert_with_tasks(users, [users["own_enterprise"]])
    _import(users["county"], "monitoring", monitoring_csv(users["own_enterprise"].credit_code, normal=10, during=10))
    with pytest.raises(AccessDenied):
        _import(users["enterprise"], "monitoring", b"x")
    with pytest.raises(NotFound):
        services.verify_event(users["other_city"], event.pk)
    with pytest.raises(AccessDenied):
        services.verify_event(users["enterprise"], event.pk)
    services.verify_event(users["county"], event.pk)
    task = event.tasks.get()
    for outsider in ("other_county", "other_city", "other_enterprise_user", "expert"):
        with pytest.raises((NotFound, AccessDenied)):
            services.get_task_verdict(users[outsider], task.pk)
    case = Case.objects.get()
    for outsider in ("other_county", "other_city", "other_enterprise_user"):
        with pytest.raises((NotFound, AccessDenied)):
            services.decide_case(users[outsider], case.pk, confirm=True, reason="越权")
        assert not services.visible_cases(users[outsider]).exists() if outsider != "other_city" else True
    assert services.get_task_verdict(users["enterprise"], task.pk)[1] is not None
    # A county in the same city sees nothing of the neighbour's case queue.
    assert not services.visible_cases(users["other_county"]).exists()


def test_corrected_data_withdraws_an_open_case_and_reopens_it(users: dict[str, Any]) -> None:
    """A case rests on the data: a correction that shows the cut withdraws it until the county has decided."""
    enterprise = users["own_enterprise"]
    event = alert_with_tasks(users, [enterprise])
    _import(users["county"], "monitoring", monitoring_csv(enterprise.credit_code, normal=10, during=10))
    services.verify_event(users["county"], event.pk)
    assert Case.objects.get().status == "open"
    fixed = _import(users["county"], "monitoring", monitoring_csv(enterprise.credit_code, normal=10, during=1))
    assert fixed.changed > 0 and fixed.new == 0
    services.verify_event(users["county"], event.pk)
    assert Case.objects.get().status == "withdrawn"
    _import(users["county"], "monitoring", monitoring_csv(enterprise.credit_code, normal=10, during=10))
    services.verify_event(users["county"], event.pk)
    assert Case.objects.get().status == "open"
