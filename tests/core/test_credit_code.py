"""GB 32100 credit codes: check digit, length, alphabet (REQ: registry validation)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airgrade.core import credit_code


def test_known_valid_code() -> None:
    # Published codes of two well-known companies: their check characters must come out as printed.
    assert credit_code.check_character("91440300708461136") == "T"
    assert credit_code.check_character("91330100799655058") == "B"
    assert credit_code.validate(" 91440300708461136t ") == "91440300708461136T"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("9144030070846113", "18位"),
        ("91440300708461136Y", "校验码"),
        ("91440300708461136I", "非法字符"),
    ],
)
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    with pytest.raises(credit_code.CreditCodeError, match=reason):
        credit_code.validate(code)


@given(st.text(alphabet=credit_code.ALPHABET, min_size=17, max_size=17))
def test_made_codes_validate_and_any_single_change_is_caught(body: str) -> None:
    code = credit_code.make(body)
    assert credit_code.validate(code) == code
    wrong = next(c for c in credit_code.ALPHABET if c != code[-1])
    with pytest.raises(credit_code.CreditCodeError):
        credit_code.validate(code[:-1] + wrong)
