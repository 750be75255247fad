"""Shared domain vocabulary: grades, alert levels, pollutants, roles, vehicle emission stages."""

from __future__ import annotations

from enum import StrEnum


class Grade(StrEnum):
    """Performance grades (REQ G-2). B- is a sub-level of B; 引领性 / 非引领性 is the scale of some industries.

    A+ (REQ G-8, 环办大气〔2026〕2号) is a designation on top of A, not a grade the engine computes: the ministry
    selects it from A enterprises (see common/framework.yaml); when it is in force is rule data, not this enum.
    """

    A_PLUS = "A+"
    A = "A"
    B = "B"
    B_MINUS = "B-"
    C = "C"
    D = "D"
    LEADING = "引领性"
    NON_LEADING = "非引领性"

    @property
    def rank(self) -> int:
        """Lower is better. 引领性 ranks with A and 非引领性 with C for comparisons across scales (REQ G-5)."""
        return _GRADE_RANK[self]

    @property
    def is_top_tier(self) -> bool:
        """A+, A, B, B- and 引领性: the grades that need city review and province verification (REQ LC-2)."""
        return self in (Grade.A_PLUS, Grade.A, Grade.B, Grade.B_MINUS, Grade.LEADING)

    @property
    def is_designation(self) -> bool:
        """A designation given on top of a computed grade (A+ over A), never declared or computed."""
        return self is Grade.A_PLUS


_GRADE_RANK = {
    Grade.A_PLUS: -1,
    Grade.A: 0,
    Grade.LEADING: 0,
    Grade.B: 1,
    Grade.B_MINUS: 2,
    Grade.C: 3,
    Grade.NON_LEADING: 3,
    Grade.D: 4,
}


def worst_grade(grades: list[Grade]) -> Grade:
    """The weakest link: the worst of several grades (REQ G-4, LC-5)."""
    if not grades:
        raise ValueError("worst_grade needs at least one grade")
    return max(grades, key=lambda grade: grade.rank)


class AlertLevel(StrEnum):
    """Heavy-pollution alert levels; yellow / orange / red answer with response III / II / I (REQ G-5)."""

    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def label_zh(self) -> str:
        return {"yellow": "黄色预警", "orange": "橙色预警", "red": "红色预警"}[self.value]

    @property
    def response(self) -> str:
        return {"yellow": "III", "orange": "II", "red": "I"}[self.value]


class Pollutant(StrEnum):
    """The four pollutants of the emergency lists (REQ G-6)."""

    SO2 = "SO2"
    NOX = "NOx"
    PM = "PM"
    VOCS = "VOCs"


class Role(StrEnum):
    """Who uses the platform (REQUIREMENTS.md, 'Who uses it')."""

    ENTERPRISE = "enterprise"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"
    EXPERT = "expert"
    PUBLIC = "public"

    @property
    def label_zh(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ENTERPRISE: "企业",
    Role.COUNTY: "县级审核",
    Role.CITY: "市级审核",
    Role.PROVINCE: "省级核定",
    Role.EXPERT: "专家",
    Role.PUBLIC: "公众",
}


class EmissionStage(StrEnum):
    """Vehicle emission stages (GB 17691, GB 18352); non-road machinery stages per GB 20891."""

    CHINA_1 = "国一"
    CHINA_2 = "国二"
    CHINA_3 = "国三"
    CHINA_4 = "国四"
    CHINA_5 = "国五"
    CHINA_6 = "国六"
    NEW_ENERGY = "新能源"

    @property
    def rank(self) -> int:
        """Higher is cleaner; new-energy vehicles are cleanest."""
        return _STAGE_RANK[self]


# Grading and the emergency engine compare stages per enterprise; look the rank up rather than scan the enum.
_STAGE_RANK = {stage: position for position, stage in enumerate(EmissionStage)}
