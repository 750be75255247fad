"""Scope at the edges (issue 8, defects 5 and 6): out of scope is 404 before any other check, and nobody chooses
their own reviewer by placing a site in another county. Request-shaped, so with real transactions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.conftest import HOME_COUNTY, OTHER_CITY_COUNTY, OTHER_COUNTY
from tests.platform.declarations.workflow_helpers import make_campaign, ready_declaration

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.enterprises.models import Site

pytestmark = pytest.mark.django_db(transaction=True)

MISSING = 987654321


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _site(client: Client, enterprise: Any, **body: Any) -> Any:
    return client.post(
        f"/api/enterprises/{enterprise.pk}/sites", {"name": "二厂区", **body}, content_type="application/json"
    )


def test_a_site_lies_in_the_enterprise_county_unless_a_city_places_it_with_a_reason(users: dict[str, Any]) -> None:
    own = users["own_enterprise"]
    for who in ("enterprise", "county"):
        refused = _site(_client(users[who]), own, region=OTHER_COUNTY)
        assert refused.status_code == 400 and refused.json()["field"] == "region", who
    city = _client(users["city"])
    assert _site(city, own, region=OTHER_COUNTY).json()["field"] == "reason"
    assert _site(city, own, region=OTHER_CITY_COUNTY, reason="跨市").json()["field"] == "region"
    assert not Site.objects.filter(name="二厂区").exists()

    plain = _site(_client(users["enterprise"]), own)
    assert plain.status_code == 201 and plain.json()["region"] == HOME_COUNTY
    placed = _site(city, own, name="三厂区", region=OTHER_COUNTY, reason="厂区实际位于荥阳，经市局核实")
    assert placed.status_code == 201 and placed.json()["region"] == OTHER_COUNTY
    record = AuditRecord.objects.get(action="site.create", object_id=str(placed.json()["id"]))
    assert record.reason == "厂区实际位于荥阳，经市局核实" and record.after["region_id"] == OTHER_COUNTY


def test_a_transition_out_of_scope_is_404_whatever_the_state(users: dict[str, Any]) -> None:
    declaration = ready_declaration(users["enterprise"], make_campaign(users["city"]))
    url = f"/api/declarations/{declaration.pk}/transitions"
    outsider = _client(users["other_county"])
    stale = outsider.post(
        url, {"action": "declaration.county_accept", "expected_state": "submitted"}, content_type="application/json"
    )
    missing = outsider.post(
        f"/api/declarations/{MISSING}/transitions",
        {"action": "declaration.county_accept", "expected_state": "submitted"},
        content_type="application/json",
    )
    assert (stale.status_code, stale.json()["error"]) == (missing.status_code, missing.json()["error"])
    assert stale.status_code == 404 and "草稿" not in stale.json()["error"]


@pytest.mark.parametrize("who", ["other_county", "other_city", "other_enterprise_user", "expert"])
def test_existing_out_of_scope_objects_answer_like_missing_ones(users: dict[str, Any], who: str) -> None:
    from airgrade.platform.emergency import services as emergency

    own = users["own_enterprise"]
    site = own.sites.get()
    line = site.lines.get()
    emergency.save_entry(users["enterprise"], site.pk, 2024, _entry())
    client = _client(users[who])
    for existing, missing in (
        (f"/api/grades/enterprises/{own.pk}", f"/api/grades/enterprises/{MISSING}"),
        (f"/enterprises/{own.pk}/edit/", f"/enterprises/{MISSING}/edit/"),
        (f"/enterprises/lines/{line.pk}/edit/", f"/enterprises/lines/{MISSING}/edit/"),
        (f"/emergency/sites/{site.pk}/2024/edit/", f"/emergency/sites/{MISSING}/2024/edit/"),
    ):
        seen, ghost = client.get(existing), client.get(missing)
        assert seen.status_code == ghost.status_code == 404, (existing, seen.status_code, ghost.status_code)


def _entry() -> dict[str, Any]:
    from tests.platform.emergency.emergency_platform_builders import payload

    return payload()


def test_only_the_reviewing_bureau_removes_a_list_entry_with_a_reason(users: dict[str, Any]) -> None:
    from airgrade.platform.emergency import services as emergency
    from airgrade.platform.emergency.models import ListEntry

    entry = emergency.save_entry(users["enterprise"], users["own_enterprise"].sites.get().pk, 2024, _entry())
    url = f"/api/emergency/entries/{entry.pk}"
    assert _client(users["enterprise"]).delete(f"{url}?reason=不想上清单").status_code == 403
    county = _client(users["county"])
    assert county.delete(url).json()["field"] == "reason"
    assert ListEntry.objects.filter(pk=entry.pk).exists()
    assert county.delete(f"{url}?reason=企业已关停，清单修订").status_code == 200
    assert not ListEntry.objects.filter(pk=entry.pk).exists()
    record = AuditRecord.objects.get(action="emergency.list.delete", object_id=str(entry.pk))
    assert record.reason == "企业已关停，清单修订"
