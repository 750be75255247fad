"""Grade workflow pages (issue 15): the registry with an as-of date and filters, a site's grade history, rectification
orders through to closure, dynamic downgrade and adjustment windows, and the 回头看 rounds, for every role: in scope
works, out of scope is not found, anonymous callers are sent to the login page. Refused forms keep what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from tests.platform.declarations.workflow_helpers import province_verified
from tests.platform.page_client import client_for, text, visible

from airgrade.platform.grades.models import (
    AdjustmentWindow,
    Downgrade,
    GradeRecord,
    LookbackItem,
    LookbackRound,
    RectificationOrder,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(users: dict[str, Any]) -> GradeRecord:
    """The home enterprise's cement grade B, verified by the province (巩义 410181, 郑州 410100)."""
    province_verified(users)
    return GradeRecord.objects.get(enterprise=users["own_enterprise"])


def _later(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


# ---------------------------------------------------------------- registry and history


def test_registry_lists_grades_in_force_in_scope_with_as_of_and_filters(users: dict[str, Any], graded: Any) -> None:
    name = users["own_enterprise"].name
    for who in ("county", "city", "province", "enterprise"):
        response = client_for(users[who]).get("/grades/")
        page = visible(response)
        assert name in page and "水泥" in page and "cement" not in page, who
        assert f"/grades/sites/{graded.site_id}/" in text(response), who
    assert name not in text(client_for(users["other_city"]).get("/grades/"))
    assert name not in text(client_for(users["other_enterprise_user"]).get("/grades/"))
    assert client_for(users["expert"]).get("/grades/").status_code == 404
    assert "/accounts/login/" in client_for().get("/grades/")["Location"]

    city = client_for(users["city"])
    assert f'value="{timezone.localdate().isoformat()}"' in text(city.get("/grades/"))  # the date the list is for
    before = (graded.valid_from - dt.timedelta(days=1)).isoformat()
    assert name not in text(city.get(f"/grades/?as_of={before}"))
    assert name in text(city.get(f"/grades/?grade=B&region=410181&industry=cement&q={name[:3]}"))
    assert name not in text(city.get("/grades/?grade=C"))
    assert name in text(city.get(f"/grades/?q={users['own_enterprise'].credit_code}"))
    bad = city.get("/grades/?as_of=2024-13-40")
    assert bad.status_code == 400 and "须为日期" in text(bad)
    exported = city.get("/grades/?grade=B&export=csv")
    assert exported.status_code == 200 and name in exported.content.decode("utf-8-sig")
    assert "水泥" in exported.content.decode("utf-8-sig") and "B级" in exported.content.decode("utf-8-sig")
    assert name not in client_for(users["other_city"]).get("/grades/?export=csv").content.decode("utf-8-sig")


def test_site_history_shows_every_grade_with_source_rules_and_actions_by_role(
    users: dict[str, Any], graded: Any
) -> None:
    url = f"/grades/sites/{graded.site_id}/"
    county = text(client_for(users["county"]).get(url))
    assert "评级批次审核" in county and graded.rules_version in county and "现行" in county
    assert "下达整改通知" in county and "动态降级" in county
    province = text(client_for(users["province"]).get(url))
    assert "B级" in province and "动态降级" not in province and "下达整改通知" not in province
    enterprise = text(client_for(users["enterprise"]).get(url))
    assert "等级历史" in enterprise and "动态降级" not in enterprise
    for who in ("other_county", "other_city", "other_enterprise_user", "expert"):
        assert client_for(users[who]).get(url).status_code == 404, who
    assert client_for(users["county"]).get("/grades/sites/987654/").status_code == 404
    assert "/accounts/login/" in client_for().get(url)["Location"]


def test_downgrade_page_keeps_typed_values_and_records_the_downgrade(users: dict[str, Any], graded: Any) -> None:
    url = f"/grades/sites/{graded.site_id}/downgrade/"
    county = client_for(users["county"])
    form = text(county.get(url))
    assert "确认动态降级" in form and "超标排放" in form and "禁止申报" in form
    refused = county.post(url, {"industry_code": "cement", "reason_code": "excess_emission", "to_grade": "C"})
    assert refused.status_code == 400
    page = text(refused)
    assert 'id="error-description"' in page and "须写明降级的事实与依据" in page
    assert '<option value="excess_emission" selected>' in page and '<option value="C" selected>' in page
    assert not Downgrade.objects.exists()
    done = county.post(
        url,
        {"industry_code": "cement", "reason_code": "excess_emission", "to_grade": "C", "description": "在线监测超标"},
    )
    assert done.status_code == 302 and done["Location"] == f"/grades/sites/{graded.site_id}/"
    assert Downgrade.objects.get().to_grade == "C"
    assert "在线监测超标" in text(county.get(done["Location"]))
    assert client_for(users["province"]).post(url, {"description": "x"}).status_code == 403  # no downgrade right
    assert client_for(users["other_county"]).post(url, {"description": "x"}).status_code == 404


# ---------------------------------------------------------------- rectification orders


def test_rectification_order_from_issue_to_closure(users: dict[str, Any], graded: Any) -> None:
    county, enterprise = client_for(users["county"]), client_for(users["enterprise"])
    issue = f"/grades/sites/{graded.site_id}/rectify/"
    refused = county.post(issue, {"problem": "", "deadline": _later(20)})
    assert refused.status_code == 400 and "须写明整改问题" in text(refused)
    assert f'value="{_later(20)}"' in text(refused)
    bad_date = county.post(issue, {"problem": "料场未封闭", "deadline": "明天"})
    assert bad_date.status_code == 400 and 'id="error-deadline"' in text(bad_date) and "料场未封闭" in text(bad_date)
    done = county.post(issue, {"problem": "料场未封闭", "deadline": _later(20)})
    order = RectificationOrder.objects.get()
    assert done["Location"] == f"/grades/rectifications/{order.pk}/"

    assert f"/grades/rectifications/{order.pk}/" in text(enterprise.get("/"))  # the work queue links to it
    page = text(enterprise.get(done["Location"]))
    assert "整改中" in page and "rectification-report" in page and "rectification-close" not in page
    report = f"/grades/rectifications/{order.pk}/report/"
    assert enterprise.post(report, {"report": "  "}).status_code == 400
    enterprise.post(report, {"report": "已建封闭料棚"})
    order.refresh_from_db()
    assert order.status == "reported"

    assert f"/grades/rectifications/{order.pk}/" in text(county.get("/"))
    assert "rectification-close" in text(county.get(f"/grades/rectifications/{order.pk}/"))
    close = f"/grades/rectifications/{order.pk}/close/"
    refused = county.post(close, {"note": ""})
    assert refused.status_code == 400 and "须填写核查销号意见" in text(refused)
    assert county.post(close, {"note": "现场核实已整改"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "closed"
    listed = text(county.get("/grades/rectifications/?status=closed"))
    assert users["own_enterprise"].name in listed and "已销号" in listed

    for who in ("other_county", "other_city", "other_enterprise_user", "expert"):
        assert client_for(users[who]).get(f"/grades/rectifications/{order.pk}/").status_code == 404, who
        assert users["own_enterprise"].name not in text(client_for(users[who]).get("/grades/rectifications/"))
    assert client_for(users["county"]).get(f"/grades/rectifications/{order.pk}/nothing/").status_code == 404
    assert "/accounts/login/" in client_for().get("/grades/rectifications/")["Location"]


# ---------------------------------------------------------------- dynamic adjustment


def test_adjustment_window_page(users: dict[str, Any]) -> None:
    city = client_for(users["city"])
    assert "开启动态调整窗口" in text(city.get("/grades/adjustment/"))
    url = "/grades/adjustment/open/"
    refused = city.post(url, {"region": "410100", "period": "2031", "opens": "2031-10-31", "closes": "2031-10-01"})
    assert refused.status_code == 400 and 'id="error-closes"' in text(refused)
    assert 'value="2031-10-31"' in text(refused)
    ok = city.post(url, {"region": "410100", "period": "2031", "opens": "2031-10-01", "closes": "2031-10-31"})
    assert ok.status_code == 302 and AdjustmentWindow.objects.get().region_id == "410100"
    for who in ("county", "province"):
        assert "2031-10-31" in text(client_for(users[who]).get("/grades/adjustment/")), who
    assert "2031-10-31" not in text(client_for(users["other_city"]).get("/grades/adjustment/"))
    assert client_for(users["county"]).get(url).status_code == 404
    assert client_for(users["enterprise"]).get("/grades/adjustment/").status_code == 404
    # Another city posting this city's code is refused by the service, and nothing is written.
    other = client_for(users["other_city"]).post(
        url, {"region": "410100", "period": "2032", "opens": "2032-10-01", "closes": "2032-10-31"}
    )
    assert other.status_code == 403 and AdjustmentWindow.objects.count() == 1


# ---------------------------------------------------------------- 回头看


def test_lookback_round_start_results_problems_and_settle(users: dict[str, Any], graded: Any) -> None:
    city = client_for(users["city"])
    start = "/grades/lookbacks/start/"
    refused = city.post(start, {"region": "410100", "year": "2030", "qualification_due": "", "onsite_due": _later(9)})
    assert refused.status_code == 400 and 'id="error-qualification_due"' in text(refused)
    done = city.post(
        start, {"region": "410100", "year": "2030", "qualification_due": _later(5), "onsite_due": _later(9)}
    )
    round_ = LookbackRound.objects.get()
    assert done["Location"] == f"/grades/lookbacks/{round_.pk}/"
    item = LookbackItem.objects.get()
    page = text(city.get(done["Location"]))
    assert users["own_enterprise"].name in page and "未开展" in page

    step = f"/grades/lookbacks/items/{item.pk}/onsite/"
    refused = city.post(step, {"result": "serious", "note": ""})
    assert refused.status_code == 400 and "发现问题须写明问题" in text(refused)
    assert '<option value="serious" selected>' in text(refused)
    city.post(step, {"result": "serious", "note": "治理设施未运行"})
    problems = text(city.get(f"/grades/lookbacks/{round_.pk}/problems/"))
    assert "问题企业汇总表" in problems and "治理设施未运行" in problems and users["own_enterprise"].name in problems
    assert "处理" in text(city.get(done["Location"]))

    settle = f"/grades/lookbacks/items/{item.pk}/settle/"
    refused = city.post(settle, {"outcome": "rectify", "note": "限期恢复运行"})
    assert refused.status_code == 400 and "须给出整改时限" in text(refused)
    assert city.post(settle, {"outcome": "rectify", "deadline": _later(30), "note": "限期恢复运行"}).status_code == 302
    item.refresh_from_db()
    assert item.outcome == "rectify" and RectificationOrder.objects.get().lookback_item == item

    province = client_for(users["province"])
    assert users["own_enterprise"].name in text(province.get(done["Location"]))
    assert "资格审查</a>" not in text(province.get(done["Location"]))  # sees, does not manage
    for who in ("county", "other_county", "other_city", "enterprise", "expert"):
        assert client_for(users[who]).get(done["Location"]).status_code == 404, who
        assert client_for(users[who]).get(f"/grades/lookbacks/{round_.pk}/problems/").status_code == 404, who
    for who in ("county", "enterprise", "expert"):
        assert client_for(users[who]).get("/grades/lookbacks/").status_code == 404, who
    assert "/accounts/login/" in client_for().get("/grades/lookbacks/")["Location"]


def test_history_leaves_requirement_ids_out_of_stored_reasons(users: dict[str, Any]) -> None:
    from django.db import transaction

    from airgrade.platform.grades import services

    site = users["own_enterprise"].sites.get()
    with transaction.atomic():
        services.record_grade(
            actor=users["county"],
            site=site,
            industry_code="cement",
            grade=services.Grade.D,
            valid_from=dt.date(2024, 1, 1),
            source="default_lowest",
            reason="截止时未申报，按最低等级管理（REQ LC-6）",
        )
    page = visible(client_for(users["county"]).get(f"/grades/sites/{site.pk}/"))
    assert "截止时未申报，按最低等级管理" in page and "REQ" not in page and "未申报按最低等级管理" in page


def test_home_grade_mix_names_each_grade_by_its_label(users: dict[str, Any], graded: Any) -> None:
    """The city's home counts grades in force by their Chinese labels ('A级', '非引领性'), never 'code 级'."""
    page = text(client_for(users["city"]).get("/"))
    mix = page[page.index("现行绩效等级（厂区×行业）") :]
    assert f"{graded.grade}级" in mix and f"{graded.grade} 级" not in mix
