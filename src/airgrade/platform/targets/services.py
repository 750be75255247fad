"""Targets and the leaders' view (REQ H21-1, H21-2, H23-3): A/B shares of a region against the province's targets,
the D count and its trend, the pipeline of declarations in review, and the planner of enterprises that close the gap.

The counting rules are in airgrade.core.targets; this module only reads the grade registry (one aggregate query per
date, in the database) and the declarations in review. Reads only: nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.grading.engine import grade as grade_facts
from airgrade.core.regions import RegionLevel, city_of, contains, level_of
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.targets import (
    GRADE_OF_KEY,
    Attainment,
    Projection,
    Tally,
    lowest_counted,
    month_ends,
    project,
    worst_key,
)
from airgrade.core.types import Grade
from airgrade.core.workflow import State
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.declarations.models import Declaration, DeclarationItem
from airgrade.platform.enterprises.models import Enterprise
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.grades.services import in_force_q
from airgrade.platform.permissions import require_found, within
from airgrade.platform.regions.models import Region

MISSING_REGION = "区域不存在或不在您的管辖范围内"
# Declarations that are still moving: submitted and not yet decided or withdrawn.
IN_REVIEW = tuple(state.value for state in State if not state.is_closed and state is not State.DRAFT)

# Where no targets are in force, "A、B 级" is the top tier the core names (A+, A, B, B-, 引领性).
DEFAULT_COUNTED = frozenset(grade for grade in Grade if grade.is_top_tier)

# How much the page shows (display choices, not rules): a year of month ends, the first enterprises of the planner.
HISTORY_MONTHS = 12
PLANNER_LIMIT = 20


# ---------------------------------------------------------------- the counts (one query per date)


def _case_sql() -> tuple[str, list[Any]]:
    whens = " ".join("WHEN %s THEN %s" for _ in Grade)
    params: list[Any] = []
    for grade in Grade:
        params += [grade.value, worst_key(grade)]
    return f"CASE g.grade {whens} END", params


def _high_water() -> tuple[int, int]:
    return (
        GradeRecord.objects.aggregate(m=Max("id"))["m"] or 0,
        AuditRecord.objects.aggregate(m=Max("id"))["m"] or 0,
    )


# Past this many regions touched since the counts were taken, count everything again rather than region by region.
RECOUNT_REGIONS_AT_MOST = 40


def _touched_regions(on: dt.date, grade_mark: int, audit_mark: int) -> set[str] | None:
    """The regions whose counts on `on` may have changed since the counts were taken at `grade_mark` /
    `audit_mark`; None: too many, count everything. Grade records are never edited, only closed by a newer record
    whose valid_from is the closing date, so only an enterprise with a record added since with valid_from ≤ `on`
    can count differently; an enterprise moved to another region (an audited registry update) changes both."""
    touched: set[str] = set()
    added = GradeRecord.objects.filter(id__gt=grade_mark, valid_from__lte=on)
    for region in added.values_list("enterprise__region_id", flat=True).distinct()[: RECOUNT_REGIONS_AT_MOST + 1]:
        touched.add(region)
    moves = AuditRecord.objects.filter(id__gt=audit_mark, action="enterprise.update").values_list("before", "after")
    for before, after in moves:
        old, new = (before or {}).get("region_id"), (after or {}).get("region_id")
        if old != new:
            touched.update(code for code in (old, new) if code)
    return touched if len(touched) <= RECOUNT_REGIONS_AT_MOST else None


def _count_all(on: dt.date, regions: set[str] | None = None) -> Tally:
    """Every graded unit of the database on `on` (or of enterprises registered in `regions`): enterprises by
    (region, overall grade) and enterprise × industry by (region, industry, grade), grouped in the database
    (REQ H21-1; counting rules in airgrade.core.targets)."""
    case, case_params = _case_sql()
    records, enterprises = GradeRecord._meta.db_table, Enterprise._meta.db_table
    inner = (
        f"SELECT g.enterprise_id AS eid, e.region_id AS region, {{extra}} MAX({case}) AS worst "
        f"FROM {records} g JOIN {enterprises} e ON e.id = g.enterprise_id "
        "WHERE g.valid_from <= %s AND (g.valid_until IS NULL OR g.valid_until > %s) {only}"
        "GROUP BY g.enterprise_id, e.region_id{group}"
    )
    where_params: list[Any] = [on, on]
    only = ""
    if regions is not None:
        only = f"AND e.region_id IN ({', '.join(['%s'] * len(regions))}) "
        where_params += sorted(regions)
    inner = inner.replace("{only}", only)
    tally = Tally()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT region, worst, COUNT(*) FROM ({inner.format(extra='', group='')}) w GROUP BY region, worst",
            case_params + where_params,
        )
        for region, worst, n in cursor.fetchall():
            tally.enterprises[(region, GRADE_OF_KEY[worst])] += n
        cursor.execute(
            "SELECT region, industry, worst, COUNT(*) FROM "
            f"({inner.format(extra='g.industry_code AS industry,', group=', g.industry_code')}) w "
            "GROUP BY region, industry, worst",
            case_params + where_params,
        )
        for region, industry, worst, n in cursor.fetchall():
            tally.industries[(region, industry, GRADE_OF_KEY[worst])] += n
    return tally


# The counts of every region per date, kept in this process (not the cache backend: unpickling a province's counts
# on every call cost more than the rest of the page). Bounded: the history's month ends and a few chosen dates.
_KEPT: dict[dt.date, tuple[int, int, Tally]] = {}
_REGIONS: dict[tuple[str, dt.date], Tally] = {}
_WORK: dict[str, tuple[tuple[Any, ...], Any]] = {}
KEPT_DATES = 64


def forget_counts() -> None:
    """Drop the counts kept in this process (tests, benchmarks)."""
    _KEPT.clear()
    _REGIONS.clear()
    _WORK.clear()


def tally_on(region_code: str, on: dt.date, marks: tuple[int, int] | None = None) -> Tally:
    """The counts of a region on date `on` (REQ H21-1). The counts of every region for a date are taken once and
    kept; when grades were recorded since (valid on or before `on`) or enterprises moved, only the regions they
    touch are counted again (`_touched_regions`). A new grade usually starts today, so the month ends of the
    history stay as they are. `marks`: the high-water marks the caller already read (one report, many dates)."""
    marks = marks or _high_water()
    kept = _KEPT.get(on)
    touched = set() if kept is None or kept[:2] == marks else _touched_regions(on, kept[0], kept[1])
    if kept is not None and touched is not None:
        everything = kept[2]
        if touched:
            # Count the touched regions again, in full, from the registry as it is now; keep the rest.
            fresh = _count_all(on, touched)
            for key in [key for key in everything.enterprises if key[0] in touched]:
                del everything.enterprises[key]
            for key in [key for key in everything.industries if key[0] in touched]:
                del everything.industries[key]
            everything.enterprises.update(fresh.enterprises)
            everything.industries.update(fresh.industries)
            for key in [key for key in _REGIONS if key[1] == on]:
                del _REGIONS[key]
        _KEPT[on] = (*marks, everything)  # checked up to these marks
    else:
        everything = _count_all(on)
        if len(_KEPT) >= KEPT_DATES:
            forget_counts()
        _KEPT[on] = (*marks, everything)
        for key in [key for key in _REGIONS if key[1] == on]:
            del _REGIONS[key]  # cut from the counts just replaced
    own = _REGIONS.get((region_code, on))
    if own is not None:
        return own
    # A region reads its enterprises per part and its industry units only as its own totals: place them all in the
    # region (a province has ~60,000 region × industry × grade keys, its totals ~400).
    industries: Counter[tuple[str, str, Grade]] = Counter()
    for (region, industry, grade), n in everything.industries.items():
        if n and contains(region_code, region):
            industries[(region_code, industry, grade)] += n
    tally = Tally(
        enterprises=Counter({k: n for k, n in everything.enterprises.items() if n and contains(region_code, k[0])}),
        industries=industries,
    )
    _REGIONS[(region_code, on)] = tally
    return tally


# ---------------------------------------------------------------- pipeline (declarations in review)


@dataclass(frozen=True)
class PipelineEntry:
    enterprise_id: int
    enterprise_name: str
    region_code: str
    outcome: Projection
    declarations: tuple[str, ...]


def pipeline(region_code: str, on: dt.date) -> list[PipelineEntry]:
    """Every enterprise of the region with declarations in review, its overall grade now and as expected."""
    items = (
        DeclarationItem.objects.filter(declaration__state__in=IN_REVIEW)
        .filter(within(region_code, "declaration__enterprise__region_id"))
        .order_by("declaration__submitted_at", "declaration_id", "id")
        .values_list(
            "declaration__enterprise_id", "declaration__enterprise__name", "declaration__enterprise__region_id",
            "declaration__site_id", "declaration__number", "industry_code", "recommended_grade", "target_grade",
        )
    )  # fmt: skip
    expected: dict[int, dict[tuple[int, str], Grade]] = {}
    numbers: dict[int, list[str]] = {}
    names: dict[int, tuple[str, str]] = {}
    for enterprise_id, name, region, site_id, number, industry, recommended, declared in items:
        # The city's recommendation where it has one, else the grade declared (the county or city may lower it).
        expected.setdefault(enterprise_id, {})[(site_id, industry)] = Grade(recommended or declared)
        known = numbers.setdefault(enterprise_id, [])
        if number not in known:
            known.append(number)
        names[enterprise_id] = (name, region)
    current: dict[int, dict[tuple[int, str], Grade]] = {}
    for start in range(0, len(expected), 500):
        ids = list(expected)[start : start + 500]
        rows = (
            GradeRecord.objects.filter(enterprise_id__in=ids)
            .filter(in_force_q(on))
            .order_by("valid_from", "id")
            .values_list("enterprise_id", "site_id", "industry_code", "grade")
        )
        for enterprise_id, site_id, industry, grade in rows:
            current.setdefault(enterprise_id, {})[(site_id, industry)] = Grade(grade)
    entries = []
    for enterprise_id, changes in expected.items():
        outcome = project(current.get(enterprise_id, {}), changes)
        name, region = names[enterprise_id]
        entries.append(PipelineEntry(enterprise_id, name, region, outcome, tuple(numbers[enterprise_id])))
    return entries


def projected_tally(tally: Tally, entries: list[PipelineEntry], region_code: str) -> Tally:
    """The tally (of `region_code`, see tally_on) as it would be if every declaration in review ended as expected."""
    projected = Tally(enterprises=Counter(tally.enterprises), industries=Counter(tally.industries))
    for entry in entries:
        outcome = entry.outcome
        projected.move(entry.region_code, outcome.before, outcome.after, outcome.industries, region_code)
    return projected


# ---------------------------------------------------------------- planner (附件3 enterprises nearest to counting)


@dataclass(frozen=True)
class PlannerRow:
    enterprise_id: int
    enterprise_name: str
    region_code: str
    grade: Grade
    gaps: int | None  # indicators still short of the lowest counted grade; None: some industry has no facts
    industries: tuple[str, ...]


def planner(region_code: str, on: dt.date, counted: frozenset[Grade], limit: int = PLANNER_LIMIT) -> list[PlannerRow]:
    """Graded enterprises of the region that do not count yet and have declared facts, fewest gaps first: for each
    industry below a counted grade, the indicators its last declared facts miss for the lowest counted grade of its
    scale (REQ H21-2, H21-3). Enterprises that never declared are left out (their gaps are unknown)."""
    book = default_rulebook()
    declared = (
        DeclarationItem.objects.exclude(declaration__state=State.WITHDRAWN)
        .filter(within(region_code, "declaration__enterprise__region_id"))
        .values_list("declaration__enterprise_id", flat=True)
        .distinct()
    )
    held: dict[int, dict[tuple[int, str], tuple[Grade, str]]] = {}
    names: dict[int, tuple[str, str]] = {}
    records = (
        GradeRecord.objects.filter(in_force_q(on), enterprise_id__in=declared)
        .order_by("enterprise_id", "valid_from", "id")
        .values_list(
            "enterprise_id", "site_id", "industry_code", "grade", "region_id", "enterprise__name",
            "enterprise__region_id",
        )
    )  # fmt: skip
    for enterprise_id, site_id, industry, grade, region, name, enterprise_region in records:
        held.setdefault(enterprise_id, {})[(site_id, industry)] = (Grade(grade), region)
        names[enterprise_id] = (name, enterprise_region)
    facts: dict[tuple[int, str], dict[str, Any]] = {}
    items = (
        DeclarationItem.objects.filter(declaration__enterprise_id__in=list(held))
        .exclude(declaration__state=State.WITHDRAWN)
        .order_by("declaration_id", "id")
        .values_list("declaration__site_id", "industry_code", "facts")
    )
    for site_id, industry, declared_facts in items:
        facts[(site_id, industry)] = declared_facts  # later declarations win
    rows = []
    for enterprise_id, grades in held.items():
        overall = max((grade for grade, _ in grades.values()), key=worst_key)
        if overall in counted:
            continue
        total: int | None = 0
        short: list[str] = []
        for (site_id, industry), (current, region) in grades.items():
            if current in counted:
                continue
            short.append(industry)
            gaps = _gaps_to_count(facts.get((site_id, industry)), industry, on, region, counted, book)
            total = None if gaps is None or total is None else total + gaps
        name, enterprise_region = names[enterprise_id]
        rows.append(PlannerRow(enterprise_id, name, enterprise_region, overall, total, tuple(short)))
    rows.sort(key=lambda row: (row.gaps is None, row.gaps or 0, row.grade.rank, row.enterprise_name))
    return rows[:limit]


def _gaps_to_count(
    facts: dict[str, Any] | None, industry: str, on: dt.date, region: str, counted: frozenset[Grade], book: Any
) -> int | None:
    if not facts:
        return None
    try:
        result = grade_facts(facts, industry, on, region_code=region, book=book)
    except (LookupError, ValueError):
        return None
    aim = lowest_counted(book.rules_for(industry, on, region).grades, counted)
    if aim is None:
        return None
    return len(result.gaps.get(aim, ()))


# ---------------------------------------------------------------- the report


def _region(region_code: str) -> Region:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise NotFound(MISSING_REGION)
    return region


def visible_region(user: Any, region_code: str) -> Region:
    """The region whose figures the caller may see (staff of it or above); out of scope is "not found"."""
    if not region_code or len(region_code) != 6 or not region_code.isdigit():
        raise NotFound(MISSING_REGION)
    require_found(user, "targets.view", Target(region_code=region_code), view="targets.view", missing=MISSING_REGION)
    return _region(region_code)


def target_set_on(region_code: str, on: dt.date) -> s.TargetSet | None:
    try:
        return default_rulebook().targets(region_code, on)
    except RuleLookupError:
        return None


def _parts(region: Region) -> tuple[dict[str, str], dict[str, str]]:
    """One level down: (region code → part code, part code → name). A province by city, a city by county; a unit
    registered at the city's own code is the city's 市本级."""
    level = level_of(region.code)
    names: dict[str, str] = {}
    part_of: dict[str, str] = {}
    if level is RegionLevel.PROVINCE:
        for child in Region.objects.filter(within(region.code, "code")).exclude(level=RegionLevel.COUNTY.value):
            if child.code != region.code:
                names[child.code] = child.name
        return part_of, names
    if level is RegionLevel.CITY:
        for child in Region.objects.filter(parent_id=region.code):
            names[child.code] = child.name
        names.setdefault(region.code, f"{region.name}（市本级）")
        return part_of, names
    names[region.code] = region.name
    return part_of, names


def _part_code(region: Region, code: str) -> str:
    level = level_of(region.code)
    if level is RegionLevel.PROVINCE:
        return city_of(code)
    if level is RegionLevel.CITY:
        return code
    return region.code


def _attainments(
    tally: Tally, region: Region, targets: s.TargetSet | None, counted: frozenset[Grade]
) -> dict[str, Any]:
    """The region's total, its parts, families and industries as Attainments."""
    book = default_rulebook()
    city_targets = {city.region: city.target_percent for city in targets.cities} if targets else {}
    _, names = _parts(region)
    by_part: dict[str, Counter[Grade]] = {code: Counter() for code in names}
    for (code, grade), n in tally.enterprises.items():
        by_part.setdefault(_part_code(region, code), Counter())[grade] += n
    level = level_of(region.code)
    total_target: Decimal | None = None
    if targets is not None:
        total_target = (
            targets.overall_percent if level is RegionLevel.PROVINCE else city_targets.get(city_of(region.code))
        )
    parts = [
        Attainment(
            code,
            names.get(code, code),
            dict(grades),
            counted,
            target_percent=city_targets.get(code) if level is RegionLevel.PROVINCE else None,
        )
        for code, grades in sorted(by_part.items())
    ]
    family_of = {entry.code: entry.family for entry in book.industries(region.code)}
    family_targets = {f.family: f for f in targets.families} if targets else {}
    industry_totals = tally.industry_totals()
    family_grades = tally.family_grades(family_of, industry_totals)
    families = [
        Attainment(
            family,
            s.FAMILY_LABELS_ZH[family],
            dict(family_grades.get(family, Counter())),
            counted,
            target_percent=family_targets[family].target_percent if family in family_targets else None,
            baseline_percent=family_targets[family].baseline_percent if family in family_targets else None,
        )
        for family in s.FAMILY_LABELS_ZH
        if family in family_targets or family in family_grades
    ]
    industries = [
        Attainment(entry.code, entry.name_zh, dict(industry_totals[entry.code]), counted)
        for entry in book.industries(region.code)
        if entry.code in industry_totals
    ]
    total = Attainment(region.code, region.name, dict(tally.total_grades()), counted, target_percent=total_target)
    return {"total": total, "parts": parts, "families": families, "industries": industries}


def _work_mark(marks: tuple[int, int]) -> tuple[Any, ...]:
    """What the pipeline and the planner depend on beyond the counts: any audited write (every transition, every
    recommendation), any grade record, any declaration touched outside the services."""
    return (
        *marks,
        Declaration.objects.aggregate(m=Max("updated_at"))["m"],
        DeclarationItem.objects.aggregate(m=Max("id"))["m"],
    )


def _kept(key: str, mark: tuple[Any, ...], compute: Any) -> Any:
    """`compute()`, kept in this process until `mark` changes."""
    kept = _WORK.get(key)
    if kept is not None and kept[0] == mark:
        return kept[1]
    value = compute()
    if len(_WORK) >= KEPT_DATES:
        _WORK.clear()
    _WORK[key] = (mark, value)
    return value


def report(region_code: str, on: dt.date, *, history: bool = True, with_planner: bool = True) -> dict[str, Any]:
    """Everything the leaders' view shows for a region on a date (no access check: callers check first)."""
    region = _region(region_code)
    targets = target_set_on(region_code, on)
    counted = frozenset(targets.counted_grades) if targets else DEFAULT_COUNTED
    marks = _high_water()
    tally = tally_on(region_code, on, marks)
    now = _attainments(tally, region, targets, counted)
    mark = _work_mark(marks)
    entries = _kept(f"targets:pipeline:{region_code}:{on.isoformat()}", mark, lambda: pipeline(region_code, on))
    projected = _attainments(projected_tally(tally, entries, region_code), region, targets, counted)
    raising = {
        entry.enterprise_id
        for entry in entries
        if entry.outcome.after in counted and entry.outcome.before not in counted
    }
    result: dict[str, Any] = {
        "region": {"code": region.code, "name": region.name, "level": level_of(region.code).value},
        "as_of": on.isoformat(),
        "targets": _targets_dict(targets),
        "total": now["total"].as_dict(),
        "parts": [a.as_dict() for a in now["parts"]],
        "families": [a.as_dict() for a in now["families"]],
        "industries": [a.as_dict() for a in now["industries"]],
        "pipeline": {
            "enterprises": len(entries),
            "declarations": sum(len(entry.declarations) for entry in entries),
            "raising": len(raising),
            "total": projected["total"].as_dict(),
            "parts": [a.as_dict() for a in projected["parts"]],
            "families": [a.as_dict() for a in projected["families"]],
            "entries": [
                {
                    "enterprise_id": entry.enterprise_id,
                    "enterprise": entry.enterprise_name,
                    "region": entry.region_code,
                    "before": entry.outcome.before.value if entry.outcome.before else None,
                    "after": entry.outcome.after.value,
                    "raises": entry.enterprise_id in raising,
                    "declarations": list(entry.declarations),
                }
                for entry in sorted(entries, key=lambda e: (e.enterprise_id not in raising, e.enterprise_name))[:50]
            ],
        },
        "history": [],
        "planner": [],
    }
    if history:
        result["history"] = [
            _history_point(region, month_end, targets, counted, marks) for month_end in month_ends(_months_back(on), on)
        ]
    if with_planner:
        result["planner"] = [
            {
                "enterprise_id": row.enterprise_id,
                "enterprise": row.enterprise_name,
                "region": row.region_code,
                "grade": row.grade.value,
                "gaps": row.gaps,
                "industries": list(row.industries),
            }
            for row in _kept(
                f"targets:planner:{region_code}:{on.isoformat()}:{'-'.join(sorted(g.value for g in counted))}",
                mark,
                lambda: planner(region_code, on, counted),
            )
        ]
    return result


def history(user: Any, region_code: str, on: dt.date | None = None) -> list[dict[str, Any]]:
    """The region's A/B share and D count at each month end of the last year (the dashboard loads it apart: the
    first time in a process each month end is counted once, seconds at province scale)."""
    region = visible_region(user, region_code)
    on = on or timezone.localdate()
    targets = target_set_on(region_code, on)
    counted = frozenset(targets.counted_grades) if targets else DEFAULT_COUNTED
    marks = _high_water()
    return [_history_point(region, day, targets, counted, marks) for day in month_ends(_months_back(on), on)]


def _months_back(on: dt.date) -> dt.date:
    month = on.month - (HISTORY_MONTHS - 1)
    year = on.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def _history_point(
    region: Region, on: dt.date, targets: s.TargetSet | None, counted: frozenset[Grade], marks: tuple[int, int]
) -> dict[str, Any]:
    total = Attainment(region.code, region.name, dict(tally_on(region.code, on, marks).total_grades()), counted)
    return {
        "date": on.isoformat(),
        "share_percent": total.as_dict()["share_percent"],
        "d_count": total.d_count,
        "total": total.total,
        "counted": total.counted,
    }


def _targets_dict(targets: s.TargetSet | None) -> dict[str, Any] | None:
    if targets is None:
        return None
    return {
        "code": targets.code,
        "name": targets.name_zh,
        "year": targets.year,
        "due": targets.due.isoformat(),
        "document": targets.source.document,
        "section": targets.source.section,
        "overall_percent": float(targets.overall_percent),
        "eliminate_d": targets.eliminate_d,
        "counted_grades": [grade.value for grade in targets.counted_grades],
        "counting_provisional": targets.counting_source.provisional,
        "counting_note": targets.counting_source.note,
    }


def dashboard(user: Any, region_code: str, on: dt.date | None = None, *, with_history: bool = True) -> dict[str, Any]:
    """The leaders' view of a region the caller may see (REQ H21-1)."""
    visible_region(user, region_code)
    return report(region_code, on or timezone.localdate(), history=with_history)


def parse_date(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        on = dt.date.fromisoformat(value)
    except ValueError:
        raise ServiceError("日期格式应为 YYYY-MM-DD", field="as_of") from None
    if not 2000 <= on.year <= 2100:
        raise ServiceError("日期应在 2000 至 2100 年之间", field="as_of")
    return on


def monthly_section(user: Any, region_code: str, on: dt.date) -> list[dict[str, Any]]:
    """The monthly report's section (REQ H23-3): the region and one level down against the targets at the month's
    end, with the pipeline; nothing for a caller who may not see the region's figures."""
    try:
        visible_region(user, region_code)
    except NotFound:
        return []
    report_ = report(region_code, on, history=False, with_planner=False)
    projected = {row["key"]: row for row in report_["pipeline"]["parts"]}
    projected[report_["total"]["key"]] = report_["pipeline"]["total"]

    def line(row: dict[str, Any]) -> list[str]:
        def pct(value: float | None) -> str:
            return "—" if value is None else f"{value:g}%"

        target = "—" if row["target_percent"] is None else f"≥{row['target_percent']:g}%"
        after = projected.get(row["key"], {}).get("share_percent")
        return [
            row["label"], str(row["total"]), str(row["counted"]), pct(row["share_percent"]), target,
            "—" if row["target_percent"] is None else str(row["needed"]), pct(after), str(row["d_count"]),
        ]  # fmt: skip

    return [
        {
            "title": f"A、B 级企业占比与提升目标（截至 {on.isoformat()}）",
            "headers": ["区域", "参评企业", "A、B 级", "占比", "目标", "尚需（家）", "在审办结后占比", "D 级"],
            "rows": [line(report_["total"]), *(line(part) for part in report_["parts"] if part["key"] != region_code)],
        }
    ]
