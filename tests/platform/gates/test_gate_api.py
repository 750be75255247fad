"""The gate API (issue 11): a device credential writes only its own site's ledger, a replayed batch changes nothing,
malformed records answer 400 by row and field, a revoked or missing credential 401, and nobody edits the ledger."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from airgrade.platform.gates import services
from airgrade.platform.gates.models import Passage

pytestmark = pytest.mark.django_db(transaction=True)

BJ = dt.timezone(dt.timedelta(hours=8))


def batch(first: int, n: int, plate: str = "豫A12345") -> dict[str, Any]:
    start = dt.datetime(2026, 5, 4, 8, 0, tzinfo=BJ)
    return {
        "records": [
            {"seq": s, "plate": plate, "direction": "in" if s % 2 else "out",
             "time": (start + dt.timedelta(minutes=s)).isoformat(), "stage": "国五"}
            for s in range(first, first + n)
        ]
    }  # fmt: skip


def post(token: str, body: Any) -> Any:
    return Client().post(
        "/api/gates/ingest", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.fixture
def two_sites(users: dict[str, Any]) -> dict[str, Any]:
    own = users["own_enterprise"].sites.get()
    other = users["other_enterprise"].sites.get()
    _, own_token = services.register_device(users["enterprise"], own.pk, {"code": "G1", "entrance": "东门"})
    _, other_token = services.register_device(users["other_county"], other.pk, {"code": "G1", "entrance": "北门"})
    return {**users, "own": own, "other": other, "own_token": own_token, "other_token": other_token}


def test_a_device_writes_only_its_own_sites_ledger(two_sites: dict[str, Any]) -> None:
    answer = post(two_sites["own_token"], batch(1, 500))
    assert answer.status_code == 200, answer.content
    assert answer.json()["accepted"] == 500
    # The other site's device posts the same sequence numbers (its own numbering): they land in its own ledger.
    other = post(two_sites["other_token"], {**batch(1, 3), "site": two_sites["own"].pk})
    assert other.json()["accepted"] == 3
    assert Passage.objects.filter(site=two_sites["own"]).count() == 500
    assert Passage.objects.filter(site=two_sites["other"]).count() == 3


def test_a_replayed_batch_changes_nothing(two_sites: dict[str, Any]) -> None:
    post(two_sites["own_token"], batch(1, 20))
    replay = post(two_sites["own_token"], batch(1, 20))
    assert replay.status_code == 200
    assert replay.json()["accepted"] == 0 and replay.json()["duplicates"] == 20
    assert Passage.objects.count() == 20
    assert services.verify(two_sites["own"]).ok


def test_malformed_records_answer_400_by_row_and_field(two_sites: dict[str, Any]) -> None:
    body = batch(1, 3)
    body["records"][1]["direction"] = "sideways"
    del body["records"][2]["time"]
    answer = post(two_sites["own_token"], body)
    assert answer.status_code == 400
    errors = {(e["row"], e["field"]) for e in answer.json()["errors"]}
    assert errors == {("2", "direction"), ("3", "time")}
    assert Passage.objects.count() == 0
    assert post(two_sites["own_token"], {"records": "x"}).status_code in (400, 422)
    assert post(two_sites["own_token"], {"records": ["x"]}).status_code == 400


def test_no_or_revoked_credential_is_401(two_sites: dict[str, Any]) -> None:
    assert post("nonsense", batch(1, 1)).status_code == 401
    services.revoke_device(two_sites["enterprise"], services.device_for_token(two_sites["own_token"]).pk)
    assert post(two_sites["own_token"], batch(1, 1)).status_code == 401
    # A signed-in enterprise user without a device credential cannot post records either.
    client = Client()
    client.force_login(two_sites["enterprise"])
    assert client.post("/api/gates/ingest", batch(1, 1), content_type="application/json").status_code == 401
    assert Passage.objects.count() == 0


def test_the_api_offers_no_edit_or_delete_of_ledger_records() -> None:
    from airgrade.platform.gates.api import router

    methods = {m for view in router.path_operations.values() for op in view.operations for m in op.methods}
    assert methods <= {"GET", "POST"}
    paths = set(router.path_operations)
    assert not any("passage" in p or "records" in p for p in paths)


def test_figures_in_scope_only(two_sites: dict[str, Any]) -> None:
    post(two_sites["own_token"], batch(1, 10))
    client = Client()
    client.force_login(two_sites["county"])
    url = f"/api/gates/sites/{two_sites['own'].pk}/figures?date_from=2026-05-01&date_to=2026-05-31"
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.json()["trips"] == 5 and answer.json()["source"].startswith("门禁台账")
    outsider = Client()
    outsider.force_login(two_sites["other_county"])
    assert outsider.get(url).status_code == 404
