"""One error base: every exception class airgrade defines derives from AirgradeError (and keeps its built-in type)."""

from __future__ import annotations

import ast
from pathlib import Path

import airgrade
from airgrade.core.credit_code import CreditCodeError
from airgrade.core.errors import AirgradeError

SOURCE = Path(airgrade.__file__).parent
BUILTIN_BASES = {"Exception", "ValueError", "LookupError", "RuntimeError", "KeyError", "TypeError"}


def test_every_exception_class_derives_from_the_one_base() -> None:
    strays = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & BUILTIN_BASES and "AirgradeError" not in bases and node.name != "AirgradeError":
                    strays.append(f"{path.relative_to(SOURCE)}: {node.name}")
    assert strays == []


def test_errors_keep_their_builtin_type() -> None:
    error = CreditCodeError("校验码错误")
    assert isinstance(error, AirgradeError) and isinstance(error, ValueError)
