"""附件3 of seed 000 as an .xlsx workbook: title, date line, the exact column headings, one row per enterprise × industry."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from airgrade.core.grading.improvement import COLUMNS, Row
from airgrade.io.excel.cells import neutralise_cell

TITLE = "重点行业绩效分级提升企业清单"
WIDTHS = (6, 10, 12, 28, 16, 14, 9, 11, 36, 60, 30, 14, 20)
WRAPPED = {"企业名称", "差异化指标", "存在问题", "改造措施", "备注"}


def write_improvement_list(rows: Sequence[Row], on: dt.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "绩效提升企业清单"
    last = get_column_letter(len(COLUMNS))
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = TITLE
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet["A2"] = f"日期：{on.year} 年 {on.month} 月 {on.day} 日"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, heading in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=3, column=index, value=heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[index - 1]
    for offset, row in enumerate(rows):
        for index, (heading, value) in enumerate(zip(COLUMNS, row.values, strict=True), start=1):
            typed: int | str | None = int(value) if heading == "序号" else (value or None)
            cell = sheet.cell(row=4 + offset, column=index, value=neutralise_cell(typed))
            cell.alignment = Alignment(vertical="top", wrap_text=heading in WRAPPED)
            cell.border = border
    sheet.freeze_panes = "A4"
    sheet.auto_filter.ref = f"A3:{last}{max(3, 3 + len(rows))}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
