"""The import pipeline shared by every workbook: read (calamine, by header name) → plan (each unit new / changed /
unchanged / refused, every bad cell named) → dry-run report and error workbook → commit all units or none, through
the owning apps' services (audited, scoped), inside one transaction that a cancel or a fault rolls back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from airgrade.io.excel.layouts import IMPORT_LAYOUTS
from airgrade.io.excel.reader import CellError, Row, SheetData, WorkbookError, open_workbook, read_sheet
from airgrade.io.excel.writer import write_error_workbook
from airgrade.platform.enterprises import services as registry
from airgrade.platform.errors import ServiceError
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job

NEW, CHANGED, UNCHANGED, REFUSED = "new", "changed", "unchanged", "refused"
STATUS_LABELS = {NEW: "新增", CHANGED: "变更", UNCHANGED: "无变化", REFUSED: "拒绝"}
# The preview page and the JSON report list this many errors; the error workbook has them all.
REPORTED_ERRORS = 500
# Units written together by a plan's bulk writer, per statement group (progress and cancel are checked between).
BULK_CHUNK = 2000


@dataclass
class Unit:
    """What one commit step writes (an enterprise, a list entry, a grade record) and the rows it came from."""

    label: str
    rows: list[Row]
    status: str = NEW
    apply: Callable[[str], None] | None = None  # called with the audit reason
    errors: list[CellError] = field(default_factory=list)
    bulk: Any = None  # what the plan's bulk writer needs, for units it can write together

    def refuse(self, reason: str, column: str = "", value: Any = None) -> None:
        first = self.rows[0]
        self.errors.append(CellError(first.sheet, first.number, column, value, reason))
        self.status = REFUSED


@dataclass
class Plan:
    units: list[Unit]
    loose_errors: list[CellError] = field(default_factory=list)  # rows that belong to no unit
    notes: dict[str, Any] = field(default_factory=dict)
    # Writes many units in a few statements (each unit still audited); units without `bulk` go one by one.
    bulk_apply: Callable[[list[Unit], str], None] | None = None

    def errors(self) -> list[CellError]:
        found = list(self.loose_errors)
        for unit in self.units:
            found.extend(unit.errors)
            for row in unit.rows:
                found.extend(row.errors)
        found.sort(key=lambda error: (error.sheet, error.row))
        return found


Planner = Callable[[Any, Sequence[SheetData], jobs.Progress], Plan]


@dataclass(frozen=True)
class Importer:
    kind: str
    label_zh: str
    planner: Planner
    optional_sheets: tuple[str, ...] = ()


IMPORTERS: dict[str, Importer] = {}


def read_workbook(data: bytes, filename: str, kind: str) -> list[SheetData]:
    importer = IMPORTERS[kind]
    try:
        workbook = open_workbook(data, filename)
        sheets = []
        for layout in IMPORT_LAYOUTS[kind.removeprefix("import.")]:
            try:
                sheets.append(read_sheet(workbook, layout, filename))
            except WorkbookError:
                if layout.key not in importer.optional_sheets:
                    raise
        return sheets
    except WorkbookError as exc:
        raise ServiceError(exc.message, field="file") from None


def summarise(plan: Plan, sheets: Sequence[SheetData]) -> dict[str, Any]:
    counts = Counter(unit.status for unit in plan.units)
    errors = plan.errors()
    return {
        "counts": {status: counts.get(status, 0) for status in (NEW, CHANGED, UNCHANGED, REFUSED)},
        "rows": sum(len(sheet.rows) for sheet in sheets),
        "sheets": [sheet.sheet for sheet in sheets],
        "error_total": len(errors),
        "errors": [error.as_dict() for error in errors[:REPORTED_ERRORS]],
        "units": [{"label": unit.label, "status": unit.status} for unit in plan.units if unit.status != UNCHANGED][
            :REPORTED_ERRORS
        ],
        **plan.notes,
    }


def error_workbook(plan: Plan, sheets: Sequence[SheetData]) -> bytes:
    """Every row that has an error, as the user wrote it, with the reasons (several sheets: one after the other)."""
    reasons: dict[tuple[str, int], list[str]] = {}
    for error in plan.errors():
        where = f"“{error.column}”" if error.column else ""
        shown = f"（{error.as_dict()['value']}）" if error.value not in (None, "") else ""
        reasons.setdefault((error.sheet, error.row), []).append(f"{where}{shown}{error.reason}")
    headers = list(sheets[0].headers) if sheets else []
    rows: list[tuple[list[Any], str]] = []
    for sheet in sheets:
        for row in sheet.rows:
            found = reasons.get((sheet.sheet, row.number))
            if found:
                label = f"工作表“{sheet.sheet}”第{row.number}行：" if len(sheets) > 1 else ""
                rows.append(([row.number, *row.raw], label + "；".join(found)))
        for (name, number), found in reasons.items():
            if name == sheet.sheet and number <= sheet.header_rows:
                rows.append(([number], "表头：" + "；".join(found)))
    return write_error_workbook(headers, rows)


def run_import(job: Job, progress: jobs.Progress) -> None:
    """The job handler of every import kind: dry run, and with params.commit the all-or-nothing write."""
    importer = IMPORTERS[job.kind]
    progress.phase("读取文件")
    sheets = read_workbook(bytes(job.input_data or b""), job.input_name, job.kind)
    total = sum(len(sheet.rows) for sheet in sheets)
    if total == 0:
        raise ServiceError(f"文件“{job.input_name}”没有数据行", field="file")
    progress.phase("校验", total)
    plan = importer.planner(job.owner, sheets, progress)
    report = summarise(plan, sheets)
    progress.errors = report["error_total"]
    job.report = report
    if report["error_total"]:
        job.result_name = f"错误行-{job.input_name.rsplit('.', 1)[0]}.xlsx"
        job.result_data = error_workbook(plan, sheets)
    if not job.params.get("commit"):
        progress.advance(total)
        return
    if report["error_total"]:
        raise ServiceError(
            f"文件仍有 {report['error_total']} 处错误，全部修正后才能导入；本次未写入任何数据", field="file"
        )
    work = [unit for unit in plan.units if unit.status in (NEW, CHANGED) and unit.apply is not None]
    together = [unit for unit in work if unit.bulk is not None] if plan.bulk_apply is not None else []
    alone = [unit for unit in work if unit.bulk is None or plan.bulk_apply is None]
    progress.phase("写入", len(work))
    reason = f"表格导入：{job.input_name}（任务 {job.pk}）"
    with transaction.atomic(), registry.deferred_tally():
        for start in range(0, len(together), BULK_CHUNK):
            assert plan.bulk_apply is not None
            plan.bulk_apply(together[start : start + BULK_CHUNK], reason)
            progress.advance(min(start + BULK_CHUNK, len(together)))
        for done, unit in enumerate(alone, start=len(together) + 1):
            assert unit.apply is not None
            unit.apply(reason)
            progress.advance(done)
        # The last units may have been written after the last throttled check: one more before committing.
        progress.check_cancel()
    report["committed"] = True
    job.report = report


def register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer
    jobs.register(importer.kind, importer.label_zh, run_import)


def register_jobs() -> None:
    from airgrade.platform.workbooks import emergency_import, grade_history_import, registry_import

    register(Importer("import.emergency_list", "导入应急减排清单", emergency_import.plan))
    register(Importer("import.registry", "导入企业档案", registry_import.plan, optional_sheets=("outlets",)))
    register(Importer("import.grade_history", "导入历年绩效等级", grade_history_import.plan))
