"""Grades are shown by the rule book's labels everywhere: the leading tier reads 绩效引领性, never "引领性 级"."""

from __future__ import annotations

from django.template import Context, Template

from airgrade.core.types import Grade
from airgrade.platform.labels import grade_choices, grade_label


def test_every_grade_has_its_rule_book_label_and_none_reads_code_space_ji() -> None:
    labels = dict(grade_choices())
    assert set(labels) == {g.value for g in Grade}
    assert labels["A"] == "A级" and labels["B-"] == "B-级" and labels["引领性"] == "绩效引领性"
    assert not any(label.endswith(" 级") or label == "引领性级" for label in labels.values())


def test_the_template_builtin_needs_no_load_and_says_so_for_empty_and_unknown_values() -> None:
    rendered = Template("{{ a|grade_label }}|{{ b|grade_label }}|{{ c|grade_label }}|{{ d|grade_label }}").render(
        Context({"a": "引领性", "b": Grade.C, "c": "", "d": "不是等级"})
    )
    assert rendered == "绩效引领性|C级|未评级|不是等级"
    assert grade_label(None) == "未评级"
