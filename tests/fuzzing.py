"""Shared fuzzing profile and hostile values for the property-based suites (CLI files, API operations, page forms).

The default profile keeps CI fast (a bounded number of examples per reader, operation and form);
`AIRGRADE_FUZZ_PROFILE=long` multiplies the examples for a deeper run before a release.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LONG = os.environ.get("AIRGRADE_FUZZ_PROFILE", "") == "long"


def fuzz_settings(examples: int) -> Any:
    """Hypothesis settings for one fuzz target: `examples` by default, 25× under the long profile."""
    return settings(
        max_examples=examples * 25 if LONG else examples,
        deadline=None,
        derandomize=not LONG,  # CI runs are reproducible; the long profile explores new examples every run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
        database=None,
    )


# Values that broke or could break an edge: huge, negative, non-finite, wrong type, unicode edge cases, long text.
HOSTILE_SCALARS: list[Any] = [
    None,
    True,
    0,
    -1,
    -(2**31),
    2**31,
    2**63,
    10**30,
    -(10**30),
    "99999999999999999999",
    "1e400",
    "-1e400",
    "1e30",
    "NaN",
    "Infinity",
    "-Infinity",
    1e308,
    -1e308,
    0.1,
    "",
    " ",
    "abc",
    "41",
    "999999",
    "0",
    "-1",
    "2026-02-30",
    "0000-00-00",
    "\ud800",
    "\udfff",
    "\x00",
    "a\x00b",
    "\u202e\u0645",
    "𠀀𝔘🙂",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "../../etc/passwd",
    "x" * 5000,
    "中" * 3000,
    [],
    {},
    [1, "a", None],
    {"a": {"b": [1]}},
]

hostile_scalar = st.sampled_from(HOSTILE_SCALARS)
