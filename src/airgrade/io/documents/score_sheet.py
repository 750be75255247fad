"""绿色绩效评分表 (REQ ZZ-1, ZZ-2): an enterprise's score sheet with every indicator, its points and the source of
the value that counted. One content model, two renderings: DOCX (python-docx) and PDF (HTML by headless Chromium)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from .layout import docx_bytes, docx_table, html_table, print_css, set_body_font, signature_block, signature_html
from .pdf import html_to_pdf

INDICATOR_HEADER = ["维度", "类型", "指标", "满分", "得分", "采信数值", "数据来源", "提供人与时间", "不一致的数据"]
DIMENSION_HEADER = ["维度", "得分", "满分"]
SIGNERS = [("企业（盖章）", ""), ("核查专家（签字）", ""), ("评价单位（盖章）", "")]


@dataclass(frozen=True)
class ScoreSheetDocument:
    title: str
    basics: list[tuple[str, str]]
    dimensions: list[list[str]]
    indicators: list[list[str]]
    notes: list[str] = field(default_factory=list)


def render_docx(sheet: ScoreSheetDocument) -> bytes:
    document = Document()
    set_body_font(document)
    heading = document.add_heading(sheet.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading("一、评价结果", level=2)
    docx_table(document, ["项目", "内容"], [list(pair) for pair in sheet.basics])
    document.add_heading("二、各维度得分", level=2)
    docx_table(document, DIMENSION_HEADER, sheet.dimensions)
    document.add_heading("三、逐项得分与数据来源", level=2)
    docx_table(document, INDICATOR_HEADER, sheet.indicators)
    document.add_heading("四、说明", level=2)
    for text in sheet.notes:
        document.add_paragraph(text)
    signature_block(document, SIGNERS)
    return docx_bytes(document, landscape=True, margin_mm=15)


def render_html(sheet: ScoreSheetDocument) -> str:
    parts = [
        f"<h1>{html.escape(sheet.title)}</h1>",
        "<h2>一、评价结果</h2>",
        html_table(["项目", "内容"], [list(pair) for pair in sheet.basics]),
        "<h2>二、各维度得分</h2>",
        html_table(DIMENSION_HEADER, sheet.dimensions),
        "<h2>三、逐项得分与数据来源</h2>",
        html_table(INDICATOR_HEADER, sheet.indicators),
        "<h2>四、说明</h2>" + "".join(f"<p>{html.escape(t)}</p>" for t in sheet.notes),
        signature_html(SIGNERS),
    ]
    style = print_css(landscape=True) + (
        "body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;font-size:10pt}"
        "h1{font-size:16pt;text-align:center}h2{font-size:13pt}"
        "table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #444;padding:3px 4px;"
        "font-size:8.5pt;vertical-align:top}th{background:#eee}"
    )
    return (
        f"<!doctype html><html lang='zh-hans'><head><meta charset='utf-8'><title>{html.escape(sheet.title)}"
        f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )


def render_pdf(sheet: ScoreSheetDocument) -> bytes:
    return html_to_pdf(render_html(sheet))
