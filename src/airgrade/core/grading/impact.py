"""What-if: grade enterprises under the rule book and under a draft overlay; list who changes grade."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from airgrade.core.grading.enterprise import EnterpriseInput, GradingProblem, grade_enterprises
from airgrade.core.rules.rulebook import RuleBook
from airgrade.core.types import Grade


@dataclass(frozen=True)
class GradeChange:
    id: str
    name: str
    before: Grade
    after: Grade
    industries: tuple[tuple[str, Grade, Grade], ...]  # (industry, before, after) for the industries that changed

    @property
    def direction(self) -> str:
        return "上升" if self.after.rank < self.before.rank else "下降"


def impact(
    enterprises: list[EnterpriseInput], as_of: dt.date, current: RuleBook, draft: RuleBook
) -> tuple[list[GradeChange], int, list[GradingProblem]]:
    """(changes, number graded under both, errors); a change in any industry counts."""
    before, errors_before = grade_enterprises(enterprises, as_of, current)
    after, errors_after = grade_enterprises(enterprises, as_of, draft)
    after_by_id = {result.id: result for result in after}
    changes: list[GradeChange] = []
    compared = 0
    for old in before:
        new = after_by_id.get(old.id)
        if new is None:
            continue
        compared += 1
        changed = tuple(
            (a.industry, a.grade, b.grade)
            for a, b in zip(old.industries, new.industries, strict=True)
            if a.grade != b.grade
        )
        if changed or old.grade != new.grade:
            changes.append(GradeChange(old.id, old.name, old.grade, new.grade, changed))
    seen = {(error.enterprise_id, error.industry, error.key) for error in errors_before}
    errors = errors_before + [
        error for error in errors_after if (error.enterprise_id, error.industry, error.key) not in seen
    ]
    return changes, compared, errors
