"""A/B share attainment against a province's targets (REQ H21-1): pure counting over the grades in force.

Counting rules (the target set in the rule book names its sources; jurisdictions/410000/overlay.yaml):
- the numerator is the target set's `counted_grades` (A+, A, 引领性, B, B- for Henan 2021), the denominator every
  graded unit; ungraded enterprises are not in the denominator;
- a region's (city, county, province) share counts each enterprise once, at its overall grade, the worst of its
  sites' and industries' grades in force (REQ G-4, LC-5), in the region of the enterprise;
- a family's (附件1) share counts each enterprise once per industry of the family, at its worst grade in that
  industry over its sites (附件1 is a table of industries; 附件3 注4 files a multi-industry enterprise per industry);
- the gap is the number of graded, not-counted units that must reach a counted grade for the share to reach the
  target (the denominator does not change when an enterprise improves).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil

from airgrade.core.regions import city_of
from airgrade.core.types import Grade

# A total order for "worst of": rank decides (REQ G-4: 引领性 with A, 非引领性 with C); ties are broken by the
# enum's order so that a database MAX over this key picks the same grade as worst_grade.
_ORDER = {grade: index for index, grade in enumerate(Grade)}


def worst_key(grade: Grade) -> int:
    """An integer whose maximum over several grades is the key of their worst (for SQL MAX)."""
    return grade.rank * 10 + _ORDER[grade] + 10


GRADE_OF_KEY = {worst_key(grade): grade for grade in Grade}


def worst(grades: Iterable[Grade]) -> Grade:
    """worst_grade (REQ G-4) with its ties (A / 引领性, C / 非引领性) broken as the database's MAX(worst_key) does."""
    return max(grades, key=worst_key)


@dataclass(frozen=True)
class GradeRow:
    """One grade in force: an enterprise's site × industry, with the enterprise's region."""

    enterprise_id: int
    region_code: str
    industry_code: str
    grade: Grade
    site_id: int = 0


def enterprise_grades(rows: Iterable[GradeRow]) -> dict[int, tuple[str, Grade]]:
    """Each enterprise's region and overall grade: the worst of its sites' and industries' (REQ G-4, LC-5)."""
    grades: dict[int, list[Grade]] = {}
    regions: dict[int, str] = {}
    for row in rows:
        grades.setdefault(row.enterprise_id, []).append(row.grade)
        regions[row.enterprise_id] = row.region_code
    return {enterprise: (regions[enterprise], worst(found)) for enterprise, found in grades.items()}


def industry_grades(rows: Iterable[GradeRow]) -> dict[tuple[int, str], tuple[str, Grade]]:
    """Each enterprise × industry's region and grade: the worst over its sites in that industry (附件1, 附件3 注4)."""
    grades: dict[tuple[int, str], list[Grade]] = {}
    regions: dict[int, str] = {}
    for row in rows:
        grades.setdefault((row.enterprise_id, row.industry_code), []).append(row.grade)
        regions[row.enterprise_id] = row.region_code
    return {key: (regions[key[0]], worst(found)) for key, found in grades.items()}


def needed_to_reach(counted: int, total: int, target_percent: Decimal | None) -> int:
    """The fewest graded, not-counted units that must move to a counted grade for counted / total ≥ target."""
    if target_percent is None or total <= 0:
        return 0
    required = ceil(Fraction(target_percent) * total / 100)
    return max(0, min(required, total) - counted)


def share_percent(counted: int, total: int) -> Decimal | None:
    """counted / total in %, to one decimal (half up); None without a graded unit."""
    if total <= 0:
        return None
    return (Decimal(counted) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Attainment:
    """One region's or family's share against its target."""

    key: str
    label_zh: str
    by_grade: Mapping[Grade, int]
    counted_grades: frozenset[Grade]
    target_percent: Decimal | None = None
    baseline_percent: Decimal | None = None

    @property
    def total(self) -> int:
        return sum(self.by_grade.values())

    @property
    def counted(self) -> int:
        return sum(n for grade, n in self.by_grade.items() if grade in self.counted_grades)

    @property
    def d_count(self) -> int:
        return self.by_grade.get(Grade.D, 0)

    @property
    def share(self) -> Decimal | None:
        return share_percent(self.counted, self.total)

    @property
    def needed(self) -> int:
        return needed_to_reach(self.counted, self.total, self.target_percent)

    @property
    def met(self) -> bool | None:
        """Reached (exactly: counted / total ≥ target, not the rounded share); None without a target or a unit."""
        if self.target_percent is None or self.total == 0:
            return None
        return self.needed == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label_zh,
            "total": self.total,
            "counted": self.counted,
            "share_percent": None if self.share is None else float(self.share),
            "target_percent": None if self.target_percent is None else float(self.target_percent),
            "baseline_percent": None if self.baseline_percent is None else float(self.baseline_percent),
            "needed": self.needed,
            "met": self.met,
            "d_count": self.d_count,
            "by_grade": {grade.value: n for grade, n in sorted(self.by_grade.items(), key=lambda i: _ORDER[i[0]])},
        }


@dataclass
class Tally:
    """Counts of graded units: enterprises by (region, grade), enterprise × industry by (region, industry, grade)."""

    enterprises: Counter[tuple[str, Grade]] = field(default_factory=Counter)
    industries: Counter[tuple[str, str, Grade]] = field(default_factory=Counter)

    @classmethod
    def from_rows(cls, rows: Iterable[GradeRow]) -> Tally:
        materialised = list(rows)
        tally = cls()
        for region, grade in enterprise_grades(materialised).values():
            tally.enterprises[(region, grade)] += 1
        for (_, industry), (region, grade) in industry_grades(materialised).items():
            tally.industries[(region, industry, grade)] += 1
        return tally

    def region_grades(self, part_of: Mapping[str, str] | None = None) -> dict[str, Counter[Grade]]:
        """Enterprises by grade per part: `part_of(region)` names the part (a city, a county), default the region."""
        parts: dict[str, Counter[Grade]] = {}
        for (region, grade), n in self.enterprises.items():
            part = part_of.get(region, region) if part_of is not None else region
            parts.setdefault(part, Counter())[grade] += n
        return parts

    def total_grades(self) -> Counter[Grade]:
        total: Counter[Grade] = Counter()
        for (_, grade), n in self.enterprises.items():
            total[grade] += n
        return total

    def industry_totals(self) -> dict[str, Counter[Grade]]:
        totals: dict[str, Counter[Grade]] = defaultdict(Counter)
        for (_, industry, grade), n in self.industries.items():
            totals[industry][grade] += n
        return dict(totals)

    def industries_as(self, region: str) -> Tally:
        """The same counts with enterprise × industry units all placed in `region` (a region's own totals: far
        fewer keys when only the region's industry totals are read)."""
        industries: Counter[tuple[str, str, Grade]] = Counter()
        for (_, industry, grade), n in self.industries.items():
            industries[(region, industry, grade)] += n
        return Tally(enterprises=Counter(self.enterprises), industries=industries)

    def family_grades(
        self, family_of: Mapping[str, str], totals: Mapping[str, Counter[Grade]] | None = None
    ) -> dict[str, Counter[Grade]]:
        """Enterprise × industry units by grade per family (an industry outside `family_of` counts in none)."""
        families: dict[str, Counter[Grade]] = {}
        for industry, grades in (totals if totals is not None else self.industry_totals()).items():
            family = family_of.get(industry)
            if family is not None:
                families.setdefault(family, Counter()).update(grades)
        return families

    def move(
        self,
        region: str,
        before: Grade | None,
        after: Grade,
        industries: Mapping[str, tuple[Grade | None, Grade]],
        industry_region: str | None = None,
    ) -> None:
        """Apply one enterprise's change (a projected outcome): its overall grade and each industry's grade (its
        industry units counted in `industry_region` where the counts were placed there, see industries_as)."""
        if before is not None:
            self.enterprises[(region, before)] -= 1
        self.enterprises[(region, after)] += 1
        placed = industry_region or region
        for industry, (old, new) in industries.items():
            if old is not None:
                self.industries[(placed, industry, old)] -= 1
            self.industries[(placed, industry, new)] += 1


def city_part(region_code: str) -> str:
    """The city a region code belongs to (a city, 济源 included, is its own)."""
    return city_of(region_code)


@dataclass(frozen=True)
class Projection:
    """One enterprise's grades if its declarations in review end as expected."""

    before: Grade | None
    after: Grade
    industries: dict[str, tuple[Grade | None, Grade]]


def project(current: Mapping[tuple[int, str], Grade], expected: Mapping[tuple[int, str], Grade]) -> Projection:
    """An enterprise's overall and per-industry grades now and with `expected` replacing (site, industry) grades."""
    after_rows = {**current, **expected}
    industries: dict[str, tuple[Grade | None, Grade]] = {}
    for industry in {industry for _, industry in after_rows}:
        old = [grade for (_, code), grade in current.items() if code == industry]
        new = [grade for (_, code), grade in after_rows.items() if code == industry]
        before_grade = worst(old) if old else None
        after_grade = worst(new)
        if before_grade != after_grade:
            industries[industry] = (before_grade, after_grade)
    return Projection(
        before=worst(current.values()) if current else None,
        after=worst(after_rows.values()),
        industries=industries,
    )


def lowest_counted(scale: tuple[Grade, ...], counted: frozenset[Grade]) -> Grade | None:
    """The lowest grade of an industry's scale that still counts (the grade an improving enterprise aims at)."""
    reached = [grade for grade in scale if grade in counted]
    return reached[-1] if reached else None


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every month from `start`'s month to `end`'s, the last one cut at `end`."""
    found: list[dt.date] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        found.append(min(following - dt.timedelta(days=1), end))
        year, month = following.year, following.month
    return found
