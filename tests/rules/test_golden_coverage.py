"""Every non-provisional value of the rule book has golden boundary cases, and the generated files are current.

A value (industry, indicator, threshold entry, grade, and part of a composite) whose source is official or secondary
needs, in a golden file of its industry without a draft overlay and with `as_of` inside the entry's dates, a case
tagged `boundary: {indicator, grade, side: at}` and one with `side: beyond` (unless no value past the threshold
exists: a share above 100, a min below 0, a stage dirtier than 国一, a set holding every category).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from golden_boundaries import beyond_values, files, non_provisional

from airgrade.core.rules.rulebook import RuleBook, default_rulebook

HERE = Path(__file__).parent

Tag = tuple[str, str, str, str | None, str]  # industry, indicator, grade, part, side


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def golden_specs() -> list[dict[str, Any]]:
    specs = []
    for path in sorted(HERE.glob("*/*.yaml")):
        if path.parent.name != "drafts":
            specs.append(yaml.load(path.read_text("utf-8"), Loader=_LOADER))  # a safe loader (C if built)
    return specs


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def uncovered(book: RuleBook, specs: Iterable[dict[str, Any]]) -> list[str]:
    """What has no boundary case, as 'industry.indicator[.part] grade side @effective'."""
    tagged: list[tuple[dt.date, Tag]] = []
    for spec in specs:
        if "overlay" in spec or spec.get("region"):
            continue  # a what-if or a region's overlays test something else than the national value
        for case in spec.get("cases", []):
            b = case.get("boundary")
            if b:
                tag = (spec["industry"], b["indicator"], str(b["grade"]), b.get("part"), b["side"])
                tagged.append((_date(spec["as_of"]), tag))
    missing = []
    for code, indicator, entry, grade in non_provisional(book):
        facts = {**book.common_facts, **{f.key: f for f in book.rules[code].facts}}
        value = next(v for g, v in entry.values.items() if g.value == grade)
        if indicator.fact is not None:
            targets = [(None, indicator.fact, indicator.check.value, value)]
        else:
            targets = [(p.id, p.fact, p.check.value, value[p.id]) for p in indicator.parts if p.id in value]
        for part, fact, check, required in targets:
            sides = ["at"] + (["beyond"] if beyond_values(check, required, facts[fact]) else [])
            for side in sides:
                wanted = (code, indicator.id, grade, part, side)
                if not any(
                    tag == wanted and entry.effective <= as_of and (entry.until is None or as_of < entry.until)
                    for as_of, tag in tagged
                ):
                    name = f"{code}.{indicator.id}{'.' + part if part else ''}"
                    missing.append(f"{name} {grade} {side} @{entry.effective}")
    return missing


def test_every_non_provisional_value_has_boundary_cases() -> None:
    missing = uncovered(default_rulebook(), golden_specs())
    assert not missing, (
        f"{len(missing)} non-provisional values without golden boundary cases (run "
        f"`uv run python tests/rules/golden_boundaries.py` or write them): {missing[:20]}"
    )


def test_the_coverage_check_notices_a_missing_indicator() -> None:
    specs = golden_specs()
    for spec in specs:
        if spec["industry"] == "carbon":
            spec["cases"] = [
                c for c in spec.get("cases", []) if (c.get("boundary") or {}).get("indicator") != "pm_limit"
            ]
    missing = uncovered(default_rulebook(), specs)
    assert missing == ["carbon.pm_limit A at @2020-06-24", "carbon.pm_limit A beyond @2020-06-24"]


def test_generated_boundary_files_are_current() -> None:
    """A threshold changed without regenerating (or a generated file edited by hand) fails here: regenerate and
    review the diff of the golden file."""
    stale = [
        str(path.relative_to(HERE))
        for path, text in files(default_rulebook()).items()
        if not path.is_file() or path.read_text("utf-8") != text
    ]
    assert not stale, f"out of date, run `uv run python tests/rules/golden_boundaries.py`: {stale}"
