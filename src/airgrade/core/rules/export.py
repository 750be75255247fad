"""The rule book as JSON-ready dicts: the industry catalogue and one industry's rules on a date (CLI, API, pages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from airgrade.core.grading.engine import plain_value
from airgrade.core.industries import FAMILY_LABELS
from airgrade.core.rules import render
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import IndustryRules, RuleBook, RuleLookupError
from airgrade.core.types import AlertLevel


def _source(source: s.Source) -> dict[str, Any]:
    return {
        "document": source.document,
        "section": source.section,
        "provenance": source.provenance.value,
        "url": source.url,
        "note": source.note,
    }


def _fact(key: str, fact: s.FactDefinition) -> dict[str, Any]:
    return {
        "key": key,
        "label_zh": fact.label_zh,
        "type": fact.type.value,
        "unit": fact.unit,
        "categories": fact.categories,
    }


def catalogue_dicts(book: RuleBook, region_code: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for entry in book.industries(region_code):
        scale = book.rules[entry.code].scale.scale
        rows.append(
            {
                "code": entry.code,
                "name_zh": entry.name_zh,
                "name_en": entry.name_en,
                "family": entry.family,
                "family_zh": FAMILY_LABELS.get(entry.family, entry.family),
                "jurisdiction": entry.jurisdiction,
                "grades": [grade.value for grade in scale.grades],
                "indicators": len(book.rules[entry.code].indicators),
            }
        )
    return rows


def rules_dict(book: RuleBook, rules: IndustryRules) -> dict[str, Any]:
    """One industry's rules in force: indicators grouped by aspect, values per grade with sources, measures."""
    facts = rules.facts
    aspects: dict[str, dict[str, Any]] = {}
    for indicator in rules.indicators:
        group = aspects.setdefault(
            indicator.aspect.value,
            {"aspect": indicator.aspect.value, "aspect_zh": indicator.aspect.label_zh, "indicators": []},
        )
        group["indicators"].append(
            {
                "id": indicator.id,
                "label_zh": indicator.label_zh,
                "label_en": indicator.label_en,
                "check": indicator.check.value,
                "facts": [_fact(key, facts[key]) for key in indicator.fact_keys],
                "parts": [part.model_dump(mode="json") for part in indicator.parts],
                "unit": indicator.unit,
                "applies_if": indicator.applies_if,
                "note_zh": indicator.note_zh,
                "requirements": [
                    {
                        "grade": grade.value,
                        "value": plain_value(requirement.value),
                        # The same wording as the grading trace ("国五及以上…比例 ≥ 80%且…"), not the raw mapping.
                        # With the unit's symbol (mg/m³), once: pages and the CLI add no unit of their own.
                        "value_text": render.requirement_zh(
                            indicator.check,
                            requirement.value,
                            rules.unit_symbols.get(indicator.unit or "", indicator.unit),
                            indicator.parts,
                        ),
                        "effective": requirement.effective.isoformat(),
                        "jurisdiction": requirement.jurisdiction,
                        "source": _source(requirement.source),
                    }
                    for grade, requirement in ((grade, indicator.requirements[grade]) for grade in indicator.gates)
                ],
            }
        )
    measures: dict[str, dict[str, Any]] = {}
    for grade in rules.grades:
        for level in AlertLevel:
            try:
                items, source = book.measures_with_source(
                    rules.industry.code, grade, level, rules.as_of, rules.region_code
                )
            except RuleLookupError:
                continue
            measures.setdefault(grade.value, {})[level.value] = {
                "measures": [item.model_dump(mode="json") for item in items],
                # The one wording of these measures (rules.render): the CLI and pages show this, never their own.
                "text_zh": render.measures_line_zh(items),
                "source": _source(source),
            }
    used_facts = {key for indicator in rules.indicators for key in indicator.fact_keys} | {
        indicator.applies_if for indicator in rules.indicators if indicator.applies_if
    }
    return {
        "industry": {
            "code": rules.industry.code,
            "name_zh": rules.industry.name_zh,
            "name_en": rules.industry.name_en,
            "family": rules.industry.family,
            "jurisdiction": rules.industry.jurisdiction,
        },
        "as_of": rules.as_of.isoformat(),
        "region_code": rules.region_code,
        "rules_version": rules.rules_version,
        "grades": [grade.value for grade in rules.grades],
        "scale_source": _source(rules.scale_source),
        "aspects": list(aspects.values()),
        "facts": [_fact(key, facts[key]) for key in sorted(used_facts)],
        "measures": measures,
    }


def today() -> dt.date:
    """Today in Asia/Shanghai (UTC+8, no DST), the date the rules are looked up on by default."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
