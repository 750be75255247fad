"""What every generated document shares so it can be filed: A4 pages, page numbers (第 X 页 共 Y 页), a
signature and seal block, and numbers in fixed notation with thousands separators (never 1.9037e+06)."""

from __future__ import annotations

import html
import io
from decimal import Decimal
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

A4 = (Mm(210), Mm(297))


def fixed(value: float | int | Decimal | None, decimals: int = 4) -> str:
    """1903700.0 → '1,903,700'; 0.000123 → '0.0001'; at most `decimals` places, trailing zeros dropped."""
    if value is None:
        return "—"
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if not number.is_finite():
        return "—"
    text = f"{number:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def a4(document: Any, *, landscape: bool = False, margin_mm: int = 20) -> None:
    """Every section on A4 (python-docx's template is US Letter)."""
    width, height = A4
    for section in document.sections:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (height, width) if landscape else (width, height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(margin_mm))


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when the document is shown or printed."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def page_numbers(document: Any) -> None:
    """A centred footer 第 X 页 共 Y 页 on every page."""
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run("第 ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" 页 共 ")
        _field(paragraph, "NUMPAGES")
        paragraph.add_run(" 页")


def signature_block(document: Any, signers: list[tuple[str, str]], date_text: str = "") -> None:
    """The block a filed document ends with: one row per signer (role, name if known) with room for the seal,
    and the date."""
    document.add_paragraph()
    table = document.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    for role, name in signers:
        cells = table.add_row().cells
        cells[0].text = role
        cells[1].text = f"签字：{name}" if name else "签字："
        cells[2].text = "（盖章）"
    paragraph = document.add_paragraph(f"日期：{date_text or '    年    月    日'}")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def print_css(*, landscape: bool = False) -> str:
    """Printed HTML (PDF through Chromium): A4 and the page number in the bottom margin."""
    size = "A4 landscape" if landscape else "A4"
    return (
        f"@page{{size:{size};margin:14mm 14mm 18mm;"
        "@bottom-center{content:'第 ' counter(page) ' 页 共 ' counter(pages) ' 页';font-size:9pt}}"
        "table.signature{border-collapse:collapse;width:70%;margin:18px 0 6px auto}"
        "table.signature td{border:1px solid #444;padding:10px 6px}td.seal{width:30%;color:#666}"
    )


def signature_html(signers: list[tuple[str, str]], date_text: str = "") -> str:
    import html

    rows = "".join(
        f"<tr><td>{html.escape(role)}</td><td>签字：{html.escape(name)}</td><td class='seal'>（盖章）</td></tr>"
        for role, name in signers
    )
    return (
        f"<table class='signature'><tbody>{rows}</tbody></table>"
        f"<p style='text-align:right'>日期：{html.escape(date_text) or '&emsp;&emsp;年&emsp;&emsp;月&emsp;&emsp;日'}</p>"
    )


# Debian's fonts-noto-cjk (installed by make): Word and LibreOffice show the Chinese text in it, not a fallback.
FONT = "Noto Sans CJK SC"


def set_body_font(document: Any) -> None:
    """Body text in the CJK font at 10 pt (the East Asian font is a separate attribute in Word's XML)."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def docx_table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    """A ruled table with a bold header row."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def docx_bytes(document: Any, *, landscape: bool = False, margin_mm: int = 20) -> bytes:
    """The finished document: A4, page numbers in the footer, saved to bytes."""
    a4(document, landscape=landscape, margin_mm=margin_mm)
    page_numbers(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def html_table(header: list[str], rows: list[list[str]]) -> str:
    """The same table for the printable HTML (and the PDF made from it), every cell escaped."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
