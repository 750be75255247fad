"""Where each grading fact of a declaration comes from (issue 11 §4; REQ SJZ-5, H23-6).

A fact is self-declared (企业自报) unless an app above declarations gives the same fact from an independent record
through the `declaration_fact_sources` hook: today the gate ledger (门禁台账 <period>) for the transport facts. Each
contribution says its value, its source and whether it counts (the gate app applies the rule book's precedence and
minimum coverage); a counting value replaces the declared one in what the engine grades, and the review shows both
when they differ. Declarations never imports the contributing app (tests/platform/test_layers.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from airgrade.core.rules.rulebook import IndustryRules
from airgrade.platform.declarations.models import Declaration, DeclarationItem
from airgrade.platform.hooks import contributions

DECLARED = "企业自报"


@dataclass(frozen=True)
class FactSource:
    """One fact of one item: the declared value, the independent one (when any), which was graded and why."""

    key: str
    declared: Any
    other: Any
    other_source: str
    used: bool  # the independent value is the one graded
    note: str = ""  # why it is not used (too little coverage, the rules put the declaration first)

    @property
    def graded_source(self) -> str:
        return self.other_source if self.used else DECLARED

    @property
    def differs(self) -> bool:
        return _differs(self.declared, self.other)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "declared": self.declared,
            "other": self.other,
            "other_source": self.other_source,
            "used": self.used,
            "graded_source": self.graded_source,
            "differs": self.differs,
            "note": self.note,
        }


def _differs(declared: Any, other: Any) -> bool:
    missing_declared, missing_other = declared in (None, ""), other in (None, "")
    if missing_declared or missing_other:
        return missing_declared != missing_other
    try:
        return not math.isclose(float(declared), float(other), abs_tol=0.005)
    except (TypeError, ValueError):
        return str(declared) != str(other)


def contributed(declaration: Declaration) -> list[dict[str, Any]]:
    """What the installed apps give for this declaration's facts (fetched once per page or transition)."""
    return contributions("declaration_fact_sources", declaration)


def graded_facts(
    item: DeclarationItem, rules: IndustryRules | None, given: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[FactSource]]:
    """The facts the engine grades for `item` and the source of every fact an independent record also gives. Only
    facts the industry's indicators use are taken; without the industry's rules the declared facts stay."""
    facts = dict(item.facts or {})
    if rules is None or not given:
        return facts, []
    used_keys = {key for indicator in rules.indicators for key in indicator.fact_keys}
    sources: list[FactSource] = []
    for entry in given:
        key = str(entry["key"])
        if key not in used_keys:
            continue
        source = FactSource(
            key=key,
            declared=facts.get(key),
            other=entry["value"],
            other_source=str(entry["source"]),
            used=bool(entry["used"]),
            note=str(entry.get("note") or ""),
        )
        if source.used:
            facts[key] = source.other
        sources.append(source)
    return facts, sources
