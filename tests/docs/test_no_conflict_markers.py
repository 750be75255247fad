"""No merge-conflict marker is committed (one reached base.html and showed in every page's navigation)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)
SUFFIXES = {".py", ".html", ".md", ".yaml", ".yml", ".toml", ".txt", ".css", ".js", ".json"}


def markers(text: str) -> list[str]:
    return [match.group(0).strip() for match in MARKER.finditer(text)]


def test_no_file_holds_a_conflict_marker() -> None:
    found = [
        str(path.relative_to(ROOT))
        for folder in ("src", "tests", "docs", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in SUFFIXES and path.is_file() and "vendor" not in path.parts
        and markers(path.read_text(encoding="utf-8", errors="replace"))
    ]  # fmt: skip
    assert found == []


def test_the_marker_pattern() -> None:
    assert markers("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> main\n") == ["<<<<<<<", "=======", ">>>>>>>"]
    assert markers("== heading ==\n========\n") == []
