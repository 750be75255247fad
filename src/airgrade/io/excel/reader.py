"""Read a workbook against a layout with python-calamine: find the header row by name (one or two levels), convert
each cell to its column's type and report every bad cell in Chinese (sheet, row, column, value, reason).

Formula cells are read as the value Excel last computed, never as the formula; numbers written as text, thousands
separators, full-width digits, dates as serial numbers or text and units written in the header are accepted.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from python_calamine import CalamineWorkbook

from airgrade.core.errors import AirgradeError
from airgrade.io.excel.spec import BOOLEAN, CHOICE, DATE, INTEGER, NUMBER, Column, Layout, fold, unit_factor

# Header rows are looked for in the first rows only: titles and date lines sit above them, data below.
HEADER_SCAN_ROWS = 12
EXCEL_EPOCH = dt.date(1899, 12, 30)
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", "f", ""}
_NUMBER_NOISE = str.maketrans("", "", ",，_ \u00a0'")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# A leading apostrophe our own writer put before text a spreadsheet would run as a formula (see cells.py).
_NEUTRALISED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


class WorkbookError(AirgradeError):
    """The file as a whole cannot be read (wrong type, password, no matching sheet or header)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    column: str  # the header as written in the file
    value: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": _show(self.value),
            "reason": self.reason,
        }


@dataclass
class Row:
    sheet: str
    number: int
    values: dict[str, Any]
    raw: list[Any]
    errors: list[CellError] = field(default_factory=list)


@dataclass
class SheetData:
    sheet: str
    layout: Layout
    headers: list[str]  # the file's header text per column position (for the error workbook)
    header_rows: int  # how many rows above the data hold the header (title rows included)
    rows: list[Row]


def _show(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def open_workbook(data: bytes, filename: str = "") -> CalamineWorkbook:
    """The workbook, or a clear error for a file that is not a readable spreadsheet."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        # An OLE container: either a legacy .xls or an encrypted (password-protected) .xlsx.
        if "EncryptionInfo".encode("utf-16-le") in data[:65536] or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
            raise WorkbookError(f"文件“{filename}”设置了打开密码，请取消密码保护后重新上传")
    elif data[:4] != b"PK\x03\x04":
        raise WorkbookError(f"文件“{filename}”不是 Excel 工作簿（.xlsx / .xls），请另存为 Excel 格式后上传")
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises its own error types for every malformed file
        raise WorkbookError(f"文件“{filename}”无法读取：文件已损坏或不是 Excel 工作簿") from None


def _text(value: Any) -> str:
    if value.__class__ is str:  # the common case first: most cells of a list are text
        text = value.strip()
        return text[1:] if text.startswith(_NEUTRALISED) else text
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith(_NEUTRALISED):
        text = text[1:]
    return text


def _number(value: Any) -> float:
    if value.__class__ is float and math.isfinite(value):  # a number cell, as most are
        return value
    if isinstance(value, bool):
        raise ValueError("应为数字")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).translate(_NUMBER_NOISE)
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%"))
        except ValueError:
            raise ValueError("应为数字") from None
        if percent:
            number /= 100
    if not math.isfinite(number):
        raise ValueError("应为有限数字")
    return number


def _integer(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise ValueError("应为整数")
    return int(number)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError("应填写“是”或“否”")
    folded = fold(value)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError("应填写“是”或“否”")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError("不是有效的日期")
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise ValueError("不是有效的日期") from None
    raise ValueError("日期格式应为 2024-05-01、2024/5/1 或 2024年5月1日")


def _memoised(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A converter that remembers its answers: choice and 是/否 columns hold a handful of distinct values, read
    again on every row. Errors are not remembered (they are rare and carry the cell's own value)."""
    known: dict[tuple[type, Any], Any] = {}

    def converted(value: Any) -> Any:
        key = (value.__class__, value)
        try:
            return known[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: convert it every time
            return convert(value)
        result = known[key] = convert(value)
        return result

    return converted


def _converter(column: Column, factor: float) -> Callable[[Any], Any]:
    if column.type == NUMBER:
        if factor == 1.0:
            return _number
        return lambda value: _number(value) * factor
    if column.type == INTEGER:
        return _integer
    if column.type == BOOLEAN:
        return _memoised(_boolean)
    if column.type == DATE:
        return _date
    if column.type == CHOICE:
        lookup: dict[str, str] = {}
        for stored, label in column.choices:
            lookup[fold(stored)] = stored
            lookup[fold(label)] = stored
        allowed = "、".join(label for _, label in column.choices)

        def choose(value: Any) -> str:
            found = lookup.get(fold(_text(value)))
            if found is None:
                raise ValueError(f"可选值为：{allowed}")
            return found

        return _memoised(choose)
    return _text


def _filled(row: list[Any]) -> list[str]:
    """A header row with merged cells spread to the right (calamine gives the value in the first cell only)."""
    out: list[str] = []
    last = ""
    for cell in row:
        text = _text(cell)
        last = text or last
        out.append(last)
    return out


def _match_row(rows: list[list[Any]], index: int, layout: Layout) -> dict[int, tuple[Column, str]]:
    found: dict[int, tuple[Column, str]] = {}
    taken: set[str] = set()
    upper = _filled(rows[index - 1]) if index > 0 and layout.two_level else None
    for position, cell in enumerate(rows[index]):
        text = _text(cell)
        candidates = [text]
        if upper is not None and position < len(upper) and upper[position]:
            candidates = [upper[position] + text, text] if text else [upper[position]]
        for candidate in candidates:
            matched = layout.match(candidate)
            if matched is not None and matched[0].key not in taken:
                found[position] = matched
                taken.add(matched[0].key)
                break
    return found


def _header(rows: list[list[Any]], layout: Layout) -> tuple[int, dict[int, tuple[Column, str]]]:
    best_index, best = -1, {}
    for index in range(min(HEADER_SCAN_ROWS, len(rows))):
        found = _match_row(rows, index, layout)
        if len(found) > len(best):
            best_index, best = index, found
    return best_index, best


def read_sheet(workbook: CalamineWorkbook, layout: Layout, filename: str = "") -> SheetData:
    """The rows of the layout's sheet (by name, else the first sheet whose header matches), converted and checked."""
    names = workbook.sheet_names
    preferred = [name for name in names if fold(name) == fold(layout.sheet)] + [
        name for name in names if fold(name) != fold(layout.sheet)
    ]
    chosen: tuple[str, list[list[Any]], int, dict[int, tuple[Column, str]]] | None = None
    for name in preferred:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        index, mapping = _header(rows, layout)
        required = {column.key for column in layout.columns if column.required}
        if mapping and required <= {column.key for column, _ in mapping.values()}:
            chosen = (name, rows, index, mapping)
            break
        if chosen is None and mapping and fold(name) == fold(layout.sheet):
            chosen = (name, rows, index, mapping)
    if chosen is None:
        titles = "、".join(column.title for column in layout.columns if column.required)
        raise WorkbookError(f"文件“{filename}”中找不到“{layout.title}”的表头（须包含：{titles}）")
    name, rows, index, mapping = chosen
    present = {column.key for column, _ in mapping.values()}
    missing = [column.title for column in layout.columns if column.required and column.key not in present]
    if missing:
        raise WorkbookError(f"工作表“{name}”缺少必填列：{'、'.join(missing)}")
    return _convert(name, rows, index, mapping, layout)


def _convert(
    name: str, rows: list[list[Any]], index: int, mapping: dict[int, tuple[Column, str]], layout: Layout
) -> SheetData:
    header_texts = _header_texts(rows, index, layout)
    plan: list[tuple[int, Column, Callable[[Any], Any], str, str]] = []
    header_errors: list[CellError] = []
    for position, (column, unit) in sorted(mapping.items()):
        factor = 1.0
        if unit and column.unit:
            converted = unit_factor(unit, column.unit)
            if converted is None:
                header_errors.append(
                    CellError(
                        name, index + 1, header_texts[position], unit, f"单位与模板（{column.unit}）不一致，无法换算"
                    )
                )
                continue
            factor = converted
        header_unit = unit if column.unit_column and not column.unit else ""
        plan.append((position, column, _converter(column, factor), header_texts[position], header_unit))
    required = [column for column in layout.columns if column.required]
    titles = {column.key: header for _, column, _, header, _ in plan}
    # Column by column rather than row by row: one converter over a column's cells is a tight loop, and 100,000
    # rows × 40 columns is millions of cells (benchmarks/workbook_import.py).
    data: list[tuple[int, list[Any]]] = [
        (offset, raw)
        for offset, raw in enumerate(rows[index + 1 :], start=index + 2)
        # A row is empty when every cell is; most rows are told apart by their first cell without the scan.
        if (raw and raw[0] is not None and raw[0] != "") or any(cell not in (None, "") for cell in raw)
    ]
    values_of: list[dict[str, Any]] = [{} for _ in data]
    errors_of: list[list[CellError]] = [[] for _ in data]
    failed: set[tuple[int, str]] = set()
    header_units: list[tuple[str, str]] = []
    for position, column, convert, header, header_unit in plan:
        key = column.key
        if header_unit:
            header_units.append((column.unit_column, header_unit))
        cells = [raw[position] if position < len(raw) else None for _, raw in data]
        if convert is _text:  # the commonest column: inlined, no call per cell
            for number, cell in enumerate(cells):
                if cell.__class__ is str:
                    text = cell.strip()
                    if text:
                        values_of[number][key] = text[1:] if text.startswith(_NEUTRALISED) else text
                elif cell is not None and cell != "":
                    values_of[number][key] = _text(cell)
            continue
        numbers = convert is _number
        for number, cell in enumerate(cells):
            if numbers and cell.__class__ is float and math.isfinite(cell):
                values_of[number][key] = cell
                continue
            if cell is None or cell == "" or (cell.__class__ is str and cell.isspace()):
                continue
            try:
                values_of[number][key] = convert(cell)
            except ValueError as exc:
                errors_of[number].append(CellError(name, data[number][0], header, cell, str(exc)))
                failed.add((number, key))
    out: list[Row] = []
    for number, (offset, raw) in enumerate(data):
        values, errors = values_of[number], errors_of[number]
        # A unit written in a header fills the row's unit column when the row leaves it empty.
        for unit_column, header_unit in header_units:
            if not values.get(unit_column):
                values[unit_column] = header_unit
        for column in required:
            if column.key not in values and (number, column.key) not in failed:
                errors.append(CellError(name, offset, titles.get(column.key, column.title), None, "必填项为空"))
        out.append(Row(name, offset, values, raw, errors))  # the row as read, not copied: 100,000 rows
    if header_errors and out:
        out[0].errors[:0] = header_errors
    return SheetData(name, layout, header_texts, index + 1, out)


def _header_texts(rows: list[list[Any]], index: int, layout: Layout) -> list[str]:
    lower = [_text(cell) for cell in rows[index]]
    if index > 0 and layout.two_level:
        upper = _filled(rows[index - 1])
        return [
            (f"{upper[i]}·{text}" if text and i < len(upper) and upper[i] and upper[i] != text else text or upper[i])
            if i < len(upper)
            else text
            for i, text in enumerate(lower)
        ]
    return lower
