"""The 申请报告 (application report, LC-3 附件1 outline) or, for the lowest grade, the 申请表 (附件2), generated as
DOCX from the declaration's data. The seed gives only the outline's purpose, not its headings, so the report
follows the guide's chapter order (适用范围, 生产工艺, 产排环节, 绩效分级指标) and says where data is missing."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.shared import Pt

from airgrade.core.industries import industry_by_code

COMMITMENT_TEXT = (
    "本企业承诺：所提交的绩效分级申报材料及证明文件真实、准确、完整，可追溯；"
    "重污染天气预警期间严格落实应急减排措施；如有弄虚作假、隐瞒情况，"
    "自愿接受按最低等级管理、一年内不得申报、纳入企业诚信档案等处理（REQ LC-3、LC-13、SJZ-3）。"
)


def _industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


def build_document(declaration: Any, *, lowest: bool) -> bytes:
    """Render the document; `lowest` selects the 申请表 for a self-declared lowest grade."""
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
                    f"产能 {line.capacity} {line.capacity_unit}，能源 {line.energy_type or '未填'}）",
                    style=bullet,
                )
        else:
            doc.add_paragraph("（企业档案中尚未登记生产线）")
        doc.add_heading("绩效分级指标自评", level=2)
        for item in declaration.items.all():
            doc.add_paragraph(f"{_industry_name(item.industry_code)}：", style=bullet)
            if item.facts:
                for key, value in sorted(item.facts.items()):
                    doc.add_paragraph(f"{key}：{value}", style=bullet_2)
            else:
                doc.add_paragraph("（尚未填报指标数据）", style=bullet_2)
        evidence = list(declaration.evidence.all())
        doc.add_heading("证明材料清单", level=2)
        for file in evidence:
            doc.add_paragraph(
                f"{file.indicator_id or '综合'}：{file.original_name}（SHA-256 {file.sha256[:16]}…）",
                style=bullet,
            )
        if not evidence:
            doc.add_paragraph("（尚未上传证明材料）")
    doc.add_heading("减排承诺", level=2)
    doc.add_paragraph(declaration.commitment_text or COMMITMENT_TEXT)
    signed = declaration.commitment_signed_at
    doc.add_paragraph(
        f"承诺人：{declaration.commitment_signed_by or '（未签署）'}    "
        f"日期：{signed.date().isoformat() if signed else '（未签署）'}"
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
