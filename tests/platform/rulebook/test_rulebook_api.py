"""Rule book API: rules are public-readable; evaluation needs login (every role); clear errors (REQ SJZ-8)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CEMENT_FACTS = {
    "road_truck_clean_share": 85,
    "road_truck_worst_stage": "国四",
    "inplant_vehicle_worst_stage": "国五",
    "nonroad_worst_stage": "国三",
    "gate_system": True,
    "ammonia_slip": 4.2,
    "pm_concentration": 9.5,
    "so2_concentration": 30,
    "nox_concentration": 95,
    "materials_closed_storage": True,
    "dust_points_captured": True,
    "cems_online": True,
}
ROLES = ["enterprise", "county", "other_county", "city", "other_city", "province", "expert"]


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _evaluate(client: Client, body: Any) -> Any:
    return client.post("/api/grading/evaluate", data=json.dumps(body), content_type="application/json")


def test_industries_are_public() -> None:
    response = Client().get("/api/rules/industries")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 48
    assert {"code": "cement", "name_zh": "水泥"}.items() <= next(r for r in rows if r["code"] == "cement").items()


def test_industries_filtered_by_region_and_bad_region_refused() -> None:
    rows = Client().get("/api/rules/industries", {"region": "410100"}).json()
    assert "machining" in {row["code"] for row in rows} and "stone_processing" not in {row["code"] for row in rows}
    bad = Client().get("/api/rules/industries", {"region": "41"})
    assert bad.status_code == 400 and bad.json()["field"] == "region"


def test_industry_rules_are_public_with_sources() -> None:
    response = Client().get("/api/rules/cement", {"as_of": "2021-01-01"})
    assert response.status_code == 200
    data = response.json()
    assert data["grades"] == ["A", "B", "C", "D"]
    provenances = {
        req["source"]["provenance"]
        for aspect in data["aspects"]
        for i in aspect["indicators"]
        for req in i["requirements"]
    }
    assert provenances == {"secondary", "provisional"}


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/rules/nope", 404, "code"),
        ("/api/rules/cement?as_of=2019-01-01", 400, "as_of"),
        ("/api/rules/cement?as_of=yesterday", 400, "as_of"),
    ],
)
def test_industry_rules_errors(url: str, status: int, field: str) -> None:
    response = Client().get(url)
    assert response.status_code == status
    assert response.json()["field"] == field and response.json()["error"]


def test_evaluate_needs_login() -> None:
    response = _evaluate(Client(), {"enterprises": []})
    assert response.status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_evaluate_for_every_logged_in_role(users: dict[str, Any], role: str) -> None:
    # Evaluation grades the facts in the request and reads no stored data, so region scope does not restrict it:
    # an out-of-scope county or city gets the same calculation as anyone (nothing of another region is revealed).
    body = {
        "as_of": "2021-06-01",
        "enterprises": [
            {"id": "e1", "region": "410181", "industries": [{"industry": "cement", "facts": CEMENT_FACTS}]}
        ],
    }
    response = _evaluate(_client(users[role]), body)
    assert response.status_code == 200
    data = response.json()
    assert data["results"][0]["grade"] == "B"
    assert data["results"][0]["industries"][0]["blocking"] == {"A": ["road_transport"]}
    assert data["results"][0]["industries"][0]["trace"]


def test_evaluate_reports_bad_enterprises_and_grades_the_rest(users: dict[str, Any]) -> None:
    body = {
        "as_of": "2021-06-01",
        "enterprises": [
            {"id": "good", "industries": [{"industry": "cement", "facts": CEMENT_FACTS}]},
            {"id": "bad", "industries": [{"industry": "cement", "facts": {"ph": 7}}]},
        ],
    }
    data = _evaluate(_client(users["enterprise"]), body).json()
    assert [r["id"] for r in data["results"]] == ["good"]
    assert data["errors"] == [{"id": "bad", "industry": "cement", "key": "ph", "message": data["errors"][0]["message"]}]
    assert "未知的事实" in data["errors"][0]["message"]


def test_evaluate_with_nothing_gradable_is_400(users: dict[str, Any]) -> None:
    response = _evaluate(_client(users["county"]), {"enterprises": "none"})
    assert response.status_code == 400
    assert "没有可评级的企业" in response.json()["error"]
