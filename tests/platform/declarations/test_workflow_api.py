"""Workflow API: a walk through the transitions with `allowed_actions`, and every endpoint refused out of scope
with nothing changed (REQ LC-2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.platform.declarations.workflow_helpers import PDF, force_state, make_campaign, ready_declaration

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.declarations.models import Declaration
from airgrade.platform.grades.models import GradeRecord

# Request-shaped: real transactions, so a service that forgot its own transaction.atomic fails here (issue 8).
pytestmark = pytest.mark.django_db(transaction=True)


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _move(client: Client, declaration_id: int, action: str, **extra: Any) -> Any:
    current = client.get(f"/api/declarations/{declaration_id}").json()
    body = {"action": action, "expected_state": current["state"], "expected_version": current["version"], **extra}
    return _post(client, f"/api/declarations/{declaration_id}/transitions", body)


def test_api_walk_with_allowed_actions(users: dict[str, Any]) -> None:
    city = _client(users["city"])
    response = _post(
        city,
        "/api/declarations/campaigns",
        {
            "name": "2026年集中评级",
            "region": "410100",
            "application_deadline": "2099-08-07T23:59:00+08:00",
            "template_code": "henan-2021",
        },
    )
    assert response.status_code == 201
    campaign = response.json()
    assert [b["code"] for b in campaign["batches"]] == ["vocs", "metal", "building_materials", "local_and_guarantee"]
    enterprise = _client(users["enterprise"])
    site_id = users["own_enterprise"].sites.get().pk
    created = _post(
        enterprise,
        "/api/declarations/",
        {
            "campaign_id": campaign["id"],
            "site_id": site_id,
            "items": [{"industry_code": "cement", "target_grade": "A"}],
        },
    )
    assert created.status_code == 201, created.json()
    declaration = created.json()
    assert {a["action"] for a in declaration["allowed_actions"]} == {"declaration.withdraw"}
    upload = enterprise.post(
        f"/api/declarations/{declaration['id']}/evidence",
        {"file": _file("报告.pdf", PDF), "indicator_id": "emission_limits"},
    )
    assert upload.status_code == 201 and len(upload.json()["sha256"]) == 64
    bad = enterprise.post(f"/api/declarations/{declaration['id']}/evidence", {"file": _file("假.png", PDF)})
    assert bad.status_code == 400 and "与扩展名不符" in bad.json()["error"]
    _post(enterprise, f"/api/declarations/{declaration['id']}/commitment", {"signer_name": "张伟"})
    ready = _post(enterprise, f"/api/declarations/{declaration['id']}/document", {}).json()
    assert {a["action"] for a in ready["allowed_actions"]} == {"declaration.submit", "declaration.withdraw"}
    checks = enterprise.get(f"/api/declarations/{declaration['id']}/self-check").json()
    assert checks[0]["industry_code"] == "cement" and "available" in checks[0]
    assert _move(enterprise, declaration["id"], "declaration.submit").json()["state"] == "submitted"
    # Edits after submission are refused through the API too.
    patch = enterprise.patch(
        f"/api/declarations/{declaration['id']}",
        data=json.dumps({"items": [{"industry_code": "cement", "target_grade": "B"}]}),
        content_type="application/json",
    )
    assert patch.status_code == 400 and "申报已提交" in patch.json()["error"]
    county = _client(users["county"])
    assert [a["action"] for a in county.get(f"/api/declarations/{declaration['id']}").json()["allowed_actions"]] == [
        "declaration.county_accept"
    ]
    wrong_role = _move(city, declaration["id"], "declaration.county_accept")
    assert wrong_role.status_code == 403 and "市级审核角色无权" in wrong_role.json()["error"]
    accepted = _move(county, declaration["id"], "declaration.county_accept")
    assert accepted.status_code == 200
    # The declared response schema keeps the event keys the API always had (`from` is a Python keyword).
    event = accepted.json()["events"][-1]
    assert set(event) == {"action", "from", "to", "reviewer", "role", "opinion", "grade", "at", "seal"}
    assert (event["from"], event["to"]) == ("submitted", "county_review")
    stale = _post(
        county,
        f"/api/declarations/{declaration['id']}/transitions",
        {"action": "declaration.county_return", "expected_state": "submitted", "opinion": "x"},
    )
    assert stale.status_code == 409
    missing_opinion = _move(county, declaration["id"], "declaration.county_return")
    assert missing_opinion.status_code == 403 and "审核意见" in missing_opinion.json()["error"]
    queue = county.get("/api/declarations/queue").json()
    assert [t["declaration_id"] for t in queue] == [declaration["id"]]
    # Cement is a building-materials industry: the 3rd H21-4 batch, due 9/15.
    assert queue[0]["due"].startswith("2099-09-15")


def _file(name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def _out_of_scope_calls(users: dict[str, Any], declaration: Declaration) -> list[tuple[str, str, dict[str, Any]]]:
    d = declaration.pk
    return [
        ("get", f"/api/declarations/{d}", {}),
        ("patch", f"/api/declarations/{d}", {"is_guarantee": True}),
        ("post", f"/api/declarations/{d}/commitment", {"signer_name": "外人"}),
        ("post", f"/api/declarations/{d}/document", {}),
        ("get", f"/api/declarations/{d}/self-check", {}),
        (
            "post",
            f"/api/declarations/{d}/transitions",
            {"action": "declaration.county_accept", "expected_state": "submitted"},
        ),
        ("post", f"/api/declarations/{d}/onsite", {}),
        (
            "post",
            "/api/declarations/campaigns",
            {"name": "越权批次", "region": "410100", "application_deadline": "2099-01-01T00:00:00+08:00"},
        ),
        ("post", f"/api/declarations/campaigns/{declaration.campaign_id}/cutoff", {}),
        ("post", f"/api/declarations/campaigns/{declaration.campaign_id}/sample", {"city": "410100"}),
        ("get", f"/api/grades/enterprises/{declaration.enterprise_id}", {}),
        (
            "post",
            "/api/grades/downgrades",
            {
                "site_id": declaration.site_id,
                "industry_code": "cement",
                "reason_code": "excess_emission",
                "description": "x",
                "to_grade": "D",
            },
        ),
        (
            "post",
            "/api/grades/windows",
            {"region": "410100", "period": 2099, "opens": "2099-10-01", "closes": "2099-10-31"},
        ),
        (
            "post",
            "/api/grades/rectifications",
            {"site_id": declaration.site_id, "problem": "x", "deadline": "2099-01-01"},
        ),
        (
            "post",
            "/api/grades/lookbacks",
            {"region": "410100", "year": 2099, "qualification_due": "2099-06-30", "onsite_due": "2099-07-31"},
        ),
        ("get", "/api/public/staff/monthly-report?region=410100&year=2099&month=1", {}),
        *_onsite_calls(users, declaration),
    ]


def _onsite_calls(users: dict[str, Any], declaration: Declaration) -> list[tuple[str, str, dict[str, Any]]]:
    check = declaration.onsite_checks.get(level="county").pk
    return [
        (
            "post",
            f"/api/declarations/onsite/{check}/findings",
            {"industry_code": "cement", "indicator_id": "x", "result": "met"},
        ),
        ("post", f"/api/declarations/onsite/{check}/sign", {"conclusion": "consistent", "signature_name": "外人"}),
        ("post", f"/api/declarations/onsite/{check}/experts/1", {}),
        ("post", "/api/declarations/experts", {"user_id": users["expert"].pk, "region": "410100"}),
    ]


@pytest.mark.parametrize("who", ["other_city", "other_enterprise_user", "expert"])
def test_every_endpoint_refuses_out_of_scope_callers(users: dict[str, Any], who: str) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(ready_declaration(users["enterprise"], campaign), "submitted", users["county"])
    client = _client(users[who])
    audits = AuditRecord.objects.count()
    for method, url, body in _out_of_scope_calls(users, declaration):
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code in (403, 404), (url, response.status_code, response.content[:200])
        assert response.json()["error"], url
    assert AuditRecord.objects.count() == audits
    assert Declaration.objects.get(pk=declaration.pk).state == "submitted"
    assert not GradeRecord.objects.exists()


def test_anonymous_callers_get_401_on_workflow_endpoints(users: dict[str, Any]) -> None:
    assert Client().get("/api/declarations/").status_code == 401
    assert Client().get("/api/grades/").status_code == 401
    assert Client().get("/api/public/staff/objections").status_code == 401
    assert Client().get("/api/public/grades.json").status_code == 200


def test_detail_page_names_actions_roles_and_findings_in_chinese(users: dict[str, Any]) -> None:
    from django.test import Client
    from workflow_helpers import act, make_campaign, ready_declaration

    from airgrade.platform.declarations import services

    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    act(users["enterprise"], declaration, "declaration.submit")
    act(users["county"], declaration, "declaration.county_accept")
    check = services.open_onsite_check(users["county"], declaration.pk)
    item = next(item for section in check.checklist for item in section["items"])
    services.record_finding(
        users["county"], check.pk, industry_code=item["industry_code"], indicator_id=item["indicator_id"], result="met"
    )
    client = Client()
    client.force_login(users["county"])
    page = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert "县级审核" in page and "企业" in page
    assert ">declaration.submit<" not in page and f">{item['label']}<" in page


def test_expert_registration_route_is_reachable(users: dict[str, Any]) -> None:
    # /experts used to be swallowed by /{declaration_id} (GET/PATCH only) and answered 405.
    city = _client(users["city"])
    response = _post(city, "/api/declarations/experts", {"user_id": users["expert"].pk, "region": "410100"})
    assert response.status_code == 201, response.content[:200]
