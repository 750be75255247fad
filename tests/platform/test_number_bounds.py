"""Numbers are bounded by their own columns at the edge, and a record never becomes unreadable (issue 8, defect 3).

The bounds come from the model fields (airgrade.platform.numbers): an oversized, infinite or NaN number is refused
with a Chinese message naming the field, on the API and on page forms; a value stored out of range before this
check existed (SQLite keeps whatever it was given) still reads, so the record can be corrected in the platform.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from tests.platform.emergency.emergency_platform_builders import payload

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.enterprises.models import ProductionLine

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = ["99999999999999999999", "1e30", "Infinity", "NaN", "1e400", "-Infinity"]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _raw_json(body: dict[str, Any], number: str) -> str:
    # Infinity, NaN and 1e400 are what a hostile client can send; json.dumps cannot write all of them.
    return json.dumps(body).replace('"@NUMBER@"', number)


@pytest.mark.parametrize("number", HUGE)
def test_api_refuses_a_capacity_its_column_cannot_hold(users: dict[str, Any], number: str) -> None:
    site = users["own_enterprise"].sites.get()
    county = _client(users["county"])
    audited = AuditRecord.objects.count()
    body = {"name": "3#线", "capacity": "@NUMBER@", "capacity_unit": "t/d"}
    response = county.post(
        f"/api/enterprises/sites/{site.pk}/lines", _raw_json(body, number), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "capacity" and error["message"].startswith("产能"), error
    assert "e+" not in error["message"].lower()
    line = site.lines.get()
    patched = county.patch(
        f"/api/enterprises/lines/{line.pk}",
        _raw_json({"capacity": "@NUMBER@"}, number),
        content_type="application/json",
    )
    assert patched.status_code == 422
    assert site.lines.count() == 1 and AuditRecord.objects.count() == audited
    assert county.get(f"/api/enterprises/{users['own_enterprise'].pk}").status_code == 200


def test_line_form_refuses_an_oversized_capacity_with_the_field_named(users: dict[str, Any]) -> None:
    line = users["own_enterprise"].sites.get().lines.get()
    form = {"name": line.name, "kind": "line", "status": "running", "capacity_unit": "t/d"}
    page = _client(users["county"]).post(
        f"/enterprises/lines/{line.pk}/edit/", {**form, "capacity": "99999999999999999999"}
    )
    assert page.status_code == 200 and "产能超出允许范围" in page.content.decode()
    line.refresh_from_db()
    assert line.capacity == 4000


@pytest.mark.parametrize("number", ["Infinity", "1e400", "NaN", "1e30"])
def test_emergency_entry_refuses_non_finite_numbers_naming_the_field(users: dict[str, Any], number: str) -> None:
    site = users["own_enterprise"].sites.get()
    body = {"data": payload(transport_volume_t="@NUMBER@"), "reason": ""}
    response = _client(users["enterprise"]).put(
        f"/api/emergency/sites/{site.pk}/years/2024", _raw_json(body, number), content_type="application/json"
    )
    if number == "1e30":  # finite and within a double: stored and read back
        assert response.status_code == 200, response.content
        return
    assert response.status_code == 400, response.content
    # Named by its label, or (NaN, refused by the core's own range check first) by its key in the list file.
    assert "年运输量" in response.json()["error"] or "transport.annual_volume_t" in response.json()["error"]


def test_emergency_line_numbers_are_checked_against_their_columns(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.get()
    data = payload()
    data["lines"][0]["eia_capacity"] = "@NUMBER@"
    response = _client(users["enterprise"]).put(
        f"/api/emergency/sites/{site.pk}/years/2024",
        _raw_json({"data": data}, "Infinity"),
        content_type="application/json",
    )
    assert response.status_code == 400 and "1号熟料生产线" in response.json()["error"], response.content


def test_a_stored_out_of_range_capacity_still_reads(users: dict[str, Any]) -> None:
    enterprise = users["own_enterprise"]
    line = enterprise.sites.get().lines.get()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ProductionLine._meta.db_table} SET capacity = 99999999999999999999 WHERE id = %s", [line.pk]
            )
    except DatabaseError:
        # PostgreSQL's numeric(16, 3) refuses it: such a record cannot exist there.
        assert connection.vendor == "postgresql"
        return
    county = _client(users["county"])
    assert county.get(f"/api/enterprises/{enterprise.pk}").status_code == 200
    assert county.get(f"/enterprises/{enterprise.pk}/").status_code == 200
    edit = county.get(f"/enterprises/lines/{line.pk}/edit/")
    assert edit.status_code == 200
    form = {"name": line.name, "kind": "line", "status": "running", "capacity_unit": "t/d", "capacity": "4500"}
    assert county.post(f"/enterprises/lines/{line.pk}/edit/", {**form, "reason": "更正产能"}).status_code == 302
    line.refresh_from_db()
    assert line.capacity == 4500
