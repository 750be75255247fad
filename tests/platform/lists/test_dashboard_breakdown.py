"""The emergency dashboard one level down (issue 15): a city by county, the province by city, inside scope only."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from tests.platform.emergency.emergency_platform_builders import payload, site_of

from airgrade.platform.emergency import services

pytestmark = pytest.mark.django_db


def _chart(user: Any) -> tuple[dict[str, Any], str]:
    client = Client()
    client.force_login(user)
    page = client.get("/emergency/dashboard/?level=red").content.decode()
    data = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert data is not None
    return json.loads(data.group(1)), page


@pytest.fixture
def entries(users: dict[str, Any]) -> None:
    services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="C"))
    services.save_entry(users["other_enterprise_user"], site_of(users["other_enterprise"]).pk, 2024, payload())
    services.save_entry(users["province"], site_of(users["far_enterprise"]).pk, 2024, payload(grade="C"))


def test_city_by_county(users: dict[str, Any], entries: None) -> None:
    chart, page = _chart(users["city"])
    assert chart["parts"] == ["巩义市", "荥阳市"]
    assert all(len(values) == 2 for values in chart["part_reduction"].values())
    assert 'id="chart-parts"' in page and "各区县" in page and "洛阳" not in page
    assert 'id="chart-cities"' not in page  # one city: no one-bar city chart


def test_province_by_city(users: dict[str, Any], entries: None) -> None:
    chart, page = _chart(users["province"])
    assert chart["parts"] == ["郑州市", "洛阳市"]
    assert "各城市" in page and 'id="part-table"' in page
    # Zhengzhou's row adds up its two counties.
    city_chart, _ = _chart(users["city"])
    assert chart["part_reduction"]["NOx"][0] == pytest.approx(sum(city_chart["part_reduction"]["NOx"]))


def test_county_sees_itself_only(users: dict[str, Any], entries: None) -> None:
    chart, page = _chart(users["county"])
    assert chart["parts"] == ["巩义市"] and "荥阳" not in page
