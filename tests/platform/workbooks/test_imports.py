"""Emergency-list import through the background worker: dry run, commit, re-import unchanged, round trip, scope,
atomicity under an injected fault, cancel — with real transactions, as a request does it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from airgrade.core.credit_code import make as make_credit_code
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import ListEntry
from airgrade.platform.enterprises.models import Enterprise, Site
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job
from airgrade.platform.workbooks import exports, services
from airgrade.platform.workbooks.models import MeasureText

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [
    "清单年度",
    "统一社会信用代码",
    "企业名称",
    "所在县（市、区）",
    "行业类别",
    "绩效等级",
    "工业产值（万元）",
    "生产线编号",
    "生产线名称",
    "运行状态",
    "产能单位",
    "环评批复产能",
    "排污许可产能",
    "SO2",
    "NOx",
    "黄色预警",
]
NEW_CODE = make_credit_code("91410181777777777")
NEIGHBOUR_CODE = make_credit_code("91410182777777777")


def _book(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows(county: str = "巩义市", code: str = NEW_CODE, industry: str = "水泥") -> list[list[Any]]:
    return [
        [
            2025,
            code,
            "新建水泥有限公司",
            county,
            industry,
            "C",
            5200,
            "L1",
            "1号熟料线",
            "正常运行",
            "t/d",
            5000,
            4800,
            0.3,
            2.1,
            "限产30%",
        ],
        [
            2025,
            code,
            "新建水泥有限公司",
            county,
            industry,
            "C",
            5200,
            "L2",
            "2号熟料线",
            "正常运行",
            "t/d",
            3000,
            3000,
            0.2,
            1.1,
            "停止使用国四及以下车辆",
        ],
    ]


def _work() -> None:
    """What the server's worker does: run every queued task, then return."""
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0)


def _dry_run(user: Any, data: bytes) -> Job:
    job = services.start_import(user, "emergency_list", "清单.xlsx", data)
    _work()
    return Job.objects.get(pk=job.pk)


def _commit(user: Any, dry_run: Job) -> Job:
    job = services.commit_import(user, dry_run.pk)
    _work()
    return Job.objects.get(pk=job.pk)


def test_dry_run_then_commit_then_reimport_changes_nothing(users: dict[str, Any]) -> None:
    county = users["county"]
    dry = _dry_run(county, _book(_rows()))
    assert dry.state == Job.State.SUCCEEDED, dry.message
    assert dry.report["counts"] == {"new": 1, "changed": 0, "unchanged": 0, "refused": 0}
    assert not Enterprise.objects.filter(credit_code=NEW_CODE).exists()  # a dry run writes nothing
    done = _commit(county, dry)
    assert done.state == Job.State.SUCCEEDED, done.message
    entry = ListEntry.objects.get(enterprise__credit_code=NEW_CODE, year=2025)
    assert [line.key for line in entry.lines.all()] == ["L1", "L2"]
    assert entry.region_id == "410181" and entry.output_value_10k_yuan == 5200
    texts = {t.text: t for t in MeasureText.objects.filter(entry=entry)}
    assert texts["限产30%"].proposed[0]["kind"] == "curtail" and texts["限产30%"].status == "proposed"
    assert AuditRecord.objects.filter(action="emergency.list.create", object_id=str(entry.pk)).exists()

    again = _dry_run(county, _book(_rows()))
    assert again.report["counts"] == {"new": 0, "changed": 0, "unchanged": 1, "refused": 0}


def test_export_then_import_is_a_round_trip(users: dict[str, Any]) -> None:
    county = users["county"]
    _commit(county, _dry_run(county, _book(_rows())))
    exported = exports.emergency_list(county)
    again = _dry_run(county, exported)
    assert again.state == Job.State.SUCCEEDED, again.message
    assert again.report["error_total"] == 0, again.report["errors"]
    assert again.report["counts"]["new"] == 0 and again.report["counts"]["changed"] == 0
    assert again.report["counts"]["unchanged"] == ListEntry.objects.filter(region_id="410181").count()


def test_bad_row_is_named_and_blocks_the_commit(users: dict[str, Any]) -> None:
    county = users["county"]
    rows = _rows()
    rows[1][4] = "不存在的行业"
    dry = _dry_run(county, _book(rows))
    assert dry.report["counts"]["refused"] == 1
    [error] = dry.report["errors"]
    assert (error["sheet"], error["row"], error["column"], error["value"]) == ("Sheet", 3, "行业类别", "不存在的行业")
    assert "未知的重点行业" in error["reason"]
    assert dry.result_data  # the error workbook
    from airgrade.platform.errors import ServiceError

    with pytest.raises(ServiceError, match="修正"):
        services.commit_import(county, dry.pk)


def test_a_county_cannot_import_another_countys_rows(users: dict[str, Any]) -> None:
    county = users["county"]
    neighbour = users["other_enterprise"]  # registered in 荥阳 (410182)
    rows = [
        *_rows(county="荥阳市", code=NEIGHBOUR_CODE),
        [
            2025,
            neighbour.credit_code,
            neighbour.name,
            "",
            "水泥",
            "C",
            1,
            "L1",
            "线",
            "正常运行",
            "t/d",
            1,
            1,
            0,
            0,
            "",
        ],
    ]
    dry = _dry_run(county, _book(rows))
    assert dry.report["counts"]["refused"] == 2 and dry.report["counts"]["new"] == 0
    reasons = " ".join(error["reason"] for error in dry.report["errors"])
    assert "管辖范围" in reasons
    assert not ListEntry.objects.filter(enterprise=neighbour).exists()


def test_a_fault_halfway_leaves_nothing(users: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """New enterprises go through the bulk writers: a fault after the enterprises, sites and entries were written
    rolls all of it back, audit records included."""
    county = users["county"]
    second_code = make_credit_code("91410181888888888")
    rows = _rows() + [[*row[:1], second_code, "第二家", *row[3:]] for row in _rows()]
    dry = _dry_run(county, _book(rows))
    assert dry.report["counts"]["new"] == 2
    real_create = emergency.create_entries
    calls = {"n": 0}

    def failing_create(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        real_create(*args, **kwargs)  # enterprises, sites and entries are written …
        raise RuntimeError("disk full")  # … then the disk fills up

    monkeypatch.setattr(emergency, "create_entries", failing_create)
    audit_before = AuditRecord.objects.count()
    done = _commit(county, dry)
    assert done.state == Job.State.FAILED and "未写入任何数据" in done.message
    assert calls["n"] == 1
    assert not Enterprise.objects.filter(credit_code__in=[NEW_CODE, second_code]).exists()
    assert not Site.objects.filter(enterprise__credit_code=NEW_CODE).exists()
    assert not ListEntry.objects.filter(year=2025).exists()
    assert AuditRecord.objects.count() == audit_before + 1  # only the job.start record of the commit job


def test_a_fault_halfway_through_registered_enterprises_leaves_nothing(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries of registered enterprises are written one by one: the second failing undoes the first."""
    county = users["county"]
    own = users["own_enterprise"]
    rows = []
    for year in (2025, 2026):
        for row in _rows(code=own.credit_code):
            rows.append([year, *row[1:]])
    dry = _dry_run(county, _book(rows))
    assert dry.report["counts"]["new"] == 2, dry.report["errors"]
    real_save = emergency.save_entry
    calls = {"n": 0}

    def failing_save(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(emergency, "save_entry", failing_save)
    audit_before = AuditRecord.objects.count()
    done = _commit(county, dry)
    assert done.state == Job.State.FAILED and "未写入任何数据" in done.message
    assert calls["n"] == 2  # the first entry was written, then rolled back
    assert not ListEntry.objects.filter(enterprise=own).exists()
    assert AuditRecord.objects.count() == audit_before + 1


def test_bulk_and_one_by_one_writes_leave_the_same_rows_and_a_sound_audit_chain(users: dict[str, Any]) -> None:
    """The bulk path writes what the one-by-one path writes: enterprise, site, industries, entry, lines, measure
    texts, one audit record per write, and the chain still verifies."""
    from airgrade.platform.audit import services as audit

    county = users["county"]
    _commit(county, _dry_run(county, _book(_rows())))  # a new enterprise: the bulk path
    entry = ListEntry.objects.get(enterprise__credit_code=NEW_CODE)
    enterprise = entry.enterprise
    assert enterprise.region_id == "410181" and entry.site.name == "主厂区"
    assert list(entry.site.industries.values_list("industry_code", flat=True)) == ["cement"]
    assert sorted(entry.lines.values_list("key", flat=True)) == ["L1", "L2"]
    assert MeasureText.objects.filter(entry=entry).count() == 2
    actions = set(AuditRecord.objects.filter(reason__contains="表格导入").values_list("action", flat=True))
    assert {
        "enterprise.create",
        "site.create",
        "site.set_industries",
        "emergency.list.create",
        "emergency.measure_text.replace",
    } <= actions
    assert audit.verify().ok
    from airgrade.platform.enterprises.models import IndustryListing

    assert IndustryListing.objects.filter(enterprise=enterprise, industry_code="cement").exists()


def test_cancelled_import_writes_nothing_and_only_owner_or_region_sees_the_job(users: dict[str, Any]) -> None:
    county = users["county"]
    dry = _dry_run(county, _book(_rows()))
    commit = services.commit_import(county, dry.pk)
    jobs.cancel(county, commit.pk)
    _work()
    commit.refresh_from_db()
    assert commit.state == Job.State.CANCELLED
    assert not Enterprise.objects.filter(credit_code=NEW_CODE).exists()
    assert jobs.get_job(users["city"], dry.pk).pk == dry.pk  # the city oversees the county
    from airgrade.platform.errors import NotFound

    for outsider in ("other_county", "other_city", "enterprise"):
        with pytest.raises(NotFound):
            jobs.get_job(users[outsider], dry.pk)
    assert not jobs.visible_jobs(users["other_county"]).exists()


def test_wrong_file_type_is_a_clear_failure(users: dict[str, Any]) -> None:
    dry = _dry_run(users["county"], b"credit_code,name\n")
    assert dry.state == Job.State.FAILED
    assert "不是 Excel 工作簿" in dry.message


def test_formula_cells_are_read_as_values_and_hostile_text_leaves_neutralised(users: dict[str, Any]) -> None:
    """A formula in the uploaded file is read as the value Excel computed (never run); a name that a spreadsheet
    would take for a formula is stored as text and exported with a leading apostrophe; the export re-imports
    unchanged."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    county = users["county"]
    hostile = '=HYPERLINK("http://evil.example","点此")'
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for row_number, row in enumerate([HEADERS, *_rows()]):
        for column, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(row_number, column, value)
            else:
                sheet.write_number(row_number, column, value)
    sheet.write_string(1, 2, hostile)
    sheet.write_string(2, 2, hostile)
    sheet.write_formula(1, 11, "=2500*2", None, 5000)  # 环评批复产能 of L1 as a formula with its cached value
    book.close()

    dry = _dry_run(county, buffer.getvalue())
    assert dry.report["error_total"] == 0, dry.report["errors"]
    _commit(county, dry)
    entry = ListEntry.objects.get(enterprise__credit_code=NEW_CODE, year=2025)
    assert entry.enterprise.name == hostile  # kept as the text it is
    assert entry.lines.get(key="L1").eia_capacity == 5000

    exported = exports.emergency_list(county)
    cells = [
        cell
        for row in CalamineWorkbook.from_filelike(io.BytesIO(exported)).get_sheet_by_index(0).to_python()
        for cell in row
    ]
    assert "'" + hostile in cells and hostile not in cells  # written as text, never as a formula
    again = _dry_run(county, exported)
    assert again.report["counts"]["changed"] == 0 and again.report["error_total"] == 0


def test_a_list_table_error_is_named_against_its_own_entry(users: dict[str, Any]) -> None:
    """The list-table check runs over many entries at once; a failure is still reported on the entry that has it."""
    county = users["county"]
    second_code = make_credit_code("91410181999999999")
    bad = [[*row[:1], second_code, "单位不明公司", *row[3:]] for row in _rows()]
    for row in bad:
        row[10] = "立方光年"  # 产能单位 nobody can read
    dry = _dry_run(county, _book(_rows() + bad))
    assert dry.report["counts"]["new"] == 1 and dry.report["counts"]["refused"] == 1
    [error] = dry.report["errors"]
    assert error["row"] == 4 and "立方光年" in error["reason"]
