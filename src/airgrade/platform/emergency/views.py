"""Emergency pages: the list editor per enterprise site, entry detail with task lists and 一厂一策 downloads, the
region dashboard (ECharts), alert events. Views only translate HTTP to service calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from airgrade.core.access import Actor, Target, decide
from airgrade.core.emergency.model import GuaranteeCategory, LineStatus
from airgrade.core.industries import all_industries, industries_for_region, industry_by_code
from airgrade.core.regions import RegionLevel, contains, level_of
from airgrade.core.rules.render import MEASURE_KIND_CHOICES_ZH
from airgrade.core.types import AlertLevel, EmissionStage, Grade, Pollutant
from airgrade.io.documents.layout import fixed
from airgrade.platform import lists
from airgrade.platform.emergency import services
from airgrade.platform.emergency.forms import AlertChangeForm, AlertForm, EntryDecisionForm, EntryForm, TaskForm
from airgrade.platform.emergency.models import AlertEvent, ListEntry, ListIndustry
from airgrade.platform.enterprises.models import Site
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError, form_int, form_values
from airgrade.platform.hooks import contributions
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


class EntryFilter(lists.ScopedFilterSet):
    """应急减排清单: enterprise / site search, region, year, industry, grade, guarantee and small-micro status."""

    search_fields = ("enterprise__name", "site__name", "enterprise__credit_code")
    search_label = "企业、厂区或信用代码"
    year = django_filters.NumberFilter(
        label="清单年度", field_name="year", min_value=2000, max_value=2100, decimal_places=0
    )
    industry = django_filters.ChoiceFilter(label="行业", method="filter_industry", empty_label="全部")
    grade = lists.choice_filter(
        "等级", [(g.value, g.value) for g in Grade if not g.is_designation], "grade", method="filter_grade"
    )
    guarantee_status = lists.choice_filter(
        "保障类", [c for c in ListEntry.GuaranteeStatus.choices if c[0]], "guarantee_status"
    )
    small_micro_status = lists.choice_filter(
        "小微涉气", [c for c in ListEntry.SmallMicroStatus.choices if c[0]], "small_micro_status"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["industry"].extra["choices"] = [(i.code, i.name_zh) for i in all_industries()]

    def filter_industry(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(pk__in=ListIndustry.objects.filter(industry_code=value).values("entry_id"))

    def filter_grade(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(pk__in=ListIndustry.objects.filter(grade=value).values("entry_id"))


def _entry_industries(entry: ListEntry) -> str:
    return "、".join(f"{_industry_name(i.industry_code)} {i.grade or '未评级'}" for i in entry.industries.all())


ENTRY_COLUMNS = [
    lists.Column("企业", lambda e: e.enterprise.name),
    lists.Column("统一社会信用代码", lambda e: e.enterprise.credit_code),
    lists.Column("厂区", lambda e: e.site.name),
    lists.Column("所在区划", lambda e: e.region.name),
    lists.Column("清单年度", lambda e: e.year),
    lists.Column("行业 / 等级", _entry_industries),
    lists.Column("生产线数", lambda e: len(e.lines.all())),
    lists.Column("保障类", lambda e: e.get_guarantee_status_display()),
    lists.Column("小微涉气", lambda e: e.get_small_micro_status_display()),
]


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    result = lists.list_page(
        request,
        EntryFilter,
        services.visible_entries(request.user).order_by("region_id", "enterprise__name", "-year", "id"),
        actor=actor,
        columns=ENTRY_COLUMNS,
        filename="应急减排清单",
    )
    if isinstance(result, HttpResponse):
        return result
    sites = scoped(Site.objects.select_related("enterprise", "region"), actor, enterprise_field="enterprise_id")
    if _province_wide(actor):
        sites = sites.none()  # a province-wide list of unlisted sites is no worklist; counties and cities keep it
    year = timezone.localdate().year
    listed = ListEntry.objects.filter(year=year).values("site_id")
    return render(
        request,
        "emergency/list.html",
        {
            **result,
            "unlisted_sites": list(sites.exclude(pk__in=listed).order_by("region_id", "enterprise__name")[:500]),
            "year": year,
            "can_issue": "alert.issue" in permissions_for(actor),
            "may_report": "workbook.official_export" in permissions_for(actor),
        },
    )


def _form_to_data(post: dict[str, Any]) -> dict[str, Any]:
    """Turn the editor's fields (EntryForm's values) into the service's list-entry dict; numbers stay text until the
    service checks."""

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
    for code, grade in zip(post.get("industry_code", []), post.get("grade", []), strict=False):
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
    proposals = _proposals_from_rows(post, number)
    if proposals:
        data["proposals"] = proposals
    return data


# The measures an enterprise may propose (stricter than its grade's minimum), by their Chinese names from the one
# renderer: the closed vocabulary of airgrade.core.measures, chosen from a list instead of typed as JSON.
MEASURE_CHOICES = MEASURE_KIND_CHOICES_ZH
MAX_PROPOSAL_ROWS = 60


def _proposals_from_rows(post: Any, number: Any) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The editor's measure rows (level, industry, measure, value, stage, note) as the service's proposals:
    {level: {industry: [measure, …]}}. A row without a measure is skipped; a measure missing its value is refused
    naming the row."""
    proposals: dict[str, dict[str, list[dict[str, Any]]]] = {}
    count = form_int(post.get("proposal_count"), field="proposal_count", label="自报措施行数", required=False) or 0
    kinds = dict(MEASURE_CHOICES)
    levels = {level.value: level.label_zh for level in AlertLevel}
    for index in range(min(count, MAX_PROPOSAL_ROWS)):
        row = {
            k: str(post.get(f"proposal-{index}-{k}", "")).strip()
            for k in ("level", "industry", "kind", "value", "stage", "note")
        }
        if not row["kind"]:
            continue
        where = f"自报措施第 {index + 1} 行"
        if row["kind"] not in kinds:
            raise ServiceError(f"{where}：请从列表中选择措施", field="proposals")
        if row["level"] not in levels:
            raise ServiceError(f"{where}：请选择预警级别", field="proposals")
        if not row["industry"]:
            raise ServiceError(f"{where}：请选择行业", field="proposals")
        measure: dict[str, Any] = {"kind": row["kind"]}
        if row["note"]:
            measure["note_zh"] = row["note"]
        if row["kind"] in ("curtail", "stop_line_share"):
            value = number(row["value"])
            if value is None:
                raise ServiceError(f"{where}：{kinds[row['kind']]}须填写比例（%）", field="proposals")
            if not isinstance(value, float) or not 0 < value <= 100:
                raise ServiceError(
                    f"{where}：比例须为 0 到 100 之间的数字，收到“{row['value'][:20]}”", field="proposals"
                )
            measure["percent" if row["kind"] == "curtail" else "share"] = (
                value if row["kind"] == "curtail" else value / 100
            )
        if row["kind"] == "stop_vehicles":
            if row["stage"] not in {stage.value for stage in EmissionStage}:
                raise ServiceError(f"{where}：请选择车辆排放阶段", field="proposals")
            measure["at_or_below"] = row["stage"]
        proposals.setdefault(row["level"], {}).setdefault(row["industry"], []).append(measure)
    return proposals


def _proposal_rows(proposals: Any) -> list[dict[str, str]]:
    """Stored proposals as editor rows (the inverse of `_proposals_from_rows`), then three blank rows."""
    rows = []
    for level, by_industry in (proposals or {}).items():
        for industry, measures in (by_industry or {}).items():
            for measure in measures or []:
                kind = str(measure.get("kind", ""))
                value = measure.get("percent") if kind == "curtail" else measure.get("share")
                if kind == "stop_line_share" and value is not None:
                    value = float(value) * 100
                rows.append(
                    {
                        "level": str(level),
                        "industry": str(industry),
                        "kind": kind,
                        "value": "" if value is None else fixed(value, 6).replace(",", ""),
                        "stage": str(measure.get("at_or_below", "")),
                        "note": str(measure.get("note_zh", "")),
                    }
                )
    return rows + [{"level": "orange", "industry": "", "kind": "", "value": "", "stage": "", "note": ""}] * 3


@login_required
def entry_edit(request: HttpRequest, site_id: int, year: int) -> HttpResponse:
    site = services.site_for_list(request.user, site_id, "emergency.list.edit")
    existing = ListEntry.objects.filter(site=site, year=year).first()
    error = ""
    typed: dict[str, Any] = {}
    if request.method == "POST":
        form = EntryForm(request.POST)
        typed = form.typed()
        try:
            data = _form_to_data(form_values(form))
            reason = typed.get("reason", "").strip()
            if existing is not None and not reason:
                # A revision of a saved entry says why (the audit log records it); a first filing needs none.
                raise ServiceError("修改已保存的清单须填写修改原因（记入审计日志）", field="reason")
            entry = services.save_entry(request.user, site.pk, year, data, reason)
        except ServiceError as exc:
            error = exc.message
            initial = _initial_from_post(typed)
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
            "existing": existing is not None,
            "reason": typed.get("reason", ""),
            "year": year,
            "initial": initial,
            "error": error,
            "lines": [*lines, *([{}] * 2)],
            "industries": industries_for_region(site.region_id),
            "grades": [g.value for g in Grade],
            "statuses": [(s.value, s.label_zh) for s in LineStatus],
            "categories": [(c.value, c.label_zh) for c in GuaranteeCategory],
            "declared_industries": initial.get("industries") or [{}],
            "proposal_rows": _proposal_rows(initial.get("proposals")),
            "measure_choices": MEASURE_CHOICES,
            "alert_levels": [(level.value, level.label_zh) for level in services.LEVEL_ORDER],
            "stages": [stage.value for stage in EmissionStage],
        },
    )


def _initial_from_post(post: dict[str, Any]) -> dict[str, Any]:
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
            # A city's own scorecard classes and control ratios (Zhengzhou, issue 14), through a hook: the
            # scorecards app sits above emergency.
            "local_control": contributions("local_control", entry.enterprise_id),
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
    try:
        post = form_values(EntryDecisionForm(request.POST))
        action = post["action"]
        if action in ("guarantee_approve", "guarantee_reject"):
            services.decide_guarantee(request.user, entry_id, action == "guarantee_approve", post["note"])
        elif action == "guarantee_output":
            services.report_guarantee_output(request.user, entry_id, post["daily_output"], post["note"])
        elif action in ("certify", "refuse"):
            services.certify_small_micro(request.user, entry_id, action == "certify", post["opinion"])
        else:
            raise ServiceError("未知操作")
    except (AccessDenied, NotFound):
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存")
    return redirect("emergency:detail", entry_id=entry_id)


def _part_label(region_code: str) -> str:
    """What one level down is called: 城市 under a province, 区县 under a city."""
    level = level_of(region_code)
    return {RegionLevel.PROVINCE: "城市", RegionLevel.CITY: "区县"}.get(level, "区县")


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
        level.value: report
        for level, report in services.region_reports(
            request.user, region, services.LEVEL_ORDER, as_of, breakdown=True
        ).items()
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
        # One level down (a city by county, the province by city): the chosen level's cut per part and pollutant.
        "parts": [part["name"] for part in reports[chosen]["subregions"]],
        "part_reduction": {
            p.value: [part["reduction_t_per_day"][p.value] for part in reports[chosen]["subregions"]] for p in Pollutant
        },
        "part_shares": {
            p.value: [
                None if part["achieved_share"][p.value] is None else round(100 * part["achieved_share"][p.value], 1)
                for part in reports[chosen]["subregions"]
            ]
            for p in Pollutant
        },
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
            "part_label": _part_label(region),
            "levels": [(level.value, level.label_zh) for level in services.LEVEL_ORDER],
        },
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    can_issue = "alert.issue" in permissions_for(actor)
    form_error = ""
    typed: dict[str, Any] = {"region_codes": [], "level": "yellow"}
    if request.method == "POST":
        form = AlertForm(request.POST)
        # A refused issue shows the form again as typed: regions, level, times, name and reason.
        typed = {"region_codes": [], **{k: "" for k in ("level", "starts_at", "ends_at", "title", "reason")}}
        typed.update({k: v for k, v in form.typed().items() if v is not None})
        try:
            post = form_values(form)
            data = {k: post[k] for k in ("region_codes", "level", "starts_at", "ends_at", "title")}
            event = services.issue_alert(request.user, data, post["reason"])
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
    visible = [event.pk for event in services.visible_events(request.user)]
    result = lists.list_page(
        request,
        EventFilter,
        AlertEvent.objects.filter(pk__in=visible).order_by("-starts_at", "-id"),
        actor=actor,
        columns=EVENT_COLUMNS,
        filename="预警事件",
    )
    if isinstance(result, HttpResponse):
        return result
    names = _region_names([code for event in result["page"] for code in event.region_codes])
    return render(
        request,
        "emergency/alerts.html",
        {
            **result,
            "events": [(event, "、".join(names.get(c, c) for c in event.region_codes)) for event in result["page"]],
            "can_issue": can_issue,
            "regions": regions,
            "levels": [(level.value, level.label_zh) for level in services.LEVEL_ORDER],
            "form_error": form_error,
            "typed": typed,
        },
    )


def _region_names(codes: list[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


class EventFilter(lists.ScopedFilterSet):
    search_fields = ("title",)
    search_label = "名称"
    status = lists.choice_filter("状态", AlertEvent.Status.choices, "status")
    level = lists.choice_filter("级别", [(lv.value, lv.label_zh) for lv in AlertLevel], "level")
    starts_from, starts_to = lists.date_filters("starts_at", "开始日期")

    def filter_region(self, queryset: Any, name: str, value: str) -> Any:
        """Events whose alert regions overlap the chosen region (a JSON list: read in Python, events are few)."""
        if not value:
            return queryset
        keep = [
            event.pk
            for event in queryset
            if any(contains(value, code) or contains(code, value) for code in event.region_codes)
        ]
        return queryset.filter(pk__in=keep)


def _event_regions(event: AlertEvent) -> str:
    names = _region_names(event.region_codes)
    return "、".join(names.get(code, code) for code in event.region_codes)


EVENT_COLUMNS = [
    lists.Column("名称", lambda e: e.title),
    lists.Column("预警区域", _event_regions),
    lists.Column("级别", lambda e: e.get_level_display()),
    lists.Column("开始时间", lambda e: timezone.localtime(e.starts_at).strftime("%Y-%m-%d %H:%M")),
    lists.Column(
        "预计结束时间", lambda e: timezone.localtime(e.ends_at).strftime("%Y-%m-%d %H:%M") if e.ends_at else ""
    ),
    lists.Column("状态", lambda e: e.get_status_display()),
]


class TaskFilter(lists.ScopedFilterSet):
    """An alert's enterprise tasks: enterprise search, county, acknowledgement / report status."""

    STATUSES = [
        ("unacknowledged", "未签收"),
        ("acknowledged", "已签收"),
        ("unreported", "未上报执行情况"),
        ("reported", "已上报执行情况"),
    ]
    search_fields = ("enterprise__name", "entry__site__name")
    search_label = "企业或厂区"
    status = django_filters.ChoiceFilter(label="状态", choices=STATUSES, method="filter_status", empty_label="全部")

    def filter_status(self, queryset: Any, name: str, value: str) -> Any:
        column = "acknowledged_at" if "acknowledged" in value else "reported_at"
        return queryset.filter(**{f"{column}__isnull": value.startswith("un")})


TASK_COLUMNS = [
    lists.Column("企业", lambda t: t.enterprise.name),
    lists.Column("厂区", lambda t: t.entry.site.name),
    lists.Column("所在区划", lambda t: t.region.name),
    lists.Column("级别", lambda t: t.get_level_display()),
    lists.Column(
        "签收时间",
        lambda t: timezone.localtime(t.acknowledged_at).strftime("%Y-%m-%d %H:%M") if t.acknowledged_at else "未签收",
    ),
    lists.Column("预期减排 SO₂（t/d）", lambda t: t.expected_so2),
    lists.Column("预期减排 NOx（t/d）", lambda t: t.expected_nox),
    lists.Column("预期减排 PM（t/d）", lambda t: t.expected_pm),
    lists.Column("预期减排 VOCs（t/d）", lambda t: t.expected_vocs),
    lists.Column(
        "上报时间",
        lambda t: timezone.localtime(t.reported_at).strftime("%Y-%m-%d %H:%M") if t.reported_at else "未上报",
    ),
    lists.Column("上报 SO₂", lambda t: t.reported_so2),
    lists.Column("上报 NOx", lambda t: t.reported_nox),
    lists.Column("上报 PM", lambda t: t.reported_pm),
    lists.Column("上报 VOCs", lambda t: t.reported_vocs),
]


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
    all_tasks = services.event_tasks(request.user, event)
    base = all_tasks.filter(pk=typed_task) if typed_task is not None else all_tasks
    result = lists.list_page(
        request,
        TaskFilter,
        base.order_by("region_id", "enterprise__name", "id"),
        actor=actor,
        columns=TASK_COLUMNS,
        filename=f"{event.title} 企业任务",
        per_page=20,
    )
    if isinstance(result, HttpResponse):
        return result
    tasks = list(result["page"])
    counts = all_tasks.aggregate(
        total=Count("id"), acknowledged=Count("acknowledged_at"), reported=Count("reported_at")
    )
    allowed = permissions_for(actor)
    can_change = event.status == "active" and all(
        decide(actor, "alert.issue", Target(region_code=code)) for code in event.region_codes
    )
    return render(
        request,
        "emergency/alert.html",
        {
            **result,
            "list_anchor": "tasks",
            "counts": counts,
            "event_regions": _event_regions(event),
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
            post = form_values(AlertChangeForm(request.POST))
            if post["action"] == "lift":
                services.lift_alert(request.user, event_id, post["reason"])
            else:
                services.change_alert_level(request.user, event_id, post["level"], post["reason"])
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
    form = TaskForm(request.POST)
    # What was typed (a field the form refused shows empty), for the report form shown again after a refusal.
    typed = {k: "" if v is None else v for k, v in form.typed().items()}
    if request.method == "POST":
        action = typed.get("action", "")
        try:
            post = form_values(form)
            if action == "acknowledge":
                services.acknowledge_task(request.user, task_id)
            elif action == "report":
                services.report_execution(
                    request.user,
                    task_id,
                    {
                        "lines_done": post["lines_done"],
                        "note": post["note"],
                        **{f"reported_{p}": post[f"reported_{p}"] for p in ("so2", "nox", "pm", "vocs")},
                    },
                )
            elif action == "evidence":
                services.record_evidence(
                    request.user,
                    task_id,
                    {
                        "online_monitoring": post["online_monitoring"],
                        "electricity_baseline_kwh": post["electricity_baseline_kwh"],
                        "electricity_alert_kwh": post["electricity_alert_kwh"],
                        "note": post["note"],
                    },
                )
            else:
                raise ServiceError("未知操作")
        except (AccessDenied, NotFound):
            raise
        except ServiceError as exc:
            messages.error(request, exc.message)
            if action == "report":
                report_typed = {name: typed.get(name, "") for name in services.REPORTED_LABELS}
                return _alert_page(
                    request, task.event_id, typed_task=task.pk, typed=report_typed, error=exc, status=400
                )
        else:
            messages.success(request, "已保存")
    back = QueryDict(typed.get("back", "")).urlencode()
    return redirect(
        reverse("emergency:alert", args=[task.event_id]) + (f"?{back}" if back else "") + f"#task-{task.pk}"
    )
