"""The city's objection pages (issue 15): the city lists the citizens' objections, records its investigation and
closes with a public result that the public status page then shows; the province reads; everyone else is not found."""

from __future__ import annotations

from typing import Any

import pytest
from tests.platform.declarations.workflow_helpers import province_verified
from tests.platform.page_client import client_for, text

from airgrade.platform.disclosure import services
from airgrade.platform.disclosure.models import Objection

pytestmark = pytest.mark.django_db


@pytest.fixture
def objection(users: dict[str, Any]) -> Objection:
    province_verified(users)
    question, token = services.new_captcha()
    a, b = question.split(" = ")[0].split(" + ")
    return services.file_objection(
        enterprise_id=users["own_enterprise"].pk,
        content="该企业料场未封闭，与B级不符",
        captcha_token=token,
        captcha_answer=str(int(a) + int(b)),
        client_address="10.0.0.9",
    )


def test_city_investigates_and_publishes_the_result(users: dict[str, Any], objection: Objection) -> None:
    city = client_for(users["city"])
    detail = f"/objections/{objection.pk}/"
    assert detail in text(city.get("/"))  # the home work queue links to it
    listed = text(city.get("/objections/"))
    assert objection.reference in listed and users["own_enterprise"].name in listed and "已受理" in listed
    page = text(city.get(detail))
    assert "料场未封闭" in page and "objection-close" in page

    investigate = f"/objections/{objection.pk}/investigate/"
    refused = city.post(investigate, {"investigation": " "})
    assert refused.status_code == 400 and 'id="error-investigation"' in text(refused)
    assert city.post(investigate, {"investigation": "已派员现场核查"}).status_code == 302
    objection.refresh_from_db()
    assert objection.status == "investigating"

    close = f"/objections/{objection.pk}/close/"
    form = text(city.get(close))
    assert "已派员现场核查" in form and "公开查询页" in form  # the investigation so far is pre-filled
    refused = city.post(close, {"investigation": "现场核查属实", "result": ""})
    assert refused.status_code == 400 and "办结须填写公开的处理结果" in text(refused)
    assert "现场核查属实" in text(refused)
    assert city.post(close, {"investigation": "现场核查属实", "result": "已责令企业限期封闭料场"}).status_code == 302
    public = text(client_for().get(f"/public/objections/{objection.reference}/"))
    assert "已办结" in public and "已责令企业限期封闭料场" in public and "现场核查属实" not in public
    assert "objection-close" not in text(city.get(detail))
    assert detail not in text(city.get("/"))


def test_objection_pages_by_role(users: dict[str, Any], objection: Objection) -> None:
    detail = f"/objections/{objection.pk}/"
    province = client_for(users["province"])
    assert objection.reference in text(province.get("/objections/"))
    assert "objection-close" not in text(province.get(detail))  # reads, does not handle
    refused = province.post(f"/objections/{objection.pk}/close/", {"investigation": "x", "result": "y"})
    assert refused.status_code == 403
    assert objection.reference not in text(client_for(users["other_city"]).get("/objections/"))
    for who in ("county", "other_county", "other_city", "enterprise", "expert"):
        assert client_for(users[who]).get(detail).status_code == 404, who
        assert client_for(users[who]).post(f"/objections/{objection.pk}/close/", {}).status_code == 404, who
    for who in ("county", "enterprise", "expert"):
        assert client_for(users[who]).get("/objections/").status_code == 404, who
    assert "/accounts/login/" in client_for().get(detail)["Location"]
    assert client_for(users["city"]).get(f"/objections/{objection.pk}/delete/").status_code == 404
    objection.refresh_from_db()
    assert objection.status == "received"
