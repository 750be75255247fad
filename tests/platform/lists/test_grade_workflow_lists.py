"""Downgrades (动态调整), the 回头看 问题企业汇总表 and the expert pool on the list mechanism (ADR 0006, issue 15):
search and filters narrow, pages and CSV / xlsx exports keep to the caller's scope, a bad filter value is refused
with 400 naming the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from tests.conftest import HOME_COUNTY, OTHER_COUNTY, PASSWORD
from tests.platform.declarations.workflow_helpers import act, force_state, make_campaign, ready_declaration

from airgrade.core.types import Grade, Role
from airgrade.platform.declarations import services as declarations
from airgrade.platform.grades import services

pytestmark = pytest.mark.django_db


def _export(user: Any, url: str, column: str, query: str = "") -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(f"{url}?export=csv{query}")
    assert response.status_code == 200, response.content.decode()[:300]
    return {row[column] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


def _status(user: Any, url: str) -> int:
    client = Client()
    client.force_login(user)
    return int(client.get(url).status_code)


# ---------------------------------------------------------------- downgrades


@pytest.fixture
def downgrades(users: dict[str, Any]) -> None:
    """A C grade downgraded to D in the home county (excess emission) and in the other county (facility off)."""
    for key, who, reason in (
        ("own_enterprise", "county", "excess_emission"),
        ("other_enterprise", "other_county", "facility_not_running"),
    ):
        site = users[key].sites.get()
        with transaction.atomic():
            services.record_grade(
                actor=users[who],
                site=site,
                industry_code="cement",
                grade=Grade.C,
                valid_from=dt.date(2025, 1, 1),
                source="review",
            )
        services.downgrade(
            users[who],
            site_id=site.pk,
            industry_code="cement",
            reason_code=reason,
            description="在线监测数据",
            to_grade="D",
        )


def test_downgrade_list_filters_and_exports_in_scope(users: dict[str, Any], downgrades: None) -> None:
    url = "/grades/adjustment/"
    assert _export(users["city"], url, "企业") == {"本县企业", "邻县企业"}
    assert _export(users["province"], url, "企业") == {"本县企业", "邻县企业"}
    assert _export(users["county"], url, "企业") == {"本县企业"}
    assert _export(users["other_county"], url, "企业") == {"邻县企业"}
    assert _export(users["other_city"], url, "企业") == set()
    assert _export(users["city"], url, "企业", f"&region={OTHER_COUNTY}") == {"邻县企业"}
    assert _export(users["city"], url, "企业", "&q=本县") == {"本县企业"}
    assert _export(users["city"], url, "降级原因", "&reason=facility_not_running") == {"治理设施不正常运行"}
    assert _export(users["city"], url, "企业", "&effective_from=2999-01-01") == set()
    assert _export(users["city"], url, "降为") == {"D级"}
    # A county's region filter cannot reach its neighbour; a date that is not a date is refused with its field.
    assert _status(users["county"], f"{url}?region={OTHER_COUNTY}") == 400
    client = Client()
    client.force_login(users["city"])
    refused = client.get(f"{url}?effective_from=2025-13-40")
    assert refused.status_code == 400 and "生效日期起" in refused.content.decode()
    page = client.get(f"{url}?reason=excess_emission").content.decode()
    assert 'id="downgrade-filters"' in page and "本县企业" in page and "邻县企业" not in page
    xlsx = client.get(f"{url}?export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# ---------------------------------------------------------------- 回头看 问题企业汇总表


def _verified(enterprise_user: Any, campaign: Any, users: dict[str, Any], county: str) -> None:
    declaration = force_state(ready_declaration(enterprise_user, campaign), "province_verification", users[county])
    act(users["province"], declaration, "declaration.province_verify")


@pytest.fixture
def problems(users: dict[str, Any]) -> Any:
    """A city round over two B enterprises (home and other county), each with a problem found."""
    campaign = make_campaign(users["city"])
    _verified(users["enterprise"], campaign, users, "county")
    _verified(users["other_enterprise_user"], campaign, users, "other_county")
    today = services.today()
    round_ = services.start_lookback(
        users["city"],
        region_code="410100",
        year=today.year,
        qualification_due=today + dt.timedelta(days=5),
        onsite_due=today + dt.timedelta(days=9),
    )
    for item in round_.items.select_related("grade_record__enterprise"):
        serious = item.grade_record.enterprise.name == "邻县企业"
        services.record_lookback_result(
            users["city"],
            item.pk,
            stage="onsite",
            result="serious" if serious else "minor",
            note="治理设施未运行" if serious else "台账不全",
        )
    return round_


def test_problem_list_filters_and_exports_in_scope(users: dict[str, Any], problems: Any) -> None:
    url = f"/grades/lookbacks/{problems.pk}/problems/"
    assert _export(users["city"], url, "企业名称") == {"本县企业", "邻县企业"}
    assert _export(users["province"], url, "企业名称") == {"本县企业", "邻县企业"}
    assert _export(users["city"], url, "企业名称", f"&region={HOME_COUNTY}") == {"本县企业"}
    assert _export(users["city"], url, "企业名称", "&severity=serious") == {"邻县企业"}
    assert _export(users["city"], url, "企业名称", "&q=台账") == {"本县企业"}
    assert _export(users["city"], url, "处理结果", "&outcome=unsettled") == {"未处理"}
    assert _export(users["city"], url, "企业名称", "&outcome=downgrade") == set()
    assert _export(users["city"], url, "现场核查发现的问题", "&severity=serious") == {"问题严重：治理设施未运行"}
    for who in ("county", "other_city", "enterprise", "expert"):
        assert _status(users[who], url) == 404, who
        assert _status(users[who], f"{url}?export=csv") == 404, who
    assert _status(users["city"], f"{url}?severity=worst") == 400
    client = Client()
    client.force_login(users["city"])
    page = client.get(f"{url}?severity=minor").content.decode()
    assert 'id="problem-filters"' in page and "台账不全" in page and "治理设施未运行" not in page


# ---------------------------------------------------------------- expert pool


@pytest.fixture
def experts(users: dict[str, Any]) -> None:
    from airgrade.platform.accounts.models import User

    def expert(username: str, name: str) -> Any:
        user = User(username=username, role=Role.EXPERT.value, first_name=name)
        user.set_password(PASSWORD)
        user.save()
        return user

    declarations.register_expert(
        users["city"], expert_user_id=users["expert"].pk, region_code="410100", specialties=["cement"]
    )
    second = declarations.register_expert(
        users["city"], expert_user_id=expert("expert-b", "钱专家").pk, region_code="410100", specialties=["glass"]
    )
    declarations.register_expert(
        users["other_city"], expert_user_id=expert("expert-c", "孙专家").pk, region_code="410300"
    )
    declarations.blacklist_expert(users["city"], second.pk, reason="收受企业礼品")


def test_expert_list_filters_and_exports_in_scope(users: dict[str, Any], experts: None) -> None:
    url = "/declarations/experts/"
    assert _export(users["city"], url, "账号") == {"expert", "expert-b"}
    assert _export(users["other_city"], url, "账号") == {"expert-c"}
    assert _export(users["province"], url, "账号") == {"expert", "expert-b", "expert-c"}
    assert _export(users["city"], url, "账号", "&status=blacklisted") == {"expert-b"}
    assert _export(users["city"], url, "列入黑名单原因", "&status=blacklisted") == {"收受企业礼品"}
    assert _export(users["city"], url, "账号", "&specialty=cement") == {"expert"}
    assert _export(users["city"], url, "账号", "&q=钱") == {"expert-b"}
    assert _export(users["province"], url, "账号", "&region=410300") == {"expert-c"}
    for who in ("county", "enterprise", "expert"):
        assert _status(users[who], url) == 404, who
        assert _status(users[who], f"{url}?export=csv") == 404, who
    assert _status(users["city"], f"{url}?status=maybe") == 400
    assert _status(users["city"], f"{url}?region=410300") == 400
    client = Client()
    client.force_login(users["city"])
    page = client.get(f"{url}?status=available").content.decode()
    assert 'id="expert-filters"' in page and "expert-b" not in page


def test_a_refused_filter_reads_in_chinese_and_leads_back_to_the_list(users: dict[str, Any], downgrades: None) -> None:
    client = Client()
    client.force_login(users["city"])
    for query, words in (
        ("reason=bribery", "筛选条件「降级原因」无效：“bribery”不是可选的降级原因"),
        ("effective_from=2025-13-40", "筛选条件「生效日期起」无效：须为日期（年-月-日），收到“2025-13-40”"),
        ("region=410300", "行政区划代码 410300 不在您的管辖范围内"),
    ):
        response = client.get(f"/grades/adjustment/?{query}")
        page = response.content.decode()
        assert response.status_code == 400 and words in page, query
        assert "筛选条件有误" in page and '<a class="button" id="error-back" href="/grades/adjustment/">' in page
        assert "选择一个有效的选项" not in page and "输入一个有效的日期" not in page
