"""Registry services: validation refusals change nothing; scope is enforced on every write; writes are audited."""

from __future__ import annotations

from typing import Any

import pytest

from airgrade.core.credit_code import make
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.enterprises import services
from airgrade.platform.enterprises.models import Enterprise, ProductionLine
from airgrade.platform.errors import NotFound, ServiceError

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, int]:
    return Enterprise.objects.count(), ProductionLine.objects.count(), AuditRecord.objects.count()


def test_create_enterprise_is_audited(users: dict[str, Any]) -> None:
    before = AuditRecord.objects.count()
    enterprise = services.create_enterprise(
        users["county"], {"credit_code": make("91410181AAAAAAAAA"), "name": "新企业", "region": "410181"}
    )
    record = AuditRecord.objects.latest("id")
    assert AuditRecord.objects.count() == before + 1
    assert record.action == "enterprise.create" and record.object_id == str(enterprise.pk)
    assert record.after["name"] == "新企业" and record.actor == users["county"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"credit_code": "91410181AAAAAAAAA0", "name": "甲", "region": "410181"}, "credit_code", "校验码"),
        ({"credit_code": "123", "name": "甲", "region": "410181"}, "credit_code", "18位"),
        ({"credit_code": make("91410181AAAAAAAAB"), "name": "甲", "region": "999999"}, "region", "不存在"),
        ({"credit_code": make("91410181AAAAAAAAB"), "name": "", "region": "410181"}, "name", "不能为空"),
        (
            {"credit_code": make("91410181AAAAAAAAB"), "name": "甲", "region": "410182"},
            "region",
            "管辖区域以外",
        ),
    ],
)
def test_bad_enterprise_input_is_refused_and_nothing_changes(
    users: dict[str, Any], data: dict[str, str], field: str, message: str
) -> None:
    before = _state()
    with pytest.raises(ServiceError, match=message) as caught:
        services.create_enterprise(users["county"], data)
    assert caught.value.field == field
    assert _state() == before


def test_duplicate_credit_code_is_refused(users: dict[str, Any]) -> None:
    existing = users["own_enterprise"].credit_code
    before = _state()
    with pytest.raises(ServiceError, match="已被其他企业使用"):
        services.create_enterprise(users["county"], {"credit_code": existing, "name": "重复", "region": "410181"})
    other = users["other_enterprise"]
    with pytest.raises(ServiceError, match="已被其他企业使用"):
        services.update_enterprise(users["province"], other.pk, {"credit_code": existing})
    assert _state() == before


def test_negative_capacity_is_refused(users: dict[str, Any]) -> None:
    line = ProductionLine.objects.filter(site__enterprise=users["own_enterprise"]).first()
    before = _state()
    with pytest.raises(ServiceError, match="不能为负数") as caught:
        services.update_line(users["county"], line.pk, {"capacity": "-5"})
    assert caught.value.field == "capacity"
    with pytest.raises(ServiceError, match="须为数字"):
        services.add_line(users["county"], line.site_id, {"name": "x", "capacity": "abc", "capacity_unit": "t"})
    line.refresh_from_db()
    assert line.capacity == 4000 and _state() == before


def test_county_cannot_edit_another_countys_enterprise(users: dict[str, Any]) -> None:
    other = users["other_enterprise"]
    line = ProductionLine.objects.filter(site__enterprise=other).first()
    before = _state()
    # Out of scope is "not found" (issue 8, defect 6), like a missing enterprise.
    with pytest.raises(NotFound, match="不存在或不在您的管辖范围内"):
        services.update_enterprise(users["county"], other.pk, {"name": "改名"})
    with pytest.raises(NotFound):
        services.update_line(users["county"], line.pk, {"capacity": 1})
    other.refresh_from_db()
    assert other.name == "邻县企业" and _state() == before


def test_enterprise_user_sees_and_edits_only_its_own(users: dict[str, Any]) -> None:
    own, other = users["own_enterprise"], users["other_enterprise"]
    assert services.get_enterprise(users["enterprise"], own.pk) == own
    with pytest.raises(NotFound):
        services.get_enterprise(users["enterprise"], other.pk)
    assert list(services.visible_enterprises(users["enterprise"])) == [own]
    with pytest.raises(NotFound):
        services.update_enterprise(users["enterprise"], other.pk, {"name": "x"})
    with pytest.raises(ServiceError, match="不能变更所在区划"):
        services.update_enterprise(users["enterprise"], own.pk, {"region": "410182"})


def test_scoped_lists(users: dict[str, Any]) -> None:
    names = lambda user: {e.name for e in services.visible_enterprises(user)}  # noqa: E731
    assert names(users["county"]) == {"本县企业"}
    assert names(users["city"]) == {"本县企业", "邻县企业"}
    assert names(users["other_city"]) == {"外市企业"}
    assert names(users["province"]) == {"本县企业", "邻县企业", "外市企业"}
    assert names(users["expert"]) == set()
    filtered = services.visible_enterprises(
        users["province"], services.EnterpriseFilter(industry_code="cement", region_code="410100")
    )
    assert {e.name for e in filtered} == {"本县企业", "邻县企业"}


def test_unknown_industry_and_local_industry_outside_its_province(users: dict[str, Any]) -> None:
    site = users["own_enterprise"].sites.get()
    with pytest.raises(ServiceError, match="未知的重点行业"):
        services.set_site_industries(users["county"], site.pk, [{"industry_code": "nope"}])
    with pytest.raises(ServiceError, match="地方行业"):
        services.set_site_industries(users["county"], site.pk, [{"industry_code": "stone_processing"}])  # Hebei only
    assert [a.industry_code for a in site.industries.all()] == ["cement"]


def test_industry_listing_agrees_with_the_registry(users: dict[str, Any], make_enterprise: Any) -> None:
    """The list read model answers exactly as a direct registry query, through renames and industry changes."""
    for region in ("410181", "410182", "410381"):
        make_enterprise(region, industry="glass")
    extra = make_enterprise("410181", name="两业企业", industry="glass")
    site = extra.sites.get()
    services.set_site_industries(
        users["county"], site.pk, [{"industry_code": "glass"}, {"industry_code": "industrial_coating"}]
    )
    services.update_enterprise(users["county"], users["own_enterprise"].pk, {"name": "改名企业", "status": "suspended"})
    own_site = users["own_enterprise"].sites.get()
    services.set_site_industries(users["county"], own_site.pk, [{"industry_code": "glass"}])

    def direct(user: Any, filters: services.EnterpriseFilter) -> list[int]:
        return list(services.visible_enterprises(user, filters).values_list("pk", flat=True))

    cases = [
        services.EnterpriseFilter(industry_code="glass"),
        services.EnterpriseFilter(industry_code="glass", status="suspended"),
        services.EnterpriseFilter(industry_code="glass", region_code="410182"),
        services.EnterpriseFilter(industry_code="industrial_coating"),
        services.EnterpriseFilter(industry_code="cement"),
        services.EnterpriseFilter(industry_code="glass", query="改名"),
        services.EnterpriseFilter(),
        services.EnterpriseFilter(status="suspended"),
        services.EnterpriseFilter(region_code="410100"),
        services.EnterpriseFilter(region_code="410381", status="operating"),
        services.EnterpriseFilter(query="企业"),
    ]
    for who in ("province", "city", "county", "other_city", "enterprise"):
        for filters in cases:
            rows, count, _ = services.list_page(users[who], filters, 1, 200)
            assert [e.pk for e in rows] == direct(users[who], filters), (who, filters)
            assert count == len(rows)
    services.update_enterprise(users["province"], extra.pk, {"region": "410381"})  # moves county: both tallies change
    for who in ("province", "city", "other_city"):
        for filters in cases:
            _, count, _ = services.list_page(users[who], filters, 1, 200)
            assert count == len(direct(users[who], filters)), (who, filters)
    rows, _, _ = services.list_page(
        users["county"], services.EnterpriseFilter(industry_code="glass", query="改名"), 1, 20
    )
    assert [(e.name, e.status) for e in rows] == [("改名企业", "suspended")]
