"""Property-based fuzzing of every API operation and every page form, anonymously and as each role (issue 8).

The API operations come from django-ninja's own OpenAPI document (/api/openapi.json): each example calls EVERY
operation once with path, query and body values drawn from the operation's schema, mixed with hostile values (huge,
negative, non-finite, wrong type, lone surrogates, long text, broken JSON). The pages come from the URL map: each
page is fetched, its forms' fields are read from the HTML and posted back with generated and hostile values.
The only acceptable answers are 2xx, 3xx and 4xx; a refused write (4xx) must leave every table as it was.

Runs with real transactions (`transaction=True`), so a service that forgot its own transaction fails here as it
would for a user. Bounded for CI (tests/fuzzing.py); `AIRGRADE_FUZZ_PROFILE=long` explores 25× more.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from tests.fuzzing import fuzz_settings, hostile_scalar
from tests.platform.declarations.workflow_helpers import PDF, PNG
from tests.platform.test_scope_inventory import world  # noqa: F401 (the fixture: one object of every kind)

ROLES = ("anonymous", "enterprise", "county", "city", "province", "expert")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HOSTILE_INTS = [0, -1, 2**31, 2**63, 10**30]
HOSTILE_BODIES = [b"", b"{", b"[]", b"null", b'"\\ud800"', b'{"a": "\\udfff"}', b"\xff\xfe\x00", b"[" * 5000]
UPLOADS = [PDF, PNG, b"", b"%PDF-1.4\n<script>alert(1)</script>", b"\x00" * 64, "中文".encode("utf-16")]
REGION_CODES = ["410000", "410100", "410181", "410182", "410300", "419001", "abc", "41", "999999"]


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def valid_values(
    schema: dict[str, Any], spec: dict[str, Any], name: str, pools: dict[str, list[Any]], depth: int = 0
) -> Any:
    """A strategy for values that follow `schema` (named fields get realistic values: ids, regions, dates)."""
    schema = _resolve(schema, spec)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([valid_values(s, spec, name, pools, depth) for s in schema[key]])
    if "allOf" in schema:
        return valid_values(schema["allOf"][0], spec, name, pools, depth)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        if name.endswith("id") and pools["ids"]:
            return st.sampled_from(pools["ids"])
        return st.integers(schema.get("minimum", -5), schema.get("maximum", 100_000))
    if kind == "number":
        return st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e9), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        fmt = schema.get("format", "")
        if fmt == "date":
            return st.dates().map(str)
        if fmt == "date-time":
            return st.datetimes().map(lambda d: d.isoformat())
        if "region" in name:
            return st.sampled_from(REGION_CODES)
        if name in pools:
            return st.sampled_from(pools[name])
        return st.text(max_size=min(schema.get("maxLength", 40), 200))
    if kind == "array" and depth < 4:
        return st.lists(valid_values(schema.get("items", {}), spec, name, pools, depth + 1), max_size=3)
    if (kind == "object" or "properties" in schema) and depth < 4:
        return object_values(schema, spec, pools, depth + 1)
    return hostile_scalar


def field_values(
    schema: dict[str, Any], spec: dict[str, Any], name: str, pools: dict[str, list[Any]], depth: int = 0
) -> Any:
    """Mostly schema values, one draw in four hostile."""
    return st.one_of(
        valid_values(schema, spec, name, pools, depth),
        valid_values(schema, spec, name, pools, depth),
        valid_values(schema, spec, name, pools, depth),
        hostile_scalar,
    )


def object_values(schema: dict[str, Any], spec: dict[str, Any], pools: dict[str, list[Any]], depth: int = 0) -> Any:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {k: field_values(v, spec, k, pools, depth) for k, v in properties.items() if k in required},
        optional={
            **{k: field_values(v, spec, k, pools, depth) for k, v in properties.items() if k not in required},
            "unexpected": hostile_scalar,
        },
    )


def _snapshot() -> tuple[Any, ...]:
    """Row counts of every table and the audit chain head: a refused write must change none of them."""
    from airgrade.platform.audit.models import AuditChainHead

    counts = tuple(
        model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower != "sessions.session"
    )
    head = AuditChainHead.objects.filter(id=1).values_list("last_hash", flat=True).first()
    return (*counts, head)


def _pools(w: dict[str, Any]) -> dict[str, list[Any]]:
    from airgrade.platform.declarations.models import Declaration
    from airgrade.platform.disclosure.models import Objection
    from airgrade.platform.enterprises.models import Enterprise

    ids: set[int] = set()
    for model in apps.get_models():
        if model._meta.app_label in {"enterprises", "declarations", "grades", "emergency", "disclosure", "accounts"}:
            ids.update(model._default_manager.order_by("-pk").values_list("pk", flat=True)[:40])
    return {
        "ids": sorted(i for i in ids if isinstance(i, int)),
        "credit_code": list(Enterprise.objects.values_list("credit_code", flat=True)[:10]),
        "reference": list(Objection.objects.values_list("reference", flat=True)[:5]) or ["X"],
        "fmt": ["docx", "pdf", "xlsx", "exe"],
        "state": list(Declaration.objects.values_list("state", flat=True).distinct()),
        "year": [2024, 2025, 2026],
    }


def _client(w: dict[str, Any], role: str) -> Client:
    from airgrade.platform.accounts.models import User

    client = Client(raise_request_exception=False)
    if role == "enterprise":  # the scope world names the Enterprise itself "enterprise"; its user is "ent"
        client.force_login(User.objects.get(username="ent"))
    elif role != "anonymous":
        client.force_login(w[role])
    return client


def _quote(value: Any) -> str:
    return quote(str(value), safe="", errors="surrogatepass")


@pytest.fixture
def fuzz_world(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    spec = Client().get("/api/openapi.json").json()
    return {**world, "spec": spec, "pools": _pools(world)}


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in spec["paths"].items() for method, op in item.items()]


def _request(data: Any, w: dict[str, Any], method: str, path: str, op: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    spec, pools = w["spec"], w["pools"]
    url, query = path, []
    for param in op.get("parameters", []):
        name, where, schema = param["name"], param["in"], param.get("schema", {})
        if where == "path":
            if _resolve(schema, spec).get("type") == "integer":
                value = data.draw(
                    st.one_of(st.sampled_from(pools["ids"] or [1]), st.sampled_from(HOSTILE_INTS), hostile_scalar)
                )
            else:
                value = data.draw(st.one_of(st.sampled_from(pools.get(name, ["x"])), hostile_scalar))
            url = url.replace("{" + name + "}", _quote(value))
        elif where == "query" and data.draw(st.booleans()):
            value = data.draw(field_values(schema, spec, name, pools))
            query.append(f"{name}={_quote(value)}")
    if query:
        url += "?" + "&".join(query)
    content = op.get("requestBody", {}).get("content", {})
    kwargs: dict[str, Any] = {}
    if "application/json" in content:
        schema = content["application/json"]["schema"]
        body = data.draw(
            st.one_of(
                object_values(_resolve(schema, spec), spec, pools), st.sampled_from(HOSTILE_BODIES), hostile_scalar
            )
        )
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        kwargs = {"data": raw, "content_type": "application/json"}
    elif "multipart/form-data" in content:
        schema = _resolve(content["multipart/form-data"]["schema"], spec)
        fields = data.draw(object_values(schema, spec, pools))
        form = {
            k: ("" if v is None else json.dumps(v) if isinstance(v, list | dict) else str(v)) for k, v in fields.items()
        }
        for name, prop in schema.get("properties", {}).items():
            if _resolve(prop, spec).get("format") == "binary":
                upload = data.draw(st.sampled_from(UPLOADS))
                form[name] = SimpleUploadedFile(
                    data.draw(st.sampled_from(["a.pdf", "b.png", "../x.pdf", "中.jpg", "x" * 300])), upload
                )
        kwargs = {"data": form}
    return url, kwargs


def _send(client: Client, method: str, url: str, kwargs: dict[str, Any]) -> Any:
    if method == "POST" and "content_type" not in kwargs:
        return client.post(url, **kwargs)
    return client.generic(method, url, **kwargs)


def _assert_answer(response: Any, method: str, url: str, before: tuple[Any, ...], role: str) -> None:
    assert response.status_code < 500, f"{role} {method} {url} → {response.status_code}"
    if method in WRITE_METHODS and response.status_code >= 400:
        assert _snapshot() == before, f"{role} {method} {url} → {response.status_code} but tables changed"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_answers_without_server_error(fuzz_world: dict[str, Any], role: str) -> None:
    client = _client(fuzz_world, role)
    operations = _operations(fuzz_world["spec"])
    assert len(operations) > 60  # the whole API, not a sample

    @fuzz_settings(2)
    @given(data=st.data())
    def run(data: Any) -> None:
        for method, path, op in operations:
            url, kwargs = _request(data, fuzz_world, method, path, op)
            before = _snapshot() if method in WRITE_METHODS else ()
            _assert_answer(_send(client, method, url, kwargs), method, url, before, role)

    run()


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields (name → input type or the options of a select)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, Any]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.forms.append((a.get("action") or "", {}))
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            name = a["name"] or ""
            if name == "csrfmiddlewaretoken":
                return
            kind = "textarea" if tag == "textarea" else [] if tag == "select" else (a.get("type") or "text")
            self.forms[-1][1][name] = kind
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select and self.forms:
            self.forms[-1][1][self._select].append(a.get("value") or "")


def _form_value(kind: Any, name: str) -> Any:
    if isinstance(kind, list):
        return st.one_of(st.sampled_from(kind or [""]), hostile_scalar)
    if kind == "file":
        return st.sampled_from(UPLOADS).map(lambda content: SimpleUploadedFile("f.pdf", content))
    if kind == "number":
        return st.one_of(st.integers(-10, 10**6).map(str), st.floats(allow_nan=True).map(str), hostile_scalar)
    if kind == "date":
        return st.one_of(st.dates().map(str), hostile_scalar)
    if kind in ("checkbox", "radio", "hidden", "submit"):
        return st.one_of(st.sampled_from(["on", "1", "true", ""]), hostile_scalar)
    return st.one_of(st.text(max_size=60), hostile_scalar)


def _page_urls(w: dict[str, Any]) -> list[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    routes: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver) and route not in ("api/", "admin/"):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                routes.append(route)

    walk(get_resolver().url_patterns, "")
    values = {
        "enterprise_id": w["enterprise"].pk,
        "site_id": w["site"].pk,
        "line_id": w["line"].pk,
        "declaration_id": w["draft"].pk,
        "campaign_id": w["campaign"].pk,
        "entry_id": w["entry"].pk,
        "event_id": w["event"].pk,
        "reference": w["objection"].reference,
        "year": 2024,
        "fmt": "docx",
        "code": "cement",
        "task_id": 1,
    }
    urls = []
    for route in routes:
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), route)
        urls.append("/" + url)
    return urls


def _post_form(client: Client, action: str, body: dict[str, Any]) -> Any:
    """Post like a browser would, lone surrogates included: urlencoded bytes (invalid UTF-8 where the text has a lone
    surrogate); with a file, multipart, where the test client can only encode valid text."""
    if any(isinstance(v, SimpleUploadedFile) for v in body.values()):
        clean = {
            k: v if isinstance(v, SimpleUploadedFile) else v.encode("utf-8", "replace").decode()
            for k, v in body.items()
        }
        return client.post(action, clean)
    raw = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in body.items()).encode("ascii")
    return client.generic("POST", action, data=raw, content_type="application/x-www-form-urlencoded")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_form_answers_without_server_error(fuzz_world: dict[str, Any], role: str) -> None:
    client = _client(fuzz_world, role)
    forms: list[tuple[str, dict[str, Any]]] = []
    for url in _page_urls(fuzz_world):
        response = client.get(url)
        assert response.status_code < 500, f"{role} GET {url} → {response.status_code}"
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            parser = _Forms()
            parser.feed(response.content.decode("utf-8", "replace"))
            forms.extend((action or url, fields) for action, fields in parser.forms)
        # Every page also takes a POST of junk: a page without a form must refuse it, not fail.
        forms.append((url, {"x": "text"}))
    unique = {
        (action, tuple(sorted((k, str(v)) for k, v in fields.items()))): (action, fields) for action, fields in forms
    }

    @fuzz_settings(2)
    @given(data=st.data())
    def run(data: Any) -> None:
        for action, fields in unique.values():
            if action.startswith(("/accounts/logout", "/i18n/")):
                continue  # logging out would end the role's session for the rest of the run
            body = {
                name: data.draw(_form_value(kind, name))
                for name, kind in fields.items()
                if data.draw(st.integers(0, 5))
            }
            body = {
                k: ("" if v is None else v if isinstance(v, SimpleUploadedFile) else str(v)) for k, v in body.items()
            }
            before = _snapshot()
            response = _post_form(client, action, body)
            _assert_answer(response, "POST", action, before, role)

    run()
