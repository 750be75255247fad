"""Audit page and API: staff see their region's records only; enterprises, experts and the public see none;
the regions API needs a login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _labels(user: Any) -> set[str]:
    return {row["object_label"] for row in _client(user).get("/api/audit/", {"limit": 500}).json()}


def test_audit_api_keeps_to_the_callers_region(users: dict[str, Any]) -> None:
    assert {"本县企业", "邻县企业"} <= _labels(users["city"])
    assert "外市企业" not in _labels(users["city"])
    county = _labels(users["county"])
    assert "本县企业" in county and "邻县企业" not in county
    assert _labels(users["other_city"]) & {"本县企业", "邻县企业"} == set()
    assert "外市企业" in _labels(users["province"])


@pytest.mark.parametrize("who", ["enterprise", "expert"])
def test_audit_endpoints_refuse_non_staff(users: dict[str, Any], who: str) -> None:
    response = _client(users[who]).get("/api/audit/")
    assert response.status_code == 403 and response.json()["error"]
    assert _client(users[who]).get("/audit/").status_code == 403


def test_audit_page_lists_only_in_scope_records(users: dict[str, Any]) -> None:
    assert "本县企业" in _client(users["county"]).get("/audit/").content.decode()
    assert "本县企业" not in _client(users["other_county"]).get("/audit/").content.decode()


def test_anonymous_callers_are_sent_to_login(users: dict[str, Any]) -> None:
    assert Client().get("/api/audit/").status_code == 401
    assert Client().get("/api/regions/").status_code == 401
    assert Client().get("/audit/").status_code == 302
    assert _client(users["expert"]).get("/api/regions/", {"parent": "410100"}).status_code == 200


def test_bad_limit_is_a_422_not_a_trace(users: dict[str, Any]) -> None:
    response = _client(users["city"]).get("/api/audit/", {"limit": "abc"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "limit"
