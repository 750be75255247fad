"""A/B share counting against the province's targets (REQ H21-1): the target data of the rule book, the gap in
enterprises, the multi-industry rule (REQ G-4, LC-5), projections of declarations in review, month ends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.targets import (
    GRADE_OF_KEY,
    Attainment,
    GradeRow,
    Tally,
    enterprise_grades,
    industry_grades,
    lowest_counted,
    month_ends,
    needed_to_reach,
    project,
    share_percent,
    worst,
    worst_key,
)
from airgrade.core.types import Grade, worst_grade

COUNTED = frozenset({Grade.A_PLUS, Grade.A, Grade.LEADING, Grade.B, Grade.B_MINUS})


# ---------------------------------------------------------------- the targets as rule data (REQ H21-1, 附件1, 附件2)


def test_henan_2021_targets_are_dated_cited_rule_data() -> None:
    targets = default_rulebook().targets("410181", dt.date(2021, 6, 1))
    assert targets is not None and targets.year == 2021
    assert targets.source.document == "河南省2021年重点行业绩效分级提升行动方案"
    assert targets.overall_percent == 20 and targets.eliminate_d
    cities = {city.region: city.target_percent for city in targets.cities}
    assert len(cities) == 18  # 附件2: 18 cities, 济源 (419001) included
    assert cities["410100"] == cities["410300"] == cities["410700"] == 25  # 郑州, 洛阳, 新乡
    assert {cities[c] for c in ("410200", "410500", "411000", "411300")} == {20}
    assert cities["419001"] == 15
    assert sorted(cities.values()).count(Decimal(15)) == 11
    families = {f.family: (f.baseline_percent, f.target_percent) for f in targets.families}
    assert families == {
        "metal": (Decimal("7.6"), 15),
        "building_materials": (Decimal("4.1"), 15),
        "vocs": (Decimal("1.6"), 20),
        "local": (None, 25),
    }
    assert set(targets.counted_grades) == COUNTED
    assert targets.counting_source.provisional  # the seed does not say how a multi-industry enterprise counts


def test_targets_are_not_in_force_before_the_plan_or_elsewhere() -> None:
    book = default_rulebook()
    assert book.targets("410100", dt.date(2021, 5, 19)) is None
    assert book.targets("410100", dt.date(2026, 12, 1)) is not None  # still the latest targets
    assert book.targets("130100", dt.date(2021, 6, 1)) is None  # Hebei has not set any


def test_provisional_counting_rule_is_listed_for_the_administrator() -> None:
    found = [where for _, where, _ in default_rulebook().provisional_values()]
    assert any("targets henan_2021" in where and "counting_source" in where for where in found)


# ---------------------------------------------------------------- the gap in enterprises


@pytest.mark.parametrize(
    ("counted", "total", "target", "needed"),
    [
        (0, 100, Decimal(25), 25),
        (24, 100, Decimal(25), 1),
        (25, 100, Decimal(25), 0),
        (30, 100, Decimal(25), 0),
        (0, 3, Decimal(25), 1),  # 1/3 ≥ 25 %; 0/3 is not
        (1, 7, Decimal(15), 1),  # 1/7 = 14.3 % < 15 %; 2/7 = 28.6 %
        (0, 0, Decimal(25), 0),  # nothing graded: no gap to count
        (5, 10, None, 0),
        (0, 10, Decimal("7.6"), 1),
        (0, 10, Decimal(100), 10),
    ],
)
def test_needed_to_reach(counted: int, total: int, target: Decimal | None, needed: int) -> None:
    assert needed_to_reach(counted, total, target) == needed


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=5000),
    data=st.data(),
    target=st.decimals(min_value=0, max_value=100, places=1),
)
def test_needed_is_the_fewest_that_reach_the_target(total: int, data: st.DataObject, target: Decimal) -> None:
    counted = data.draw(st.integers(min_value=0, max_value=total))
    needed = needed_to_reach(counted, total, target)
    assert Fraction(counted + needed, total) * 100 >= Fraction(target)
    if needed:
        assert Fraction(counted + needed - 1, total) * 100 < Fraction(target)


def test_share_is_rounded_half_up_to_one_decimal() -> None:
    assert share_percent(1, 8) == Decimal("12.5")
    assert share_percent(1, 3) == Decimal("33.3")
    assert share_percent(2, 3) == Decimal("66.7")
    assert share_percent(0, 0) is None


def test_met_is_exact_not_the_rounded_share() -> None:
    # 149 / 1000 = 14.9 % rounds to 14.9; 1499 / 10000 = 14.99 % shows as 15.0 % but is not ≥ 15 %.
    attainment = Attainment("x", "x", {Grade.B: 1499, Grade.C: 8501}, COUNTED, target_percent=Decimal(15))
    assert attainment.share == Decimal("15.0")
    assert attainment.met is False and attainment.needed == 1


# ---------------------------------------------------------------- multi-industry enterprises (REQ G-4, LC-5)


def test_an_enterprise_counts_once_at_its_worst_grade() -> None:
    rows = [
        GradeRow(1, "410181", "cement", Grade.A, site_id=1),
        GradeRow(1, "410181", "coking", Grade.C, site_id=1),  # a second industry, worse
        GradeRow(2, "410182", "cement", Grade.B, site_id=2),
        GradeRow(2, "410182", "cement", Grade.B_MINUS, site_id=3),  # a second site of the same industry
        GradeRow(3, "410381", "furniture", Grade.LEADING, site_id=4),
    ]
    grades = enterprise_grades(rows)
    assert grades == {1: ("410181", Grade.C), 2: ("410182", Grade.B_MINUS), 3: ("410381", Grade.LEADING)}
    by_industry = industry_grades(rows)
    assert by_industry[(1, "cement")] == ("410181", Grade.A)  # counted once per industry in its family
    assert by_industry[(1, "coking")] == ("410181", Grade.C)
    assert by_industry[(2, "cement")] == ("410182", Grade.B_MINUS)
    tally = Tally.from_rows(rows)
    assert sum(tally.enterprises.values()) == 3  # enterprises, not rows
    assert sum(tally.industries.values()) == 4  # enterprise × industry
    families = tally.family_grades({"cement": "building_materials", "coking": "metal", "furniture": "vocs"})
    assert families["building_materials"] == {Grade.A: 1, Grade.B_MINUS: 1}
    assert families["metal"] == {Grade.C: 1}
    cities = tally.region_grades({"410181": "410100", "410182": "410100", "410381": "410300"})
    assert cities["410100"] == {Grade.C: 1, Grade.B_MINUS: 1}
    zhengzhou = Attainment("410100", "郑州市", cities["410100"], COUNTED, target_percent=Decimal(25))
    assert (zhengzhou.counted, zhengzhou.total, zhengzhou.needed) == (1, 2, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list(Grade)), min_size=1, max_size=6))
def test_worst_key_orders_like_the_weakest_link(grades: list[Grade]) -> None:
    chosen = worst(grades)
    assert chosen.rank == worst_grade(grades).rank
    assert GRADE_OF_KEY[max(worst_key(g) for g in grades)] == chosen


# ---------------------------------------------------------------- projections, scale, months


def test_projection_replaces_the_declared_site_and_industry() -> None:
    current = {(1, "cement"): Grade.C, (1, "coking"): Grade.B}
    outcome = project(current, {(1, "cement"): Grade.B})
    assert (outcome.before, outcome.after) == (Grade.C, Grade.B)
    assert outcome.industries == {"cement": (Grade.C, Grade.B)}
    new = project({}, {(5, "glass"): Grade.A})  # never graded before: joins the denominator
    assert (new.before, new.after) == (None, Grade.A)
    tally = Tally()
    tally.enterprises[("410181", Grade.C)] = 1
    tally.move("410181", outcome.before, outcome.after, outcome.industries)
    assert +tally.enterprises == {("410181", Grade.B): 1}


def test_lowest_counted_grade_of_a_scale() -> None:
    assert lowest_counted((Grade.A, Grade.B, Grade.B_MINUS, Grade.C, Grade.D), COUNTED) == Grade.B_MINUS
    assert lowest_counted((Grade.A, Grade.B, Grade.C), COUNTED) == Grade.B
    assert lowest_counted((Grade.LEADING, Grade.NON_LEADING), COUNTED) == Grade.LEADING
    assert lowest_counted((Grade.C, Grade.D), COUNTED) is None


def test_month_ends() -> None:
    assert month_ends(dt.date(2025, 11, 3), dt.date(2026, 2, 10)) == [
        dt.date(2025, 11, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 10),
    ]
