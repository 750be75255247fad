"""Declaration and campaign pages refuse callers out of scope (other county, city, enterprise, expert, anonymous)
and change nothing; a campaign page shows only the cut-off records and sample draws the caller may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.platform.declarations.workflow_helpers import PDF, force_state, make_campaign, ready_declaration

from airgrade.core.types import Role
from airgrade.platform.accounts.models import User
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Campaign, Declaration

pytestmark = pytest.mark.django_db


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _far_enterprise_user(users: dict[str, Any]) -> Any:
    return User.objects.create(username="ent-far", role=Role.ENTERPRISE.value, enterprise=users["far_enterprise"])


@pytest.mark.parametrize("who", ["other_county", "other_city", "other_enterprise_user", "expert"])
def test_declaration_pages_refuse_out_of_scope_callers(users: dict[str, Any], who: str) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(ready_declaration(users["enterprise"], campaign), "submitted", users["county"])
    check = declaration.onsite_checks.first()
    client = _client(users[who])
    d = declaration.pk
    audits = AuditRecord.objects.count()
    assert client.get(f"/declarations/{d}/").status_code == 404
    assert client.get(f"/declarations/{d}/document/").status_code == 404
    action = client.post(
        f"/declarations/{d}/action/",
        {"action": "declaration.county_accept", "expected_state": "submitted", "expected_version": "x"},
    )
    assert action.status_code == 404
    # The form posts redirect back with the service's refusal as a message; nothing is written.
    client.post(f"/declarations/{d}/prepare/", {"step": "commitment", "signer_name": "外人"})
    client.post(f"/declarations/{d}/prepare/", {"step": "evidence", "file": _upload()})
    client.post(f"/declarations/{d}/onsite/", {"step": "open"})
    client.post(
        f"/declarations/{d}/onsite/",
        {"step": "finding", "check": check.pk, "industry_code": "cement", "indicator_id": "x", "result": "met"},
    )
    assert AuditRecord.objects.count() == audits
    assert Declaration.objects.get(pk=d).state == "submitted"
    assert declaration.evidence.count() == 1


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("外人.pdf", PDF)


def test_declaration_pages_send_anonymous_callers_to_login(users: dict[str, Any]) -> None:
    declaration = ready_declaration(users["enterprise"], make_campaign(users["city"]))
    for url in (f"/declarations/{declaration.pk}/", f"/declarations/{declaration.pk}/document/", "/declarations/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_malformed_numbers_in_forms_are_refused_without_a_trace(users: dict[str, Any]) -> None:
    declaration = force_state(
        ready_declaration(users["enterprise"], make_campaign(users["city"])), "submitted", users["county"]
    )
    county = _client(users["county"])
    response = county.post(
        f"/declarations/{declaration.pk}/action/",
        {
            "action": "declaration.county_accept",
            "expected_state": "submitted",
            "expected_version": "abc",
            "confirmed": "1",
        },
    )
    # The confirmation step comes back with the reason.
    assert response.status_code == 400 and "版本" in response.content.decode()
    assert Declaration.objects.get(pk=declaration.pk).state == "submitted"
    response = county.post(f"/declarations/{declaration.pk}/onsite/", {"step": "finding", "check": "x"}, follow=True)
    assert response.status_code == 200 and "现场核查" in response.content.decode()
    enterprise = _client(users["enterprise"])
    response = enterprise.post("/declarations/new/", {"site": "abc", "campaign": "1x"}, follow=True)
    assert response.status_code == 200
    city = _client(users["city"])
    response = city.post(f"/declarations/campaigns/{declaration.campaign_id}/", {"step": "sample", "seed": "x"})
    assert response.status_code == 302


def test_campaign_page_shows_only_what_the_caller_may_see(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    Campaign.objects.filter(pk=campaign.pk).update(application_deadline=timezone.now() - dt.timedelta(days=1))
    services.run_cutoff(users["city"], campaign.pk)
    names = set(campaign.cutoff_records.values_list("enterprise__name", flat=True))
    assert names == {"本县企业", "邻县企业"}
    url = f"/declarations/campaigns/{campaign.pk}/"
    city_page = _client(users["city"]).get(url).content.decode()
    assert "本县企业" in city_page and "邻县企业" in city_page
    own_page = _client(users["enterprise"]).get(url).content.decode()
    assert "本县企业" in own_page and "邻县企业" not in own_page
    county_page = _client(users["county"]).get(url).content.decode()
    assert "本县企业" in county_page and "邻县企业" not in county_page
    for who in ("other_city", "expert"):
        assert _client(users[who]).get(url).status_code == 404, who
        assert _client(users[who]).get(f"/api/declarations/campaigns/{campaign.pk}/applications").status_code == 404
    assert _client(_far_enterprise_user(users)).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_campaign_list_api_keeps_to_the_callers_region(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    assert [c["id"] for c in _client(users["enterprise"]).get("/api/declarations/campaigns").json()] == [campaign.pk]
    assert _client(users["province"]).get("/api/declarations/campaigns?region=410100").json()[0]["id"] == campaign.pk
    assert _client(users["other_city"]).get("/api/declarations/campaigns?region=410100").json() == []
    assert _client(users["expert"]).get("/api/declarations/campaigns?region=410100").json() == []
    far = _client(_far_enterprise_user(users)).get("/api/declarations/campaigns?region=410100").json()
    assert far == []
