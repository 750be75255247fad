"""Numbers on pages (issue 15): one template filter, `num`, shows counts and quantities in fixed notation with
thousands separators, available in every template without {% load %}."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from airgrade.platform.numbers import display


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (1903700, -4, "1,903,700"),
        (1.9037e6, -4, "1,903,700"),  # never 1.9037e+06
        (Decimal("1903700.0000"), -4, "1,903,700"),
        (0.000123, -4, "0.0001"),
        (12.5, 3, "12.500"),
        (1234.5678, "-2", "1,234.57"),
        (-1234.5, -4, "-1,234.5"),
        (-0.00001, -4, "0"),
        (-0.0001, 2, "0.00"),
        (1e-7, -4, "0"),
        (None, -4, "—"),
        (float("inf"), -4, "—"),
        ("一百", -4, "一百"),
    ],
)
def test_display(value: object, places: int | str, shown: str) -> None:
    assert display(value, places) == shown


def test_num_is_a_builtin_filter() -> None:
    rendered = Template("共 {{ n|num }} 家，{{ t|num:3 }} t/d").render(Context({"n": 12345, "t": 1234.5}))
    assert rendered == "共 12,345 家，1,234.500 t/d"


def test_plain_keeps_every_digit_for_input_fields() -> None:
    from airgrade.platform.numbers import plain_filter

    assert plain_filter(801800.0) == "801800"
    assert plain_filter(0.70321234567891) == "0.70321234567891"
    assert plain_filter(1e-07) == "0.0000001"
    assert plain_filter(None) == "" and plain_filter("abc") == "abc" and plain_filter("-5") == "-5"
