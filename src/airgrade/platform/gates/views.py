"""Gate ledger pages (issue 11): sites with their gate status, one site's ledger (figures, charts, devices,
registers, upload, verification, sampling, video references and their retention), and one alert event's violating
passages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.gates import FUEL_LABELS, Flag, Fuel, VehicleKind
from airgrade.core.gates import completeness as core_completeness
from airgrade.core.regions import contains
from airgrade.core.types import EmissionStage
from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import AlertEvent, AlertTask
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.gates import forms, services, uploads
from airgrade.platform.gates.models import (
    DailyCount,
    GateDevice,
    InspectionSample,
    LedgerCheck,
    LedgerFinding,
    LedgerHead,
    LogisticsPark,
    Passage,
)
from airgrade.platform.pages import paginate, query_date
from airgrade.platform.permissions import permissions_for, require, require_role, within
from airgrade.platform.regions.models import Region

FLAG_LABELS = {flag.value: flag.label_zh for flag in Flag}
KIND_LABELS = {kind.value: kind.label_zh for kind in VehicleKind}
DEFAULT_DAYS = 180


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    today = timezone.localdate()
    end, error_to = query_date(request, "to", today)
    start, error_from = query_date(request, "from", end - dt.timedelta(days=DEFAULT_DAYS - 1))
    error = error_from or error_to
    if start > end or (end - start).days > 800:
        start, end, error = end - dt.timedelta(days=DEFAULT_DAYS - 1), end, "期间无效：起始须早于截止，最长 800 天"
    return start, end, error


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    """Gated sites in the caller's scope: ledger size, last record, clean share over the last 180 days."""
    # Sites with a ledger, and every logistics park or freight hub (SJZ-6) even before its first record.
    sites = services.visible_sites(request.user).filter(
        Q(pk__in=LedgerHead.objects.values("site_id")) | Q(pk__in=LogisticsPark.objects.values("site_id"))
    )
    listing = paginate(request, sites.order_by("region_id", "enterprise__name", "id"))
    page_sites = list(listing["page"])
    today = timezone.localdate()
    start = today - dt.timedelta(days=DEFAULT_DAYS - 1)
    entry = services.rules(today)
    clean = [s.value for s in entry.clean_road_stages.stages]
    ids = [s.pk for s in page_sites]
    counts = DailyCount.objects.filter(site_id__in=ids, day__gte=start, direction="in", kind=VehicleKind.ROAD.value)
    totals = {r["site_id"]: r["n"] for r in counts.values("site_id").annotate(n=Sum("count"))}
    cleans = {r["site_id"]: r["n"] for r in counts.filter(stage__in=clean).values("site_id").annotate(n=Sum("count"))}
    heads = {h.site_id: h.count for h in LedgerHead.objects.filter(site_id__in=ids)}
    latest: dict[int, Any] = {}
    completeness: dict[int, float] = {}
    for device in GateDevice.objects.filter(site_id__in=ids, first_sequence__isnull=False):
        if device.last_passed_at and (device.site_id not in latest or device.last_passed_at > latest[device.site_id]):
            latest[device.site_id] = device.last_passed_at
        share = core_completeness(device.received, device.first_sequence, device.last_sequence)  # type: ignore[arg-type]
        if share is not None:
            completeness[device.site_id] = min(share, completeness.get(device.site_id, 100.0))
    last_checks: dict[int, LedgerCheck] = {}
    for check in LedgerCheck.objects.filter(site_id__in=ids).order_by("site_id", "-at"):
        last_checks.setdefault(check.site_id, check)
    parks = services.park_labels(ids)
    rows = [
        {
            "site": site,
            "park": parks.get(site.pk, ""),
            "records": heads.get(site.pk, 0),
            "latest": latest.get(site.pk),
            "share": round(100 * cleans.get(site.pk, 0) / totals[site.pk], 1) if totals.get(site.pk) else None,
            "check": last_checks.get(site.pk),
            "completeness": completeness.get(site.pk),
        }
        for site in page_sites
    ]
    goal = entry.completeness_goal.percent
    may_register = "gates.park.register" in permissions_for(request.user)
    return render(request, "gates/list.html", {"rows": rows, "goal": goal, "may_register": may_register, **listing})


@login_required
def park_new(request: HttpRequest) -> HttpResponse:
    """Register a logistics park or freight hub (SJZ-6): county or city, in its own region."""
    actor = require_role(request.user, "gates.park.register")
    regions = Region.objects.filter(within(actor.region_code or "", "code"), level="county").order_by("code")
    typed: dict[str, Any] = {}
    error = ""
    if request.method == "POST":
        form = forms.ParkForm(request.POST)
        typed = {key: form.data.get(key, "") for key in form.base_fields}
        if typed["region"]:
            # A region outside the caller's own is refused before any other check (as one that does not exist).
            require(request.user, "gates.park.register", Target(region_code=str(typed["region"])))
        try:
            park = services.register_park(request.user, forms.cleaned(form))
        except (AccessDenied, NotFound):
            raise
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记{park.get_kind_display()}“{park.site.name}”；请登记门禁设备和车辆")
            return redirect("gates:site", site_id=park.site_id)
    return render(
        request,
        "gates/park_new.html",
        {"regions": regions, "kinds": LogisticsPark.Kind.choices, "typed": typed, "error": error},
        status=400 if error else 200,
    )


def _chart(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "days": [day.isoformat() for day, _ in figures["daily"]],
        "counts": [n for _, n in figures["daily"]],
        "stages": [{"name": stage or "未识别", "value": n} for stage, n in figures["by_stage"].items()],
    }


@login_required
def site_detail(request: HttpRequest, site_id: int) -> HttpResponse:
    site = services.get_site(request.user, site_id)
    allowed = permissions_for(request.user, services.site_target(site))
    start, end, period_error = _period(request)
    figures = services.site_figures(site, start, end)
    devices = services.devices_status(site)
    events = [
        event
        for event in AlertEvent.objects.filter(starts_at__lte=timezone.now()).order_by("-starts_at")[:200]
        if any(contains(code, site.region_id) for code in event.region_codes)
    ][:10]
    recent = services.recent_passages(site, 30)
    return render(
        request,
        "gates/site.html",
        {
            "site": site,
            "park": services.park_of(site),
            "allowed": allowed,
            "start": start,
            "end": end,
            "period_error": period_error,
            "figures": figures,
            "devices": devices,
            "registers": [(KIND_LABELS[kind], rows) for kind, rows in services.registers(site).items()],
            "recent": [(p, [FLAG_LABELS.get(f, f) for f in p.flags]) for p in recent],
            "flagged": services.flagged_count(site),
            "head": LedgerHead.objects.filter(site=site).first(),
            "checks": list(services.checks(site)),
            "samples": [(sample, _sample_rows(sample)) for sample in InspectionSample.objects.filter(site=site)[:3]],
            "events": events,
            "chart": _chart(figures),
            "kinds": [(kind.value, kind.label_zh) for kind in VehicleKind],
            "stages": [stage.value for stage in EmissionStage],
            "fuels": [(fuel.value, label) for fuel, label in FUEL_LABELS.items()],
            "new_token": request.session.pop("gate_new_token", None),
            "findings": list(services.site_findings(site)[:10]),
            "videos": services.video_status(site, limit=20),
            "video_note": services.VIDEO_COVERAGE_NOTE,
        },
    )


def _sample_rows(sample: InspectionSample) -> list[Passage]:
    rows = list(Passage.objects.filter(pk__in=sample.record_ids).select_related("device").order_by("passed_at"))
    for row in rows:
        row.flag_labels = "、".join(FLAG_LABELS.get(f, f) for f in row.flags) or "—"  # type: ignore[attr-defined]
    return rows


@login_required
def site_act(request: HttpRequest, site_id: int) -> HttpResponse:
    """Every write of the site page: register a vehicle or device, revoke a device, upload a gate file, verify,
    draw an inspection sample. The service checks role and scope; a refusal comes back as a message."""
    site = services.get_site(request.user, site_id)
    if request.method != "POST":
        return redirect("gates:site", site_id=site.pk)
    try:
        op = forms.cleaned(forms.OpForm(request.POST))["op"]
        if op == "vehicle":
            data = forms.cleaned(forms.VehicleForm(request.POST))
            services.save_vehicle(request.user, site.pk, data)
            messages.success(request, "已登记")
        elif op == "device":
            device, token = services.register_device(
                request.user, site.pk, forms.cleaned(forms.DeviceForm(request.POST))
            )
            request.session["gate_new_token"] = {"code": device.code, "token": token}
            messages.success(request, f"已登记设备 {device.code}；接口凭证只显示这一次，请妥善保存")
        elif op == "revoke":
            device_id = forms.cleaned(forms.RevokeForm(request.POST))["device"]
            if not GateDevice.objects.filter(pk=device_id, site=site).exists():
                raise NotFound("设备不存在")
            services.revoke_device(request.user, device_id)
            messages.success(request, "已吊销设备凭证")
        elif op == "upload":
            # A background job: dry run on the job page (errors by file, record, field), then commit all or nothing.
            services.get_site(request.user, site.pk, "gates.ingest")
            upload = forms.cleaned(forms.UploadForm(request.POST, request.FILES))
            job = uploads.start_upload(
                request.user, site.pk, upload["device"], upload["file"].name or "", upload["file"].read()
            )
            return redirect("jobs:detail", job_id=job.pk)
        elif op == "verify":
            _, report = services.record_check(request.user, site.pk)
            if report.ok:
                messages.success(request, f"台账完整：已核验 {report.checked} 条记录")
            else:
                messages.error(request, f"台账有 {len(report.problems)} 处问题，首个：{report.problems[0].message}")
        elif op == "finding":
            data = forms.cleaned(forms.FindingForm(request.POST))
            if not LedgerFinding.objects.filter(pk=data["finding"], site=site).exists():
                raise NotFound("核验发现不存在")
            finding = services.decide_finding(
                request.user, data["finding"], confirm=data["decision"] == "confirm", reason=data["reason"]
            )
            if finding.status == LedgerFinding.Status.DISMISSED:
                messages.success(request, "已不予认定")
            else:
                count = finding.downgrades.count()
                messages.success(
                    request,
                    f"已确认：{count} 个行业降为最低等级，一年内不得申报"
                    if count
                    else "已确认；该厂区当前没有绩效等级，未降级",
                )
        elif op == "sample":
            data = forms.cleaned(forms.SampleForm(request.POST))
            sample = services.draw_sample(request.user, site.pk, data["seed"], data["date_from"], data["date_to"])
            messages.success(request, f"已抽取 {len(sample.record_ids)} 条记录（种子 {sample.seed}）")
        else:
            raise ServiceError("未知操作", field="op")
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("gates:site", kwargs={"site_id": site.pk}))


@login_required
def alert_check(request: HttpRequest, site_id: int, event_id: int) -> HttpResponse:
    """One alert event at one site: the vehicle rule of its task, every admitted passage that breaks it, and daily
    truck counts on alert days vs the normal days before; staff may record the result on the alert task."""
    site = services.get_site(request.user, site_id)
    event = AlertEvent.objects.filter(pk=event_id).first()
    if event is None or not any(contains(code, site.region_id) for code in event.region_codes):
        raise NotFound("预警事件不存在")
    task = AlertTask.objects.filter(event=event, entry__site=site).first()
    plan = task.plan if task else {}
    result = services.alert_check(site, event, plan.get("vehicle_rule") if isinstance(plan, dict) else None)
    allowed = permissions_for(request.user, services.site_target(site))
    if request.method == "POST":
        if task is None:
            raise NotFound("该厂区没有本次预警的任务")
        try:
            emergency.record_evidence(
                request.user,
                task.pk,
                {
                    "online_monitoring": task.evidence_online_monitoring,
                    "electricity_baseline_kwh": task.evidence_electricity_baseline_kwh,
                    "electricity_alert_kwh": task.evidence_electricity_alert_kwh,
                    "note": _evidence_note(task.evidence_note, result),
                },
            )
            messages.success(request, "门禁核查结果已记入预警任务的独立核查意见")
        except (AccessDenied, NotFound):
            raise
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("gates:alert", site_id=site.pk, event_id=event.pk)
    violations = result["violations"]
    for passage in violations[:500]:
        passage.fuel_label = FUEL_LABELS.get(Fuel(passage.fuel), "") if passage.fuel else ""  # type: ignore[attr-defined]
    return render(
        request,
        "gates/alert.html",
        {
            "site": site,
            "event": event,
            "task": task,
            "result": result,
            "violations": violations[:500],
            "violation_count": len(violations),
            "rule_zh": plan.get("vehicle_rule_zh", "") if isinstance(plan, dict) else "",
            "may_record": task is not None and "alert.evidence" in allowed,
        },
    )


def _evidence_note(existing: str, result: dict[str, Any]) -> str:
    summary = (
        f"门禁核查：预警期间违规放行进厂 {len(result['violations'])} 辆次；"
        f"预警日日均进厂 {result['alert_average']} 辆次，此前 {len(result['baseline_days'])} 天日均 "
        f"{result['baseline_average']} 辆次。"
    )
    kept = "\n".join(line for line in existing.splitlines() if not line.startswith("门禁核查："))
    return (kept + "\n" + summary).strip()[:2000]
