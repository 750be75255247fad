"""一厂一策 operation plan (REQ LC-11): lines, measures per alert level, key parameters, expected reductions.

One content model, two renderings: DOCX (python-docx) and PDF (HTML printed by headless Chromium).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from airgrade.core.emergency.model import ListEntry
from airgrade.core.emergency.plan import EnterprisePlan
from airgrade.core.industries import industry_by_code
from airgrade.core.types import AlertLevel, Pollutant

from .layout import (
    docx_bytes,
    docx_table,
    fixed,
    html_table,
    print_css,
    set_body_font,
    signature_block,
    signature_html,
)
from .pdf import html_to_pdf

POLLUTANTS = [p.value for p in Pollutant]


@dataclass(frozen=True)
class OperationPlan:
    entry: ListEntry
    plans: dict[AlertLevel, EnterprisePlan]
    region_name: str = ""
    rules_version: str = ""
    as_of: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        site = f"（{self.entry.site_name}）" if self.entry.site_name else ""
        return f"{self.entry.enterprise_name}{site}重污染天气应急减排操作方案（一厂一策）"

    def basics(self) -> list[tuple[str, str]]:
        entry = self.entry
        industries = "；".join(
            f"{_industry_name(item.industry_code)} {item.grade.value if item.grade else '未评级（按D级管理）'}"
            for item in entry.industries
        )
        return [
            ("企业名称", entry.enterprise_name),
            ("厂区", entry.site_name or "—"),
            ("统一社会信用代码", entry.credit_code or "—"),
            ("所在区划", f"{self.region_name}（{entry.region_code}）" if self.region_name else entry.region_code),
            ("清单年度", str(entry.year or "—")),
            ("行业及绩效等级", industries),
            ("是否在工业园区", "是" if entry.in_industrial_park else "否"),
            ("运输方式及运输量", _transport(entry)),
            ("工业产值（万元）", _num(entry.output_value_10k_yuan)),
            ("能源消耗量（吨标煤）", _num(entry.energy_use_tce)),
            ("年产量", f"{_num(entry.annual_output)} {entry.output_unit}".strip()),
            (
                "保障类/白名单",
                entry.guarantee.category.label_zh + "：" + entry.guarantee.task_zh if entry.guarantee else "否",
            ),
        ]

    def line_rows(self) -> list[list[str]]:
        rows = []
        for line in self.entry.lines:
            values = [v for v in (line.eia_capacity, line.permit_capacity, line.actual_output) if v is not None]
            rows.append(
                [
                    line.key,
                    line.name,
                    _industry_name(self.entry.line_industry(line)),
                    line.status.label_zh,
                    line.capacity_unit,
                    _num(line.eia_capacity),
                    _num(line.permit_capacity),
                    _num(line.actual_output),
                    _num(min(values)) if values else "—",
                    *(_num(line.emissions.get(Pollutant(p), 0.0), 6) for p in POLLUTANTS),
                    ("不可中断工序；" if line.non_interruptible else "") + (line.key_parameters or "—"),
                ]
            )
        return rows

    def level_sections(self) -> list[tuple[str, list[str], list[str], list[list[str]]]]:
        """Per level: heading, measure lines, vehicle rule, rows of (line, instruction, reductions)."""
        sections = []
        for level in (AlertLevel.YELLOW, AlertLevel.ORANGE, AlertLevel.RED):
            plan = self.plans[level]
            measures = [
                f"{_industry_name(item.industry_code)}（{item.grade.value}级）："
                + "；".join(item.measures_zh)
                + ("（企业自报，严于最低要求）" if item.proposed else "")
                for item in plan.industries
            ]
            vehicles = [plan.vehicle_rule_zh] if plan.vehicle_rule_zh else ["无车辆管控要求"]
            rows = [
                [task.line_key, task.instruction_zh, *(_num(task.reduction[p], 6) for p in POLLUTANTS)]
                for task in plan.lines
            ]
            shares = plan.reduction_share
            rows.append(
                [
                    "合计",
                    "减排比例："
                    + "，".join(f"{p} {'—' if shares[p] is None else format(shares[p], '.1%')}" for p in POLLUTANTS),
                    *(_num(plan.reduction[p], 6) for p in POLLUTANTS),
                ]
            )
            heading = f"{level.label_zh}（{level.response}级响应）"
            sections.append((heading, measures, vehicles, rows))
        return sections


def _industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


def _num(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return fixed(value, digits)


def _transport(entry: ListEntry) -> str:
    parts = [entry.transport.mode or "—"]
    if entry.transport.annual_volume_t is not None:
        parts.append(f"年运输量 {_num(entry.transport.annual_volume_t)} 吨")
    if entry.transport.daily_heavy_trucks is not None:
        parts.append(f"日均重型车辆 {entry.transport.daily_heavy_trucks} 辆次")
    return "，".join(parts)


LINE_HEADER = [
    "编号",
    "生产线/工序/设备",
    "行业",
    "状态",
    "产能单位",
    "环评批复",
    "排污许可",
    "上年实际",
    "减排基数",
    "SO2 t/d",
    "NOx t/d",
    "PM t/d",
    "VOCs t/d",
    "关键参数",
]
TASK_HEADER = [
    "编号",
    "停限产措施（可操作、可监测、可核查）",
    "SO2 减排 t/d",
    "NOx 减排 t/d",
    "PM 减排 t/d",
    "VOCs 减排 t/d",
]
# The rules behind these notes: REQ H23-4, G-5, SJZ-10, H23-5 (named here, not in the document people file).
FOOTNOTES = [
    "减排基数不含上年度已停产及备用的生产工序、设备。",
    "限产比例以环评批复产能、排污许可产能、上年度实际产量三者日均最小值为基准；停产比例以生产线计。",
    "不可中断工序按经市级核定的行业限产方案执行；保障类企业仅从事保障任务生产（以量定产）。",
]
SIGNERS = [("企业（盖章）", ""), ("法定代表人", ""), ("方案编制人", "")]


def render_docx(plan: OperationPlan) -> bytes:
    document = Document()
    set_body_font(document)
    heading = document.add_heading(plan.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"规则日期：{plan.as_of}　规则版本：{plan.rules_version}")
    document.add_heading("一、企业基本情况", level=2)
    docx_table(document, ["项目", "内容"], [list(pair) for pair in plan.basics()])
    document.add_heading("二、生产线（工序、设备）与减排基数", level=2)
    docx_table(document, LINE_HEADER, plan.line_rows())
    document.add_heading("三、各级预警减排措施", level=2)
    for heading_text, measures, vehicles, rows in plan.level_sections():
        document.add_heading(heading_text, level=3)
        for text in measures:
            document.add_paragraph(text, style="List Bullet")
        for text in vehicles:
            document.add_paragraph("运输管控：" + text, style="List Bullet")
        docx_table(document, TASK_HEADER, rows)
    document.add_heading("四、说明", level=2)
    for text in [*FOOTNOTES, *plan.notes]:
        document.add_paragraph(text)
    signature_block(document, SIGNERS)
    return docx_bytes(document, landscape=True, margin_mm=15)


def render_html(plan: OperationPlan) -> str:
    parts = [
        f"<h1>{html.escape(plan.title)}</h1>",
        f"<p class='meta'>规则日期：{html.escape(plan.as_of)}　规则版本：{html.escape(plan.rules_version)}</p>",
        "<h2>一、企业基本情况</h2>",
        html_table(["项目", "内容"], [list(pair) for pair in plan.basics()]),
        "<h2>二、生产线（工序、设备）与减排基数</h2>",
        html_table(LINE_HEADER, plan.line_rows()),
        "<h2>三、各级预警减排措施</h2>",
    ]
    for heading_text, measures, vehicles, rows in plan.level_sections():
        items = "".join(f"<li>{html.escape(t)}</li>" for t in measures)
        items += "".join(f"<li>运输管控：{html.escape(t)}</li>" for t in vehicles)
        parts += [f"<h3>{html.escape(heading_text)}</h3>", f"<ul>{items}</ul>", html_table(TASK_HEADER, rows)]
    parts.append("<h2>四、说明</h2>" + "".join(f"<p>{html.escape(t)}</p>" for t in [*FOOTNOTES, *plan.notes]))
    parts.append(signature_html(SIGNERS))
    style = print_css(landscape=True) + (
        "body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;"
        "font-size:10pt}h1{font-size:16pt;text-align:center}h2{font-size:13pt}h3{font-size:11pt}"
        "table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #444;padding:3px 4px;"
        "font-size:8.5pt;vertical-align:top}th{background:#eee}.meta{color:#444}"
    )
    return (
        f"<!doctype html><html lang='zh-hans'><head><meta charset='utf-8'><title>{html.escape(plan.title)}"
        f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )


def render_pdf(plan: OperationPlan) -> bytes:
    return html_to_pdf(render_html(plan))
