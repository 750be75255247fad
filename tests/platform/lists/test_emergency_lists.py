"""Emergency lists on the list mechanism (ADR 0006): list entries, alerts and an alert's tasks are filtered, paged
and exported only inside the caller's scope; the alert page counts acknowledgements."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from tests.conftest import HOME_COUNTY, OTHER_COUNTY
from tests.platform.emergency.emergency_platform_builders import payload, site_of

from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import AlertEvent

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def alert(users: dict[str, Any]) -> AlertEvent:
    for key, who in (("own_enterprise", "enterprise"), ("other_enterprise", "other_enterprise_user")):
        services.save_entry(users[who], site_of(users[key]).pk, 2024, payload(grade="B"))
    services.save_entry(users["province"], site_of(users["far_enterprise"]).pk, 2024, payload(grade="C"))
    _client(users["city"]).post(
        "/emergency/alerts/",
        {"region_codes": ["410100"], "level": "orange", "starts_at": "2024-12-01T20:00", "reason": "会商"},
    )
    return AlertEvent.objects.get()


@pytest.mark.parametrize(
    ("who", "sees", "never"),
    [
        ("county", {"本县企业"}, {"邻县企业", "外市企业"}),
        ("other_county", {"邻县企业"}, {"本县企业", "外市企业"}),
        ("enterprise", {"本县企业"}, {"邻县企业", "外市企业"}),
        ("city", {"本县企业", "邻县企业"}, {"外市企业"}),
        ("other_city", {"外市企业"}, {"本县企业", "邻县企业"}),
    ],
)
def test_entries_page_and_export_keep_to_scope(
    users: dict[str, Any], alert: AlertEvent, who: str, sees: set[str], never: set[str]
) -> None:
    client = _client(users[who])
    page = client.get("/emergency/").content.decode()
    table = page[page.index('id="entries"') : page.index("</table>", page.index('id="entries"'))]
    exported = {row["企业"] for row in _csv(client.get("/emergency/?export=csv"))}
    assert exported == sees
    for name in sees:
        assert name in table
    for name in never:
        assert name not in table
    narrowed = client.get(f"/emergency/?export=csv&region={OTHER_COUNTY}")
    if narrowed.status_code == 400:  # a region outside the caller's scope is refused, never widened
        assert "不在您的管辖范围内" in narrowed.content.decode()
    else:
        assert {row["企业"] for row in _csv(narrowed)} <= sees


def test_entry_filters(users: dict[str, Any], alert: AlertEvent) -> None:
    province = _client(users["province"])
    assert {r["企业"] for r in _csv(province.get("/emergency/?export=csv&grade=C"))} == {"外市企业"}
    assert {r["企业"] for r in _csv(province.get(f"/emergency/?export=csv&region={HOME_COUNTY}"))} == {"本县企业"}
    assert {r["企业"] for r in _csv(province.get("/emergency/?export=csv&q=邻县"))} == {"邻县企业"}
    assert _csv(province.get("/emergency/?export=csv&industry=coking")) == []
    rows = _csv(province.get("/emergency/?export=csv&industry=cement"))
    assert len(rows) == 3 and all("水泥" in row["行业 / 等级"] for row in rows)


@pytest.mark.parametrize(
    ("who", "sees", "never"),
    [
        ("county", {"本县企业"}, {"邻县企业"}),
        ("other_county", {"邻县企业"}, {"本县企业"}),
        ("enterprise", {"本县企业"}, {"邻县企业"}),
        ("city", {"本县企业", "邻县企业"}, set()),
    ],
)
def test_alert_tasks_keep_to_scope(
    users: dict[str, Any], alert: AlertEvent, who: str, sees: set[str], never: set[str]
) -> None:
    client = _client(users[who])
    page = client.get(f"/emergency/alerts/{alert.pk}/").content.decode()
    exported = {row["企业"] for row in _csv(client.get(f"/emergency/alerts/{alert.pk}/?export=csv"))}
    assert exported == sees
    tasks = page[page.index('id="tasks"') :]
    for name in never:
        assert name not in tasks
    assert f"已签收 <strong>0</strong> / {len(sees)} 家" in page
    assert "郑州市" in page and "410100" not in page.replace('value="410100"', "")


def test_alerts_invisible_out_of_scope(users: dict[str, Any], alert: AlertEvent) -> None:
    assert _csv(_client(users["other_city"]).get("/emergency/alerts/?export=csv")) == []
    assert _client(users["other_city"]).get(f"/emergency/alerts/{alert.pk}/?export=csv").status_code == 404
    assert _client(users["other_enterprise_user"]).get("/emergency/alerts/?export=csv").status_code == 200
    rows = _csv(_client(users["city"]).get("/emergency/alerts/?export=csv&status=active"))
    assert [row["预警区域"] for row in rows] == ["郑州市"]
    assert _csv(_client(users["city"]).get("/emergency/alerts/?export=csv&status=lifted")) == []


def test_task_status_filter_and_acknowledgement_count(users: dict[str, Any], alert: AlertEvent) -> None:
    own_task = alert.tasks.get(enterprise=users["own_enterprise"])
    _client(users["enterprise"]).post(f"/emergency/tasks/{own_task.pk}/act/", {"action": "acknowledge"})
    city = _client(users["city"])
    page = city.get(f"/emergency/alerts/{alert.pk}/").content.decode()
    assert "已签收 <strong>1</strong> / 2 家" in page
    done = _csv(city.get(f"/emergency/alerts/{alert.pk}/?export=csv&status=acknowledged"))
    assert {row["企业"] for row in done} == {"本县企业"}
    pending = _csv(city.get(f"/emergency/alerts/{alert.pk}/?export=csv&status=unacknowledged"))
    assert {row["企业"] for row in pending} == {"邻县企业"}
    by_county = _csv(city.get(f"/emergency/alerts/{alert.pk}/?export=csv&region={OTHER_COUNTY}"))
    assert {row["企业"] for row in by_county} == {"邻县企业"}
