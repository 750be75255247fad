"""The NumPy batch grader agrees with the scalar engine, indicator by indicator, on every industry."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from airgrade.core.grading.engine import grade_normalised
from airgrade.core.grading.vector import CompiledIndustry, encode_facts
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import IndustryRules, default_rulebook
from airgrade.core.types import EmissionStage

AS_OF = dt.date(2021, 6, 1)
CODES = [entry.code for entry in default_rulebook().catalogue]


def random_facts(rules: IndustryRules, rng: random.Random) -> dict[str, Any]:
    """Values at, just around and far from every threshold, sometimes missing."""
    candidates: dict[str, list[Any]] = {}
    for indicator in rules.indicators:
        for requirement in indicator.requirements.values():
            values = requirement.value if isinstance(requirement.value, dict) else {"": requirement.value}
            keys = {part.id: part.fact for part in indicator.parts} or {"": indicator.fact}
            for part_id, value in values.items():
                bucket = candidates.setdefault(str(keys[part_id]), [])
                if isinstance(value, bool):
                    continue
                if isinstance(value, int | float):
                    bucket += [float(value), float(value) + 0.01, max(0.0, float(value) - 0.01)]
    facts: dict[str, Any] = {}
    for key in {k for indicator in rules.indicators for k in (*indicator.fact_keys, indicator.applies_if) if k}:
        fact = rules.facts[key]
        if rng.random() < 0.08:
            continue
        if fact.type is s.FactType.BOOL:
            facts[key] = rng.random() < 0.8
        elif fact.type is s.FactType.STAGE:
            facts[key] = rng.choice(list(EmissionStage))
        elif fact.type is s.FactType.CATEGORY:
            facts[key] = rng.choice(fact.categories)
        else:
            options = candidates.get(key) or [0.0, 50.0, 100.0]
            value = rng.choice(options)
            facts[key] = min(value, 100.0) if fact.type is s.FactType.SHARE else value
    return facts


@pytest.mark.parametrize("code", CODES)
def test_vector_matches_scalar(code: str) -> None:
    rng = random.Random(code)
    book = default_rulebook()
    jurisdiction = book.industry(code).jurisdiction
    rules = book.rules_for(code, AS_OF, None if jurisdiction == "national" else jurisdiction)
    rows = [random_facts(rules, rng) for _ in range(150)]
    batch = CompiledIndustry(rules).grade_columns(encode_facts(rules, rows))
    seen = set()
    for index, row in enumerate(rows):
        scalar = grade_normalised(row, rules)
        assert batch.grade_of(index) == scalar.rules_grade, (index, row)
        assert [rules.grades[r] for r in batch.reached[index]] == [trace.reached for trace in scalar.trace]
        for target, ids in scalar.blocking.items():
            assert batch.failing(index, target) == ids
        seen.add(tuple(batch.reached[index]))
    assert len(seen) >= 10, "the random facts should exercise many indicator outcomes"
