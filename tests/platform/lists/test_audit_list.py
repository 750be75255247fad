"""The audit page (ADR 0006): filters, pages and exports only the caller's region; every change reads as
字段：旧值 → 新值 in Chinese, every object by a readable name."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from tests.conftest import HOME_COUNTY, OTHER_COUNTY

from airgrade.platform.audit.labels import ChangeReader
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.enterprises import services

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("who", "sees", "never"),
    [
        ("county", "本县企业", "邻县企业"),
        ("other_county", "邻县企业", "本县企业"),
        ("other_city", None, "本县企业"),
    ],
)
def test_page_and_export_keep_to_the_region(users: dict[str, Any], who: str, sees: str | None, never: str) -> None:
    client = _client(users[who])
    page = client.get("/audit/").content.decode()
    rows = _csv(client.get("/audit/?export=csv"))
    exported = " ".join(row["对象"] for row in rows)
    if sees:
        assert sees in page and sees in exported
    assert never not in page and never not in exported
    xlsx = client.get("/audit/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_non_staff_get_no_audit_page(users: dict[str, Any]) -> None:
    for who in ("enterprise", "expert"):
        assert _client(users[who]).get("/audit/?export=csv").status_code in (403, 404)


def test_filters_by_region_action_and_search(users: dict[str, Any]) -> None:
    city = _client(users["city"])
    home = _csv(city.get(f"/audit/?export=csv&region={HOME_COUNTY}"))
    assert home and all("邻县企业" not in row["对象"] for row in home)
    other = _csv(city.get(f"/audit/?export=csv&region={OTHER_COUNTY}"))
    assert other and all("本县企业" not in row["对象"] for row in other)
    created = _csv(city.get("/audit/?export=csv&action=enterprise.create"))
    assert {row["操作"] for row in created} == {"登记企业"}
    assert all("邻县" in row["对象"] for row in _csv(city.get("/audit/?export=csv&q=邻县")))


def test_changes_read_in_chinese(users: dict[str, Any]) -> None:
    clerk = users["province"]
    site = users["own_enterprise"].sites.first()
    services.set_site_industries(clerk, site.pk, [{"industry_code": "refractories"}])
    page = _client(users["county"]).get("/audit/?action=site.set_industries").content.decode()
    text = re.sub(r"<[^>]+>", " ", page)
    assert "行业：" in text and "耐火材料" in text and "水泥" in text
    assert "refractories" not in text and "site_id" not in text and "industries" not in text
    record = AuditRecord.objects.filter(action="site.create").first()
    lines = ChangeReader().change_lines(record)
    assert any(line.startswith("所在区划：") and "巩义市" in line for line in lines), lines
    assert all(not re.search(r"[a-z]+_[a-z]+", line) for line in lines), lines


def test_generic_object_labels_become_readable(users: dict[str, Any]) -> None:
    record = AuditRecord.objects.filter(object_type="enterprises.site").first()
    fake = AuditRecord(object_type="enterprises.site", object_id=record.object_id, object_label="Site object (1)")
    assert "object (" not in ChangeReader().object_label(fake)
    missing = AuditRecord(object_type="emergency.alerttask", object_id="999999", object_label="AlertTask object (1)")
    assert ChangeReader().object_label(missing) == "预警任务 999999 号"
