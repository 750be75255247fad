"""The improvement-enterprise list (附件3, REQ H21-2): targets, gaps from the engine, multi-industry notes, order."""

from __future__ import annotations

import datetime as dt
import random

from airgrade.core.grading.improvement import COLUMNS, Candidate, improvement_rows, target_grade
from airgrade.core.grading.synthetic import facts_for_grade
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade

AS_OF = dt.date(2021, 6, 1)


def candidate(
    county: str = "410181", industry: str = "cement", current: Grade = Grade.C, facts=None, **kw
) -> Candidate:
    return Candidate(
        city_name="郑州市", county_name={"410181": "巩义市", "410102": "中原区"}[county], county_code=county,
        enterprise_name=kw.pop("name", "甲水泥有限公司"), industry_code=industry, branch=kw.pop("branch", ""),
        current=current, facts=facts, **kw,
    )  # fmt: skip


def test_columns_are_the_seeds_exactly() -> None:
    assert COLUMNS == (
        "序号", "省辖市", "县(市、区)", "企业名称", "重点行业类型", "重点行业分支", "绩效现状", "绩效提升目标",
        "差异化指标", "存在问题", "改造措施", "拟完成时间", "备注",
    )  # fmt: skip


def test_target_is_the_next_better_grade_of_the_industrys_scale() -> None:
    abcd = (Grade.A, Grade.B, Grade.C, Grade.D)
    assert target_grade(abcd, Grade.D) is Grade.C
    assert target_grade(abcd, Grade.C) is Grade.B
    assert target_grade(abcd, Grade.A) is None
    assert target_grade((Grade.A, Grade.B, Grade.B_MINUS, Grade.C, Grade.D), Grade.B_MINUS) is Grade.B
    assert target_grade((Grade.LEADING, Grade.NON_LEADING), Grade.NON_LEADING) is Grade.LEADING


def test_rows_name_the_indicators_that_block_the_target() -> None:
    rules = default_rulebook().rules_for("cement", AS_OF, "410181")
    at_c = facts_for_grade(rules, Grade.C, random.Random(3))
    at_b = facts_for_grade(rules, Grade.B, random.Random(3))
    rows = improvement_rows(
        [
            candidate(facts=at_c, name="丙水泥", other_industries=("industrial_coating",)),
            candidate(facts=at_b, name="乙水泥"),
            candidate(current=Grade.A, facts=at_b, name="甲水泥"),
            candidate(facts=None, name="丁水泥", county="410102"),
        ],
        AS_OF,
    )
    by_name = {row.as_dict()["企业名称"]: row.as_dict() for row in rows}
    assert set(by_name) == {"丙水泥", "乙水泥", "丁水泥"}  # an A enterprise has nothing to improve to
    gap_row = by_name["丙水泥"]
    assert (gap_row["重点行业类型"], gap_row["绩效现状"], gap_row["绩效提升目标"]) == ("水泥", "C", "B")
    assert gap_row["差异化指标"] and "B级要求" in gap_row["存在问题"] and gap_row["改造措施"]
    assert gap_row["备注"] == "同时涉及：工业涂装"
    assert by_name["乙水泥"]["存在问题"].startswith("按最近申报数据已达到B级")
    assert by_name["丁水泥"]["差异化指标"] == "待对标"
    # Sorted by county first (中原区 410102 before 巩义市 410181), numbered in that order.
    assert [row.values[0] for row in rows] == ["1", "2", "3"]
    assert rows[0].as_dict()["县(市、区)"] == "中原区"
