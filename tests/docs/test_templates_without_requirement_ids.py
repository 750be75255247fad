"""Requirement ids (REQ LC-6 …) belong in code, tests and docs; a page is read by officials, enterprises and the
public, who know the documents, not our ids. Template comments may cite them; rendered text may not."""

from __future__ import annotations

import re
from pathlib import Path

PLATFORM = Path(__file__).resolve().parents[2] / "src/airgrade/platform"
COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)
REQUIREMENT_ID = re.compile(r"\bREQ\b|\b(?:H21|H23|ZZ|LC|SJZ|G)-\d+\b")


def test_no_template_shows_a_requirement_id() -> None:
    templates = sorted(PLATFORM.rglob("templates/**/*.html"))
    assert len(templates) > 50
    shown = [
        f"{path.relative_to(PLATFORM)}: {match.group(0)}"
        for path in templates
        for match in REQUIREMENT_ID.finditer(COMMENT.sub("", path.read_text(encoding="utf-8")))
    ]
    assert shown == []
