"""Gate-file uploads through the background jobs (issue 11 §2; ADR 0004): a CSV/xlsx/JSON export of one gate device
is a dry-run job (read, every record checked through the real `ingest` inside a transaction that is rolled back:
what would be written, duplicates, flags, and every refused record by file, record, field and reason, with an error
workbook of the refused rows to download), then, from the job page, a commit job that writes the whole file or
nothing. Both jobs are scoped to the site: the owner must be allowed to ingest for it when the job starts and again
when it runs."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction

from airgrade.io.excel.writer import write_error_workbook
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.gates import files, services
from airgrade.platform.gates.models import GateDevice
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job

KIND = "import.gate_file"
LABEL = "导入门禁记录文件"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # as the site page's form
REPORTED_ERRORS = 500
# The file's column names as people write them (the first Chinese alias of each field).
FIELD_LABELS = {key: next(a for a in aliases if not a.isascii()) for key, aliases in files.HEADERS.items()} | {
    "records": "记录",
    "device": "设备",
}


def _device(site: Any, code: str) -> GateDevice:
    if not code or len(code) > 32 or "\x00" in code:
        # Not a device code (PostgreSQL text cannot even hold a NUL): refused before any query.
        raise ServiceError("请填写本厂区门禁设备的编号", field="device")
    device = GateDevice.objects.select_related("site__enterprise").filter(site=site, code=code).first()
    if device is None:
        raise ServiceError(f"本厂区没有编号为 {code} 的门禁设备", field="device")
    if device.revoked_at is not None:
        raise ServiceError(f"设备 {code} 的凭证已吊销，不能再写入记录", field="device")
    return device


def start_upload(user: Any, site_id: int, device_code: str, filename: str, data: bytes, *, enqueue: bool = True) -> Job:
    """Queue a dry run of one device's exported file for a site the caller may ingest for (out of scope: not found)."""
    site = services.get_site(user, site_id, "gates.ingest")
    _device(site, device_code)
    if not data:
        raise ServiceError("请选择要上传的门禁导出文件", field="file")
    if "\x00" in filename:
        raise ServiceError("文件名含有不可保存的字符", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError("文件超过 20 MB，请分批上传", field="file")
    return jobs.start(
        user,
        KIND,
        params={"commit": False, "site_id": site.pk, "device": device_code},
        input_name=filename[:200],
        input_data=data,
        enqueue=enqueue,
    )


def get_upload(user: Any, job_id: int) -> Job:
    """A gate-file upload job the caller may see (its own or, for staff, its region's) whose site the caller may
    still see; any other job, or one out of scope, is "not found"."""
    job = jobs.get_job(user, job_id)
    if job.kind != KIND:
        raise NotFound("任务不存在或不在您的管辖范围内")
    services.get_site(user, int((job.params or {}).get("site_id") or 0))
    return job


def _errors(exc: ServiceError, filename: str, records: list[Any]) -> list[dict[str, Any]]:
    found = []
    for error in exc.errors or [{"row": "", "field": exc.field or "", "message": exc.message}]:
        row = str(error.get("row", ""))
        field = str(error.get("field", ""))
        value = None
        if row.isdigit() and 0 < int(row) <= len(records) and isinstance(records[int(row) - 1], dict):
            value = records[int(row) - 1].get(field)
        found.append(
            {
                "sheet": filename,
                "row": int(row) if row.isdigit() else "",
                "column": FIELD_LABELS.get(field, field),
                "value": None if value is None else str(value),
                "reason": str(error.get("message", "")),
            }
        )
    return found


def _cell(value: Any) -> Any:
    # JSON files may carry NaN / Infinity or nested values: written as the text the user sent, never as a number.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict | list):
        return str(value)
    return value


def error_workbook(table: files.Table, errors: list[dict[str, Any]]) -> bytes:
    """The refused records in the file's own columns (and its own header text), each with a 错误原因 cell naming
    every field and reason of that record; problems of no record (the batch) come last with only the reason."""
    reasons: dict[Any, list[str]] = {}
    for error in errors:
        shown = f"（{error['value']}）" if error.get("value") not in (None, "") else ""
        field = f"“{error['column']}”{shown}：" if error.get("column") else ""
        reasons.setdefault(error["row"], []).append(f"{field}{error['reason']}")
    rows: list[tuple[list[Any], str]] = []
    for number in sorted(row for row in reasons if isinstance(row, int)):
        cells = table.raw[number - 1] if 0 < number <= len(table.raw) else []
        rows.append(([number, *(_cell(value) for value in cells)], "；".join(reasons[number])))
    rows.extend(([], "；".join(found)) for row, found in reasons.items() if not isinstance(row, int))
    return write_error_workbook(table.headers, rows, reason_header="错误原因")


def run_upload(job: Job, progress: jobs.Progress) -> None:
    """The job handler: dry run (params.commit false) or the all-or-nothing write."""
    params = job.params or {}
    site = services.get_site(job.owner, int(params.get("site_id") or 0), "gates.ingest")
    device = _device(site, str(params.get("device") or ""))
    commit = bool(params.get("commit"))
    progress.phase("读取文件")
    table = files.read_table(job.input_name, bytes(job.input_data or b""))
    records = table.records
    if not records:
        raise ServiceError(f"文件“{job.input_name}”没有记录", field="file")
    total = len(records)
    progress.phase("写入" if commit else "校验", total)
    source = f"文件“{job.input_name}”（任务 {job.pk}）"
    accepted = duplicates = flagged = 0
    errors: list[dict[str, Any]] = []
    refused_rows: set[Any] = set()
    with transaction.atomic():
        for start in range(0, total, services.MAX_BATCH):
            part_records = records[start : start + services.MAX_BATCH]
            try:
                with transaction.atomic():
                    part = services.ingest(device, part_records, actor=job.owner, source=source, row_offset=start + 1)
            except ServiceError as exc:
                if commit:
                    raise ServiceError(f"{exc.message}；整个文件未写入", field=exc.field) from None
                found = _errors(exc, job.input_name, records)
                errors.extend(found)
                refused_rows.update(error["row"] for error in found)
            else:
                accepted += part.accepted
                duplicates += part.duplicates
                flagged += part.flagged
            progress.advance(min(start + services.MAX_BATCH, total), len(errors))
        progress.check_cancel()
        if not commit:
            transaction.set_rollback(True)  # a dry run: what would be written is rolled back
    job.report = {
        "counts": {"new": accepted, "changed": 0, "unchanged": duplicates, "refused": len(refused_rows)},
        "rows": total,
        "sheets": [job.input_name],
        "error_total": len(errors),
        "errors": errors[:REPORTED_ERRORS],
        "flagged": flagged,
        "site_id": site.pk,
        "site": f"{site.enterprise.name} {site.name}",
        "device": device.code,
        "committed": commit,
    }
    if errors:
        job.result_name = f"错误行-{job.input_name.rsplit('.', 1)[0]}.xlsx"
        job.result_data = error_workbook(table, errors)
    progress.errors = len(errors)


def register_job() -> None:
    jobs.register(KIND, LABEL, run_upload)
