"""Rectification orders on the list mechanism (ADR 0006): filters and export keep to the caller's scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from tests.conftest import OTHER_COUNTY

from airgrade.platform.grades import services

pytestmark = pytest.mark.django_db


def _rows(user: Any, query: str = "") -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/grades/rectifications/?export=csv{query}")
    assert response.status_code == 200
    return {row["企业"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


@pytest.fixture
def orders(users: dict[str, Any]) -> None:
    deadline = services.today() + dt.timedelta(days=30)
    for key, who in (("own_enterprise", "county"), ("other_enterprise", "other_county")):
        site = users[key].sites.get()
        services.order_rectification(users[who], site_id=site.pk, problem="料场苫盖不全", deadline=deadline)


def test_rectification_export_keeps_to_scope_and_filters(users: dict[str, Any], orders: None) -> None:
    assert _rows(users["county"]) == {"本县企业"}
    assert _rows(users["other_county"]) == {"邻县企业"}
    assert _rows(users["enterprise"]) == {"本县企业"}
    assert _rows(users["other_city"]) == set()
    assert _rows(users["city"]) == {"本县企业", "邻县企业"}
    assert _rows(users["city"], f"&region={OTHER_COUNTY}") == {"邻县企业"}
    assert _rows(users["city"], "&q=本县") == {"本县企业"}
    assert _rows(users["city"], "&status=closed") == set()
    client = Client()
    client.force_login(users["county"])
    assert client.get(f"/grades/rectifications/?region={OTHER_COUNTY}").status_code == 400  # not its region
