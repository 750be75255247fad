"""The core stays pure: no module under airgrade.core imports Django, Excel, web libraries or outer layers."""

from __future__ import annotations

import ast
from pathlib import Path

import airgrade.core

FORBIDDEN = (
    "django",
    "ninja",
    "openpyxl",
    "python_calamine",
    "xlsxwriter",
    "docx",
    "docxtpl",
    "requests",
    "httpx",
    "typer",
    "rich",
    "airgrade.platform",
    "airgrade.cli",
    "airgrade.io",
)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_core_imports_no_framework_or_outer_layer() -> None:
    core_dir = Path(airgrade.core.__file__).parent
    offenders = [
        f"{path.relative_to(core_dir)}: {name}"
        for path in sorted(core_dir.rglob("*.py"))
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offenders == []


def test_the_scan_would_catch_a_django_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from django.db import models\nimport airgrade.platform.enterprises\n", encoding="utf-8")
    assert _imports(sample) == ["django.db", "airgrade.platform.enterprises"]
