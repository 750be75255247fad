"""No rule number lives in Python (ARCHITECTURE 'Rule data'): a number tagged with a requirement id — a `REQ` or a
requirement id like G-6 / LC-13 within three lines — must not be a module- or class-level constant outside the
rule book's YAML. The rule book (common/policy.yaml, alert_levels.yaml, industries/…) holds it, dated and cited.
In a core or CLI module whose docstring cites a requirement, every numeric module constant counts as tagged unless
TECHNICAL names it (units, tolerances, batch sizes: numbers of the software, not of a rule); platform and io modules
hold display, paging and layout numbers of their own, so there only a tag near the constant counts."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "airgrade"
TAG = re.compile(r"\bREQ\b|\b(?:G|LC|SJZ|H21|H23|ZZ)-\d+\b")
# Numbers that are codes or schema, not rules: enum members, Django field arguments, column widths, template sample
# values (`example=`), demo data.
NOT_RULES = {"width", "max_length", "max_digits", "decimal_places", "ge", "le", "gt", "lt", "min_length", "example"}


def _numbers(node: ast.AST) -> list[float]:
    found: list[float] = []
    for child in ast.walk(node):
        if isinstance(child, ast.keyword) and child.arg in NOT_RULES:
            continue
        if isinstance(child, ast.Call):
            for keyword in child.keywords:
                if keyword.arg in NOT_RULES:
                    keyword.value = ast.Constant(value=None)
        if (
            isinstance(child, ast.Constant)
            and isinstance(child.value, int | float)
            and not isinstance(child.value, bool)
        ):
            found.append(child.value)
    return [value for value in found if value not in (0, 1, -1)]


# Numeric constants of requirement-citing modules that are not rules, with why.
TECHNICAL = {
    "cli/alert.py:PROGRESS_THRESHOLD",  # when to show a progress bar
    "core/emergency/measuresets.py:_EPSILON",  # float comparison tolerance
    "core/verification.py:MINUTES_PER_HOUR",  # clock arithmetic
    "core/verification.py:HOURS_PER_DAY",
    "core/verification.py:DAYS_PER_WEEK",
    "core/emergency/units.py:EMISSION_UNITS",  # unit conversions
    "core/emergency/units.py:_PERIOD_PER_DAY",
    "core/emergency/units.py:_MASS_TONNES",
    "core/emergency/units.py:MAX_EMISSION_T_PER_T_PRODUCT",  # typing-error ceiling far above any real factor
    "core/gates.py:MAX_SEQUENCE",  # storage limit: fits PostgreSQL's bigint
    "core/gates.py:BEIJING",  # the time zone gate clocks run on (UTC+8)
}
DEMO = {"demo.py", "demo_workflow.py"}  # invented demonstration data


def _is_enum_or_model(node: ast.ClassDef) -> bool:
    names = {ast.unparse(base) for base in node.bases}
    return any(name.endswith(("Enum", "IntEnum", "StrEnum", "TextChoices", "Model")) for name in names)


def tagged_constants(path: Path) -> list[str]:
    text = path.read_text("utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    bodies = [tree.body] + [n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and not _is_enum_or_model(n)]
    found = []
    for body in bodies:
        for statement in body:
            if not isinstance(statement, ast.Assign | ast.AnnAssign) or statement.value is None:
                continue
            if not _numbers(statement.value):
                continue
            window = lines[max(0, statement.lineno - 4) : (statement.end_lineno or statement.lineno) + 3]
            names = [ast.unparse(t) for t in getattr(statement, "targets", [getattr(statement, "target", None)])]
            module_tagged = (
                body is tree.body
                and path.relative_to(SRC).parts[0] in ("core", "cli")
                and TAG.search(ast.get_docstring(tree) or "")
            )
            if module_tagged and all(f"{path.relative_to(SRC).as_posix()}:{name}" in TECHNICAL for name in names):
                module_tagged = None
            if any(TAG.search(line) for line in window) or module_tagged:
                found.append(f"{path.relative_to(SRC)}:{statement.lineno}: {lines[statement.lineno - 1].strip()}")
    return found


def test_no_requirement_tagged_number_is_a_python_constant() -> None:
    offenders = [
        hit
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts and path.name not in DEMO
        for hit in tagged_constants(path)
    ]
    assert offenders == [], (
        "rule numbers belong in the rule book (YAML); a number of the software (unit, tolerance, batch size) in a "
        "module citing a requirement goes into TECHNICAL with its reason:\n" + "\n".join(offenders)
    )


def test_the_scanner_finds_a_tagged_constant(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Sample."""\n\nBAN_DAYS = 365  # REQ SJZ-3\n\n\n\n\nLIMIT = 3\n\n\n\n\n# regional cuts (G-6)\nSHARE = {"red": 0.3}\n',
        "utf-8",
    )
    assert [hit.split(": ", 1)[1] for hit in _hits(sample)] == ["BAN_DAYS = 365  # REQ SJZ-3", 'SHARE = {"red": 0.3}']


def test_a_constant_in_a_module_citing_a_requirement_is_found(tmp_path: Path) -> None:
    """The small / micro limits once sat in a module whose docstring cited REQ SJZ-11, with no tag nearby."""
    (tmp_path / "core").mkdir()
    sample = tmp_path / "core" / "small_micro.py"
    sample.write_text(
        '"""Small and micro enterprises (REQ SJZ-11)."""\n\n\n\n\n\nANNUAL_LIMIT_KG = 100.0  # 年排放总量\n', "utf-8"
    )
    assert [hit.split(": ", 1)[1] for hit in _hits(sample, tmp_path)] == ["ANNUAL_LIMIT_KG = 100.0  # 年排放总量"]


def _hits(path: Path, root: Path | None = None) -> list[str]:
    global SRC
    saved, SRC = SRC, root or path.parent
    try:
        return tagged_constants(path)
    finally:
        SRC = saved
