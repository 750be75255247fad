"""Emergency pages: the list editor per enterprise site, entry detail with task lists and 一厂一策 downloads, the
region dashboard (ECharts), alert events. Views only translate HTTP to service calls."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from airgrade.core.access import Actor, Target, decide
from airgrade.core.emergency.model import GuaranteeCategory, LineStatus
from airgrade.core.industries import industries_for_region, industry_by_code
from airgrade.core.regions import RegionLevel, level_of
from airgrade.core.types import AlertLevel, Grade, Pollutant
from airgrade.io.documents.layout import fixed
from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import ListEntry
from airgrade.platform.enterprises.models import Site
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError, form_int
from airgrade.platform.permissions import actor_of, permissions_for, scoped, within
from airgrade.platform.regions.models import Region

LINE_FIELDS = [
    "key",
    "name",
    "industry_code",
    "status",
    "capacity_unit",
    "operating_days",
    "eia_capacity",
    "permit_capacity",
    "actual_output",
    "SO2",
    "NOx",
    "PM",
    "VOCs",
    "non_interruptible",
    "key_parameters",
]
# A hand-edited line_count cannot make the page loop for ever; no real site lists this many lines.
MAX_FORM_LINES = 1000


def _province_wide(actor: Actor) -> bool:
    """A province-level account: its pages show cities, not every county or site."""
    return bool(actor.region_code) and level_of(actor.region_code or "") is RegionLevel.PROVINCE


def _can(request: HttpRequest, action: str, region: str | None = None, enterprise: int | None = None) -> bool:
    return bool(decide(actor_of(request.user), action, Target(region_code=region, enterprise_id=enterprise)))


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    entries = services.visible_entries(request.user, request.GET.get("region", ""))
    sites = scoped(Site.objects.select_related("enterprise", "region"), actor, enterprise_field="enterprise_id")
    if _province_wide(actor):
        sites = sites.none()  # a province-wide list of unlisted sites is no worklist; counties and cities keep it
    listed = set(entries.values_list("site_id", flat=True))
    return render(
        request,
        "emergency/list.html",
        {
            "entries": entries[:500],
            "unlisted_sites": [site for site in sites[:500] if site.pk not in listed],
            "year": timezone.localdate().year,
            "can_issue": "alert.issue" in permissions_for(actor),
        },
    )


def _form_to_data(post: Any) -> dict[str, Any]:
    """Turn the editor's fields into the service's list-entry dict; numbers stay text until the service checks."""

    def number(value: str) -> Any:
        value = value.strip()
        if not value:
            return None
        try:
            return float(value)
        except ValueError:
            return value  # the core names the field and refuses it

    lines = []
    line_count = form_int(post.get("line_count"), field="line_count", label="生产线行数", required=False) or 0
    for index in range(min(line_count, MAX_FORM_LINES)):
        row = {name: post.get(f"line-{index}-{name}", "") for name in LINE_FIELDS}
        if not row["name"].strip() and not row["key"].strip():
            continue
        line: dict[str, Any] = {
            "key": row["key"].strip() or f"L{index + 1}",
            "name": row["name"],
            "status": row["status"] or "running",
            "capacity_unit": row["capacity_unit"],
            "key_parameters": row["key_parameters"],
            "non_interruptible": row["non_interruptible"] == "on",
            "emissions": {p.value: number(row[p.value]) or 0.0 for p in Pollutant},
        }
        if row["industry_code"]:
            line["industry_code"] = row["industry_code"]
        for name in ("operating_days", "eia_capacity", "permit_capacity", "actual_output"):
            line[name] = number(row[name])
        lines.append(line)
    industries = []
    for code, grade in zip(post.getlist("industry_code"), post.getlist("grade"), strict=False):
        if code:
            industries.append({"industry_code": code, "grade": grade or None})
    data: dict[str, Any] = {
        "in_industrial_park": post.get("in_industrial_park") == "on",
        "transport_mode": post.get("transport_mode", ""),
        "transport_volume_t": number(post.get("transport_volume_t", "")),
        "output_value_10k_yuan": number(post.get("output_value_10k_yuan", "")),
        "energy_use_tce": number(post.get("energy_use_tce", "")),
        "annual_output": number(post.get("annual_output", "")),
        "output_unit": post.get("output_unit", ""),
        "industries": industries,
        "lines": lines,
    }
    if post.get("guarantee_category"):
        data["guarantee"] = {
            "category": post["guarantee_category"],
            "task_zh": post.get("guarantee_task", ""),
            "guaranteed_daily_output": number(post.get("guaranteed_daily_output", "")),
            "normal_daily_output": number(post.get("normal_daily_output", "")),
            "output_unit": post.get("output_unit") or "t",
        }
    if post.get("small_micro") == "on":
        data["small_micro"] = {
            "burns_coal": post.get("sm_burns_coal") == "on",
            "burns_oil": post.get("sm_burns_oil") == "on",
            "pollutant_kinds": form_int(
                post.get("sm_pollutant_kinds"), field="sm_pollutant_kinds", label="污染物种类数", required=False
            )
            or 0,
            "toxic_or_odorous": post.get("sm_toxic") == "on",
            "annual_emissions_kg": number(post.get("sm_annual_kg", "")) or 0.0,
            "seasonal": post.get("sm_seasonal") == "on",
            "daily_emissions_kg": number(post.get("sm_daily_kg", "")),
        }
    proposals = post.get("proposals", "").strip()
    if proposals:
        try:
            data["proposals"] = json.loads(proposals)
        except json.JSONDecodeError as exc:
            raise ServiceError(
                f"自报措施不是有效的 JSON：第{exc.lineno}行第{exc.colno}列 {exc.msg}", field="proposals"
            ) from None
    return data


@login_required
def entry_edit(request: HttpRequest, site_id: int, year: int) -> HttpResponse:
    site = services.site_for_list(request.user, site_id, "emergency.list.edit")
    existing = ListEntry.objects.filter(site=site, year=year).first()
    error = ""
    if request.method == "POST":
        try:
            data = _form_to_data(request.POST)
            entry = services.save_entry(request.user, site.pk, year, data, request.POST.get("reason", ""))
        except ServiceError as exc:
            error = exc.message
            initial = _initial_from_post(request.POST)
        else:
            messages.success(request, "清单已保存")
            return redirect("emergency:detail", entry_id=entry.pk)
    elif existing is not None:
        initial = services.entry_data(services.get_entry(request.user, existing.pk))
    else:
        initial = _initial_from_registry(site)
    lines = initial.get("lines") or []
    return render(
        request,
        "emergency/edit.html",
        {
            "site": site,
            "year": year,
            "initial": initial,
            "error": error,
            "lines": [*lines, *([{}] * 2)],
            "industries": industries_for_region(site.region_id),
            "grades": [g.value for g in Grade],
            "statuses": [(s.value, s.label_zh) for s in LineStatus],
            "categories": [(c.value, c.label_zh) for c in GuaranteeCategory],
            "declared_industries": initial.get("industries") or [{}],
            "proposals_json": json.dumps(initial.get("proposals") or {}, ensure_ascii=False)
            if initial.get("proposals")
            else "",
        },
    )


def _initial_from_post(post: Any) -> dict[str, Any]:
    try:
        return _form_to_data(post)
    except ServiceError:
        return {}


def _initial_from_registry(site: Site) -> dict[str, Any]:
    """A new entry starts from the registry's industries and running lines."""
    return {
        "industries": [{"industry_code": item.industry_code, "grade": None} for item in site.industries.all()],
        "lines": [
            {
                "key": f"L{line.pk}",
                "name": line.name,
                "industry_code": line.industry_code,
                "status": "backup"
                if line.status == "backup"
                else ("stopped_last_year" if line.status == "stopped" else "running"),
                "capacity_unit": line.capacity_unit,
                "eia_capacity": float(line.capacity),
                "non_interruptible": line.non_interruptible,
                "emissions": {},
            }
            for line in site.lines.all()
        ],
    }


@login_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = services.get_entry(request.user, entry_id)
    plans = services.entry_plans(entry)
    target = {"region": entry.region_id, "enterprise": entry.enterprise_id}
    return render(
        request,
        "emergency/detail.html",
        {
            "entry": entry,
            "data": services.entry_data(entry),
            "plans": [(level, plans[level]) for level in services.LEVEL_ORDER],
            "can_edit": _can(request, "emergency.list.edit", **target),
            "can_decide_guarantee": _can(request, "emergency.guarantee.decide", **target),
            "can_certify": _can(request, "emergency.small_micro.certify", **target),
            "industry_names": {i.industry_code: _industry_name(i.industry_code) for i in entry.industries.all()},
        },
    )


def _industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


@login_required
def operation_plan(request: HttpRequest, entry_id: int, fmt: str) -> HttpResponse:
    from airgrade.io.documents.operation_plan import render_docx, render_pdf
    from airgrade.io.documents.pdf import PdfError

    plan = services.operation_plan_documents(request.user, entry_id)
    if fmt == "docx":
        content, kind = render_docx(plan), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif fmt == "pdf":
        try:
            content, kind = render_pdf(plan), "application/pdf"
        except PdfError as exc:
            raise ServiceError(str(exc)) from None
    else:
        raise ServiceError("格式只能是 docx 或 pdf")
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="operation-plan-{entry_id}.{fmt}"'
    return response


@login_required
def entry_decide(request: HttpRequest, entry_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("emergency:detail", entry_id=entry_id)
    action = request.POST.get("action", "")
    try:
        if action in ("guarantee_approve", "guarantee_reject"):
            services.decide_guarantee(
                request.user, entry_id, action == "guarantee_approve", request.POST.get("note", "")
            )
        elif action == "guarantee_output":
            services.report_guarantee_output(
                request.user, entry_id, request.POST.get("daily_output"), request.POST.get("note", "")
            )
        elif action in ("certify", "refuse"):
            services.certify_small_micro(request.user, entry_id, action == "certify", request.POST.get("opinion", ""))
        else:
            raise ServiceError("未知操作")
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存")
    return redirect("emergency:detail", entry_id=entry_id)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    region = request.GET.get("region") or actor.region_code or ""
    try:
        as_of = dt.date.fromisoformat(request.GET["as_of"]) if request.GET.get("as_of") else timezone.localdate()
    except ValueError:
        raise ServiceError("日期格式应为 YYYY-MM-DD", field="as_of") from None
    if not region:
        raise AccessDenied("当前账号没有管辖区域")
    reports = {
        level.value: services.region_report(request.user, region, level, as_of) for level in services.LEVEL_ORDER
    }
    chosen = request.GET.get("level", "orange")
    if chosen not in reports:
        chosen = "orange"
    region_obj = Region.objects.filter(code=region).first()
    subregions = []
    if actor.region_code:
        subregions = (
            list(Region.objects.filter(within(actor.region_code, "code")).exclude(level="county"))
            if _province_wide(actor)
            else list(Region.objects.filter(within(actor.region_code, "code")))
        )
    chart = {
        "pollutants": [p.value for p in Pollutant],
        "base": [reports["yellow"]["total"]["base_t_per_day"][p.value] for p in Pollutant],
        "levels": {
            level: {
                "label": reports[level]["level_zh"],
                "reduction": [reports[level]["total"]["reduction_t_per_day"][p.value] for p in Pollutant],
                "required": [reports[level]["total"]["required_t_per_day"][p.value] for p in Pollutant],
            }
            for level in reports
        },
        "cities": [city["name"] or city["region"] for city in reports[chosen]["cities"]],
        "city_shares": {
            p.value: [
                None if city["achieved_share"][p.value] is None else round(100 * city["achieved_share"][p.value], 1)
                for city in reports[chosen]["cities"]
            ]
            for p in Pollutant
        },
        "required_percent": {p: round(100 * share, 1) for p, share in reports[chosen]["required_share"].items()},
    }
    return render(
        request,
        "emergency/dashboard.html",
        {
            "region": region_obj,
            "region_code": region,
            "as_of": as_of,
            "reports": reports,
            "chosen": chosen,
            "report": reports[chosen],
            "chart": chart,
            "subregions": subregions,
            "levels": [(level.value, level.label_zh) for level in services.LEVEL_ORDER],
        },
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    can_issue = "alert.issue" in permissions_for(actor)
    form_error = ""
    if request.method == "POST":
        data = {
            "region_codes": request.POST.getlist("region_codes"),
            "level": request.POST.get("level"),
            "starts_at": request.POST.get("starts_at"),
            "ends_at": request.POST.get("ends_at"),
            "title": request.POST.get("title", ""),
        }
        try:
            event = services.issue_alert(request.user, data, request.POST.get("reason", ""))
        except (AccessDenied, NotFound):
            raise
        except ServiceError as exc:
            form_error = exc.message
        else:
            messages.success(request, f"已发布 {event.title}，生成企业任务 {event.tasks.count()} 条")
            return redirect("emergency:alert", event_id=event.pk)
    regions = []
    if can_issue and actor.region_code:
        regions = list(Region.objects.filter(within(actor.region_code, "code")).exclude(level="province"))
    return render(
        request,
        "emergency/alerts.html",
        {
            "events": services.visible_events(request.user),
            "can_issue": can_issue,
            "regions": regions,
            "levels": [(level.value, level.label_zh) for level in services.LEVEL_ORDER],
            "form_error": form_error,
        },
    )


POLLUTANT_FIELDS = [
    ("so2", "SO₂", "二氧化硫"),
    ("nox", "NOx", "氮氧化物"),
    ("pm", "PM", "颗粒物"),
    ("vocs", "VOCs", "挥发性有机物"),
]


def _report_fields(task: Any, typed: dict[str, str] | None = None, error: Any = None) -> list[dict[str, Any]]:
    """The per-pollutant report of one task: expected cut, reported (or as typed after a refusal), the error."""
    fields = []
    for code, short, name in POLLUTANT_FIELDS:
        key = f"reported_{code}"
        stored = getattr(task, key)
        fields.append(
            {
                "name": key,
                "short": short,
                "label": f"{name}（{short}）",
                "expected": fixed(getattr(task, f"expected_{code}"), 3),
                "value": typed.get(key, "") if typed is not None else ("" if stored is None else fixed(stored, 6)),
                "error": error.message if error is not None and error.field == key else "",
            }
        )
    return fields


@login_required
def alert_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    return _alert_page(request, event_id)


def _alert_page(
    request: HttpRequest,
    event_id: int,
    *,
    typed_task: int | None = None,
    typed: dict[str, str] | None = None,
    error: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The alert page; after a refused report, that task's form shows what was typed and the reason."""
    event = services.get_event(request.user, event_id)
    actor = actor_of(request.user)
    tasks = list(services.event_tasks(request.user, event))
    allowed = permissions_for(actor)
    can_change = event.status == "active" and all(
        decide(actor, "alert.issue", Target(region_code=code)) for code in event.region_codes
    )
    return render(
        request,
        "emergency/alert.html",
        {
            "event": event,
            "tasks": [
                (
                    task,
                    {
                        **services.execution_summary(task),
                        "report_fields": _report_fields(task, typed, error)
                        if task.pk == typed_task
                        else _report_fields(task),
                    },
                )
                for task in tasks
            ],
            "can_change": can_change,
            "is_enterprise": "alert.report" in allowed,
            "can_evidence": "alert.evidence" in allowed,
            "levels": [(level.value, level.label_zh) for level in services.LEVEL_ORDER],
            "level_label": AlertLevel(event.level).label_zh,
        },
        status=status,
    )


@login_required
def alert_change(request: HttpRequest, event_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            if request.POST.get("action") == "lift":
                services.lift_alert(request.user, event_id, request.POST.get("reason", ""))
            else:
                services.change_alert_level(
                    request.user, event_id, request.POST.get("level"), request.POST.get("reason", "")
                )
        except (AccessDenied, NotFound):
            raise
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已更新预警")
    return redirect("emergency:alert", event_id=event_id)


@login_required
def task_act(request: HttpRequest, task_id: int) -> HttpResponse:
    task = services.get_task(request.user, task_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "acknowledge":
                services.acknowledge_task(request.user, task_id)
            elif action == "report":
                typed = {name: request.POST.get(name, "") for name in services.REPORTED_LABELS}
                services.report_execution(
                    request.user,
                    task_id,
                    {
                        "lines_done": request.POST.getlist("lines_done"),
                        "note": request.POST.get("note", ""),
                        **{f"reported_{p}": request.POST.get(f"reported_{p}") for p in ("so2", "nox", "pm", "vocs")},
                    },
                )
            elif action == "evidence":
                services.record_evidence(
                    request.user,
                    task_id,
                    {
                        "online_monitoring": request.POST.get("online_monitoring", ""),
                        "electricity_baseline_kwh": request.POST.get("electricity_baseline_kwh"),
                        "electricity_alert_kwh": request.POST.get("electricity_alert_kwh"),
                        "note": request.POST.get("note", ""),
                    },
                )
            else:
                raise ServiceError("未知操作")
        except (AccessDenied, NotFound):
            raise
        except ServiceError as exc:
            messages.error(request, exc.message)
            if action == "report":
                return _alert_page(request, task.event_id, typed_task=task.pk, typed=typed, error=exc, status=400)
        else:
            messages.success(request, "已保存")
    return redirect("emergency:alert", event_id=task.event_id)
