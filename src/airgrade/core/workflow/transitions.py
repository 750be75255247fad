"""The declaration state machine as one declarative table: who may move a declaration from where to where.

Deny by default: an action is allowed only if a row of TRANSITIONS names it, the declaration is in one of
the row's source states, the caller's role is in the row's roles, the caller's scope covers the declaration
(own enterprise, or a region containing the site: `airgrade.core.access.decide`), every precondition of the
row holds, and an opinion is given where the row requires one.

Sources: REQ LC-2 (county 初审 of A / B(B-) / 引领性 with an on-site check of every one; county grades C
and below on documents plus an on-site check, none for a self-declared lowest grade; city 审核 in 8 aspects,
on-site for every A and 引领性 and a sample of B, and may conclude a lower grade than declared; province 核定 /
抽查 decides the final grade), LC-7 (written opinions), H23-3 ("谁审核，谁签字，谁负责"), LC-12 / LC-8 / H23-7
(upgrades in dynamic management only inside the period's adjustment window), H23-5 / LC-9 (保障类 in key
industries need B or better or 引领性).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from airgrade.core.access import ALLOW, Actor, Decision, Target, decide
from airgrade.core.emergency.guarantee import ELIGIBLE_GRADES as GUARANTEE_ELIGIBLE_GRADES
from airgrade.core.types import Grade, Role
from airgrade.core.workflow.states import State


class Scope(StrEnum):
    """Whose declarations a row reaches: the caller's own enterprise, or every site in the caller's region."""

    OWN_ENTERPRISE = "own_enterprise"
    JURISDICTION = "jurisdiction"

    @property
    def label_zh(self) -> str:
        return {"own_enterprise": "本企业", "jurisdiction": "辖区内"}[self.value]


class Condition(StrEnum):
    """Preconditions a row may demand; each is read from the WorkflowContext the platform builds."""

    COMMITMENT_SIGNED = "commitment_signed"
    APPLICATION_DOCUMENT_READY = "application_document_ready"
    NOT_BANNED = "not_banned"
    TARGET_TOP_TIER = "target_top_tier"
    COUNTY_ONSITE_DONE = "county_onsite_done"
    COUNTY_ONSITE_DONE_UNLESS_LOWEST = "county_onsite_done_unless_lowest"
    CITY_ONSITE_DONE_IF_REQUIRED = "city_onsite_done_if_required"
    GUARANTEE_GRADE_ELIGIBLE = "guarantee_grade_eligible"
    UPGRADE_WINDOW_OPEN = "upgrade_window_open"
    APPLICATION_OPEN = "application_open"

    @property
    def failure_zh(self) -> str:
        return _CONDITION_FAILURES[self]

    @property
    def label_zh(self) -> str:
        return _CONDITION_LABELS[self]


_CONDITION_LABELS = {
    Condition.COMMITMENT_SIGNED: "已签署减排承诺书",
    Condition.APPLICATION_DOCUMENT_READY: "已生成申请报告或申请表",
    Condition.NOT_BANNED: "不在一年禁止申报期内",
    Condition.TARGET_TOP_TIER: "申报等级为A、B（含B-）或引领性",
    Condition.COUNTY_ONSITE_DONE: "县级现场核查已完成",
    Condition.COUNTY_ONSITE_DONE_UNLESS_LOWEST: "县级现场核查已完成（申报最低等级的免于核查）",
    Condition.CITY_ONSITE_DONE_IF_REQUIRED: "需市级现场核查的（A、引领性、抽中的B）已核查",
    Condition.GUARANTEE_GRADE_ELIGIBLE: "保障类申报的各行业申报等级为B级及以上或引领性",
    Condition.UPGRADE_WINDOW_OPEN: "动态管理中升为A、B（含B-）、引领性的，须在动态调整窗口内",
    Condition.APPLICATION_OPEN: "评级批次申报未截止（月度评级全年开放）",
}


_CONDITION_FAILURES = {
    Condition.COMMITMENT_SIGNED: "尚未签署减排承诺书（REQ LC-3）",
    Condition.APPLICATION_DOCUMENT_READY: "尚未生成申请报告或申请表（REQ LC-3）",
    Condition.NOT_BANNED: "企业因弄虚作假处于一年禁止申报期内（REQ SJZ-3）",
    Condition.TARGET_TOP_TIER: "申报等级不是A级、B级（含B-）或引领性，应由县级直接评定",
    Condition.COUNTY_ONSITE_DONE: "县级尚未完成现场核查（A/B/引领性申报须逐家现场核查，REQ LC-2）",
    Condition.COUNTY_ONSITE_DONE_UNLESS_LOWEST: "县级尚未完成现场核查（仅申报最低等级的企业可免，REQ LC-2）",
    Condition.CITY_ONSITE_DONE_IF_REQUIRED: "市级尚未完成现场核查（A级、引领性及抽中的B级须核查，REQ LC-2）",
    Condition.GUARANTEE_GRADE_ELIGIBLE: (
        "保障类企业在重点行业的申报等级须达到B级及以上或绩效引领性（B-不满足），"
        "请调整申报等级或取消保障类申报（REQ H23-5, LC-9）"
    ),
    Condition.UPGRADE_WINDOW_OPEN: (
        "本地区动态调整窗口未开放：评级批次之外（月度评级、动态调整）升为A级、B级（含B-）或引领性，"
        "只能在每个周期一次的动态调整窗口开放期间核定（REQ LC-12, LC-8, H23-7）；降级不受此限，可选择“省级核定调整等级”"
    ),
    Condition.APPLICATION_OPEN: "本批次申报已截止，不能提交；未按时申报的按最低等级管理（REQ LC-6）",
}


class GradeRule(StrEnum):
    """Whether a row decides a grade, and which grades it may decide."""

    NONE = "none"
    NOT_TOP_TIER = "not_top_tier"  # the county decides C and below only (REQ LC-2)
    ANY = "any"  # the province may set any final grade (REQ LC-2 核定)
    # The city concludes a lower grade than declared; only a recommendation, the province decides (REQ LC-2).
    LOWER_THAN_DECLARED = "lower_than_declared"
    # The province verifies: the final grade is the city's lower recommendation if it made one, else the declared
    # grade; the caller names no grade (REQ LC-2 核定).
    CONFIRMS_RECOMMENDATION = "confirms_recommendation"

    @property
    def decides(self) -> bool:
        """The row fixes the final grade (recorded in the grade registry); a recommendation does not."""
        return self in (GradeRule.NOT_TOP_TIER, GradeRule.ANY, GradeRule.CONFIRMS_RECOMMENDATION)

    @property
    def asks_grade(self) -> bool:
        """The caller names a grade (decided or recommended) when taking the action."""
        return self in (GradeRule.NOT_TOP_TIER, GradeRule.ANY, GradeRule.LOWER_THAN_DECLARED)


@dataclass(frozen=True)
class WorkflowContext:
    """Facts about one declaration that preconditions read. The default is all False: deny by default."""

    commitment_signed: bool = False
    application_document_ready: bool = False
    banned: bool = False
    target_top_tier: bool = False
    declared_lowest: bool = False
    county_onsite_done: bool = False
    city_onsite_required: bool = True
    city_onsite_done: bool = False
    guarantee_grade_ok: bool = False
    upgrade_window_ok: bool = False
    application_open: bool = False

    def holds(self, condition: Condition) -> bool:
        if condition is Condition.COMMITMENT_SIGNED:
            return self.commitment_signed
        if condition is Condition.APPLICATION_DOCUMENT_READY:
            return self.application_document_ready
        if condition is Condition.NOT_BANNED:
            return not self.banned
        if condition is Condition.TARGET_TOP_TIER:
            return self.target_top_tier
        if condition is Condition.COUNTY_ONSITE_DONE:
            return self.county_onsite_done
        if condition is Condition.COUNTY_ONSITE_DONE_UNLESS_LOWEST:
            return self.declared_lowest or self.county_onsite_done
        if condition is Condition.CITY_ONSITE_DONE_IF_REQUIRED:
            return self.city_onsite_done or not self.city_onsite_required
        if condition is Condition.GUARANTEE_GRADE_ELIGIBLE:
            return self.guarantee_grade_ok
        if condition is Condition.UPGRADE_WINDOW_OPEN:
            return self.upgrade_window_ok
        if condition is Condition.APPLICATION_OPEN:
            return self.application_open
        raise AssertionError(f"unhandled condition {condition}")  # pragma: no cover - enum is closed


@dataclass(frozen=True)
class Transition:
    action: str
    label_zh: str
    sources: frozenset[State]
    target: State
    roles: frozenset[Role]
    scope: Scope
    requires_opinion: bool = False
    conditions: tuple[Condition, ...] = ()
    grade_rule: GradeRule = GradeRule.NONE
    req: str = ""
    # The grade the caller decides must respect the adjustment window when it is an upgrade (checked against the
    # registry when the action is taken, since the grade is only known then).
    upgrade_window_on_decided_grade: bool = False

    @property
    def submits(self) -> bool:
        """The enterprise hands the declaration in: the self-check is sealed and the submission time recorded."""
        return self.target is State.SUBMITTED


def _t(
    action: str,
    label_zh: str,
    sources: set[State],
    target: State,
    role: Role,
    *,
    opinion: bool = False,
    conditions: tuple[Condition, ...] = (),
    grade_rule: GradeRule = GradeRule.NONE,
    req: str = "",
    upgrade_window_on_decided_grade: bool = False,
) -> Transition:
    scope = Scope.OWN_ENTERPRISE if role is Role.ENTERPRISE else Scope.JURISDICTION
    return Transition(
        action,
        label_zh,
        frozenset(sources),
        target,
        frozenset({role}),
        scope,
        opinion,
        conditions,
        grade_rule,
        req,
        upgrade_window_on_decided_grade,
    )


# A declaration can be withdrawn by its enterprise at any point before a grade is decided. The seeds are
# silent on withdrawal; it only ends the application (the cut-off then counts the site as a non-applicant,
# LC-6).
_WITHDRAWABLE = {s for s in State if not s.is_closed}

TRANSITIONS: tuple[Transition, ...] = (
    _t(
        "declaration.submit",
        "提交申报",
        {State.DRAFT},
        State.SUBMITTED,
        Role.ENTERPRISE,
        conditions=(
            Condition.NOT_BANNED,
            Condition.COMMITMENT_SIGNED,
            Condition.APPLICATION_DOCUMENT_READY,
            Condition.GUARANTEE_GRADE_ELIGIBLE,
            Condition.APPLICATION_OPEN,
        ),
        req="LC-3, LC-4, SJZ-3, H23-5, LC-9, LC-6",
    ),
    _t(
        "declaration.resubmit",
        "修改后重新提交",
        {State.RETURNED},
        State.SUBMITTED,
        Role.ENTERPRISE,
        conditions=(
            Condition.NOT_BANNED,
            Condition.COMMITMENT_SIGNED,
            Condition.APPLICATION_DOCUMENT_READY,
            Condition.GUARANTEE_GRADE_ELIGIBLE,
        ),
        req="LC-3, H23-5, LC-9",
    ),
    _t("declaration.withdraw", "撤回申报", _WITHDRAWABLE, State.WITHDRAWN, Role.ENTERPRISE, req="LC-6"),
    _t(
        "declaration.county_accept",
        "县级受理",
        {State.SUBMITTED},
        State.COUNTY_REVIEW,
        Role.COUNTY,
        req="LC-2",
    ),
    _t(
        "declaration.county_return",
        "县级退回",
        {State.COUNTY_REVIEW},
        State.RETURNED,
        Role.COUNTY,
        opinion=True,
        req="LC-2, LC-7",
    ),
    _t(
        "declaration.county_pass",
        "县级初审通过",
        {State.COUNTY_REVIEW},
        State.COUNTY_PASSED,
        Role.COUNTY,
        conditions=(Condition.TARGET_TOP_TIER, Condition.COUNTY_ONSITE_DONE),
        req="LC-2, LC-7 附件3",
    ),
    # The written county opinion for C and below (LC-7 附件4) is the opinion this row demands; for an A / B /
    # 引领性 applicant it is also the rejection, so an opinion is required either way.
    _t(
        "declaration.county_grade",
        "县级评定（C级及以下）",
        {State.COUNTY_REVIEW},
        State.COUNTY_GRADED,
        Role.COUNTY,
        opinion=True,
        conditions=(Condition.COUNTY_ONSITE_DONE_UNLESS_LOWEST,),
        grade_rule=GradeRule.NOT_TOP_TIER,
        req="LC-2, LC-7 附件4",
    ),
    _t("declaration.city_accept", "市级受理", {State.COUNTY_PASSED}, State.CITY_REVIEW, Role.CITY, req="LC-2"),
    _t(
        "declaration.city_return",
        "市级退回",
        {State.CITY_REVIEW},
        State.RETURNED,
        Role.CITY,
        opinion=True,
        req="LC-2, LC-7",
    ),
    _t(
        "declaration.city_pass",
        "市级审核通过",
        {State.CITY_REVIEW},
        State.CITY_PASSED,
        Role.CITY,
        conditions=(Condition.CITY_ONSITE_DONE_IF_REQUIRED,),
        req="LC-2, LC-7 附件5",
    ),
    # The city may conclude a lower grade than declared (REQ LC-2: the city reviews, the province verifies). It
    # passes with a recommended grade and a written opinion; the province then verifies or adjusts it, and only
    # the province's grade enters the registry.
    _t(
        "declaration.city_pass_lower",
        "市级审核通过（建议降低等级）",
        {State.CITY_REVIEW},
        State.CITY_PASSED,
        Role.CITY,
        opinion=True,
        conditions=(Condition.CITY_ONSITE_DONE_IF_REQUIRED,),
        grade_rule=GradeRule.LOWER_THAN_DECLARED,
        req="LC-2, LC-7 附件5",
    ),
    _t(
        "declaration.report_to_province",
        "报送省级核定",
        {State.CITY_PASSED},
        State.PROVINCE_VERIFICATION,
        Role.CITY,
        req="LC-2, H21-4, H23-3",
    ),
    _t(
        "declaration.province_verify",
        "省级核定通过",
        {State.PROVINCE_VERIFICATION},
        State.VERIFIED,
        Role.PROVINCE,
        conditions=(Condition.UPGRADE_WINDOW_OPEN,),
        grade_rule=GradeRule.CONFIRMS_RECOMMENDATION,
        req="LC-2, LC-12, LC-8, H23-7",
    ),
    _t(
        "declaration.province_adjust",
        "省级核定调整等级",
        {State.PROVINCE_VERIFICATION},
        State.ADJUSTED,
        Role.PROVINCE,
        opinion=True,
        grade_rule=GradeRule.ANY,
        req="LC-2, LC-12",
        upgrade_window_on_decided_grade=True,
    ),
)

TRANSITIONS_BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


def transition_for(action: str) -> Transition | None:
    return TRANSITIONS_BY_ACTION.get(action)


def check(
    action: str,
    state: State,
    actor: Actor,
    target: Target,
    context: WorkflowContext,
    *,
    opinion: str = "",
    enforce_opinion: bool = True,
) -> Decision:
    """Decide one transition. The reason (Chinese) names the first rule that refuses it."""
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        return Decision(False, f"未定义的流程操作: {action}")
    if state not in transition.sources:
        return Decision(False, f"申报当前状态为“{state.label_zh}”，不能执行“{transition.label_zh}”")
    if actor.role not in transition.roles:
        return Decision(False, f"{actor.role.label_zh}角色无权执行“{transition.label_zh}”")
    access = decide(actor, action, target)
    if not access:
        return access
    for condition in transition.conditions:
        if not context.holds(condition):
            return Decision(False, f"不能执行“{transition.label_zh}”：{condition.failure_zh}")
    if enforce_opinion and transition.requires_opinion and not opinion.strip():
        return Decision(False, f"“{transition.label_zh}”须填写审核意见")
    return ALLOW


def allowed_actions(state: State, actor: Actor, target: Target, context: WorkflowContext) -> list[Transition]:
    """The transitions the caller may start now (a required opinion is asked for when the action is taken)."""
    return [t for t in TRANSITIONS if check(t.action, state, actor, target, context, enforce_opinion=False)]


def check_decided_grade(transition: Transition, grade: Grade | None, declared: Grade | None = None) -> Decision:
    """Whether `grade` may be set by `transition` (the county decides C and below; the province any grade; the
    city may recommend only a grade lower than the `declared` one)."""
    if not transition.grade_rule.asks_grade:
        if grade is not None:
            return Decision(False, f"“{transition.label_zh}”不设定等级")
        return ALLOW
    if grade is None:
        return Decision(False, f"“{transition.label_zh}”须给出评定等级")
    if transition.grade_rule is GradeRule.NOT_TOP_TIER and grade.is_top_tier:
        return Decision(False, "县级只能评定C级及以下等级；A级、B级（含B-）、引领性须报市级审核（REQ LC-2）")
    if transition.grade_rule is GradeRule.LOWER_THAN_DECLARED:
        if declared is None:
            return Decision(False, f"“{transition.label_zh}”须对照申报等级")
        if grade.rank <= declared.rank:
            return Decision(
                False,
                f"市级建议等级 {grade.value} 须低于申报等级 {declared.value}；同意申报等级请选择“市级审核通过”（REQ LC-2）",
            )
    return ALLOW


def guarantee_grades_ok(is_guarantee: bool, grades: Iterable[Grade]) -> bool:
    """A 保障类 declaration in key industries needs B or better or 引领性 in every item (REQ H23-5, LC-9). The
    rule, including that B- does not qualify, is the emergency module's (`core.emergency.guarantee`)."""
    return not is_guarantee or all(grade in GUARANTEE_ELIGIBLE_GRADES for grade in grades)


def city_onsite_required(target_grade: Grade, sampled: bool | None) -> bool:
    """City on-site checks: every A and 引领性, and the B (B-) applicants drawn in the sample (REQ LC-2).

    `sampled` is None while the city has not drawn its sample yet: a B applicant then counts as required (deny by
    default), so a declaration cannot pass the city before the draw decides it is exempt."""
    if target_grade in (Grade.A, Grade.LEADING):
        return True
    if target_grade in (Grade.B, Grade.B_MINUS):
        return sampled is not False
    return False
