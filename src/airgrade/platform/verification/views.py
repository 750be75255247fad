"""Verification pages (issue 12; REQ H23-6): alerts with their verdicts, the city's view of who cut and who did not,
each enterprise's evidence, the county's case queue and the data import. Scope and actions come from the services
and the access table (`permissions_for`), never from role lists here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from airgrade.core.access import Target
from airgrade.core.verification import Verdict
from airgrade.platform.emergency import services as emergency
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.permissions import permissions_for, require_role
from airgrade.platform.verification import crosscheck, meters, services
from airgrade.platform.verification.forms import (
    DecideForm,
    FindingDecideForm,
    ImportForm,
    JobImportForm,
    PointForm,
    RegisterImportForm,
    RunCrossCheckForm,
)
from airgrade.platform.verification.models import Case, Finding

POLLUTANTS = ("SO2", "NOx", "PM", "VOCs")
VERDICT_FILTERS = {**{verdict.value: verdict.label_zh for verdict in Verdict}, "pending": "未核查"}


def _counts(tasks: list[Any]) -> dict[str, int]:
    counts = {verdict.value: 0 for verdict in Verdict}
    counts["pending"] = 0
    for task in tasks:
        verdict = getattr(task, "verdict", None)
        counts[verdict.verdict if verdict else "pending"] += 1
    return counts


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require_role(request.user, "verification.view")
    events = emergency.visible_events(request.user)
    rows = []
    for event in events[:50]:
        _, tasks = services.event_verdicts(request.user, event.pk)
        rows.append((event, _counts(tasks), len(tasks)))
    allowed = permissions_for(request.user)
    open_cases = services.visible_cases(request.user, Case.Status.OPEN).count()
    return render(request, "verification/index.html", {"rows": rows, "allowed": allowed, "open_cases": open_cases})


@login_required
def alert_page(request: HttpRequest, event_id: int) -> HttpResponse:
    event, tasks = services.event_verdicts(request.user, event_id)
    counts = _counts(tasks)
    order = {"suspected": 0, "insufficient": 1, "done": 2, "not_required": 3}
    tasks.sort(key=lambda t: (order.get(t.verdict.verdict, 4) if getattr(t, "verdict", None) else 5, t.enterprise.name))
    required = {}
    for key, value in (event.expected.get("required_share") or {}).items():
        required[key] = value
    cut = services.region_cut(tasks)
    rows = []
    for task in tasks:
        verdict = getattr(task, "verdict", None)
        expected = observed = None
        if verdict:
            signals = verdict.details.get("signals", [])
            judged = [s for s in signals if s["overall"]["verdict"] in ("done", "suspected")]
            chosen = judged[0] if judged else (signals[0] if signals else None)
            if chosen:
                expected, observed = chosen["expected_drop"], chosen["overall"]["drop"]
        rows.append({"task": task, "verdict": verdict, "expected": expected, "observed": observed})
    chart = {
        "names": [row["task"].enterprise.name for row in rows if row["verdict"] and row["observed"] is not None][:40],
        "expected": [
            round((row["expected"] or 0) * 100, 1) for row in rows if row["verdict"] and row["observed"] is not None
        ][:40],
        "observed": [round(row["observed"] * 100, 1) for row in rows if row["verdict"] and row["observed"] is not None][
            :40
        ],
        "pollutants": list(POLLUTANTS),
        "region_cut": [None if cut[p]["cut"] is None else round(cut[p]["cut"] * 100, 1) for p in POLLUTANTS],
        "required": [None if required.get(p) is None else round(required[p] * 100, 1) for p in POLLUTANTS],
    }
    chosen = request.GET.get("verdict", "")
    if chosen in VERDICT_FILTERS:
        rows = [r for r in rows if (r["verdict"].verdict if r["verdict"] else "pending") == chosen]
    else:
        chosen = ""
    allowed = permissions_for(request.user, Target(region_code=request.user.region_id))
    return render(
        request,
        "verification/alert.html",
        {
            "event": event,
            "rows": rows,
            "counts": counts,
            "cut": cut,
            "required": required,
            "chart": chart,
            "can_run": "verification.run" in allowed,
            "window": services.event_window(event),
            "chosen": chosen,
            "filters": [("", "全部"), *VERDICT_FILTERS.items()],
        },
    )


@login_required
@require_POST
def run(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        counts = services.verify_event(request.user, event_id)
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"核查完成：落实 {counts['done']} 家，疑似未落实 {counts['suspected']} 家，数据不足 {counts['insufficient']} 家，"
            f"无量化要求 {counts['not_required']} 家",
        )
    return redirect("verification:alert", event_id=event_id)


@login_required
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    task, verdict, case = services.get_task_verdict(request.user, task_id)
    allowed = permissions_for(request.user, Target(region_code=task.region_id, enterprise_id=task.enterprise_id))
    return render(
        request,
        "verification/task.html",
        {
            "task": task,
            "verdict": verdict,
            "case": case,
            "chart": services.evidence_of(task, verdict),
            "can_decide": case is not None
            and case.status == Case.Status.OPEN
            and "verification.case.decide" in allowed,
            "form": DecideForm(),
        },
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Case.Status.OPEN)
    if status not in Case.Status.values and status != "all":
        status = Case.Status.OPEN
    cases = services.visible_cases(request.user, "" if status == "all" else status)[:200]
    open_findings: dict[str, int] = {}
    for kind in crosscheck.visible_findings(request.user, status=Finding.Status.OPEN).values_list("kind", flat=True):
        open_findings[kind] = open_findings.get(kind, 0) + 1
    ledger_open = crosscheck.ledger_findings(request.user, "open").count()
    return render(
        request,
        "verification/cases.html",
        {
            "cases": cases,
            "status": status,
            "statuses": [*Case.Status.choices, ("all", "全部")],
            "open_findings": [(value, label, open_findings.get(value, 0)) for value, label in Finding.Kind.choices],
            "ledger_open": ledger_open,
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, case_id: int) -> HttpResponse:
    form = DecideForm(request.POST)
    case = services.visible_cases(request.user).filter(pk=case_id).first()
    if case is None:
        raise NotFound("核查问题不存在或不在您的管辖范围内")
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("verification:task", task_id=case.task_id)
    try:
        decided = services.decide_case(
            request.user,
            case_id,
            confirm=form.cleaned_data["decision"] == "confirm",
            reason=form.cleaned_data["reason"],
            rectify_by=form.cleaned_data.get("rectify_by"),
        )
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        count = decided.downgrades.count()
        if decided.status == Case.Status.CONFIRMED:
            messages.success(
                request, f"已确认未落实，降级 {count} 项" if count else "已确认未落实（该厂区无现行等级，未降级）"
            )
        else:
            messages.success(request, "已不予认定")
    return redirect("verification:task", task_id=case.task_id)


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    require_role(request.user, "verification.import")
    report = None
    status = 200
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.import_readings(
                    request.user,
                    form.cleaned_data["kind"],
                    upload.name,
                    upload.read(),
                    commit=form.cleaned_data["commit"],
                    date_from=form.cleaned_data.get("date_from"),
                    date_to=form.cleaned_data.get("date_to"),
                )
            except (AccessDenied, NotFound):
                raise
            except ServiceError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                if not report.ok:
                    status = 400
        else:
            status = 400
    return render(
        request,
        "verification/import.html",
        {"form": form, "job_form": JobImportForm(prefix="job"), "report": report},
        status=status,
    )


@login_required
@require_POST
def import_job(request: HttpRequest) -> HttpResponse:
    """A large file as a background job: its dry run first, then the commit from the job's page."""
    require_role(request.user, "verification.import")
    form = JobImportForm(request.POST, request.FILES, prefix="job")
    if not form.is_valid():
        return render(
            request, "verification/import.html", {"form": ImportForm(), "job_form": form, "report": None}, status=400
        )
    upload = form.cleaned_data["file"]
    try:
        job = services.start_readings_import(
            request.user,
            form.cleaned_data["kind"],
            upload.name,
            upload.read(),
            date_from=form.cleaned_data.get("date_from"),
            date_to=form.cleaned_data.get("date_to"),
        )
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return render(
            request, "verification/import.html", {"form": ImportForm(), "job_form": form, "report": None}, status=400
        )
    return redirect("jobs:detail", job_id=job.pk)


# ------------------------------------------------------------------------------------------------ cross-checks


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    """Findings of the cross-checks and the gate ledger by kind (county / city; an enterprise sees its own)."""
    require_role(request.user, "verification.view")
    status = request.GET.get("status", Finding.Status.OPEN)
    if status not in Finding.Status.values and status != "all":
        status = Finding.Status.OPEN
    kind = request.GET.get("kind", "")
    if kind not in (*Finding.Kind.values, crosscheck.LEDGER):
        kind = ""
    listed = crosscheck.visible_findings(request.user, status="" if status == "all" else status)
    by_kind: dict[str, int] = {}
    for value in listed.values_list("kind", flat=True):
        by_kind[value] = by_kind.get(value, 0) + 1
    if kind:
        listed = listed.filter(kind=kind)
    allowed = permissions_for(request.user)
    runs = list(crosscheck.latest_runs(request.user)[:6])
    ledger = crosscheck.ledger_findings(request.user, "" if status in ("all", "withdrawn") else status)
    if status == "withdrawn" or kind not in ("", crosscheck.LEDGER):
        ledger = ledger.none()
    return render(
        request,
        "verification/findings.html",
        {
            "findings": listed[:300],
            "status": status,
            "kind": kind,
            "statuses": [*Finding.Status.choices, ("all", "全部")],
            "kinds": [(value, label, by_kind.get(value, 0)) for value, label in Finding.Kind.choices],
            "ledger": ledger[:100],
            "ledger_label": crosscheck.LEDGER_LABEL,
            "can_run": "verification.run" in allowed,
            "run_form": RunCrossCheckForm(initial={"month": crosscheck.previous_month().strftime("%Y-%m")}),
            "runs": runs,
        },
    )


@login_required
@require_POST
def run_crosscheck(request: HttpRequest) -> HttpResponse:
    form = RunCrossCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("verification:findings")
    try:
        month = crosscheck.parse_month(form.cleaned_data["month"])
        report = crosscheck.run_month(request.user, month, form.cleaned_data.get("region") or None)
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{month:%Y-%m} 交叉核查完成：新发现 {report.opened} 项，更新 {report.updated} 项，撤回 {report.withdrawn} 项",
        )
    return redirect("verification:findings")


@login_required
def finding_page(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = crosscheck.get_finding(request.user, finding_id)
    allowed = permissions_for(request.user, Target(region_code=finding.region_id, enterprise_id=finding.enterprise_id))
    return render(
        request,
        "verification/finding.html",
        {
            "finding": finding,
            "chart": finding.evidence or {},
            "can_decide": finding.status == Finding.Status.OPEN and "verification.case.decide" in allowed,
            "form": FindingDecideForm(initial={"downgrade": finding.kind != Finding.Kind.IDLE_LINE}),
            "reason_zh": crosscheck.DOWNGRADE_REASONS[Finding.Kind(finding.kind)].label,
        },
    )


@login_required
@require_POST
def decide_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = crosscheck.get_finding(request.user, finding_id)
    form = FindingDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("verification:finding", finding_id=finding.pk)
    try:
        decided = crosscheck.decide_finding(
            request.user,
            finding.pk,
            confirm=form.cleaned_data["decision"] == "confirm",
            reason=form.cleaned_data["reason"],
            downgrade=bool(form.cleaned_data.get("downgrade")),
            rectify_by=form.cleaned_data.get("rectify_by"),
        )
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if decided.status == Finding.Status.CONFIRMED:
            count = decided.downgrades.count()
            messages.success(request, f"已确认属实，关联降级 {count} 项" if count else "已确认属实（未降级）")
        else:
            messages.success(request, "已不予认定")
    return redirect("verification:finding", finding_id=finding.pk)


@login_required
def meter_register(request: HttpRequest) -> HttpResponse:
    """Meters → production lines and monitors → registry outlets; unknown points from imports flagged 未登记."""
    require_role(request.user, "verification.view")
    status = 200
    form = PointForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                point = meters.save_point(
                    request.user,
                    data["site"],
                    kind=data["kind"],
                    code=data["code"],
                    line_id=data.get("line"),
                    outlet_id=data.get("outlet"),
                    reason=data.get("reason") or "",
                )
            except (AccessDenied, NotFound):
                raise
            except ServiceError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, f"已登记 {point.get_kind_display()} {point.code}")
                return redirect("verification:meters")
        else:
            status = 400
    only_unknown = request.GET.get("unregistered") == "1"
    points = meters.visible_points(request.user, unregistered=only_unknown)[:500]
    allowed = permissions_for(request.user)
    return render(
        request,
        "verification/meters.html",
        {
            "points": points,
            "form": form,
            "only_unknown": only_unknown,
            "can_edit": "verification.meter.edit" in allowed,
            "import_form": RegisterImportForm(),
            "sites": meters.editable_sites(request.user) if "verification.meter.edit" in allowed else [],
        },
        status=status,
    )


@login_required
def meter_import(request: HttpRequest) -> HttpResponse:
    require_role(request.user, "verification.meter.edit")
    report = None
    status = 200
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = meters.import_register(
                    request.user, upload.name, upload.read(), commit=form.cleaned_data["commit"]
                )
            except (AccessDenied, NotFound):
                raise
            except ServiceError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                if not report.ok:
                    status = 400
        else:
            status = 400
    return render(request, "verification/meter_import.html", {"form": form, "report": report}, status=status)
