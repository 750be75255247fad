"""The 2026 framework as a dated layer (REQ G-7, G-8): 2020–2025 grades reproduce under the 2020 guide, new ones
use 环办大气〔2026〕2号; the grade scale is dated data; A+ is a designation on top of A with at least A's measures."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from airgrade.core.grading import grade as grade_facts
from airgrade.core.grading.serialise import industry_dict
from airgrade.core.rules.loader import DEFAULT_ROOT, load_rulebook
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.types import AlertLevel, Grade

CEMENT_A = {
    "road_truck_clean_share": 100, "road_truck_worst_stage": "国五", "inplant_vehicle_worst_stage": "国五",
    "nonroad_worst_stage": "国三", "gate_system": True, "ammonia_slip": 5, "pm_concentration": 10,
    "so2_concentration": 35, "nox_concentration": 100, "materials_closed_storage": True, "dust_points_captured": True,
    "cems_online": True,
}  # fmt: skip


def test_the_framework_in_force_depends_on_the_date() -> None:
    book = default_rulebook()
    assert book.framework(dt.date(2021, 6, 1)).code == "guide_2020"
    assert book.framework(dt.date(2025, 12, 31)).code == "guide_2020"
    opinion = book.framework(dt.date(2026, 1, 1))
    assert opinion.code == "opinion_2026" and opinion.source.document == "环办大气〔2026〕2号"
    with pytest.raises(RuleLookupError, match="尚无生效的绩效分级框架"):
        book.framework(dt.date(2019, 1, 1))


def test_the_grade_scale_is_dated_and_what_2026_leaves_open_is_provisional() -> None:
    book = default_rulebook()
    assert not book.grade_definition(Grade.A_PLUS).in_force(dt.date(2025, 12, 31))
    assert book.grade_definition(Grade.A_PLUS).in_force(dt.date(2026, 3, 1))
    old = book.rules_for("steel_integrated", dt.date(2021, 6, 1))
    new = book.rules_for("steel_integrated", dt.date(2026, 3, 1))
    assert old.grades == new.grades == (Grade.A, Grade.B, Grade.B_MINUS, Grade.C, Grade.D)
    assert old.provisional_grades == {} and old.designations == ()
    assert set(new.provisional_grades) == {Grade.B_MINUS}
    assert "not public" in new.provisional_grades[Grade.B_MINUS].note
    assert [d.grade for d in new.designations] == [Grade.A_PLUS]
    leading = book.rules_for("footwear", dt.date(2026, 3, 1))
    assert set(leading.provisional_grades) == {Grade.LEADING, Grade.NON_LEADING} and leading.designations == ()
    audit = "\n".join(where for _, where, _ in book.provisional_values())
    assert "framework opinion_2026 @2026-01-01 grade B-" in audit and "A+ measures" in audit


def test_a_2021_grade_reproduces_unchanged_by_the_2026_layer(tmp_path: Path) -> None:
    """Remove the 2026 layer from a copy of the rule book: the 2021 grade and its whole trace are the same."""
    root = tmp_path / "data"
    shutil.copytree(DEFAULT_ROOT, root)
    framework_file = root / "common" / "framework.yaml"
    data = yaml.safe_load(framework_file.read_text("utf-8"))
    data["frameworks"] = [f for f in data["frameworks"] if f["code"] != "opinion_2026"]
    data["frameworks"][0].pop("until")
    framework_file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    without_2026 = load_rulebook(root)
    as_of = dt.date(2021, 6, 1)
    for facts in (CEMENT_A, {**CEMENT_A, "road_truck_clean_share": 80, "road_truck_worst_stage": "国四"}):
        now = grade_facts(facts, "cement", as_of, book=default_rulebook())
        before = grade_facts(facts, "cement", as_of, book=without_2026)
        assert now.framework == before.framework == "guide_2020"
        now_dict, before_dict = industry_dict(now), industry_dict(before)
        now_dict.pop("rules_version", None), before_dict.pop("rules_version", None)
        assert now_dict == before_dict
    assert grade_facts(CEMENT_A, "cement", as_of).grade is Grade.A
    new = grade_facts(CEMENT_A, "cement", dt.date(2026, 3, 1))
    assert new.framework == "opinion_2026" and new.grade is Grade.A  # A+ is designated, never computed


def test_a_plus_takes_at_least_the_measures_of_a_and_only_from_2026() -> None:
    book = default_rulebook()
    on = dt.date(2026, 3, 1)
    for level in AlertLevel:
        assert book.measures("cement", Grade.A_PLUS, level, on) == book.measures("cement", Grade.A, level, on)
    _, source = book.measures_with_source("cement", Grade.A_PLUS, AlertLevel.RED, on)
    assert source.provisional
    rule = book.designation(Grade.A_PLUS, on)
    assert (rule.over, rule.proposed_by, rule.decided_by, rule.min_stable_years) == (Grade.A, "province", "ministry", 2)
    with pytest.raises(RuleLookupError, match="没有 A\\+ 这一等级"):
        book.measures("cement", Grade.A_PLUS, AlertLevel.RED, dt.date(2025, 6, 1))
