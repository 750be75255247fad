"""The emergency pages read their input through emergency/forms.py (issue 9 app shape): values arrive as typed,
multi-value fields as lists in order, the editor's row fields by their prefixes, a field not posted kept apart from
an empty one where the services word them differently, and a NUL character refused naming the field before any
service writes."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import Client
from emergency_platform_builders import payload, site_of

from airgrade.platform.emergency import services
from airgrade.platform.emergency.forms import AlertForm, EntryForm, TaskForm
from airgrade.platform.emergency.models import AlertEvent, ListEntry

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_editor_rows_and_columns_come_through_as_typed() -> None:
    post = QueryDict(mutable=True)
    post.setlist("industry_code", ["cement", "", "coking"])
    post.setlist("grade", ["C", "", ""])
    post.update({"line-0-name": " 1号线 ", "proposal-2-kind": "curtail", "stray": "x", "line_count": "1"})
    form = EntryForm(post)
    assert form.is_valid()
    values = form.cleaned_data
    assert values["industry_code"] == ["cement", "", "coking"] and values["grade"] == ["C", "", ""]
    assert values["line-0-name"] == " 1号线 " and values["proposal-2-kind"] == "curtail"  # kept as typed
    assert "stray" not in values and values["reason"] == "" and values["guarantee_category"] == ""


def test_a_field_not_posted_stays_apart_from_an_empty_one() -> None:
    missing = AlertForm(QueryDict("title=x"))
    empty = AlertForm(QueryDict("level=&starts_at=&title=x"))
    assert missing.is_valid() and empty.is_valid()
    assert missing.cleaned_data["level"] is None and empty.cleaned_data["level"] == ""
    assert missing.cleaned_data["region_codes"] == [] and missing.cleaned_data["reason"] == ""
    task = TaskForm(QueryDict("action=report&reported_nox=0.7&lines_done=L1&lines_done=L2"))
    assert task.is_valid()
    assert task.cleaned_data["reported_so2"] is None and task.cleaned_data["reported_nox"] == "0.7"
    assert task.cleaned_data["lines_done"] == ["L1", "L2"]


def test_the_services_word_a_missing_level_as_before(users) -> None:
    """A post without a level still reaches the service as None (its message names None, not an empty text)."""
    response = client_for(users["city"]).post(
        "/emergency/alerts/", {"region_codes": ["410100"], "starts_at": "2024-12-01T20:00"}
    )
    assert "预警级别无效: None" in response.content.decode() and not AlertEvent.objects.exists()


def test_a_nul_in_the_alert_form_is_refused_with_the_rest_kept(users) -> None:
    response = client_for(users["city"]).post(
        "/emergency/alerts/",
        {
            "region_codes": ["410100"],
            "level": "red",
            "starts_at": "2024-12-01T20:00",
            "title": "红\x00",
            "reason": "会商",
        },
    )
    page = response.content.decode()
    assert "名称" in page and not AlertEvent.objects.exists()
    assert '<option value="red" selected>' in page and 'value="会商"' in page  # the rest as typed


def test_a_nul_in_the_editor_is_refused_and_nothing_is_saved(users) -> None:
    site = site_of(users["own_enterprise"])
    response = client_for(users["enterprise"]).post(
        f"/emergency/sites/{site.pk}/2024/edit/",
        {"industry_code": ["cement"], "grade": ["C"], "line_count": "1", "line-0-name": "1号线\x00", "reason": "r"},
    )
    assert response.status_code == 200 and not ListEntry.objects.exists()
    assert "生产线第 1 行：" in response.content.decode()


def test_a_nul_in_a_task_report_is_refused_and_the_report_form_comes_back(users) -> None:
    services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="B"))
    event = services.issue_alert(
        users["city"], {"region_codes": ["410100"], "level": "orange", "starts_at": "2024-12-01T20:00"}
    )
    task = event.tasks.get()
    response = client_for(users["enterprise"]).post(
        f"/emergency/tasks/{task.pk}/act/", {"action": "report", "reported_nox": "0.7", "note": "说明\x00"}
    )
    assert response.status_code == 400 and 'value="0.7"' in response.content.decode()
    task.refresh_from_db()
    assert task.reported_at is None
