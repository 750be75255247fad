"""The 申请报告 (application report, LC-3 附件1 outline) or, for the lowest grade, the 申请表 (附件2), generated as
DOCX from the declaration's data. The seed gives only the outline's purpose, not its headings, so the report
follows the guide's chapter order (适用范围, 生产工艺, 产排环节, 绩效分级指标) and says where data is missing."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.shared import Pt

from airgrade.core.industries import industry_by_code
from airgrade.io.documents.layout import a4, fixed, page_numbers, signature_block
from airgrade.platform.labels import grade_label

COMMITMENT_TEXT = (
    "本企业承诺：所提交的绩效分级申报材料及证明文件真实、准确、完整，可追溯；"
    "重污染天气预警期间严格落实应急减排措施；如有弄虚作假、隐瞒情况，"
    "自愿接受按最低等级管理、一年内不得申报、纳入企业诚信档案等处理。"
)  # REQ LC-3, LC-13, SJZ-3


def _industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


def build_document(declaration: Any, *, lowest: bool) -> bytes:
    """Render the document (A4, page numbers, signature and seal block); `lowest` selects the 申请表 for a
    self-declared lowest grade."""
    from airgrade.platform.declarations.review import review_items

    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(11)
    enterprise = declaration.enterprise
    site = declaration.site
    # Style objects looked up once: python-docx resolves a style *name* by scanning every style per paragraph.
    bullet, bullet_2 = doc.styles["List Bullet"], doc.styles["List Bullet 2"]
    title = "重点行业企业绩效分级申请表" if lowest else "重点行业企业绩效分级申请报告"
    doc.add_heading(title, level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in [
        ("申报编号", declaration.number),
        ("企业名称", enterprise.name),
        ("统一社会信用代码", enterprise.credit_code),
        ("厂区", site.name),
        ("所在区划", site.region.full_name()),
        ("地址", site.address or enterprise.address or "（未填写）"),
        ("联系人 / 电话", f"{enterprise.contact_name or '（未填写）'} / {enterprise.contact_phone or '（未填写）'}"),
        ("评级批次", declaration.campaign.name),
        ("保障类企业", "是" if declaration.is_guarantee else "否"),
    ]:
        row = table.add_row().cells
        row[0].text, row[1].text = label, str(value)
    doc.add_heading("申报行业及等级", level=2)
    items = doc.add_table(rows=1, cols=3)
    items.style = "Table Grid"
    header = items.rows[0].cells
    header[0].text, header[1].text, header[2].text = "重点行业", "工序/分支", "申报等级"
    for item in declaration.items.all():
        row = items.add_row().cells
        row[0].text, row[1].text, row[2].text = (
            _industry_name(item.industry_code),
            item.process or "—",
            item.target_grade,
        )
    if not lowest:
        doc.add_heading("生产线及设施", level=2)
        lines = list(site.lines.all())
        if lines:
            for line in lines:
                doc.add_paragraph(
                    f"{line.name}（{line.get_kind_display()}，{line.process_type or '工艺未填'}，"
                    f"产能 {fixed(line.capacity)} {line.capacity_unit}，能源 {line.energy_type or '未填'}）",
                    style=bullet,
                )
        else:
            doc.add_paragraph("（企业档案中尚未登记生产线）")
        doc.add_heading("绩效分级指标自评", level=2)
        # Facts in the rule book's labels and units, as the reviewers see them on the declaration page.
        reviews = review_items(declaration)
        for review in reviews:
            doc.add_paragraph(
                f"{review.industry_name}：申报 {grade_label(review.item.target_grade)}"
                + (f"，按申报数据自评 {grade_label(review.engine_grade)}" if review.engine_grade else ""),
                style=bullet,
            )
            if review.error:
                doc.add_paragraph(f"申报数据有误：{review.error}")
            if not review.item.facts:
                doc.add_paragraph("（尚未填报指标数据）", style=bullet_2)
                continue
            facts = doc.add_table(rows=1, cols=4)
            facts.style = "Table Grid"
            head = facts.rows[0].cells
            head[0].text, head[1].text, head[2].text, head[3].text = "方面", "指标", "申报值", "达到等级"
            for row in review.rows:
                cells = facts.add_row().cells
                cells[0].text, cells[1].text, cells[2].text, cells[3].text = (
                    row.aspect,
                    row.label,
                    row.declared,
                    row.reached,
                )
        evidence = list(declaration.evidence.all())
        doc.add_heading("证明材料清单", level=2)
        # Evidence is filed under an indicator or an aspect: its Chinese label, never the stored id.
        labels = {row.indicator_id: row.label for review in reviews for row in review.rows}
        for file in evidence:
            doc.add_paragraph(
                f"{_evidence_label(file.indicator_id, labels)}：{file.original_name}（SHA-256 {file.sha256[:16]}…）",
                style=bullet,
            )
        if not evidence:
            doc.add_paragraph("（尚未上传证明材料）")
    doc.add_heading("减排承诺", level=2)
    doc.add_paragraph(declaration.commitment_text or COMMITMENT_TEXT)
    signed = declaration.commitment_signed_at
    doc.add_paragraph(f"承诺人：{declaration.commitment_signed_by or '（未签署）'}")
    signature_block(
        doc,
        [("企业（盖章）", enterprise.name), ("承诺人（法定代表人或授权人）", declaration.commitment_signed_by)],
        f"{signed.year} 年 {signed.month} 月 {signed.day} 日" if signed else "",
    )
    a4(doc)
    page_numbers(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _evidence_label(key: str, labels: dict[str, str]) -> str:
    from airgrade.core.rules.schema import Aspect

    if not key:
        return "综合"
    if key in labels:
        return labels[key]
    try:
        return Aspect(key).label_zh
    except ValueError:
        return "其他材料"
