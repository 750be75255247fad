"""Alert verification API (/api/verification/): data feeds of online monitoring and electricity, verdicts per alert
with their evidence, and the county's decision on a case (issue 12; REQ H23-6, H21-6)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from airgrade.core.verification import Verdict
from airgrade.platform.errors import ServiceError
from airgrade.platform.verification import crosscheck, meters, services
from airgrade.platform.verification.models import Case, Finding, MonitoringPoint
from airgrade.platform.verification.schemas import (
    AlertVerdictsOut,
    CaseOut,
    CrossCheckIn,
    CrossCheckOut,
    DecideIn,
    FindingDecideIn,
    FindingDetailOut,
    FindingOut,
    ImportOut,
    PointIn,
    PointOut,
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


# ------------------------------------------------------------------------------------------------ cross-checks


@router.post("/crosscheck", response=CrossCheckOut)
def run_crosscheck(request: HttpRequest, payload: CrossCheckIn) -> dict[str, Any]:
    """Cross-checks of a month outside alerts and the gate ledger's findings over a region; idempotent."""
    report = crosscheck.run_month(request.user, crosscheck.parse_month(payload.month), payload.region or None)
    return report.as_dict()


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "kind": finding.kind,
        "kind_zh": finding.get_kind_display(),
        "enterprise": finding.enterprise.name,
        "site": finding.site.name,
        "region": finding.region_id,
        "month": finding.month.strftime("%Y-%m") if finding.month else None,
        "summary": finding.summary,
        "status": finding.status,
        "status_zh": finding.get_status_display(),
        "decision_reason": finding.decision_reason,
        "downgrades": [
            {
                "industry": d.industry_code,
                "from": d.from_grade,
                "to": d.to_grade,
                "reason": d.reason_code,
                "effective": d.effective.isoformat(),
            }
            for d in finding.downgrades.all()
        ],
        "rectification_id": finding.rectification_id,
    }


@router.get("/findings", response=list[FindingOut])
def findings(request: HttpRequest, status: str = "", kind: str = "", month: str = "") -> list[dict[str, Any]]:
    chosen = crosscheck.parse_month(month) if month else None
    listed = crosscheck.visible_findings(request.user, status=status, kind=kind, month=chosen)
    return [_finding(finding) for finding in listed.prefetch_related("downgrades")[:500]]


@router.get("/findings/{finding_id}", response=FindingDetailOut)
def finding(request: HttpRequest, finding_id: int) -> dict[str, Any]:
    found = crosscheck.get_finding(request.user, finding_id)
    return {
        **_finding(found),
        "details": found.details,
        "evidence": found.evidence,
        "computed_at": found.computed_at,
        "rules_version": found.rules_version,
    }


@router.post("/findings/{finding_id}/decide", response=FindingOut)
def decide_finding(request: HttpRequest, finding_id: int, payload: FindingDecideIn) -> dict[str, Any]:
    return _finding(
        crosscheck.decide_finding(
            request.user,
            finding_id,
            confirm=payload.confirm,
            reason=payload.reason,
            downgrade=payload.downgrade,
            rectify_by=payload.rectify_by,
        )
    )


def _point(point: MonitoringPoint) -> dict[str, Any]:
    return {
        "id": point.pk,
        "site_id": point.site_id,
        "enterprise": point.enterprise.name,
        "kind": point.kind,
        "code": point.code,
        "line_id": point.line_id,
        "line": point.line.name if point.line else None,
        "outlet_id": point.outlet_id,
        "registered": point.registered,
    }


@router.get("/meters", response=list[PointOut])
def points(request: HttpRequest, unregistered: bool = False) -> list[dict[str, Any]]:
    return [_point(point) for point in meters.visible_points(request.user, unregistered=unregistered)[:2000]]


@router.post("/meters", response=PointOut)
def save_point(request: HttpRequest, payload: PointIn) -> dict[str, Any]:
    return _point(
        meters.save_point(
            request.user,
            payload.site_id,
            kind=payload.kind,
            code=payload.code,
            line_id=payload.line_id,
            outlet_id=payload.outlet_id,
            reason=payload.reason,
        )
    )
