"""The city's objection list on the list mechanism (ADR 0006): export in scope, no reporter contact exported."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from tests.platform.declarations.workflow_helpers import province_verified

from airgrade.platform.disclosure import services

pytestmark = pytest.mark.django_db


def _export(user: Any, query: str = "") -> tuple[list[dict[str, str]], str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"/objections/?export=csv{query}")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text))), text


def test_objection_export_keeps_to_scope(users: dict[str, Any]) -> None:
    province_verified(users)
    question, token = services.new_captcha()
    a, b = question.split(" = ")[0].split(" + ")
    objection = services.file_objection(
        enterprise_id=users["own_enterprise"].pk,
        content="=料场未封闭，与B级要求不符，请核查",
        captcha_token=token,
        captcha_answer=str(int(a) + int(b)),
        client_address="10.0.0.9",
        reporter_name="张三",
        reporter_contact="13800000000",
    )
    rows, text = _export(users["city"])
    assert [row["受理编号"] for row in rows] == [objection.reference]
    assert rows[0]["举报内容"].startswith("'=料场未封闭")  # neutralised against formula injection
    assert "张三" not in text and "13800000000" not in text
    assert _export(users["city"], "&status=closed")[0] == []
    assert [row["受理编号"] for row in _export(users["province"])[0]] == [objection.reference]
    assert Client().get("/objections/?export=csv").status_code == 302
    other = Client()
    other.force_login(users["other_city"])
    response = other.get("/objections/?export=csv")
    assert response.status_code == 404 or objection.reference not in response.content.decode("utf-8-sig")
