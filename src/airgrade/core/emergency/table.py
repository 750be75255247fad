"""The list in columns: enterprises, enterprise × industry groups and lines as NumPy arrays.

`build_table` turns validated entries into columns, converting units and refusing what cannot be computed
(wrong unit, emissions far beyond what the capacity allows) with every reason at once, so nothing is simulated
from half a list. Lines are stored grouped by entry, entries in input order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from airgrade.core.measures import Measure
from airgrade.core.types import AlertLevel, Grade, Pollutant

from .guarantee import guarantee_eligibility
from .model import LineStatus, ListEntry, ListInputError, NonInterruptiblePlan
from .small_micro import SmallMicroLimits, assess_small_micro
from .units import CapacityUnit, UnitError, emission_ceiling, emission_factor, parse_capacity_unit

POLLUTANTS: tuple[Pollutant, ...] = tuple(Pollutant)
GRADES: tuple[Grade, ...] = tuple(Grade)
LINE_STATUS_CODES = {status: code for code, status in enumerate(LineStatus)}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Issue:
    """A finding about the list: `error` breaks a rule, `warning` needs a look. Messages are Chinese."""

    severity: str
    code: str
    message: str
    entry_key: str = ""
    line_key: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "entry": self.entry_key,
            "line": self.line_key,
        }


@dataclass
class ListTable:
    """Columns of a whole list. Group = one entry's one industry; every entry has at least one group."""

    entry_keys: list[str]
    entry_names: list[str]
    entry_region: IntArray  # index into region_codes
    region_codes: list[str]
    entry_guarantee_share: FloatArray  # NaN: not an eligible 保障类 / 白名单 enterprise
    entry_small_micro: BoolArray  # flagged by the SJZ-11 rule
    entry_small_micro_certified: BoolArray
    group_entry: IntArray
    group_industry: IntArray  # index into industry_codes
    group_grade: IntArray  # index into GRADES
    industry_codes: list[str]
    line_group: IntArray
    line_status: IntArray  # LINE_STATUS_CODES
    line_eia: FloatArray  # daily capacity in the line's base unit, NaN if not given
    line_permit: FloatArray
    line_actual: FloatArray
    line_emissions: FloatArray  # (lines, 4) t/d in POLLUTANTS order
    line_non_interruptible: BoolArray
    line_keys: list[str]
    line_names: list[str]
    line_unit: IntArray  # index into daily_units
    daily_units: list[str]
    proposals: dict[tuple[int, AlertLevel], tuple[Measure, ...]] = field(default_factory=dict)
    plans: tuple[NonInterruptiblePlan, ...] = ()

    @property
    def entry_count(self) -> int:
        return len(self.entry_keys)

    @property
    def line_count(self) -> int:
        return int(self.line_group.shape[0])

    @property
    def line_in_base(self) -> BoolArray:
        """Running lines; stopped-last-year and backup lines are outside the reduction base (REQ H23-4)."""
        in_base: BoolArray = self.line_status == LINE_STATUS_CODES[LineStatus.RUNNING]
        return in_base

    @cached_property
    def _line_entry(self) -> IntArray:
        # Built once: task lists call line_range for every entry, and rebuilding it per call is O(lines) each.
        line_entry: IntArray = self.group_entry[self.line_group]
        return line_entry

    def line_range(self, entry_index: int) -> tuple[int, int]:
        """Lines of one entry are contiguous: [start, end)."""
        start = int(np.searchsorted(self._line_entry, entry_index, side="left"))
        end = int(np.searchsorted(self._line_entry, entry_index, side="right"))
        return start, end

    def group_range(self, entry_index: int) -> tuple[int, int]:
        """Groups of one entry are contiguous too (entries in input order): [start, end)."""
        start = int(np.searchsorted(self.group_entry, entry_index, side="left"))
        end = int(np.searchsorted(self.group_entry, entry_index, side="right"))
        return start, end


def _daily(unit: CapacityUnit, value: float | None, days: float | None) -> float:
    return math.nan if value is None else unit.daily(value, days)


def _display_unit(unit: CapacityUnit) -> str:
    if unit.family == "mass":
        return "t/d"
    if unit.family == "power":
        return "MW"
    return f"{unit.quantity}/d"


def build_table(
    entries: Sequence[ListEntry],
    plans: Sequence[NonInterruptiblePlan] = (),
    progress: Callable[[int], None] | None = None,
    lowest_grade: Callable[[str], Grade] | None = None,
    small_micro_limits: SmallMicroLimits | None = None,
) -> tuple[ListTable, list[Issue]]:
    """Columns for `entries` and the non-fatal issues; raises ListInputError listing every fatal problem.

    `lowest_grade(industry_code)` gives the industry's floor (e.g. 非引领性 on a 引领性 scale, C on an A/B/C scale)
    for ungraded industries; without it an ungraded industry is an error (no default grade). `small_micro_limits`
    (the rule book's `policy(as_of).small_micro`) assesses small / micro enterprises; without it an entry that
    claims to be one is an error (no default limits)."""
    errors: list[str] = []
    issues: list[Issue] = []
    region_index: dict[str, int] = {}
    industry_index: dict[str, int] = {}
    unit_index: dict[str, int] = {}
    grade_index = {grade: position for position, grade in enumerate(GRADES)}
    entry_region: list[int] = []
    guarantee_share: list[float] = []
    small_micro: list[bool] = []
    certified: list[bool] = []
    group_entry: list[int] = []
    group_industry: list[int] = []
    group_grade: list[int] = []
    line_group: list[int] = []
    line_status: list[int] = []
    eia: list[float] = []
    permit: list[float] = []
    actual: list[float] = []
    emissions: list[list[float]] = []
    non_interruptible: list[bool] = []
    line_keys: list[str] = []
    line_names: list[str] = []
    line_unit: list[int] = []
    proposals: dict[tuple[int, AlertLevel], tuple[Measure, ...]] = {}
    keys_seen: set[str] = set()

    for position, entry in enumerate(entries):
        where = f"清单第{position + 1}条（{entry.enterprise_name}）"
        if entry.key in keys_seen:
            errors.append(f"{where}: 清单编号“{entry.key}”重复")
        keys_seen.add(entry.key)
        entry_index = len(entry_region)
        entry_region.append(region_index.setdefault(entry.region_code, len(region_index)))

        share = math.nan
        if entry.guarantee is not None:
            eligibility = guarantee_eligibility(entry.guarantee, entry.industries)
            if eligibility.eligible:
                share = entry.guarantee.allowed_share
            else:
                for reason in eligibility.reasons:
                    issues.append(
                        Issue(
                            "error",
                            "guarantee_ineligible",
                            f"{where}: 保障类申请不成立：{reason}；按绩效等级执行减排措施",
                            entry.key,
                        )
                    )
        guarantee_share.append(share)
        flagged = False
        if entry.small_micro is not None:
            if small_micro_limits is None:
                errors.append(f"{where}: 未提供规则库的小微涉气认定限值，不能判断是否属于小微涉气企业 (REQ SJZ-11)")
            else:
                flagged = assess_small_micro(entry.small_micro, small_micro_limits).qualifies
        small_micro.append(flagged)
        certified.append(flagged and entry.small_micro_certified)
        if entry.small_micro_certified and not flagged:
            issues.append(
                Issue(
                    "error",
                    "small_micro_not_qualified",
                    f"{where}: 已认定为小微涉气企业，但不满足认定条件 (REQ SJZ-11)",
                    entry.key,
                )
            )

        groups: dict[str, int] = {}
        for item in entry.industries:
            grade = item.grade
            if grade is None:
                if lowest_grade is None:  # the caller gave no rule book: refuse rather than guess a grade
                    raise ListInputError([f"{where}: {item.industry_code} 未评级，且没有规则库给出该行业的最低等级"])
                grade = lowest_grade(item.industry_code)
                issues.append(
                    Issue(
                        "warning",
                        "ungraded",
                        f"{where}: {item.industry_code} 未评级，按最低等级 {grade} 管理 (REQ LC-6)",
                        entry.key,
                    )
                )
            groups[item.industry_code] = len(group_entry)
            group_entry.append(entry_index)
            group_industry.append(industry_index.setdefault(item.industry_code, len(industry_index)))
            group_grade.append(grade_index[grade])
        for level, by_industry in entry.proposals.items():
            for code, measures in by_industry.items():
                proposals[(groups[code], level)] = tuple(measures)

        # Lines stored in group order so each entry's lines are contiguous.
        ordered = sorted(entry.lines, key=lambda line: groups[entry.line_industry(line)])
        for line in ordered:
            line_where = f"{where} 生产线“{line.name}”"
            try:
                factor = emission_factor(line.emission_unit)
                unit = parse_capacity_unit(line.capacity_unit)
                days = line.operating_days
                daily = (
                    _daily(unit, line.eia_capacity, days),
                    _daily(unit, line.permit_capacity, days),
                    _daily(unit, line.actual_output, days),
                )
            except UnitError as exc:
                errors.append(f"{line_where}: {exc}")
                continue
            amounts = [line.emissions.get(pollutant, 0.0) * factor for pollutant in POLLUTANTS]
            largest_capacity = max((value for value in daily if not math.isnan(value)), default=math.nan)
            ceiling = None if math.isnan(largest_capacity) else emission_ceiling(unit, largest_capacity)
            if ceiling is not None and sum(amounts) > ceiling:
                errors.append(
                    f"{line_where}: 日排放量合计 {sum(amounts):.4g} t/d 远超产能允许范围"
                    f"（日产能 {largest_capacity:.4g} {_display_unit(unit)}，上限 {ceiling:.4g} t/d），"
                    "请检查单位是否把年排放量填成了日排放量"
                )
                continue
            # Most lines give all three capacities: skip building the list of missing ones (500,000 lines a province).
            if line.status is LineStatus.RUNNING and math.isnan(sum(daily)):
                missing = [
                    label
                    for label, value in zip(("环评批复产能", "排污许可产能", "上年度实际产量"), daily, strict=True)
                    if math.isnan(value)
                ]
                if missing:
                    issues.append(
                        Issue(
                            "warning",
                            "base_incomplete",
                            f"{line_where}: 未填写{'、'.join(missing)}，限产基数按已填项的最小值计 (REQ G-5)",
                            entry.key,
                            line.key,
                        )
                    )
            line_group.append(groups[entry.line_industry(line)])
            line_status.append(LINE_STATUS_CODES[line.status])
            eia.append(daily[0])
            permit.append(daily[1])
            actual.append(daily[2])
            emissions.append(amounts)
            non_interruptible.append(line.non_interruptible)
            line_keys.append(line.key)
            line_names.append(line.name)
            line_unit.append(unit_index.setdefault(_display_unit(unit), len(unit_index)))
        if progress is not None:
            progress(position + 1)

    if errors:
        raise ListInputError(errors)
    table = ListTable(
        entry_keys=[entry.key for entry in entries],
        entry_names=[entry.enterprise_name + (f" · {entry.site_name}" if entry.site_name else "") for entry in entries],
        entry_region=np.asarray(entry_region, dtype=np.int32),
        region_codes=list(region_index),
        entry_guarantee_share=np.asarray(guarantee_share, dtype=np.float64),
        entry_small_micro=np.asarray(small_micro, dtype=np.bool_),
        entry_small_micro_certified=np.asarray(certified, dtype=np.bool_),
        group_entry=np.asarray(group_entry, dtype=np.int32),
        group_industry=np.asarray(group_industry, dtype=np.int32),
        group_grade=np.asarray(group_grade, dtype=np.int32),
        industry_codes=list(industry_index),
        line_group=np.asarray(line_group, dtype=np.int32),
        line_status=np.asarray(line_status, dtype=np.int32),
        line_eia=np.asarray(eia, dtype=np.float64),
        line_permit=np.asarray(permit, dtype=np.float64),
        line_actual=np.asarray(actual, dtype=np.float64),
        line_emissions=np.asarray(emissions, dtype=np.float64).reshape(-1, len(POLLUTANTS)),
        line_non_interruptible=np.asarray(non_interruptible, dtype=np.bool_),
        line_keys=line_keys,
        line_names=line_names,
        line_unit=np.asarray(line_unit, dtype=np.int32),
        daily_units=list(unit_index),
        proposals=proposals,
        plans=tuple(plans),
    )
    return table, issues
