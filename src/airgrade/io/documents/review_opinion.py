"""Written review opinions as DOCX (REQ LC-7): the county's 初审意见 (附件3) for A / B / 引领性 applicants, the
county's 审核意见 for C and below (附件4) and the city's 审核意见 (附件5), filled from one sealed review event and
signed by the reviewer by name and date ("谁审核，谁签字，谁负责", REQ H23-3).

The Liaocheng plan names the three annexes but does not publish their form: the layout here is ours and every
document says so. Pure content → DOCX; the platform gathers the content (airgrade.platform.workbooks.opinions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from .layout import docx_bytes, docx_table, set_body_font, signature_block

# Which sealed transition each document records (core.workflow.transitions cites LC-7 附件3/4/5 on these rows).
OPINION_ACTIONS: dict[str, tuple[str, ...]] = {
    "county-preliminary": ("declaration.county_pass",),
    "county-review": ("declaration.county_grade",),
    "city-review": ("declaration.city_pass", "declaration.city_pass_lower"),
}
OPINION_KIND_OF_ACTION = {action: kind for kind, actions in OPINION_ACTIONS.items() for action in actions}
ANNEX = {"county-preliminary": "附件3", "county-review": "附件4", "city-review": "附件5"}
TITLES = {
    "county-preliminary": "{county}重点行业企业绩效分级初审意见",
    "county-review": "{county}重点行业企业绩效分级审核意见",
    "city-review": "{city}重点行业企业绩效分级审核意见",
}
LABELS = {"county-preliminary": "县级初审意见", "county-review": "县级审核意见", "city-review": "市级审核意见"}
DERIVED_NOTE = (
    "本文书名称取自《聊城市重污染天气重点行业绩效分级实施方案（试行）》{annex}；该附件的格式未公开发布，"
    "本格式由平台整理，非官方正式格式。内容取自已签章的审核记录（签章见文末），不可修改。"
)


@dataclass(frozen=True)
class ReviewOpinion:
    kind: str
    title: str
    basics: list[tuple[str, str]]
    conclusion: str
    opinion: str
    signer_role: str
    signer_name: str
    date_text: str
    seal: str
    findings: list[list[str]] = field(default_factory=list)

    @property
    def note(self) -> str:
        return DERIVED_NOTE.format(annex=ANNEX[self.kind])


def render_docx(opinion: ReviewOpinion) -> bytes:
    document = Document()
    set_body_font(document)
    heading = document.add_heading(opinion.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = document.add_paragraph(opinion.note)
    note.runs[0].italic = True
    document.add_heading("一、企业及申报情况", level=2)
    docx_table(document, ["项目", "内容"], [list(pair) for pair in opinion.basics])
    if opinion.findings:
        document.add_heading("二、现场核查情况", level=2)
        docx_table(document, ["核查", "结论", "签字人", "日期"], opinion.findings)
    document.add_heading(("三" if opinion.findings else "二") + "、审核结论及意见", level=2)
    document.add_paragraph(f"审核结论：{opinion.conclusion}")
    document.add_paragraph(f"审核意见：{opinion.opinion or '（未填写书面意见）'}")
    signature_block(document, [(opinion.signer_role, opinion.signer_name)], opinion.date_text)
    document.add_paragraph(f"审核记录签章：{opinion.seal}")
    return docx_bytes(document)
