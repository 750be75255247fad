"""The leaders' figures agree with a direct count of the grade registry (REQ H21-1): multi-industry and multi-site
enterprises, grades that changed over time (as-of dates), declarations in review (pipeline), the gap in enterprises;
scoped by role and region (out of scope is 404); the page and the 附件1 / 附件2 workbook."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from fractions import Fraction
from math import ceil
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook
from tests.conftest import HOME_CITY, HOME_COUNTY, OTHER_CITY, OTHER_CITY_COUNTY, OTHER_COUNTY, PROVINCE

from airgrade.core.types import Grade, worst_grade
from airgrade.platform.declarations.models import Campaign, Declaration, DeclarationItem
from airgrade.platform.enterprises.models import Site
from airgrade.platform.errors import NotFound
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.targets import services

# The direct count's own notion of "counts as A、B": written out here, not read from the code under test.
COUNTS = {"A+", "A", "引领性", "B", "B-"}
FAMILY = {"cement": "building_materials", "glass": "building_materials", "coking": "metal", "furniture": "vocs"}
SCALES = {
    "cement": ["A", "B", "C", "D"],
    "glass": ["A", "B", "C"],
    "coking": ["A", "B", "B-", "C", "D"],
    "furniture": ["引领性", "非引领性"],
}
DAY_1, DAY_2 = dt.date(2025, 3, 31), dt.date(2025, 9, 30)


def _record(enterprise: Any, site: Any, industry: str, grade: str, start: dt.date, end: dt.date | None) -> None:
    GradeRecord.objects.create(
        enterprise=enterprise, site=site, region_id=site.region_id, industry_code=industry, grade=grade,
        valid_from=start, valid_until=end, source=GradeRecord.Source.CAMPAIGN,
    )  # fmt: skip


@pytest.fixture
def registry(users: dict[str, Any], make_enterprise: Any) -> list[Any]:
    """~30 enterprises in three counties of two cities: some with a second industry, some with a second site, some
    whose grade changed between the two dates, some graded only after the first date."""
    services.forget_counts()
    rng = random.Random(13)
    enterprises = [users["own_enterprise"], users["other_enterprise"], users["far_enterprise"]]
    for n in range(27):
        county = (HOME_COUNTY, OTHER_COUNTY, OTHER_CITY_COUNTY, HOME_CITY)[n % 4]  # one at the city's own code
        enterprises.append(make_enterprise(county, f"计数企业{n}"))
    for enterprise in enterprises:
        sites = [enterprise.sites.first()]
        if rng.random() < 0.3:
            sites.append(Site.objects.create(enterprise=enterprise, region_id=enterprise.region_id, name="二厂区"))
        industries = ["cement", *rng.sample(["glass", "coking", "furniture"], k=rng.choice([0, 0, 1, 2]))]
        for site in sites:
            for industry in industries:
                scale = SCALES[industry]
                first = rng.choice(scale)
                if rng.random() < 0.2:  # graded only after DAY_1
                    _record(enterprise, site, industry, first, dt.date(2025, 6, 1), None)
                elif rng.random() < 0.4:  # changed on 2025-07-01
                    _record(enterprise, site, industry, first, dt.date(2024, 1, 1), dt.date(2025, 7, 1))
                    _record(enterprise, site, industry, rng.choice(scale), dt.date(2025, 7, 1), None)
                else:
                    _record(enterprise, site, industry, first, dt.date(2024, 1, 1), None)
    return enterprises


def _direct(on: dt.date, scope: str) -> dict[str, Any]:
    """The count by hand: every record in force, each enterprise once at its worst grade (in its own region), each
    enterprise × industry once at its worst over sites."""
    per_enterprise: dict[int, list[Grade]] = defaultdict(list)
    per_industry: dict[tuple[int, str], list[Grade]] = defaultdict(list)
    region_of: dict[int, str] = {}
    for record in GradeRecord.objects.select_related("enterprise"):
        if not (record.valid_from <= on and (record.valid_until is None or record.valid_until > on)):
            continue
        if not record.enterprise.region_id.startswith(scope.rstrip("0")[:4] if scope != PROVINCE else "41"):
            continue
        per_enterprise[record.enterprise_id].append(Grade(record.grade))
        per_industry[(record.enterprise_id, record.industry_code)].append(Grade(record.grade))
        region_of[record.enterprise_id] = record.enterprise.region_id
    cities: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # counted, total, D
    for enterprise, grades in per_enterprise.items():
        overall = worst_grade(grades)
        city = region_of[enterprise][:4] + "00"
        cities[city][0] += overall.value in COUNTS
        cities[city][1] += 1
        cities[city][2] += overall is Grade.D
    families: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_, industry), grades in per_industry.items():
        families[FAMILY[industry]][0] += worst_grade(grades).value in COUNTS
        families[FAMILY[industry]][1] += 1
    return {"cities": dict(cities), "families": dict(families)}


@pytest.mark.django_db
@pytest.mark.parametrize("on", [DAY_1, DAY_2])
def test_province_figures_agree_with_a_direct_count(registry: list[Any], on: dt.date) -> None:
    report = services.report(PROVINCE, on, history=False, with_planner=False)
    direct = _direct(on, PROVINCE)
    parts = {part["key"]: part for part in report["parts"]}
    for city, (counted, total, d_count) in direct["cities"].items():
        assert (parts[city]["counted"], parts[city]["total"], parts[city]["d_count"]) == (counted, total, d_count)
    assert sum(part["total"] for part in report["parts"]) == report["total"]["total"]
    assert report["total"]["total"] == sum(total for _, total, _ in direct["cities"].values())
    # The gap in enterprises against 郑州's 25 % (附件2), by hand.
    counted, total, _ = direct["cities"][HOME_CITY]
    zhengzhou = parts[HOME_CITY]
    assert zhengzhou["target_percent"] == 25.0
    assert zhengzhou["needed"] == max(0, ceil(Fraction(25 * total, 100)) - counted)
    assert parts[OTHER_CITY]["target_percent"] == 25.0  # 洛阳
    families = {row["key"]: row for row in report["families"]}
    for family, (counted, total) in direct["families"].items():
        assert (families[family]["counted"], families[family]["total"]) == (counted, total)
    assert families["building_materials"]["target_percent"] == 15.0
    assert families["metal"]["baseline_percent"] == 7.6


@pytest.mark.django_db
def test_city_sees_its_counties_and_the_same_numbers(registry: list[Any]) -> None:
    report = services.report(HOME_CITY, DAY_2, history=False, with_planner=False)
    direct = _direct(DAY_2, HOME_CITY)
    counted, total, d_count = direct["cities"][HOME_CITY]
    assert (report["total"]["counted"], report["total"]["total"], report["total"]["d_count"]) == (
        counted,
        total,
        d_count,
    )
    assert report["total"]["target_percent"] == 25.0
    keys = {part["key"] for part in report["parts"]}
    assert {HOME_COUNTY, OTHER_COUNTY, HOME_CITY} <= keys  # the city's own code is 市本级
    assert not any(key.startswith("4103") for key in keys)
    assert sum(part["total"] for part in report["parts"]) == total


@pytest.mark.django_db
def test_history_is_month_by_month_from_the_registry(registry: list[Any]) -> None:
    report = services.report(HOME_CITY, DAY_2, history=True, with_planner=False)
    points = {point["date"]: point for point in report["history"]}
    assert len(points) == 12
    for day in (DAY_1, DAY_2):
        counted, total, d_count = _direct(day, HOME_CITY)["cities"][HOME_CITY]
        assert (points[day.isoformat()]["counted"], points[day.isoformat()]["total"]) == (counted, total)
        assert points[day.isoformat()]["d_count"] == d_count


def _in_review(enterprise: Any, users: dict[str, Any], grade: str, industry: str = "cement", **item: Any) -> None:
    campaign = Campaign.objects.filter(region_id=HOME_CITY).first() or Campaign.objects.create(
        name="测试批次", region_id=HOME_CITY, rules_as_of=DAY_2, application_deadline=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
        created_by=users["city"],
    )  # fmt: skip
    declaration = Declaration.objects.create(
        number=f"T13-{enterprise.pk}", campaign=campaign, site=enterprise.sites.first(), enterprise=enterprise,
        region_id=enterprise.region_id, state="city_review",
    )  # fmt: skip
    DeclarationItem.objects.create(declaration=declaration, industry_code=industry, target_grade=grade, **item)


@pytest.mark.django_db
def test_pipeline_projects_the_declarations_in_review(registry: list[Any], users: dict[str, Any]) -> None:
    zhengzhou = [e for e in registry if e.region_id.startswith("4101")]
    before = services.report(HOME_CITY, DAY_2, history=False, with_planner=False)
    # One enterprise at C in one industry only: its declaration in review for B would make it count.
    target = next(
        e
        for e in zhengzhou
        if set(
            GradeRecord.objects.filter(enterprise=e).filter(services.in_force_q(DAY_2)).values_list("grade", flat=True)
        )
        == {"C"}
        and GradeRecord.objects.filter(enterprise=e).filter(services.in_force_q(DAY_2)).count() == 1
    )
    _in_review(target, users, "A", recommended_grade="B")  # the city's recommendation wins over the declared A
    after = services.report(HOME_CITY, DAY_2, history=False, with_planner=False)
    assert after["total"] == before["total"]  # the figures of the day do not move
    assert after["pipeline"]["enterprises"] == 1 and after["pipeline"]["raising"] == 1
    assert after["pipeline"]["total"]["counted"] == before["total"]["counted"] + 1
    assert after["pipeline"]["total"]["total"] == before["total"]["total"]
    entry = after["pipeline"]["entries"][0]
    assert (entry["before"], entry["after"], entry["raises"]) == ("C", "B", True)


@pytest.mark.django_db
def test_a_withdrawn_or_decided_declaration_is_not_in_the_pipeline(registry: list[Any], users: dict[str, Any]) -> None:
    enterprise = registry[0]
    _in_review(enterprise, users, "A")
    Declaration.objects.filter(enterprise=enterprise).update(state="withdrawn")
    report = services.report(HOME_CITY, DAY_2, history=False, with_planner=False)
    assert report["pipeline"]["enterprises"] == 0


# ---------------------------------------------------------------- scope


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "region", "visible"),
    [
        ("province", PROVINCE, True),
        ("province", HOME_CITY, True),
        ("city", HOME_CITY, True),
        ("city", HOME_COUNTY, True),
        ("city", OTHER_CITY, False),
        ("city", PROVINCE, False),
        ("county", HOME_COUNTY, True),
        ("county", OTHER_COUNTY, False),
        ("county", HOME_CITY, False),
        ("enterprise", HOME_COUNTY, False),
        ("expert", HOME_COUNTY, False),
        ("province", "999999", False),
        ("province", "abc", False),
    ],
)
def test_scope(users: dict[str, Any], who: str, region: str, visible: bool) -> None:
    services.forget_counts()
    if visible:
        assert services.dashboard(users[who], region, DAY_2)["region"]["code"] == region
    else:
        with pytest.raises(NotFound):
            services.dashboard(users[who], region, DAY_2)
    client = Client()
    client.force_login(users[who])
    expected = 200 if visible else 404
    assert client.get("/targets/", {"region": region, "as_of": DAY_2.isoformat()}).status_code == expected
    assert client.get(f"/api/targets/{region}/", {"as_of": DAY_2.isoformat()}).status_code == expected
    assert client.get(f"/api/targets/{region}/history", {"as_of": DAY_2.isoformat()}).status_code == expected


@pytest.mark.django_db
def test_bad_date_is_a_400_naming_the_field(users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["province"])
    response = client.get(f"/api/targets/{PROVINCE}/", {"as_of": "2025-13-01"})
    assert response.status_code == 400 and response.json()["field"] == "as_of"
    assert client.get("/targets/", {"as_of": "not-a-date"}).status_code == 400


# ---------------------------------------------------------------- pages and the workbook


@pytest.mark.django_db
def test_province_page_shows_zhengzhou_against_its_target(registry: list[Any], users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["province"])
    page = client.get("/targets/", {"as_of": DAY_2.isoformat()}).content.decode()
    assert "郑州市" in page and "≥25%" in page and "洛阳市" in page and "济源" in page
    assert "距目标" in page or "已达到目标" in page
    assert "targets-chart" in page and "echarts.min.js" in page
    city_page = client.get("/targets/", {"region": HOME_CITY, "as_of": DAY_2.isoformat()}).content.decode()
    assert "巩义市" in city_page and "荥阳市" in city_page


@pytest.mark.django_db
def test_workbook_has_the_seed_headers_and_the_figures(registry: list[Any], users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["province"])
    response = client.get("/targets/workbook.xlsx", {"as_of": DAY_2.isoformat()})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    first = book["附件1"]
    assert [c.value for c in first[2]][:4] == [
        "序号",
        "重点行业",
        "2020 年 A、B 级企业占比 (%)",
        "2021 年 A、B 级企业占比 (%)",
    ]
    names = [row[1].value for row in first.iter_rows(min_row=3)]
    assert names[0] == "长流程联合钢铁" and "水泥" in names and names[-1] == "省级重点行业"
    second = book["附件2"]
    assert [c.value for c in second[2]][:3] == ["序号", "省辖市", "A、B 级企业占比 (%)"]
    rows = {row[1].value: row for row in second.iter_rows(min_row=3)}
    assert rows["郑州市"][2].value == "≥25"
    report = services.report(PROVINCE, DAY_2, history=False, with_planner=False)
    zhengzhou = next(part for part in report["parts"] if part["key"] == HOME_CITY)
    assert rows["郑州市"][4].value == zhengzhou["total"] and rows["郑州市"][6].value == zhengzhou["needed"]


@pytest.mark.django_db
def test_monthly_report_to_the_province_carries_the_shares(registry: list[Any], users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["city"])
    page = client.get("/public/monthly-report/", {"region": HOME_CITY, "year": 2025, "month": 9})
    text = page.content.decode()
    assert page.status_code == 200 and "A、B 级企业占比与提升目标（截至 2025-09-30）" in text
    report = services.report(HOME_CITY, DAY_2, history=False, with_planner=False)
    assert f"{report['total']['share_percent']:g}%" in text and "≥25%" in text


@pytest.mark.django_db
def test_planner_ranks_by_indicator_gaps_and_leaves_out_counted_and_undeclared(
    users: dict[str, Any], make_enterprise: Any
) -> None:
    services.forget_counts()
    near, far, counted, silent = (
        make_enterprise(HOME_COUNTY, name) for name in ("近企业", "远企业", "已计入", "未申报")
    )
    for enterprise, grade in ((near, "C"), (far, "D"), (counted, "B"), (silent, "C")):
        _record(enterprise, enterprise.sites.first(), "cement", grade, dt.date(2024, 1, 1), None)
    _in_review(near, users, "B", facts={"ammonia_slip": 4.5})
    _in_review(far, users, "B", facts={"ammonia_slip": 9})  # as many gaps to B, but at D: ranked after
    _in_review(counted, users, "A", facts={"ammonia_slip": 4.5})
    rows = services.planner(HOME_CITY, DAY_2, frozenset({Grade.A, Grade.B, Grade.B_MINUS, Grade.LEADING}))
    names = [row.enterprise_name for row in rows]
    assert "已计入" not in names and "未申报" not in names
    assert names[:2] == ["近企业", "远企业"]
    assert all(row.gaps is not None and row.gaps > 0 for row in rows[:2])


@pytest.mark.django_db
def test_kept_counts_follow_new_grades_and_moved_enterprises(registry: list[Any], users: dict[str, Any]) -> None:
    """The counts of a date are kept between calls; a grade recorded since, or an enterprise moved to another
    county, is counted again for the regions it touches, and the figures still agree with a direct count."""
    from airgrade.platform.enterprises import services as registry_services

    services.report(PROVINCE, DAY_2, history=False, with_planner=False)  # counts of DAY_2 now kept
    enterprise = next(e for e in registry if e.region_id == HOME_COUNTY)
    site = enterprise.sites.first()
    GradeRecord.objects.filter(enterprise=enterprise, valid_until__isnull=True).update(valid_until=DAY_1)
    _record(enterprise, site, "cement", "D", DAY_1, None)  # as record_grade does: close, then add
    moved = next(e for e in registry if e.region_id == OTHER_COUNTY)
    registry_services.update_enterprise(users["province"], moved.pk, {"region": OTHER_CITY_COUNTY}, "迁址")
    report = services.report(PROVINCE, DAY_2, history=False, with_planner=False)
    direct = _direct(DAY_2, PROVINCE)
    parts = {part["key"]: part for part in report["parts"]}
    for city, (counted, total, d_count) in direct["cities"].items():
        assert (parts[city]["counted"], parts[city]["total"], parts[city]["d_count"]) == (counted, total, d_count)
    families = {row["key"]: row for row in report["families"]}
    for family, (counted, total) in direct["families"].items():
        assert (families[family]["counted"], families[family]["total"]) == (counted, total)
