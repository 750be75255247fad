"""Every requirement id the repository cites (`REQ LC-6`, `REQ LC-2, LC-7`) is explained in docs/requirements.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INDEX = ROOT / "docs" / "requirements.md"
SCANNED = ("src", "tests", "docs", "benchmarks", "README.md")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".html", ".txt", ".toml"}
ID = r"[A-Z][A-Z0-9]*-[0-9]+"
# "REQ" then one id or a list of ids: "REQ LC-2, LC-7 附件3", "REQ H23-5 / LC-9", "REQ LC-12、LC-8".
CITATION = re.compile(rf"\bREQ\s+({ID}(?:\s*[,，、/]\s*{ID}|\s+and\s+{ID})*)")


def indexed_ids() -> set[str]:
    return set(re.findall(rf"^- \*\*({ID})\*\*", INDEX.read_text(encoding="utf-8"), flags=re.MULTILINE))


def cited_ids(text: str) -> set[str]:
    return {found for match in CITATION.finditer(text) for found in re.findall(ID, match.group(1))}


def _files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        files += [p for p in candidates if p.is_file() and p.suffix in SUFFIXES and ".venv" not in p.parts]
    return files


def test_every_cited_requirement_id_is_in_the_index() -> None:
    known = indexed_ids()
    missing: dict[str, list[str]] = {}
    for path in _files():
        for req in cited_ids(path.read_text(encoding="utf-8", errors="replace")) - known:
            missing.setdefault(req, []).append(str(path.relative_to(ROOT)))
    assert missing == {}, "explain these ids in docs/requirements.md"


def test_the_citation_pattern_reads_lists_of_ids() -> None:
    assert cited_ids("# REQ LC-2, LC-7 附件3; see REQ H23-5 / LC-9") == {"LC-2", "LC-7", "H23-5", "LC-9"}
    assert cited_ids("REQ-less text LC-99") == set()
    assert {"G-1", "LC-15", "SJZ-12", "H21-7", "H23-7", "ZZ-7"} <= indexed_ids()
