"""The states of a grading declaration (绩效分级申报), from draft to the final grade (REQ LC-2, H21-4)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """Where a declaration stands. The order of members is the order of the chart."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    COUNTY_REVIEW = "county_review"
    RETURNED = "returned"
    COUNTY_PASSED = "county_passed"
    COUNTY_GRADED = "county_graded"
    CITY_REVIEW = "city_review"
    CITY_PASSED = "city_passed"
    PROVINCE_VERIFICATION = "province_verification"
    VERIFIED = "verified"
    ADJUSTED = "adjusted"
    WITHDRAWN = "withdrawn"

    @property
    def label_zh(self) -> str:
        return _LABELS[self]

    @property
    def is_decided(self) -> bool:
        """A grade has been decided: by the county for C and below, by the province for A / B / 引领性."""
        return self in DECIDED_STATES

    @property
    def is_closed(self) -> bool:
        """Nothing more can happen to the declaration."""
        return self in DECIDED_STATES or self is State.WITHDRAWN

    @property
    def is_editable(self) -> bool:
        """The enterprise may change facts and files only before submission or after a return."""
        return self in (State.DRAFT, State.RETURNED)


_LABELS = {
    State.DRAFT: "草稿",
    State.SUBMITTED: "已提交",
    State.COUNTY_REVIEW: "县级初审中",
    State.RETURNED: "退回修改",
    State.COUNTY_PASSED: "县级初审通过",
    State.COUNTY_GRADED: "县级评定（C级及以下）",
    State.CITY_REVIEW: "市级审核中",
    State.CITY_PASSED: "市级审核通过",
    State.PROVINCE_VERIFICATION: "省级核定中",
    State.VERIFIED: "省级核定通过",
    State.ADJUSTED: "省级核定调整",
    State.WITHDRAWN: "已撤回",
}

DECIDED_STATES = frozenset({State.COUNTY_GRADED, State.VERIFIED, State.ADJUSTED})
