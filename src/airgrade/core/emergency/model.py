"""The facts of one emergency-list entry (one enterprise site and year), validated at the edge with Pydantic.

Field names follow the 2020 list template (REQ SJZ-9, H23-4): industry and grade, in an industrial park or
not, transport mode and volume, output value, energy use, output, and production lines with the three
capacities of REQ G-5 and daily emissions per pollutant. Validation messages are Chinese and name the field.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from airgrade.core.errors import AirgradeError
from airgrade.core.measures import MEASURE_KINDS, Measure
from airgrade.core.rules.yamlio import format_path
from airgrade.core.types import AlertLevel, Grade, Pollutant


class LineStatus(StrEnum):
    """Whether a line counts in the reduction base: stopped-last-year and backup lines do not (REQ H23-4)."""

    RUNNING = "running"
    STOPPED_LAST_YEAR = "stopped_last_year"
    BACKUP = "backup"

    @property
    def label_zh(self) -> str:
        return {"running": "正常运行", "stopped_last_year": "上年度已停产", "backup": "备用"}[self.value]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Line(_Strict):
    """A line, process or piece of equipment that measures name (可操作、可监测、可核查, REQ H23-4)."""

    key: str = Field(min_length=1, description="清单内唯一编号")
    name: str = Field(min_length=1, description="生产线/工序/设备名称")
    industry_code: str = Field(default="", description="所属重点行业；企业只有一个行业时可省略")
    kind: str = Field(default="line", description="line 生产线 / process 工序 / equipment 设备")
    status: LineStatus = LineStatus.RUNNING
    capacity_unit: str = Field(min_length=1)
    operating_days: float | None = Field(default=None, gt=0, le=366)
    eia_capacity: float | None = Field(default=None, ge=0, description="环评批复产能")
    permit_capacity: float | None = Field(default=None, ge=0, description="排污许可产能")
    actual_output: float | None = Field(default=None, ge=0, description="上年度实际产量（同一单位）")
    emission_unit: str = "t/d"
    emissions: dict[Pollutant, float] = Field(default_factory=dict)
    non_interruptible: bool = Field(default=False, description="不可中断工序 (REQ SJZ-10)")
    key_parameters: str = Field(default="", description="关键工艺参数，如 窑头温度、负荷，用于一厂一策")

    @field_validator("emissions")
    @classmethod
    def _emissions_non_negative(cls, value: dict[Pollutant, float]) -> dict[Pollutant, float]:
        for pollutant, amount in value.items():
            if not math.isfinite(amount):
                raise ValueError(f"{pollutant.value} 排放量必须是有限数字")
            if amount < 0:
                raise ValueError(f"{pollutant.value} 排放量不能为负数（收到 {amount}）")
        return value

    @model_validator(mode="after")
    def _has_a_base(self) -> Line:
        # Plain `is None` tests, not all(<generator>): this runs once per line, 500,000 times for a province.
        if (
            self.status is LineStatus.RUNNING
            and self.eia_capacity is None
            and self.permit_capacity is None
            and self.actual_output is None
        ):
            raise ValueError("环评批复产能、排污许可产能、上年度实际产量至少填写一项，否则无法确定限产基数 (REQ G-5)")
        return self


class IndustryGrade(_Strict):
    """One key industry of the site and its grade there (a multi-industry site has several, REQ LC-5)."""

    industry_code: str = Field(min_length=1)
    grade: Grade | None = Field(default=None, description="未评级按最低等级管理 (REQ LC-6)")


class GuaranteeCategory(StrEnum):
    """保障类 / 白名单 categories (REQ H23-5, LC-9); `required` ones must be listed, the others may be."""

    RESIDENTIAL_POWER_HEAT = "residential_power_heat"
    WASTE_DISPOSAL = "waste_disposal"
    EPIDEMIC_SUPPLIES = "epidemic_supplies"
    MILITARY_GOVERNMENT = "military_government"
    EXPORT = "export"
    STRATEGIC_EMERGING = "strategic_emerging"
    TEXTBOOK_PRINTING = "textbook_printing"
    LIVELIHOOD_PESTICIDE_MEDICINE = "livelihood_pesticide_medicine"
    CITY_OPERATION = "city_operation"
    MAJOR_PROJECT_SUPPLY = "major_project_supply"

    @property
    def label_zh(self) -> str:
        return GUARANTEE_LABELS[self][0]

    @property
    def required(self) -> bool:
        """LC-9 '应当纳入' (True) versus '可以纳入' (False)."""
        return GUARANTEE_LABELS[self][1]

    @property
    def is_whitelist(self) -> bool:
        """白名单: raw-material suppliers of major projects that keep building (REQ H23-5)."""
        return self is GuaranteeCategory.MAJOR_PROJECT_SUPPLY


GUARANTEE_LABELS: dict[GuaranteeCategory, tuple[str, bool]] = {
    GuaranteeCategory.RESIDENTIAL_POWER_HEAT: ("居民供电、供暖", True),
    GuaranteeCategory.WASTE_DISPOSAL: ("生活垃圾、危险废物集中处置", True),
    GuaranteeCategory.EPIDEMIC_SUPPLIES: ("重大疫情防控物资生产", True),
    GuaranteeCategory.MILITARY_GOVERNMENT: ("涉军、涉政类生产", True),
    GuaranteeCategory.EXPORT: ("外贸出口", False),
    GuaranteeCategory.STRATEGIC_EMERGING: ("国家战略性新兴产业", False),
    GuaranteeCategory.TEXTBOOK_PRINTING: ("教学用书印刷", False),
    GuaranteeCategory.LIVELIHOOD_PESTICIDE_MEDICINE: ("民生需求的农药、医药", False),
    GuaranteeCategory.CITY_OPERATION: ("保障城市正常运转", False),
    GuaranteeCategory.MAJOR_PROJECT_SUPPLY: ("保障重大项目白名单原材料供应（白名单）", False),
}


class Guarantee(_Strict):
    """A 保障类 / 白名单 application: category and the guaranteed daily output (以量定产, REQ H23-5)."""

    category: GuaranteeCategory
    task_zh: str = Field(default="", description="保障任务，如 城区集中供热")
    guaranteed_daily_output: float = Field(ge=0, description="保障任务所需日产量")
    normal_daily_output: float = Field(gt=0, description="正常生产日产量（同一单位）")
    output_unit: str = Field(min_length=1)

    @property
    def allowed_share(self) -> float:
        """The share of normal production the guaranteed task allows during an alert."""
        return min(1.0, self.guaranteed_daily_output / self.normal_daily_output)


class SmallMicroFacts(_Strict):
    """What SJZ-11 asks to certify a small or micro air-emitting enterprise (小微涉气企业)."""

    burns_coal: bool
    burns_oil: bool
    pollutant_kinds: int = Field(ge=0, description="排放的大气污染物种类数")
    toxic_or_odorous: bool
    annual_emissions_kg: float = Field(ge=0)
    seasonal: bool = False
    daily_emissions_kg: float | None = Field(default=None, ge=0)


class Transport(_Strict):
    mode: str = Field(default="", description="运输方式，如 公路、铁路、管道、水路")
    annual_volume_t: float | None = Field(default=None, ge=0, description="年运输量（吨）")
    daily_heavy_trucks: int | None = Field(default=None, ge=0, description="日均重型载货车辆进出（辆次）")


class ListEntry(_Strict):
    """One site's entry in the emergency emission-reduction list for one year (REQ SJZ-9, H23-4, LC-10)."""

    key: str = Field(min_length=1, description="清单内唯一编号，如 site:12")
    enterprise_name: str = Field(min_length=1)
    site_name: str = ""
    credit_code: str = ""
    region_code: str = Field(pattern=r"^\d{6}$")
    year: int | None = None
    industries: list[IndustryGrade] = Field(min_length=1)
    in_industrial_park: bool = False
    transport: Transport = Field(default_factory=Transport)
    output_value_10k_yuan: float | None = Field(default=None, ge=0, description="工业产值（万元）")
    energy_use_tce: float | None = Field(default=None, ge=0, description="能源消耗量（吨标煤）")
    annual_output: float | None = Field(default=None, ge=0)
    output_unit: str = ""
    lines: list[Line] = Field(default_factory=list)
    guarantee: Guarantee | None = None
    small_micro: SmallMicroFacts | None = None
    small_micro_certified: bool = False
    # Measures the enterprise proposes instead of its grade's minimum, per alert level and industry code.
    proposals: dict[AlertLevel, dict[str, list[Measure]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _lines_belong(self) -> ListEntry:
        codes = [item.industry_code for item in self.industries]
        if len(set(codes)) != len(codes):
            raise ValueError("行业重复填报")
        seen: set[str] = set()
        for line in self.lines:
            if line.key in seen:
                raise ValueError(f"生产线编号“{line.key}”重复")
            seen.add(line.key)
            if line.industry_code and line.industry_code not in codes:
                raise ValueError(f"生产线“{line.name}”所属行业 {line.industry_code} 不在本企业填报的行业中")
            if not line.industry_code and len(codes) > 1:
                raise ValueError(f"跨行业企业须为每条生产线指明所属行业：生产线“{line.name}”未填写")
        for level, by_industry in self.proposals.items():
            for code in by_industry:
                if code not in codes:
                    raise ValueError(f"{level.label_zh}措施针对的行业 {code} 不在本企业填报的行业中")
        return self

    def line_industry(self, line: Line) -> str:
        return line.industry_code or self.industries[0].industry_code


class NonInterruptiblePlan(_Strict):
    """A city-approved curtailment plan for an industry's non-interruptible processes (REQ SJZ-10)."""

    industry_code: str = Field(min_length=1)
    region_code: str = Field(pattern=r"^\d{6}$", description="核定该方案的城市（或省）")
    curtail_percent: dict[AlertLevel, float] = Field(description="各级预警下按基数限产的百分比")
    approved_by: str = ""
    approved_on: str = ""
    note_zh: str = ""

    @field_validator("curtail_percent")
    @classmethod
    def _percent_range(cls, value: dict[AlertLevel, float]) -> dict[AlertLevel, float]:
        for level, percent in value.items():
            if not 0 <= percent <= 100:
                raise ValueError(f"{level.label_zh}限产比例须在 0–100 之间（收到 {percent}）")
        return value


class ListFile(_Strict):
    """A whole list file (JSON or YAML) for `airgrade alert simulate --list`."""

    year: int | None = None
    entries: list[ListEntry]
    plans: list[NonInterruptiblePlan] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_keys(self) -> ListFile:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.key in seen:
                raise ValueError(f"清单编号“{entry.key}”重复")
            seen.add(entry.key)
        return self


_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "float_parsing": "必须是数字",
    "float_type": "必须是数字",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "bool_parsing": "必须是 true 或 false",
    "bool_type": "必须是 true 或 false",
    "string_type": "必须是文本",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不正确（应为六位行政区划代码）",
    "list_type": "必须是列表",
    "dict_type": "必须是键值对",
    "model_type": "必须是键值对",
    "too_short": "至少需要一项",
    "union_tag_invalid": f"措施类型无效，允许: {', '.join(MEASURE_KINDS)}",
    "union_tag_not_found": "措施缺少 kind 字段",
}


def describe_errors(exc: ValidationError, where: str = "") -> list[str]:
    """Chinese, one line per problem, naming the path (entries[3].lines[0].emissions) and the reason."""
    messages: list[str] = []
    for error in exc.errors():
        path = format_path(error["loc"])
        kind = error["type"]
        if kind == "value_error":
            reason = str(error.get("ctx", {}).get("error", error["msg"]))
        elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            limit = next(iter(error.get("ctx", {}).values()), "")
            symbol = {
                "greater_than_equal": "≥",
                "greater_than": ">",
                "less_than_equal": "≤",
                "less_than": "<",
            }
            reason = f"须 {symbol[kind]} {limit}（收到 {error.get('input')!r}）"
        elif kind == "enum":
            reason = f"取值 {error.get('input')!r} 无效，允许: {error.get('ctx', {}).get('expected', '')}"
        else:
            reason = _PYDANTIC_MESSAGES.get(kind, error["msg"])
        prefix = f"{where}: " if where else ""
        messages.append(f"{prefix}{path or '（整体）'}: {reason}")
    return messages


def parse_list(data: Any, where: str = "") -> ListFile:
    """Validate a parsed list file; raises ListInputError with every problem at once."""
    try:
        return ListFile.model_validate(data)
    except ValidationError as exc:
        raise ListInputError(describe_errors(exc, where)) from None


class ListInputError(AirgradeError, ValueError):
    """Every problem found in a list input, each a Chinese line naming where and why."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages
