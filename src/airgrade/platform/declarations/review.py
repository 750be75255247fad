"""What a reviewer and the enterprise read on a declaration page, built from the rule book and the engine:
per industry the declared facts in the rule book's Chinese labels and units next to the grade each indicator
reaches, the requirement of the declared grade with its source and provenance, the evidence filed for it; the
self-check table (my value, needed for the next grade, the gap); the grades an action may set; the facts form
(parsing typed text into facts with a Chinese message per field); and the consequences of each action.

Read-only: nothing here writes. Writes go through `declarations.services`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from airgrade.core.grading import grade as engine_grade
from airgrade.core.grading.engine import FactsError, IndicatorTrace, IndustryResult
from airgrade.core.grading.facts import normalise_facts
from airgrade.core.industries import industry_by_code
from airgrade.core.rules import render
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import IndustryRules, RuleLookupError, default_rulebook
from airgrade.core.types import EmissionStage, Grade
from airgrade.core.workflow import GradeRule, State, check_decided_grade, transition_for
from airgrade.io.documents.layout import fixed
from airgrade.platform.declarations import fact_sources
from airgrade.platform.declarations.models import Declaration, DeclarationItem, EvidenceFile
from airgrade.platform.labels import grade_label

PROVENANCE_ZH = {"official": "官方文件", "secondary": "转载来源", "provisional": "暂定值"}


# ---------------------------------------------------------------- numbers and values as people read them


def number_text(value: float | int | Decimal) -> str:
    """Fixed notation with thousands separators: 1903700 → 1,903,700 (never 1.9037e+06)."""
    return fixed(value)


def value_text(value: Any, definition: s.FactDefinition | None, unit_symbols: dict[str, str]) -> str:
    """One fact value: 是/否, the stage, the category's Chinese name, or a fixed-notation number with its unit."""
    if value is None or value == "":
        return "未填报"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, EmissionStage):
        return value.value
    if isinstance(value, int | float | Decimal):
        if definition is not None and definition.type is s.FactType.SHARE:
            return f"{number_text(value)}%"
        unit = unit_symbols.get(definition.unit or "", definition.unit or "") if definition else ""
        return f"{number_text(value)} {unit}".strip()
    return s.category_label(value)


# ---------------------------------------------------------------- the review table


@dataclass
class IndicatorRow:
    indicator_id: str
    aspect: str
    label: str
    declared: str
    reached: str
    requirement: str
    met: bool | None  # None: the declared grade sets no requirement on this indicator
    source: str
    provenance: str
    provisional: bool
    evidence: list[EvidenceFile] = field(default_factory=list)
    next_required: str = ""
    gap: str = ""
    # Where the graded value comes from when an independent record gives it (the gate ledger), with the other value.
    fact_source: str = ""
    fact_other: str = ""
    fact_differs: bool = False


@dataclass
class FactSourceRow:
    """One fact an independent record also gives: both values and sources, which one was graded and why."""

    label: str
    declared: str
    other: str
    other_source: str
    graded_source: str
    used: bool
    differs: bool
    note: str


@dataclass
class ItemReview:
    item: DeclarationItem
    industry_name: str
    scale: tuple[Grade, ...] = ()
    engine_grade: str = ""
    next_grade: str = ""
    error: str = ""
    rows: list[IndicatorRow] = field(default_factory=list)
    uses_provisional: bool = False
    general_evidence: list[EvidenceFile] = field(default_factory=list)
    fact_sources: list[FactSourceRow] = field(default_factory=list)

    @property
    def graded_on_other_source(self) -> bool:
        return any(row.used for row in self.fact_sources)

    @property
    def below_declared(self) -> bool:
        return bool(self.engine_grade) and Grade(self.engine_grade).rank > Grade(self.item.target_grade).rank


def industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


def industry_scale(code: str) -> list[str]:
    """The grades of the industry's scale, best first (empty when the rule book does not know the industry)."""
    rules = default_rulebook().rules.get(code)
    return [grade.value for grade in rules.scale.scale.grades] if rules is not None else []


def _rules(declaration: Declaration, item: DeclarationItem) -> IndustryRules:
    return default_rulebook().rules_for(item.industry_code, declaration.campaign.rules_as_of, declaration.region_id)


def _observed(trace: IndicatorTrace, rules: IndustryRules) -> str:
    if not trace.applicable:
        return "不适用"
    parts = []
    for key, value in trace.observed.items():
        text = value_text(value, rules.facts.get(key), rules.unit_symbols)
        if len(trace.observed) > 1:
            part = next((p for p in trace.indicator.parts if p.fact == key), None)
            text = f"{(part.label_zh if part else '') or rules.facts[key].label_zh} {text}"
        parts.append(text)
    return "；".join(parts)


def _gap(trace: IndicatorTrace, grade: Grade, rules: IndustryRules) -> str:
    """How far the declared value is from `grade`'s requirement (worded by the core's `rules.render`)."""
    requirement = next((r for r in trace.requirements if r.grade == grade), None)
    if requirement is None or requirement.met:
        return ""
    indicator = trace.indicator
    observed = None if trace.missing else (trace.observed.get(indicator.fact) if indicator.fact else trace.observed)
    unit = rules.unit_symbols.get(indicator.unit or "", indicator.unit or "")
    return render.gap_distance_zh(indicator.check, observed, requirement.required, unit) or "未达到要求"


def _source_text(source: s.Source) -> str:
    return " ".join(part for part in (source.document, source.section) if part)


def _source_rows(sources: list[fact_sources.FactSource], rules: IndustryRules) -> list[FactSourceRow]:
    rows = []
    for source in sources:
        definition = rules.facts.get(source.key)
        rows.append(
            FactSourceRow(
                label=definition.label_zh if definition else source.key,
                declared=value_text(source.declared, definition, rules.unit_symbols),
                other=value_text(source.other, definition, rules.unit_symbols),
                other_source=source.other_source,
                graded_source=source.graded_source,
                used=source.used,
                differs=source.differs,
                note=source.note,
            )
        )
    return rows


def review_items(
    declaration: Declaration,
    evidence: list[EvidenceFile] | None = None,
    given: list[dict[str, Any]] | None = None,
) -> list[ItemReview]:
    """Every item of the declaration graded by the engine, one row per indicator: on its declared facts, except where
    an independent record (the gate ledger) gives a fact the rule book puts first (`fact_sources`)."""
    evidence = list(declaration.evidence.all()) if evidence is None else evidence
    given = fact_sources.contributed(declaration) if given is None else given
    reviews = []
    for item in declaration.items.all():
        review = ItemReview(item=item, industry_name=industry_name(item.industry_code))
        mine = [e for e in evidence if e.item_id in (None, item.pk)]
        try:
            rules = _rules(declaration, item)
            facts, sources = fact_sources.graded_facts(item, rules, given)
            review.fact_sources = _source_rows(sources, rules)
            result: IndustryResult | None = engine_grade(
                facts,
                item.industry_code,
                declaration.campaign.rules_as_of,
                region_code=declaration.region_id,
                process=item.process or None,
            )
        except FactsError as exc:
            result = None
            review.error = "；".join(f"{_fact_label(rules, e.key)}：{_chinese(e.message)}" for e in exc.errors)
        except (RuleLookupError, LookupError) as exc:
            review.error = _chinese(str(exc))
            reviews.append(review)
            continue
        review.scale = rules.grades
        target = Grade(item.target_grade)
        if result is not None:
            review.engine_grade = result.grade.value
            review.uses_provisional = result.uses_provisional
            position = rules.grades.index(result.grade)
            review.next_grade = rules.grades[position - 1].value if position > 0 else ""
        for trace in result.trace if result is not None else ():
            indicator = trace.indicator
            requirement = next((r for r in trace.requirements if r.grade == target), None)
            next_req = next((r for r in trace.requirements if r.grade.value == review.next_grade), None)
            source = (
                requirement.source
                if requirement is not None
                else (trace.requirements[0].source if trace.requirements else None)
            )
            review.rows.append(
                IndicatorRow(
                    indicator_id=indicator.id,
                    aspect=indicator.aspect.label_zh,
                    label=indicator.label_zh,
                    declared=_observed(trace, rules),
                    reached=trace.reached.value,
                    requirement=requirement.required_text if requirement is not None else "不设要求",
                    met=requirement.met if requirement is not None else None,
                    source=_source_text(source) if source is not None else "",
                    provenance=PROVENANCE_ZH.get(source.provenance.value, "") if source is not None else "",
                    provisional=bool(source is not None and source.provenance is s.Provenance.PROVISIONAL),
                    evidence=[e for e in mine if e.indicator_id == indicator.id],
                    next_required=next_req.required_text if next_req is not None else "",
                    gap=_gap(trace, Grade(review.next_grade), rules) if review.next_grade else "",
                )
            )
        by_key = {source.key: row for source, row in zip(sources, review.fact_sources, strict=True)}
        for row, trace in zip(review.rows, result.trace if result is not None else (), strict=False):
            marks = [by_key[key] for key in trace.indicator.fact_keys if key in by_key]
            if marks:
                row.fact_source = "；".join(dict.fromkeys(mark.graded_source for mark in marks))
                row.fact_other = "；".join(
                    f"{mark.label}：{mark.declared if mark.used else mark.other}（{fact_sources.DECLARED if mark.used else mark.other_source}）"
                    for mark in marks
                    if mark.differs
                )
                row.fact_differs = any(mark.differs for mark in marks)
        known = {row.indicator_id for row in review.rows}
        review.general_evidence = [e for e in mine if e.indicator_id not in known]
        reviews.append(review)
    return reviews


def _fact_label(rules: IndustryRules, key: str) -> str:
    definition = rules.facts.get(key)
    return definition.label_zh if definition else key


_ENGLISH_TAIL = re.compile(r"\s*\([A-Za-z][^()]*\)\s*$")


def _chinese(message: str) -> str:
    """The engine's messages end with an English gloss in brackets for logs; pages show the Chinese part."""
    return _ENGLISH_TAIL.sub("", message)


# ---------------------------------------------------------------- grades an action may set


def grade_options(declaration: Declaration, action: str, reviews: list[ItemReview]) -> dict[int, list[str]]:
    """Per item, the grades `action` may set: the industry's scale, what the role may decide (the county C and
    below, the city lower than declared), and nothing better than the engine reaches on the declared facts."""
    row = transition_for(action)
    # Only a row whose caller names a grade offers a choice: province verification confirms the city's
    # recommendation or the declared grade (its consequences say which), so a "no grade to choose" line there
    # read like a refusal.
    if row is None or not row.grade_rule.asks_grade:
        return {}
    options: dict[int, list[str]] = {}
    for review in reviews:
        scale = review.scale or tuple(Grade)
        declared = Grade(review.item.target_grade)
        best = Grade(review.engine_grade) if review.engine_grade else None
        allowed = []
        for grade in scale:
            if best is not None and grade.rank < best.rank:
                continue  # the facts do not support it
            if check_decided_grade(row, grade, declared):
                allowed.append(grade.value)
        options[review.item.pk] = allowed
    return options


# ---------------------------------------------------------------- consequences of an action


def consequences(declaration: Declaration, action: str, reviews: list[ItemReview]) -> list[str]:
    """What happens when the caller confirms `action`, in sentences (shown on the confirmation step)."""
    row = transition_for(action)
    if row is None:
        return []
    said = [f"申报状态由“{State(declaration.state).label_zh}”变为“{row.target.label_zh}”。"]
    if action == "declaration.province_verify":
        grades = "、".join(
            f"{r.industry_name} {grade_label(r.item.recommended_grade or r.item.target_grade)}" for r in reviews
        )
        said.append(f"核定等级（{grades}）记入等级登记，自今日起生效，并在等级公开页面向社会公布。")
    elif row.grade_rule.decides:
        said.append("所选等级为最终等级，记入等级登记，自今日起生效，并在等级公开页面向社会公布。")
    elif row.grade_rule is GradeRule.LOWER_THAN_DECLARED:
        said.append("所选等级作为市级建议等级报省级核定；省级核定前不记入等级登记。")
    if row.target is State.RETURNED:
        said.append("申报退回企业，企业可修改申报数据后重新提交；审核意见企业可见。")
    if action == "declaration.withdraw":
        said.append("撤回后本次申报结束，不能恢复；截止前未重新申报的，按最低等级管理。")
    if action in ("declaration.submit", "declaration.resubmit"):
        said.append("提交后不能再修改申报数据，由县级生态环境部门审核。")
    if row.requires_opinion:
        said.append("审核意见为必填项。")
    said.append("本操作以您的姓名签章记入审核记录（谁审核，谁签字，谁负责），不可撤销。")
    return said


# ---------------------------------------------------------------- the facts form


@dataclass
class FactField:
    key: str
    label: str
    kind: str  # number / share / bool / stage / category
    unit: str
    choices: list[tuple[str, str]]
    value: str  # as shown in the form (what was typed, or the stored value)
    error: str = ""


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def fact_fields(
    declaration: Declaration, item: DeclarationItem, typed: dict[str, str] | None = None
) -> list[FactField]:
    """The facts the industry's indicators read, in the rule book's order, with the stored or typed value."""
    try:
        rules = _rules(declaration, item)
    except LookupError:
        return []
    keys: list[str] = []
    for indicator in rules.indicators:
        for key in (indicator.applies_if, *indicator.fact_keys):
            if key and key not in keys:
                keys.append(key)
    fields = []
    for key in keys:
        definition = rules.facts[key]
        if typed is not None:
            value = typed.get(key, "")
        else:
            stored = item.facts.get(key)
            if isinstance(stored, bool):
                value = "yes" if stored else "no"
            elif isinstance(stored, int | float):
                value = number_text(stored).replace(",", "")
            elif isinstance(stored, dict):
                value = str(stored.get("value", ""))
            else:
                value = "" if stored is None else str(stored)
        choices: list[tuple[str, str]] = []
        if definition.type is s.FactType.BOOL:
            choices = [("yes", "是"), ("no", "否")]
        elif definition.type is s.FactType.STAGE:
            choices = [(stage.value, stage.value) for stage in EmissionStage]
        elif definition.type is s.FactType.CATEGORY:
            choices = [(code, s.category_label(code)) for code in definition.categories]
        unit = "%" if definition.type is s.FactType.SHARE else rules.unit_symbols.get(definition.unit or "", "")
        fields.append(FactField(key, definition.label_zh, definition.type.value, unit, choices, value))
    return fields


def parse_facts(
    declaration: Declaration, item: DeclarationItem, typed: dict[str, str]
) -> tuple[dict[str, Any], list[FactField]]:
    """Typed form values → facts. Returns the facts and the fields, each with its Chinese error if any."""
    fields = fact_fields(declaration, item, typed)
    rules = _rules(declaration, item)
    facts: dict[str, Any] = {}
    for entry in fields:
        text = entry.value.strip().replace(",", "").replace("，", "")
        if text == "":
            continue
        if entry.kind in ("number", "share"):
            if not _NUMBER.match(text):
                entry.error = "须填写数字（如 12.5），不能含字母或科学计数法"
                continue
            try:
                number = float(Decimal(text))
            except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
                entry.error = "须填写数字"
                continue
            if not math.isfinite(number) or abs(number) > 1e12:
                entry.error = "数值过大"
                continue
            facts[entry.key] = number
        elif entry.kind == "bool":
            if text not in ("yes", "no"):
                entry.error = "须选择 是 或 否"
                continue
            facts[entry.key] = text == "yes"
        else:
            if text not in {code for code, _ in entry.choices}:
                entry.error = "须从列表中选择"
                continue
            facts[entry.key] = text
    # Ranges and types as the engine sees them (a share above 100 %, a negative value).
    _, errors = normalise_facts(facts, rules.facts, default_rulebook().units)
    by_key = {entry.key: entry for entry in fields}
    for error in errors:
        if error.key in by_key and not by_key[error.key].error:
            by_key[error.key].error = _chinese(error.message)
            facts.pop(error.key, None)
    # Keys the form does not show (other processes' facts) are kept as they were.
    for key, value in item.facts.items():
        if key not in by_key:
            facts[key] = value
    return facts, fields
