"""Registry pages: login required, scoped lists and details, Chinese validation messages, CSRF, throttled login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.conftest import PASSWORD

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.enterprises.models import ProductionLine

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_login() -> None:
    response = Client().get("/enterprises/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_search_and_detail_in_scope(users: dict[str, Any]) -> None:
    client = _client(users["city"])
    page = client.get("/enterprises/", {"q": "邻县"}).content.decode()
    assert "邻县企业" in page and "本县企业" not in page
    detail = client.get(f"/enterprises/{users['other_enterprise'].pk}/")
    assert detail.status_code == 200 and "1#熟料线" in detail.content.decode()


def test_out_of_scope_detail_and_edit_are_refused(users: dict[str, Any]) -> None:
    client = _client(users["county"])
    other = users["other_enterprise"]
    assert client.get(f"/enterprises/{other.pk}/").status_code == 404
    # Out of scope is "not found", like a missing enterprise (issue 8, defect 6).
    response = client.post(f"/enterprises/{other.pk}/edit/", {"name": "x"})
    assert response.status_code == 404 and "不存在或不在您的管辖范围内" in response.content.decode()
    line = ProductionLine.objects.filter(site__enterprise=other).first()
    assert client.post(f"/enterprises/lines/{line.pk}/edit/", {"name": "x"}).status_code == 404
    ent = _client(users["enterprise"])
    assert ent.get(f"/enterprises/{other.pk}/").status_code == 404


def test_line_edit_shows_chinese_errors_and_saves_with_audit(users: dict[str, Any]) -> None:
    client = _client(users["county"])
    line = ProductionLine.objects.filter(site__enterprise=users["own_enterprise"]).first()
    form = {
        "name": "1#熟料线",
        "kind": "line",
        "capacity": "-1",
        "capacity_unit": "t/d",
        "status": "running",
        "reason": "核对",
    }
    response = client.post(f"/enterprises/lines/{line.pk}/edit/", form)
    assert response.status_code == 200 and "产能不能为负数" in response.content.decode()
    response = client.post(f"/enterprises/lines/{line.pk}/edit/", {**form, "capacity": "abc"})
    assert "产能须为数字" in response.content.decode()
    response = client.post(f"/enterprises/lines/{line.pk}/edit/", {**form, "capacity": "4500", "reason": ""})
    assert response.status_code == 200 and "修改已登记的信息须填写修改原因" in response.content.decode()
    assert 'value="4500"' in response.content.decode()  # what was typed stays
    response = client.post(f"/enterprises/lines/{line.pk}/edit/", {**form, "capacity": "4500", "reason": "技改扩能"})
    assert response.status_code == 302
    record = AuditRecord.objects.latest("id")
    assert record.action == "line.update" and record.reason == "技改扩能"
    assert record.before["capacity"] == "4000.000" and record.after["capacity"] == "4500.000"


def test_csrf_is_enforced() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_login_is_throttled_after_repeated_failures(users: dict[str, Any], settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": "county", "password": "wrong"})
        assert "用户名或密码错误" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "county", "password": "wrong"})
    assert response.status_code == 429  # the failure that reaches the limit already answers with the lock-out
    response = client.post("/accounts/login/", {"username": "county", "password": PASSWORD})
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/accounts/login/", {"username": "county", "password": PASSWORD}).status_code == 302


def test_home_counts_are_scoped(users: dict[str, Any]) -> None:
    page = _client(users["county"]).get("/").content.decode()
    assert "县级审核工作台" in page
    assert '<div class="n">1</div><div class="l">企业</div>' in page


def test_passwords_are_hashed_with_the_production_hasher(settings: Any) -> None:
    from django.conf import global_settings

    from airgrade.platform.accounts.models import User

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    user = User(username="hash-check")
    user.set_password(PASSWORD)
    assert user.password.startswith("pbkdf2_sha256$") and PASSWORD not in user.password
    assert user.check_password(PASSWORD) and not user.check_password("other")


def test_add_line_page_in_and_out_of_scope(users: dict[str, Any]) -> None:
    own_site = users["own_enterprise"].sites.get()
    other_site = users["other_enterprise"].sites.get()
    form = {"name": "2#粉磨站", "kind": "line", "capacity": "120", "capacity_unit": "万t/a", "status": "backup"}
    client = _client(users["enterprise"])
    assert client.post(f"/enterprises/sites/{other_site.pk}/lines/add/", form).status_code == 404
    assert not ProductionLine.objects.filter(name="2#粉磨站").exists()
    assert client.post(f"/enterprises/sites/{own_site.pk}/lines/add/", form).status_code == 302
    line = ProductionLine.objects.get(name="2#粉磨站")
    assert line.site == own_site and line.status == "backup"
    assert AuditRecord.objects.latest("id").action == "line.create"


def test_interface_switches_to_english_and_back(users: dict[str, Any]) -> None:
    client = _client(users["county"])
    assert "企业档案" in client.get("/enterprises/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/enterprises/"})
    assert response.status_code == 302
    page = client.get("/enterprises/").content.decode()
    assert "Enterprise registry" in page and '<html lang="en">' in page
    # The header's menus are in the catalogue too.
    assert (
        "Grading" in page and "Emergency reduction" in page and "Data and system" in page and "Emergency lists" in page
    )
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "企业档案" in client.get("/enterprises/").content.decode()


def test_an_english_browser_still_gets_chinese_until_the_user_chooses(users: dict[str, Any]) -> None:
    client = _client(users["county"])
    page = client.get("/enterprises/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "企业档案" in page and '<html lang="zh-hans">' in page


def test_home_shows_the_work_queue_and_an_enterprises_grades(users: dict[str, Any]) -> None:
    import datetime as dt

    from airgrade.platform.grades.models import GradeRecord

    own = users["own_enterprise"]
    site = own.sites.get()
    GradeRecord.objects.create(
        enterprise=own,
        site=site,
        region_id=site.region_id,
        industry_code="cement",
        grade="B",
        valid_from=dt.date(2020, 1, 1),
        source=GradeRecord.Source.CAMPAIGN,
    )
    page = _client(users["enterprise"]).get("/").content.decode()
    assert "我的待办" in page and "本企业现行绩效等级" in page
    assert "<td>水泥</td><td><strong>B</strong></td>" in page
    # Another enterprise's grade never shows on this enterprise's home page.
    other_page = _client(users["other_enterprise_user"]).get("/").content.decode()
    assert "本企业现行绩效等级" not in other_page


def test_staff_home_counts_grades_in_their_region_only(users: dict[str, Any]) -> None:
    import datetime as dt

    from airgrade.platform.grades.models import GradeRecord

    for key, grade in (("own_enterprise", "A"), ("other_enterprise", "C"), ("far_enterprise", "C")):
        enterprise = users[key]
        site = enterprise.sites.get()
        GradeRecord.objects.create(
            enterprise=enterprise,
            site=site,
            region_id=site.region_id,
            industry_code="cement",
            grade=grade,
            valid_from=dt.date(2020, 1, 1),
            source=GradeRecord.Source.CAMPAIGN,
        )
    county = _client(users["county"]).get("/").content.decode()
    assert '<div class="n">1</div><div class="l">A级</div>' in county and "C级" not in county
    city = _client(users["city"]).get("/").content.decode()
    assert '<div class="n">1</div><div class="l">C级</div>' in city
    province = _client(users["province"]).get("/").content.decode()
    assert '<div class="n">2</div><div class="l">C级</div>' in province
