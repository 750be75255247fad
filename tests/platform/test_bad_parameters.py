"""Junk in query strings and bodies is refused with a Chinese message, never a 500 (issue 8, defect 7).

Region filters go through one parser (airgrade.platform.params); years and months too; a body over Django's
DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 on pages and the API; a JSON string with a lone surrogate answers 400.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BAD_REGIONS = ["abc", "41", "4101001", "999999"]


def _client(user: Any = None, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _refused(response: Any, status: int = 400) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    text = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        text = json.dumps(response.json(), ensure_ascii=False)
    assert "Traceback" not in text and "系统内部错误" not in text
    return text


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_public_open_data_refuses_a_bad_region_anonymously(users: dict[str, Any], region: str) -> None:
    for url in ("/api/public/grades.json", "/api/public/grades.csv"):
        body = json.loads(_refused(Client().get(url, {"region": region})))
        assert body["field"] == "region" and "行政区划代码" in body["error"]


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_staff_lists_refuse_a_bad_region(users: dict[str, Any], region: str) -> None:
    city = _client(users["city"])
    for url in (
        "/enterprises/",
        "/api/enterprises/",
        "/emergency/",
        "/api/emergency/entries",
        "/api/declarations/campaigns",
    ):
        assert "行政区划代码" in _refused(city.get(url, {"region": region})), url


@pytest.mark.parametrize(("year", "month"), [(2026, 13), (2026, 0), (0, 1), (-1, 1), (99999, 1)])
def test_monthly_campaigns_and_reports_refuse_impossible_months(users: dict[str, Any], year: int, month: int) -> None:
    city = _client(users["city"])
    created = city.post(
        "/api/declarations/campaigns/monthly",
        {"region": "410100", "year": year, "month": month},
        content_type="application/json",
    )
    assert "须在" in _refused(created)
    query = {"region": "410100", "year": year, "month": month}
    assert "须在" in _refused(city.get("/api/public/staff/monthly-report", query))
    assert "须在" in _refused(city.get("/public/monthly-report/", query))


def test_the_province_sees_its_cities_campaigns_without_naming_a_region(users: dict[str, Any]) -> None:
    from tests.platform.declarations.workflow_helpers import make_campaign

    campaign = make_campaign(users["city"])
    province = _client(users["province"])
    assert [c["id"] for c in province.get("/api/declarations/campaigns").json()] == [campaign.pk]
    assert [c["id"] for c in province.get("/api/declarations/campaigns", {"region": "410100"}).json()] == [campaign.pk]
    assert province.get("/api/declarations/campaigns", {"region": "410300"}).json() == []
    assert _client(users["other_city"]).get("/api/declarations/campaigns").json() == []


OVERSIZED = "举" * (1024 * 1024)  # 3 MB of UTF-8, over the 2.5 MB limit


def test_an_oversized_json_body_is_413_for_anyone(users: dict[str, Any]) -> None:
    body = json.dumps({"enterprise_id": 1, "content": OVERSIZED, "captcha_token": "x", "captcha_answer": "1"})
    response = Client().post("/api/public/objections", body, content_type="application/json")
    assert "上限" in json.loads(_refused(response, 413))["error"]


def test_an_oversized_form_is_413_on_pages(users: dict[str, Any]) -> None:
    form = {"username": "x", "password": OVERSIZED}
    # The view reads the form itself (test clients skip CSRF) …
    assert "上限" in _refused(Client().post("/accounts/login/", form), 413)
    # … or the CSRF middleware reads it first (the browser holds a CSRF cookie), before any view runs.
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    assert "上限" in _refused(browser.post("/accounts/login/", form), 413)
    line = users["own_enterprise"].sites.get().lines.get()
    city = _client(users["city"])
    assert "上限" in _refused(city.post(f"/enterprises/lines/{line.pk}/edit/", {"name": OVERSIZED}), 413)


def test_a_lone_surrogate_in_json_is_400(users: dict[str, Any]) -> None:
    raw = '{"enterprise_id": 1, "content": "\\ud800 这是一条足够长的举报内容", "captcha_token": "x", "captcha_answer": "1"}'
    response = Client().post("/api/public/objections", raw, content_type="application/json")
    assert "UTF-8" in json.loads(_refused(response))["error"]
    city = _client(users["city"])
    line = users["own_enterprise"].sites.get().lines.get()
    patched = city.patch(f"/api/enterprises/lines/{line.pk}", '{"name": "\\udfff"}', content_type="application/json")
    _refused(patched)
    line.refresh_from_db()
    assert line.name == "1#熟料线"
