"""Review opinions as DOCX (REQ LC-7 附件3/4/5, H23-3): filled from the sealed review event, signed by the reviewer's
name and date, labelled as our own format; the enterprise and staff in scope download them from the declaration
page, outsiders get a 404, and a review that has not happened yet is a 404 too."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from tests.platform.declarations.workflow_helpers import act, force_state, make_campaign, ready_declaration
from tests.platform.page_client import client_for, text

from airgrade.platform.declarations.models import ReviewEvent

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_county_preliminary_and_city_review_opinions(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade="B"), "county_review", users["county"]
    )
    act(users["county"], declaration, "declaration.county_pass", opinion="=资料齐全，同意上报")
    act(users["city"], declaration, "declaration.city_accept")
    act(users["city"], declaration, "declaration.city_pass", opinion="经审核符合B级要求")
    url = f"/workbooks/opinions/{declaration.pk}/"

    page = text(client_for(users["county"]).get(f"/declarations/{declaration.pk}/"))
    assert "初审意见（DOCX）" in page and "审核意见（DOCX）" in page

    county_event = ReviewEvent.objects.get(declaration=declaration, action="declaration.county_pass")
    body = _text(client_for(users["county"]).get(url + "county-preliminary.docx"))
    assert "巩义市重点行业企业绩效分级初审意见" in body
    assert "非官方正式格式" in body and "附件3" in body
    assert declaration.number in body and users["own_enterprise"].credit_code in body and "水泥 B" in body
    assert "县级初审通过" in body and "=资料齐全，同意上报" in body
    assert f"签字：{county_event.reviewer_name}" in body and county_event.seal in body
    assert f"{county_event.at.year}年" in body

    body = _text(client_for(users["enterprise"]).get(url + "city-review.docx"))  # the enterprise sees its opinions
    assert "郑州市重点行业企业绩效分级审核意见" in body and "经审核符合B级要求" in body and "市级审核人" in body

    # No county review opinion for C and below on this declaration; outsiders see nothing.
    assert client_for(users["county"]).get(url + "county-review.docx").status_code == 404
    assert client_for(users["county"]).get(url + "nonsense.docx").status_code == 404
    for who in ("other_county", "other_city", "other_enterprise_user", "expert"):
        assert client_for(users[who]).get(url + "county-preliminary.docx").status_code == 404, who


def test_county_review_opinion_for_c_and_below(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade="C"), "county_review", users["county"]
    )
    act(
        users["county"], declaration, "declaration.county_grade", opinion="资料审核与现场核查一致，评定为C级", grade="C"
    )
    body = _text(client_for(users["city"]).get(f"/workbooks/opinions/{declaration.pk}/county-review.docx"))
    assert "巩义市重点行业企业绩效分级审核意见" in body and "附件4" in body
    assert "评定等级" in body and "评定为C级" in body and "县级评定（C级及以下）" in body
