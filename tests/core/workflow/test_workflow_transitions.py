"""The declaration state machine: deny by default, role, region scope, order, opinions, preconditions."""

from __future__ import annotations

import itertools

import pytest
from workflow_permission_matrix import EXPECTED, OUT_OF_ORDER

from airgrade.core.access import ACTION_ROLES, Actor, Target
from airgrade.core.types import Grade, Role
from airgrade.core.workflow import (
    TRANSITIONS,
    Condition,
    State,
    WorkflowContext,
    allowed_actions,
    check,
    check_decided_grade,
    city_onsite_required,
    guarantee_grades_ok,
    transition_for,
)

ALL_MET = WorkflowContext(
    commitment_signed=True,
    application_document_ready=True,
    banned=False,
    target_top_tier=True,
    declared_lowest=False,
    county_onsite_done=True,
    city_onsite_required=True,
    city_onsite_done=True,
    guarantee_grade_ok=True,
    upgrade_window_ok=True,
    application_open=True,
)

# A site in 郑州市中原区 (410102) of enterprise 7; "out" is a site in 开封市 (410202) of enterprise 8.
IN_TARGET = Target(region_code="410102", enterprise_id=7)
OUT_TARGET = Target(region_code="410202", enterprise_id=8)
ACTORS = {
    Role.ENTERPRISE: Actor(role=Role.ENTERPRISE, enterprise_id=7, user_id=1),
    Role.COUNTY: Actor(role=Role.COUNTY, region_code="410102", user_id=2),
    Role.CITY: Actor(role=Role.CITY, region_code="410100", user_id=3),
    Role.PROVINCE: Actor(role=Role.PROVINCE, region_code="410000", user_id=4),
    Role.EXPERT: Actor(role=Role.EXPERT, user_id=5, assignments=frozenset({"review:1"})),
    Role.PUBLIC: Actor(role=Role.PUBLIC),
}


def test_matrix_covers_every_transition() -> None:
    assert set(EXPECTED) == {t.action for t in TRANSITIONS}


MATRIX = list(itertools.product(sorted(EXPECTED), list(Role), ["in", "out"]))


@pytest.mark.parametrize(("action", "role", "where"), MATRIX, ids=[f"{a}-{r.value}-{w}" for a, r, w in MATRIX])
def test_permission_matrix(action: str, role: Role, where: str) -> None:
    allowed_role, source = EXPECTED[action]
    target = IN_TARGET if where == "in" else OUT_TARGET
    # Province staff of Henan cover 开封 too; "out" for them is a site in Hebei.
    if role is Role.PROVINCE and where == "out":
        target = Target(region_code="130102", enterprise_id=8)
    decision = check(action, State(source), ACTORS[role], target, ALL_MET, opinion="意见")
    expected = role is allowed_role and where == "in"
    assert bool(decision) is expected, decision.reason
    if not expected:
        assert decision.reason


def test_province_staff_reach_every_county_of_their_province() -> None:
    decision = check(
        "declaration.province_verify", State.PROVINCE_VERIFICATION, ACTORS[Role.PROVINCE], OUT_TARGET, ALL_MET
    )
    assert decision


@pytest.mark.parametrize(("action", "state"), [(a, s) for a, states in OUT_OF_ORDER.items() for s in states])
def test_out_of_order_transition_is_refused(action: str, state: str) -> None:
    role, _ = EXPECTED[action]
    decision = check(action, State(state), ACTORS[role], IN_TARGET, ALL_MET, opinion="意见")
    assert not decision
    assert "当前状态" in decision.reason


def test_every_action_is_refused_from_every_state_outside_its_sources() -> None:
    for transition in TRANSITIONS:
        role = next(iter(transition.roles))
        for state in State:
            decision = check(transition.action, state, ACTORS[role], IN_TARGET, ALL_MET, opinion="x")
            assert bool(decision) is (state in transition.sources), (transition.action, state)


def test_unknown_action_is_denied() -> None:
    decision = check("declaration.approve_everything", State.DRAFT, ACTORS[Role.PROVINCE], IN_TARGET, ALL_MET)
    assert not decision
    assert "未定义" in decision.reason


def test_access_table_names_the_same_roles_as_the_transition_table() -> None:
    for transition in TRANSITIONS:
        assert ACTION_ROLES[transition.action] == transition.roles, transition.action


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS if t.requires_opinion])
def test_returns_rejections_and_adjustments_need_an_opinion(action: str) -> None:
    role, source = EXPECTED[action]
    for blank in ("", "   \n"):
        decision = check(action, State(source), ACTORS[role], IN_TARGET, ALL_MET, opinion=blank)
        assert not decision
        assert "审核意见" in decision.reason
    assert check(action, State(source), ACTORS[role], IN_TARGET, ALL_MET, opinion="材料不全，退回补正")


def test_opinion_rows_are_exactly_returns_rejections_and_adjustments() -> None:
    assert {t.action for t in TRANSITIONS if t.requires_opinion} == {
        "declaration.county_return",
        "declaration.county_grade",
        "declaration.city_return",
        "declaration.city_pass_lower",
        "declaration.province_adjust",
    }


@pytest.mark.parametrize(
    ("action", "source", "context_change", "message"),
    [
        ("declaration.submit", "draft", {"commitment_signed": False}, "承诺书"),
        ("declaration.submit", "draft", {"application_document_ready": False}, "申请报告"),
        ("declaration.submit", "draft", {"banned": True}, "一年禁止申报"),
        ("declaration.resubmit", "returned", {"banned": True}, "一年禁止申报"),
        ("declaration.county_pass", "county_review", {"target_top_tier": False}, "应由县级直接评定"),
        ("declaration.county_pass", "county_review", {"county_onsite_done": False}, "县级尚未完成现场核查"),
        ("declaration.county_grade", "county_review", {"county_onsite_done": False}, "县级尚未完成现场核查"),
        ("declaration.city_pass", "city_review", {"city_onsite_done": False}, "市级尚未完成现场核查"),
        ("declaration.city_pass_lower", "city_review", {"city_onsite_done": False}, "市级尚未完成现场核查"),
        # REQ H23-5, LC-9: 保障类 below B cannot be submitted.
        ("declaration.submit", "draft", {"guarantee_grade_ok": False}, "保障类企业"),
        ("declaration.resubmit", "returned", {"guarantee_grade_ok": False}, "B-不满足"),
        # REQ LC-12, LC-8, H23-7: a dynamic upgrade outside the window cannot be verified.
        ("declaration.province_verify", "province_verification", {"upgrade_window_ok": False}, "动态调整窗口"),
    ],
)
def test_preconditions_refuse_with_their_reason(
    action: str, source: str, context_change: dict[str, bool], message: str
) -> None:
    role, _ = EXPECTED[action]
    context = WorkflowContext(**{**ALL_MET.__dict__, **context_change})
    decision = check(action, State(source), ACTORS[role], IN_TARGET, context, opinion="意见")
    assert not decision
    assert message in decision.reason


def test_lowest_grade_declarations_skip_the_county_onsite_check() -> None:
    context = WorkflowContext(target_top_tier=False, declared_lowest=True, county_onsite_done=False)
    decision = check(
        "declaration.county_grade",
        State.COUNTY_REVIEW,
        ACTORS[Role.COUNTY],
        IN_TARGET,
        context,
        opinion="D级",
    )
    assert decision


def test_unsampled_b_needs_no_city_onsite_check_but_a_does() -> None:
    assert not city_onsite_required(Grade.B, sampled=False)
    assert city_onsite_required(Grade.B_MINUS, sampled=True)
    assert city_onsite_required(Grade.A, sampled=False)
    assert city_onsite_required(Grade.LEADING, sampled=False)
    assert city_onsite_required(Grade.B, sampled=None)  # the draw has not happened: required until it exempts
    assert not city_onsite_required(Grade.C, sampled=None)
    unsampled_b = WorkflowContext(city_onsite_required=city_onsite_required(Grade.B, sampled=False))
    assert check("declaration.city_pass", State.CITY_REVIEW, ACTORS[Role.CITY], IN_TARGET, unsampled_b)


def test_default_context_denies_guarded_rows() -> None:
    guarded = [t for t in TRANSITIONS if t.conditions]
    assert guarded
    for transition in guarded:
        role = next(iter(transition.roles))
        source = next(iter(transition.sources))
        assert not check(transition.action, source, ACTORS[role], IN_TARGET, WorkflowContext(), opinion="x")


def test_allowed_actions_for_each_caller() -> None:
    def names(state: State, role: Role, target: Target = IN_TARGET) -> set[str]:
        return {t.action for t in allowed_actions(state, ACTORS[role], target, ALL_MET)}

    assert names(State.DRAFT, Role.ENTERPRISE) == {"declaration.submit", "declaration.withdraw"}
    assert names(State.COUNTY_REVIEW, Role.COUNTY) == {
        "declaration.county_return",
        "declaration.county_pass",
        "declaration.county_grade",
    }
    assert names(State.COUNTY_REVIEW, Role.COUNTY, OUT_TARGET) == set()
    assert names(State.COUNTY_REVIEW, Role.ENTERPRISE) == {"declaration.withdraw"}
    assert names(State.COUNTY_REVIEW, Role.CITY) == set()
    assert names(State.VERIFIED, Role.ENTERPRISE) == set()
    for role in (Role.EXPERT, Role.PUBLIC):
        for state in State:
            assert names(state, role) == set()


def test_decided_states_are_terminal_and_every_state_is_reachable() -> None:
    for state in State:
        outgoing = [t for t in TRANSITIONS if state in t.sources]
        assert (not outgoing) is state.is_closed, state
    reachable = {State.DRAFT}
    frontier = [State.DRAFT]
    while frontier:
        state = frontier.pop()
        for transition in TRANSITIONS:
            if state in transition.sources and transition.target not in reachable:
                reachable.add(transition.target)
                frontier.append(transition.target)
    assert reachable == set(State)


def test_only_draft_and_returned_are_editable() -> None:
    assert {s for s in State if s.is_editable} == {State.DRAFT, State.RETURNED}


def test_county_decides_only_c_and_below() -> None:
    county_grade = transition_for("declaration.county_grade")
    assert county_grade is not None
    for grade in Grade:
        assert bool(check_decided_grade(county_grade, grade)) is (not grade.is_top_tier), grade
    assert not check_decided_grade(county_grade, None)


def test_province_may_set_any_grade_and_plain_rows_set_none() -> None:
    adjust = transition_for("declaration.province_adjust")
    verify = transition_for("declaration.province_verify")
    assert adjust is not None and verify is not None
    assert all(check_decided_grade(adjust, grade) for grade in Grade)
    assert check_decided_grade(verify, None)
    assert not check_decided_grade(verify, Grade.A)


def test_conditions_all_have_messages() -> None:
    for condition in Condition:
        assert condition.failure_zh and condition.label_zh


def test_city_may_recommend_only_a_grade_lower_than_declared() -> None:
    """REQ LC-2: the city concludes a lower grade; the same or a better one is city_pass, not a recommendation."""
    lower = transition_for("declaration.city_pass_lower")
    assert lower is not None and not lower.grade_rule.decides and lower.target is State.CITY_PASSED
    assert check_decided_grade(lower, Grade.B_MINUS, Grade.B)
    assert check_decided_grade(lower, Grade.C, Grade.A)
    assert check_decided_grade(lower, Grade.NON_LEADING, Grade.LEADING)
    for same_or_better, declared in ((Grade.B, Grade.B), (Grade.A, Grade.B), (Grade.LEADING, Grade.A)):
        refused = check_decided_grade(lower, same_or_better, declared)
        assert not refused and "须低于申报等级" in refused.reason
    assert not check_decided_grade(lower, None, Grade.B)
    assert not check_decided_grade(lower, Grade.C, None)


def test_only_county_and_province_rows_decide_a_grade() -> None:
    assert {t.action for t in TRANSITIONS if t.grade_rule.decides} == {
        "declaration.county_grade",
        "declaration.province_verify",
        "declaration.province_adjust",
    }
    # Verification confirms the city's recommendation or the declared grade: the caller names none.
    assert {t.action for t in TRANSITIONS if t.grade_rule.decides and not t.grade_rule.asks_grade} == {
        "declaration.province_verify"
    }
    verify = transition_for("declaration.province_verify")
    assert verify is not None and not check_decided_grade(verify, Grade.A)


def test_submission_after_the_deadline_is_a_condition_of_the_table() -> None:
    """REQ LC-6: the deadline is a row condition, so the button disappears and the service refuses alike."""
    after_deadline = WorkflowContext(**{**ALL_MET.__dict__, "application_open": False})
    refused = check("declaration.submit", State.DRAFT, ACTORS[Role.ENTERPRISE], IN_TARGET, after_deadline)
    assert not refused and "已截止" in refused.reason
    # A returned declaration may still be resubmitted after the deadline (only the first submission is late).
    assert check("declaration.resubmit", State.RETURNED, ACTORS[Role.ENTERPRISE], IN_TARGET, after_deadline)
    submit = transition_for("declaration.submit")
    assert submit is not None and submit.submits


def test_allowed_actions_offer_the_lower_pass_only_to_the_city_in_review() -> None:
    actions = {t.action for t in allowed_actions(State.CITY_REVIEW, ACTORS[Role.CITY], IN_TARGET, ALL_MET)}
    assert actions == {"declaration.city_return", "declaration.city_pass", "declaration.city_pass_lower"}
    verify = {
        t.action
        for t in allowed_actions(
            State.PROVINCE_VERIFICATION,
            ACTORS[Role.PROVINCE],
            IN_TARGET,
            WorkflowContext(**{**ALL_MET.__dict__, "upgrade_window_ok": False}),
        )
    }
    # Outside the window the province may still adjust (a downgrade is never limited), not verify an upgrade.
    assert verify == {"declaration.province_adjust"}


@pytest.mark.parametrize(
    ("grades", "eligible"),
    [
        ([Grade.B], True),
        ([Grade.A, Grade.LEADING], True),
        ([Grade.B_MINUS], False),  # B- is below B, as in core.emergency.guarantee (REQ H23-5, LC-9)
        ([Grade.A, Grade.C], False),
        ([Grade.NON_LEADING], False),
        ([Grade.D], False),
    ],
)
def test_guarantee_declarations_need_b_or_better_in_every_item(grades: list[Grade], eligible: bool) -> None:
    assert guarantee_grades_ok(True, grades) is eligible
    assert guarantee_grades_ok(False, grades)
