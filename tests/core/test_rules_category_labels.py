"""Every category value a rule file uses has a Chinese name, so traces and gap texts never show raw codes."""

from __future__ import annotations

import datetime as dt

from airgrade.core.grading.engine import grade
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.rules.schema import CATEGORY_LABELS_ZH


def test_all_categories_are_named() -> None:
    book = default_rulebook()
    used = {
        category
        for industry in book.industries()
        for fact in book.rules_for(industry.code, dt.date.today()).facts.values()
        for category in fact.categories
    }
    assert used, "the rule book uses category facts"
    assert sorted(used - set(CATEGORY_LABELS_ZH)) == []


def test_gap_text_uses_the_names() -> None:
    result = grade({"vocs_treatment": "activated_carbon"}, "furniture", dt.date(2021, 6, 1))
    problems = " ".join(gap.problem_zh for gaps in result.gaps.values() for gap in gaps)
    assert "活性炭吸附（一次性）" in problems and "activated_carbon" not in problems
