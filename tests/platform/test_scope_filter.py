"""One region filter: every query scopes by the code range of `platform.permissions.within`, never a LIKE prefix."""

from __future__ import annotations

import re
from pathlib import Path

import airgrade.platform

PLATFORM = Path(airgrade.platform.__file__).parent
# A prefix filter on a region code (`region__code__startswith=`, `code__startswith=`), a hand-built range from
# scope_range, or the removed Region.prefix.
OTHER_WAYS = re.compile(r"code__startswith\s*=|region__startswith\s*=|\bscope_range\(|\.prefix\b")


def test_queries_scope_regions_only_through_within() -> None:
    offenders = [
        f"{path.relative_to(PLATFORM)}:{number}: {line.strip()}"
        for path in sorted(PLATFORM.rglob("*.py"))
        if "migrations" not in path.parts and path.name != "permissions.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OTHER_WAYS.search(line)
    ]
    assert offenders == []


def test_within_is_the_code_range_of_the_scope() -> None:
    from airgrade.platform.permissions import within

    assert within("410100").children == [("region__gte", "410100"), ("region__lte", "410199")]
    assert within("419001", "code").children == [("code__gte", "419001"), ("code__lte", "419001")]
    assert within("410000", "site__region").children == [
        ("site__region__gte", "410000"),
        ("site__region__lte", "419999"),
    ]
