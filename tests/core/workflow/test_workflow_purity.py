"""airgrade.core.workflow stays pure: no Django, no database, no web or Excel library."""

from __future__ import annotations

import ast
from pathlib import Path

import airgrade.core.workflow as workflow

FORBIDDEN = (
    "django",
    "ninja",
    "openpyxl",
    "docx",
    "psycopg",
    "requests",
    "airgrade.platform",
    "airgrade.cli",
)


def test_workflow_imports_nothing_impure() -> None:
    for path in Path(workflow.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
