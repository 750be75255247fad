"""Emergency API: every endpoint × every role, in and out of region (data-driven), plus content checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from emergency_platform_builders import payload, site_of

from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import ListEntry

pytestmark = pytest.mark.django_db

USERS = ["enterprise", "other_enterprise_user", "county", "other_county", "city", "other_city", "province", "expert"]
VIEWERS = {"enterprise", "county", "city", "province"}
EDITORS = {"enterprise", "county", "city", "province"}


@pytest.fixture
def world(users: dict[str, Any]) -> dict[str, Any]:
    guarantee = {
        "category": "export",
        "task_zh": "出口订单",
        "guaranteed_daily_output": 2000,
        "normal_daily_output": 5000,
        "output_unit": "t",
    }
    facts = {
        "burns_coal": False,
        "burns_oil": False,
        "pollutant_kinds": 1,
        "toxic_or_odorous": False,
        "annual_emissions_kg": 50,
    }
    entry = services.save_entry(
        users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(guarantee=guarantee, small_micro=facts)
    )
    event = services.issue_alert(
        users["city"], {"region_codes": ["410100"], "level": "orange", "starts_at": "2024-12-01T20:00"}
    )
    task = event.tasks.get(entry=entry)
    return {"entry": entry, "event": event, "task": task, "site": site_of(users["own_enterprise"])}


def _listed(world: dict[str, Any]) -> None:
    ListEntry.objects.filter(pk=world["entry"].pk).update(guarantee_status=ListEntry.GuaranteeStatus.LISTED)


# (name, method, url(world), body, allowed users, prepare)
ENDPOINTS: list[tuple[str, str, Callable[[dict[str, Any]], str], dict[str, Any], set[str], Any]] = [
    ("entry detail", "get", lambda w: f"/api/emergency/entries/{w['entry'].pk}", {}, VIEWERS, None),
    (
        "save entry",
        "put",
        lambda w: f"/api/emergency/sites/{w['site'].pk}/years/2024",
        {"data": payload()},
        EDITORS,
        None,
    ),
    ("delete entry", "delete", lambda w: f"/api/emergency/entries/{w['entry'].pk}", {}, EDITORS, None),
    ("entry plans", "get", lambda w: f"/api/emergency/entries/{w['entry'].pk}/plans", {}, VIEWERS, None),
    (
        "operation plan docx",
        "get",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/operation-plan.docx",
        {},
        VIEWERS,
        None,
    ),
    (
        "guarantee decision",
        "post",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/guarantee/decision",
        {"approve": True, "note": "同意"},
        {"county", "city"},
        None,
    ),
    (
        "guarantee output",
        "post",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/guarantee/output",
        {"daily_output": 1000},
        {"county", "city"},
        _listed,
    ),
    (
        "small/micro certification",
        "post",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/small-micro",
        {"certify": True, "opinion": "符合"},
        {"county"},
        None,
    ),
    (
        "plan approval",
        "put",
        lambda w: "/api/emergency/plans",
        {"region": "410100", "industry_code": "coking", "yellow_percent": 10, "orange_percent": 20, "red_percent": 30},
        {"city", "province"},
        None,
    ),
    (
        "simulate county",
        "get",
        lambda w: "/api/emergency/simulate?region=410181&level=red",
        {},
        {"county", "city", "province"},
        None,
    ),
    (
        "simulate city",
        "get",
        lambda w: "/api/emergency/simulate?region=410100&level=red",
        {},
        {"city", "province"},
        None,
    ),
    (
        "issue alert",
        "post",
        lambda w: "/api/emergency/alerts",
        {"region_codes": ["410100"], "level": "yellow", "starts_at": "2024-12-05T00:00"},
        {"city", "province"},
        None,
    ),
    (
        "alert detail",
        "get",
        lambda w: f"/api/emergency/alerts/{w['event'].pk}",
        {},
        {"enterprise", "county", "other_county", "city", "province"},
        None,
    ),
    (
        "raise alert",
        "post",
        lambda w: f"/api/emergency/alerts/{w['event'].pk}/level",
        {"level": "red"},
        {"city", "province"},
        None,
    ),
    (
        "lift alert",
        "post",
        lambda w: f"/api/emergency/alerts/{w['event'].pk}/lift",
        {"reason": "好转"},
        {"city", "province"},
        None,
    ),
    ("task detail", "get", lambda w: f"/api/emergency/tasks/{w['task'].pk}", {}, VIEWERS, None),
    ("acknowledge", "post", lambda w: f"/api/emergency/tasks/{w['task'].pk}/acknowledge", {}, {"enterprise"}, None),
    (
        "report execution",
        "post",
        lambda w: f"/api/emergency/tasks/{w['task'].pk}/report",
        {"lines_done": ["L1"], "reported_nox": 0.7},
        {"enterprise"},
        None,
    ),
    (
        "record evidence",
        "post",
        lambda w: f"/api/emergency/tasks/{w['task'].pk}/evidence",
        {"electricity_baseline_kwh": 1000, "electricity_alert_kwh": 700},
        {"county", "city"},
        None,
    ),
]


def _call(user: Any | None, method: str, url: str, body: dict[str, Any]) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "allowed", "prepare"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_every_endpoint_by_role_and_region(users, world, name, method, url, body, allowed, prepare):
    outcomes = {}
    for who in [*USERS, "anonymous"]:
        # Each call runs in a rolled-back block so every user meets the same state.
        with transaction.atomic():
            if prepare:
                prepare(world)
            response = _call(users.get(who), method, url(world), body)
            transaction.set_rollback(True)
        outcomes[who] = response.status_code
        if who in allowed:
            assert response.status_code == 200, (who, response.content.decode()[:300])
        elif who == "anonymous":
            assert response.status_code == 401
        else:
            assert response.status_code in (403, 404), (who, response.status_code)
            assert "error" in response.json()
    assert {who for who, status in outcomes.items() if status == 200} == allowed


def test_entry_list_is_scoped(users, world):
    seen = {who: [row["id"] for row in _call(users[who], "get", "/api/emergency/entries", {}).json()] for who in USERS}
    entry_id = world["entry"].pk
    assert {who for who, ids in seen.items() if entry_id in ids} == VIEWERS
    assert all(ids == [] for who, ids in seen.items() if who not in VIEWERS)


def test_alert_list_shows_events_in_scope_only(users, world):
    seen = {who: [e["id"] for e in _call(users[who], "get", "/api/emergency/alerts", {}).json()] for who in USERS}
    assert {who for who, ids in seen.items() if ids} == {"enterprise", "county", "other_county", "city", "province"}


def test_neighbour_county_sees_the_city_event_but_not_other_counties_tasks(users, world):
    body = _call(users["other_county"], "get", f"/api/emergency/alerts/{world['event'].pk}", {}).json()
    assert body["tasks"] == []
    own = _call(users["county"], "get", f"/api/emergency/alerts/{world['event'].pk}", {}).json()
    assert [task["enterprise_name"] for task in own["tasks"]] == ["本县企业"]


def test_simulate_matches_the_cli_report_shape(users, world):
    body = _call(users["city"], "get", "/api/emergency/simulate?region=410100&level=orange&as_of=2024-11-01", {}).json()
    assert body["level"] == "orange" and body["required_share"] == {"SO2": 0.2, "NOx": 0.2, "PM": 0.2, "VOCs": 0.2}
    assert {"cities", "total", "shortfalls", "issues", "outliers", "counts"} <= set(body)


def test_bad_input_is_a_clear_400(users, world):
    response = _call(
        users["enterprise"],
        "put",
        f"/api/emergency/sites/{world['site'].pk}/years/2024",
        {
            "data": payload(
                lines=[{"key": "L1", "name": "线", "capacity_unit": "t/d", "eia_capacity": 1, "emissions": {"SO2": -3}}]
            )
        },
    )
    assert response.status_code == 400
    assert "SO2 排放量不能为负数" in response.json()["error"]
    bad_level = _call(users["city"], "get", "/api/emergency/simulate?region=410100&level=purple", {})
    assert bad_level.status_code == 400 and "预警级别无效" in bad_level.json()["error"]


def test_pdf_download(users, world):
    response = _call(users["enterprise"], "get", f"/api/emergency/entries/{world['entry'].pk}/operation-plan.pdf", {})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
