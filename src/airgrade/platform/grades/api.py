"""Grade registry API: as-of queries, history, downgrades, adjustment windows, rectification and 回头看."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router

from airgrade.platform.grades import services
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.grades.schemas import (
    DowngradeIn,
    EnterpriseGradesOut,
    GradeRecordOut,
    LookbackIn,
    LookbackResultIn,
    LookbackResultOut,
    OrderIn,
    ProblemItemOut,
    SettledOut,
    SettleIn,
    StatusOut,
    TextIn,
    WindowIn,
)

router = Router(tags=["grades"])


def record_out(r: GradeRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "enterprise_id": r.enterprise_id,
        "site_id": r.site_id,
        "region": r.region_id,
        "industry_code": r.industry_code,
        "grade": r.grade,
        "valid_from": r.valid_from,
        "valid_until": r.valid_until,
        "source": r.source,
        "declaration_id": r.declaration_id,
        "campaign_id": r.campaign_id,
        "rules_version": r.rules_version,
        "reason": r.reason,
    }


@router.get("/", response=list[GradeRecordOut], summary="本辖区在某日有效的等级（as_of 缺省为今天）")
def list_grades(request: HttpRequest, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    return [record_out(r) for r in services.visible_records(request.user, as_of).order_by("id")[:2000]]


@router.get("/enterprises/{enterprise_id}", response=EnterpriseGradesOut, summary="企业等级：某日等级与全部历史")
def enterprise_grades(request: HttpRequest, enterprise_id: int, as_of: dt.date | None = None) -> dict[str, Any]:
    records = services.history(request.user, enterprise_id)
    on = as_of or services.today()
    in_force = [r for r in records if r.valid_from <= on and (r.valid_until is None or r.valid_until > on)]
    overall = services.enterprise_grade_on(records[0].enterprise, on) if records else None
    return {
        "as_of": on,
        "overall": overall.value if overall else None,
        "in_force": [record_out(r) for r in in_force],
        "history": [record_out(r) for r in records],
    }


@router.post(
    "/downgrades", response={201: dict}, summary="动态降级（原因代码；虚假材料/篡改门禁→最低等级+一年禁报+诚信档案）"
)
def downgrade(request: HttpRequest, body: DowngradeIn) -> tuple[int, dict[str, Any]]:
    entry = services.downgrade(
        request.user,
        site_id=body.site_id,
        industry_code=body.industry_code,
        reason_code=body.reason_code,
        description=body.description,
        to_grade=body.to_grade,
        effective=body.effective,
    )
    ban = entry.applicationban_set.first()
    return 201, {
        "id": entry.pk,
        "from_grade": entry.from_grade,
        "to_grade": entry.to_grade,
        "ban_until": ban.ends if ban else None,
    }


@router.post("/windows", response={201: dict}, summary="开启本周期唯一一次动态调整")
def window(request: HttpRequest, body: WindowIn) -> tuple[int, dict[str, Any]]:
    w = services.open_adjustment_window(
        request.user, region_code=body.region, period=body.period, opens=body.opens, closes=body.closes, note=body.note
    )
    return 201, {"id": w.pk}


@router.post("/rectifications", response={201: dict}, summary="下达整改通知")
def order(request: HttpRequest, body: OrderIn) -> tuple[int, dict[str, Any]]:
    o = services.order_rectification(request.user, site_id=body.site_id, problem=body.problem, deadline=body.deadline)
    return 201, {"id": o.pk, "status": o.status}


@router.post("/rectifications/{order_id}/report", response=StatusOut, summary="企业报告整改完成")
def report(request: HttpRequest, order_id: int, body: TextIn) -> dict[str, Any]:
    o = services.report_rectification(request.user, order_id, body.text)
    return {"id": o.pk, "status": o.status}


@router.post("/rectifications/{order_id}/close", response=StatusOut, summary="核查销号")
def close(request: HttpRequest, order_id: int, body: TextIn) -> dict[str, Any]:
    o = services.close_rectification(request.user, order_id, body.text)
    return {"id": o.pk, "status": o.status}


@router.post("/lookbacks", response={201: dict}, summary="建立回头看（选取辖区全部A/B/引领性）")
def lookback(request: HttpRequest, body: LookbackIn) -> tuple[int, dict[str, Any]]:
    r = services.start_lookback(
        request.user,
        region_code=body.region,
        year=body.year,
        qualification_due=body.qualification_due,
        onsite_due=body.onsite_due,
    )
    return 201, {"id": r.pk, "items": list(r.items.values("id", "grade_record_id"))}


@router.get("/lookbacks/{round_id}/problems", response=list[ProblemItemOut], summary="问题企业汇总表（附件3）")
def problems(request: HttpRequest, round_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "enterprise_id": i.grade_record.enterprise_id,
            "grade": i.grade_record.grade,
            "qualification": i.qualification_result,
            "qualification_note": i.qualification_note,
            "onsite": i.onsite_result,
            "onsite_note": i.onsite_note,
            "outcome": i.outcome,
        }
        for i in services.visible_problem_items(request.user, round_id)
    ]


@router.post("/lookbacks/items/{item_id}/result", response=LookbackResultOut, summary="记录资格审查/现场核查结论")
def lookback_result(request: HttpRequest, item_id: int, body: LookbackResultIn) -> dict[str, Any]:
    i = services.record_lookback_result(request.user, item_id, stage=body.stage, result=body.result, note=body.note)
    return {"id": i.pk, "qualification": i.qualification_result, "onsite": i.onsite_result}


@router.post("/lookbacks/items/{item_id}/settle", response=SettledOut, summary="处理：降级或限期整改")
def settle(request: HttpRequest, item_id: int, body: SettleIn) -> dict[str, Any]:
    i = services.settle_lookback_item(
        request.user, item_id, outcome=body.outcome, to_grade=body.to_grade, deadline=body.deadline, note=body.note
    )
    return {"id": i.pk, "outcome": i.outcome}
