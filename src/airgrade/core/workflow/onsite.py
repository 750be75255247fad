"""The on-site check list (现场核查表) arranged by the 8 review aspects of REQ LC-2.

LC-2 names 8 aspects for the city review: 装备水平, 污染治理技术, 排放限值, 无组织管控, 监测监控水平, 环境管理水平,
运输方式, 运输管控. The rule book's indicators carry the guide's 10 aspects (REQ G-3); LC-2 is silent on 能源类型 and
原辅材料, so those indicators go into a ninth section rather than being left unchecked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LC2_ASPECTS: tuple[tuple[str, str], ...] = (
    ("equipment", "装备水平"),
    ("treatment", "污染治理技术"),
    ("emission_limits", "排放限值"),
    ("fugitive", "无组织管控"),
    ("monitoring", "监测监控水平"),
    ("management", "环境管理水平"),
    ("transport_mode", "运输方式"),
    ("transport_supervision", "运输管控"),
)
# Aspects outside LC-2's eight (energy type, raw materials); the label is what people read, so no REQ id in it.
OTHER_SECTION = ("other", "其他（能源类型、原辅材料）")

# Rule-book aspect (REQ G-3) → LC-2 section.
_SECTION_OF = {code: code for code, _ in LC2_ASPECTS} | {"energy": "other", "materials": "other"}


@dataclass(frozen=True)
class IndicatorRef:
    """What the checklist needs of a rule-book indicator."""

    industry_code: str
    indicator_id: str
    label_zh: str
    aspect: str


@dataclass(frozen=True)
class ChecklistSection:
    code: str
    label_zh: str
    items: tuple[IndicatorRef, ...]


def section_of(aspect: str) -> str:
    return _SECTION_OF.get(aspect, "other")


def build_checklist(indicators: Iterable[IndicatorRef]) -> tuple[ChecklistSection, ...]:
    """Sections in LC-2 order (then the ninth), each with its indicators in rule-book order; empty ones kept so
    the inspector sees that an aspect had nothing to check."""
    grouped: dict[str, list[IndicatorRef]] = {code: [] for code, _ in (*LC2_ASPECTS, OTHER_SECTION)}
    for indicator in indicators:
        grouped[section_of(indicator.aspect)].append(indicator)
    return tuple(ChecklistSection(code, label, tuple(grouped[code])) for code, label in (*LC2_ASPECTS, OTHER_SECTION))
