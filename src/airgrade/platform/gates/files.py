"""Gate export files → records of the vendor-neutral format (docs/gates.md): JSON, CSV (UTF-8 or GBK) or xlsx, with
Chinese or English headers matched by name (the workbook reader's folding and calamine, issue 10)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from airgrade.io import csvtext
from airgrade.io.excel.reader import WorkbookError, open_workbook
from airgrade.io.excel.spec import fold
from airgrade.platform.errors import ServiceError

MAX_ROWS = 200_000
HEADERS = {
    "seq": ("seq", "sequence", "序号", "流水号", "记录序号"),
    "plate": ("plate", "车牌号", "车牌号码", "号牌号码"),
    "plate_colour": ("plate_colour", "车牌颜色", "号牌颜色"),
    "direction": ("direction", "方向", "进出方向", "进出"),
    "time": ("time", "passed_at", "通行时间", "时间", "过车时间"),
    "lane": ("lane", "车道"),
    "photo_hash": ("photo_hash", "照片哈希"),
    "stage": ("stage", "排放阶段", "排放标准"),
    "cargo": ("cargo", "货物", "货物名称"),
    "tonnage": ("tonnage", "载重", "货物重量", "载重(吨)"),
    "result": ("result", "结果", "放行结果"),
    "corrects": ("corrects", "更正序号", "补录更正序号"),
}


@dataclass
class Table:
    """A file's records with what the user wrote: its header row and each record's own cells (blank rows dropped,
    so `raw[i]` is record i + 1), for the error workbook."""

    headers: list[str]
    raw: list[list[Any]]
    records: list[Any]


def _header(
    rows: list[list[Any]], filename: str, headers: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> list[str | None]:
    """Each header cell's field (None for a column the layout does not know); refused when a required one is absent."""
    if not rows:
        raise ServiceError(f"文件“{filename}”是空的", field="file")
    by_header = {fold(alias): key for key, aliases in headers.items() for alias in aliases}
    header = [by_header.get(fold(cell)) for cell in rows[0]]
    missing = [headers[key][1] for key in required if key not in header]
    if missing:
        raise ServiceError(f"文件“{filename}”缺少列：{'、'.join(missing)}", field="file")
    return header


def _table_from_rows(rows: list[list[Any]], filename: str) -> Table:
    header = _header(rows, filename, HEADERS, ("seq", "plate", "direction", "time"))
    if len(rows) - 1 > MAX_ROWS:
        raise ServiceError(f"文件“{filename}”超过 {MAX_ROWS} 行，请分批上传", field="file")
    records = []
    raw = []
    for row in rows[1:]:
        if not any(str(cell).strip() for cell in row if cell is not None):
            continue
        raw.append(list(row))
        record: dict[str, Any] = {}
        for key, cell in zip(header, row, strict=False):
            if key is None or cell in (None, ""):
                continue
            if isinstance(cell, float) and cell.is_integer():
                cell = int(cell)
            if isinstance(cell, dt.datetime):
                cell = cell.isoformat()
            record[key] = cell
        records.append(record)
    return Table(["" if cell is None else str(cell) for cell in rows[0]], raw, records)


def _table_from_json(records: list[Any]) -> Table:
    # The file's own keys, in the order they first appear, are its columns.
    headers: list[str] = []
    for record in records:
        if isinstance(record, dict):
            headers.extend(str(key) for key in record if str(key) not in headers)
    raw = [
        [record.get(key) for key in headers] if isinstance(record, dict) else [json.dumps(record, ensure_ascii=False)]
        for record in records
    ]
    return Table(headers, raw, records)


def _json_list(filename: str, data: bytes, key: str, label: str) -> list[Any]:
    """A JSON file's array, given bare or as {key: [...]}."""
    try:
        loaded = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ServiceError(f"文件“{filename}”不是 UTF-8 JSON", field="file") from None
    items = loaded.get(key) if isinstance(loaded, dict) else loaded
    if not isinstance(items, list):
        raise ServiceError(f'文件“{filename}”应为{label}数组或 {{"{key}": [...]}}', field="file")
    return items


def _csv_rows(filename: str, data: bytes) -> list[list[str]]:
    text = csvtext.decode(data)
    if text is None:
        raise ServiceError(f"文件“{filename}”编码无法识别（应为 UTF-8 或 GBK）", field="file")
    try:
        return csvtext.rows(text)
    except csvtext.CsvLineError as exc:  # a cell beyond csv's field size limit
        raise ServiceError(f"文件“{filename}”第 {exc.line} 行无法按 CSV 读取（{exc.reason}）", field="file") from None


# A video system's export of clip references (docs/gates.md): the API's fields, under English or Chinese headers.
VIDEO_HEADERS = {
    "place": ("place", "位置", "装卸位置", "点位"),
    "started_at": ("started_at", "开始时间", "起始时间"),
    "ended_at": ("ended_at", "结束时间", "截止时间"),
    "uri": ("uri", "存储位置", "视频地址"),
    "sha256": ("sha256", "SHA-256", "文件哈希"),
}


def read_videos(filename: str, data: bytes) -> list[Any]:
    """The clip references of a video system's file: JSON (an array or {"videos": [...]}) or CSV with the API's
    fields as columns; each reference is checked by `services.record_videos` like one posted to the API."""
    name = filename.lower()
    if name.endswith(".json"):
        return _json_list(filename, data, "videos", "视频索引")
    if not name.endswith(".csv"):
        raise ServiceError(f"文件“{filename}”的格式不支持（应为 .json 或 .csv）", field="file")
    rows = _csv_rows(filename, data)
    header = _header(rows, filename, VIDEO_HEADERS, ("place", "started_at", "ended_at", "uri"))
    return [
        {key: cell for key, cell in zip(header, row, strict=False) if key is not None and cell != ""}
        for row in rows[1:]
        if any(cell.strip() for cell in row)
    ]


def read_records(filename: str, data: bytes) -> list[Any]:
    """The records of one file; a file that cannot be read is refused naming the file and why."""
    return read_table(filename, data).records


def read_table(filename: str, data: bytes) -> Table:
    """The records of one file with its own columns and cells; unreadable → refused naming the file and why."""
    name = filename.lower()
    if name.endswith(".json"):
        return _table_from_json(_json_list(filename, data, "records", "记录"))
    if name.endswith(".csv"):
        return _table_from_rows(_csv_rows(filename, data), filename)
    if name.endswith((".xlsx", ".xls")):
        try:
            workbook = open_workbook(data, filename)
            sheet = workbook.get_sheet_by_index(0).to_python()
        except WorkbookError as exc:
            raise ServiceError(exc.message, field="file") from None
        return _table_from_rows([list(row) for row in sheet], filename)
    raise ServiceError(f"文件“{filename}”的格式不支持（应为 .json、.csv 或 .xlsx）", field="file")
