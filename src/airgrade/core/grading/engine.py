"""Grade one industry of an enterprise: weakest link, trace, missing facts, gaps (REQ G-4, H21-3).

Pure: takes facts and the rule book, returns a result; no I/O. Caps (LC-13, LC-6, SJZ-2/3/5) are applied per
enterprise in `airgrade.core.grading.enterprise`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from airgrade.core.errors import AirgradeError
from airgrade.core.grading.checks import check_composite, check_simple
from airgrade.core.grading.facts import FactProblem, FactValue, normalise_facts
from airgrade.core.rules import render
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import (
    IndustryRules,
    Requirement,
    ResolvedIndicator,
    RuleBook,
    default_rulebook,
)
from airgrade.core.types import EmissionStage, Grade


class FactsError(AirgradeError, ValueError):
    """Facts that cannot be graded; `errors` names every bad key."""

    def __init__(self, industry: str, errors: list[FactProblem]) -> None:
        self.industry = industry
        self.errors = errors
        super().__init__("; ".join(f"{industry}.{error.key}: {error.message}" for error in errors))


class RequirementTrace(NamedTuple):
    """One grade's requirement of one indicator and whether it is met (a tuple: built many times per grade)."""

    grade: Grade
    required: s.RequiredValue
    required_text: str
    met: bool
    source: s.Source
    effective: dt.date
    jurisdiction: str
    plain: dict[str, Any]  # the JSON form without `met`, shared by every evaluation of these rules


@dataclass(frozen=True)
class _RequirementPlan:
    grade: Grade
    requirement: Requirement
    text: str
    plain: dict[str, Any]


@dataclass(frozen=True)
class _IndicatorPlan:
    indicator: ResolvedIndicator
    requirements: tuple[_RequirementPlan, ...]
    provisional: bool
    units: dict[str, str | None]


def _plan(rules: IndustryRules) -> tuple[_IndicatorPlan, ...]:
    """What does not depend on the facts, computed once per rules object (texts, sources, JSON parts)."""
    cached = rules.derived.get("engine_plan")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    plans = []
    for indicator in rules.indicators:
        unit_symbol = _symbol(indicator.unit, rules.unit_symbols)
        requirements = []
        for grade_ in indicator.gates:
            requirement = indicator.requirements[grade_]
            text = required_text(indicator, requirement, unit_symbol)
            source: dict[str, Any] = {
                "document": requirement.source.document,
                "section": requirement.source.section,
                "provenance": requirement.source.provenance.value,
            }
            if requirement.source.url:
                source["url"] = requirement.source.url
            if requirement.source.note:
                source["note"] = requirement.source.note
            plain = {
                "grade": grade_.value,
                "required": plain_value(requirement.value),
                "required_text": text,
                "source": source,
                "effective": requirement.effective.isoformat(),
                "jurisdiction": requirement.jurisdiction,
            }
            requirements.append(_RequirementPlan(grade_, requirement, text, plain))
        plans.append(
            _IndicatorPlan(
                indicator=indicator,
                requirements=tuple(requirements),
                provisional=any(plan.requirement.provisional for plan in requirements),
                units={key: _symbol(rules.facts[key].unit, rules.unit_symbols) for key in indicator.fact_keys},
            )
        )
    result = tuple(plans)
    rules.derived["engine_plan"] = result
    return result


def plain_value(value: s.RequiredValue) -> Any:
    """A required value as JSON: stages as their text, containers copied."""
    if isinstance(value, dict):
        return {key: plain_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return list(value)
    if isinstance(value, EmissionStage):
        return value.value
    return value


@dataclass(eq=False)
class IndicatorTrace:
    """One indicator's evaluation: what was observed, what each grade requires, which grade it reaches."""

    indicator: ResolvedIndicator
    observed: dict[str, FactValue | None]  # fact key -> value (None = missing)
    applicable: bool
    missing: tuple[str, ...]
    requirements: tuple[RequirementTrace, ...]
    reached: Grade
    units: dict[str, str | None] = field(default_factory=dict)
    provisional: bool = False
    _observed_text: str | None = field(default=None, repr=False)

    def observed_text(self) -> str:
        if self._observed_text is None:
            self._observed_text = self._format_observed()
        return self._observed_text

    def _format_observed(self) -> str:
        if not self.applicable:
            return render.NOT_APPLICABLE_ZH
        shown = []
        for key, value in self.observed.items():
            text = render.value_zh(value, self.units.get(key))
            shown.append(text if len(self.observed) == 1 else f"{_part_label(self.indicator, key)} {text}")
        return "；".join(shown)


class Gap(NamedTuple):
    """Why a grade is not reached: one indicator, observed vs required (H21-2 差异化指标/存在问题)."""

    grade: Grade
    indicator_id: str
    aspect: s.Aspect
    label_zh: str
    observed_text: str
    required_text: str
    missing: tuple[str, ...]

    @property
    def differentiated_indicator_zh(self) -> str:
        return render.gap_indicator_zh(self.aspect, self.label_zh)

    @property
    def problem_zh(self) -> str:
        return render.gap_problem_zh(self.label_zh, self.grade, self.observed_text, self.required_text, self.missing)


@dataclass(frozen=True)
class IndustryResult:
    industry: str
    industry_name_zh: str
    process: str | None
    rules_grade: Grade  # before caps
    grade: Grade  # after caps
    scale: s.Scale
    trace: tuple[IndicatorTrace, ...]
    missing_facts: tuple[str, ...]
    gaps: dict[Grade, tuple[Gap, ...]]
    as_of: dt.date
    region_code: str | None
    rules_version: str
    caps: tuple[str, ...] = field(default=())
    framework: str = ""  # code of the national framework the grade was made under (REQ G-8)
    provisional_grade: str = ""  # why the grade reached exists only provisionally under that framework

    @property
    def blocking(self) -> dict[Grade, list[str]]:
        return {grade: [gap.indicator_id for gap in gaps] for grade, gaps in self.gaps.items()}

    @property
    def provisional_indicators(self) -> list[str]:
        """Indicators whose requirements at or above the grade reached rest on provisional values."""
        return [trace.indicator.id for trace in self.trace if trace.provisional]

    @property
    def uses_provisional(self) -> bool:
        return bool(self.provisional_indicators) or bool(self.provisional_grade)


def grade(
    facts: Mapping[str, Any],
    industry: str,
    as_of: dt.date,
    *,
    region_code: str | None = None,
    process: str | None = None,
    book: RuleBook | None = None,
) -> IndustryResult:
    """Grade one industry (or process) of an enterprise by the weakest-link rule (REQ G-4, SJZ-4).

    Raises RuleLookupError (unknown industry, nothing in force on `as_of`) or FactsError (bad facts).
    """
    book = book or default_rulebook()
    rules = book.rules_for(industry, as_of, region_code)
    values, errors = normalise_facts(facts, rules.facts, book.units)
    if errors:
        raise FactsError(industry, errors)
    return grade_normalised(values, rules, process=process)


def grade_normalised(
    values: Mapping[str, FactValue], rules: IndustryRules, *, process: str | None = None
) -> IndustryResult:
    scale = rules.grades
    position = {grade_: index for index, grade_ in enumerate(scale)}
    traces: list[IndicatorTrace] = []
    missing_all: list[str] = []
    worst = 0
    for plan in _plan(rules):
        trace = _evaluate(plan, values, scale)
        traces.append(trace)
        for key in trace.missing:
            if key not in missing_all:
                missing_all.append(key)
        worst = max(worst, position[trace.reached])
    achieved = scale[worst]
    gaps: dict[Grade, tuple[Gap, ...]] = {}
    if worst:
        behind = [trace for trace in traces if position[trace.reached] > 0]
        unmet = {id(trace): [req for req in trace.requirements if not req.met] for trace in behind}
        for target_position, target in enumerate(scale[:worst]):
            blocking = []
            for trace in behind:
                if position[trace.reached] <= target_position:
                    continue
                # The unmet requirements of the target grade and of every worse gated grade.
                failed = [req for req in unmet[id(trace)] if position[req.grade] >= target_position]
                text = render.failed_requirements_zh(target, [(req.grade, req.required_text) for req in failed])
                blocking.append(
                    Gap(
                        grade=target,
                        indicator_id=trace.indicator.id,
                        aspect=trace.indicator.aspect,
                        label_zh=trace.indicator.label_zh,
                        observed_text=trace.observed_text(),
                        required_text=text,
                        missing=trace.missing,
                    )
                )
            gaps[target] = tuple(blocking)
    return IndustryResult(
        industry=rules.industry.code,
        industry_name_zh=rules.industry.name_zh,
        process=process,
        rules_grade=achieved,
        grade=achieved,
        scale=rules.scale,
        trace=tuple(traces),
        missing_facts=tuple(missing_all),
        gaps=gaps,
        as_of=rules.as_of,
        region_code=rules.region_code,
        rules_version=rules.rules_version,
        framework=rules.framework.code if rules.framework else "",
        provisional_grade=rules.provisional_grades[achieved].note if achieved in rules.provisional_grades else "",
    )


def _evaluate(plan: _IndicatorPlan, values: Mapping[str, FactValue], scale: tuple[Grade, ...]) -> IndicatorTrace:
    indicator = plan.indicator
    observed = {key: values.get(key) for key in indicator.fact_keys}
    applicable = True
    missing = [key for key, value in observed.items() if value is None]
    undecided = False
    if indicator.applies_if is not None:
        condition = values.get(indicator.applies_if)
        if condition is None:
            # Unknown applicability counts as missing: nothing is met until the enterprise says whether it applies.
            missing.insert(0, indicator.applies_if)
            undecided = True
        elif condition is False:
            applicable, missing = False, []
    requirements: list[RequirementTrace] = []
    met_by_grade: dict[Grade, bool] = {}
    for item in plan.requirements:
        met = not applicable or (not undecided and _met(indicator, item.requirement, observed))
        met_by_grade[item.grade] = met
        requirement = item.requirement
        requirements.append(
            RequirementTrace(
                item.grade,
                requirement.value,
                item.text,
                met,
                requirement.source,
                requirement.effective,
                requirement.jurisdiction,
                item.plain,
            )
        )
    reached = scale[-1]
    for candidate in reversed(scale[:-1]):
        if not met_by_grade.get(candidate, True):
            break
        reached = candidate
    return IndicatorTrace(
        indicator=indicator,
        observed=observed,
        applicable=applicable,
        missing=tuple(missing) if applicable else (),
        requirements=tuple(requirements),
        reached=reached,
        units=plan.units,
        provisional=plan.provisional,
    )


def _met(indicator: ResolvedIndicator, requirement: Requirement, observed: Mapping[str, FactValue | None]) -> bool:
    if indicator.fact is not None:
        return check_simple(indicator.check, observed[indicator.fact], requirement.value)
    assert isinstance(requirement.value, dict)
    return check_composite(indicator.check, indicator.parts, observed, requirement.value)


def _symbol(unit: str | None, unit_symbols: Mapping[str, str]) -> str | None:
    return unit_symbols.get(unit, unit) if unit else None


def required_text(indicator: ResolvedIndicator, requirement: Requirement, unit_symbol: str | None = None) -> str:
    """A requirement as short Chinese text, e.g. '≥ 80%', '国五及以上', '是' (worded by `rules.render`)."""
    return render.requirement_zh(indicator.check, requirement.value, unit_symbol or indicator.unit, indicator.parts)


def _part_label(indicator: ResolvedIndicator, fact_key: str) -> str:
    for part in indicator.parts:
        if part.fact == fact_key:
            return part.label_zh or part.id
    return fact_key
