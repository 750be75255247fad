"""Monitoring and electricity files (CSV or xlsx) read into checked rows; every bad cell named by row, column, reason.

Two layouts, matched by header name (NFKC-folded, aliases accepted), not by position:

- 在线监测 (hourly, per outlet and pollutant): 统一社会信用代码*, 厂区, 排放口编号*, 监测时间*, 污染物*,
  排放速率（kg/h）, 折算浓度（mg/m³）, 标干流量（m³/h）, 状态标记 (正常 / 停运 / 维护 / 数据缺失; blank = 正常).
- 用电量 (15-minute or hourly, per meter): 统一社会信用代码*, 厂区, 电表编号*, 计量时间*, 时段（分钟）* (15 or 60),
  用电量（kWh）, 状态标记.

A unit written in the header must be the layout's (kg/h, kWh); anything else is refused, never guessed.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineWorkbook

from airgrade.core.verification import ReadingStatus
from airgrade.io import csvtext

MONITORING = "monitoring"
ELECTRICITY = "electricity"
KIND_LABELS = {MONITORING: "在线监测数据", ELECTRICITY: "用电量数据"}
MAX_ROWS = 200_000  # per file through the API and a page's direct upload
BULK_MAX_ROWS = 5_000_000  # per file through the bulk path (CLI, background import jobs)
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    unit: str = ""  # the only unit a header may carry


COLUMNS: dict[str, tuple[Column, ...]] = {
    MONITORING: (
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), True),
        Column("site", "厂区", ("厂区名称",)),
        Column("point", "排放口编号", ("排口编号", "监测点位编号", "点位编号"), True),
        Column("at", "监测时间", ("时间", "数据时间"), True),
        Column("pollutant", "污染物", ("监测因子", "因子"), True),
        Column("value", "排放速率", ("排放量", "小时排放量"), False, "kg/h"),
        Column("concentration", "折算浓度", ("浓度", "实测浓度"), False, "mg/m3"),
        Column("flow", "标干流量", ("流量", "废气流量"), False, "m3/h"),
        Column("status", "状态标记", ("数据标记", "标记", "状态")),
    ),
    ELECTRICITY: (
        Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), True),
        Column("site", "厂区", ("厂区名称",)),
        Column("point", "电表编号", ("计量点编号", "户号", "表号"), True),
        Column("at", "计量时间", ("时间", "数据时间", "开始时间"), True),
        Column("minutes", "时段", ("时段分钟", "间隔", "间隔分钟"), True, "分钟"),
        Column("value", "用电量", ("电量", "有功电量"), False, "kWh"),
        Column("status", "状态标记", ("数据标记", "标记", "状态")),
    ),
}

POLLUTANTS = {
    "so2": "SO2",
    "二氧化硫": "SO2",
    "nox": "NOx",
    "氮氧化物": "NOx",
    "pm": "PM",
    "颗粒物": "PM",
    "烟尘": "PM",
    "vocs": "VOCs",
    "挥发性有机物": "VOCs",
    "非甲烷总烃": "VOCs",
    "nmhc": "VOCs",
}
STATUSES = {
    "": ReadingStatus.NORMAL,
    "正常": ReadingStatus.NORMAL,
    "n": ReadingStatus.NORMAL,
    "normal": ReadingStatus.NORMAL,
    "停运": ReadingStatus.STOPPED,
    "停产": ReadingStatus.STOPPED,
    "f": ReadingStatus.STOPPED,
    "stopped": ReadingStatus.STOPPED,
    "维护": ReadingStatus.MAINTENANCE,
    "校准": ReadingStatus.MAINTENANCE,
    "m": ReadingStatus.MAINTENANCE,
    "c": ReadingStatus.MAINTENANCE,
    "maintenance": ReadingStatus.MAINTENANCE,
    "数据缺失": ReadingStatus.MISSING,
    "缺失": ReadingStatus.MISSING,
    "d": ReadingStatus.MISSING,
    "missing": ReadingStatus.MISSING,
}
INTERVALS = (15, 60)
_UNIT_IN_HEADER = re.compile(r"^(.*?)[(（]\s*(.+?)\s*[)）]$")
_TIME_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?时?$")


def fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s*：:]", "", folded).replace("³", "3")


@dataclass
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def text(self, file_name: str) -> str:
        where = f"第 {self.row} 行" if self.row else "表头"
        column = f"“{self.column}”列" if self.column else ""
        return f"{file_name}：{where}{column}：{self.reason}"


@dataclass
class ParsedFile:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_cells(file_name: str, content: bytes) -> list[list[Any]]:
    """The first sheet of an xlsx, or the CSV's rows (UTF-8 or GB18030); ValueError when the file cannot be read."""
    return _cells(file_name, content)


def _cells(file_name: str, content: bytes) -> list[list[Any]]:
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            return [list(row) for row in workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)]
        except Exception as exc:  # calamine raises its own types for damaged or protected files
            raise ValueError(f"{file_name}：无法读取的工作簿（{type(exc).__name__}）") from None
    text = csvtext.decode(content)
    if text is None:
        raise ValueError(f"{file_name}：文件既不是 UTF-8 也不是 GB18030 编码的 CSV")
    if "\x00" in text:
        raise ValueError(f"{file_name}：文件含有空字符，不是文本 CSV")
    try:
        return csvtext.rows(text)
    except csvtext.CsvLineError as exc:  # a cell beyond csv's field size limit
        raise ValueError(f"{file_name}：第 {exc.line} 行无法按 CSV 读取（{exc.reason}）") from None


def _header_map(kind: str, header: list[Any], errors: list[RowError]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = fold(str(cell or ""))
        unit = ""
        match = _UNIT_IN_HEADER.match(text)
        if match:
            text, unit = match.group(1), match.group(2)
        for column in COLUMNS[kind]:
            names = {fold(column.header), *(fold(alias) for alias in column.aliases)}
            if text in names and column.key not in found:
                if unit and column.unit and fold(unit) != fold(column.unit):
                    errors.append(
                        RowError(0, str(cell), unit, f"单位须为 {column.unit}（收到 {unit}），请换算后再导入")
                    )
                found[column.key] = index
                break
    for column in COLUMNS[kind]:
        if column.required and column.key not in found:
            errors.append(RowError(0, column.header, "", f"缺少必填列“{column.header}”"))
    return found


def parse_time(value: Any) -> dt.datetime | None:
    """A local (Beijing) wall-clock time from a cell: a datetime, an Excel serial, or text such as 2026-11-20 13:00."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or not 1 < value < 200_000:
            return None
        moment = EXCEL_EPOCH + dt.timedelta(days=float(value))
        return (moment + dt.timedelta(seconds=30)).replace(second=0, microsecond=0)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = _TIME_TEXT.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _number(value: Any) -> float | str | None:
    """A finite number, None for an empty cell, or the reason it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "须为数字"
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond float, from a data feed's JSON
            return "数值过大"
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return "须为数字"
    if not math.isfinite(number):
        return "须为有限的数字"
    if number < 0:
        return "不能为负数"
    if number > 1e12:
        return "数值过大"
    return number


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


def parse_file(
    kind: str,
    file_name: str,
    content: bytes,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    max_rows: int = MAX_ROWS,
) -> ParsedFile:
    """Every row checked; rows with an error are left out and reported. A whole-file problem raises ValueError."""
    if kind not in COLUMNS:
        raise ValueError(f"未知的数据类别：{kind}")
    return parse_cells(
        kind, file_name, read_cells(file_name, content), date_from=date_from, date_to=date_to, max_rows=max_rows
    )


def parse_cells(
    kind: str,
    file_name: str,
    cells: list[list[Any]],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    max_rows: int = MAX_ROWS,
) -> ParsedFile:
    """A table (header row first) checked row by row: the file reader's and the data feed's common path."""
    parsed = ParsedFile(kind)
    if not cells:
        raise ValueError(f"{file_name}：文件为空")
    if len(cells) - 1 > max_rows:
        raise ValueError(f"{file_name}：超过 {max_rows} 行，请分文件导入")
    columns = _header_map(kind, cells[0], parsed.errors)
    if parsed.errors:
        return parsed
    headers = {column.key: _text(cells[0][columns[column.key]]) for column in COLUMNS[kind] if column.key in columns}
    for number, raw in enumerate(cells[1:], start=2):
        if all(_text(cell) == "" for cell in raw):
            continue

        def cell(key: str, raw: list[Any] = raw) -> Any:
            index = columns.get(key)
            return raw[index] if index is not None and index < len(raw) else None

        row_errors: list[RowError] = []

        def fail(key: str, value: Any, reason: str, errors: list[RowError] = row_errors, row: int = number) -> None:
            errors.append(RowError(row, headers.get(key, key), _text(value)[:40], reason))

        row: dict[str, Any] = {"row": number}
        for key in ("credit_code", "point"):
            text = _text(cell(key))
            if not text:
                fail(key, "", "不能为空")
            row[key] = text.upper() if key == "credit_code" else text[:40]
        row["site"] = _text(cell("site"))[:200]
        at = parse_time(cell("at"))
        if at is None:
            fail("at", cell("at"), "无法识别的时间（应如 2026-11-20 13:00）")
        elif (date_from and at.date() < date_from) or (date_to and at.date() > date_to):
            fail("at", cell("at"), f"时间超出本文件申报的范围 {date_from or '…'} 至 {date_to or '…'}")
        if kind == MONITORING:
            minutes = 60
            pollutant = POLLUTANTS.get(fold(_text(cell("pollutant"))))
            if pollutant is None:
                fail("pollutant", cell("pollutant"), "污染物须为二氧化硫、氮氧化物、颗粒物或挥发性有机物")
            row["pollutant"] = pollutant or ""
        else:
            minutes_value = _number(cell("minutes"))
            if not isinstance(minutes_value, float) or int(minutes_value) not in INTERVALS:
                fail("minutes", cell("minutes"), "时段须为 15 或 60 分钟")
                minutes = 60
            else:
                minutes = int(minutes_value)
            row["pollutant"] = ""
        if at is not None and (at.second or at.minute % minutes):
            fail("at", cell("at"), f"时间须对齐到 {minutes} 分钟时段的起点")
        row["at"], row["minutes"] = at, minutes
        status = STATUSES.get(fold(_text(cell("status"))))
        if status is None:
            fail("status", cell("status"), "状态标记须为 正常、停运、维护 或 数据缺失")
        row["status"] = (status or ReadingStatus.NORMAL).value
        for key in ("value", "concentration", "flow") if kind == MONITORING else ("value",):
            value = _number(cell(key))
            if isinstance(value, str):
                fail(key, cell(key), value)
                value = None
            row[key] = value
        if status is ReadingStatus.NORMAL and row.get("value") is None and not row_errors:
            fail("value", "", "状态为正常时须填写数值")
        if row_errors:
            parsed.errors.extend(row_errors)
        else:
            parsed.rows.append(row)
    return parsed
