"""Emergency-list services: list entries, 保障类 and 小微 decisions, plans, alert events and tasks — every read
scoped and every write permission-checked, atomic and audited. Views, API and CLI call only these."""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from airgrade.core.access import Actor, Target, decide
from airgrade.core.emergency import model as core
from airgrade.core.emergency.engine import Simulation, simulate
from airgrade.core.emergency.guarantee import check_guarantee_breach, guarantee_eligibility
from airgrade.core.emergency.measuresets import compile_measures, weaker_reasons
from airgrade.core.emergency.plan import EnterprisePlan, enterprise_plan
from airgrade.core.emergency.report import simulation_report
from airgrade.core.emergency.small_micro import assess_small_micro
from airgrade.core.emergency.table import build_table
from airgrade.core.industries import industry_by_code
from airgrade.core.regions import contains, level_of
from airgrade.core.types import AlertLevel, Grade, Pollutant, Role
from airgrade.platform import numbers, params
from airgrade.platform.audit import services as audit
from airgrade.platform.emergency.models import (
    AlertChange,
    AlertEvent,
    AlertTask,
    ListEntry,
    ListIndustry,
    ListLine,
    NonInterruptiblePlan,
)
from airgrade.platform.enterprises.models import ProductionLine, Site
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.grades.services import grade_on, grades_on, today
from airgrade.platform.permissions import actor_of, require, require_found, require_role, scoped, within
from airgrade.platform.regions.models import Region

POLLUTANT_FIELDS = {
    Pollutant.SO2: "so2_t_per_day",
    Pollutant.NOX: "nox_t_per_day",
    Pollutant.PM: "pm_t_per_day",
    Pollutant.VOCS: "vocs_t_per_day",
}
ENTRY_FIELDS = [
    "in_industrial_park",
    "transport_mode",
    "transport_volume_t",
    "daily_heavy_trucks",
    "output_value_10k_yuan",
    "energy_use_tce",
    "annual_output",
    "output_unit",
]
LEVEL_ORDER = [AlertLevel.YELLOW, AlertLevel.ORANGE, AlertLevel.RED]


@cache
def rulebook() -> Any:
    """The rule book, loaded and validated once per process (the same object the grading engine uses)."""
    from airgrade.core.rules.rulebook import default_rulebook

    return default_rulebook()


def small_micro_limits(on: dt.date | None = None) -> Any:
    """The small / micro limits in force on `on` (REQ SJZ-11; rule book policy), None before any policy."""
    try:
        return rulebook().policy(on or timezone.localdate()).small_micro
    except LookupError:
        return None


def _limits_today() -> Any:
    limits = small_micro_limits()
    if limits is None:
        raise ServiceError("规则库中没有在用的小微涉气认定限值", field="small_micro")
    return limits


def registry_grade(site: Site, industry_code: str) -> Grade | None:
    """The site's grade in an industry in force today in the grade registry (REQ H21-7: lists follow the results);
    None when the site has no graded record there, and the declared grade is used (marked `declared`)."""
    record = grade_on(site, industry_code, today())
    return Grade(record.grade) if record else None


def _entry_target(entry: ListEntry) -> Target:
    return Target(region_code=entry.region_id, enterprise_id=entry.enterprise_id)


def _entry_queryset() -> QuerySet[ListEntry]:
    return ListEntry.objects.select_related("site", "enterprise", "region").prefetch_related(
        Prefetch("industries", queryset=ListIndustry.objects.order_by("id")),
        Prefetch("lines", queryset=ListLine.objects.order_by("id")),
    )


def _scoped_entries(actor: Actor) -> QuerySet[ListEntry]:
    return scoped(_entry_queryset(), actor, enterprise_field="enterprise_id")


# ---------------------------------------------------------------- reads


def visible_entries(user: Any, region_code: str = "", year: int | None = None) -> QuerySet[ListEntry]:
    actor = actor_of(user)
    if not decide(
        actor, "emergency.list.view", Target(region_code=actor.region_code, enterprise_id=actor.enterprise_id)
    ):
        return ListEntry.objects.none()
    queryset = _scoped_entries(actor)
    region_code = params.region_code(region_code)
    if region_code:
        queryset = queryset.filter(within(region_code))
    if year:
        queryset = queryset.filter(year=year)
    return queryset


def get_entry(user: Any, entry_id: int, action: str = "emergency.list.view") -> ListEntry:
    """One entry if the caller may do `action`; reading out of scope looks like a missing row."""
    entry = _entry_queryset().filter(pk=entry_id).first()
    missing = "清单条目不存在或不在您的管辖范围内"
    if entry is None:
        raise NotFound(missing)
    require_found(user, action, _entry_target(entry), view="emergency.list.view", missing=missing)
    return entry


def site_for_list(user: Any, site_id: int, action: str = "emergency.list.view") -> Site:
    site = Site.objects.select_related("enterprise", "region").filter(pk=site_id).first()
    missing = "厂区不存在或不在您的管辖范围内"
    if site is None:
        raise NotFound(missing)
    target = Target(region_code=site.region_id, enterprise_id=site.enterprise_id)
    require_found(user, action, target, view="emergency.list.view", missing=missing)
    return site


def entry_data(entry: ListEntry) -> dict[str, Any]:
    """The entry in the list-file shape (docs/emergency.md), as the editor and the API exchange it."""
    data: dict[str, Any] = {field: getattr(entry, field) for field in ENTRY_FIELDS}
    data["industries"] = [
        {"industry_code": item.industry_code, "grade": item.grade or None, "grade_source": item.grade_source}
        for item in entry.industries.all()
    ]
    data["lines"] = [
        {
            "key": line.key,
            "name": line.name,
            "industry_code": line.industry_code,
            "kind": line.kind,
            "status": line.status,
            "capacity_unit": line.capacity_unit,
            "operating_days": line.operating_days,
            "eia_capacity": line.eia_capacity,
            "permit_capacity": line.permit_capacity,
            "actual_output": line.actual_output,
            "emission_unit": "t/d",
            "emissions": {p.value: getattr(line, f) for p, f in POLLUTANT_FIELDS.items()},
            "non_interruptible": line.non_interruptible,
            "key_parameters": line.key_parameters,
            "registry_line": line.registry_line_id,
        }
        for line in entry.lines.all()
    ]
    data["guarantee"] = (
        {
            "category": entry.guarantee_category,
            "task_zh": entry.guarantee_task,
            "guaranteed_daily_output": entry.guaranteed_daily_output,
            "normal_daily_output": entry.normal_daily_output,
            "output_unit": entry.output_unit or "t",
        }
        if entry.guarantee_category
        else None
    )
    data["small_micro"] = entry.small_micro_facts
    data["proposals"] = entry.proposals or {}
    return data


def to_core(entry: ListEntry) -> core.ListEntry:
    """The entry as the core sees it (validated again: data written by hand in the admin cannot slip through)."""
    data = entry_data(entry)
    for item in data["industries"]:
        item.pop("grade_source")
    for line in data["lines"]:
        line.pop("registry_line")
    guarantee = data.pop("guarantee")
    listed = entry.guarantee_status == ListEntry.GuaranteeStatus.LISTED
    payload = {
        **{k: v for k, v in data.items() if k not in ("transport_mode", "transport_volume_t", "daily_heavy_trucks")},
        "key": f"entry:{entry.pk}",
        "enterprise_name": entry.enterprise.name,
        "site_name": entry.site.name,
        "credit_code": entry.enterprise.credit_code,
        "region_code": entry.region_id,
        "year": entry.year,
        "transport": {
            "mode": entry.transport_mode,
            "annual_volume_t": entry.transport_volume_t,
            "daily_heavy_trucks": entry.daily_heavy_trucks,
        },
        # Only a 保障类 the bureau has listed changes what the enterprise does during an alert (H23-5).
        "guarantee": guarantee if listed else None,
        "small_micro_certified": entry.small_micro_status == ListEntry.SmallMicroStatus.CERTIFIED,
    }
    return core.ListEntry.model_validate(payload)


def _plans_for(region_code: str) -> list[core.NonInterruptiblePlan]:
    plans = []
    for plan in NonInterruptiblePlan.objects.all():
        if contains(plan.region_id, region_code) or contains(region_code, plan.region_id):
            plans.append(
                core.NonInterruptiblePlan(
                    industry_code=plan.industry_code,
                    region_code=plan.region_id,
                    curtail_percent={
                        AlertLevel.YELLOW: plan.yellow_percent,
                        AlertLevel.ORANGE: plan.orange_percent,
                        AlertLevel.RED: plan.red_percent,
                    },
                    approved_by=str(plan.approved_by),
                    approved_on=plan.approved_at.date().isoformat(),
                    note_zh=plan.note,
                )
            )
    return plans


def _latest_entries(queryset: QuerySet[ListEntry], year: int | None) -> list[ListEntry]:
    """The list entry of each site for `year`, or each site's latest year."""
    if year:
        return list(queryset.filter(year=year))
    # Pick each site's latest entry by id first, then load only those with their industries and lines: loading
    # every year's entries with their prefetches to throw the older ones away was most of a dashboard's time.
    latest: dict[int, int] = {}
    for site_id, entry_id in queryset.order_by("site_id", "-year").values_list("site_id", "pk"):
        latest.setdefault(site_id, entry_id)
    return list(queryset.filter(pk__in=list(latest.values())).order_by("site_id"))


_ENTRY_COLUMNS = (
    "pk",
    "site_id",
    "year",
    "region_id",
    *ENTRY_FIELDS,
    "guarantee_category",
    "guarantee_task",
    "guaranteed_daily_output",
    "normal_daily_output",
    "guarantee_status",
    "small_micro_facts",
    "small_micro_status",
    "proposals",
    "enterprise__name",
    "enterprise__credit_code",
    "site__name",
)
_LINE_COLUMNS = (
    "entry_id",
    "key",
    "name",
    "industry_code",
    "kind",
    "status",
    "capacity_unit",
    "operating_days",
    "eia_capacity",
    "permit_capacity",
    "actual_output",
    *POLLUTANT_FIELDS.values(),
    "non_interruptible",
    "key_parameters",
)


_CORE_ENTRIES = TypeAdapter(list[core.ListEntry])


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a province's list is read or tabled: the rows, payloads and 600,000 core
    objects hold no reference cycles (reference counting frees them), but every collection walks all of them —
    about 60 % of the read (15 s → 6 s) and of build_table at 100,000 entries (benchmarks/alert_simulate_db.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _region_core_entries(region_code: str, year: int | None) -> list[core.ListEntry]:
    """`[to_core(e) for e in _latest_entries(region's entries, year)]` — the same entries in the same order — read
    as plain rows in three queries (entries, industries, lines, each filtered by the region's code range) instead of
    model instances with prefetches: building 600,000 model instances and passing 100,000 ids back in `IN` lists
    took ~30 s for a province of 100,000 entries (benchmarks/alert_simulate_db.py, issue 13)."""
    entry_rows = ListEntry.objects.filter(within(region_code))
    industry_rows = ListIndustry.objects.filter(within(region_code, "entry__region"))
    line_rows = ListLine.objects.filter(within(region_code, "entry__region"))
    if year:
        entry_rows = entry_rows.filter(year=year)  # the model's ordering, as _latest_entries keeps it
        industry_rows = industry_rows.filter(entry__year=year)
        line_rows = line_rows.filter(entry__year=year)
        entries = list(entry_rows.values(*_ENTRY_COLUMNS))
    else:
        # Each site's latest year, sites in order (as _latest_entries): the first row of each site wins.
        entries, seen = [], set()
        for row in entry_rows.order_by("site_id", "-year").values(*_ENTRY_COLUMNS):
            if row["site_id"] not in seen:
                seen.add(row["site_id"])
                entries.append(row)
    wanted = {row["pk"] for row in entries}
    industries: dict[int, list[dict[str, Any]]] = {}
    for entry_id, code, grade in industry_rows.order_by("entry_id", "id").values_list(
        "entry_id", "industry_code", "grade"
    ):
        if entry_id in wanted:
            industries.setdefault(entry_id, []).append({"industry_code": code, "grade": grade or None})
    lines: dict[int, list[dict[str, Any]]] = {}
    pollutants = [p.value for p in POLLUTANT_FIELDS]
    for row in line_rows.order_by("entry_id", "id").values_list(*_LINE_COLUMNS).iterator(chunk_size=20_000):
        if row[0] not in wanted:
            continue
        lines.setdefault(row[0], []).append(
            {
                "key": row[1],
                "name": row[2],
                "industry_code": row[3],
                "kind": row[4],
                "status": row[5],
                "capacity_unit": row[6],
                "operating_days": row[7],
                "eia_capacity": row[8],
                "permit_capacity": row[9],
                "actual_output": row[10],
                "emission_unit": "t/d",
                "emissions": dict(zip(pollutants, row[11:15], strict=True)),
                "non_interruptible": row[15],
                "key_parameters": row[16],
            }
        )
    listed = ListEntry.GuaranteeStatus.LISTED
    certified = ListEntry.SmallMicroStatus.CERTIFIED
    payloads = []
    for row in entries:
        payloads.append(
            {
                **{field: row[field] for field in ENTRY_FIELDS if not field.startswith(("transport_", "daily_"))},
                "industries": industries.get(row["pk"], []),
                "lines": lines.get(row["pk"], []),
                "small_micro": row["small_micro_facts"],
                "proposals": row["proposals"] or {},
                "key": f"entry:{row['pk']}",
                "enterprise_name": row["enterprise__name"],
                "site_name": row["site__name"],
                "credit_code": row["enterprise__credit_code"],
                "region_code": row["region_id"],
                "year": row["year"],
                "transport": {
                    "mode": row["transport_mode"],
                    "annual_volume_t": row["transport_volume_t"],
                    "daily_heavy_trucks": row["daily_heavy_trucks"],
                },
                # Only a 保障类 the bureau has listed changes what the enterprise does during an alert (H23-5).
                "guarantee": {
                    "category": row["guarantee_category"],
                    "task_zh": row["guarantee_task"],
                    "guaranteed_daily_output": row["guaranteed_daily_output"],
                    "normal_daily_output": row["normal_daily_output"],
                    "output_unit": row["output_unit"] or "t",
                }
                if row["guarantee_category"] and row["guarantee_status"] == listed
                else None,
                "small_micro_certified": row["small_micro_status"] == certified,
            }
        )
    # Validated again, as to_core does (data written by hand cannot slip through), in one call: a quarter faster
    # than one model_validate per entry. Still the largest step at province scale (~7 s of the read, issue 13).
    return _CORE_ENTRIES.validate_python(payloads)


def region_list_for_simulation(
    region_code: str, year: int | None = None
) -> tuple[list[core.ListEntry], list[core.NonInterruptiblePlan]]:
    """Every site's entry in a region, for the operator's batch CLI (`airgrade alert simulate`)."""
    level_of(region_code)
    with gc_paused():
        return _region_core_entries(region_code, year), _plans_for(region_code)


def _simulate_entries(
    entries: list[ListEntry], region_code: str, level: AlertLevel, as_of: dt.date
) -> tuple[Simulation, list[Any]]:
    table, issues = build_table(
        [to_core(entry) for entry in entries],
        _plans_for(region_code),
        lowest_grade=rulebook().floor,
        small_micro_limits=small_micro_limits(as_of),
    )
    return _simulate(table, level, as_of), issues


def _simulate(table: Any, level: AlertLevel, as_of: dt.date) -> Simulation:
    book = rulebook()
    try:
        return simulate(table, level, as_of, book.measures, book.regional_reduction_percent)
    except LookupError as exc:  # no regional share in force on that date: say so, never a 500
        raise ServiceError(str(exc.args[0] if exc.args else exc), field="as_of") from None


def region_report(
    user: Any,
    region_code: str,
    level: AlertLevel,
    as_of: dt.date | None = None,
    year: int | None = None,
    *,
    breakdown: bool = False,
) -> dict[str, Any]:
    """The simulation report of a region the caller oversees (dashboard, API)."""
    return region_reports(user, region_code, (level,), as_of, year, breakdown=breakdown)[level]


def region_reports(
    user: Any,
    region_code: str,
    levels: Sequence[AlertLevel],
    as_of: dt.date | None = None,
    year: int | None = None,
    *,
    breakdown: bool = False,
) -> dict[AlertLevel, dict[str, Any]]:
    """The simulation report of a region at several alert levels: the list is read and its table built once, then
    simulated per level (the dashboard shows all three; reading the list three times tripled its time)."""
    try:
        level_of(region_code)
    except ValueError as exc:
        raise ServiceError(str(exc), field="region") from None
    require(user, "emergency.list.view", Target(region_code=region_code))
    as_of = as_of or timezone.localdate()
    with gc_paused():
        table, issues = build_table(
            _region_core_entries(region_code, year),  # what to_core gives, read as rows (issue 13)
            _plans_for(region_code),
            lowest_grade=rulebook().floor,
            small_micro_limits=small_micro_limits(as_of),
        )
    names = dict(Region.objects.values_list("code", "name"))
    version = str(rulebook().version)
    return {
        level: simulation_report(
            _simulate(table, level, as_of), region_code, names, version, "database", issues, breakdown=breakdown
        )
        for level in levels
    }


def entry_plans(entry: ListEntry, as_of: dt.date | None = None) -> dict[AlertLevel, EnterprisePlan]:
    """One entry's task list at each level (for its page and its 一厂一策 documents)."""
    as_of = as_of or timezone.localdate()
    table, _ = build_table(
        [to_core(entry)],
        _plans_for(entry.region_id),
        lowest_grade=rulebook().floor,
        small_micro_limits=small_micro_limits(as_of),
    )
    return {level: enterprise_plan(_simulate(table, level, as_of), 0) for level in LEVEL_ORDER}


# ---------------------------------------------------------------- list entry writes


def _validation_error(exc: ValidationError) -> ServiceError:
    messages = core.describe_errors(exc)
    return ServiceError(
        "清单数据有误：" + "；".join(messages), errors=[{"field": m.split(":")[0], "message": m} for m in messages]
    )


def _check_proposals(entry: core.ListEntry, as_of: dt.date) -> None:
    """Stricter, never weaker (REQ G-5, H23-4): refuse a proposal below the grade's minimum."""
    problems = []
    # An ungraded industry is managed at its own scale's floor (REQ LC-6), never a default D.
    grades = {item.industry_code: item.grade or rulebook().floor(item.industry_code) for item in entry.industries}
    for level, by_industry in entry.proposals.items():
        for code, measures in by_industry.items():
            try:
                minimum = rulebook().measures(code, grades[code], level, as_of, entry.region_code)
            except LookupError as exc:  # nothing to compare with: refuse rather than accept unchecked
                raise ServiceError(
                    f"{level.label_zh} {code}：无法核对自报措施，{exc.args[0] if exc.args else exc}", field="proposals"
                ) from None
            reasons = weaker_reasons(compile_measures(measures), compile_measures(minimum))
            if reasons:
                problems.append(f"{level.label_zh} {code}：" + "；".join(reasons))
    if problems:
        raise ServiceError(
            "自报措施弱于本等级最低要求（可以更严，不能更宽）：" + "；".join(problems), field="proposals"
        )


def check_entry(
    site: Site | None,
    year: Any,
    data: dict[str, Any],
    *,
    region_code: str = "",
    enterprise_name: str = "",
    site_name: str = "",
    registry_grades: dict[str, Grade] | None = None,
    as_of: dt.date | None = None,
    table: bool = True,
    key: str = "",
) -> tuple[core.ListEntry, list[dict[str, Any]], dict[str, int | None]]:
    """Validate an entry as save_entry would store it, without writing: the checked core entry, the industries with
    the grade that will be stored (registry grade first) and the registry-line links. A site not yet in the registry
    (an import that will create it) is named by region, enterprise and site name instead. An import checking
    thousands of entries passes the site's `registry_grades` (industry → grade in force) looked up in bulk, the
    date once, and `table=False` to check the list table of all its entries at once (`check_tables`)."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(f"清单年度无效: {year!r}", field="year")
    allowed = {*ENTRY_FIELDS, "industries", "lines", "guarantee", "small_micro", "proposals"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ServiceError(f"未知字段: {', '.join(unknown)}", field=unknown[0])
    if site is not None:
        region_code, enterprise_name, site_name = site.region_id, site.enterprise.name, site.name
    industries = []
    for position, item in enumerate(data.get("industries") or [], start=1):
        code = str(item.get("industry_code") or "").strip()
        industry = industry_by_code(code)
        if industry is None:
            raise ServiceError(f"第{position}个行业: 未知的重点行业 {code!r}", field="industries")
        if not industry.applies_in(region_code):
            raise ServiceError(f"第{position}个行业: {industry.name_zh} 不适用于本地区", field="industries")
        if registry_grades is not None:
            official = registry_grades.get(code)
        else:
            official = registry_grade(site, code) if site is not None else None
        grade = official.value if official else (item.get("grade") or None)
        source = ListEntry.GradeSource.REGISTRY if official else ListEntry.GradeSource.DECLARED
        industries.append({"industry_code": code, "grade": grade, "source": source})
    lines = [dict(line) for line in data.get("lines") or []]
    registry_lines: dict[str, int | None] = {}
    for line in lines:
        registry_id = line.pop("registry_line", None)
        if registry_id not in (None, "") and (
            site is None or not ProductionLine.objects.filter(pk=registry_id, site=site).exists()
        ):
            raise ServiceError(f"生产线“{line.get('name')}”关联的档案生产线不属于本厂区", field="lines")
        registry_lines[str(line.get("key"))] = registry_id or None
    payload = {
        "key": key or f"site:{site.pk if site is not None else site_name}",
        "enterprise_name": enterprise_name,
        "site_name": site_name,
        "region_code": region_code,
        "year": year,
        "industries": [{"industry_code": i["industry_code"], "grade": i["grade"]} for i in industries],
        "in_industrial_park": bool(data.get("in_industrial_park", False)),
        "transport": {
            "mode": data.get("transport_mode") or "",
            "annual_volume_t": data.get("transport_volume_t"),
            "daily_heavy_trucks": data.get("daily_heavy_trucks"),
        },
        "output_value_10k_yuan": data.get("output_value_10k_yuan"),
        "energy_use_tce": data.get("energy_use_tce"),
        "annual_output": data.get("annual_output"),
        "output_unit": data.get("output_unit") or "",
        "lines": lines,
        "guarantee": data.get("guarantee") or None,
        "small_micro": data.get("small_micro") or None,
        "proposals": data.get("proposals") or {},
    }
    try:
        checked = core.ListEntry.model_validate(payload)
    except ValidationError as exc:
        raise _validation_error(exc) from None
    if table:
        try:
            build_table([checked], small_micro_limits=small_micro_limits(as_of))
        except core.ListInputError as exc:
            raise ServiceError("清单数据有误：" + "；".join(exc.messages), field="lines") from None
    if checked.guarantee is not None:
        eligibility = guarantee_eligibility(checked.guarantee, checked.industries)
        if not eligibility.eligible:
            raise ServiceError("不能申请保障类/白名单：" + "；".join(eligibility.reasons), field="guarantee")
    _check_proposals(checked, as_of or timezone.localdate())

    return checked, industries, registry_lines


def check_tables(entries: Sequence[core.ListEntry], chunk: int = 2000) -> dict[int, str]:
    """The list-table check of check_entry for many entries at once: position → the Chinese reason for each entry
    that fails. One table per chunk (a table build has a fixed cost that dominates for one entry); a failing chunk is
    checked entry by entry so that every reason is named against its own entry."""
    failed: dict[int, str] = {}
    limits = small_micro_limits()
    for start in range(0, len(entries), chunk):
        batch = list(entries[start : start + chunk])
        if len({entry.key for entry in batch}) < len(batch):
            # Entries of sites not yet registered may share their key (the site name): keyed by position.
            batch = [entry.model_copy(update={"key": f"check:{start + i}"}) for i, entry in enumerate(batch)]
        try:
            build_table(batch, small_micro_limits=limits)
            continue
        except core.ListInputError:
            pass
        for offset, entry in enumerate(batch):
            try:
                build_table([entry], small_micro_limits=limits)
            except core.ListInputError as exc:
                failed[start + offset] = "清单数据有误：" + "；".join(exc.messages)
    return failed


def _fill_entry(entry: ListEntry, checked: core.ListEntry, new: bool) -> None:
    """The entry's own columns from a checked entry (save_entry and create_entries)."""
    entry.in_industrial_park = checked.in_industrial_park
    entry.transport_mode = checked.transport.mode
    entry.transport_volume_t = checked.transport.annual_volume_t
    entry.daily_heavy_trucks = checked.transport.daily_heavy_trucks
    entry.output_value_10k_yuan = checked.output_value_10k_yuan
    entry.energy_use_tce = checked.energy_use_tce
    entry.annual_output = checked.annual_output
    entry.output_unit = checked.output_unit
    guarantee = checked.guarantee
    previous_guarantee = (entry.guarantee_category, entry.guaranteed_daily_output, entry.normal_daily_output)
    if guarantee is None:
        entry.guarantee_category, entry.guarantee_task = "", ""
        entry.guaranteed_daily_output = entry.normal_daily_output = None
        entry.guarantee_status = ListEntry.GuaranteeStatus.NONE
    else:
        entry.guarantee_category = guarantee.category.value
        entry.guarantee_task = guarantee.task_zh
        entry.guaranteed_daily_output = guarantee.guaranteed_daily_output
        entry.normal_daily_output = guarantee.normal_daily_output
        entry.output_unit = entry.output_unit or guarantee.output_unit
        changed = previous_guarantee != (
            guarantee.category.value,
            guarantee.guaranteed_daily_output,
            guarantee.normal_daily_output,
        )
        if changed or entry.guarantee_status in ("", ListEntry.GuaranteeStatus.REJECTED):
            # A new or changed application goes back to the bureau (REQ H23-5: strict review, small numbers).
            entry.guarantee_status = ListEntry.GuaranteeStatus.APPLIED
    facts = checked.small_micro
    entry.small_micro_facts = facts.model_dump(mode="json") if facts else None
    if facts is None or not assess_small_micro(facts, _limits_today()).qualifies:
        entry.small_micro_status = ListEntry.SmallMicroStatus.NONE
    elif entry.small_micro_status != ListEntry.SmallMicroStatus.CERTIFIED or new:
        entry.small_micro_status = ListEntry.SmallMicroStatus.FLAGGED
    entry.proposals = {
        level.value: {code: [m.model_dump(mode="json") for m in measures] for code, measures in by_industry.items()}
        for level, by_industry in checked.proposals.items()
    }


def _industry_rows(entry: ListEntry, industries: list[dict[str, Any]]) -> list[ListIndustry]:
    return [
        ListIndustry(entry=entry, industry_code=i["industry_code"], grade=i["grade"] or "", grade_source=i["source"])
        for i in industries
    ]


def _line_rows(entry: ListEntry, checked: core.ListEntry, registry_lines: dict[str, int | None]) -> list[ListLine]:
    rows = [
        ListLine(
            entry=entry,
            registry_line_id=registry_lines.get(line.key),
            key=line.key,
            name=line.name,
            industry_code=checked.line_industry(line),
            kind=line.kind,
            status=line.status.value,
            capacity_unit=line.capacity_unit,
            operating_days=line.operating_days,
            eia_capacity=line.eia_capacity,
            permit_capacity=line.permit_capacity,
            actual_output=line.actual_output,
            non_interruptible=line.non_interruptible,
            key_parameters=line.key_parameters,
            **{
                field: line.emissions.get(pollutant, 0.0)
                * (0.001 if line.emission_unit.startswith(("kg", "千克")) else 1.0)
                for pollutant, field in POLLUTANT_FIELDS.items()
            },
        )
        for line in checked.lines
    ]
    for row in rows:
        numbers.check_instance(row, where=f"生产线“{row.name}”：")
    return rows


@transaction.atomic
def save_entry(user: Any, site_id: int, year: int, data: dict[str, Any], reason: str = "") -> ListEntry:
    """Create or replace a site's list entry for a year, lines included; all of it or nothing."""
    site = site_for_list(user, site_id, "emergency.list.edit")
    checked, industries, registry_lines = check_entry(site, year, data)
    entry = ListEntry.objects.select_for_update(no_key=True).filter(site=site, year=year).first()
    before = _entry_snapshot(entry) if entry else None
    if entry is None:
        entry = ListEntry(site=site, enterprise=site.enterprise, region=site.region, year=year)
    _fill_entry(entry, checked, before is None)
    numbers.check_instance(entry)  # the core checked meaning; the columns check what can be stored
    entry.save()
    entry.industries.all().delete()
    ListIndustry.objects.bulk_create(_industry_rows(entry, industries))
    entry.lines.all().delete()
    rows = _line_rows(entry, checked, registry_lines)
    ListLine.objects.bulk_create(rows)
    entry = _entry_queryset().get(pk=entry.pk)
    audit.record(
        actor=user,
        action="emergency.list.create" if before is None else "emergency.list.update",
        obj=entry,
        region_code=entry.region_id,
        before=before,
        after=_entry_snapshot(entry),
        reason=reason,
    )
    return entry


@transaction.atomic
def create_entries(user: Any, items: list[tuple[Site, int, dict[str, Any]]], reason: str = "") -> list[ListEntry]:
    """New entries (sites without one for the year) in bulk — what save_entry does for each (same permission,
    same checks, same rows, one `emergency.list.create` audit record each) in a few statements; a bulk import of a
    new list. Any problem refuses the whole call; an existing entry goes through save_entry instead."""
    actor = actor_of(user)
    as_of = timezone.localdate()
    in_force: dict[int, dict[str, Grade]] = {}
    for (site_id, code), grade in grades_on([site.pk for site, _, _ in items], today()).items():
        in_force.setdefault(site_id, {})[code] = grade
    prepared = []
    for site, year, data in items:
        target = Target(region_code=site.region_id, enterprise_id=site.enterprise_id)
        if not decide(actor, "emergency.list.edit", target):
            raise NotFound("厂区不存在或不在您的管辖范围内")
        checked, industries, registry_lines = check_entry(
            site,
            year,
            data,
            registry_grades=in_force.get(site.pk, {}),
            as_of=as_of,
            table=False,
            key=f"new:{site.pk}:{year}",
        )
        prepared.append((site, year, checked, industries, registry_lines))
    failed = check_tables([checked for _, _, checked, _, _ in prepared])
    if failed:
        position, reason_text = next(iter(sorted(failed.items())))
        site = prepared[position][0]
        raise ServiceError(f"{site.enterprise.name} · {site.name}：{reason_text}", field="lines")
    site_ids = [site.pk for site, *_ in prepared]
    for start in range(0, len(site_ids), 500):
        taken = ListEntry.objects.filter(
            site_id__in=site_ids[start : start + 500], year__in={year for _, year, *_ in prepared}
        )
        wanted = {(site.pk, year) for site, year, *_ in prepared}
        if any((site_id, year) in wanted for site_id, year in taken.values_list("site_id", "year")):
            raise ServiceError("清单条目已存在，请逐条更新", field="year")
    entries = []
    for site, year, checked, _, _ in prepared:
        entry = ListEntry(site=site, enterprise_id=site.enterprise_id, region_id=site.region_id, year=year)
        _fill_entry(entry, checked, True)
        numbers.check_instance(entry)
        entries.append(entry)
    ListEntry.objects.bulk_create(entries, batch_size=500)
    industry_rows: list[ListIndustry] = []
    line_rows: list[ListLine] = []
    for entry, (_, _, checked, industries, registry_lines) in zip(entries, prepared, strict=True):
        industry_rows += _industry_rows(entry, industries)
        line_rows += _line_rows(entry, checked, registry_lines)
    ListIndustry.objects.bulk_create(industry_rows, batch_size=1000)
    ListLine.objects.bulk_create(line_rows, batch_size=1000)
    ids = [entry.pk for entry in entries]
    stored: dict[int, ListEntry] = {}
    for start in range(0, len(ids), 500):
        chunk = _entry_queryset().select_related("site__enterprise").filter(pk__in=ids[start : start + 500])
        stored.update({e.pk: e for e in chunk})  # the site's enterprise too: the audit label names it
    records = []
    for entry in entries:
        full = stored[entry.pk]
        after = entry_data(full)
        after.update(year=full.year, guarantee_status=full.guarantee_status, small_micro_status=full.small_micro_status)
        records.append(
            {
                "action": "emergency.list.create",
                "obj": full,
                "region_code": full.region_id,
                "after": after,
                "reason": reason,
            }
        )
    audit.record_many(actor=user, records=records)
    return [stored[pk] for pk in ids]


def _entry_snapshot(entry: ListEntry) -> dict[str, Any]:
    data = entry_data(_entry_queryset().get(pk=entry.pk))
    data.update(
        year=entry.year,
        guarantee_status=entry.guarantee_status,
        small_micro_status=entry.small_micro_status,
    )
    return data


@transaction.atomic
def delete_entry(user: Any, entry_id: int, reason: str = "") -> None:
    """Remove a site's entry from the list: the reviewing bureau only, with a reason (docs/emergency.md)."""
    entry = get_entry(user, entry_id, "emergency.list.delete")
    if not reason.strip():
        raise ServiceError("从清单中删除条目须填写原因", field="reason")
    before = _entry_snapshot(entry)
    audit.record(
        actor=user, action="emergency.list.delete", obj=entry, region_code=entry.region_id, before=before, reason=reason
    )
    entry.delete()


# ---------------------------------------------------------------- 保障类 and 小微 decisions


@transaction.atomic
def decide_guarantee(user: Any, entry_id: int, approve: bool, note: str = "") -> ListEntry:
    """County or city lists (or refuses) a 保障类 / 白名单 application (REQ H23-5, LC-9)."""
    entry = get_entry(user, entry_id, "emergency.guarantee.decide")
    entry = ListEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if entry.guarantee_status != ListEntry.GuaranteeStatus.APPLIED:
        raise ServiceError(f"当前状态为“{entry.get_guarantee_status_display()}”，没有待审核的保障类申请")
    if approve:
        checked = to_core(_entry_queryset().get(pk=entry.pk))
        guarantee = core.Guarantee(
            category=entry.guarantee_category,
            task_zh=entry.guarantee_task,
            guaranteed_daily_output=entry.guaranteed_daily_output or 0,
            normal_daily_output=entry.normal_daily_output or 1,
            output_unit=entry.output_unit or "t",
        )
        eligibility = guarantee_eligibility(guarantee, checked.industries)
        if not eligibility.eligible:
            raise ServiceError("不能纳入保障类：" + "；".join(eligibility.reasons))
    before = {"guarantee_status": entry.guarantee_status, "guarantee_note": entry.guarantee_note}
    entry.guarantee_status = ListEntry.GuaranteeStatus.LISTED if approve else ListEntry.GuaranteeStatus.REJECTED
    entry.guarantee_note = note.strip()[:300]
    entry.save(update_fields=["guarantee_status", "guarantee_note", "updated_at"])
    audit.record(
        actor=user,
        action="emergency.guarantee.decide",
        obj=entry,
        region_code=entry.region_id,
        before=before,
        after={"guarantee_status": entry.guarantee_status, "guarantee_note": entry.guarantee_note},
        reason=note,
    )
    return entry


@transaction.atomic
def report_guarantee_output(user: Any, entry_id: int, daily_output: float, note: str = "") -> ListEntry:
    """Record an observed daily output during an alert; above the guaranteed task → removed from the list (H23-5)."""
    entry = get_entry(user, entry_id, "emergency.guarantee.decide")
    entry = ListEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if entry.guarantee_status != ListEntry.GuaranteeStatus.LISTED:
        raise ServiceError("该企业不在保障类清单中")
    value = numbers.service_clean(
        ListEntry, "guaranteed_daily_output", daily_output, field="daily_output", label="日产量"
    )
    guarantee = core.Guarantee(
        category=entry.guarantee_category,
        task_zh=entry.guarantee_task,
        guaranteed_daily_output=entry.guaranteed_daily_output or 0,
        normal_daily_output=entry.normal_daily_output or 1,
        output_unit=entry.output_unit or "t",
    )
    try:
        decision = check_guarantee_breach(guarantee, value)
    except ValueError as exc:
        raise ServiceError(str(exc), field="daily_output") from None
    if decision.remove_from_list:
        before = {"guarantee_status": entry.guarantee_status}
        entry.guarantee_status = ListEntry.GuaranteeStatus.REMOVED
        entry.guarantee_note = decision.reason[:300]
        entry.save(update_fields=["guarantee_status", "guarantee_note", "updated_at"])
        audit.record(
            actor=user,
            action="emergency.guarantee.remove",
            obj=entry,
            region_code=entry.region_id,
            before=before,
            after={"guarantee_status": entry.guarantee_status, "observed_daily_output": value},
            reason=decision.reason + (f"；{note}" if note else ""),
        )
    return entry


@transaction.atomic
def certify_small_micro(user: Any, entry_id: int, certify: bool, opinion: str) -> ListEntry:
    """The county certifies (or refuses) a small/micro enterprise on its evidence (REQ SJZ-11)."""
    entry = get_entry(user, entry_id, "emergency.small_micro.certify")
    entry = ListEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if not opinion.strip():
        raise ServiceError("须填写书面认定意见 (REQ SJZ-11)", field="opinion")
    if entry.small_micro_facts is None:
        raise ServiceError("企业未填报小微涉气认定材料")
    result = assess_small_micro(core.SmallMicroFacts.model_validate(entry.small_micro_facts), _limits_today())
    if certify and not result.qualifies:
        raise ServiceError("不满足小微涉气条件，不能认定：" + "；".join(result.reasons))
    before = {"small_micro_status": entry.small_micro_status}
    entry.small_micro_status = ListEntry.SmallMicroStatus.CERTIFIED if certify else ListEntry.SmallMicroStatus.REFUSED
    entry.small_micro_opinion = opinion.strip()[:300]
    entry.save(update_fields=["small_micro_status", "small_micro_opinion", "updated_at"])
    audit.record(
        actor=user,
        action="emergency.small_micro.certify",
        obj=entry,
        region_code=entry.region_id,
        before=before,
        after={"small_micro_status": entry.small_micro_status, "opinion": entry.small_micro_opinion},
        reason=opinion,
    )
    return entry


@transaction.atomic
def save_plan(user: Any, data: dict[str, Any], reason: str = "") -> NonInterruptiblePlan:
    """The city approves (or revises) an industry's plan for non-interruptible processes (REQ SJZ-10)."""
    region_code = str(data.get("region") or "")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ServiceError(f"行政区划代码 {region_code!r} 不存在", field="region")
    require(user, "emergency.plan.approve", Target(region_code=region.code))
    code = str(data.get("industry_code") or "")
    if industry_by_code(code) is None:
        raise ServiceError(f"未知的重点行业 {code!r}", field="industry_code")
    percents = {}
    for level in LEVEL_ORDER:
        name = f"{level.value}_percent"
        value = numbers.service_clean(NonInterruptiblePlan, name, data.get(name), label=f"{level.label_zh}限产比例")
        if not 0 <= value <= 100:
            raise ServiceError(f"{level.label_zh}限产比例须在 0–100 之间", field=f"{level.value}_percent")
        percents[f"{level.value}_percent"] = value
    plan, created = NonInterruptiblePlan.objects.update_or_create(
        industry_code=code,
        region=region,
        defaults={**percents, "note": str(data.get("note") or "")[:300], "approved_by": user},
    )
    audit.record(
        actor=user,
        action="emergency.plan.approve",
        obj=plan,
        region_code=region.code,
        after={"industry_code": code, **percents, "created": created},
        reason=reason,
    )
    return plan


# ---------------------------------------------------------------- alert events


def _parse_level(value: Any) -> AlertLevel:
    try:
        return AlertLevel(str(value))
    except ValueError:
        raise ServiceError(f"预警级别无效: {value!r}（yellow / orange / red）", field="level") from None


def _parse_time(value: Any, field: str, required: bool) -> dt.datetime | None:
    if value in (None, ""):
        if required:
            raise ServiceError("时间不能为空", field=field)
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise ServiceError(f"时间格式应为 YYYY-MM-DDTHH:MM，收到 {value!r}", field=field) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _event_regions_allowed(actor: Actor, codes: Iterable[str], action: str) -> None:
    for code in codes:
        require(actor, action, Target(region_code=code))


def _regions_q(codes: list[str]) -> Q:
    query = Q(pk__in=[])
    for code in codes:
        query |= within(code)
    return query


def _generate_tasks(event: AlertEvent, level: AlertLevel) -> None:
    """Every enterprise in scope gets its task list; every city its expected cut (REQ G-5, G-6)."""
    entries = _latest_entries(_entry_queryset().filter(_regions_q(event.region_codes)), None)
    scope = event.region_codes[0] if len(event.region_codes) == 1 else event.scope_region_id
    simulation, _ = _simulate_entries(entries, scope, level, event.starts_at.date())
    names = dict(Region.objects.values_list("code", "name"))
    report = simulation_report(simulation, scope, names, str(rulebook().version), "database")
    event.expected = {"cities": report["cities"], "total": report["total"], "required_share": report["required_share"]}
    event.rules_version = str(rulebook().version)
    event.level = level.value
    existing = {task.entry_id: task for task in event.tasks.all()}
    keep: list[int] = []
    for index, entry in enumerate(entries):
        plan = enterprise_plan(simulation, index)
        expected = plan.reduction
        task = existing.get(entry.pk) or AlertTask(
            event=event, entry=entry, enterprise=entry.enterprise, region=entry.region
        )
        changed_level = task.pk is not None and task.level != level.value
        task.level = level.value
        task.plan = plan.as_dict()
        task.expected_so2, task.expected_nox = expected["SO2"], expected["NOx"]
        task.expected_pm, task.expected_vocs = expected["PM"], expected["VOCs"]
        if changed_level:
            # A raised or lowered alert is a new order: it must be acknowledged again.
            task.acknowledged_at = None
            task.acknowledged_by = None
        task.save()
        keep.append(task.pk)
    event.tasks.exclude(pk__in=keep).delete()


@transaction.atomic
def issue_alert(user: Any, data: dict[str, Any], reason: str = "") -> AlertEvent:
    actor = actor_of(user)
    codes = [str(code).strip() for code in data.get("region_codes") or [] if str(code).strip()]
    if not codes:
        raise ServiceError("须选择至少一个预警区域", field="region_codes")
    regions = {region.code: region for region in Region.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in regions]
    if missing:
        raise ServiceError(f"行政区划代码不存在: {', '.join(missing)}", field="region_codes")
    _event_regions_allowed(actor, codes, "alert.issue")
    level = _parse_level(data.get("level"))
    starts_at = _parse_time(data.get("starts_at"), "starts_at", True)
    ends_at = _parse_time(data.get("ends_at"), "ends_at", False)
    if ends_at is not None and starts_at is not None and ends_at <= starts_at:
        raise ServiceError("结束时间须晚于开始时间", field="ends_at")
    title = str(data.get("title") or "").strip() or f"{'、'.join(regions[c].name for c in codes)}{level.label_zh}"
    event = AlertEvent.objects.create(
        title=title[:200],
        region_codes=codes,
        scope_region_id=actor.region_code,
        level=level.value,
        starts_at=starts_at,
        ends_at=ends_at,
        issued_by=user,
    )
    AlertChange.objects.create(event=event, action=AlertChange.Action.ISSUE, level=level.value, by=user, reason=reason)
    _generate_tasks(event, level)
    event.save()
    audit.record(
        actor=user,
        action="alert.issue",
        obj=event,
        region_code=actor.region_code or "",
        after={
            "regions": codes,
            "level": level.value,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "tasks": event.tasks.count(),
        },
        reason=reason,
    )
    return event


def _event_for_change(user: Any, event_id: int) -> AlertEvent:
    require_role(user, "alert.issue")  # the same answer for every event, existing or not
    event = get_event(user, event_id)  # out of scope looks missing, before any other check
    _event_regions_allowed(actor_of(user), event.region_codes, "alert.issue")
    event = AlertEvent.objects.select_for_update(no_key=True).get(pk=event.pk)
    if event.status != AlertEvent.Status.ACTIVE:
        raise ServiceError("预警已解除，不能再调整")
    return event


@transaction.atomic
def change_alert_level(user: Any, event_id: int, level_value: Any, reason: str = "") -> AlertEvent:
    """Raise or lower an active alert; every task is recomputed and must be acknowledged again."""
    event = _event_for_change(user, event_id)
    level = _parse_level(level_value)
    current = AlertLevel(event.level)
    if level is current:
        raise ServiceError(f"当前已是{level.label_zh}", field="level")
    action = (
        AlertChange.Action.RAISE if LEVEL_ORDER.index(level) > LEVEL_ORDER.index(current) else AlertChange.Action.LOWER
    )
    AlertChange.objects.create(event=event, action=action, level=level.value, by=user, reason=reason)
    _generate_tasks(event, level)
    event.save()
    audit.record(
        actor=user,
        action=f"alert.{action}",
        obj=event,
        region_code=event.scope_region_id,
        before={"level": current.value},
        after={"level": level.value},
        reason=reason,
    )
    return event


@transaction.atomic
def lift_alert(user: Any, event_id: int, reason: str = "") -> AlertEvent:
    event = _event_for_change(user, event_id)
    event.status = AlertEvent.Status.LIFTED
    event.lifted_at = timezone.now()
    event.save(update_fields=["status", "lifted_at"])
    AlertChange.objects.create(event=event, action=AlertChange.Action.LIFT, level=event.level, by=user, reason=reason)
    audit.record(
        actor=user,
        action="alert.lift",
        obj=event,
        region_code=event.scope_region_id,
        before={"status": "active"},
        after={"status": "lifted"},
        reason=reason,
    )
    return event


def _event_visible(actor: Actor, event: AlertEvent) -> bool:
    if actor.role is Role.ENTERPRISE:
        return actor.enterprise_id is not None and event.tasks.filter(enterprise_id=actor.enterprise_id).exists()
    if actor.role in (Role.COUNTY, Role.CITY, Role.PROVINCE) and actor.region_code:
        return any(
            contains(actor.region_code, code) or contains(code, actor.region_code) for code in event.region_codes
        )
    return False


def visible_events(user: Any) -> list[AlertEvent]:
    actor = actor_of(user)
    if actor.role not in (Role.COUNTY, Role.CITY, Role.PROVINCE, Role.ENTERPRISE):
        return []
    return [event for event in AlertEvent.objects.all() if _event_visible(actor, event)]


def get_event(user: Any, event_id: int) -> AlertEvent:
    event = AlertEvent.objects.filter(pk=event_id).first()
    actor = actor_of(user)
    if event is None or actor.role not in (Role.COUNTY, Role.CITY, Role.PROVINCE, Role.ENTERPRISE):
        raise NotFound("预警事件不存在或不在您的管辖范围内")
    if not _event_visible(actor, event):
        raise NotFound("预警事件不存在或不在您的管辖范围内")
    return event


def event_tasks(user: Any, event: AlertEvent) -> QuerySet[AlertTask]:
    actor = actor_of(user)
    tasks = event.tasks.select_related("enterprise", "region", "entry__site")
    return scoped(tasks, actor, enterprise_field="enterprise_id")


def my_active_tasks(user: Any) -> list[AlertTask]:
    """The tasks of active alerts that the caller's enterprise must acknowledge and report (home-page banner)."""
    actor = actor_of(user)
    if actor.enterprise_id is None or not decide(actor, "alert.report", Target(enterprise_id=actor.enterprise_id)):
        return []
    return list(
        AlertTask.objects.filter(enterprise_id=actor.enterprise_id, event__status=AlertEvent.Status.ACTIVE)
        .select_related("event", "entry__site")
        .order_by("-event__starts_at")
    )


def get_task(user: Any, task_id: int, action: str = "alert.view") -> AlertTask:
    """A task the caller may see; for another `action`, a role that may never do it is refused first (the same answer
    for every task), then a task out of scope looks missing, and only then is `action` refused with a reason."""
    if action != "alert.view":
        require_role(user, action)
    task = AlertTask.objects.select_related("event", "enterprise", "region", "entry__site").filter(pk=task_id).first()
    missing = "任务不存在或不在您的管辖范围内"
    if task is None:
        raise NotFound(missing)
    target = Target(region_code=task.region_id, enterprise_id=task.enterprise_id)
    require_found(user, action, target, view="alert.view", missing=missing)
    return task


@transaction.atomic
def acknowledge_task(user: Any, task_id: int) -> AlertTask:
    task = get_task(user, task_id, "alert.acknowledge")
    task = AlertTask.objects.select_for_update(no_key=True).select_related("event").get(pk=task.pk)
    if task.event.status != AlertEvent.Status.ACTIVE:
        raise ServiceError("预警已解除，无需签收")
    if task.acknowledged_at is None:
        task.acknowledged_at = timezone.now()
        task.acknowledged_by = user
        task.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record(
            actor=user,
            action="alert.acknowledge",
            obj=task,
            region_code=task.region_id,
            after={"event": task.event_id, "level": task.level},
        )
    return task


REPORTED_LABELS = {
    "reported_so2": "二氧化硫实际减排量",
    "reported_nox": "氮氧化物实际减排量",
    "reported_pm": "颗粒物实际减排量",
    "reported_vocs": "挥发性有机物实际减排量",
    "electricity_baseline_kwh": "平时日用电量",
    "electricity_alert_kwh": "预警期间日用电量",
}
_DECIMAL = re.compile(r"^\d+(\.\d+)?$")


def _optional_float(data: dict[str, Any], key: str, column: str = "") -> float | None:
    """A non-negative decimal typed by a person: plain digits (thousands separators allowed), no exponent, finite."""
    value = data.get(key)
    if value in (None, ""):
        return None
    label = REPORTED_LABELS.get(key, key)
    if isinstance(value, bool):
        raise ServiceError(f"{label}须为数字", field=key)
    text = str(value).strip().replace(",", "")
    if text.startswith("-") and _DECIMAL.match(text[1:]):
        raise ServiceError(f"{label}不能为负数", field=key)
    if not _DECIMAL.match(text) or not math.isfinite(number := float(text)) or number > 1e12:
        raise ServiceError(f"{label}须为数字（如 0.35），收到“{str(value)[:20]}”", field=key)
    number = numbers.service_clean(AlertTask, column or key, number, field=key, label=label)
    return number


@transaction.atomic
def report_execution(user: Any, task_id: int, data: dict[str, Any]) -> AlertTask:
    """The enterprise reports what it did: lines done, reductions achieved, a note."""
    task = get_task(user, task_id, "alert.report")
    task = AlertTask.objects.select_for_update(no_key=True).get(pk=task.pk)
    known = {line["line"] for line in task.plan.get("lines", [])}
    done = [str(key) for key in data.get("lines_done") or []]
    unknown = [key for key in done if key not in known]
    if unknown:
        raise ServiceError(f"任务中没有这些生产线: {', '.join(unknown)}", field="lines_done")
    before = {"reported_lines_done": task.reported_lines_done, "reported_note": task.reported_note}
    task.reported_lines_done = done
    task.reported_note = str(data.get("note") or "")[:2000]
    for pollutant in ("so2", "nox", "pm", "vocs"):
        setattr(task, f"reported_{pollutant}", _optional_float(data, f"reported_{pollutant}"))
    task.reported_at = timezone.now()
    task.save()
    audit.record(
        actor=user,
        action="alert.report",
        obj=task,
        region_code=task.region_id,
        before=before,
        after={"reported_lines_done": done, "reported_note": task.reported_note},
    )
    return task


@transaction.atomic
def record_evidence(user: Any, task_id: int, data: dict[str, Any]) -> AlertTask:
    """The bureau records independent evidence: online monitoring and electricity use (REQ H23-6)."""
    task = get_task(user, task_id, "alert.evidence")
    task = AlertTask.objects.select_for_update(no_key=True).get(pk=task.pk)
    task.evidence_online_monitoring = str(data.get("online_monitoring") or "")[:4000]
    task.evidence_electricity_baseline_kwh = _optional_float(
        data, "electricity_baseline_kwh", "evidence_electricity_baseline_kwh"
    )
    task.evidence_electricity_alert_kwh = _optional_float(
        data, "electricity_alert_kwh", "evidence_electricity_alert_kwh"
    )
    task.evidence_note = str(data.get("note") or "")[:2000]
    task.evidence_by = user
    task.save()
    audit.record(
        actor=user,
        action="alert.evidence",
        obj=task,
        region_code=task.region_id,
        after={
            "electricity_baseline_kwh": task.evidence_electricity_baseline_kwh,
            "electricity_alert_kwh": task.evidence_electricity_alert_kwh,
            "note": task.evidence_note,
        },
    )
    return task


def execution_summary(task: AlertTask) -> dict[str, Any]:
    """Expected against reported cuts, and what electricity use says (a drop in line with the expected cut)."""
    rows = {}
    for pollutant in ("so2", "nox", "pm", "vocs"):
        rows[pollutant] = {
            "expected": getattr(task, f"expected_{pollutant}"),
            "reported": getattr(task, f"reported_{pollutant}"),
        }
    electricity_drop = None
    base, during = task.evidence_electricity_baseline_kwh, task.evidence_electricity_alert_kwh
    if base and during is not None:
        electricity_drop = 1 - during / base
    stop_or_curtail = [
        line["line"]
        for line in task.plan.get("lines", [])
        if line["action"] in ("stop", "curtail", "plan_curtail", "guarantee_cap")
    ]
    return {
        "pollutants": rows,
        "lines_expected": stop_or_curtail,
        "lines_reported": task.reported_lines_done,
        "lines_missing": [key for key in stop_or_curtail if key not in task.reported_lines_done],
        "electricity_drop": electricity_drop,
    }


def operation_plan_documents(user: Any, entry_id: int, as_of: dt.date | None = None) -> Any:
    """The 一厂一策 plan (REQ LC-11) of an entry the caller may see, ready to render as DOCX or PDF."""
    from airgrade.io.documents.operation_plan import OperationPlan

    entry = get_entry(user, entry_id)
    as_of = as_of or timezone.localdate()
    return OperationPlan(
        entry=to_core(entry),
        plans=entry_plans(entry, as_of),
        region_name=entry.region.name,
        rules_version=str(rulebook().version),
        as_of=as_of.isoformat(),
    )
