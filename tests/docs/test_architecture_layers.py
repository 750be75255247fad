"""docs/architecture.md shows the allowed app → app edges that tests/platform/test_layers.py enforces (issue 9):
the table names every platform unit once, with exactly the edges of `ALLOWED`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "platform"))
from test_layers import ALLOWED, FEATURES, KERNEL  # noqa: E402

DOC = ROOT / "docs" / "architecture.md"
WORDS = {"kernel": KERNEL, "features": FEATURES}


def documented_edges(text: str) -> dict[str, frozenset[str]]:
    """The `| app | may import |` table: units (a parenthesis explains, it is not a unit) → allowed imports."""
    table = text.split("| app | may import |", 1)[1].split("\n\n", 1)[0]
    edges: dict[str, frozenset[str]] = {}
    for line in table.splitlines()[2:]:
        units_cell, allowed_cell = (cell.strip() for cell in line.strip().strip("|").split("|"))
        allowed: set[str] = set()
        for word in re.sub(r"\(.*?\)", "", allowed_cell).split(","):
            word = word.strip()
            if word and word != "—":
                allowed |= WORDS.get(word, {word})
        for unit in re.sub(r"\(.*?\)", "", units_cell).split(","):
            assert unit.strip() not in edges, f"{unit.strip()} is in the table twice"
            edges[unit.strip()] = frozenset(allowed)
    return edges


def test_the_architecture_table_is_the_layer_test_data() -> None:
    documented = documented_edges(DOC.read_text(encoding="utf-8"))
    enforced = {unit: allowed for unit, allowed in ALLOWED.items() if unit != "__init__"}
    assert set(documented) == set(enforced), "every platform unit has a row in docs/architecture.md"
    differ = {unit: (documented[unit], enforced[unit]) for unit in enforced if documented[unit] != enforced[unit]}
    assert differ == {}


def test_the_table_reader_expands_kernel_and_features() -> None:
    text = "| app | may import |\n|---|---|\n| a, b (two) | kernel, x |\n| c | — |\n\nafter"
    assert documented_edges(text) == {"a": KERNEL | {"x"}, "b": KERNEL | {"x"}, "c": frozenset()}
