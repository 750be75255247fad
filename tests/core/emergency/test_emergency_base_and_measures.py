"""Reduction base (REQ H23-4, G-5) and how measures land on lines."""

from __future__ import annotations

import pytest

from airgrade.core.emergency.engine import LineAction, simulate
from airgrade.core.emergency.model import ListInputError, NonInterruptiblePlan
from airgrade.core.emergency.plan import enterprise_plan
from airgrade.core.emergency.table import build_table
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import AlertLevel
from emergency_builders import AS_OF, SHARES, entry, line


def run(entries, lookup, level=AlertLevel.ORANGE, plans=()):
    table, issues = build_table(entries, plans, lowest_grade=default_rulebook().floor)
    return simulate(table, level, AS_OF, lookup, SHARES), issues


def test_stopped_last_year_and_backup_lines_are_outside_the_base(lookup):
    # REQ H23-4: 上年度已停产 and 备用 lines are not in the reduction base and never count as cuts.
    lines = [
        line("1", emissions={"NOx": 1.0}),
        line("2", status="stopped_last_year", emissions={"NOx": 5.0}),
        line("3", status="backup", emissions={"NOx": 7.0}),
    ]
    sim, _ = run([entry("e1", grade="C", lines=lines)], lookup)
    plan = enterprise_plan(sim, 0)
    assert plan.base["NOx"] == pytest.approx(1.0)
    assert plan.reduction["NOx"] == pytest.approx(1.0)  # C orange: stop production → the running line only
    actions = {task.line_key: task.action for task in plan.lines}
    assert actions == {"1": LineAction.STOP, "2": LineAction.NOT_IN_BASE, "3": LineAction.NOT_IN_BASE}


def test_line_share_counts_only_lines_in_the_base(lookup):
    # C yellow: stop 50 % of lines. Two running lines + one backup → ⌈0.5 × 2⌉ = 1 line stops, not ⌈1.5⌉ = 2.
    lines = [line("1", emissions={"NOx": 1.0}), line("2", emissions={"NOx": 2.0}), line("3", status="backup")]
    sim, _ = run([entry("e1", grade="C", lines=lines)], lookup, AlertLevel.YELLOW)
    actions = {task.line_key: task.action for task in enterprise_plan(sim, 0).lines}
    assert actions == {"1": LineAction.RUN, "2": LineAction.STOP, "3": LineAction.NOT_IN_BASE}


def test_line_share_rounds_up_per_line_and_stops_largest_emitters_first(lookup):
    lines = [line(str(i), emissions={"NOx": float(i)}) for i in range(1, 4)]  # 3 lines → ⌈1.5⌉ = 2 stop
    sim, _ = run([entry("e1", grade="C", lines=lines)], lookup, AlertLevel.YELLOW)
    plan = enterprise_plan(sim, 0)
    stopped = sorted(task.line_key for task in plan.lines if task.action is LineAction.STOP)
    assert stopped == ["2", "3"]
    assert plan.reduction["NOx"] == pytest.approx(5.0)
    assert plan.reduction_share["NOx"] == pytest.approx(5.0 / 6.0)


def test_curtail_uses_the_smallest_of_eia_permit_and_actual(lookup):
    # REQ G-5: B orange curtails 20 % of min(EIA 6000, permit 4000, actual 5000) = 4000 → cap 3200 t/d.
    # Emissions were measured at the actual 5000 t/d, so the line cuts 1 − 3200/5000 = 36 %, not 20 %.
    lines = [line("1", eia_capacity=6000, permit_capacity=4000, actual_output=5000, emissions={"NOx": 2.0})]
    sim, _ = run([entry("e1", grade="B", lines=lines)], lookup)
    task = enterprise_plan(sim, 0).lines[0]
    assert task.action is LineAction.CURTAIL
    assert task.base_capacity == pytest.approx(4000)
    assert task.allowed_output == pytest.approx(3200)
    assert task.reduction["NOx"] == pytest.approx(2.0 * 0.36)


@pytest.mark.parametrize(
    ("eia", "permit", "actual", "expected_base"),
    [(3000, 4000, 5000, 3000), (6000, 4000, 5000, 4000), (6000, 7000, 5000, 5000), (None, 4500, None, 4500)],
)
def test_min_of_three_base_whichever_is_smallest(lookup, eia, permit, actual, expected_base):
    lines = [line("1", eia_capacity=eia, permit_capacity=permit, actual_output=actual, emissions={"PM": 1.0})]
    sim, _ = run([entry("e1", grade="B", lines=lines)], lookup)
    task = enterprise_plan(sim, 0).lines[0]
    assert task.base_capacity == pytest.approx(expected_base)
    assert task.allowed_output == pytest.approx(expected_base * 0.8)
    reference = actual if actual is not None else expected_base
    assert task.reduction["PM"] == pytest.approx(1.0 - expected_base * 0.8 / reference)


def test_annual_capacity_units_are_turned_into_daily_with_operating_days(lookup):
    lines = [
        line(
            "1",
            capacity_unit="万吨/年",
            operating_days=300,
            eia_capacity=150,
            permit_capacity=120,
            actual_output=135,
            emissions={"NOx": 1.0},
        )
    ]
    sim, _ = run([entry("e1", grade="B", lines=lines)], lookup)
    task = enterprise_plan(sim, 0).lines[0]
    assert task.capacity_unit == "t/d"
    assert task.base_capacity == pytest.approx(120e4 / 300)
    assert task.reduction["NOx"] == pytest.approx(1 - 0.8 * 120 / 135)


def test_a_grade_is_self_determined_and_cuts_nothing_by_rule(lookup):
    sim, _ = run([entry("e1", grade="A")], lookup, AlertLevel.RED)
    plan = enterprise_plan(sim, 0)
    assert plan.lines[0].action is LineAction.RUN
    assert plan.reduction["NOx"] == 0
    assert plan.industries[0].measures_zh == ["自主采取减排措施"]
    assert plan.vehicle_rule_zh == ""


def test_d_grade_stops_and_stops_road_transport(lookup):
    sim, _ = run([entry("e1", grade="D")], lookup, AlertLevel.YELLOW)
    plan = enterprise_plan(sim, 0)
    assert plan.lines[0].action is LineAction.STOP
    assert "停止公路运输" in plan.vehicle_rule_zh
    assert plan.reduction_share["NOx"] == pytest.approx(1.0)


def test_non_interruptible_line_follows_the_approved_plan_instead_of_stopping(lookup):
    # REQ SJZ-10: a coke-oven-like process cannot stop; the city-approved plan curtails it instead.
    plan_rule = NonInterruptiblePlan(
        industry_code="cement", region_code="410100", curtail_percent={AlertLevel.ORANGE: 25}
    )
    lines = [line("1", non_interruptible=True, emissions={"NOx": 4.0})]
    sim, _ = run([entry("e1", grade="C", lines=lines)], lookup, plans=[plan_rule])
    task = enterprise_plan(sim, 0).lines[0]
    assert task.action is LineAction.PLAN_CURTAIL
    assert task.allowed_output == pytest.approx(5000 * 0.75)
    assert task.reduction["NOx"] == pytest.approx(1.0)
    assert not [i for i in sim.issues if i.code == "non_interruptible_without_plan"]


def test_non_interruptible_line_without_plan_is_reported_and_counts_no_cut(lookup):
    lines = [line("1", non_interruptible=True, emissions={"NOx": 4.0}), line("2", emissions={"NOx": 1.0})]
    sim, _ = run([entry("e1", grade="C", lines=lines)], lookup)
    plan = enterprise_plan(sim, 0)
    actions = {task.line_key: task.action for task in plan.lines}
    assert actions == {"1": LineAction.UNRESOLVED, "2": LineAction.STOP}
    assert plan.reduction["NOx"] == pytest.approx(1.0)
    (issue,) = [i for i in sim.issues if i.code == "non_interruptible_without_plan"]
    # People read the message: the line and what is missing, no requirement id (issue 15).
    assert "1号熟料生产线" in issue.message and "限产方案" in issue.message and "REQ" not in issue.message


def test_a_plan_of_another_city_does_not_apply(lookup):
    elsewhere = NonInterruptiblePlan(
        industry_code="cement", region_code="410300", curtail_percent={AlertLevel.ORANGE: 25}
    )
    lines = [line("1", non_interruptible=True)]
    sim, _ = run([entry("e1", grade="C", lines=lines)], lookup, plans=[elsewhere])
    assert enterprise_plan(sim, 0).lines[0].action is LineAction.UNRESOLVED


def test_share_stops_interruptible_lines_before_non_interruptible_ones(lookup):
    lines = [line("1", non_interruptible=True, emissions={"NOx": 9.0}), line("2", emissions={"NOx": 1.0})]
    sim, _ = run([entry("e1", grade="C", lines=lines)], lookup, AlertLevel.YELLOW)
    actions = {task.line_key: task.action for task in enterprise_plan(sim, 0).lines}
    assert actions == {"1": LineAction.RUN, "2": LineAction.STOP}


def test_multi_industry_enterprise_meets_each_industrys_measures(lookup):
    # REQ LC-5, H23-4: cement graded B and foundry graded C; each industry's lines follow their own grade.
    industries = [{"industry_code": "cement", "grade": "B"}, {"industry_code": "foundry", "grade": "C"}]
    lines = [
        line("k1", industry_code="cement", emissions={"NOx": 2.0}),
        line("f1", industry_code="foundry", name="1号冲天炉", emissions={"PM": 1.0}),
    ]
    sim, _ = run([entry("e1", industries=industries, lines=lines)], lookup)
    plan = enterprise_plan(sim, 0)
    actions = {task.line_key: task.action for task in plan.lines}
    assert actions == {"k1": LineAction.CURTAIL, "f1": LineAction.STOP}
    assert {item.industry_code: item.grade.value for item in plan.industries} == {"cement": "B", "foundry": "C"}


def test_multi_industry_enterprise_without_lines_for_one_industry_is_reported(lookup):
    industries = [{"industry_code": "cement", "grade": "B"}, {"industry_code": "foundry", "grade": "C"}]
    sim, _ = run([entry("e1", industries=industries, lines=[line("k1", industry_code="cement")])], lookup)
    codes = [issue.code for issue in sim.issues]
    assert codes == ["industry_without_lines"]
    assert "铸造" in sim.issues[0].message and "foundry" not in sim.issues[0].message


def test_measure_without_concrete_lines_is_reported(lookup):
    # 可操作、可监测、可核查 (REQ H23-4): a C enterprise with only a backup line has nothing to stop.
    sim, _ = run([entry("e1", grade="C", lines=[line("1", status="backup")])], lookup)
    assert [issue.code for issue in sim.issues] == ["measure_without_lines"]


def test_vehicle_rule_is_the_strictest_over_industries(lookup):
    industries = [{"industry_code": "cement", "grade": "B"}, {"industry_code": "foundry", "grade": "D"}]
    lines = [line("k1", industry_code="cement"), line("f1", industry_code="foundry")]
    sim, _ = run([entry("e1", industries=industries, lines=lines)], lookup, AlertLevel.YELLOW)
    assert "停止公路运输" in enterprise_plan(sim, 0).vehicle_rule_zh
    sim_b, _ = run([entry("e2", grade="B")], lookup, AlertLevel.YELLOW)
    assert enterprise_plan(sim_b, 0).vehicle_rule_zh == "禁止国四及以下重型载货车辆（含燃气）进出厂区运输"


def test_ungraded_enterprise_is_managed_as_lowest_grade(lookup):
    sim, issues = run([entry("e1", grade=None)], lookup, AlertLevel.YELLOW)
    assert [issue.code for issue in issues] == ["ungraded"]
    assert enterprise_plan(sim, 0).lines[0].action is LineAction.STOP


def test_missing_rule_book_entry_is_reported_not_raised(lookup):
    sim, _ = run(
        [entry("e1", industries=[{"industry_code": "glass", "grade": "B"}], lines=[line("1", industry_code="glass")])],
        lookup,
    )
    assert [issue.code for issue in sim.issues] == ["no_measures"]
    assert enterprise_plan(sim, 0).reduction["NOx"] == 0


def test_ungraded_industries_are_managed_at_their_own_scales_floor():
    """REQ LC-6: the lowest grade of the industry's scale, not D everywhere (a 引领性 industry has no D)."""
    from airgrade.core.emergency.table import GRADES
    from airgrade.core.rules.rulebook import default_rulebook
    from airgrade.core.types import Grade

    book = default_rulebook()
    assert book.floor("footwear") is Grade.NON_LEADING and book.floor("cement") is Grade.D
    ungraded = [
        entry(
            "e1", industries=[{"industry_code": "footwear", "grade": None}], lines=[line("1", industry_code="footwear")]
        ),
        entry("e2", grade=None),
    ]
    table, issues = build_table(ungraded, lowest_grade=book.floor)
    assert [GRADES[i] for i in table.group_grade] == [Grade.NON_LEADING, Grade.D]
    assert [i.message.endswith("按最低等级 非引领性 管理 (REQ LC-6)") for i in issues if i.code == "ungraded"] == [
        True,
        False,
    ]
    with pytest.raises(ListInputError, match="未评级，且没有规则库给出该行业的最低等级"):
        build_table(ungraded)  # without a rule book there is no floor to manage it at, and no default grade
