"""The grading workflow: declaration states, the transition table, the B sample and campaign calendars."""

from airgrade.core.workflow.chart import mermaid_chart
from airgrade.core.workflow.sampling import SampleDraw, draw_sample, verify_draw
from airgrade.core.workflow.states import DECIDED_STATES, State
from airgrade.core.workflow.transitions import (
    TRANSITIONS,
    Condition,
    GradeRule,
    Scope,
    Transition,
    WorkflowContext,
    allowed_actions,
    check,
    check_decided_grade,
    city_onsite_required,
    guarantee_grades_ok,
    transition_for,
)

__all__ = [
    "DECIDED_STATES",
    "TRANSITIONS",
    "Condition",
    "GradeRule",
    "SampleDraw",
    "Scope",
    "State",
    "Transition",
    "WorkflowContext",
    "allowed_actions",
    "check",
    "check_decided_grade",
    "city_onsite_required",
    "draw_sample",
    "guarantee_grades_ok",
    "mermaid_chart",
    "transition_for",
    "verify_draw",
]
