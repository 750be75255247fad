"""The loaded rule book: as-of-date lookup of indicators and measures, overlays national → province → city.

Resolution (REQ G-7): for each indicator the national entry in force on `as_of` gives the values; then the
province overlay's entry in force, then the city's, replace the values of the grades they name. A local
industry is defined in its province's folder and has no national layer. The version is a content hash of
every file read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol, TypeVar

from airgrade.core.errors import AirgradeError
from airgrade.core.measures import Measure
from airgrade.core.regions import city_of, province_of
from airgrade.core.rules import schema as s
from airgrade.core.types import AlertLevel, Grade


class RuleLookupError(AirgradeError, LookupError):
    """An industry, grade or date the rule book has nothing for; the message is for users (Chinese)."""


@dataclass(frozen=True)
class Requirement:
    """What one grade requires of one indicator, and where that requirement comes from."""

    grade: Grade
    value: s.RequiredValue
    source: s.Source
    effective: dt.date
    jurisdiction: str  # "national" or the region code of the overlay or local industry that set it

    @property
    def provisional(self) -> bool:
        return self.source.provenance is s.Provenance.PROVISIONAL


@dataclass(frozen=True)
class ResolvedIndicator:
    id: str
    label_zh: str
    label_en: str
    aspect: s.Aspect
    check: s.CheckKind
    fact: str | None
    parts: tuple[s.IndicatorPart, ...]
    unit: str | None
    gates: tuple[Grade, ...]  # best first
    applies_if: str | None
    requirements: dict[Grade, Requirement]
    note_zh: str = ""

    @property
    def fact_keys(self) -> tuple[str, ...]:
        if self.fact is not None:
            return (self.fact,)
        return tuple(part.fact for part in self.parts)


@dataclass(frozen=True)
class IndustryRules:
    """The rules of one industry in force on one date in one region: what the engine grades against."""

    industry: s.CatalogueEntry
    scale: s.Scale
    scale_source: s.Source
    grades: tuple[Grade, ...]  # best first; the last is the floor
    indicators: tuple[ResolvedIndicator, ...]
    facts: dict[str, s.FactDefinition]
    as_of: dt.date
    region_code: str | None
    rules_version: str
    unit_symbols: dict[str, str]
    framework: s.FrameworkEntry | None = None  # the national framework in force on `as_of` (REQ G-8)
    # Grades of this scale the framework keeps without saying so (provisional), with the reason.
    provisional_grades: dict[Grade, s.Source] = field(default_factory=dict)
    designations: tuple[s.DesignationRule, ...] = ()  # e.g. A+ over A, from 2026
    # Per-process memo of what consumers derive from these rules (the engine's evaluation plan, compiled checks).
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def floor(self) -> Grade:
        return self.grades[-1]


class _Dated(Protocol):
    @property
    def effective(self) -> dt.date: ...
    @property
    def until(self) -> dt.date | None: ...


DatedT = TypeVar("DatedT", bound=_Dated)


def _in_force(entries: Sequence[DatedT], as_of: dt.date) -> DatedT | None:
    best: DatedT | None = None
    for entry in entries:
        in_force = entry.effective <= as_of and (entry.until is None or as_of < entry.until)
        if in_force and (best is None or entry.effective > best.effective):
            best = entry
    return best


def _layers(region_code: str | None) -> list[str]:
    """Overlay regions that apply to a region code, province first, then city (REQ G-7)."""
    if not region_code:
        return []
    province, city = province_of(region_code), city_of(region_code)
    return [province] if city == province else [province, city]


class RuleBook:
    """The validated rule book; build it with `loader.load_rulebook` or `default_rulebook()`."""

    def __init__(
        self,
        *,
        grades: tuple[s.GradeDefinition, ...],
        frameworks: tuple[s.FrameworkEntry, ...],
        policy: tuple[s.PolicyEntry, ...],
        pollutants: tuple[s.PollutantDefinition, ...],
        units: dict[str, s.UnitDefinition],
        alert_levels: tuple[s.AlertLevelDefinition, ...],
        common_facts: dict[str, s.FactDefinition],
        catalogue: tuple[s.CatalogueEntry, ...],
        rules: dict[str, s.IndustryRulesFile],
        measures: dict[str, s.IndustryMeasuresFile],
        overlays: dict[str, s.OverlayFile],
        version: str,
        scorecards: dict[str, tuple[s.ScorecardEntry, ...]] | None = None,
        files: dict[str, str] | None = None,
        gate_ledger: tuple[s.GateLedgerEntry, ...] = (),
        alert_verification: tuple[s.AlertVerificationEntry, ...] = (),
        cross_checks: tuple[s.CrossCheckEntry, ...] = (),
        holidays: tuple[s.HolidayYear, ...] = (),
    ) -> None:
        self.grades = tuple(sorted(grades, key=lambda definition: definition.order))
        self._grade_definitions = {definition.code: definition for definition in self.grades}
        self.frameworks = tuple(sorted(frameworks, key=lambda entry: entry.effective))
        self.policies = tuple(sorted(policy, key=lambda entry: entry.effective))
        self.gate_ledger_rules = tuple(sorted(gate_ledger, key=lambda entry: entry.effective))
        self.alert_verification_rules = tuple(sorted(alert_verification, key=lambda entry: entry.effective))
        self.cross_check_rules = tuple(sorted(cross_checks, key=lambda entry: entry.effective))
        self.holiday_years = tuple(sorted(holidays, key=lambda entry: entry.year))
        self.pollutants = pollutants
        self.units = units
        self.alert_levels = alert_levels
        self.common_facts = common_facts
        self.catalogue = catalogue
        self._catalogue_by_code = {entry.code: entry for entry in catalogue}
        self.rules = rules
        self.measures_tables = measures
        self.overlays = overlays
        self.scorecards = scorecards or {}
        self.version = version
        self.files = files or {}
        self._unit_symbols = {code: unit.symbol for code, unit in units.items()}
        self._cache: dict[tuple[str, dt.date, str | None], IndustryRules] = {}

    # ------------------------------------------------------------ catalogue

    def industry_or_none(self, code: str) -> s.CatalogueEntry | None:
        return self._catalogue_by_code.get(code)

    def industry(self, code: str) -> s.CatalogueEntry:
        entry = self._catalogue_by_code.get(code)
        if entry is None:
            raise RuleLookupError(f"未知的行业代码 {code!r} (unknown industry)")
        return entry

    def floor(self, industry_code: str) -> Grade:
        """The industry's lowest grade, where the ungraded and non-applicants are managed (REQ LC-6, SJZ-2)."""
        self.industry(industry_code)
        return self.rules[industry_code].scale.scale.grades[-1]

    def industries(self, region_code: str | None = None) -> list[s.CatalogueEntry]:
        """Every industry, or those that apply in a region (national ones and the province's local ones)."""
        return [
            entry
            for entry in self.catalogue
            if region_code is None or s.jurisdiction_covers(entry.jurisdiction, region_code)
        ]

    def alert_level(self, level: AlertLevel) -> s.AlertLevelDefinition:
        return next(definition for definition in self.alert_levels if definition.code == level)

    def regional_reduction(
        self, level: AlertLevel, as_of: dt.date, region_code: str | None = None
    ) -> dict[str, tuple[float, s.Source]]:
        """The minimum cut of a region's total emissions per pollutant at an alert level, in %, with its source.

        National shares (REQ G-6) first; a province overlay, then a city overlay, in force on `as_of` replaces the
        pollutants it names (REQ G-7).
        """
        national = self.alert_level(level)
        if as_of < national.effective:
            raise RuleLookupError(
                f"{as_of} 时{national.label_zh}尚无生效的区域减排比例（最早 {national.effective}） (no rule in force)"
            )
        shares = {
            pollutant: (percent, national.source) for pollutant, percent in national.regional_reduction_percent.items()
        }
        for layer in _layers(region_code):
            overlay = self.overlays.get(layer)
            if overlay is None:
                continue
            change = _in_force([c for c in overlay.regional_reductions if c.level == level], as_of)
            if change is not None:
                shares.update({pollutant: (percent, change.source) for pollutant, percent in change.percent.items()})
        return shares

    def regional_reduction_percent(
        self, level: AlertLevel, as_of: dt.date, region_code: str | None = None
    ) -> dict[str, float]:
        """`regional_reduction` without the sources: what the emergency engine's ReductionLookup asks."""
        return {
            pollutant: percent for pollutant, (percent, _) in self.regional_reduction(level, as_of, region_code).items()
        }

    # ------------------------------------------------------------ framework and grade scale

    def policy(self, as_of: dt.date) -> s.PolicyEntry:
        """The procedure rules in force on `as_of` (caps, application ban, objection deadline, B sample)."""
        entry = _in_force(self.policies, as_of)
        if entry is None:
            raise RuleLookupError(f"{as_of} 时尚无生效的评级程序规则（最早 {self.policies[0].effective}）")
        return entry

    def gate_ledger(self, as_of: dt.date) -> s.GateLedgerEntry:
        """The gate-ledger rules in force on `as_of` (clean stages, retention, completeness goal; issue 11)."""
        entry = _in_force(self.gate_ledger_rules, as_of)
        if entry is None:
            raise RuleLookupError(f"{as_of} 时尚无生效的门禁台账规则")
        return entry

    def alert_verification(self, as_of: dt.date) -> s.AlertVerificationEntry:
        """How alert execution is verified on `as_of` (baseline, coverage, tolerance; issue 12, REQ H23-6)."""
        entry = _in_force(self.alert_verification_rules, as_of)
        if entry is None:
            raise RuleLookupError(f"{as_of} 时尚无生效的预警执行核查规则")
        return entry

    def cross_checks(self, as_of: dt.date) -> s.CrossCheckEntry:
        """The cross-check thresholds in force on `as_of` (exceedance, silence, idle meter hours; issue 12 item 4)."""
        entry = _in_force(self.cross_check_rules, as_of)
        if entry is None:
            raise RuleLookupError(f"{as_of} 时尚无生效的在线监测与用电交叉核查规则")
        return entry

    def holidays(self, first: dt.date, last: dt.date) -> frozenset[dt.date]:
        """The official days off (放假) from `first` to `last`, inclusive, from the State Council's yearly notices;
        adjusted working days (调休上班) are not among them. Years without a notice in the rule book add nothing
        (`holiday_years_covered` tells which years are known)."""
        days: set[dt.date] = set()
        for year in self.holiday_years:
            for period in year.holidays:
                day = max(period.first, first)
                while day <= min(period.last, last):
                    days.add(day)
                    day += dt.timedelta(days=1)
        return frozenset(days)

    def holiday_years_covered(self) -> tuple[int, ...]:
        return tuple(year.year for year in self.holiday_years)

    def targets(self, region_code: str, as_of: dt.date) -> s.TargetSet | None:
        """The A/B share targets of the province of `region_code` in force on `as_of` (REQ H21-1), or None."""
        overlay = self.overlays.get(province_of(region_code))
        if overlay is None:
            return None
        return _in_force(overlay.targets, as_of)

    def grade_definition(self, grade: Grade) -> s.GradeDefinition:
        return self._grade_definitions[grade]

    def framework(self, as_of: dt.date) -> s.FrameworkEntry:
        """The national framework in force on `as_of`: the 2020 guide until 2026, then 环办大气〔2026〕2号 (REQ G-8)."""
        entry = _in_force(self.frameworks, as_of)
        if entry is None:
            first = self.frameworks[0].effective
            raise RuleLookupError(f"{as_of} 时尚无生效的绩效分级框架（最早 {first}） (no framework in force)")
        return entry

    def scale_on(self, industry_code: str, as_of: dt.date) -> tuple[tuple[Grade, ...], dict[Grade, s.Source]]:
        """The industry's grades on `as_of`, best first: its scale's grades that exist on that date (a grade
        definition's effective range) and that the framework in force keeps; and those it keeps provisionally."""
        framework = self.framework(as_of)
        kept = set(framework.grades) | set(framework.provisional_grades)
        scale = self.rules[industry_code].scale.scale.grades
        grades = tuple(g for g in scale if g in kept and self._grade_definitions[g].in_force(as_of))
        if not grades or grades[-1] != scale[-1]:
            entry = self.industry(industry_code)
            raise RuleLookupError(
                f"{as_of} 时的分级框架 {framework.name_zh} 不含行业 {entry.name_zh} 的等级 {[g.value for g in scale]}"
            )
        return grades, {g: framework.provisional_grades[g] for g in grades if g in framework.provisional_grades}

    def designation(self, grade: Grade, as_of: dt.date) -> s.DesignationRule:
        """The designation rule (e.g. A+) in force on `as_of`; RuleLookupError before the framework that adds it."""
        framework = self.framework(as_of)
        for rule in framework.designations:
            if rule.grade == grade and self._grade_definitions[grade].in_force(as_of):
                return rule
        raise RuleLookupError(f"{as_of} 时的分级框架 {framework.name_zh} 没有 {grade} 这一等级 (no such designation)")

    # ------------------------------------------------------------ indicators

    def rules_for(self, code: str, as_of: dt.date, region_code: str | None = None) -> IndustryRules:
        """The industry's indicators with the values in force on `as_of`, `region_code`'s overlays applied."""
        key = (code, as_of, region_code)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        entry = self.industry(code)
        if region_code and not s.jurisdiction_covers(entry.jurisdiction, region_code):
            raise RuleLookupError(
                f"行业 {entry.name_zh}（{code}）是 {entry.jurisdiction} 的地方行业，不适用于 {region_code}"
            )
        industry_rules = self.rules[code]
        layers = _layers(region_code)
        indicators: list[ResolvedIndicator] = []
        for indicator in industry_rules.indicators:
            base = _in_force(indicator.thresholds, as_of)
            if base is None:
                first = min(threshold.effective for threshold in indicator.thresholds)
                raise RuleLookupError(
                    f"{as_of} 时行业 {entry.name_zh}（{code}）的指标 {indicator.id} 尚无生效的规则"
                    f"（最早 {first}） (no rule in force on that date)"
                )
            requirements = {
                grade: Requirement(grade, value, base.source_of(grade), base.effective, entry.jurisdiction)
                for grade, value in base.values.items()
            }
            for layer in layers:
                overlay = self.overlays.get(layer)
                if overlay is None:
                    continue
                changes = [c for c in overlay.thresholds if c.industry == code and c.indicator == indicator.id]
                change = _in_force(changes, as_of)
                if change is not None:
                    for grade, value in change.values.items():
                        requirements[grade] = Requirement(
                            grade, value, change.source_of(grade), change.effective, layer
                        )
            gates = tuple(grade for grade in industry_rules.scale.scale.grades if grade in indicator.gates)
            indicators.append(
                ResolvedIndicator(
                    id=indicator.id,
                    label_zh=indicator.label_zh,
                    label_en=indicator.label_en,
                    aspect=indicator.aspect,
                    check=indicator.check,
                    fact=indicator.fact,
                    parts=tuple(indicator.parts),
                    unit=indicator.unit,
                    gates=gates,
                    applies_if=indicator.applies_if,
                    requirements=requirements,
                    note_zh=indicator.note_zh,
                )
            )
        facts = dict(self.common_facts)
        facts.update({fact.key: fact for fact in industry_rules.facts})
        grades, provisional_grades = self.scale_on(code, as_of)
        framework = self.framework(as_of)
        resolved = IndustryRules(
            industry=entry,
            scale=industry_rules.scale.scale,
            scale_source=industry_rules.scale.source,
            grades=grades,
            framework=framework,
            provisional_grades=provisional_grades,
            designations=tuple(d for d in framework.designations if d.over in grades),
            indicators=tuple(indicators),
            facts=facts,
            as_of=as_of,
            region_code=region_code,
            rules_version=self.version,
            unit_symbols=self._unit_symbols,
        )
        self._cache[key] = resolved
        return resolved

    # ------------------------------------------------------------ measures

    def measures(
        self,
        industry_code: str,
        grade: Grade,
        level: AlertLevel,
        as_of: dt.date,
        region_code: str | None = None,
    ) -> list[Measure]:
        """The minimum measures of an industry's grade at an alert level (REQ G-5), overlays applied."""
        return list(self.measures_with_source(industry_code, grade, level, as_of, region_code)[0])

    def measures_with_source(
        self,
        industry_code: str,
        grade: Grade,
        level: AlertLevel,
        as_of: dt.date,
        region_code: str | None = None,
    ) -> tuple[list[Measure], s.Source]:
        entry = self.industry(industry_code)
        if grade.is_designation:
            # A designation takes at least the measures of the grade it is set on (A+ → A, REQ G-8).
            rule = self.designation(grade, as_of)
            measures, _ = self.measures_with_source(industry_code, rule.measures_as, level, as_of, region_code)
            return measures, rule.measures_source
        table = _in_force(self.measures_tables[industry_code].measures, as_of)
        if table is None:
            raise RuleLookupError(f"{as_of} 时行业 {entry.name_zh}（{industry_code}）尚无生效的减排措施")
        grades = table.grades
        if grade not in grades:
            scale = self.rules[industry_code].scale.scale
            raise RuleLookupError(f"行业 {entry.name_zh} 的等级为 {[g.value for g in scale.grades]}，没有 {grade}")
        measures, source = list(grades[grade][level]), table.source
        for layer in _layers(region_code):
            overlay = self.overlays.get(layer)
            if overlay is None:
                continue
            changes = [c for c in overlay.measures if c.industry == industry_code and grade in c.grades]
            change = _in_force(changes, as_of)
            if change is not None:
                measures, source = list(change.grades[grade][level]), change.source
        return measures, source

    # ------------------------------------------------------------ point scorecards (Zhengzhou, REQ ZZ-1)

    def scorecard(self, region_code: str, as_of: dt.date) -> s.ScorecardEntry:
        """The city's point scorecard in force on `as_of` (a county uses its city's)."""
        city = city_of(region_code)
        entry = _in_force(self.scorecards.get(city, ()), as_of)
        if entry is None:
            raise RuleLookupError(f"{as_of} 时行政区划 {region_code} 没有生效的绿色绩效评价体系 (no scorecard)")
        return entry

    def scorecard_regions(self) -> list[str]:
        return sorted(self.scorecards)

    # ------------------------------------------------------------ audit

    def provisional_values(self) -> list[tuple[str, str, str]]:
        """Every provisional value: (file, where, reason), for `airgrade rules audit`."""
        found: list[tuple[str, str, str]] = []
        for policy in self.policies:
            for name in ("objection_response_days", "b_sample_ratio", "application_ban", "prior_year_violations"):
                rule = getattr(policy, name)
                if rule.source.provisional:
                    found.append(("common/policy.yaml", f"policy @{policy.effective} {name}", rule.source.note))
        for entry in self.cross_check_rules:
            for name in ("exceedance_hours", "silence_hours", "meter_silence_hours", "idle_hours"):
                rule = getattr(entry, name)
                if rule.source.provisional:
                    found.append(
                        ("common/verification.yaml", f"cross_checks @{entry.effective} {name}", rule.source.note)
                    )
        for framework in self.frameworks:
            where = f"framework {framework.code} @{framework.effective}"
            for grade, source in framework.provisional_grades.items():
                found.append(("common/framework.yaml", f"{where} grade {grade}", source.note))
            for rule in framework.designations:
                if rule.measures_source.provisional:
                    found.append(("common/framework.yaml", f"{where} {rule.grade} measures", rule.measures_source.note))
            for question in framework.open_questions:
                if question.source.provisional:
                    found.append(("common/framework.yaml", f"{where} {question.topic_zh}", question.source.note))
        for code, industry_rules in sorted(self.rules.items()):
            file = self.files.get(code, f"industries/{code}/indicators.yaml")
            if industry_rules.scale.source.provenance is s.Provenance.PROVISIONAL:
                found.append((file, f"{code} scale={industry_rules.scale.scale}", industry_rules.scale.source.note))
            for indicator in industry_rules.indicators:
                for threshold in indicator.thresholds:
                    for grade, value in threshold.values.items():
                        source = threshold.source_of(grade)
                        if source.provenance is s.Provenance.PROVISIONAL:
                            where = f"{code}.{indicator.id} @{threshold.effective} {grade}={_show(value)}"
                            found.append((file, where, source.note))
        for code, measure_file in sorted(self.measures_tables.items()):
            for table in measure_file.measures:
                if table.source.provenance is s.Provenance.PROVISIONAL:
                    found.append((f"{code}/measures.yaml", f"{code} measures @{table.effective}", table.source.note))
        for region, entries in sorted(self.scorecards.items()):
            file = f"jurisdictions/{region}/scorecard.yaml"
            for card in entries:
                for where, source in _scorecard_sources(card):
                    if source.provisional:
                        found.append((file, f"{card.code} @{card.effective} {where}", source.note))
        for region, overlay in sorted(self.overlays.items()):
            for change in overlay.thresholds:
                for grade, value in change.values.items():
                    source = change.source_of(grade)
                    if source.provenance is s.Provenance.PROVISIONAL:
                        where = (
                            f"{region}: {change.industry}.{change.indicator} @{change.effective} {grade}={_show(value)}"
                        )
                        found.append((f"jurisdictions/{region}/overlay.yaml", where, source.note))
            for measure_change in overlay.measures:
                if measure_change.source.provenance is s.Provenance.PROVISIONAL:
                    where = f"{region}: {measure_change.industry} measures @{measure_change.effective}"
                    found.append((f"jurisdictions/{region}/overlay.yaml", where, measure_change.source.note))
            for target_set in overlay.targets:
                for name in ("source", "counted_source", "counting_source"):
                    source = getattr(target_set, name)
                    if source.provisional:
                        where = f"{region}: targets {target_set.code} @{target_set.effective} {name}"
                        found.append((f"jurisdictions/{region}/overlay.yaml", where, source.note))
            for reduction in overlay.regional_reductions:
                if reduction.source.provenance is s.Provenance.PROVISIONAL:
                    where = f"{region}: regional_reductions {reduction.level} @{reduction.effective}"
                    found.append((f"jurisdictions/{region}/overlay.yaml", where, reduction.source.note))
        return found


def _scorecard_sources(card: s.ScorecardEntry) -> list[tuple[str, s.Source]]:
    """Every cited value of a scorecard with where it sits, for the provisional audit."""
    found: list[tuple[str, s.Source]] = [("scorecard", card.source)]
    for dimension in card.dimensions:
        found.append((f"{dimension.code}", dimension.source))
        found += [(f"{dimension.code}.{indicator.id}", indicator.source) for indicator in dimension.indicators]
    found += [
        ("normalisation", card.normalisation.source),
        ("recommendation", card.recommendation.source),
        ("precedence", card.precedence.source),
        ("red_lines", card.red_lines.source),
        ("red_lines.class", card.red_lines.class_source),
        ("classes", card.classes.source),
        ("classes.conditions", card.classes.conditions_source),
        ("classes.split", card.classes.split_source),
        ("classes.industries", card.classes.industries_source),
        ("control.policy", card.control.policy_source),
        ("control.ratios", card.control.ratio_source),
        ("integrity.non_reporter", card.integrity.non_reporter_source),
        ("integrity.false_data", card.integrity.false_data_source),
        ("integrity.published", card.integrity.published_source),
        ("investment", card.investment.source),
        ("investment.values", card.investment.values_source),
    ]
    found += [(f"附表{table.number}", table.source) for table in card.industry_tables]
    return found


def _show(value: s.RequiredValue) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "/".join(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@cache
def default_rulebook() -> RuleBook:
    """The packaged rule book, loaded once per process."""
    from airgrade.core.rules.loader import load_rulebook

    return load_rulebook()
