"""Logistics parks and freight hubs (issue 11; REQ SJZ-6): the county or city registers one (name, region, operator,
address); it runs the same registers, gates and ledger page as an enterprise's site, shows in the /gates/ list with its
own label, and is never graded (no industry)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from airgrade.core.credit_code import make as make_credit_code
from airgrade.platform.errors import AccessDenied, ServiceError
from airgrade.platform.gates import services
from airgrade.platform.gates.models import LogisticsPark

pytestmark = pytest.mark.django_db(transaction=True)

OPERATOR_CODE = make_credit_code("91410181MA0000001")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _data(**more: Any) -> dict[str, Any]:
    return {
        "kind": "park",
        "name": "巩义东站物流园",
        "region": "410181",
        "operator": "巩义陆港物流有限公司",
        "operator_credit_code": OPERATOR_CODE,
        "address": "巩义市站街镇",
        **more,
    }


def test_the_county_registers_a_park_that_runs_the_same_ledger(users: dict[str, Any]) -> None:
    client = _client(users["county"])
    form = client.get("/gates/parks/new/").content.decode()
    assert "登记物流园区/货运枢纽" in form and "物流园区" in form and "货运枢纽" in form
    answer = client.post("/gates/parks/new/", _data())
    park = LogisticsPark.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/gates/sites/{park.site_id}/"
    site = park.site
    assert site.name == "巩义东站物流园" and site.region_id == "410181" and site.address == "巩义市站街镇"
    assert site.enterprise.name == "巩义陆港物流有限公司" and not site.industries.exists()  # never graded
    # The same machinery: a gate, a register row, records, figures, verification.
    device, _ = services.register_device(users["county"], site.pk, {"code": "P1", "entrance": "园区北门"})
    services.save_vehicle(
        users["county"], site.pk, {"kind": "road", "plate": "豫A12345", "stage": "国六", "fuel": "diesel"}
    )
    services.ingest(device, [{"seq": 1, "plate": "豫A12345", "direction": "in", "time": "2026-05-04T08:00"}])
    assert services.verify(site).ok
    page = client.get(f"/gates/sites/{site.pk}/").content.decode()
    assert "物流园区" in page and "不参与绩效分级" in page and "园区北门" in page
    listing = client.get("/gates/").content.decode()
    assert "巩义东站物流园" in listing and '<span class="badge">物流园区</span>' in listing
    assert "登记物流园区/货运枢纽" in listing
    # Out of scope: the park is not found, and not listed.
    assert _client(users["other_county"]).get(f"/gates/sites/{site.pk}/").status_code == 404
    assert "巩义东站物流园" not in _client(users["other_county"]).get("/gates/").content.decode()


def test_a_freight_hub_of_a_known_operator_and_bad_input(users: dict[str, Any]) -> None:
    own = users["own_enterprise"]
    hub = services.register_park(
        users["city"],
        _data(kind="hub", name="巩义公铁联运枢纽", operator="本县企业", operator_credit_code=own.credit_code),
    )
    assert hub.get_kind_display() == "货运枢纽" and hub.site.enterprise == own
    answer = _client(users["county"]).post("/gates/parks/new/", _data(kind="depot"))
    assert answer.status_code == 400 and "请选择类别" in answer.content.decode()
    assert "巩义东站物流园" in answer.content.decode()  # what was typed stays
    with pytest.raises(ServiceError, match="名称不能为空"):
        services.register_park(users["county"], _data(name=" "))
    with pytest.raises(AccessDenied):
        services.register_park(users["county"], _data(region="410182"))  # a neighbouring county
    with pytest.raises(AccessDenied):
        services.register_park(users["enterprise"], _data())
    assert _client(users["enterprise"]).get("/gates/parks/new/").status_code == 403
    assert LogisticsPark.objects.count() == 1
