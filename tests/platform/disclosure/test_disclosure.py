"""Public grades, open data, result notices, objections (captcha, rate limit, routing, closure) and the monthly
report (REQ LC-14, H21-7, H23-3)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from tests.platform.declarations.workflow_helpers import act, force_state, make_campaign, ready_declaration

from airgrade.platform.disclosure import services
from airgrade.platform.disclosure.models import Objection
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError

pytestmark = pytest.mark.django_db


def _graded(users: dict[str, Any]) -> Any:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade="B"), "province_verification", users["county"]
    )
    act(users["province"], declaration, "declaration.province_verify")
    return campaign


def _captcha() -> tuple[str, str]:
    question, token = services.new_captcha()
    a, b = question.split(" = ")[0].split(" + ")
    return token, str(int(a) + int(b))


def test_public_pages_and_open_data_show_current_grades(users: dict[str, Any]) -> None:
    _graded(users)
    client = Client()
    code = users["own_enterprise"].credit_code
    rows = client.get("/api/public/grades.json").json()
    assert [(r["credit_code"], r["grade"]) for r in rows] == [(code, "B")]
    assert client.get("/api/public/grades.json", {"region": "410300"}).json() == []
    assert client.get("/api/public/grades.json", {"industry": "glass"}).json() == []
    assert client.get(f"/api/public/grades/{code}").json()[0]["industry"] == "水泥"
    response = client.get("/api/public/grades.csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0]["credit_code"] == code and table[0]["grade"] == "B"
    page = client.get("/public/grades/", {"q": "本县"})
    assert page.status_code == 200 and "本县企业" in page.content.decode() and ">B<" in page.content.decode()
    assert "本县企业" not in client.get("/public/grades/", {"q": "不存在的企业"}).content.decode()


def test_result_notice_freezes_the_campaign_results(users: dict[str, Any]) -> None:
    campaign = _graded(users)
    with pytest.raises(AccessDenied):
        services.publish_notice(users["county"], campaign.pk)
    notice = services.publish_notice(users["city"], campaign.pk)
    assert [e["grade"] for e in notice.entries] == ["B"]
    assert Client().get("/api/public/notices").json()[0]["title"].endswith("结果公示")


def test_objection_needs_the_captcha_and_goes_to_the_city(users: dict[str, Any]) -> None:
    _graded(users)
    enterprise = users["own_enterprise"]
    token, answer = _captcha()
    with pytest.raises(ServiceError, match="验证码答案不正确"):
        services.file_objection(
            enterprise_id=enterprise.pk,
            content="该企业料场未封闭，与B级不符",
            captcha_token=token,
            captcha_answer=str(int(answer) + 1),
            client_address="1.2.3.4",
        )
    with pytest.raises(ServiceError, match="验证码已过期或无效"):  # the wrong answer used the token up
        services.file_objection(
            enterprise_id=enterprise.pk,
            content="该企业料场未封闭，与B级不符",
            captcha_token=token,
            captcha_answer=answer,
            client_address="1.2.3.4",
        )
    token, answer = _captcha()
    objection = services.file_objection(
        enterprise_id=enterprise.pk,
        content="该企业料场未封闭，与B级不符",
        captcha_token=token,
        captcha_answer=answer,
        client_address="1.2.3.4",
    )
    assert objection.city_id == "410100"
    assert [o.pk for o in services.visible_objections(users["city"])] == [objection.pk]
    assert list(services.visible_objections(users["other_city"])) == []
    assert list(services.visible_objections(users["county"])) == []
    with pytest.raises(NotFound):  # out of scope is "not found" (issue 8 defect 6)
        services.handle_objection(users["other_city"], objection.pk, investigation="x")
    with pytest.raises(ServiceError, match="公开的处理结果"):
        services.handle_objection(users["city"], objection.pk, investigation="已现场核查", close=True)
    services.handle_objection(
        users["city"], objection.pk, investigation="已现场核查", close=True, result="经核查料场已封闭，维持B级"
    )
    status = Client().get(f"/api/public/objections/{objection.reference}").json()
    assert status == {"reference": objection.reference, "status": "closed", "result": "经核查料场已封闭，维持B级"}


def test_objections_are_rate_limited(users: dict[str, Any]) -> None:
    _graded(users)
    for n in range(services.OBJECTION_LIMIT_PER_HOUR):
        token, answer = _captcha()
        services.file_objection(
            enterprise_id=users["own_enterprise"].pk,
            content=f"第{n}次举报，内容足够长",
            captcha_token=token,
            captcha_answer=answer,
            client_address="5.6.7.8",
        )
    token, answer = _captcha()
    with pytest.raises(services.RateLimited, match="过于频繁"):
        services.file_objection(
            enterprise_id=users["own_enterprise"].pk,
            content="再次举报，内容足够长",
            captcha_token=token,
            captcha_answer=answer,
            client_address="5.6.7.8",
        )
    token, answer = _captcha()
    services.file_objection(
        enterprise_id=users["own_enterprise"].pk,
        content="另一个地址的举报内容",
        captcha_token=token,
        captcha_answer=answer,
        client_address="9.9.9.9",
    )
    assert Objection.objects.count() == services.OBJECTION_LIMIT_PER_HOUR + 1


def test_objection_api_is_public_and_refuses_ungraded_enterprises(users: dict[str, Any]) -> None:
    client = Client()
    captcha = client.get("/api/public/captcha").json()
    a, b = captcha["question"].split(" = ")[0].split(" + ")
    response = client.post(
        "/api/public/objections",
        {
            "enterprise_id": users["far_enterprise"].pk,
            "content": "这家企业没有公开等级却被举报",
            "captcha_token": captcha["token"],
            "captcha_answer": str(int(a) + int(b)),
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "已公开等级" in response.json()["error"]


def test_monthly_report_counts_per_city_industry_grade(users: dict[str, Any]) -> None:
    from django.utils import timezone

    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade="B")
    act(users["enterprise"], declaration, "declaration.submit")
    act(users["county"], declaration, "declaration.county_accept")
    act(users["county"], declaration, "declaration.county_return", opinion="补充监测报告")
    other = ready_declaration(users["other_enterprise_user"], campaign, grade="D")
    act(users["other_enterprise_user"], other, "declaration.submit")
    today = timezone.localdate()
    rows = services.monthly_report(users["province"], region_code="410000", year=today.year, month=today.month)
    by_grade = {r["grade"]: r for r in rows}
    assert by_grade["B"]["applied"] == 1 and by_grade["B"]["reviewed"] == 1
    assert by_grade["D"]["applied"] == 1 and by_grade["D"]["reviewed"] == 0
    assert all(r["city"] == "410100" and r["industry"] == "水泥" for r in rows)
    with pytest.raises(AccessDenied):
        services.monthly_report(users["county"], region_code="410181", year=today.year, month=today.month)
    with pytest.raises(AccessDenied):
        services.monthly_report(users["other_city"], region_code="410100", year=today.year, month=today.month)
    text = services.monthly_report_csv(rows)
    assert text.lstrip("\ufeff").splitlines()[0] == ",".join(services.REPORT_COLUMNS)


def test_objection_page_does_not_name_an_enterprise_without_a_public_grade(users: dict[str, Any]) -> None:
    _graded(users)
    ungraded = Client().get(f"/public/objections/new/{users['far_enterprise'].pk}/")
    assert ungraded.status_code == 400 and "外市企业" not in ungraded.content.decode()
    assert "已公开等级" in ungraded.content.decode()
    graded = Client().get(f"/public/objections/new/{users['own_enterprise'].pk}/")
    assert graded.status_code == 200 and "本县企业" in graded.content.decode()
    assert Client().get("/public/objections/new/999999/").status_code == 400


def test_monthly_report_page_scope_and_bad_numbers(users: dict[str, Any]) -> None:
    city, other = Client(), Client()
    city.force_login(users["city"])
    other.force_login(users["other_city"])
    assert city.get("/public/monthly-report/?region=410100&year=2026&month=1").status_code == 200
    bad = city.get("/public/monthly-report/?region=410100&year=abc&month=1")
    assert bad.status_code == 400 and "年份须为整数" in bad.content.decode()
    assert other.get("/public/monthly-report/?region=410100&year=2026&month=1").status_code == 403
    expert = Client()
    expert.force_login(users["expert"])
    assert expert.get("/public/monthly-report/?region=410100").status_code == 403
    assert Client().get("/public/monthly-report/").status_code == 302


def test_staff_objection_api_refuses_out_of_scope_callers(users: dict[str, Any]) -> None:
    _graded(users)
    token, answer = _captcha()
    objection = services.file_objection(
        enterprise_id=users["own_enterprise"].pk,
        content="该企业料场未封闭，与B级不符",
        captcha_token=token,
        captcha_answer=answer,
        client_address="1.2.3.4",
    )
    url = f"/api/public/staff/objections/{objection.pk}"
    assert Client().post(url, {"investigation": "x"}, content_type="application/json").status_code == 401
    for who in ("other_city", "county", "enterprise", "expert"):
        client = Client()
        client.force_login(users[who])
        assert client.get("/api/public/staff/objections").json() == [], who
        response = client.post(url, {"investigation": "越权"}, content_type="application/json")
        # Another city's objection is out of scope: "not found"; roles that never handle objections: refused.
        assert response.status_code == (404 if who == "other_city" else 403), who
    assert Objection.objects.get(pk=objection.pk).investigation == ""
