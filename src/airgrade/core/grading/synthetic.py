"""Synthetic facts that reach a chosen grade of one industry, derived from the rule book's indicators.

Used for demo data and benchmarks, never per industry by hand: every requirement of the target grade (and of
the worse gated grades) is met, the next better grade is missed on some indicators, and the result is checked
with the real engine. `spoil_one` then lets a caller add realistic noise (one indicator slips to a worse grade).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from airgrade.core.grading.engine import grade_normalised
from airgrade.core.grading.facts import normalise_facts
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import IndustryRules, ResolvedIndicator, RuleBook, default_rulebook
from airgrade.core.types import EmissionStage, Grade

STAGES = list(EmissionStage)
ATTEMPTS = 25


@dataclass
class _Bounds:
    """What one fact must satisfy (hard) and should satisfy to miss a better grade (soft)."""

    low: float | None = None
    high: float | None = None
    soft_low: float | None = None
    soft_high: float | None = None
    must_true: bool = False
    prefer_false: bool = False
    stage_min: int | None = None
    soft_stage_max: int | None = None
    allowed: set[str] | None = None
    avoid: set[str] = field(default_factory=set)
    thresholds: list[tuple[s.CheckKind, Any]] = field(default_factory=list)


def _require(bounds: _Bounds, kind: s.CheckKind, value: Any) -> None:
    if kind is s.CheckKind.MAX:
        bounds.high = float(value) if bounds.high is None else min(bounds.high, float(value))
    elif kind in (s.CheckKind.MIN, s.CheckKind.AT_LEAST_SHARE):
        bounds.low = float(value) if bounds.low is None else max(bounds.low, float(value))
    elif kind is s.CheckKind.TRUE:
        bounds.must_true = True
    elif kind is s.CheckKind.STAGE_AT_LEAST:
        rank = EmissionStage(value).rank
        bounds.stage_min = rank if bounds.stage_min is None else max(bounds.stage_min, rank)
    elif kind is s.CheckKind.IN_SET:
        wanted = set(value)
        bounds.allowed = wanted if bounds.allowed is None else bounds.allowed & wanted or bounds.allowed


def _miss(bounds: _Bounds, kind: s.CheckKind, value: Any) -> None:
    """Prefer a value that fails this requirement (soft: a hard requirement wins)."""
    if kind is s.CheckKind.MAX:
        bounds.soft_low = float(value) if bounds.soft_low is None else max(bounds.soft_low, float(value))
    elif kind in (s.CheckKind.MIN, s.CheckKind.AT_LEAST_SHARE):
        bounds.soft_high = float(value) if bounds.soft_high is None else min(bounds.soft_high, float(value))
    elif kind is s.CheckKind.TRUE:
        bounds.prefer_false = True
    elif kind is s.CheckKind.STAGE_AT_LEAST:
        rank = EmissionStage(value).rank - 1
        bounds.soft_stage_max = rank if bounds.soft_stage_max is None else min(bounds.soft_stage_max, rank)
    elif kind is s.CheckKind.IN_SET:
        bounds.avoid |= set(value)


def _parts(indicator: ResolvedIndicator, value: Any) -> list[tuple[str, s.CheckKind, Any]]:
    """(fact, check, required value) of a requirement; composite values name their parts."""
    if indicator.check in s.COMPOSITE_CHECKS:
        by_id = {part.id: part for part in indicator.parts}
        return [(by_id[key].fact, by_id[key].check, item) for key, item in value.items()]
    assert indicator.fact is not None
    return [(indicator.fact, indicator.check, value)]


def _plan(rules: IndustryRules, target: Grade, rng: random.Random) -> dict[str, _Bounds]:
    position = {grade: index for index, grade in enumerate(rules.grades)}
    goal = position[target]
    at_floor = goal == len(rules.grades) - 1
    bounds: dict[str, _Bounds] = {}
    missing_better: list[tuple[ResolvedIndicator, Grade]] = []
    for indicator in rules.indicators:
        for grade in indicator.gates:
            for fact, kind, value in _parts(indicator, indicator.requirements[grade].value):
                bounds.setdefault(fact, _Bounds()).thresholds.append((kind, value))
        needed = [g for g in indicator.gates if position[g] >= goal]
        for grade in needed:
            parts = _parts(indicator, indicator.requirements[grade].value)
            if indicator.check is s.CheckKind.ANY_OF:
                parts = [rng.choice(parts)]
            for fact, kind, value in parts:
                _require(bounds.setdefault(fact, _Bounds()), kind, value)
        better = [g for g in indicator.gates if position[g] < goal]
        if better:
            missing_better.append((indicator, better[-1]))
    # Miss the nearest better grade on some indicators (at least one), meet it on the others.
    share = 0.35 if at_floor else 0.55
    chosen = [item for item in missing_better if rng.random() < share]
    if missing_better and not chosen:
        chosen = [rng.choice(missing_better)]
    for indicator, grade in missing_better:
        parts = _parts(indicator, indicator.requirements[grade].value)
        if (indicator, grade) in chosen:
            if indicator.check is s.CheckKind.ALL_OF:
                parts = [rng.choice(parts)]
            for fact, kind, value in parts:
                _miss(bounds.setdefault(fact, _Bounds()), kind, value)
        else:
            if indicator.check is s.CheckKind.ANY_OF:
                parts = [rng.choice(parts)]
            for fact, kind, value in parts:
                _require(bounds.setdefault(fact, _Bounds()), kind, value)
    return bounds


def _between(rng: random.Random, low: float, high: float) -> float:
    if high <= low:
        return low
    return low + (high - low) * rng.uniform(0.15, 0.85)


def _number(definition: s.FactDefinition, bounds: _Bounds, rng: random.Random) -> float:
    share = definition.type is s.FactType.SHARE
    low, high = bounds.low, bounds.high
    soft_low = bounds.soft_low if bounds.soft_low is not None and (high is None or bounds.soft_low < high) else None
    soft_high = bounds.soft_high if bounds.soft_high is not None and (low is None or bounds.soft_high > low) else None
    lo = max(x for x in (low, soft_low, 0.0) if x is not None)
    hi_candidates = [x for x in (high, soft_high) if x is not None]
    if share:
        hi_candidates.append(100.0)
    if low is None and high is None and soft_low is None and soft_high is None:
        # Nothing required: a middling value that fails the worst requirement on record.
        maxima = [float(v) for k, v in bounds.thresholds if k is s.CheckKind.MAX and not isinstance(v, dict)]
        minima = [float(v) for k, v in bounds.thresholds if k is not s.CheckKind.MAX and not isinstance(v, dict)]
        if maxima:
            return _round(max(maxima) * rng.uniform(1.1, 1.6), share)
        if minima:
            return _round(min(minima) * rng.uniform(0.4, 0.9), share)
        return _round(rng.uniform(5, 95) if share else rng.uniform(1, 100), share)
    if hi_candidates:
        hi = min(hi_candidates)
        if soft_low is not None and soft_low >= hi:
            return _round(hi, share)
        if low is None and soft_low is None:
            lo = hi * 0.6
        value = _between(rng, lo, hi)
    else:
        value = lo * rng.uniform(1.05, 1.4) if lo > 0 else rng.uniform(1, 10)
    value = _round(value, share)
    if high is not None:
        value = min(value, high)
    if low is not None:
        value = max(value, low)
    return value


def _round(value: float, share: bool) -> float:
    value = round(value, 2)
    return min(value, 100.0) if share else value


def _stage(bounds: _Bounds, rng: random.Random) -> str:
    low = bounds.stage_min
    high = bounds.soft_stage_max
    if low is None:
        # Middling fleet: 国三 to 国五 when nothing is required; lower than a better grade asks if it asks.
        top = EmissionStage.CHINA_5.rank if high is None else max(0, high)
        bottom = min(EmissionStage.CHINA_3.rank, top)
        return STAGES[rng.randint(bottom, top)].value
    if high is not None and high >= low:
        return STAGES[low].value
    return STAGES[low if rng.random() < 0.7 else min(low + 1, len(STAGES) - 1)].value


def _category(definition: s.FactDefinition, bounds: _Bounds, rng: random.Random) -> str:
    options = sorted(bounds.allowed) if bounds.allowed is not None else list(definition.categories)
    preferred = [c for c in options if c not in bounds.avoid]
    if bounds.allowed is None:
        required_anywhere = {c for k, v in bounds.thresholds if k is s.CheckKind.IN_SET for c in v}
        middling = [c for c in preferred if c not in required_anywhere]
        preferred = middling or preferred
    return rng.choice(preferred or options)


def _value(definition: s.FactDefinition, bounds: _Bounds, rng: random.Random) -> Any:
    if definition.type in (s.FactType.NUMBER, s.FactType.SHARE):
        return _number(definition, bounds, rng)
    if definition.type is s.FactType.BOOL:
        if bounds.must_true:
            return True
        if bounds.prefer_false:
            return False
        return rng.random() < 0.4
    if definition.type is s.FactType.STAGE:
        return _stage(bounds, rng)
    return _category(definition, bounds, rng)


def _fact_keys(rules: IndustryRules) -> Iterable[str]:
    seen: set[str] = set()
    for indicator in rules.indicators:
        for key in indicator.fact_keys:
            if key not in seen:
                seen.add(key)
                yield key


def grade_of(facts: dict[str, Any], rules: IndustryRules, book: RuleBook | None = None) -> Grade:
    """The engine's grade of JSON-style facts for one industry (rules only: caps are per enterprise)."""
    book = book or default_rulebook()
    values, errors = normalise_facts(facts, rules.facts, book.units)
    if errors:
        raise ValueError("; ".join(error.message for error in errors))
    return grade_normalised(values, rules).grade


def facts_for_grade(
    rules: IndustryRules, target: Grade, rng: random.Random, book: RuleBook | None = None
) -> dict[str, Any]:
    """JSON-ready facts (canonical units, stages as text) that the engine grades exactly `target`.

    Raises ValueError when the grade is not on the industry's scale or no attempt lands on it.
    """
    if target not in rules.grades:
        raise ValueError(f"{target} 不在行业 {rules.industry.code} 的分级范围内")
    book = book or default_rulebook()
    for _ in range(ATTEMPTS):
        bounds = _plan(rules, target, rng)
        facts: dict[str, Any] = {}
        for indicator in rules.indicators:
            if indicator.applies_if and indicator.applies_if not in facts:
                facts[indicator.applies_if] = rng.random() < 0.85
        for key in _fact_keys(rules):
            if key not in facts:
                facts[key] = _value(rules.facts[key], bounds.get(key, _Bounds()), rng)
        if grade_of(facts, rules, book) == target:
            return facts
    raise ValueError(f"无法为行业 {rules.industry.code} 生成 {target} 级的事实")


def spoil_one(rules: IndustryRules, facts: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of `facts` with one gated indicator's fact set to a middling value (it may cost a grade)."""
    gated = [indicator for indicator in rules.indicators if indicator.gates]
    if not gated:
        return dict(facts)
    indicator = rng.choice(gated)
    key = rng.choice(indicator.fact_keys)
    spoiled = dict(facts)
    bounds = _Bounds()
    for grade in indicator.gates:
        for fact, kind, value in _parts(indicator, indicator.requirements[grade].value):
            if fact == key:
                bounds.thresholds.append((kind, value))
                _miss(bounds, kind, value)
    spoiled[key] = _value(rules.facts[key], bounds, rng)
    return spoiled
