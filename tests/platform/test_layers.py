"""Platform apps are layered: every app → app import (function-local ones included) is an allowed edge, and the
allowed edges form no cycle. A new cycle, or an import upward, fails here (docs/architecture.md shows the layers)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import airgrade.platform

PLATFORM = Path(airgrade.platform.__file__).parent

# Kernel: imports no feature app. Bottom to top: errors / hooks / admin_base / i18n, permissions, regions, params
# (parameter parsing), audit, accounts. Feature apps: enterprises ← declarations ← grades ← disclosure; emergency above grades; the rule-book
# browser on the kernel only. Home and the project modules (API, URLs, demo data, settings) sit on top.
KERNEL = frozenset(
    {
        "errors",
        "hooks",
        "admin_base",
        "i18n",
        "permissions",
        "params",
        "numbers",
        "labels",
        "pgcopy",
        "pages",
        "regions",
        "lists",
        "audit",
        "accounts",
    }
)
FEATURES = frozenset(
    {"enterprises", "declarations", "grades", "disclosure", "emergency", "rulebook", "gates", "targets", "verification"}
)
TOP = frozenset({"home", "api", "urls", "demo", "demo_workflow", "settings", "wsgi", "__init__"})

ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "hooks": frozenset(),
    "admin_base": frozenset(),
    "i18n": frozenset(),
    "permissions": frozenset({"errors", "hooks"}),
    "regions": frozenset({"errors", "admin_base"}),
    "params": frozenset({"errors", "regions"}),
    "numbers": frozenset({"errors"}),  # column-bounded numbers (issue 8)
    "labels": frozenset(),  # grade labels from the rule book (a template builtin)
    "pgcopy": frozenset(),  # COPY text-format escaping for the bulk writers
    # Shared page helpers: the action (confirmation) page, form dates, own-region actions, simple pagination.
    "pages": frozenset({"errors", "permissions", "regions", "lists"}),
    # The one list mechanism (search, filters, pagination, export; ADR 0006): region names and `within()`.
    "lists": frozenset({"errors", "params", "permissions", "regions"}),
    "audit": frozenset({"errors", "admin_base", "permissions", "regions", "lists"}),
    "accounts": frozenset({"errors", "admin_base", "permissions", "regions", "audit"}),
    "enterprises": KERNEL,
    "declarations": KERNEL | {"enterprises"},
    "grades": KERNEL | {"enterprises", "declarations"},
    "disclosure": KERNEL | {"enterprises", "declarations", "grades"},
    "emergency": KERNEL | {"enterprises", "grades"},
    # Gate ledger (issue 11): reads sites and alert events, feeds the declaration page through a contribution hook,
    # downgrades through the grade registry's services, runs gate-file uploads as background jobs.
    "gates": KERNEL | {"enterprises", "declarations", "grades", "emergency", "jobs"},
    # Alert verification (issue 12): reads alert tasks and sites, downgrades through the grade registry's services,
    # reads the gate ledger's verification and alert-day checks as findings of its case queue.
    # Large reading files run as background jobs (jobs is shared machinery on the kernel).
    "verification": KERNEL | {"enterprises", "grades", "emergency", "gates", "jobs"},
    "rulebook": KERNEL,
    # The leaders' view (issue 13): reads the grade registry and the declarations in review.
    "targets": KERNEL | {"enterprises", "declarations", "grades"},
    # Background jobs are shared machinery on the kernel; workbooks (imports, exports) sit on every feature app.
    "jobs": KERNEL,
    "workbooks": KERNEL | FEATURES | {"jobs"},
    # Zhengzhou green-performance evaluation (issue 14): reads the registry and its downgrades (red lines), imports
    # department data through the shared workbook pipeline; nothing below imports it.
    "scorecards": KERNEL | {"enterprises", "grades", "jobs", "workbooks"},
    "home": KERNEL | FEATURES,
    "api": KERNEL | FEATURES | {"jobs", "workbooks", "scorecards"},
    "urls": KERNEL | FEATURES | {"api", "home", "jobs", "workbooks", "scorecards"},
    "demo_workflow": KERNEL | FEATURES,
    "demo": KERNEL | FEATURES | {"demo_workflow", "scorecards"},
    # Backup / restore of the whole database (project module, landed without a layer): reads the audit chain.
    "backup": KERNEL,
    "settings": frozenset(),
    "wsgi": frozenset(),
    "__init__": frozenset(),
}


def unit_of(path: Path, root: Path = PLATFORM) -> str:
    """The app (package) or project module a platform file belongs to."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def imported_units(tree: ast.AST) -> Iterable[tuple[str, int]]:
    """Every platform unit a module imports, with the line; nested (function-local) imports included."""
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "airgrade.platform":
                names = [f"airgrade.platform.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["airgrade", "platform"] and len(parts) > 2:
                yield parts[2], node.lineno


def edges(root: Path = PLATFORM) -> dict[tuple[str, str], list[str]]:
    """(importer, imported) → where; migrations are generated and excluded."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = unit_of(path, root)
        for target, line in imported_units(ast.parse(path.read_text(encoding="utf-8"))):
            if target != source:
                found.setdefault((source, target), []).append(f"{path.relative_to(root)}:{line}")
    return found


def test_every_unit_is_placed_in_a_layer() -> None:
    units = {unit_of(p) for p in PLATFORM.rglob("*.py") if "migrations" not in p.parts}
    assert units - set(ALLOWED) == set(), "place the new app or module in ALLOWED (tests/platform/test_layers.py)"


def test_every_import_between_apps_is_an_allowed_edge() -> None:
    refused = {
        f"{source} → {target}": where
        for (source, target), where in edges().items()
        if target not in ALLOWED.get(source, frozenset())
    }
    assert refused == {}


def test_the_allowed_edges_have_no_cycle() -> None:
    state: dict[str, str] = {}

    def visit(unit: str, trail: list[str]) -> None:
        if state.get(unit) == "done":
            return
        assert state.get(unit) != "open", "cycle: " + " → ".join([*trail, unit])
        state[unit] = "open"
        for target in sorted(ALLOWED.get(unit, frozenset())):
            visit(target, [*trail, unit])
        state[unit] = "done"

    for unit in sorted(ALLOWED):
        visit(unit, [])


def test_kernel_imports_no_feature_app() -> None:
    for unit in KERNEL:
        assert ALLOWED[unit] <= KERNEL


def test_the_scan_sees_function_local_imports(tmp_path: Path) -> None:
    app = tmp_path / "regions"
    app.mkdir()
    (app / "services.py").write_text(
        "def f():\n    from airgrade.platform.declarations.models import Campaign\n"
        "from airgrade.platform import hooks\n",
        encoding="utf-8",
    )
    assert set(edges(tmp_path)) == {("regions", "declarations"), ("regions", "hooks")}
    assert "declarations" not in ALLOWED["regions"]
