"""Write workbooks from layouts with XlsxWriter (constant-memory mode, so a 100,000-row list streams to disk): the
data export, the blank template with its instructions sheet, and the error workbook of a dry run.

Every text cell passes through `cells.neutralise_cell` so nothing we write runs as a formula in Excel or WPS.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from airgrade.io.excel.cells import neutralise_cell
from airgrade.io.excel.spec import BOOLEAN, CHOICE, DATE, TYPE_LABELS, Column, Layout

PROVENANCE_OFFICIAL = "列名与顺序取自公开的官方文件：{source}"
PROVENANCE_DERIVED = (
    "国家/省级统一模板未公开发布，本表列名与顺序由本平台依据 {source} 的文字整理，"
    "与贵单位收到的正式模板如有出入，以正式模板为准；导入时按列名识别，常见的列名写法均可识别。"
)


@dataclass
class SheetSpec:
    """One sheet to write: a layout and its rows (dicts keyed by column key), with an optional title block."""

    layout: Layout
    rows: Iterable[dict[str, Any]]
    title: str = ""
    subtitle: str = ""
    errors: dict[int, str] | None = None  # row index → error text (error workbook)


def cell_value(column: Column, value: Any) -> Any:
    """The value as written into the sheet: labels for choices, 是/否 for flags, text neutralised."""
    if value is None or value == "":
        return None
    if column.type == CHOICE:
        value = column.label_of(value)
    elif column.type == BOOLEAN:
        return "是" if value else "否"
    elif column.type == DATE and isinstance(value, dt.datetime):
        return value.date()
    return neutralise_cell(value)


def provenance(layout: Layout) -> str:
    template = PROVENANCE_OFFICIAL if layout.official else PROVENANCE_DERIVED
    return template.format(source=layout.source or "相关文件")


def write_workbook(sheets: Sequence[SheetSpec], *, instructions: bool = False) -> bytes:
    """The workbook as .xlsx bytes (streamed through a temporary file: constant memory for large exports)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        book = xlsxwriter.Workbook(handle.name, {"constant_memory": True, "strings_to_formulas": False})
        styles = _styles(book)
        for spec in sheets:
            _write_sheet(book, styles, spec)
        if instructions:
            _write_instructions(book, styles, [spec.layout for spec in sheets])
        book.close()
        handle.seek(0)
        return handle.read()


def _styles(book: Any) -> dict[str, Any]:
    border = {"border": 1, "valign": "vcenter"}
    return {
        "title": book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "header": book.add_format(
            {**border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#E8EEF4"}
        ),
        "required": book.add_format(
            {**border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#FCE4D6"}
        ),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "error": book.add_format({"font_color": "#C00000", "text_wrap": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _write_sheet(book: Any, styles: dict[str, Any], spec: SheetSpec) -> None:
    layout = spec.layout
    sheet = book.add_worksheet(layout.sheet[:31])
    columns = layout.columns
    last = len(columns) - 1 + (1 if spec.errors is not None else 0)
    row = 0
    if spec.title:
        sheet.merge_range(row, 0, row, max(last, 1), spec.title, styles["title"])
        sheet.set_row(row, 28)
        row += 1
    if spec.subtitle:
        sheet.write_string(row, 0, spec.subtitle)
        row += 1
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    header_style = styles["header"]
    if layout.two_level:
        # Constant-memory mode writes rows in order: the whole upper row first (groups merged across their
        # columns, ungrouped titles in the upper cell), then the sub-headers below the groups.
        start = 0
        spans: list[tuple[int, int]] = []
        while start < len(columns):
            group = columns[start].group
            end = start
            while end + 1 < len(columns) and group and columns[end + 1].group == group:
                end += 1
            if group and end > start:
                sheet.merge_range(row, start, row, end, group, header_style)
            else:
                sheet.write_string(row, start, group or columns[start].title, _style(styles, columns[start]))
            if group:
                spans.append((start, end))
            start = end + 1
        if spec.errors is not None:
            sheet.write_string(row, len(columns), "错误说明", header_style)
        for start, end in spans:
            for index in range(start, end + 1):
                sheet.write_string(row + 1, index, columns[index].title, _style(styles, columns[index]))
        header_rows = 2
    else:
        for index, column in enumerate(columns):
            sheet.write_string(row, index, column.title, _style(styles, column))
        header_rows = 1
    if spec.errors is not None:
        sheet.set_column(len(columns), len(columns), 60)
        if header_rows == 1:
            sheet.write_string(row, len(columns), "错误说明", header_style)
    row += header_rows
    sheet.freeze_panes(row, 0)
    first_data = row
    for position, values in enumerate(spec.rows):
        for index, column in enumerate(columns):
            value = cell_value(column, values.get(column.key))
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(row, index, dt.datetime.combine(value, dt.time()), styles["date"])
            elif isinstance(value, bool):
                sheet.write_string(row, index, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(row, index, value)
            else:
                sheet.write_string(row, index, str(value))
        if spec.errors is not None and position in spec.errors:
            sheet.write_string(row, len(columns), neutralise_cell(spec.errors[position]), styles["error"])
        row += 1
    sheet.autofilter(first_data - 1, 0, max(first_data - 1, row - 1), last)


def _style(styles: dict[str, Any], column: Column) -> Any:
    return styles["required"] if column.required else styles["header"]


def _write_instructions(book: Any, styles: dict[str, Any], layouts: Sequence[Layout]) -> None:
    sheet = book.add_worksheet("填写说明")
    widths = (26, 10, 12, 8, 50, 50)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    row = 0
    for layout in layouts:
        sheet.merge_range(row, 0, row, len(widths) - 1, f"{layout.title}（工作表“{layout.sheet}”）", styles["title"])
        row += 1
        sheet.merge_range(row, 0, row, len(widths) - 1, provenance(layout), styles["wrap"])
        sheet.set_row(row, 48)
        row += 1
        if layout.note:
            sheet.merge_range(row, 0, row, len(widths) - 1, layout.note, styles["wrap"])
            sheet.set_row(row, 32)
            row += 1
        for index, heading in enumerate(("列名", "类型", "单位", "必填", "可选值 / 说明", "也可识别的列名")):
            sheet.write_string(row, index, heading, styles["header"])
        row += 1
        for column in layout.columns:
            allowed = "、".join(label for _, label in column.choices)
            note = "；".join(part for part in (allowed and f"可选：{allowed}", column.note) if part)
            sheet.write_string(row, 0, (f"{column.group}·" if column.group else "") + column.title)
            sheet.write_string(row, 1, TYPE_LABELS[column.type])
            sheet.write_string(row, 2, column.unit)
            sheet.write_string(row, 3, "是" if column.required else "")
            sheet.write_string(row, 4, note, styles["wrap"])
            sheet.write_string(row, 5, "、".join(column.aliases), styles["wrap"])
            row += 1
        row += 1


def write_template(layouts: Sequence[Layout], examples: dict[str, list[dict[str, Any]]] | None = None) -> bytes:
    """A blank template (headers, an optional example row) with the 填写说明 sheet."""
    examples = examples or {}
    return write_workbook([SheetSpec(layout, examples.get(layout.key, [])) for layout in layouts], instructions=True)


def write_error_workbook(
    headers: Sequence[str], rows: Iterable[tuple[list[Any], str]], *, reason_header: str = "错误说明"
) -> bytes:
    """The refused rows as the user sent them (their own headers), with the reasons in a last column (错误说明)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    styles = _styles(book)
    sheet = book.add_worksheet("错误行")
    sheet.write_string(0, 0, "行号", styles["header"])
    for index, header in enumerate(headers, start=1):
        sheet.write_string(0, index, neutralise_cell(str(header or "")), styles["header"])
        sheet.set_column(index, index, 14)
    error_col = len(headers) + 1
    sheet.write_string(0, error_col, reason_header, styles["header"])
    sheet.set_column(error_col, error_col, 70)
    for offset, (raw, reason) in enumerate(rows, start=1):
        for index, value in enumerate(raw, start=0):
            if value is None or value == "":
                continue
            if index == 0:
                sheet.write_number(offset, 0, value)
                continue
            if isinstance(value, bool):
                sheet.write_string(offset, index, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(offset, index, value)
            elif isinstance(value, dt.datetime | dt.date):
                sheet.write_string(offset, index, value.isoformat())
            else:
                sheet.write_string(offset, index, str(neutralise_cell(str(value))))
        sheet.write_string(offset, error_col, neutralise_cell(reason), styles["error"])
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
