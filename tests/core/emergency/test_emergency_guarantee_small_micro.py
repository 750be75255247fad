"""保障类 / 白名单 (REQ H23-5, LC-9) and small/micro enterprises (REQ SJZ-11)."""

from __future__ import annotations

import pytest

from airgrade.core.emergency.engine import LineAction, simulate
from airgrade.core.emergency.guarantee import check_guarantee_breach, guarantee_eligibility
from airgrade.core.emergency.model import Guarantee, GuaranteeCategory, IndustryGrade, ListInputError, SmallMicroFacts
from airgrade.core.emergency.plan import enterprise_plan
from airgrade.core.emergency.small_micro import assess_small_micro
from airgrade.core.emergency.table import build_table
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import AlertLevel, Grade
from emergency_builders import AS_OF, SHARES, entry, line

HEAT = Guarantee(
    category=GuaranteeCategory.RESIDENTIAL_POWER_HEAT,
    guaranteed_daily_output=2000,
    normal_daily_output=5000,
    output_unit="t",
)


@pytest.mark.parametrize(
    ("grade", "eligible"),
    [
        (Grade.A, True),
        (Grade.B, True),
        (Grade.LEADING, True),
        (Grade.B_MINUS, False),
        (Grade.C, False),
        (Grade.D, False),
        (Grade.NON_LEADING, False),
        (None, False),
    ],
)
def test_key_industry_guarantee_needs_b_or_better_or_leading(grade, eligible):
    result = guarantee_eligibility(HEAT, [IndustryGrade(industry_code="cement", grade=grade)])
    assert result.eligible is eligible
    if not eligible:
        assert "B级及以上或绩效引领性" in result.reasons[0]


def test_non_key_industry_guarantee_has_no_grade_condition():
    assert guarantee_eligibility(HEAT, [IndustryGrade(industry_code="municipal_heating", grade=None)]).eligible


def test_multi_industry_guarantee_needs_every_key_industry_at_b():
    industries = [
        IndustryGrade(industry_code="cement", grade=Grade.A),
        IndustryGrade(industry_code="foundry", grade=Grade.C),
    ]
    result = guarantee_eligibility(HEAT, industries)
    assert not result.eligible and "铸造" in result.reasons[0]


def test_guarantee_categories_required_and_optional():
    assert GuaranteeCategory.RESIDENTIAL_POWER_HEAT.required
    assert GuaranteeCategory.WASTE_DISPOSAL.required
    assert not GuaranteeCategory.EXPORT.required
    assert GuaranteeCategory.MAJOR_PROJECT_SUPPLY.is_whitelist
    assert GuaranteeCategory.TEXTBOOK_PRINTING.label_zh == "教学用书印刷"


def test_eligible_guarantee_produces_only_its_guaranteed_share(lookup):
    # 以量定产: a B cement plant supplying district heat keeps 40 % of output at red instead of stopping.
    guarantee = HEAT.model_dump(mode="json")
    table, issues = build_table(
        [entry("e1", grade="B", guarantee=guarantee, lines=[line("1", emissions={"NOx": 2.0})])]
    )
    assert issues == []
    sim = simulate(table, AlertLevel.RED, AS_OF, lookup, SHARES)
    plan = enterprise_plan(sim, 0)
    assert plan.guaranteed
    assert plan.lines[0].action is LineAction.GUARANTEE_CAP
    assert plan.lines[0].allowed_output == pytest.approx(2000)
    assert plan.reduction["NOx"] == pytest.approx(2.0 * 0.6)
    assert "国四" in plan.vehicle_rule_zh  # transport rules of the grade still apply


def test_ineligible_guarantee_is_reported_and_follows_its_grade(lookup):
    table, issues = build_table([entry("e1", grade="C", guarantee=HEAT.model_dump(mode="json"))])
    assert [issue.code for issue in issues] == ["guarantee_ineligible"]
    sim = simulate(table, AlertLevel.ORANGE, AS_OF, lookup, SHARES)
    assert enterprise_plan(sim, 0).lines[0].action is LineAction.STOP


def test_guarantee_breach_removes_from_list():
    assert not check_guarantee_breach(HEAT, 2000).breached
    decision = check_guarantee_breach(HEAT, 2100)
    assert decision.breached and decision.remove_from_list
    assert "保障类清单" in decision.reason and "2100" in decision.reason
    whitelist = HEAT.model_copy(update={"category": GuaranteeCategory.MAJOR_PROJECT_SUPPLY})
    assert "白名单" in check_guarantee_breach(whitelist, 3000).reason


# The limits are rule data (common/policy.yaml), read through the rule book.
LIMITS = default_rulebook().policy(AS_OF).small_micro
SMALL = {
    "burns_coal": False,
    "burns_oil": False,
    "pollutant_kinds": 1,
    "toxic_or_odorous": False,
    "annual_emissions_kg": 80.0,
}


@pytest.mark.parametrize(
    ("change", "qualifies", "reason"),
    [
        ({}, True, None),
        ({"annual_emissions_kg": 100.0}, False, "年排放总量"),  # "100 千克以下": 100 itself is not below
        ({"burns_coal": True}, False, "燃煤"),
        ({"burns_oil": True}, False, "燃油"),
        ({"pollutant_kinds": 2}, False, "组分不单一"),
        ({"toxic_or_odorous": True}, False, "恶臭"),
        ({"seasonal": True, "daily_emissions_kg": 0.29, "annual_emissions_kg": 150.0}, True, None),
        ({"seasonal": True, "daily_emissions_kg": 0.3}, False, "0.3"),
        ({"seasonal": True}, False, "日排放量"),
    ],
)
def test_small_micro_rule(change, qualifies, reason):
    result = assess_small_micro(SmallMicroFacts(**{**SMALL, **change}), LIMITS)
    assert result.qualifies is qualifies
    if reason:
        assert any(reason in text for text in result.reasons)


def test_small_micro_is_flagged_and_certification_without_qualifying_is_reported():
    table, issues = build_table(
        [
            entry("e1", small_micro=SMALL),
            entry("e2", small_micro={**SMALL, "burns_coal": True}, small_micro_certified=True),
        ],
        small_micro_limits=LIMITS,
    )
    assert table.entry_small_micro.tolist() == [True, False]
    assert [issue.code for issue in issues] == ["small_micro_not_qualified"]


def test_the_small_micro_limits_come_from_the_rule_book():
    assert (LIMITS.annual_limit_kg, LIMITS.seasonal_daily_limit_kg) == (100, 0.3)
    assert LIMITS.requirements == ["SJZ-11"] and not LIMITS.source.provisional
    stricter = LIMITS.model_copy(update={"annual_limit_kg": 50.0})
    assert assess_small_micro(SmallMicroFacts(**SMALL), LIMITS).qualifies
    assert not assess_small_micro(SmallMicroFacts(**SMALL), stricter).qualifies  # 80 kg is not below 50


def test_without_limits_a_small_micro_claim_is_refused_not_defaulted():
    with pytest.raises(ListInputError, match="小微涉气认定限值"):
        build_table([entry("e1", small_micro=SMALL)])
    table, _ = build_table([entry("e1")])  # no claim, no limits needed
    assert table.entry_small_micro.tolist() == [False]
