"""The declarations list (ADR 0006): search, filters, pagination and export, never outside the caller's scope."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.conftest import HOME_COUNTY, OTHER_COUNTY, _user
from tests.platform.declarations.workflow_helpers import make_campaign, ready_declaration

from airgrade.core.types import Role
from airgrade.platform.declarations.models import Declaration

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def declarations(users: dict[str, Any]) -> dict[str, Declaration]:
    campaign = make_campaign(users["city"])
    own = ready_declaration(users["enterprise"], campaign)
    other = ready_declaration(users["other_enterprise_user"], campaign, grade="A")
    return {"own": own, "other": other}


def _csv_numbers(response: Any) -> set[str]:
    text = response.content.decode("utf-8-sig")
    return {row["申报编号"] for row in csv.DictReader(io.StringIO(text))}


def _xlsx_numbers(response: Any) -> set[str]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return {row[0] for row in rows[1:]}


@pytest.mark.parametrize(
    ("who", "sees", "never"),
    [
        ("county", {"own"}, {"other"}),
        ("other_county", {"other"}, {"own"}),
        ("enterprise", {"own"}, {"other"}),
        ("city", {"own", "other"}, set()),
        ("province", {"own", "other"}, set()),
        ("other_city", set(), {"own", "other"}),
    ],
)
def test_list_and_export_show_only_the_callers_scope(
    users: dict[str, Any], declarations: dict[str, Declaration], who: str, sees: set[str], never: set[str]
) -> None:
    client = _client(users[who])
    page = client.get("/declarations/").content.decode()
    for key in sees:
        assert declarations[key].number in page
    for key in never:
        assert declarations[key].number not in page
    expected = {declarations[key].number for key in sees}
    assert _csv_numbers(client.get("/declarations/?export=csv")) == expected
    assert _xlsx_numbers(client.get("/declarations/?export=xlsx")) == expected
    # A region filter inside the scope narrows; one outside it is refused (400, naming the reason), never a wider
    # export than the caller's own rows.
    for region in (OTHER_COUNTY, HOME_COUNTY):
        response = client.get(f"/declarations/?export=csv&region={region}")
        if response.status_code == 400:
            assert "不在您的管辖范围内" in response.content.decode()
        else:
            assert _csv_numbers(response) <= expected


def test_filters_search_and_region_names(users: dict[str, Any], declarations: dict[str, Declaration]) -> None:
    city = _client(users["city"])
    page = city.get("/declarations/").content.decode()
    assert "巩义市" in page and f">{HOME_COUNTY}<" not in page  # region options by name
    only_home = _csv_numbers(city.get(f"/declarations/?export=csv&region={HOME_COUNTY}"))
    assert only_home == {declarations["own"].number}
    assert _csv_numbers(city.get("/declarations/?export=csv&q=邻县")) == {declarations["other"].number}
    assert _csv_numbers(city.get("/declarations/?export=csv&state=draft")) == {d.number for d in declarations.values()}
    assert _csv_numbers(city.get("/declarations/?export=csv&state=submitted")) == set()
    assert _csv_numbers(city.get("/declarations/?export=csv&industry=cement")) == {
        d.number for d in declarations.values()
    }
    assert _csv_numbers(city.get("/declarations/?export=csv&industry=coking")) == set()


def test_pagination(users: dict[str, Any], declarations: dict[str, Declaration]) -> None:
    city = _client(users["city"])
    first = city.get("/declarations/?per_page=20").content.decode()
    assert "共 2 条" in first
    assert city.get("/declarations/?page=999").status_code == 200  # past the end: the last page


def test_export_cells_cannot_run_as_formulas(users: dict[str, Any], make_enterprise: Any) -> None:
    hostile = make_enterprise(HOME_COUNTY, '=HYPERLINK("http://x")企业')
    user = _user("ent-hostile", Role.ENTERPRISE, enterprise=hostile)
    ready_declaration(user, make_campaign(users["city"], name="第二批"))
    county = _client(users["county"])
    text = county.get("/declarations/?export=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(county.get("/declarations/?export=xlsx").content)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert any(str(name).startswith("'=HYPERLINK") for name in names)
