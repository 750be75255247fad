"""The expert pool page (issue 15): the city and province register experts, see their on-site assignments and
blacklist them with a reason; counties, enterprises and experts have no such page; out of scope is not found."""

from __future__ import annotations

from typing import Any

import pytest
from tests.platform.page_client import client_for, text

from airgrade.core.types import Role
from airgrade.platform.accounts.models import User
from airgrade.platform.declarations.models import ExpertProfile

pytestmark = pytest.mark.django_db


def test_register_list_and_blacklist(users: dict[str, Any]) -> None:
    spare = User.objects.create(username="expert-wang", first_name="王专家", role=Role.EXPERT.value)
    city = client_for(users["city"])
    form = text(city.get("/declarations/experts/register/"))
    assert "王专家" in form and "确认登记专家" in form
    refused = city.post("/declarations/experts/register/", {"region": "410100", "expert_user_id": ""})
    assert refused.status_code == 400 and 'id="error-expert_user_id"' in text(refused)
    done = city.post(
        "/declarations/experts/register/", {"region": "410100", "expert_user_id": str(spare.pk), "specialty": "cement"}
    )
    assert done.status_code == 302
    profile = ExpertProfile.objects.get(user=spare)
    listed = text(city.get("/declarations/experts/"))
    assert "王专家" in listed and "水泥" in listed and "可分配" in listed

    blacklist = f"/declarations/experts/{profile.pk}/blacklist/"
    refused = city.post(blacklist, {"reason": ""})
    assert refused.status_code == 400 and "须写明列入黑名单的事由" in text(refused)
    assert city.post(blacklist, {"reason": "收受企业礼品"}).status_code == 302
    profile.refresh_from_db()
    assert profile.blacklisted
    assert "收受企业礼品" in text(client_for(users["province"]).get("/declarations/experts/"))

    for who in ("other_city", "other_county", "county", "enterprise", "expert"):
        assert client_for(users[who]).post(blacklist, {"reason": "x"}).status_code == 404, who
        assert "王专家" not in text(client_for(users[who]).get("/declarations/experts/")), who
    for who in ("county", "enterprise", "expert"):
        assert client_for(users[who]).get("/declarations/experts/").status_code == 404, who
    assert "/accounts/login/" in client_for().get("/declarations/experts/")["Location"]
    # Another city posting this city's code is refused by the service.
    other = User.objects.create(username="expert-li", role=Role.EXPERT.value)
    answer = client_for(users["other_city"]).post(
        "/declarations/experts/register/", {"region": "410100", "expert_user_id": str(other.pk)}
    )
    assert answer.status_code == 403 and not ExpertProfile.objects.filter(user=other).exists()
