"""Figures of the platform's app graph and module sizes (issue 9): the app → app import graph with its two-way
cycles, the function-local imports between apps, the allowed edges of tests/platform/test_layers.py, and the line
counts of the largest modules, now and at an earlier revision.

    uv run python benchmarks/app_graph.py [--before REV] [--top 12]

`--before` (default: the parent of the commit that layered the platform, b8828d9^) is read with `git archive`, so
the working tree is not touched. The scan is test_layers' own (`edges`, `unit_of`), applied to either tree.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "platform"))
from test_layers import ALLOWED, edges, unit_of  # noqa: E402

PLATFORM = Path("src/airgrade/platform")
DEFAULT_BEFORE = "b8828d9^"


def _tree_at(rev: str, into: Path) -> Path:
    """Extract src/ of `rev` into `into`; returns the platform folder there."""
    archive = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, check=True, capture_output=True).stdout
    tar = into / "src.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as opened:
        opened.extractall(into, filter="data")
    return into / PLATFORM


def _local_imports(root: Path) -> tuple[int, int]:
    """Imports inside a function body: of anything, and of another platform app (the ones that hid cycles)."""
    count = every = 0
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = unit_of(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                every += isinstance(node, ast.Import | ast.ImportFrom)
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("airgrade.platform."):
                    target = node.module.split(".")[2]
                    if target != source:
                        count += 1
    return every, count


def _two_way(graph: set[tuple[str, str]]) -> list[str]:
    return sorted(f"{a} ↔ {b}" for a, b in graph if a < b and (b, a) in graph)


def _cycles(graph: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected groups of more than one unit (Tarjan)."""
    nodes = sorted({n for edge in graph for n in edge})
    out: dict[str, list[str]] = {n: sorted(b for a, b in graph if a == n) for n in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in out[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in nodes:
        if node not in index:
            visit(node)
    return groups


def _print_graph(title: str, root: Path) -> None:
    found = edges(root)
    graph = set(found)
    print(f"## {title}")
    every, between = _local_imports(root)
    print(f"units: {len({unit_of(p, root) for p in root.rglob('*.py') if 'migrations' not in p.parts})}, "
          f"app → app edges: {len(graph)}, function-local imports: {every} (of another app: {between})")  # fmt: skip
    two_way = _two_way(graph)
    print(f"two-way cycles ({len(two_way)}): {', '.join(two_way) or 'none'}")
    for group in _cycles(graph):
        print(f"strongly connected group: {' · '.join(group)}")
    by_source: dict[str, list[str]] = {}
    for source, target in sorted(graph):
        by_source.setdefault(source, []).append(target)
    for source, targets in by_source.items():
        print(f"  {source} → {', '.join(targets)}")
    print()


def _print_allowed() -> None:
    print("## allowed edges now (tests/platform/test_layers.py ALLOWED; the kernel spelled out once)")
    kernel = {u for u, allowed in ALLOWED.items() if u in ALLOWED["enterprises"]}
    for unit, allowed in ALLOWED.items():
        shown = sorted(allowed)
        if kernel <= allowed:
            shown = ["kernel", *sorted(allowed - kernel)]
        print(f"  {unit} → {', '.join(shown) or '—'}")
    print(f"  (kernel = {', '.join(sorted(kernel))})")
    print()


def _sizes(root: Path) -> Counter[str]:
    return Counter(
        {
            str(p.relative_to(root.parents[1])): len(p.read_text(encoding="utf-8").splitlines())
            for p in root.parent.rglob("*.py")
            if "migrations" not in p.parts
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=DEFAULT_BEFORE)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    described = subprocess.run(
        ["git", "log", "-1", "--format=%h %ad %s", "--date=short", args.before],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as folder:
        before = _tree_at(args.before, Path(folder))
        _print_graph(f"before: {described}", before)
        _print_graph("after: the working tree", ROOT / PLATFORM)
        _print_allowed()
        old, new = _sizes(before), _sizes(ROOT / PLATFORM)
    print(f"## largest modules under src/airgrade (lines), before → after; top {args.top} of each")
    for path in sorted(
        {p for p, _ in old.most_common(args.top)} | {p for p, _ in new.most_common(args.top)},
        key=lambda p: -max(old[p], new[p]),
    ):
        print(f"  {old[path] or '—':>6} → {new[path] or '—':>6}  {path}")
    split = sorted(p for p in new if p.startswith("airgrade/platform/declarations/services/"))
    print("  declarations/services.py is now a package: " + ", ".join(f"{Path(p).name} {new[p]}" for p in split))


if __name__ == "__main__":
    main()
