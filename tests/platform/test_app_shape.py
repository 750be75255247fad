"""Every app has the same shape (issue 9): API types live in schemas.py, every JSON route declares its response schema,
and an app whose pages take input has a forms.py."""

from __future__ import annotations

import ast
from pathlib import Path

import airgrade.platform

PLATFORM = Path(airgrade.platform.__file__).parent
METHODS = {"get", "post", "put", "patch", "delete"}
# Routes that return a file (an HttpResponse) have no JSON schema.
FILE_RETURNS = {"HttpResponse", "FileResponse"}


def _routes(api: Path) -> list[tuple[str, bool, str]]:
    """(function, declares a response, return annotation) of every route in an api.py."""
    routes = []
    for node in ast.parse(api.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and isinstance(decorator.func, ast.Attribute)
                and decorator.func.attr in METHODS
            ):
                declared = any(k.arg == "response" for k in decorator.keywords)
                routes.append((node.name, declared, ast.unparse(node.returns) if node.returns else ""))
    return routes


def test_every_json_route_declares_its_response() -> None:
    undeclared: dict[str, set[str]] = {}
    for api in sorted(PLATFORM.glob("*/api.py")):
        for name, declared, returns in _routes(api):
            if not declared and returns not in FILE_RETURNS:
                undeclared.setdefault(api.parent.name, set()).add(name)
    assert undeclared == {}


def test_api_types_live_in_schemas_py() -> None:
    in_api = {api.parent.name for api in sorted(PLATFORM.glob("*/api.py")) if _api_types(api)}
    assert in_api == set()


def _api_types(api: Path) -> list[str]:
    """Schema (pydantic) classes defined in an api.py; other classes (an auth class such as HttpBearer) may stay."""
    found: list[str] = []
    for node in ast.parse(api.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and any(
            ast.unparse(base).endswith(("Schema", "BaseModel")) or ast.unparse(base) in found for base in node.bases
        ):
            found.append(node.name)
    return found


def test_the_type_scan_tells_schemas_from_other_classes(tmp_path: Path) -> None:
    api = tmp_path / "api.py"
    api.write_text(
        "class Auth(HttpBearer): ...\nclass In(Schema): ...\nclass More(In): ...\nclass M(pydantic.BaseModel): ...\n",
        encoding="utf-8",
    )
    assert _api_types(api) == ["In", "More", "M"]


def test_every_app_with_an_api_has_schemas_py() -> None:
    missing = {
        api.parent.name
        for api in PLATFORM.glob("*/api.py")
        if _routes(api) and not (api.parent / "schemas.py").exists() and _declares_own_types(api)
    }
    assert missing == set()


def _declares_own_types(api: Path) -> bool:
    """An api.py whose routes name a response or body type of its own app (not one borrowed from another app)."""
    tree = ast.parse(api.read_text(encoding="utf-8"))
    own = f"airgrade.platform.{api.parent.name}."
    borrowed = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith(own)
        for alias in node.names
    }
    named = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id[:1].isupper()}
    return bool(named - borrowed - {"HttpRequest", "HttpResponse", "FileResponse", "Router", "Any"})


def _reads_page_input(views: Path) -> bool:
    """views.py reads posted fields or files (request.POST / request.FILES)."""
    for node in ast.walk(ast.parse(views.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"POST", "FILES"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        ):
            return True
    return False


def test_apps_whose_pages_take_input_have_forms_py() -> None:
    without = {
        views.parent.name
        for views in PLATFORM.glob("*/views.py")
        if _reads_page_input(views) and not (views.parent / "forms.py").exists()
    }
    assert without == set()  # every app, a new one too, shapes its page input in a forms.py (issue 9)


def _direct_reads(views: Path) -> list[int]:
    """Lines of views.py that read a posted field or file straight from the request — request.POST.get(…),
    request.POST[…], `in request.POST`, iterating it, or naming it (post = request.POST) — rather than handing the
    whole post to a form (SomeForm(request.POST), SomeForm(request.POST or None), form_values(...))."""
    tree = ast.parse(views.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr in {"POST", "FILES"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        ):
            continue
        parent = parents[node]
        if isinstance(
            parent, ast.Attribute | ast.Subscript | ast.Compare | ast.Assign | ast.comprehension | ast.For
        ) and not (isinstance(parent, ast.Assign) and node in parent.targets):
            lines.append(node.lineno)
    return lines


def test_views_read_posted_fields_only_through_forms() -> None:
    direct = {views.parent.name for views in PLATFORM.glob("*/views.py") if _direct_reads(views)}
    assert direct == set()  # every app, a new one too (issue 9)


def test_the_direct_read_scan_tells_field_reads_from_handing_the_post_to_a_form(tmp_path: Path) -> None:
    views = tmp_path / "views.py"
    for read in ("request.POST.get('x')", "request.POST['x']", "'x' in request.POST", "request.FILES.get('f')"):
        views.write_text(f"def v(request):\n    return {read}\n", encoding="utf-8")
        assert _direct_reads(views) == [2], read
    views.write_text("def v(request):\n    post = request.POST\n    return post\n", encoding="utf-8")
    assert _direct_reads(views) == [2]
    views.write_text(
        "def v(request):\n    f = F(request.POST or None, request.FILES)\n    return form_values(G(request.POST))\n",
        encoding="utf-8",
    )
    assert _direct_reads(views) == []


def test_the_input_scan_sees_posted_fields(tmp_path: Path) -> None:
    views = tmp_path / "views.py"
    views.write_text("def v(request):\n    return request.POST.get('x')\n", encoding="utf-8")
    assert _reads_page_input(views)
    views.write_text("def v(request):\n    return request.GET.get('x')\n", encoding="utf-8")
    assert not _reads_page_input(views)
