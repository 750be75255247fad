"""Public disclosure API (no login): grades in force with search, open data JSON / CSV keyed by credit code,
result notices, the captcha and objections; plus the city's handling and the monthly report (login)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.security import SessionAuth

from airgrade.platform.accounts.addresses import client_address
from airgrade.platform.accounts.captcha import new_captcha
from airgrade.platform.disclosure import services
from airgrade.platform.disclosure.models import Objection, ResultNotice
from airgrade.platform.disclosure.schemas import (
    CaptchaOut,
    HandledOut,
    HandleIn,
    MonthlyRow,
    NoticeOut,
    ObjectionFiled,
    ObjectionIn,
    ObjectionStatus,
    PublicGradeRow,
    PublicParams,
    StaffObjection,
)
from airgrade.platform.errors import NotFound

router = Router(tags=["disclosure"])


def _filters(p: PublicParams) -> services.PublicFilter:
    return services.PublicFilter(p.q, p.region, p.industry, p.grade)


@router.get(
    "/grades.json",
    auth=None,
    response=list[PublicGradeRow],
    summary="开放数据：现行绩效等级（JSON，按统一社会信用代码）",
)
def grades_json(request: HttpRequest, params: Query[PublicParams]) -> list[dict[str, Any]]:
    return [services.public_row(r) for r in services.public_grades(_filters(params))[:5000]]


@router.get("/grades.csv", auth=None, summary="开放数据：现行绩效等级（CSV）")
def grades_csv(request: HttpRequest, params: Query[PublicParams]) -> HttpResponse:
    response = HttpResponse(services.open_data_csv(_filters(params)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="airgrade-grades.csv"'
    return response


@router.get("/grades/{credit_code}", auth=None, response=list[PublicGradeRow], summary="按统一社会信用代码查询现行等级")
def grade_by_code(request: HttpRequest, credit_code: str) -> list[dict[str, Any]]:
    return [services.public_row(r) for r in services.public_grades(services.PublicFilter(query=credit_code))]


@router.get("/notices", auth=None, response=list[NoticeOut], summary="评级结果公示")
def notices(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": n.pk,
            "title": n.title,
            "campaign_id": n.campaign_id,
            "published_at": n.published_at,
            "entries": n.entries,
        }
        for n in ResultNotice.objects.all()[:100]
    ]


@router.get("/captcha", auth=None, response=CaptchaOut, summary="算术验证码")
def captcha(request: HttpRequest) -> dict[str, str]:
    question, token = new_captcha()
    return {"question": question, "token": token}


@router.post("/objections", auth=None, response={201: ObjectionFiled}, summary="对公开等级提出异议/举报（LC-14）")
def file_objection(request: HttpRequest, body: ObjectionIn) -> tuple[int, dict[str, Any]]:
    objection = services.file_objection(
        enterprise_id=body.enterprise_id,
        content=body.content,
        captcha_token=body.captcha_token,
        captcha_answer=body.captcha_answer,
        client_address=client_address(request),
        reporter_name=body.reporter_name,
        reporter_contact=body.reporter_contact,
    )
    return 201, {"reference": objection.reference, "status": objection.status}


@router.get("/objections/{reference}", auth=None, response=ObjectionStatus, summary="查询举报办理结果")
def objection_status(request: HttpRequest, reference: str) -> dict[str, Any]:
    o = Objection.objects.filter(reference=reference).first()
    if o is None:
        raise NotFound("受理编号不存在")
    return {
        "reference": o.reference,
        "status": o.status,
        "result": o.result if o.status == Objection.Status.CLOSED else "",
    }


@router.get("/staff/objections", auth=SessionAuth(), response=list[StaffObjection], summary="本市举报（市级）")
def staff_objections(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": o.pk,
            "reference": o.reference,
            "enterprise_id": o.enterprise_id,
            "content": o.content,
            "status": o.status,
            "filed_at": o.filed_at,
        }
        for o in services.visible_objections(request.user)
    ]


@router.post(
    "/staff/objections/{objection_id}", auth=SessionAuth(), response=HandledOut, summary="调查与办结（公开结果）"
)
def handle(request: HttpRequest, objection_id: int, body: HandleIn) -> dict[str, Any]:
    o = services.handle_objection(
        request.user, objection_id, investigation=body.investigation, result=body.result, close=body.close
    )
    return {"id": o.pk, "status": o.status}


@router.get(
    "/staff/monthly-report",
    auth=SessionAuth(),
    response=list[MonthlyRow],
    # format=csv answers the same rows as a CSV file (an HttpResponse, returned as is).
    summary="月度报送：市×行业×等级（H23-3）",
)
def monthly_report(request: HttpRequest, region: str, year: int, month: int, format: str = "json") -> Any:
    rows = services.monthly_report(request.user, region_code=region, year=year, month=month)
    if format == "csv":
        response = HttpResponse(services.monthly_report_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="monthly-{region}-{year}{month:02d}.csv"'
        return response
    return rows
