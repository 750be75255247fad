"""Simulate one alert level over a whole list: measures, line actions, reductions per pollutant, list checks.

Vectorised with NumPy so a province (10⁵ enterprises, 5·10⁵ lines) runs in well under a second; the rule-book
lookup is called once per distinct industry × grade × city, not per enterprise.

Accounting (REQ G-5, H23-4):
- the base is the daily emissions of running lines; lines stopped last year and backup lines are left out;
- a stopped line cuts all its emissions;
- curtailing by p % caps output at (1 − p) × B, B the smallest of EIA, permit and last year's actual daily
  output; emissions scale with output from last year's actual (or B when actual is missing), so a line whose
  actual output exceeds B cuts more than p %;
- "stop n % of lines" stops ⌈n × lines⌉ lines of that industry, largest emitters first, interruptible first;
- a non-interruptible line (REQ SJZ-10) never stops: it curtails by the city-approved plan for its industry,
  or, without a plan, keeps running and is reported;
- an eligible 保障类 / 白名单 enterprise produces only its guaranteed share (以量定产, REQ H23-5);
- each city's cuts are compared with its required share of the list's base per pollutant (REQ G-6), read from the
  rule book through an injected `ReductionLookup` so a province or city overlay applies; a region's total requires
  the sum of its cities' requirements. G-6 speaks of the region's total (全社会) emissions; how that inventory is
  built is not public, so the list's base stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from airgrade.core.regions import city_of, contains, scope_prefix
from airgrade.core.types import AlertLevel, EmissionStage, Grade

from .lookups import MeasureLookup, ReductionLookup
from .measuresets import MeasureSet, compile_measures, vehicle_rule_zh, weaker_reasons
from .table import GRADES, POLLUTANTS, BoolArray, FloatArray, IntArray, Issue, ListTable


class LineAction(IntEnum):
    """What a line does during the alert."""

    NOT_IN_BASE = 0  # stopped last year or backup: stays off, outside the base
    RUN = 1  # no production measure (A, 引领性, or transport-only measures)
    STOP = 2
    CURTAIL = 3
    PLAN_CURTAIL = 4  # non-interruptible: curtails by the approved industry plan (SJZ-10)
    UNRESOLVED = 5  # non-interruptible, told to stop, no approved plan: keeps running, reported
    GUARANTEE_CAP = 6  # 保障类 / 白名单: produces only the guaranteed share

    @property
    def label_zh(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS = {
    LineAction.NOT_IN_BASE: "保持停运（上年度停产或备用，不计入减排基数）",
    LineAction.RUN: "正常生产",
    LineAction.STOP: "停产",
    LineAction.CURTAIL: "限产",
    LineAction.PLAN_CURTAIL: "按不可中断工序限产方案限产",
    LineAction.UNRESOLVED: "不可中断工序，缺少经核定的限产方案",
    LineAction.GUARANTEE_CAP: "以量定产（仅从事保障任务）",
}


@dataclass(frozen=True)
class Outlier:
    """An enterprise whose measures differ from its region + industry + grade peers (REQ SJZ-8, H23-4)."""

    entry_key: str
    enterprise_name: str
    region_code: str
    industry_code: str
    grade: Grade
    measures_zh: list[str]
    majority_zh: list[str]
    direction: str  # stricter | weaker | different

    def as_dict(self) -> dict[str, object]:
        return {
            "entry": self.entry_key,
            "enterprise": self.enterprise_name,
            "region": self.region_code,
            "industry": self.industry_code,
            "grade": self.grade.value,
            "measures": self.measures_zh,
            "majority_measures": self.majority_zh,
            "direction": self.direction,
        }


@dataclass
class Simulation:
    """Everything one alert level decides over a list; arrays follow the table's entries, groups and lines."""

    table: ListTable
    level: AlertLevel
    as_of: date
    shares: ReductionLookup
    city_required_share: FloatArray  # (cities, 4) fractions of the base each city must cut (REQ G-6)
    sets: list[MeasureSet]
    group_set: IntArray
    group_minimum_set: IntArray
    line_action: IntArray
    line_base_capacity: FloatArray
    line_remaining: FloatArray  # share of normal output still produced (0 stopped, 1 unchanged)
    line_curtail_percent: FloatArray
    line_reduction: FloatArray  # (lines, 4) t/d
    entry_base: FloatArray  # (entries, 4) t/d
    entry_reduction: FloatArray
    entry_vehicle_rank: IntArray
    entry_vehicle_gas: BoolArray
    entry_stop_road: BoolArray
    city_codes: list[str]
    city_base: FloatArray  # (cities, 4)
    city_reduction: FloatArray
    entry_city: IntArray
    issues: list[Issue] = field(default_factory=list)
    outliers: list[Outlier] = field(default_factory=list)

    def vehicle_rule_zh(self, entry_index: int) -> str:
        return vehicle_rule_zh(
            int(self.entry_vehicle_rank[entry_index]),
            bool(self.entry_vehicle_gas[entry_index]),
            bool(self.entry_stop_road[entry_index]),
        )

    def vehicle_rule(self, entry_index: int) -> dict[str, object]:
        """The same rule as data, for checking gate records against it (issue 11): stage limit, gas, road stop."""
        rank = int(self.entry_vehicle_rank[entry_index])
        return {
            "at_or_below": list(EmissionStage)[rank].value if rank >= 0 else None,
            "includes_gas": bool(self.entry_vehicle_gas[entry_index]),
            "stop_road": bool(self.entry_stop_road[entry_index]),
        }

    def required_share(self, region_code: str) -> dict[str, float]:
        """The fraction of its base a region must cut per pollutant, as the rule book says for that region."""
        percent = self.shares(self.level, self.as_of, region_code)
        return {pollutant.value: percent[pollutant.value] / 100 for pollutant in POLLUTANTS}

    def city_rows(self) -> list[CityTotals]:
        rows = []
        for index, code in enumerate(self.city_codes):
            share = self.city_required_share[index]
            base = self.city_base[index]
            rows.append(CityTotals.of(code, base, self.city_reduction[index], base * share, share))
        return rows

    def total(self, code: str) -> CityTotals:
        """The region as a whole: it requires what its cities require (each under its own overlays)."""
        share = np.asarray([self.required_share(code)[p.value] for p in POLLUTANTS], dtype=np.float64)
        required = (self.city_base * self.city_required_share).sum(axis=0)
        return CityTotals.of(code, self.city_base.sum(axis=0), self.city_reduction.sum(axis=0), required, share)


@dataclass(frozen=True)
class CityTotals:
    """A region's base, cut, required cut (REQ G-6) and shortfall per pollutant, in t/d."""

    region_code: str
    base: dict[str, float]
    reduction: dict[str, float]
    required: dict[str, float]
    shortfall: dict[str, float]
    achieved_share: dict[str, float | None]
    required_share: dict[str, float]

    @property
    def meets_requirement(self) -> bool:
        return all(value <= 0 for value in self.shortfall.values())

    @classmethod
    def of(
        cls, code: str, base: FloatArray, reduction: FloatArray, required: FloatArray, share: FloatArray
    ) -> CityTotals:
        names = [pollutant.value for pollutant in POLLUTANTS]
        # Tiny float residue must not read as a shortfall.
        shortfall = np.where(required - reduction > 1e-9, required - reduction, 0.0)
        achieved = [float(r / b) if b > 0 else None for r, b in zip(reduction, base, strict=True)]
        return cls(
            region_code=code,
            base=dict(zip(names, map(float, base), strict=True)),
            reduction=dict(zip(names, map(float, reduction), strict=True)),
            required=dict(zip(names, map(float, required), strict=True)),
            shortfall=dict(zip(names, map(float, shortfall), strict=True)),
            achieved_share=dict(zip(names, achieved, strict=True)),
            required_share=dict(zip(names, map(float, share), strict=True)),
        )

    def as_dict(self, digits: int = 6) -> dict[str, object]:
        def rounded(values: dict[str, float]) -> dict[str, float]:
            return {key: round(value, digits) for key, value in values.items()}

        return {
            "region": self.region_code,
            "base_t_per_day": rounded(self.base),
            "reduction_t_per_day": rounded(self.reduction),
            "required_t_per_day": rounded(self.required),
            "shortfall_t_per_day": rounded(self.shortfall),
            "achieved_share": {k: (None if v is None else round(v, 4)) for k, v in self.achieved_share.items()},
            "required_share": rounded(self.required_share),
            "meets_requirement": self.meets_requirement,
        }


def _resolve_minimum_sets(
    table: ListTable,
    level: AlertLevel,
    as_of: date,
    lookup: MeasureLookup,
    entry_city: IntArray,
    city_codes: list[str],
    sets: list[MeasureSet],
    intern: dict[str, int],
    issues: list[Issue],
) -> IntArray:
    n_grades, n_cities = len(GRADES), max(1, len(city_codes))
    group_city = entry_city[table.group_entry].astype(np.int64)
    combined = (table.group_industry.astype(np.int64) * n_grades + table.group_grade) * n_cities + group_city
    unique, inverse = np.unique(combined, return_inverse=True)
    combo_set = np.empty(unique.shape[0], dtype=np.int32)
    for position, key in enumerate(unique.tolist()):
        city = key % n_cities
        industry, grade = divmod(key // n_cities, n_grades)
        industry_code, grade_value = table.industry_codes[industry], GRADES[grade]
        try:
            measures = lookup(industry_code, grade_value, level, as_of, city_codes[city])
        except (LookupError, ValueError) as exc:
            count = int(np.count_nonzero(inverse == position))
            issues.append(
                Issue(
                    "warning",
                    "no_measures",
                    f"规则库中没有 {industry_code} {grade_value.value} 级 {level.label_zh} 的减排措施"
                    f"（{city_codes[city]}，"
                    f"涉及 {count} 家）：{exc}；按无措施计",
                )
            )
            measures = []
        combo_set[position] = _intern(compile_measures(measures), sets, intern)
    result: IntArray = combo_set[inverse.reshape(-1)]
    return result


def _intern(measure_set: MeasureSet, sets: list[MeasureSet], intern: dict[str, int]) -> int:
    key = measure_set.signature
    if key not in intern:
        intern[key] = len(sets)
        sets.append(measure_set)
    return intern[key]


def simulate(
    table: ListTable, level: AlertLevel, as_of: date, lookup: MeasureLookup, shares: ReductionLookup
) -> Simulation:
    """Decide one alert level for every line of the list and check the list (never raises on list content).

    `shares` raises LookupError when no regional share is in force on `as_of` (a rule-book matter, not the list's).
    """
    issues: list[Issue] = []
    city_codes = sorted({city_of(code) for code in table.region_codes})
    city_share = np.zeros((len(city_codes), len(POLLUTANTS)), dtype=np.float64)
    for index, code in enumerate(city_codes):
        city_percent = shares(level, as_of, code)
        city_share[index] = [city_percent[pollutant.value] / 100 for pollutant in POLLUTANTS]
    city_position = {code: index for index, code in enumerate(city_codes)}
    region_city = np.asarray([city_position[city_of(code)] for code in table.region_codes], dtype=np.int32)
    entry_city = region_city[table.entry_region] if table.entry_count else np.zeros(0, dtype=np.int32)

    sets: list[MeasureSet] = []
    intern: dict[str, int] = {}
    group_minimum = _resolve_minimum_sets(table, level, as_of, lookup, entry_city, city_codes, sets, intern, issues)
    group_set = group_minimum.copy()
    for (group, proposal_level), measures in table.proposals.items():
        if proposal_level is not level:
            continue
        proposed = compile_measures(measures)
        minimum = sets[int(group_minimum[group])]
        entry = int(table.group_entry[group])
        reasons = weaker_reasons(proposed, minimum)
        if reasons:
            issues.append(
                Issue(
                    "error",
                    "below_minimum",
                    f"{table.entry_names[entry]}（{table.industry_codes[table.group_industry[group]]}）{level.label_zh}"
                    f"自报措施弱于本等级最低要求：{'；'.join(reasons)}；按最低要求执行",
                    table.entry_keys[entry],
                )
            )
            continue
        group_set[group] = _intern(proposed, sets, intern)

    # Per-set parameters gathered onto groups and lines.
    stop_all = np.asarray([s.stop_all for s in sets], dtype=np.bool_)[group_set]
    line_share = np.asarray([s.line_share for s in sets], dtype=np.float64)[group_set]
    curtail = np.asarray([s.curtail_percent for s in sets], dtype=np.float64)[group_set]
    vehicle_rank = np.asarray([s.vehicle_stage_rank for s in sets], dtype=np.int32)[group_set]
    vehicle_gas = np.asarray([s.vehicles_include_gas for s in sets], dtype=np.bool_)[group_set]
    stop_road = np.asarray([s.stop_road_transport for s in sets], dtype=np.bool_)[group_set]
    acts = np.asarray([s.acts_on_lines for s in sets], dtype=np.bool_)[group_set]

    lg = table.line_group
    n_lines, n_groups, n_entries = table.line_count, table.group_entry.shape[0], table.entry_count
    line_entry = table.group_entry[lg]
    in_base = table.line_in_base
    base_capacity = np.fmin(np.fmin(table.line_eia, table.line_permit), table.line_actual)
    reference = np.where(np.isnan(table.line_actual), base_capacity, table.line_actual)
    guarantee_share = table.entry_guarantee_share[line_entry]
    guaranteed = ~np.isnan(guarantee_share)

    # Which lines stop: everything under stop_production, else the largest emitters up to ⌈share × lines⌉.
    line_stop_all = stop_all[lg]
    stop = in_base & line_stop_all & ~guaranteed
    base_lines_per_group = np.bincount(lg[in_base], minlength=n_groups)
    sharing = in_base & ~line_stop_all & (line_share[lg] > 0) & ~guaranteed
    if sharing.any():
        candidates = np.flatnonzero(sharing)
        totals = table.line_emissions[candidates].sum(axis=1)
        order = candidates[np.lexsort((-totals, table.line_non_interruptible[candidates], lg[candidates]))]
        ordered_groups = lg[order]
        first = np.ones(order.shape[0], dtype=np.bool_)
        first[1:] = ordered_groups[1:] != ordered_groups[:-1]
        positions = np.arange(order.shape[0])
        rank = positions - np.maximum.accumulate(np.where(first, positions, 0))
        quota = np.ceil(line_share * base_lines_per_group - 1e-9).astype(np.int64)
        stop[order[rank < quota[ordered_groups]]] = True

    action = np.full(n_lines, int(LineAction.RUN), dtype=np.int32)
    percent = np.where(in_base & ~stop & ~guaranteed, curtail[lg], 0.0)
    action[percent > 0] = int(LineAction.CURTAIL)
    action[stop] = int(LineAction.STOP)

    # Non-interruptible lines told to stop follow the approved plan of their industry (SJZ-10).
    blocked = np.flatnonzero(stop & table.line_non_interruptible)
    if blocked.shape[0]:
        unresolved_entries: dict[int, list[str]] = {}
        plan_cache: dict[tuple[int, int], float | None] = {}
        for line in blocked.tolist():
            group = int(lg[line])
            key = (int(table.group_industry[group]), int(table.entry_region[line_entry[line]]))
            if key not in plan_cache:
                plan_cache[key] = _plan_percent(table, key[0], table.region_codes[key[1]], level)
            plan = plan_cache[key]
            stop[line] = False
            if plan is None:
                action[line] = int(LineAction.UNRESOLVED)
                unresolved_entries.setdefault(int(line_entry[line]), []).append(table.line_names[line])
            else:
                action[line] = int(LineAction.PLAN_CURTAIL)
                percent[line] = plan
        for entry, names in unresolved_entries.items():
            issues.append(
                Issue(
                    "error",
                    "non_interruptible_without_plan",
                    f"{table.entry_names[entry]}：不可中断工序 {'、'.join(names)} 应停产，"
                    "但没有经市级核定的行业限产方案；暂按正常生产计，不计减排量",
                    table.entry_keys[entry],
                )
            )

    remaining = np.ones(n_lines, dtype=np.float64)
    curtailing = percent > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        allowed = base_capacity * (1 - percent / 100)
        ratio = np.where(reference > 0, allowed / reference, 1 - percent / 100)
    remaining = np.where(curtailing, np.clip(ratio, 0.0, 1.0), remaining)
    remaining[stop] = 0.0
    guarantee_lines = guaranteed & in_base
    remaining[guarantee_lines] = guarantee_share[guarantee_lines]
    action[guarantee_lines] = int(LineAction.GUARANTEE_CAP)
    remaining[~in_base] = 0.0
    action[~in_base] = int(LineAction.NOT_IN_BASE)

    base_emissions = table.line_emissions * in_base[:, None]
    reduction = base_emissions * (1.0 - remaining)[:, None]
    n_cities = len(city_codes)
    entry_base = _sum_by(line_entry, base_emissions, n_entries)
    entry_reduction = _sum_by(line_entry, reduction, n_entries)
    city_base = _sum_by(entry_city, entry_base, n_cities)
    city_reduction = _sum_by(entry_city, entry_reduction, n_cities)

    # Transport: the strictest rule over the enterprise's industries (a multi-industry enterprise meets all).
    entry_rank = np.full(n_entries, -1, dtype=np.int32)
    np.maximum.at(entry_rank, table.group_entry, vehicle_rank * 2 + vehicle_gas.astype(np.int32))
    entry_stop_road = np.zeros(n_entries, dtype=np.bool_)
    np.logical_or.at(entry_stop_road, table.group_entry, stop_road)
    entry_vehicle_gas = (entry_rank >= 0) & (entry_rank % 2 == 1)
    entry_vehicle_rank = np.where(entry_rank >= 0, entry_rank // 2, -1).astype(np.int32)

    simulation = Simulation(
        table=table,
        level=level,
        as_of=as_of,
        shares=shares,
        city_required_share=city_share,
        sets=sets,
        group_set=group_set,
        group_minimum_set=group_minimum,
        line_action=action,
        line_base_capacity=base_capacity,
        line_remaining=remaining,
        line_curtail_percent=percent,
        line_reduction=reduction,
        entry_base=entry_base,
        entry_reduction=entry_reduction,
        entry_vehicle_rank=entry_vehicle_rank,
        entry_vehicle_gas=entry_vehicle_gas,
        entry_stop_road=entry_stop_road,
        city_codes=city_codes,
        city_base=city_base,
        city_reduction=city_reduction,
        entry_city=entry_city,
        issues=issues,
    )
    _check_lines_named(simulation, acts, base_lines_per_group)
    simulation.outliers = consistency_outliers(simulation)
    return simulation


def _sum_by(index: IntArray, values: FloatArray, size: int) -> FloatArray:
    """Column sums of `values` (rows, pollutants) grouped by `index` into `size` rows."""
    out = np.zeros((size, values.shape[1]), dtype=np.float64)
    for column in range(values.shape[1]):
        out[:, column] = np.bincount(index, weights=values[:, column], minlength=size)[:size]
    return out


def _plan_percent(table: ListTable, industry: int, region_code: str, level: AlertLevel) -> float | None:
    """The approved plan nearest to the region (city before province) for this industry and level."""
    code = table.industry_codes[industry]
    best: tuple[int, float] | None = None
    for plan in table.plans:
        if plan.industry_code != code or level not in plan.curtail_percent:
            continue
        if not contains(plan.region_code, region_code):
            continue
        depth = len(scope_prefix(plan.region_code))
        if best is None or depth > best[0]:
            best = (depth, plan.curtail_percent[level])
    return None if best is None else best[1]


def _check_lines_named(simulation: Simulation, acts: BoolArray, base_lines_per_group: npt.NDArray[np.int64]) -> None:
    """Every production measure must land on named lines (可操作、可监测、可核查, H23-4); an enterprise
    spanning industries must carry each industry's measures on that industry's own lines (H23-4, LC-5)."""
    table = simulation.table
    lines_per_group = np.bincount(table.line_group, minlength=table.group_entry.shape[0])
    groups_per_entry = np.bincount(table.group_entry, minlength=table.entry_count)
    for group in np.flatnonzero(acts & (base_lines_per_group == 0)).tolist():
        entry = int(table.group_entry[group])
        industry = table.industry_codes[table.group_industry[group]]
        multi = groups_per_entry[entry] > 1
        if lines_per_group[group] == 0 and multi:
            message = f"{table.entry_names[entry]}：跨行业企业的{_industry_name(industry)}行业没有填报生产线，无法落实该行业措施"
            code = "industry_without_lines"
        else:
            message = (
                f"{table.entry_names[entry]}：{_industry_name(industry)}的{simulation.level.label_zh}措施"
                "没有可落实的生产线或设备"
                "（须明确到具体生产线，可操作、可监测、可核查）"
            )
            code = "measure_without_lines"
        simulation.issues.append(Issue("error", code, message, table.entry_keys[entry]))


def _industry_name(code: str) -> str:
    """The catalogue's Chinese name of an industry code, for messages people read; the code if unknown."""
    from airgrade.core.industries import industry_by_code

    industry = industry_by_code(code)
    return industry.name_zh if industry is not None else code


def consistency_outliers(simulation: Simulation) -> list[Outlier]:
    """Same region + industry + grade → same measures (REQ SJZ-8, H23-4): list those unlike the majority.

    保障类 / 白名单 enterprises follow their guaranteed task by design and are left out.
    """
    table = simulation.table
    n_groups = table.group_entry.shape[0]
    if n_groups == 0:
        return []
    considered = np.isnan(table.entry_guarantee_share[table.group_entry])
    n_sets = max(1, len(simulation.sets))
    key = (
        table.entry_region[table.group_entry].astype(np.int64) * len(table.industry_codes) + table.group_industry
    ) * len(GRADES) + table.group_grade
    key = np.where(considered, key, -1)
    pair = key * n_sets + simulation.group_set
    pairs, counts = np.unique(pair[considered], return_counts=True)
    pair_keys = pairs // n_sets
    # Majority per key: sort by key then count descending, take the first of each key.
    order = np.lexsort((-counts, pair_keys))
    first = np.ones(order.shape[0], dtype=np.bool_)
    first[1:] = pair_keys[order][1:] != pair_keys[order][:-1]
    majority_pairs = pairs[order][first]
    majority = dict(zip((majority_pairs // n_sets).tolist(), (majority_pairs % n_sets).tolist(), strict=True))
    key_sizes = dict(zip(*np.unique(key[considered], return_counts=True), strict=True))
    outliers: list[Outlier] = []
    for group in np.flatnonzero(considered).tolist():
        group_key = int(key[group])
        expected = majority[group_key]
        actual = int(simulation.group_set[group])
        if actual == expected or key_sizes[group_key] < 2:
            continue
        mine, theirs = simulation.sets[actual], simulation.sets[expected]
        if weaker_reasons(mine, theirs):
            direction = "weaker"
        elif weaker_reasons(theirs, mine):
            direction = "stricter"
        else:
            direction = "different"
        entry = int(table.group_entry[group])
        outliers.append(
            Outlier(
                entry_key=table.entry_keys[entry],
                enterprise_name=table.entry_names[entry],
                region_code=table.region_codes[int(table.entry_region[entry])],
                industry_code=table.industry_codes[int(table.group_industry[group])],
                grade=GRADES[int(table.group_grade[group])],
                measures_zh=mine.describe_zh(),
                majority_zh=theirs.describe_zh(),
                direction=direction,
            )
        )
    return outliers
