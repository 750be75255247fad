"""The closed vocabulary of checks (schema.CheckKind) implemented once, for one observed value."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from airgrade.core.grading.facts import FactValue
from airgrade.core.rules import schema as s
from airgrade.core.types import EmissionStage


def _max(observed: FactValue, required: object) -> bool:
    return isinstance(observed, float) and isinstance(required, int | float) and observed <= required


def _min(observed: FactValue, required: object) -> bool:
    return isinstance(observed, float) and isinstance(required, int | float) and observed >= required


def _in_set(observed: FactValue, required: object) -> bool:
    return isinstance(observed, str) and isinstance(required, list) and observed in required


def _true(observed: FactValue, required: object) -> bool:
    return observed is True


def _stage_at_least(observed: FactValue, required: object) -> bool:
    return (
        isinstance(observed, EmissionStage) and isinstance(required, EmissionStage) and observed.rank >= required.rank
    )


SIMPLE_CHECKS: dict[s.CheckKind, Callable[[FactValue, object], bool]] = {
    s.CheckKind.MAX: _max,
    s.CheckKind.MIN: _min,
    s.CheckKind.AT_LEAST_SHARE: _min,
    s.CheckKind.IN_SET: _in_set,
    s.CheckKind.TRUE: _true,
    s.CheckKind.STAGE_AT_LEAST: _stage_at_least,
}

SYMBOLS = {
    s.CheckKind.MAX: "≤",
    s.CheckKind.MIN: "≥",
    s.CheckKind.AT_LEAST_SHARE: "≥",
    s.CheckKind.IN_SET: "∈",
    s.CheckKind.TRUE: "=",
    s.CheckKind.STAGE_AT_LEAST: "≥",
}


def check_simple(kind: s.CheckKind, observed: FactValue | None, required: object) -> bool:
    """A missing observation never meets a requirement (REQ G-4)."""
    if observed is None:
        return False
    return SIMPLE_CHECKS[kind](observed, required)


def check_composite(
    kind: s.CheckKind,
    parts: tuple[s.IndicatorPart, ...],
    observed: Mapping[str, FactValue | None],
    required: Mapping[str, object],
) -> bool:
    """all_of / any_of over the parts a grade names (a part left out is not required at that grade)."""
    results = [
        check_simple(part.check, observed.get(part.fact), required[part.id]) for part in parts if part.id in required
    ]
    if kind is s.CheckKind.ALL_OF:
        return all(results)
    return any(results)
