"""Every public service function that writes runs in its own transaction (issue 8: make this class visible).

Why a static walk: the defect class is a service that writes without `transaction.atomic` (public objections
saved their row, then the audit write refused outside a transaction — a 500 for every citizen, green tests). Inside
the ordinary test transaction such a service passes; only a request-shaped test with real transactions sees it, and
only for the paths it drives. This test reads the source of every module of every platform app's `services`
(module or package), finds each public function whose body — or a module-level helper it calls, followed
transitively — writes (`.save()`, `.delete()`, `objects.create/update/bulk_create/get_or_create/update_or_create`,
`audit.record`), and fails unless that function is decorated with `transaction.atomic`, opens it around its body,
or checks `in_atomic_block` itself (helpers documented as running inside a caller's transaction). Calling each
service with real arguments would need a world per function; reading the code covers all of them, new ones included.
Its blind spot — a write through a function of another module — is covered by the callee being checked in turn.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import airgrade.platform

WRITE_CALLS = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_WRITES = {"create", "update"}  # only on a manager / queryset chain (`X.objects....`); dicts have .update


def _service_modules() -> Iterator[ModuleType]:
    root = Path(airgrade.platform.__file__).parent
    for app in sorted(p for p in root.iterdir() if p.is_dir() and (p / "apps.py").exists()):
        name = f"airgrade.platform.{app.name}.services"
        if not ((app / "services.py").exists() or (app / "services" / "__init__.py").exists()):
            continue
        module = importlib.import_module(name)
        yield module
        if hasattr(module, "__path__"):
            for info in pkgutil.iter_modules(module.__path__):
                yield importlib.import_module(f"{name}.{info.name}")


def _chain(node: ast.expr) -> list[str]:
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names
        else:
            return names


def _direct_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    method, receiver = call.func.attr, _chain(call.func.value)
    if method in WRITE_CALLS:
        return True
    if method in QUERYSET_WRITES and "objects" in receiver:
        return True
    return method == "record" and receiver[-1:] == ["audit"]


def _calls_outside_atomic(node: ast.AST) -> Iterator[ast.Call]:
    """The calls of a function body, leaving out those inside a `with transaction.atomic():` block."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.With) and any("atomic" in _chain(item.context_expr) for item in child.items):
            continue
        if isinstance(child, ast.Call):
            yield child
        yield from _calls_outside_atomic(child)


def _is_atomic(function: ast.FunctionDef) -> bool:
    for decorator in function.decorator_list:
        if "atomic" in _chain(decorator):
            return True
    for statement in function.body:
        if isinstance(statement, ast.With) and any("atomic" in _chain(item.context_expr) for item in statement.items):
            return True
    return "in_atomic_block" in ast.unparse(function)


def _unguarded_writers(module: ModuleType) -> list[str]:
    tree = ast.parse(inspect.getsource(module))
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    calls: dict[str, set[str]] = {}
    writes: dict[str, bool] = {}
    for name, function in functions.items():
        found = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
        writes[name] = any(_direct_write(call) for call in _calls_outside_atomic(function))
        calls[name] = {c.func.id for c in found if isinstance(c.func, ast.Name) and c.func.id in functions}

    def reaches_write(name: str, seen: set[str]) -> bool:
        if writes[name]:
            return True
        # A callee that opens its own transaction is safe on its own; it is not a write of the caller's.
        return any(
            reaches_write(callee, seen | {name})
            for callee in calls[name] - seen
            if callee != name and not _is_atomic(functions[callee])
        )

    return [
        f"{module.__name__}.{name}"
        for name, function in functions.items()
        if not name.startswith("_") and reaches_write(name, set()) and not _is_atomic(function)
    ]


def test_the_walk_sees_every_services_module() -> None:
    names = {module.__name__ for module in _service_modules()}
    for app in ("enterprises", "declarations", "disclosure", "emergency", "grades", "audit"):
        assert any(name.startswith(f"airgrade.platform.{app}.services") for name in names), app


def test_the_walk_catches_a_writer_without_a_transaction() -> None:
    # The defect as it shipped: a public function that saves a row and audits it, no transaction.
    source = """
def file_objection(data):
    objection = Objection.objects.create(**data)
    _audit(objection)

def _audit(objection):
    audit.record(actor=None, action="objection.file", obj=objection)
"""
    module = ModuleType("example")
    module.__dict__["__source__"] = source
    tree = ast.parse(source)
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert not _is_atomic(functions[0])
    assert any(_direct_write(c) for c in ast.walk(functions[1]) if isinstance(c, ast.Call))
    assert _direct_write(ast.parse("X.objects.filter(a=1).update(b=2)").body[0].value)  # type: ignore[attr-defined]
    assert not _direct_write(ast.parse("data.update(b=2)").body[0].value)  # type: ignore[attr-defined]


def test_every_public_service_that_writes_opens_its_own_transaction() -> None:
    offenders = [name for module in _service_modules() for name in _unguarded_writers(module)]
    assert offenders == [], "services that write without transaction.atomic: " + ", ".join(offenders)
