"""PostgreSQL COPY text format: the field escaping the platform's bulk writers share (gate ledger, verdicts), and the
bytes of COPY lines joined in Arrow (readings, gate ledger)."""

from __future__ import annotations

from typing import Any

import numpy as np

NULL = "\\N"  # NULL in COPY's text format
_SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def field(text: str) -> str:
    """A text field: backslash, tab, newline and carriage return escaped (the test first: most fields have none)."""
    return text.translate(_SPECIAL) if ("\\" in text or "\t" in text or "\n" in text or "\r" in text) else text


def arrow_lines(lines: Any) -> memoryview:
    """The bytes of an Arrow string array whose values are whole COPY lines, as one buffer (no copy)."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    return memoryview(lines.buffers()[2])[offsets[lines.offset] : offsets[lines.offset + len(lines)]]
