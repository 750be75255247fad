"""Grade-history import (REQ H21-7, LC-12; issue 10): published grades of earlier years fill gaps in a site's
history with their document; a recorded grade is never changed (overlaps refused, naming the record), the rule book
decides which grades existed on the start date, a second import changes nothing, other counties are out of reach
and a file with one bad row writes nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from openpyxl import Workbook

from airgrade.core.types import Grade
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.errors import AccessDenied
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.jobs.models import Job
from airgrade.platform.workbooks import services

pytestmark = pytest.mark.django_db(transaction=True)
HEADERS = ["统一社会信用代码", "企业名称", "厂区", "行业", "绩效等级", "生效日期", "失效日期", "发布文件", "发布日期"]
DOCUMENT = "郑环攻坚办〔2021〕12号"


def _book(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "历年绩效等级"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(enterprise: Any, grade: str, start: dt.date, end: dt.date | None, industry: str = "水泥") -> list[Any]:
    return [enterprise.credit_code, enterprise.name, "主厂区", industry, grade, start, end, DOCUMENT, start]


def _work() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def _run(user: Any, data: bytes, commit: bool = False) -> Job:
    job = services.start_import(user, "grade_history", "历年等级.xlsx", data)
    _work()
    job.refresh_from_db()
    if commit:
        assert job.report["error_total"] == 0, job.report["errors"]
        job = services.commit_import(user, job.pk)
        _work()
        job.refresh_from_db()
    return job


def _history(enterprise: Any) -> list[tuple[str, dt.date, dt.date | None, str]]:
    records = GradeRecord.objects.filter(enterprise=enterprise).order_by("valid_from")
    return [(r.grade, r.valid_from, r.valid_until, r.source) for r in records]


def test_published_grades_fill_the_history_with_their_document_and_a_second_import_changes_nothing(
    users: dict[str, Any],
) -> None:
    own = users["own_enterprise"]
    data = _book(
        [
            _row(own, "C", dt.date(2020, 10, 1), dt.date(2021, 10, 1)),
            _row(own, "B", dt.date(2021, 10, 1), dt.date(2022, 10, 1)),
        ]
    )
    job = _run(users["county"], data, commit=True)
    assert job.state == Job.State.SUCCEEDED and job.report["counts"]["new"] == 2
    history = _history(own)
    assert [(g, f, u) for g, f, u, _ in history] == [
        ("C", dt.date(2020, 10, 1), dt.date(2021, 10, 1)),
        ("B", dt.date(2021, 10, 1), dt.date(2022, 10, 1)),
    ]
    assert {source for *_, source in history} == {GradeRecord.Source.HISTORY}
    record = GradeRecord.objects.filter(enterprise=own).first()
    assert record is not None and DOCUMENT in record.reason
    # The site's grade on a date of that period is the published one: the registry answers history questions.
    site = own.sites.get()
    found = grades.grade_on(site, "cement", dt.date(2021, 3, 1))
    assert found is not None and found.grade == "C"
    assert AuditRecord.objects.filter(action="grade.history").count() == 2

    again = _run(users["county"], data)
    assert again.report["counts"] == {"new": 0, "changed": 0, "unchanged": 2, "refused": 0}


def test_an_overlap_with_a_recorded_grade_is_refused_naming_it_and_the_whole_file_writes_nothing(
    users: dict[str, Any],
) -> None:
    own = users["own_enterprise"]
    site = own.sites.get()
    with transaction.atomic():
        grades.record_historical_grade(
            actor=users["city"],
            site=site,
            industry_code="cement",
            grade=Grade.C,
            valid_from=dt.date(2022, 1, 1),
            valid_until=None,
            document=DOCUMENT,
            published_on=dt.date(2022, 1, 1),
            reason="测试",
        )
    data = _book(
        [
            _row(own, "D", dt.date(2020, 10, 1), dt.date(2021, 1, 1)),  # a gap: fine on its own
            _row(own, "B", dt.date(2021, 6, 1), dt.date(2022, 6, 1)),  # runs into the recorded C
        ]
    )
    dry = _run(users["county"], data)
    errors = dry.report["errors"]
    assert dry.report["error_total"] == 1 and errors[0]["row"] == 3
    assert "时段重叠" in errors[0]["reason"] and "2022-01-01" in errors[0]["reason"]
    assert "不修改已有记录" in errors[0]["reason"]
    with pytest.raises(Exception, match="预检发现错误"):
        services.commit_import(users["county"], dry.pk)
    assert len(_history(own)) == 1


@pytest.mark.parametrize(
    ("grade", "start", "end", "reason"),
    [
        ("A+", dt.date(2026, 3, 1), None, "部级认定"),  # A+ only through a designation
        ("引领性", dt.date(2021, 10, 1), dt.date(2022, 3, 1), "没有 引领性"),  # cement is graded A to D
        ("B", dt.date(2021, 10, 1), dt.date(2021, 10, 1), "失效日期须晚于生效日期"),
        ("B", dt.date(2019, 10, 1), dt.date(2020, 3, 1), "最早 2020-06-24"),  # before the rule book's first framework
    ],
)
def test_the_rule_book_decides_which_grades_and_periods_can_be_entered(
    users: dict[str, Any], grade: str, start: dt.date, end: dt.date | None, reason: str
) -> None:
    own = users["own_enterprise"]
    dry = _run(users["county"], _book([_row(own, grade, start, end)]))
    assert dry.report["error_total"] == 1 and reason in dry.report["errors"][0]["reason"], dry.report["errors"]


def test_rows_of_one_file_may_not_overlap_and_another_countys_enterprise_is_out_of_reach(
    users: dict[str, Any],
) -> None:
    own, other = users["own_enterprise"], users["other_enterprise"]
    data = _book(
        [
            _row(own, "C", dt.date(2020, 10, 1), dt.date(2021, 10, 1)),
            _row(own, "B", dt.date(2021, 3, 1), dt.date(2022, 3, 1)),
            _row(other, "C", dt.date(2020, 10, 1), dt.date(2021, 10, 1)),
        ]
    )
    dry = _run(users["county"], data)
    reasons = {error["row"]: error["reason"] for error in dry.report["errors"]}
    assert "与本文件第2行" in reasons[3]
    assert "不在本账号管辖范围内" in reasons[4]
    # The city above both counties may enter the neighbour's history.
    city = _run(users["city"], _book([_row(other, "C", dt.date(2020, 10, 1), dt.date(2021, 10, 1))]), commit=True)
    assert city.report["counts"]["new"] == 1 and len(_history(other)) == 1


def test_the_service_itself_refuses_without_permission_and_outside_a_transaction(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.get()
    arguments = {
        "site": site,
        "industry_code": "cement",
        "grade": Grade.C,
        "valid_from": dt.date(2020, 10, 1),
        "valid_until": dt.date(2021, 10, 1),
        "document": DOCUMENT,
        "published_on": dt.date(2020, 10, 1),
        "reason": "测试",
    }
    with pytest.raises(RuntimeError):
        grades.record_historical_grade(actor=users["county"], **arguments)
    with pytest.raises(AccessDenied), transaction.atomic():
        grades.record_historical_grade(actor=users["enterprise"], **arguments)
    assert not GradeRecord.objects.filter(site=site).exists()


def test_the_template_downloads_from_the_page_with_the_layout_columns(users: dict[str, Any]) -> None:
    from django.test import Client
    from openpyxl import load_workbook

    from airgrade.io.excel.layouts import GRADE_HISTORY

    client = Client()
    client.force_login(users["city"])
    assert "历年绩效等级" in client.get("/workbooks/").content.decode()
    response = client.get("/workbooks/templates/grade_history.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))[GRADE_HISTORY.sheet]
    titles = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert titles[: len(GRADE_HISTORY.columns)] == [column.title for column in GRADE_HISTORY.columns]
