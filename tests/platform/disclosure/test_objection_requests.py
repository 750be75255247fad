"""A citizen's objection through the public API and page, with real transactions (REQ LC-14).

These tests run with `transaction=True`: the service must open its own transaction, as it does for a real request.
Inside the usual wrapping test transaction a service that forgot `transaction.atomic` passes; here it fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.platform.declarations.workflow_helpers import act, force_state, make_campaign, ready_declaration

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.disclosure import services
from airgrade.platform.disclosure.models import Objection

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT = "该企业料场未封闭，与公示的B级不符"


def _graded(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade="B"), "province_verification", users["county"]
    )
    act(users["province"], declaration, "declaration.province_verify")


def _captcha(client: Client) -> dict[str, str]:
    captcha = client.get("/api/public/captcha").json()
    a, b = captcha["question"].split(" = ")[0].split(" + ")
    return {"captcha_token": captcha["token"], "captcha_answer": str(int(a) + int(b))}


def _post(client: Client, enterprise_id: int, content: str = CONTENT, **extra: str) -> Any:
    body = {"enterprise_id": enterprise_id, "content": content, **_captcha(client), **extra}
    return client.post("/api/public/objections", body, content_type="application/json", REMOTE_ADDR="7.7.7.7")


def test_objection_api_gives_the_citizen_a_reference_number(users: dict[str, Any]) -> None:
    _graded(users)
    client = Client()
    response = _post(client, users["own_enterprise"].pk)
    assert response.status_code == 201, response.content
    reference = response.json()["reference"]
    objection = Objection.objects.get(reference=reference)
    assert objection.city_id == "410100"
    assert AuditRecord.objects.filter(action="objection.file", object_id=str(objection.pk)).count() == 1
    assert client.get(f"/api/public/objections/{reference}").json()["status"] == "received"


def test_objection_page_redirects_to_the_status_page(users: dict[str, Any]) -> None:
    _graded(users)
    client = Client()
    enterprise_id = users["own_enterprise"].pk
    response = client.post(
        f"/public/objections/new/{enterprise_id}/", {"content": CONTENT, **_captcha(client)}, REMOTE_ADDR="8.8.8.8"
    )
    assert response.status_code == 302, response.content.decode()[:500]
    reference = Objection.objects.get().reference
    assert response["Location"].endswith(f"/public/objections/{reference}/")
    assert reference in client.get(response["Location"]).content.decode()


def test_failed_attempts_do_not_use_up_the_hourly_limit(users: dict[str, Any]) -> None:
    _graded(users)
    client = Client()
    enterprise_id = users["own_enterprise"].pk
    assert _post(client, enterprise_id, content="太短").status_code == 400
    wrong = {**_captcha(client), "captcha_answer": "99"}
    assert (
        client.post(
            "/api/public/objections",
            {"enterprise_id": enterprise_id, "content": CONTENT, **wrong},
            content_type="application/json",
            REMOTE_ADDR="7.7.7.7",
        ).status_code
        == 400
    )
    for _ in range(services.OBJECTION_LIMIT_PER_HOUR):
        assert _post(client, enterprise_id).status_code == 201
    assert _post(client, enterprise_id).status_code == 429
    assert Objection.objects.count() == services.OBJECTION_LIMIT_PER_HOUR


def test_a_nul_character_in_the_objection_page_is_a_400_and_nothing_is_filed(users: dict[str, Any]) -> None:
    """The page's form (disclosure/forms.py) refuses what PostgreSQL cannot store, before the service writes."""
    _graded(users)
    client = Client()
    response = client.post(
        f"/public/objections/new/{users['own_enterprise'].pk}/",
        {"content": "料场\x00未封闭", **_captcha(client)},
        REMOTE_ADDR="8.8.8.9",
    )
    assert response.status_code == 400 and "举报内容" in response.content.decode()
    assert not Objection.objects.exists()
