"""Grading: facts in, grade out, with a trace per indicator, the caps and the gaps to each higher grade."""

from airgrade.core.grading.engine import FactsError, Gap, IndicatorTrace, IndustryResult, grade
from airgrade.core.grading.enterprise import (
    Cap,
    EnterpriseGradingError,
    EnterpriseInput,
    EnterpriseResult,
    Flags,
    GradingProblem,
    IndustryInput,
    PriorYearViolation,
    grade_enterprise,
    grade_enterprises,
    parse_enterprises,
)

__all__ = [
    "Cap",
    "EnterpriseGradingError",
    "EnterpriseInput",
    "EnterpriseResult",
    "FactsError",
    "Flags",
    "Gap",
    "GradingProblem",
    "IndicatorTrace",
    "IndustryInput",
    "IndustryResult",
    "PriorYearViolation",
    "grade",
    "grade_enterprise",
    "grade_enterprises",
    "parse_enterprises",
]
