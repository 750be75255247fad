"""附件1 (重点行业绩效分级提升目标表) and 附件2 (各省辖市绩效分级提升目标表) of seed 000 as one workbook, with the
seed's headers and the current figures in the columns after them (REQ H21-1)."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.http import HttpResponse

from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.rules.schema import FAMILY_LABELS_ZH

FIGURE_HEADERS = ("当前 A、B 级企业占比 (%)", "参评企业数", "A、B 级企业数", "达到目标尚需企业数", "D 级企业数")


def _at_least(value: float | None) -> str:
    if value is None:
        return "—"
    return f"≥{value:g}"


def _figures(row: dict[str, Any]) -> list[Any]:
    share = row["share_percent"]
    return ["—" if share is None else share, row["total"], row["counted"], row["needed"], row["d_count"]]


def workbook_bytes(report: dict[str, Any]) -> bytes:
    targets = report["targets"] or {}
    year = int(targets.get("year") or report["as_of"][:4])
    families = {row["key"]: row for row in report["families"]}
    industries = {row["key"]: row for row in report["industries"]}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"})
    cell = book.add_format({"border": 1, "valign": "vcenter"})
    merged = book.add_format({"border": 1, "align": "center", "valign": "vcenter"})

    sheet = book.add_worksheet("附件1")
    sheet.write(0, 0, "重点行业绩效分级提升目标表", head)
    headers = ("序号", "重点行业", f"{year - 1} 年 A、B 级企业占比 (%)", f"{year} 年 A、B 级企业占比 (%)")
    extra = ("行业当前 A、B 级企业占比 (%)", "行业参评企业数", "类别当前 A、B 级企业占比 (%)", "类别达到目标尚需企业数")
    for column, title in enumerate(headers + extra):
        sheet.write(1, column, title, head)
    catalogue = [entry for entry in default_rulebook().industries(report["region"]["code"])]
    row_index, number = 2, 1
    for family in FAMILY_LABELS_ZH:
        members = [entry for entry in catalogue if entry.family == family]
        figures = families.get(family)
        if not members and figures is None:
            continue
        # 附件1 row 40 is the provincial industries as one row (省级重点行业); the national families row by industry.
        rows = [("省级重点行业", None)] if family == "local" else [(entry.name_zh, entry.code) for entry in members]
        first = row_index
        for name, code in rows:
            own = industries.get(code) if code else figures
            sheet.write(row_index, 0, number, cell)
            sheet.write(row_index, 1, name, cell)
            sheet.write(row_index, 4, "—" if not own or own["share_percent"] is None else own["share_percent"], cell)
            sheet.write(row_index, 5, own["total"] if own else 0, cell)
            row_index += 1
            number += 1
        last = row_index - 1
        baseline = "—" if not figures or figures["baseline_percent"] is None else figures["baseline_percent"]
        target = _at_least(figures["target_percent"]) if figures else "—"
        share = "—" if not figures or figures["share_percent"] is None else figures["share_percent"]
        needed = figures["needed"] if figures else 0
        for column, value in ((2, baseline), (3, target), (6, share), (7, needed)):
            if last > first:
                sheet.merge_range(first, column, last, column, value, merged)
            else:
                sheet.write(first, column, value, merged)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 7, 16)

    sheet2 = book.add_worksheet("附件2")
    sheet2.write(0, 0, "各省辖市重点行业绩效分级提升目标表", head)
    for column, title in enumerate(("序号", "省辖市", "A、B 级企业占比 (%)", *FIGURE_HEADERS)):
        sheet2.write(1, column, title, head)
    cities = report["parts"] if report["region"]["level"] == "province" else [report["total"]]
    for number, city in enumerate(cities, start=1):
        values = [number, city["label"], _at_least(city["target_percent"]), *_figures(city)]
        for column, value in enumerate(values):
            sheet2.write(number + 1, column, value, cell)
    sheet2.set_column(1, 1, 14)
    sheet2.set_column(2, 7, 16)

    sheet3 = book.add_worksheet("说明")
    notes = [
        f"区域：{report['region']['name']}（{report['region']['code']}），统计日期：{report['as_of']}",
        f"目标依据：{targets.get('document', '无')} {targets.get('section', '')}",
        "计入 A、B 级的等级：" + "、".join(targets.get("counted_grades", [])),
        "城市与全省占比按企业计（跨行业企业按其各行业中较差的等级计一次）；类别与行业占比按企业×行业计。",
    ]
    for index, note in enumerate(notes):
        sheet3.write(index, 0, note)
    sheet3.set_column(0, 0, 100)
    book.close()
    return buffer.getvalue()


def workbook_response(report: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(
        workbook_bytes(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"targets-{report['region']['code']}-{report['as_of']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
