"""Pages ask the access table (permissions_for) which actions a user has; no view or template compares roles."""

from __future__ import annotations

import re
from pathlib import Path

import airgrade.platform

PLATFORM = Path(airgrade.platform.__file__).parent
# `actor.role in (...)`, `actor.role is Role.X`, `role != "expert"`, `actor.role in "county city"` and the like.
ROLE_TEST = re.compile(r"""\brole\s*(?:in|not in|is|is not|==|!=)\s*(?:\(|Role\.|["'])""")


def _page_files() -> list[Path]:
    views = [p for p in PLATFORM.rglob("*.py") if p.name in {"views.py", "api.py", "forms.py", "context.py"}]
    return sorted(views + list(PLATFORM.rglob("*.html")))


def test_no_role_comparisons_in_views_or_templates() -> None:
    offenders = [
        f"{path.relative_to(PLATFORM)}:{number}: {line.strip()}"
        for path in _page_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROLE_TEST.search(line)
    ]
    assert offenders == []


def test_the_scan_catches_role_lists() -> None:
    for line in (
        "if actor.role in (Role.CITY, Role.PROVINCE):",
        '{% if actor.role != "expert" %}',
        '{% if actor.role in "county city province" %}',
        "x = actor.role is Role.ENTERPRISE",
    ):
        assert ROLE_TEST.search(line), line
    assert not ROLE_TEST.search('{% if "audit.view" in nav_permissions %}')
