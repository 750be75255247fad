"""Write the boundary golden files tests/rules/<industry>/boundaries-<date>.yaml from the rule book's thresholds.

    uv run python tests/rules/golden_boundaries.py          # rewrite every boundaries-*.yaml
    uv run python tests/rules/golden_boundaries.py --check  # exit 1 if a committed file differs

Every indicator with a value whose source is not `provisional` gets, for each grade it gates (provisional grades of
that indicator too), for each threshold entry (one file per entry date) and for each part of a composite:

- an `at` case: the value exactly at the threshold (max/min/at_least_share), each category of the set (in_set),
  yes (true), the stage itself (stage_at_least);
- a `beyond` case: just past it (+0.01 for max, −0.01 for min / at_least_share), each category outside the set, no,
  the stage one step dirtier — when such a value exists (a share cannot exceed 100, a min of 0 has no below, …);
- for an indicator with `applies_if`, a case where it does not apply.

The expected grades are NOT obtained from the grading engine (nothing here imports airgrade.core.grading). They are
derived from the thresholds and the meaning of each check kind as docs/rules.md states it (the table "Check kinds"
and "Grade scales and the weakest link"), written out below in `meets` and `reached`. The rule data is read with the
rule-book loader (parsing and validation only; it resolves nothing). The base facts of a file meet the strictest
value every indicator asks for, so the enterprise's grade is the weakest indicator's, i.e. the one under test.

The files are committed and reviewed like hand-written golden files; when a threshold changes, re-run this script
and read the diff. tests/rules/test_golden_coverage.py fails when a non-provisional value has no golden case.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from airgrade.core.rules import schema as s
from airgrade.core.rules.loader import load_rulebook
from airgrade.core.rules.rulebook import RuleBook

HERE = Path(__file__).parent

# docs/rules.md "Grade scales": best first, the last is the floor and needs nothing.
SCALES: dict[str, list[str]] = {
    "abcd": ["A", "B", "C", "D"],
    "abcd_b_minus": ["A", "B", "B-", "C", "D"],
    "abc": ["A", "B", "C"],
    "leading": ["引领性", "非引领性"],
}
# docs/rules.md "Check kinds": stage (国一…国六, 新能源), dirtiest first.
STAGES = ["国一", "国二", "国三", "国四", "国五", "国六", "新能源"]
STEP = Decimal("0.01")  # "just past" a number threshold

Facts = dict[str, Any]


# ------------------------------------------------------------------ the meaning of the checks (docs/rules.md)


def meets(check: str, observed: Any, required: Any) -> bool:
    """One simple check, as the docs table states it; a missing observation never meets."""
    if observed is None:
        return False
    if check == "max":
        return Decimal(str(observed)) <= Decimal(str(required))
    if check in ("min", "at_least_share"):
        return Decimal(str(observed)) >= Decimal(str(required))
    if check == "in_set":
        return observed in required
    if check == "true":
        return observed is True
    if check == "stage_at_least":
        return STAGES.index(str(observed)) >= STAGES.index(str(required))
    raise ValueError(f"unknown check {check}")


def grade_met(indicator: s.IndicatorDefinition, required: Any, facts: Facts) -> bool:
    if indicator.fact is not None:
        return meets(indicator.check.value, facts.get(indicator.fact), required)
    results = [meets(p.check.value, facts.get(p.fact), required[p.id]) for p in indicator.parts if p.id in required]
    return all(results) if indicator.check is s.CheckKind.ALL_OF else any(results)


def reached(indicator: s.IndicatorDefinition, entry: s.ThresholdEntry, scale: list[str], facts: Facts) -> str:
    """An indicator reaches grade G when the requirements of G and of every worse gated grade are met; the floor
    needs nothing; an `applies_if` fact that is no makes the indicator meet everything."""
    if indicator.applies_if is not None and facts.get(indicator.applies_if) is False:
        return scale[0]
    gated = [g.value for g in indicator.gates]
    for position, grade in enumerate(scale[:-1]):
        worse_gated = [g for g in scale[position:-1] if g in gated]
        if all(grade_met(indicator, _value(entry, g), facts) for g in worse_gated):
            return grade
    return scale[-1]


def worst(scale: list[str], grades: Iterable[str]) -> str:
    return max(grades, key=scale.index)


def _value(entry: s.ThresholdEntry, grade: str) -> Any:
    return next(value for g, value in entry.values.items() if g.value == grade)


def _source(entry: s.ThresholdEntry, grade: str) -> s.Source:
    return next(entry.source_of(g) for g in entry.values if g.value == grade)


# ------------------------------------------------------------------ values at and beyond a threshold


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def at_values(check: str, required: Any) -> list[Any]:
    if check == "in_set":
        return list(required)
    if check == "true":
        return [True]
    if check == "stage_at_least":
        return [str(required)]
    return [_number(Decimal(str(required)))]


def beyond_values(check: str, required: Any, fact: s.FactDefinition) -> list[Any]:
    """Values just past the threshold that a fact of this type can take ([] when none exists)."""
    if check == "in_set":
        return [category for category in fact.categories if category not in required]
    if check == "true":
        return [False]
    if check == "stage_at_least":
        index = STAGES.index(str(required))
        return [STAGES[index - 1]] if index > 0 else []
    value = Decimal(str(required))
    if check == "max":
        past = value + STEP
        return [] if fact.type is s.FactType.SHARE and past > 100 else [_number(past)]
    past = value - STEP
    return [] if past < 0 else [_number(past)]


def _strictest(check: str, values: list[Any], fact: s.FactDefinition) -> Any:
    if check == "max":
        return _number(min(Decimal(str(v)) for v in values))
    if check in ("min", "at_least_share"):
        return _number(max(Decimal(str(v)) for v in values))
    if check == "true":
        return True
    if check == "stage_at_least":
        return max((str(v) for v in values), key=STAGES.index)
    common = [c for c in fact.categories if all(c in v for v in values)]
    return common[0] if common else values[0][0]


# ------------------------------------------------------------------ one industry, one date


class Industry:
    def __init__(self, book: RuleBook, code: str, as_of: dt.date) -> None:
        self.code, self.as_of = code, as_of
        self.rules = book.rules[code]
        self.scale = SCALES[self.rules.scale.scale.value]
        self.facts = {**book.common_facts, **{f.key: f for f in self.rules.facts}}
        self.entries = {i.id: entry_on(i, as_of) for i in self.rules.indicators}
        self.base = self._base_facts()

    def _base_facts(self) -> Facts:
        """Facts meeting the strictest value any indicator asks of them (and every `applies_if` yes)."""
        asked: dict[str, tuple[str, list[Any]]] = {}
        for indicator in self.rules.indicators:
            entry = self.entries[indicator.id]
            for value in entry.values.values():
                if indicator.fact is not None:
                    asked.setdefault(indicator.fact, (indicator.check.value, []))[1].append(value)
                    continue
                assert isinstance(value, dict)
                for part in indicator.parts:
                    if part.id in value:
                        asked.setdefault(part.fact, (part.check.value, []))[1].append(value[part.id])
        base: Facts = {}
        for indicator in self.rules.indicators:
            if indicator.applies_if is not None:
                base[indicator.applies_if] = True
        for key, (check, values) in asked.items():
            base[key] = _strictest(check, values, self.facts[key])
        return base

    def grade_of(self, facts: Facts) -> tuple[str, dict[str, str]]:
        per_indicator = {i.id: reached(i, self.entries[i.id], self.scale, facts) for i in self.rules.indicators}
        return worst(self.scale, per_indicator.values()), per_indicator

    def cases(self) -> Iterator[dict[str, Any]]:
        base_grade, _ = self.grade_of(self.base)
        yield {"name": "base facts: the strictest value of every indicator", "expect": {"grade": base_grade}}
        for indicator in self.rules.indicators:
            entry = self.entries[indicator.id]
            grades = [g.value for g in indicator.gates]
            if all(_source(entry, g).provisional for g in grades):
                continue
            for grade in grades:
                yield from self._grade_cases(indicator, entry, grade)
            if indicator.applies_if is not None:
                yield from self._not_applicable(indicator, entry)

    def _grade_cases(self, indicator: s.IndicatorDefinition, entry: s.ThresholdEntry, grade: str) -> Iterator[Any]:
        required = _value(entry, grade)
        provisional = " (provisional value)" if _source(entry, grade).provisional else ""
        if indicator.fact is not None:
            targets = [(None, indicator.fact, indicator.check.value, required)]
        else:
            targets = [(p.id, p.fact, p.check.value, required[p.id]) for p in indicator.parts if p.id in required]
            if indicator.check is s.CheckKind.ANY_OF:
                raise SystemExit(f"{self.code}.{indicator.id}: any_of boundaries are not generated; write them")
        for part, fact_key, check, value in targets:
            fact = self.facts[fact_key]
            label = f"{indicator.id}{'.' + part if part else ''}"
            threshold = f"{grade} {_shown(check, value, fact)}{provisional}"
            for side, observed in [("at", v) for v in at_values(check, value)] + [
                ("beyond", v) for v in beyond_values(check, value, fact)
            ]:
                facts = {**self.base, fact_key: observed}
                overall, per_indicator = self.grade_of(facts)
                got = per_indicator[indicator.id]
                ok = self.scale.index(got) <= self.scale.index(grade)
                if ok != (side == "at"):
                    raise SystemExit(f"{self.code}.{label} {side} {observed!r} reaches {got}, threshold {threshold}")
                verdict = "reaches" if side == "at" else "misses, reaches"
                boundary = {"indicator": indicator.id, "grade": grade, "side": side}
                if part:
                    boundary["part"] = part
                yield {
                    "name": f"{label} {threshold}: {_said(observed)} {verdict} {got}",
                    "boundary": boundary,
                    "facts": {fact_key: _plain(observed)},
                    "expect": {"grade": overall, "indicators": {indicator.id: got}},
                }

    def _not_applicable(self, indicator: s.IndicatorDefinition, entry: s.ThresholdEntry) -> Iterator[Any]:
        assert indicator.applies_if is not None
        failing: Facts = {}
        for fact_key, check, value in _simple_targets(indicator, _value(entry, self.scale[0])):
            past = beyond_values(check, value, self.facts[fact_key])
            if past:
                failing[fact_key] = _plain(past[0])
        facts = {**self.base, **failing, indicator.applies_if: False}
        overall, per_indicator = self.grade_of(facts)
        yield {
            "name": f"{indicator.id} does not apply ({indicator.applies_if}: no): failing values do not count",
            "facts": {**failing, indicator.applies_if: False},
            "expect": {"grade": overall, "indicators": {indicator.id: per_indicator[indicator.id]}},
        }


def _simple_targets(indicator: s.IndicatorDefinition, value: Any) -> list[tuple[str, str, Any]]:
    if indicator.fact is not None:
        return [(indicator.fact, indicator.check.value, value)]
    return [(p.fact, p.check.value, value[p.id]) for p in indicator.parts if p.id in value]


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, str) else value


def _said(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def _shown(check: str, value: Any, fact: s.FactDefinition) -> str:
    unit = f" {fact.unit}" if fact.unit else ""
    if check == "max":
        return f"≤ {_number(Decimal(str(value)))}{unit}"
    if check in ("min", "at_least_share"):
        return f"≥ {_number(Decimal(str(value)))}{unit}"
    if check == "in_set":
        return "∈ " + "/".join(value)
    if check == "true":
        return "= yes"
    return f"≥ {value}"


def entry_on(indicator: s.IndicatorDefinition, as_of: dt.date) -> s.ThresholdEntry:
    """The entry in force: the latest `effective` ≤ as_of, before its `until`."""
    live = [t for t in indicator.thresholds if t.effective <= as_of and (t.until is None or as_of < t.until)]
    if not live:
        raise SystemExit(f"{indicator.id}: no threshold entry in force on {as_of}")
    return max(live, key=lambda t: t.effective)


def non_provisional(book: RuleBook) -> Iterator[tuple[str, s.IndicatorDefinition, s.ThresholdEntry, str]]:
    """(industry, indicator, entry, grade) of every value whose source is not provisional."""
    for code, rules in sorted(book.rules.items()):
        for indicator in rules.indicators:
            for entry in indicator.thresholds:
                for grade in entry.values:
                    if not entry.source_of(grade).provisional:
                        yield code, indicator, entry, grade.value


def dates_for(book: RuleBook, code: str) -> list[dt.date]:
    """One file per date a non-provisional entry takes effect, not before every indicator has an entry."""
    rules = book.rules[code]
    floor = max(min(t.effective for t in i.thresholds) for i in rules.indicators)
    return sorted({max(entry.effective, floor) for c, _, entry, _ in non_provisional(book) if c == code})


HEADER = """\
# GENERATED by tests/rules/golden_boundaries.py from the thresholds of industries/{code}/indicators.yaml; do not edit
# by hand: change the rule book, run `uv run python tests/rules/golden_boundaries.py`, review the diff.
# Boundary cases of every indicator that has a non-provisional value: a value exactly at each grade's threshold
# reaches that grade, one just past it does not. Expected grades come from the threshold and the documented meaning
# of the check kind (docs/rules.md), not from the engine; base_facts meet the strictest value of every indicator.
"""


def render(book: RuleBook, code: str, as_of: dt.date) -> str:
    industry = Industry(book, code, as_of)
    spec = {
        "industry": code,
        "as_of": as_of,
        "base_facts": {k: _plain(v) for k, v in industry.base.items()},
        "cases": list(industry.cases()),
    }
    body = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=120, default_flow_style=None)
    return HEADER.format(code=code) + body


def files(book: RuleBook) -> dict[Path, str]:
    written: dict[Path, str] = {}
    for code in sorted(book.rules):
        for as_of in dates_for(book, code):
            written[HERE / code / f"boundaries-{as_of.isoformat()}.yaml"] = render(book, code, as_of)
    return written


def main(argv: list[str]) -> int:
    book = load_rulebook()
    wanted = files(book)
    stale = [p for p in HERE.glob("*/boundaries-*.yaml") if p not in wanted]
    if "--check" in argv:
        differ = [p for p, text in wanted.items() if not p.is_file() or p.read_text("utf-8") != text]
        for path in differ + stale:
            print(f"out of date: {path.relative_to(HERE)}")
        return 1 if differ or stale else 0
    for path in stale:
        path.unlink()
    for path, text in wanted.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
    print(f"{len(wanted)} files, {sum(text.count('- name:') for text in wanted.values())} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
