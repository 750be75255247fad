"""Unified social credit code (统一社会信用代码) validation per GB 32100-2015, check digit included."""

from __future__ import annotations

from airgrade.core.errors import AirgradeError

# GB 32100-2015 §4: the 31 characters of the code alphabet (no I, O, S, V, Z) and the position weights.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class CreditCodeError(AirgradeError, ValueError):
    """A credit code that is not valid; the message says why, in Chinese."""


def check_character(first17: str) -> str:
    """The 18th (check) character for the first 17 characters."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    return code.strip().upper()


def validate(code: str) -> str:
    """Return the normalised code or raise CreditCodeError naming the problem."""
    value = normalize(code)
    if len(value) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，实际为{len(value)}位")
    bad = [char for char in value if char not in ALPHABET]
    if bad:
        raise CreditCodeError(f"统一社会信用代码含有非法字符: {''.join(sorted(set(bad)))}")
    expected = check_character(value[:17])
    if value[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验码错误（应为 {expected}）")
    return value


def make(first17: str) -> str:
    """Complete 17 characters with their check character (used for demo and synthetic data)."""
    return first17 + check_character(first17)
