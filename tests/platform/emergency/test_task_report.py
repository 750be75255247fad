"""An enterprise under an active alert: the home page's banner with its tasks, and the task report per pollutant
with validation in Chinese that keeps what was typed (1e400 used to be saved, only NOx could be reported)."""

from __future__ import annotations

import pytest
from django.test import Client
from emergency_platform_builders import payload, site_of

from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import AlertEvent

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_banner_and_per_pollutant_report_with_validation(users):
    services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="B"))
    enterprise = client_for(users["enterprise"])
    assert 'id="alert-banner"' not in enterprise.get("/").content.decode()
    client_for(users["city"]).post(
        "/emergency/alerts/",
        {"region_codes": ["410100"], "level": "orange", "starts_at": "2024-12-01T20:00", "reason": "会商"},
    )
    event = AlertEvent.objects.get()
    task = event.tasks.get()
    home = enterprise.get("/").content.decode()
    assert 'id="alert-banner"' in home and "未签收" in home and f"#task-{task.pk}" in home
    assert 'id="alert-banner"' not in client_for(users["county"]).get("/").content.decode()

    url = f"/emergency/tasks/{task.pk}/act/"
    bad = enterprise.post(url, {"action": "report", "reported_so2": "0.35", "reported_nox": "1e400"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "氮氧化物实际减排量须为数字" in body
    assert 'value="1e400"' in body and 'value="0.35"' in body
    task.refresh_from_db()
    assert task.reported_at is None and task.reported_so2 is None
    negative = enterprise.post(url, {"action": "report", "reported_pm": "-2"})
    assert negative.status_code == 400 and "颗粒物实际减排量不能为负数" in negative.content.decode()
    ok = enterprise.post(
        url,
        {
            "action": "report",
            "reported_so2": "0.35",
            "reported_nox": "0.7",
            "reported_pm": "1,200",
            "reported_vocs": "",
        },
    )
    assert ok.status_code == 302
    task.refresh_from_db()
    assert (task.reported_so2, task.reported_nox, task.reported_pm, task.reported_vocs) == (0.35, 0.7, 1200.0, None)
    page = enterprise.get(f"/emergency/alerts/{event.pk}/").content.decode()
    assert "二氧化硫（SO₂）" in page and "PM 1,200" in page
