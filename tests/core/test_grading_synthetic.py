"""Synthetic facts derived from the rule book land on the grade asked for, in every industry and grade."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from airgrade.core.grading import grade as engine_grade
from airgrade.core.grading.synthetic import facts_for_grade, grade_of, spoil_one
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade

AS_OF = dt.date(2026, 6, 1)
BOOK = default_rulebook()
CODES = [entry.code for entry in BOOK.catalogue]


def _rules(code: str, region: str | None = None):  # type: ignore[no-untyped-def]
    jurisdiction = BOOK.industry(code).jurisdiction
    return BOOK.rules_for(code, AS_OF, region or (None if jurisdiction == "national" else jurisdiction))


# Each industry under its own rules, and the national and Henan industries under Henan's overlay (as in the demo).
CASES = [(code, None) for code in CODES] + [
    (code, "410181") for code in CODES if BOOK.industry(code).jurisdiction in ("national", "410000")
]


@pytest.mark.parametrize(("code", "region"), CASES)
def test_every_grade_of_every_industry_is_reached(code: str, region: str | None) -> None:
    rules = _rules(code, region)
    rng = random.Random(code)
    for target in rules.grades:
        for _ in range(3):
            facts = facts_for_grade(rules, target, rng)
            # JSON-ready (stored in declarations) and graded exactly as asked by the public engine entry point.
            again = json.loads(json.dumps(facts, ensure_ascii=False))
            region = rules.region_code
            assert engine_grade(again, code, AS_OF, region_code=region).grade is target


@pytest.mark.parametrize("code", CODES)
def test_spoiling_a_fact_never_improves_the_grade(code: str) -> None:
    rules = _rules(code)
    rng = random.Random(f"spoil:{code}")
    worse = 0
    for target in rules.grades[:-1]:
        facts = facts_for_grade(rules, target, rng)
        for _ in range(4):
            spoiled = grade_of(spoil_one(rules, facts, rng), rules)
            assert spoiled.rank >= target.rank
            worse += spoiled is not target
    assert worse > 0


def test_a_grade_off_the_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        facts_for_grade(_rules("cement"), Grade.LEADING, random.Random(1))
