"""Emergency-list API (/api/emergency/): list entries, decisions, plans, region simulation, alert events, tasks,
一厂一策 documents. Every endpoint calls a service that checks role and region scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from airgrade.core.types import AlertLevel
from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import AlertEvent, AlertTask, ListEntry
from airgrade.platform.emergency.schemas import (
    AlertDetail,
    AlertIn,
    AlertOut,
    CertifyIn,
    DecisionIn,
    Deleted,
    EntryDetail,
    EntryIn,
    EntryRow,
    EvidenceIn,
    LevelIn,
    OutputIn,
    PlanIn,
    PlanOut,
    ReasonIn,
    ReportIn,
    TaskOut,
)
from airgrade.platform.errors import ServiceError

router = Router(tags=["emergency"])


def _row(entry: ListEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "site": entry.site_id,
        "site_name": entry.site.name,
        "enterprise": entry.enterprise_id,
        "enterprise_name": entry.enterprise.name,
        "region": entry.region_id,
        "year": entry.year,
        "guarantee_status": entry.guarantee_status,
        "small_micro_status": entry.small_micro_status,
    }


def _detail(entry: ListEntry) -> dict[str, Any]:
    return {
        **_row(entry),
        "data": services.entry_data(entry),
        "guarantee_note": entry.guarantee_note,
        "small_micro_opinion": entry.small_micro_opinion,
    }


def _event(event: AlertEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "title": event.title,
        "region_codes": event.region_codes,
        "level": event.level,
        "status": event.status,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat() if event.ends_at else None,
        "rules_version": event.rules_version,
        "changes": [
            {"action": c.action, "level": c.level, "at": c.at.isoformat(), "by": str(c.by), "reason": c.reason}
            for c in event.changes.all()
        ],
    }


def _task(task: AlertTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "event": task.event_id,
        "entry": task.entry_id,
        "enterprise": task.enterprise_id,
        "enterprise_name": task.enterprise.name,
        "region": task.region_id,
        "level": task.level,
        "plan": task.plan,
        "acknowledged_at": task.acknowledged_at.isoformat() if task.acknowledged_at else None,
        "reported_at": task.reported_at.isoformat() if task.reported_at else None,
        "execution": services.execution_summary(task),
    }


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ServiceError(f"日期格式应为 YYYY-MM-DD，收到 {value!r}", field="as_of") from None


def _level(value: str) -> AlertLevel:
    try:
        return AlertLevel(value)
    except ValueError:
        raise ServiceError(f"预警级别无效: {value!r}（yellow / orange / red）", field="level") from None


@router.get("/entries", response=list[EntryRow])
def list_entries(request: HttpRequest, region: str = "", year: int | None = None) -> list[dict[str, Any]]:
    return [_row(entry) for entry in services.visible_entries(request.user, region, year)[:2000]]


@router.get("/entries/{entry_id}", response=EntryDetail)
def entry_detail(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    return _detail(services.get_entry(request.user, entry_id))


@router.put("/sites/{site_id}/years/{year}", response=EntryDetail)
def save_entry(request: HttpRequest, site_id: int, year: int, body: EntryIn) -> dict[str, Any]:
    return _detail(services.save_entry(request.user, site_id, year, body.data, body.reason))


@router.delete("/entries/{entry_id}", response=Deleted)
def delete_entry(request: HttpRequest, entry_id: int, reason: str = "") -> dict[str, Any]:
    services.delete_entry(request.user, entry_id, reason)
    return {"deleted": entry_id}


@router.get("/entries/{entry_id}/plans", response=dict[str, dict[str, Any]])
def entry_plans(request: HttpRequest, entry_id: int, as_of: str = "") -> dict[str, Any]:
    entry = services.get_entry(request.user, entry_id)
    return {level.value: plan.as_dict() for level, plan in services.entry_plans(entry, _date(as_of)).items()}


@router.get("/entries/{entry_id}/operation-plan.{fmt}")
def operation_plan(request: HttpRequest, entry_id: int, fmt: str, as_of: str = "") -> HttpResponse:
    from airgrade.io.documents.operation_plan import render_docx, render_pdf
    from airgrade.io.documents.pdf import PdfError

    if fmt not in ("docx", "pdf"):
        raise ServiceError("格式只能是 docx 或 pdf", field="fmt")
    plan = services.operation_plan_documents(request.user, entry_id, _date(as_of))
    if fmt == "docx":
        content = render_docx(plan)
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        try:
            content = render_pdf(plan)
        except PdfError as exc:
            raise ServiceError(str(exc)) from None
        kind = "application/pdf"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="operation-plan-{entry_id}.{fmt}"'
    return response


@router.post("/entries/{entry_id}/guarantee/decision", response=EntryDetail)
def guarantee_decision(request: HttpRequest, entry_id: int, body: DecisionIn) -> dict[str, Any]:
    return _detail(services.decide_guarantee(request.user, entry_id, body.approve, body.note))


@router.post("/entries/{entry_id}/guarantee/output", response=EntryDetail)
def guarantee_output(request: HttpRequest, entry_id: int, body: OutputIn) -> dict[str, Any]:
    return _detail(services.report_guarantee_output(request.user, entry_id, body.daily_output, body.note))


@router.post("/entries/{entry_id}/small-micro", response=EntryDetail)
def small_micro(request: HttpRequest, entry_id: int, body: CertifyIn) -> dict[str, Any]:
    return _detail(services.certify_small_micro(request.user, entry_id, body.certify, body.opinion))


@router.put("/plans", response=PlanOut)
def save_plan(request: HttpRequest, body: PlanIn) -> dict[str, Any]:
    data = body.dict()
    reason = data.pop("reason")
    plan = services.save_plan(request.user, data, reason)
    return {"id": plan.pk, "industry_code": plan.industry_code, "region": plan.region_id}


# The core simulation report (docs/emergency.md documents its fields).
@router.get("/simulate", response=dict[str, Any])
def simulate(request: HttpRequest, region: str, level: str, as_of: str = "", year: int | None = None) -> dict[str, Any]:
    """The same report as `airgrade alert simulate --json` (docs/emergency.md)."""
    return services.region_report(request.user, region, _level(level), _date(as_of), year)


@router.get("/alerts", response=list[AlertOut])
def list_alerts(request: HttpRequest) -> list[dict[str, Any]]:
    return [_event(event) for event in services.visible_events(request.user)]


@router.post("/alerts", response=AlertOut)
def issue_alert(request: HttpRequest, body: AlertIn) -> dict[str, Any]:
    data = body.dict()
    reason = data.pop("reason")
    return _event(services.issue_alert(request.user, data, reason))


@router.get("/alerts/{event_id}", response=AlertDetail)
def alert_detail(request: HttpRequest, event_id: int) -> dict[str, Any]:
    event = services.get_event(request.user, event_id)
    return {
        **_event(event),
        "expected": event.expected,
        "tasks": [_task(task) for task in services.event_tasks(request.user, event)],
    }


@router.post("/alerts/{event_id}/level", response=AlertOut)
def change_level(request: HttpRequest, event_id: int, body: LevelIn) -> dict[str, Any]:
    return _event(services.change_alert_level(request.user, event_id, body.level, body.reason))


@router.post("/alerts/{event_id}/lift", response=AlertOut)
def lift(request: HttpRequest, event_id: int, body: ReasonIn) -> dict[str, Any]:
    return _event(services.lift_alert(request.user, event_id, body.reason))


@router.get("/tasks/{task_id}", response=TaskOut)
def task_detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _task(services.get_task(request.user, task_id))


@router.post("/tasks/{task_id}/acknowledge", response=TaskOut)
def acknowledge(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _task(services.acknowledge_task(request.user, task_id))


@router.post("/tasks/{task_id}/report", response=TaskOut)
def report(request: HttpRequest, task_id: int, body: ReportIn) -> dict[str, Any]:
    return _task(services.report_execution(request.user, task_id, body.dict()))


@router.post("/tasks/{task_id}/evidence", response=TaskOut)
def evidence(request: HttpRequest, task_id: int, body: EvidenceIn) -> dict[str, Any]:
    return _task(services.record_evidence(request.user, task_id, body.dict()))
