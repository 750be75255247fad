"""Registry API: login required, scope on every endpoint (in and out of region), clear errors, pagination."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from airgrade.core.credit_code import make
from airgrade.platform.enterprises.models import Enterprise, ProductionLine

# Request-shaped: real transactions, so a service that forgot its own transaction.atomic fails here (issue 8).
pytestmark = pytest.mark.django_db(transaction=True)


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_anonymous_gets_401(users: dict[str, Any]) -> None:
    response = Client().get("/api/enterprises/")
    assert response.status_code == 401
    assert response.json()["error"] == "请先登录"


def test_list_is_scoped_filtered_and_paginated(users: dict[str, Any], make_enterprise: Any) -> None:
    for _ in range(5):
        make_enterprise("410181", industry="glass")
    response = _client(users["county"]).get("/api/enterprises/", {"page_size": 2, "page": 2, "industry": "glass"})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 5 and body["pages"] == 3 and len(body["results"]) == 2
    assert {row["region"] for row in body["results"]} == {"410181"}
    everything = _client(users["other_city"]).get("/api/enterprises/", {"page_size": 200}).json()
    assert [row["name"] for row in everything["results"]] == ["外市企业"]


# Every registry endpoint, called by users out of scope: each must refuse and change nothing.
def _endpoints(users: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    other = users["other_enterprise"]
    site = other.sites.get()
    line = ProductionLine.objects.filter(site=site).first()
    return [
        ("get", f"/api/enterprises/{other.pk}", {}),
        ("patch", f"/api/enterprises/{other.pk}", {"name": "改名"}),
        ("post", f"/api/enterprises/{other.pk}/sites", {"name": "新厂区"}),
        ("put", f"/api/enterprises/sites/{site.pk}/industries", {"industries": [{"industry_code": "glass"}]}),
        (
            "post",
            f"/api/enterprises/sites/{site.pk}/lines",
            {"name": "x", "capacity": 1, "capacity_unit": "t"},
        ),
        ("patch", f"/api/enterprises/lines/{line.pk}", {"capacity": 1}),
        ("post", f"/api/enterprises/sites/{site.pk}/outlets", {"code": "DA9"}),
    ]


@pytest.mark.parametrize("who", ["county", "enterprise", "other_city", "expert"])
def test_out_of_scope_callers_are_refused_everywhere(users: dict[str, Any], who: str) -> None:
    client = _client(users[who])
    other = users["other_enterprise"]
    snapshot = (Enterprise.objects.get(pk=other.pk).name, ProductionLine.objects.count(), other.sites.count())
    for method, url, body in _endpoints(users):
        response = _send(client, method, url, body) if body else client.get(url)
        assert response.status_code in (403, 404), (who, method, url, response.status_code)
        assert response.json()["error"], (who, url)
    assert (
        Enterprise.objects.get(pk=other.pk).name,
        ProductionLine.objects.count(),
        other.sites.count(),
    ) == snapshot


def test_in_scope_county_can_use_every_endpoint(users: dict[str, Any]) -> None:
    client = _client(users["city"])  # 410100 contains the other county 410182
    for method, url, body in _endpoints(users):
        response = _send(client, method, url, body) if body else client.get(url)
        assert response.status_code in (200, 201), (method, url, response.content)


def test_create_with_bad_input_names_the_field(users: dict[str, Any]) -> None:
    client = _client(users["county"])
    response = _send(client, "post", "/api/enterprises/", {"credit_code": "bad", "name": "甲", "region": "410181"})
    assert response.status_code == 400
    assert response.json()["field"] == "credit_code"
    response = _send(
        client,
        "post",
        "/api/enterprises/",
        {"credit_code": make("91410181BBBBBBBBB"), "name": "乙", "region": "410181"},
    )
    assert response.status_code == 201 and response.json()["name"] == "乙"
    response = _send(client, "post", "/api/enterprises/", {"name": "丙"})
    assert response.status_code == 422 and {e["field"] for e in response.json()["errors"]} >= {
        "credit_code",
        "region",
    }


def test_enterprise_user_reads_own_only(users: dict[str, Any]) -> None:
    client = _client(users["enterprise"])
    assert client.get(f"/api/enterprises/{users['own_enterprise'].pk}").status_code == 200
    assert client.get(f"/api/enterprises/{users['other_enterprise'].pk}").status_code == 404


def test_openapi_docs_are_served(users: dict[str, Any]) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/enterprises/" in response.json()["paths"]
