"""Alert verification API (/api/verification/): data feeds of online monitoring and electricity, verdicts per alert
with their evidence, and the county's decision on a case (issue 12; REQ H23-6, H21-6)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from airgrade.core.verification import Verdict
from airgrade.platform.errors import ServiceError
from airgrade.platform.verification import services
from airgrade.platform.verification.models import Case
from airgrade.platform.verification.schemas import (
    AlertVerdictsOut,
    CaseOut,
    DecideIn,
    ImportOut,
    ReadingsIn,
    TaskEvidenceOut,
    VerifyOut,
)

router = Router(tags=["verification"])


@router.post("/readings", response=ImportOut)
def readings(request: HttpRequest, payload: ReadingsIn) -> dict[str, Any]:
    """Load a batch of readings, all or none; a batch with a bad row is refused (400) naming every row and reason."""
    report = services.import_rows(request.user, payload.kind, payload.rows)
    if not report.ok:
        raise ServiceError("；".join(report.messages(20)), field="rows")
    return report.as_dict()


def _task(task: Any) -> dict[str, Any]:
    verdict = getattr(task, "verdict", None)
    case = getattr(task, "verification_case", None)
    return {
        "task_id": task.pk,
        "enterprise": task.enterprise.name,
        "region": task.region_id,
        "verdict": verdict.verdict if verdict else None,
        "verdict_zh": Verdict(verdict.verdict).label_zh if verdict else "未核查",
        "reason": verdict.reason if verdict else "",
        "case_status": case.status if case else None,
        "signals": verdict.details.get("signals", []) if verdict else [],
    }


@router.get("/alerts/{event_id}", response=AlertVerdictsOut)
def alert_verdicts(request: HttpRequest, event_id: int) -> dict[str, Any]:
    event, tasks = services.event_verdicts(request.user, event_id)
    counts = {verdict.value: 0 for verdict in Verdict}
    counts["pending"] = 0
    for task in tasks:
        verdict = getattr(task, "verdict", None)
        counts[verdict.verdict if verdict else "pending"] += 1
    return {
        "event_id": event.pk,
        "title": event.title,
        "counts": counts,
        "region_cut": services.region_cut(tasks),
        "tasks": [_task(task) for task in tasks],
    }


@router.post("/alerts/{event_id}/verify", response=VerifyOut)
def verify(request: HttpRequest, event_id: int) -> dict[str, int]:
    return services.verify_event(request.user, event_id)


@router.get("/tasks/{task_id}", response=TaskEvidenceOut)
def task_evidence(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task, verdict, case = services.get_task_verdict(request.user, task_id)
    return {
        **_task(task),
        "case_status": case.status if case else None,
        "computed_at": verdict.computed_at if verdict else None,
        "rules_version": verdict.rules_version if verdict else "",
        "evidence": services.evidence_of(task, verdict),
    }


def _case(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "task_id": case.task_id,
        "enterprise": case.enterprise.name,
        "status": case.status,
        "status_zh": case.get_status_display(),
        "decision_reason": case.decision_reason,
        "downgrades": [
            {"industry": d.industry_code, "from": d.from_grade, "to": d.to_grade, "effective": d.effective.isoformat()}
            for d in case.downgrades.all()
        ],
        "rectification_id": case.rectification_id,
    }


@router.get("/cases", response=list[CaseOut])
def cases(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    return [_case(case) for case in services.visible_cases(request.user, status).prefetch_related("downgrades")[:500]]


@router.post("/cases/{case_id}/decide", response=CaseOut)
def decide(request: HttpRequest, case_id: int, payload: DecideIn) -> dict[str, Any]:
    return _case(
        services.decide_case(
            request.user, case_id, confirm=payload.confirm, reason=payload.reason, rectify_by=payload.rectify_by
        )
    )
