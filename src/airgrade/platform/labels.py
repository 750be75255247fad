"""Grade labels for people: the rule book's own wording (A级, 绩效引领性, 非引领性), never a raw code.

`grade_label` is a template builtin (no {% load %}), so a template writes `{{ grade|grade_label }}` rather than
"{{ grade }} 级", which reads "引领性 级" for the leading tier. Views and exports call the same function.
"""

from __future__ import annotations

from django import template

from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade

register = template.Library()


@register.filter
def grade_label(code: object) -> str:
    """The rule book's label of a grade code; '未评级' for none, the text itself for what is not a grade code."""
    if code is None or code == "":
        return "未评级"
    value = getattr(code, "value", code)
    try:
        grade = Grade(str(value))
    except ValueError:
        return str(value)
    return default_rulebook().grade_definition(grade).label_zh


def grade_choices() -> tuple[tuple[str, str], ...]:
    """(code, label) for every grade, for select fields and list filters."""
    return tuple((g.value, grade_label(g.value)) for g in Grade)
