"""PostgreSQL COPY text format: the field escaping the platform's bulk writers share (gate ledger, verdicts)."""

from __future__ import annotations

NULL = "\\N"  # NULL in COPY's text format
_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def field(text: str) -> str:
    """A text field: backslash, tab, newline and carriage return escaped (the test first: most fields have none)."""
    return text.translate(_SPECIAL) if ("\\" in text or "\t" in text or "\n" in text or "\r" in text) else text
